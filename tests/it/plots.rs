//! `plot "VARIABLE"` through the runner (the job's runs output the variable, the figure gets
//! its panel), the stacked "where the capacity went" panel, and report links: absolute under
//! `reports.web_url` when it is set, explained when not.

use battbot::command::Command;
use battbot::job::{JobSource, JobSpec};
use battbot::report;
use battbot::sim::SimSpec;

fn at(s: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap()
}

fn job(command: Command) -> JobSpec {
    let source = JobSource {
        platform: "github".into(),
        repo: "Codertocat/Hello-World".into(),
        number: 7,
        comment_id: 77,
        user: "Codertocat".into(),
        url: "https://github.com/Codertocat/Hello-World/issues/7#issuecomment-77".into(),
    };
    JobSpec::new(
        source,
        command,
        "https://bot.example",
        at("2026-05-01T10:00:00Z"),
    )
}

fn spec(json: serde_json::Value) -> SimSpec {
    serde_json::from_value(json).unwrap()
}

fn file<'a>(built: &'a report::BuiltReport, name: &str) -> &'a str {
    let f = built
        .files
        .iter()
        .find(|f| f.path.ends_with(name))
        .unwrap_or_else(|| panic!("no {name}"));
    std::str::from_utf8(&f.contents).unwrap()
}

#[test]
fn plot_variable_reaches_the_figure_and_the_report() {
    let run = spec(serde_json::json!({
        "model": "DFN", "parameter_set": "Chen2020",
        "experiment": ["Discharge at 2C until 3.2 V"], "points_per_domain": 10,
        "variables": ["Electrolyte concentration [mol.m-3]",
                      "X-averaged negative particle surface concentration [mol.m-3]"]
    }));
    let spec = job(Command::Simulate { runs: vec![run] });
    let out = tempfile::tempdir().unwrap();
    let mut log = Vec::new();
    let result = battbot::runner::execute(&spec, out.path(), &mut log).unwrap();
    // the figure has the two variable panels (6 panels) and is taller than two rows need
    let solved = battbot::runner::solve_all(spec.command.runs(), &mut log).unwrap();
    let fig = battbot::runner::figure("t", "f", &solved);
    assert_eq!(battbot::render::variables::names(&fig).len(), 2);
    let v = &fig.runs[0].variables;
    assert!(v[0].positions.as_ref().is_some_and(|p| p.axis == "x"));
    assert!(v[1].positions.is_none());
    assert_eq!(v[0].values.len(), fig.runs[0].time_s.len());
    let png = std::fs::read(out.path().join("voltage.png")).unwrap();
    let reader = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap();
    assert_eq!((reader.info().width, reader.info().height), (1200, 800));
    // the scalar one is a CSV column, the distributed one is in result.json
    let csv = std::fs::read_to_string(out.path().join("solution.csv")).unwrap();
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .ends_with(",X-averaged negative particle surface concentration [mol.m-3]"));
    let json = std::fs::read_to_string(out.path().join("result.json")).unwrap();
    assert!(json.contains("Electrolyte concentration [mol.m-3]"));
    let built = report::success(&spec, &result, "c", at("2026-05-01T10:00:07Z")).unwrap();
    assert!(file(&built, "report.md").contains("\"variables\""));
}

#[test]
fn degradation_modes_panel_stacks_where_the_capacity_went() {
    let run = spec(serde_json::json!({
        "model": "SPM", "parameter_set": "OKane2022",
        "experiment": ["Discharge at 1C until 2.5 V", "Charge at 1C until 4.2 V"],
        "cycles": 4,
        "options": {"SEI": "reaction limited", "loss of active material": "stress-driven"}
    }));
    let mut log = Vec::new();
    let solved = battbot::runner::solve_all(&[run], &mut log).unwrap();
    let modes = battbot::runner::cycle_modes_ah(&solved[0].spec, &solved[0].solution).unwrap();
    assert_eq!(modes.len(), 4);
    // SEI and both LAM bands grow; no cracks, no plating
    let last = modes[3];
    assert!(last[0] > modes[0][0] && last[0] > 0.0, "{modes:?}");
    assert_eq!(last[1], 0.0);
    assert_eq!(last[2], 0.0);
    assert!(last[3] > 0.0 && last[4] > 0.0, "{modes:?}");
    // the lithium lost to SEI is a small share of the capacity fade's order of magnitude
    let s = &solved[0].solution;
    let fade = s.cycles[0].discharge_capacity_ah - s.cycles[3].discharge_capacity_ah;
    assert!(
        last[0] < 10.0 * fade.abs().max(1e-6),
        "{last:?} vs fade {fade}"
    );
    let fig = battbot::runner::figure("t", "f", &solved);
    assert_eq!(battbot::render::modes::runs_with_modes(&fig), vec![0]);
    let png =
        battbot::render::render_png(&fig, &battbot::render::PngOptions::for_figure(&fig)).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
}

fn built_with(web_url: &str) -> report::BuiltReport {
    let run = spec(serde_json::json!({
        "model": "SPM", "parameter_set": "Chen2020",
        "experiment": ["Discharge at 1C until 3.5 V"]
    }));
    let spec = job(Command::Simulate { runs: vec![run] });
    let out = tempfile::tempdir().unwrap();
    let mut log = Vec::new();
    let result = battbot::runner::execute(&spec, out.path(), &mut log).unwrap();
    report::success_at(&spec, &result, "c", at("2026-05-01T10:00:07Z"), web_url).unwrap()
}

#[test]
fn report_links_are_absolute_under_web_url() {
    let web = "https://github.com/org/reports/blob/main";
    let built = built_with(web);
    let md = file(&built, "report.md");
    let dir = built.report_path.trim_end_matches("/report.md");
    for name in [
        "solution.csv",
        "result.json",
        "reproduce.py",
        "summary.json",
    ] {
        assert!(
            md.contains(&format!("]({web}/{dir}/{name})")),
            "{name} is not linked absolutely in\n{md}"
        );
    }
    // images through the forge's raw view (a blob page is not an image)
    let raw = web.replace("/blob/", "/raw/");
    assert!(md.contains(&format!("]({raw}/{dir}/voltage.png)")), "{md}");
    assert!(md.contains(&format!("]({web}/README.md)")), "{md}");
    assert!(!md.contains("no reports.web_url"), "{md}");
    let html = file(&built, "report.html");
    assert!(
        html.contains(&format!("href=\"{web}/{dir}/report.md\"")),
        "{html}"
    );
}

#[test]
fn report_links_without_web_url_are_paths_and_say_so() {
    let built = built_with("");
    let md = file(&built, "report.md");
    assert!(md.contains("](solution.csv)"), "{md}");
    assert!(md.contains("](voltage.png)"), "{md}");
    assert!(md.contains("](../../../../../README.md)"), "{md}");
    assert!(
        md.contains("no reports.web\\_url configured")
            || md.contains("no reports.web_url configured"),
        "{md}"
    );
    assert!(file(&built, "report.html").contains("no reports.web_url configured"));
}

#[test]
fn report_links_ignore_a_web_url_that_is_no_url() {
    for bad in [
        "javascript:alert(1)",
        "https://x.example/a b",
        "https://x.example/(x)",
    ] {
        let md = file(&built_with(bad), "report.md").to_string();
        assert!(!md.contains("javascript:"), "{md}");
        assert!(md.contains("](solution.csv)"), "{bad}: {md}");
    }
}
