//! Reports and indexes as users see them (insta snapshots), and pruning.

use std::sync::Arc;

use battbot::command::Command;
use battbot::forge::local::LocalForge;
use battbot::forge::Forge;
use battbot::job::{JobSource, JobSpec};
use battbot::report;
use battbot::runner::protocol::{Artifact, RunFailure, RunResult, RunSummary};
use battbot::sim::SimSpec;

/// Snapshots with the build's git commit redacted (it changes with every commit).
macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({filters => vec![(r"battbot 0\.1\.0 \(\\?[0-9a-f]{7,12}\)", "battbot 0.1.0")]}, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

fn at(s: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap()
}

fn spec_of(model: &str, set: &str) -> SimSpec {
    serde_json::from_value(serde_json::json!({
        "model": model, "parameter_set": set, "experiment": ["Discharge at 1C until 2.5 V"]
    }))
    .unwrap()
}

fn job(platform: &str, command: Command, comment_id: u64) -> JobSpec {
    let source = JobSource {
        platform: platform.into(),
        repo: if platform == "twitter" {
            "battbot".into()
        } else {
            "Codertocat/Hello-World".into()
        },
        number: if platform == "twitter" { 0 } else { 1 },
        comment_id,
        user: "Codertocat".into(),
        url: "https://github.com/Codertocat/Hello-World/issues/1#issuecomment-1".into(),
    };
    JobSpec::new(
        source,
        command,
        "https://bot.example",
        at("2026-05-01T10:00:00Z"),
    )
}

fn run(spec: SimSpec, v: f64, lumped: bool) -> RunSummary {
    RunSummary {
        label: format!("{} {}", spec.model, spec.parameter_set),
        spec,
        final_voltage_v: v,
        final_time_s: 3555.3,
        discharge_capacity_ah: 4.9379,
        discharge_energy_wh: 17.62,
        max_temperature_k: lumped.then_some(305.4),
        solve_time_s: 0.0042,
        rows: 357,
        fade: None,
        stopped: None,
    }
}

/// An artifact as the runner sends it: its type by name; image stand-ins get the format's
/// magic bytes (reports accept only content that is what its name says).
fn artifact(name: &str, bytes: &[u8]) -> Artifact {
    use base64::Engine;
    let (content_type, magic): (&str, &[u8]) = match name.rsplit('.').next() {
        Some("png") => ("image/png", b"\x89PNG\r\n\x1a\n"),
        Some("gif") => ("image/gif", b"GIF89a"),
        Some("json") => ("application/json", b""),
        _ => ("text/csv", b""),
    };
    let bytes = if bytes.starts_with(magic) {
        bytes.to_vec()
    } else {
        [magic, bytes].concat()
    };
    Artifact {
        name: name.into(),
        content_type: content_type.into(),
        base64: base64::engine::general_purpose::STANDARD.encode(bytes),
    }
}

fn result(job: &JobSpec, runs: Vec<RunSummary>, gif: bool) -> RunResult {
    let mut artifacts = vec![
        artifact("voltage.png", b"png"),
        artifact("solution.csv", b"Time [s]\n0\n"),
    ];
    if gif {
        artifacts.push(artifact("comparison.gif", b"gif"));
    }
    RunResult {
        job_id: job.id.to_string(),
        battbot_version: "0.1.0".into(),
        runs,
        artifacts,
        log_tail: vec![],
        benchmark: None,
    }
}

fn report_md(built: &report::BuiltReport) -> String {
    built_file(built, "report.md")
}

/// The text of the built file whose path ends with `suffix`.
fn built_file(built: &report::BuiltReport, suffix: &str) -> String {
    let f = built
        .files
        .iter()
        .find(|f| f.path.ends_with(suffix))
        .unwrap();
    String::from_utf8(f.contents.clone()).unwrap()
}

#[test]
fn success_report() {
    let spec = job(
        "github",
        Command::Simulate {
            runs: vec![spec_of("DFN", "Chen2020")],
        },
        1,
    );
    let r = result(
        &spec,
        vec![run(spec_of("DFN", "Chen2020"), 2.5, false)],
        false,
    );
    let built = report::success(
        &spec,
        &r,
        "@battbot simulate DFN Chen2020 \"Discharge at 1C until 2.5 V\"",
        at("2026-05-01T10:00:07Z"),
    )
    .unwrap();
    snapshot!("success", report_md(&built));
}

#[test]
fn comparison_report() {
    let runs = vec![spec_of("SPM", "Chen2020"), spec_of("DFN", "Chen2020")];
    let spec = job("github", Command::Compare { runs: runs.clone() }, 2);
    let mut lumped = spec_of("DFN", "Chen2020");
    lumped.thermal = Some("lumped".into());
    let r = result(
        &spec,
        vec![run(runs[0].clone(), 2.5, false), run(lumped, 2.5, true)],
        true,
    );
    let built = report::success(
        &spec,
        &r,
        "@battbot compare SPM DFN Chen2020",
        at("2026-05-01T10:00:09Z"),
    )
    .unwrap();
    snapshot!("comparison", report_md(&built));
}

#[test]
fn degradation_report_shows_the_fade() {
    let mut aged = spec_of("SPMe", "OKane2022");
    aged.cycles = Some(100);
    aged.options.insert("SEI".into(), "reaction limited".into());
    let spec = job(
        "github",
        Command::Simulate {
            runs: vec![aged.clone()],
        },
        3,
    );
    let mut summary = run(aged, 4.2, false);
    summary.fade = Some(battbot::runner::protocol::CycleFade {
        cycles: 100,
        first_cycle_capacity_ah: 4.9231,
        last_cycle_capacity_ah: 4.8502,
        fade_percent: 1.481,
        loss_of_lithium_inventory_percent: 1.52,
    });
    let r = result(&spec, vec![summary], false);
    let built = report::success(
        &spec,
        &r,
        "@battbot simulate SPMe OKane2022 sei=reaction-limited x100",
        at("2026-05-01T10:00:11Z"),
    )
    .unwrap();
    let md = report_md(&built);
    assert!(md.contains("**Capacity fade**"), "{md}");
    snapshot!("degradation", md);
}

/// CI's loaded runner: the head is 2.8× slower, but one base round was as slow as the head
/// and one head round as fast as the base; the report said "No regression beyond 5 %" and
/// the reply "no regression". Both must say the comparison could not tell.
#[test]
fn a_regression_blurred_by_noisy_rounds_is_inconclusive_not_no_regression() {
    use battbot::runner::protocol::{BenchmarkSamples, BenchmarkSeries};
    let spec = job("github", Command::Runbenchmarks, 1);
    let mut r = result(&spec, vec![], false);
    r.artifacts = vec![artifact("benchmarks.png", b"png")];
    let series = |name: &str, base: &[f64], head: &[f64]| BenchmarkSeries {
        name: name.into(),
        base_s: base.to_vec(),
        head_s: head.to_vec(),
    };
    r.benchmark = Some(BenchmarkSamples {
        base_sha: "00129d1b33881e578a48af09be4b5dea6ff988d8".into(),
        head_sha: "2286358e90a9001a8df2328bcc7785207b7f6eee".into(),
        benchmarks: vec![
            series(
                "steady",
                &[1.0, 1.01, 0.99, 1.0, 1.0],
                &[1.0, 1.0, 1.01, 0.99, 1.0],
            ),
            series(
                "busy-loop",
                &[0.0208, 0.0205, 0.0612, 0.0210, 0.0209],
                &[0.0579, 0.0201, 0.0575, 0.0583, 0.0580],
            ),
        ],
    });
    // the report, its page and the reply
    let build = |r: &RunResult| {
        let built = report::success(
            &spec,
            r,
            "@battbot runbenchmarks",
            at("2026-05-01T10:00:07Z"),
        )
        .unwrap();
        let reply = report::reply_text(&spec, &built, "https://reports.example/r")
            .render(battbot::reply::Markup::of("github"));
        (report_md(&built), built_file(&built, ".html"), reply)
    };
    let (md, html, reply) = build(&r);
    assert!(!md.contains("No regression"), "{md}");
    assert!(
        md.contains("**❔ 1 inconclusive:** `busy-loop` ×2.770 (95 % CI "),
        "{md}"
    );
    assert!(md.contains("| `busy-loop` |"), "{md}");
    assert!(md.contains("| ❔ inconclusive |"), "{md}");
    // the inconclusive row comes before the unchanged one
    assert!(md.find("| `busy-loop` |") < md.find("| `steady` |"), "{md}");
    assert!(!html.contains("No regression"), "{html}");
    assert!(
        html.contains("1 inconclusive:</strong> <code>busy-loop</code>"),
        "{html}"
    );
    assert!(!reply.contains("no regression in"), "{reply}");
    assert!(
        reply.contains(
            "no regression confirmed; ❔ 1 inconclusive, too noisy to tell: `busy-loop` ×2.770"
        ),
        "{reply}"
    );
    // beside a clear regression: its own paragraph, and the reply names both
    if let Some(b) = r.benchmark.as_mut() {
        b.benchmarks.push(series(
            "slow",
            &[1.0, 1.01, 0.99, 1.0, 1.0],
            &[2.0, 2.0, 2.01, 1.99, 2.0],
        ));
    }
    let (md, _, reply) = build(&r);
    assert!(
        md.contains("**⚠️ 1 regression:** `slow` ×2.000\n\n**❔ 1 inconclusive:** `busy-loop`"),
        "{md}"
    );
    assert!(md.find("| `slow` |") < md.find("| `busy-loop` |"), "{md}");
    assert!(
        reply.contains(
            "⚠️ 1 slower: `slow` ×2.000; ❔ 1 inconclusive, too noisy to tell: `busy-loop` ×2.770"
        ),
        "{reply}"
    );
}

#[test]
fn failure_report() {
    let spec = job(
        "github",
        Command::Simulate {
            runs: vec![spec_of("DFN", "Chen2020")],
        },
        3,
    );
    let f = RunFailure {
        job_id: spec.id.to_string(),
        battbot_version: "0.1.0".into(),
        error: "step 2 (\"Rest for 30 minutes\") failed at t = 3600.0 s: Newton did not converge"
            .into(),
        log_tail: vec!["run 1: DFN · Chen2020".into(), "```injected fence".into()],
    };
    let built = report::failure(
        &spec,
        &f,
        "@battbot simulate DFN Chen2020",
        at("2026-05-01T10:01:00Z"),
    )
    .unwrap();
    snapshot!("failure", report_md(&built));
}

#[test]
fn twitter_report_lives_under_the_user() {
    let spec = job(
        "twitter",
        Command::Simulate {
            runs: vec![spec_of("SPMe", "Ai2020")],
        },
        1_790_000_000_000_000_000,
    );
    let r = result(
        &spec,
        vec![run(spec_of("SPMe", "Ai2020"), 3.0, false)],
        false,
    );
    let built = report::success(
        &spec,
        &r,
        "@battbot_ simulate SPMe Ai2020",
        at("2026-05-01T10:00:05Z"),
    )
    .unwrap();
    assert_eq!(
        built.report_path,
        "twitter/Codertocat/1790000000000000000/report.md"
    );
    snapshot!("twitter", report_md(&built));
}

#[test]
fn hostile_text_stays_inert() {
    let mut s = spec_of("DFN", "Chen2020");
    s.experiment =
        vec!["Discharge at 1C until 2.5 V` <script>alert(1)</script> [x](javascript:y)".into()];
    let mut spec = job(
        "github",
        Command::Simulate {
            runs: vec![s.clone()],
        },
        4,
    );
    spec.source.user = "<img src=x onerror=alert(1)>".into();
    spec.source.url = "javascript:alert(1)".into();
    let r = result(&spec, vec![run(s, 2.5, false)], false);
    let md = report_md(&report::success(&spec, &r, "x", at("2026-05-01T10:00:05Z")).unwrap());
    // Inside code spans and blocks text is literal; outside them nothing may be active.
    let prose = outside_code(&md);
    assert!(!prose.contains("<script"), "{prose}");
    assert!(!prose.contains("<img"), "{prose}");
    assert!(!prose.contains("(javascript:"), "{prose}");
    assert!(
        md.contains("<script>alert(1)</script>"),
        "kept literally inside code: {md}"
    );
}

/// The markdown with every code span and fenced block removed.
fn outside_code(md: &str) -> String {
    let chars: Vec<char> = md.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '`' {
            let mut n = 0;
            while i + n < chars.len() && chars[i + n] == '`' {
                n += 1;
            }
            let mut j = i + n;
            let mut closed = None;
            while j < chars.len() {
                if chars[j] == '`' {
                    let mut m = 0;
                    while j + m < chars.len() && chars[j + m] == '`' {
                        m += 1;
                    }
                    if m == n {
                        closed = Some(j + m);
                        break;
                    }
                    j += m;
                } else {
                    j += 1;
                }
            }
            match closed {
                Some(end) => i = end,
                None => {
                    out.extend(&chars[i..i + n]);
                    i += n;
                }
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn artifacts_must_be_plain_names() {
    let spec = job(
        "github",
        Command::Simulate {
            runs: vec![spec_of("DFN", "Chen2020")],
        },
        5,
    );
    let mut r = result(
        &spec,
        vec![run(spec_of("DFN", "Chen2020"), 2.5, false)],
        false,
    );
    r.artifacts.push(artifact("../../README.md", b"pwned"));
    assert!(report::success(&spec, &r, "x", at("2026-05-01T10:00:05Z")).is_err());
}

#[test]
fn oversize_artifacts_are_left_out_and_big_csvs_gzipped() {
    let spec = job(
        "github",
        Command::Simulate {
            runs: vec![spec_of("DFN", "Chen2020")],
        },
        6,
    );
    let mut r = result(
        &spec,
        vec![run(spec_of("DFN", "Chen2020"), 2.5, false)],
        false,
    );
    let csv: String = (0..200_000)
        .map(|i| format!("{i},5,3.7,{}\n", i as f64 / 720.0))
        .collect();
    r.artifacts.push(artifact("run-2.csv", csv.as_bytes()));
    r.artifacts
        .push(artifact("huge.gif", &vec![7u8; 7 * 1024 * 1024]));
    let built = report::success(&spec, &r, "x", at("2026-05-01T10:00:05Z")).unwrap();
    let total: usize = built.files.iter().map(|f| f.contents.len()).sum();
    assert!(total <= report::REPORT_BUDGET_BYTES, "{total}");
    assert!(built.files.iter().any(|f| f.path.ends_with("run-2.csv.gz")));
    let md = report_md(&built);
    assert!(md.contains("huge.gif") && md.contains("Left out"), "{md}");
}

#[tokio::test]
async fn indexes_and_prune() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("reports.git");
    LocalForge::init_bare(&repo).await.unwrap();
    let forge: Arc<dyn Forge> = Arc::new(LocalForge::new(dir.path(), &repo));
    let repo = repo.to_str().unwrap();
    let days = [
        "2026-01-01T10:00:00Z",
        "2026-04-01T10:00:00Z",
        "2026-05-01T10:00:00Z",
    ];
    for (i, day) in days.iter().enumerate() {
        let spec = job(
            "github",
            Command::Simulate {
                runs: vec![spec_of("SPM", "Chen2020")],
            },
            100 + i as u64,
        );
        let r = result(
            &spec,
            vec![run(spec_of("SPM", "Chen2020"), 2.5, false)],
            false,
        );
        let built = report::success(&spec, &r, "x", at(day)).unwrap();
        report::commit(forge.as_ref(), repo, "main", &built)
            .await
            .unwrap();
    }
    let readme = main_text(forge.as_ref(), repo, "README.md").await;
    snapshot!("index", readme);
    let per_repo = main_text(
        forge.as_ref(),
        repo,
        "github/Codertocat/Hello-World/README.md",
    )
    .await;
    snapshot!("repo_index", per_repo);
    // The site is static and loads the month shards the manifest lists.
    let site = main_text(forge.as_ref(), repo, "index.html").await;
    assert!(site.contains("index/manifest.json"));
    let manifest = report::index::read_manifest(forge.as_ref(), repo, "main")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(manifest.total, 3);
    let months: Vec<&str> = manifest.months.iter().map(|m| m.month.as_str()).collect();
    assert_eq!(months, ["2026-01", "2026-04", "2026-05"]);

    let pruned = report::prune::prune(
        forge.as_ref(),
        repo,
        "main",
        60 * 86_400,
        at("2026-05-02T00:00:00Z"),
        false,
    )
    .await
    .unwrap();
    assert_eq!(pruned.reports, 1, "{pruned:?}");
    let files = forge.list_files(repo, "main", "").await.unwrap();
    let old = "github/Codertocat/Hello-World/1/gh-codertocat-hello-world-1-c100";
    assert!(files.contains(&format!("{old}/report.md")));
    assert!(files.contains(&format!("{old}/summary.json")));
    assert!(!files.contains(&format!("{old}/voltage.png")));
    assert!(files.contains(
        &"github/Codertocat/Hello-World/1/gh-codertocat-hello-world-1-c101/voltage.png".to_string()
    ));
}

/// Two replicas that both found no report (the callback's first check) and then commit the
/// same result: the second one's commit finds the report at the new tip and writes nothing.
#[tokio::test]
async fn a_replica_that_checked_before_the_other_committed_does_not_commit_the_report_twice() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("reports.git");
    LocalForge::init_bare(&repo).await.unwrap();
    let forge: Arc<dyn Forge> = Arc::new(LocalForge::new(dir.path(), &repo));
    let repo = repo.to_str().unwrap();
    let spec = job(
        "github",
        Command::Simulate {
            runs: vec![spec_of("SPM", "Chen2020")],
        },
        7,
    );
    let r = result(
        &spec,
        vec![run(spec_of("SPM", "Chen2020"), 2.5, false)],
        false,
    );
    let built = report::success(&spec, &r, "x", at("2026-01-01T10:00:00Z")).unwrap();
    let first = report::commit(forge.as_ref(), repo, "main", &built);
    assert!(first.await.unwrap(), "the first replica commits the report");
    let tip = forge.branch_tip(repo, "main").await.unwrap();
    let second = report::commit(forge.as_ref(), repo, "main", &built);
    assert!(
        !second.await.unwrap(),
        "the second finds it and commits nothing"
    );
    assert_eq!(forge.branch_tip(repo, "main").await.unwrap(), tip);
}

/// A text file on `repo`'s main branch, which must exist.
async fn main_text(forge: &dyn battbot::forge::Forge, repo: &str, path: &str) -> String {
    let bytes = forge.read_file(repo, "main", path).await.unwrap();
    String::from_utf8(bytes.unwrap_or_else(|| panic!("no {path}"))).unwrap()
}
