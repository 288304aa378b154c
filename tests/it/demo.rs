//! `battbot demo` end to end: real server on loopback, a runner child process, git.

use std::time::Duration;

use battbot::demo::{run_with, DemoOptions, DEFAULT_COMMENT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_runs_the_whole_loop_twice_in_one_dir() {
    let dir = tempfile::tempdir().unwrap();
    let opts = || DemoOptions {
        dir: dir.path().to_path_buf(),
        comment: DEFAULT_COMMENT.to_string(),
        runbenchmarks: false,
        exe: env!("CARGO_BIN_EXE_battbot").into(),
        timeout: Duration::from_secs(120),
    };
    let first = run_with(opts()).await.unwrap();
    let report = std::fs::read_to_string(&first.report_path).unwrap();
    assert!(report.contains("voltage.png"));
    assert!(first.report_path.with_file_name("voltage.png").exists());
    let second = run_with(opts()).await.unwrap();
    assert_ne!(first.job_id, second.job_id);
    let readme = std::fs::read_to_string(dir.path().join("reports/README.md")).unwrap();
    let (a, b) = (
        readme
            .find(&second.job_id.to_string())
            .expect("second listed"),
        readme
            .find(&first.job_id.to_string())
            .expect("first listed"),
    );
    assert!(a < b, "newest first:\n{readme}");
    let branches = std::process::Command::new("git")
        .args([
            "-C",
            dir.path().join("runner.git").to_str().unwrap(),
            "branch",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&branches.stdout).contains(&second.job_id.to_string()));
}
