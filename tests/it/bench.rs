//! `@battbot runbenchmarks` end to end: a sample project whose pull request is 3× slower,
//! the local forge and the local runner process; and the refusals.

use std::time::Duration;

use battbot::demo::{run_with, DemoOptions};

use crate::support::{TestBot, RUNNER_SECRET};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deliberately_slower_pull_request_is_reported_as_a_regression() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = run_with(DemoOptions {
        dir: dir.path().to_path_buf(),
        comment: "@battbot runbenchmarks".into(),
        runbenchmarks: true,
        exe: env!("CARGO_BIN_EXE_battbot").into(),
        timeout: Duration::from_secs(240),
        platform: "github".into(),
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
    // The runner told the bot after every round: the last progress is 5 of 5.
    let job = outcome
        .report_path
        .parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    let progress = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(dir.path().join("reports.git"))
        .args(["show", &format!("state:progress/{job}.json")])
        .output()
        .unwrap();
    let progress: serde_json::Value = serde_json::from_slice(&progress.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&progress.stderr)));
    assert_eq!(
        (progress["done"].as_u64(), progress["total"].as_u64()),
        (Some(5), Some(5))
    );
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

#[tokio::test]
async fn status_shows_the_benchmark_rounds_done() {
    let bot = TestBot::with_config(|c| {
        c.repos.insert(
            "Codertocat/Hello-World".into(),
            battbot::config::RepoConfig {
                benchmark: Some(battbot::config::BenchmarkConfig {
                    clone_url: "/nonexistent/project.git".into(),
                    repeat: 5,
                    ..Default::default()
                }),
            },
        );
    })
    .await;
    let pr = |body: &str, id| battbot::demo::pull_request_comment_payload(body, id).unwrap();
    bot.github("issue_comment", &pr("@battbot runbenchmarks", 1), None)
        .await;
    bot.settle().await;
    let branch = bot.job_branches().await.pop().expect("a benchmark job");
    let id = branch.trim_start_matches("battbot/").to_string();

    // Before the runner reports anything, status has no progress to show.
    bot.github("issue_comment", &pr("@battbot status", 2), None)
        .await;
    bot.settle().await;
    let replies = bot.replies().await;
    let status = replies.last().unwrap();
    assert!(
        status.contains(&id) && !status.contains("round"),
        "{status}"
    );

    // The runner reports round 2 of 5; a malformed or misbound progress is refused.
    let body = serde_json::json!({"job_id": id, "done": 2, "total": 5, "unit": "round"});
    let (code, text) = bot
        .callback(
            &id,
            "progress",
            body.to_string().as_bytes(),
            bot.now(),
            RUNNER_SECRET,
        )
        .await;
    assert_eq!(code, axum::http::StatusCode::OK, "{text}");
    let wrong =
        serde_json::json!({"job_id": "gh-other-1-c1", "done": 3, "total": 5, "unit": "round"});
    let (code, _) = bot
        .callback(
            &id,
            "progress",
            wrong.to_string().as_bytes(),
            bot.now(),
            RUNNER_SECRET,
        )
        .await;
    assert_eq!(code, axum::http::StatusCode::BAD_REQUEST);
    let (code, _) = bot
        .callback(
            &id,
            "progress",
            b"{\"done\": 1}",
            bot.now() + 1,
            RUNNER_SECRET,
        )
        .await;
    assert_eq!(code, axum::http::StatusCode::BAD_REQUEST);

    bot.github("issue_comment", &pr("@battbot status", 3), None)
        .await;
    bot.settle().await;
    let replies = bot.replies().await;
    let status = replies.last().unwrap();
    assert!(status.contains("running: round 2 of 5 done"), "{status}");
}
