//! Plots as users get them: decoded PNG and GIF (dimensions, frames, limits, not blank),
//! and random comparisons that always solve.

use battbot::render::{render_gif, render_png, Figure, GifOptions, PngOptions, RunSeries};

/// A plausible synthetic discharge: render is pure, so any curves will do.
fn run(label: &str, scale: f64, lumped: bool) -> RunSeries {
    let n = 360;
    let t: Vec<f64> = (0..n).map(|i| i as f64 * 10.0 * scale).collect();
    let end = t[n - 1];
    let v: Vec<f64> = t
        .iter()
        .map(|x| 4.1 - 0.9 * (x / end).powi(3) - 0.3 * x / end)
        .collect();
    RunSeries {
        label: label.into(),
        current_a: vec![5.0 / scale; n],
        capacity_ah: t.iter().map(|t| 5.0 / scale * t / 3600.0).collect(),
        temperature_k: lumped.then(|| t.iter().map(|t| 298.15 + 8.0 * t / 3600.0).collect()),
        step_starts_s: vec![],
        cycle_capacity_ah: None,
        breaks: vec![],
        segment_cycles: vec![],
        voltage_v: v,
        time_s: t,
        ..Default::default()
    }
}

fn figure(runs: usize) -> Figure {
    Figure {
        title: "Model comparison · Chen2020 · 1C".into(),
        footer: "battbot test".into(),
        runs: (0..runs)
            .map(|i| run(&format!("run {i}"), 1.0 + 0.2 * i as f64, i == 1))
            .collect(),
    }
}

fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// Share of pixels in a region that are not white.
fn ink(rgb: &[u8], width: u32, (x0, y0, x1, y1): (u32, u32, u32, u32)) -> f64 {
    let mut inked = 0;
    let mut total = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            let i = ((y * width + x) * 3) as usize;
            total += 1;
            if rgb[i] < 200 || rgb[i + 1] < 200 || rgb[i + 2] < 200 {
                inked += 1;
            }
        }
    }
    inked as f64 / total as f64
}

#[test]
fn png_has_title_and_drawn_panels() {
    let bytes = render_png(&figure(2), &PngOptions::default()).unwrap();
    assert!(bytes.len() < 5 * 1024 * 1024);
    let (w, h, rgb) = decode_png(&bytes);
    assert_eq!((w, h), (1200, 800));
    assert!(ink(&rgb, w, (10, 5, 600, 45)) > 0.01, "title text is drawn");
    // Every panel has curves and axes.
    for region in [
        (60, 60, 590, 390),
        (660, 60, 1190, 390),
        (60, 420, 590, 740),
        (660, 420, 1190, 740),
    ] {
        let share = ink(&rgb, w, region);
        assert!(share > 0.005 && share < 0.5, "panel {region:?}: {share}");
    }
    if let Ok(dir) = std::env::var("BATTBOT_RENDER_OUT") {
        std::fs::write(format!("{dir}/test.png"), &bytes).unwrap();
    }
}

#[test]
fn gif_animates_within_limits() {
    let fig = figure(3);
    let started = std::time::Instant::now();
    let out = render_gif(
        &fig,
        &GifOptions {
            width: 1280,
            height: 720,
            frames: 60,
            ..Default::default()
        },
    )
    .unwrap();
    eprintln!(
        "3-run 60-frame 1280×720 GIF: {} bytes in {:.3} s",
        out.bytes.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(out.bytes.len() <= 5 * 1024 * 1024);
    let mut opts = gif::DecodeOptions::new();
    opts.set_color_output(gif::ColorOutput::RGBA);
    let mut dec = opts.read_info(std::io::Cursor::new(&out.bytes)).unwrap();
    assert_eq!((dec.width(), dec.height()), (1280, 720));
    let mut frames = 0;
    let mut last_delay = 0;
    while let Some(frame) = dec.read_next_frame().unwrap() {
        frames += 1;
        last_delay = frame.delay;
    }
    assert_eq!(frames, 60);
    assert!(last_delay >= 100, "the last frame holds");
    assert!(out.adjustments.is_empty(), "{:?}", out.adjustments);
}

#[test]
fn oversize_requests_are_reduced_and_reported() {
    let out = render_gif(
        &figure(2),
        &GifOptions {
            width: 2560,
            height: 1440,
            frames: 400,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        out.width <= 1280 && out.height <= 1080,
        "{}×{}",
        out.width,
        out.height
    );
    assert!(out.frames <= 350);
    assert!(out.width as u64 * out.height as u64 * out.frames as u64 <= 300_000_000);
    assert!(!out.adjustments.is_empty());
}

#[test]
fn empty_or_ragged_figures_are_errors() {
    assert!(render_png(&Figure::default(), &PngOptions::default()).is_err());
    let mut fig = figure(1);
    fig.runs[0].voltage_v.pop();
    assert!(render_png(&fig, &PngOptions::default()).is_err());
}

#[test]
fn random_comparisons_are_reproducible_and_solve() {
    let catalog = battbot::scheduled::random_catalog();
    let a = battbot::render::random::random_comparison(42, &catalog);
    assert_eq!(a, battbot::render::random::random_comparison(42, &catalog));
    assert!(a.title.contains("seed 42"));
    let mut redrawn = 0;
    for seed in 0..1000u64 {
        let spec = battbot::scheduled::random_solvable(seed)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        if seed < 10 {
            let again = battbot::scheduled::random_solvable(seed).unwrap();
            assert_eq!(spec, again, "reproducible");
        }
        assert!(
            spec.title.contains(&format!("seed {seed}")),
            "{}",
            spec.title
        );
        assert!((2..=3).contains(&spec.runs.len()), "seed {seed}");
        if spec != battbot::render::random::random_comparison(seed, &catalog) {
            redrawn += 1;
        }
        for run in &spec.runs {
            let s: battbot::sim::SimSpec = serde_json::from_value(run.clone()).unwrap();
            let sol = battbot::sim::Simulation::build(&s)
                .unwrap()
                .solve(&Default::default());
            assert!(sol.is_ok(), "seed {seed}: {s:?}");
        }
    }
    eprintln!("{redrawn} of 1000 seeds needed a second draw");
    assert!(
        redrawn < 50,
        "the generator should rarely need a redraw: {redrawn}"
    );
}

/// A degradation job end to end on the runner side: 30 cycles with SEI keep the curves of
/// six cycles, report the fade and ship the per-cycle table.
#[test]
fn a_degradation_job_reports_its_fade_and_keeps_a_few_cycles() {
    use battbot::command::Command;
    use battbot::job::{JobSource, JobSpec};
    let run: battbot::sim::SimSpec = serde_json::from_value(serde_json::json!({
        "model": "SPM", "parameter_set": "OKane2022", "cycles": 30,
        "options": {"SEI": "reaction limited"},
        "experiment": ["Discharge at 1C until 2.5 V", "Charge at 1C until 4.2 V", "Hold at 4.2 V until C/50"]
    }))
    .unwrap();
    let source = JobSource {
        platform: "github".into(),
        repo: "o/r".into(),
        number: 1,
        comment_id: 2,
        user: "u".into(),
        url: String::new(),
    };
    let spec = JobSpec::new(
        source,
        Command::Simulate { runs: vec![run] },
        "http://bot.test",
        time::OffsetDateTime::now_utc(),
    );
    let out = tempfile::tempdir().unwrap();
    let result = battbot::runner::execute(&spec, out.path(), &mut Vec::new()).unwrap();
    let summary = &result.runs[0];
    let fade = summary.fade.as_ref().expect("a multi-cycle run has a fade");
    assert_eq!(fade.cycles, 30);
    assert!(
        fade.fade_percent > 0.0 && fade.fade_percent < 5.0,
        "{fade:?}"
    );
    assert!(fade.loss_of_lithium_inventory_percent > 0.0, "{fade:?}");
    assert_eq!(
        battbot::runner::shown_cycles(30),
        Some(vec![1, 2, 7, 15, 22, 30])
    );
    let names: Vec<&str> = result.artifacts.iter().map(|a| a.name.as_str()).collect();
    assert!(names.contains(&"solution-cycles.csv"), "{names:?}");
    // the solution as JSON, with the per-cycle summary
    assert!(names.contains(&"result.json"), "{names:?}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("result.json")).unwrap()).unwrap();
    assert_eq!(json["cycles"].as_array().unwrap().len(), 30);
    assert_eq!(json["metadata"]["spec"]["cycles"], 30);
    let cycles = std::fs::read_to_string(out.path().join("solution-cycles.csv")).unwrap();
    assert_eq!(cycles.lines().count(), 31, "a header and one row per cycle");
    // Six full cycles and the others' step end points: far fewer rows than 30 full cycles.
    let one_cycle_rows = summary.rows / 6;
    assert!(
        summary.rows < 30 * one_cycle_rows / 3,
        "{} rows",
        summary.rows
    );
}

#[test]
fn legends_name_only_what_differs_between_runs() {
    use battbot::runner::labels;
    use battbot::sim::SimSpec;
    let cycle = |rate: &str, cut: &str| {
        SimSpec::new(
            "SPMe",
            "OKane2022",
            &[
                &format!("Discharge at {rate} until {cut} V"),
                "Charge at 1C until 4.2 V",
            ],
        )
    };
    assert_eq!(
        labels(&[cycle("1C", "2.5"), cycle("2C", "2.5")]),
        vec!["1C", "2C"]
    );
    assert_eq!(
        labels(&[cycle("1C", "2.5"), cycle("1C", "3")]),
        vec!["2.5 V", "3 V"]
    );
    // experiments of different shapes are named whole
    let other = SimSpec::new("SPMe", "OKane2022", &["Rest for 1 hour"]);
    assert_eq!(labels(&[cycle("1C", "2.5"), other])[1], "Rest for 1 hour");
}

#[test]
fn coincident_curves_are_told_apart_by_their_dashes() {
    // two identical runs: the second, dashed, leaves the first's colour visible between dashes
    let mut fig = figure(1);
    let mut twin = fig.runs[0].clone();
    twin.label = "twin".into();
    fig.runs.push(twin);
    let png = render_png(&fig, &PngOptions::default()).unwrap();
    let (w, h, rgb) = decode_png(&png);
    let count = |c: [u8; 3]| {
        rgb.chunks(3)
            .filter(|p| {
                (p[0] as i32 - c[0] as i32).abs() < 8
                    && (p[1] as i32 - c[1] as i32).abs() < 8
                    && (p[2] as i32 - c[2] as i32).abs() < 8
            })
            .count()
    };
    assert!(w > 0 && h > 0);
    let (blue, vermillion) = (count([0, 114, 178]), count([213, 94, 0]));
    assert!(
        blue > 500 && vermillion > 500,
        "both colours show: {blue} {vermillion}"
    );
}
