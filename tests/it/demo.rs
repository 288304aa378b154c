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
        platform: "github".into(),
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
    // Finished jobs leave no branch in the runner repository.
    let branches = String::from_utf8_lossy(&branches.stdout).to_string();
    assert!(!branches.contains("battbot/"), "{branches}");
}

/// `battbot demo --platform twitter|slack`: the mention arrives signed, the runner solves it,
/// and the fake platform receives the answer with its GIF.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_on_twitter_and_slack_posts_the_answer_with_a_gif() {
    for platform in ["twitter", "slack"] {
        let dir = tempfile::tempdir().unwrap();
        let out = run_with(DemoOptions {
            dir: dir.path().to_path_buf(),
            comment: DEFAULT_COMMENT.to_string(),
            runbenchmarks: false,
            exe: env!("CARGO_BIN_EXE_battbot").into(),
            timeout: Duration::from_secs(120),
            platform: platform.into(),
        })
        .await
        .unwrap_or_else(|e| panic!("{platform}: {e:#}"));
        assert!(
            out.report_path.exists(),
            "{platform}: {}",
            out.report_path.display()
        );
        assert_eq!(out.replies.len(), 2, "{platform}: {:?}", out.replies);
        assert!(
            out.report_path.to_string_lossy().contains(platform),
            "{platform}: reports live under {platform}/: {}",
            out.report_path.display()
        );
        let gif = std::fs::read_dir(out.report_path.parent().unwrap())
            .unwrap()
            .filter_map(Result::ok)
            .any(|e| e.path().extension().is_some_and(|x| x == "gif"));
        assert!(gif, "{platform}: the report carries the GIF");
    }
}
