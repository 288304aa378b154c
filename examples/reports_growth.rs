//! Measures how the reports repository grows: commits N realistic reports (the demo's PNG and
//! CSV sizes, DFN-like summaries) through the local forge, then prints the bare repository's
//! size after `git gc`. `cargo run --release --example reports_growth -- 1000`

use std::process::Command;

use battbot::command::Command as Cmd;
use battbot::forge::local::LocalForge;
use battbot::job::{JobSource, JobSpec};
use battbot::report;
use battbot::runner::protocol::{Artifact, RunResult, RunSummary};

fn du(path: &std::path::Path) -> u64 {
    let out = Command::new("du")
        .arg("-sk")
        .arg(path)
        .output()
        .expect("du");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or("0")
        .parse::<u64>()
        .unwrap_or(0)
        * 1024
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    use base64::Engine;
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir()?;
    let repo = dir.path().join("reports.git");
    LocalForge::init_bare(&repo).await?;
    let forge = LocalForge::new(dir.path(), &repo);
    let repo_s = repo.to_string_lossy().to_string();
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/example");
    let spec0: battbot::sim::SimSpec = serde_json::from_value(serde_json::json!({
        "model": "DFN", "parameter_set": "Chen2020", "experiment": ["Discharge at 1C until 2.5 V"]
    }))?;
    let solved = battbot::runner::solve_all(&[spec0], &mut Vec::new())?;
    let csv = std::fs::read(example.join("solution.csv"))?;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let spec_run: battbot::sim::SimSpec = serde_json::from_value(serde_json::json!({
        "model": "DFN", "parameter_set": "Chen2020", "experiment": ["Discharge at 1C until 2.5 V"]
    }))?;
    let started = std::time::Instant::now();
    for i in 0..n {
        let source = JobSource {
            platform: "github".into(),
            repo: format!("org/repo{}", i % 20),
            number: i % 50,
            comment_id: 1_000_000 + i,
            user: "someone".into(),
            url: "https://github.com/org/repo/issues/1".into(),
        };
        let job = JobSpec::new(
            source,
            Cmd::Simulate {
                runs: vec![spec_run.clone()],
            },
            "https://bot",
            time::OffsetDateTime::now_utc(),
        );
        // Every report's plot is drawn anew (its own title), as real ones are.
        let fig =
            battbot::runner::figure(&format!("DFN · Chen2020 · report {i}"), "battbot", &solved);
        let png_i = battbot::render::render_png(&fig, &battbot::render::PngOptions::default())?;
        let result = RunResult {
            job_id: job.id.to_string(),
            battbot_version: "0.1.0".into(),
            runs: vec![RunSummary {
                label: "DFN Chen2020".into(),
                spec: spec_run.clone(),
                final_voltage_v: 2.5,
                final_time_s: 3555.3 + i as f64,
                discharge_capacity_ah: 4.938,
                discharge_energy_wh: 17.6,
                max_temperature_k: None,
                solve_time_s: 0.016,
                rows: 357,
                fade: None,
                stopped: None,
            }],
            artifacts: vec![
                Artifact {
                    name: "voltage.png".into(),
                    content_type: "image/png".into(),
                    base64: b64(&png_i),
                },
                Artifact {
                    name: "solution.csv".into(),
                    content_type: "text/csv".into(),
                    base64: b64(&csv),
                },
            ],
            log_tail: vec![],
            benchmark: None,
        };
        let built = report::success(
            &job,
            &result,
            "@battbot simulate DFN Chen2020",
            time::OffsetDateTime::now_utc(),
        )?;
        report::commit(&forge, &repo_s, "main", &built).await?;
    }
    let before = du(&repo);
    Command::new("git")
        .args(["--git-dir", &repo_s, "gc", "--quiet", "--aggressive"])
        .status()?;
    let after = du(&repo);
    println!(
        "{{\"reports\": {n}, \"seconds\": {:.1}, \"bytes_before_gc\": {before}, \"bytes_after_gc\": {after}, \"kib_per_report\": {:.1}}}",
        started.elapsed().as_secs_f64(),
        after as f64 / 1024.0 / n as f64
    );
    Ok(())
}
