//! Runs that cannot continue keep what they solved: the partial solution, the failure named by
//! cycle, step text and hours, exit 1 from `battbot solve` (a failure, not bad input), and a
//! report and reply that say the run stopped early.

use battbot::sim::{format_hours, SimError, SimSpec, Simulation, SolveOptions};

fn spec(json: &str) -> SimSpec {
    serde_json::from_str(json).unwrap()
}

/// Three CC–CV cycles of the SPM: cheap, and every cycle alike.
fn three_cycles() -> SimSpec {
    spec(
        r#"{"model":"SPM","parameter_set":"Chen2020","cycles":3,
            "experiment":["Discharge at 1C until 3.0 V","Charge at 1C until 4.1 V",
                          "Hold at 4.1 V until C/10"]}"#,
    )
}

/// A run forced to stop in its second cycle (a budget of solver time steps 20 beyond what the
/// first cycle spends) returns the first cycle whole and the second up to where it
/// stopped, with a message that names the cycle, the step as written and the hours.
#[test]
fn a_run_stopped_mid_way_keeps_the_solution_up_to_there() {
    let s = three_cycles();
    let full = Simulation::build(&s)
        .unwrap()
        .solve(&SolveOptions::default())
        .unwrap();
    assert_eq!(full.cycles.len(), 3);
    // the solver steps of the first cycle, which a longer run repeats exactly
    let mut one = s.clone();
    one.cycles = Some(1);
    let first_cycle = Simulation::build(&one)
        .unwrap()
        .solve(&SolveOptions::default())
        .unwrap()
        .stats
        .steps;
    let mut sim = Simulation::build(&s).unwrap();
    sim.max_total_steps = Some(first_cycle + 20);
    let err = sim.solve(&SolveOptions::default()).unwrap_err();
    assert!(
        err.is_failure(),
        "a stopped run is a failure, not bad input"
    );
    let SimError::Stopped(stopped) = &err else {
        panic!("expected a stopped run, got {err}");
    };
    assert_eq!(stopped.cycle, 2);
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!(
            "stopped in cycle 2, step '{}', after ",
            stopped.text
        )),
        "{msg}"
    );
    assert!(msg.contains(" h: the run's budget of"), "{msg}");
    let p = &stopped.partial;
    // the first cycle whole, identical to the full run's
    assert_eq!(p.cycles.len(), 1);
    assert_eq!(p.cycles[0], full.cycles[0]);
    let n1 = full.cycle_index.iter().filter(|&&c| c == 0).count();
    assert_eq!(&p.time_s[..n1], &full.time_s[..n1]);
    assert_eq!(&p.voltage_v[..n1], &full.voltage_v[..n1]);
    // and the second up to the stop, which the last row reaches
    assert!(p.cycle_index.last() == Some(&1), "rows of cycle 2 are kept");
    assert!((p.final_time() - stopped.time_s).abs() < 1e-9 * stopped.time_s);
    assert!(p.final_time() < full.final_time());
    assert!(p.time_s.windows(2).all(|w| w[1] >= w[0]));
}

#[test]
fn hours_read_as_people_write_them() {
    assert_eq!(format_hours(900.0), "0.25 h");
    assert_eq!(format_hours(12.5 * 3600.0), "12.5 h");
    assert_eq!(format_hours(5_353_798.4), "1 487 h");
    assert_eq!(format_hours(3600.0 * 1_234_567.0), "1 234 567 h");
}

/// A hold at 1 V after ten minutes of discharge: the current it asks for is beyond what the
/// cell can carry, and the solver cannot go on (PyBaMM fails there too).
const IMPOSSIBLE_HOLD: &str = r#"{"model":"SPM","parameter_set":"Chen2020",
    "experiment":["Discharge at 1C for 10 minutes","Hold at 1 V for 1 minute"]}"#;

/// `battbot solve` writes the CSV of what was solved, then exits 1 (a failure, not bad input)
/// with the cycle, the step as written and the hours.
#[test]
fn solve_that_stops_writes_the_partial_csv_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.json");
    std::fs::write(&spec, IMPOSSIBLE_HOLD).unwrap();
    let (csv, summary) = (dir.path().join("out.csv"), dir.path().join("cycles.csv"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_battbot"))
        .args(["solve", "--spec"])
        .arg(&spec)
        .arg("--csv")
        .arg(&csv)
        .arg("--summary")
        .arg(&summary)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("stopped in cycle 1, step 'Hold at 1 V for 1 minute', after 0.17 h: "),
        "{stderr}"
    );
    assert!(
        stderr.contains("holds the solution up to there"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert!(rows.len() >= 61, "the ten minutes of discharge are kept");
    let last_t: f64 = rows
        .last()
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((600.0..660.0).contains(&last_t), "{last_t}");
    assert!(std::fs::read_to_string(&summary)
        .unwrap()
        .starts_with("Cycle,"));
}

/// The runner keeps a stopped run (its curves and CSV), marks it in the result, and the
/// report and the reply say it stopped early and where.
#[test]
fn runner_report_and_reply_mark_a_stopped_run_partial() {
    use battbot::command::Command;
    use battbot::job::{JobSource, JobSpec};
    use battbot::runner::protocol::RunResult;

    let s = spec(IMPOSSIBLE_HOLD);
    let mut log = Vec::new();
    let solved = battbot::runner::solve_all(std::slice::from_ref(&s), &mut log).unwrap();
    let note = solved[0]
        .stopped
        .clone()
        .expect("the run is marked stopped");
    assert!(note.starts_with("stopped in cycle 1, step 'Hold at 1 V for 1 minute', after 0.17 h"));
    assert!(solved[0].solution.final_time() >= 600.0);
    assert!(log.iter().any(|l| l.contains("stopped in cycle 1")));
    let summary = battbot::runner::summarize(&solved[0]);
    assert_eq!(summary.stopped.as_deref(), Some(note.as_str()));

    let at = |s: &str| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap()
    };
    let job = JobSpec::new(
        JobSource {
            platform: "github".into(),
            repo: "Codertocat/Hello-World".into(),
            number: 1,
            comment_id: 24,
            user: "Codertocat".into(),
            url: "https://github.com/Codertocat/Hello-World/issues/1#issuecomment-24".into(),
        },
        Command::Simulate { runs: vec![s] },
        "https://bot.example",
        at("2026-05-01T10:00:00Z"),
    );
    let result = RunResult {
        job_id: job.id.to_string(),
        battbot_version: "0.1.0".into(),
        runs: vec![summary],
        artifacts: vec![],
        log_tail: vec![],
        benchmark: None,
    };
    let built = battbot::report::success(
        &job,
        &result,
        "@battbot simulate",
        at("2026-05-01T10:00:07Z"),
    )
    .unwrap();
    let md = built
        .files
        .iter()
        .find(|f| f.path.ends_with("report.md"))
        .map(|f| String::from_utf8(f.contents.clone()).unwrap())
        .unwrap();
    assert!(md.contains("Run 1 stopped early"), "{md}");
    assert!(md.contains("stopped in cycle 1"), "{md}");
    let reply = battbot::report::reply_text(&job, &built, "https://reports.example/r")
        .render(battbot::reply::Markup::of("github"));
    assert!(reply.contains("stopped early"), "{reply}");
    assert!(reply.contains("partial: stopped in cycle 1"), "{reply}");
    assert!(!reply.contains("✅"), "{reply}");
}

/// A stop note from a runner is data: a forged one with control characters or of any size is
/// refused before anything is shown.
#[test]
fn forged_stop_note_with_control_characters_is_refused() {
    use battbot::command::Command;
    use battbot::job::{JobSource, JobSpec};
    use battbot::runner::protocol::RunResult;

    let s = spec(IMPOSSIBLE_HOLD);
    let mut log = Vec::new();
    let solved = battbot::runner::solve_all(std::slice::from_ref(&s), &mut log).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let job = JobSpec::new(
        JobSource {
            platform: "github".into(),
            repo: "o/r".into(),
            number: 1,
            comment_id: 25,
            user: "u".into(),
            url: "https://github.com/o/r/issues/1".into(),
        },
        Command::Simulate { runs: vec![s] },
        "https://bot.example",
        now,
    );
    for forged in ["stopped\n\n# pwned".to_string(), "x".repeat(4096)] {
        let mut summary = battbot::runner::summarize(&solved[0]);
        summary.stopped = Some(forged);
        let result = RunResult {
            job_id: job.id.to_string(),
            battbot_version: "0.1.0".into(),
            runs: vec![summary],
            artifacts: vec![],
            log_tail: vec![],
            benchmark: None,
        };
        assert!(battbot::report::success(&job, &result, "c", now).is_err());
    }
}
