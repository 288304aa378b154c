//! `@battbot runbenchmarks` end to end: a sample project whose pull request is 3× slower,
//! the local forge and the local runner process; and the refusals.

use std::time::Duration;

use battbot::demo::{run_with, DemoOptions};

use crate::support::TestBot;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deliberately_slower_pull_request_is_reported_as_a_regression() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = run_with(DemoOptions {
        dir: dir.path().to_path_buf(),
        comment: "@battbot runbenchmarks".into(),
        runbenchmarks: true,
        exe: env!("CARGO_BIN_EXE_battbot").into(),
        timeout: Duration::from_secs(240),
    })
    .await
    .unwrap();
    let report = std::fs::read_to_string(&outcome.report_path).unwrap();
    assert!(report.contains("⚠️ 1 regression"), "{report}");
    assert!(report.contains("🔴 slower"), "{report}");
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(outcome.report_path.with_file_name("summary.json")).unwrap(),
    )
    .unwrap();
    let verdict = &summary["benchmarks"][0];
    assert_eq!(verdict["verdict"], "slower");
    let ratio = verdict["ratio"].as_f64().unwrap();
    assert!(ratio > 1.5, "the head loops 3× longer: ratio {ratio}");
    let samples: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(outcome.report_path.with_file_name("benchmarks.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        samples["benchmarks"][0]["base_s"].as_array().unwrap().len(),
        5
    );
    assert!(outcome.replies.last().unwrap().contains("slower"));
}

#[tokio::test]
async fn runbenchmarks_needs_a_pull_request_and_a_configured_repo() {
    let bot = TestBot::new().await;
    bot.comment("@battbot runbenchmarks", 1).await;
    bot.settle().await;
    let payload = battbot::demo::pull_request_comment_payload("@battbot runbenchmarks", 2).unwrap();
    bot.github("issue_comment", &payload, None).await;
    bot.settle().await;
    let replies = bot.replies().await;
    assert!(
        replies[0].contains("comment on a pull request"),
        "{replies:?}"
    );
    assert!(replies[1].contains("not configured"), "{replies:?}");
    assert!(bot.job_branches().await.is_empty());
}
