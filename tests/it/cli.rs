//! The command line as users and CI call it: exit codes and one-line errors.

use std::process::Command;

fn battbot() -> Command {
    Command::new(env!("CARGO_BIN_EXE_battbot"))
}

#[test]
fn unknown_model_exits_2_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.json");
    std::fs::write(&spec, r#"{"model": "XYZ", "parameter_set": "Chen2020", "experiment": ["Discharge at 1C until 2.5 V"]}"#).unwrap();
    let csv = dir.path().join("out.csv");
    let out = battbot()
        .args(["solve", "--spec"])
        .arg(&spec)
        .arg("--csv")
        .arg(&csv)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("XYZ"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(!csv.exists(), "no partial CSV");
}

#[test]
fn malformed_spec_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.json");
    std::fs::write(&spec, "{not json").unwrap();
    let out = battbot()
        .args(["solve", "--spec"])
        .arg(&spec)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = battbot()
        .args(["solve", "--spec", "/nonexistent/spec.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn render_ci_writes_exactly_the_branch_files() {
    let dir = tempfile::tempdir().unwrap();
    let job = dir.path().join("job.json");
    let spec = serde_json::json!({
        "id": "gh-owner-repo-12-c987654", "created_at": "2026-01-01T00:00:00Z",
        "source": {"platform": "github", "repo": "owner/repo", "number": 12, "comment_id": 987654, "user": "alice", "url": "u"},
        "command": {"command": "simulate", "runs": [{"model": "SPM", "parameter_set": "Chen2020", "experiment": ["Discharge at 1C until 2.5 V"]}]},
        "callback_url": "https://bot.example/runner/v1/jobs/gh-owner-repo-12-c987654"
    });
    std::fs::write(&job, spec.to_string()).unwrap();
    for (target, ci) in [
        ("gitlab", ".gitlab-ci.yml"),
        ("github", ".github/workflows/battbot.yml"),
    ] {
        let out = dir.path().join(target);
        let st = battbot()
            .args(["render-ci", "--job"])
            .arg(&job)
            .args(["--target", target, "--out"])
            .arg(&out)
            .status()
            .unwrap();
        assert!(st.success());
        assert!(out.join(ci).exists());
        let written: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("battbot-job.json")).unwrap()).unwrap();
        assert_eq!(written, spec);
    }
    let st = battbot()
        .args(["render-ci", "--job"])
        .arg(&job)
        .args(["--target", "jenkins", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(st.status.code(), Some(2));
}

#[test]
fn example_config_is_valid() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.json");
    battbot::config::Config::load(std::path::Path::new(path)).expect("config.example.json loads");
}

#[test]
fn bench_render_prints_one_json_line() {
    let out = battbot()
        .args(["bench", "--render", "--repeat", "1"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["gif_frames"], 60);
    assert!(line["gif_bytes"].as_u64().unwrap() <= 5 * 1024 * 1024);
    assert!(line["gif_s_median"].as_f64().unwrap() > 0.0);
}

#[test]
fn bench_spec_prints_the_contract_fields() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("s.json");
    std::fs::write(&spec, r#"{"model": "SPM", "parameter_set": "Chen2020", "experiment": ["Discharge at 1C until 2.5 V"]}"#).unwrap();
    let out = battbot()
        .args(["bench", "--spec"])
        .arg(&spec)
        .args(["--repeat", "3"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for k in ["setup_s", "solve_s_median", "solve_s_min", "repeat", "rows"] {
        assert!(line.get(k).is_some(), "{k} missing: {line}");
    }
    assert_eq!(line["repeat"], 3);
}

#[test]
fn reports_site_writes_a_searchable_index() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let outcome = rt
        .block_on(battbot::demo::run_with(battbot::demo::DemoOptions {
            dir: dir.path().to_path_buf(),
            comment: battbot::demo::DEFAULT_COMMENT.into(),
            runbenchmarks: false,
            exe: env!("CARGO_BIN_EXE_battbot").into(),
            timeout: std::time::Duration::from_secs(120),
            platform: "github".into(),
        }))
        .unwrap();
    let config = dir.path().join("c.json");
    let reports = dir.path().join("reports.git");
    let runner = dir.path().join("runner.git");
    std::fs::write(
        &config,
        serde_json::json!({"reports": {"forge": "local", "repo": reports}, "runner": {"forge": "local", "repo": runner}}).to_string(),
    )
    .unwrap();
    let site = dir.path().join("site");
    let st = battbot()
        .args(["reports", "site", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&site)
        .status()
        .unwrap();
    assert!(st.success());
    let html = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(html.contains("<input id=\"q\""), "searchable");
    // The site loads the shards it was rebuilt with.
    let manifest = std::fs::read_to_string(site.join("index/manifest.json")).unwrap();
    assert!(manifest.contains("\"total\": 1"), "{manifest}");
    let manifest: battbot::report::index::Manifest = serde_json::from_str(&manifest).unwrap();
    let page = std::fs::read_to_string(site.join(battbot::report::index::page_path(
        &manifest.months[0].month,
        0,
    )));
    assert!(
        page.as_deref()
            .unwrap_or_default()
            .contains(&outcome.job_id.to_string()),
        "{page:?}"
    );
}
