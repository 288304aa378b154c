//! Crash safety and faults: replicas racing on one request, a crash between two steps of
//! the loop, forge errors — one job and one reply in the end, never a silent drop.

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::StatusCode;
use battbot::forge::Forge;

use crate::history::{callback_to, finished, run_the_job};
use crate::support::{settle, FaultyForge, TestBot, RUNNER_SECRET};

const SIMULATE: &str = "@battbot simulate SPM Chen2020 \"Discharge at 1C until 2.5 V\"";

fn faulty(bot: &TestBot) -> Arc<FaultyForge> {
    Arc::new(FaultyForge {
        inner: bot.forge.clone(),
        failures: std::sync::Mutex::new(HashMap::new()),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_given_the_same_delivery_make_one_job_and_one_reply() {
    let bot = TestBot::new().await;
    let a = bot.replica(bot.forge.clone());
    let b = bot.replica(bot.forge.clone());
    for round in 0..5u64 {
        let (ra, rb) = tokio::join!(
            bot.send_to(&a, bot.comment_request(SIMULATE, 100 + round)),
            bot.send_to(&b, bot.comment_request(SIMULATE, 100 + round))
        );
        assert_eq!((ra.0, rb.0), (StatusCode::ACCEPTED, StatusCode::ACCEPTED));
        tokio::join!(settle(&a), settle(&b));
        let branches = bot.job_branches().await;
        assert_eq!(branches.len(), 1, "round {round}: {branches:?}");
        // One acknowledgement, whichever replica won.
        let acks = bot
            .replies()
            .await
            .iter()
            .filter(|r| r.contains("is queued"))
            .count();
        assert_eq!(acks, 1, "round {round}");
        // Clear the job for the next round.
        bot.forge
            .delete_branch(&bot.runner_repo(), &branches[0])
            .await
            .unwrap();
        // Remove replies so the next round counts afresh.
        std::process::Command::new("git")
            .args([
                "--git-dir",
                &bot.reports_repo(),
                "update-ref",
                "-d",
                "refs/heads/comments",
            ])
            .status()
            .unwrap();
    }
}

#[tokio::test]
async fn a_crash_after_the_branch_before_the_reply_is_completed_by_the_redelivery() {
    let bot = TestBot::new().await;
    let forge = faulty(&bot);
    let app = bot.replica(forge.clone());
    // The "crash": the branch is created, the reply never gets out.
    forge.fail("reply", 100);
    bot.send_to(&app, bot.comment_request(SIMULATE, 7)).await;
    settle(&app).await;
    assert_eq!(bot.job_branches().await.len(), 1);
    assert!(bot.replies().await.is_empty());
    // A restarted app receives GitHub's redelivery later.
    forge.fail("reply", 0);
    bot.advance(120);
    let restarted = bot.replica(forge.clone());
    bot.send_to(&restarted, bot.comment_request(SIMULATE, 7))
        .await;
    settle(&restarted).await;
    bot.send_to(&restarted, bot.comment_request(SIMULATE, 7))
        .await;
    settle(&restarted).await;
    assert_eq!(bot.job_branches().await.len(), 1);
    let replies = bot.replies().await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert!(replies[0].contains("is queued"));
}

#[tokio::test]
async fn a_failed_report_commit_is_retried_by_the_runner_and_replies_once() {
    let bot = TestBot::new().await;
    let forge = faulty(&bot);
    let app = bot.replica(forge.clone());
    bot.send_to(&app, bot.comment_request(SIMULATE, 8)).await;
    settle(&app).await;
    let branch = bot.job_branches().await.pop().unwrap();
    let bytes = bot
        .forge
        .read_file(&bot.runner_repo(), &branch, "battbot-job.json")
        .await
        .unwrap()
        .unwrap();
    let spec = battbot::job::JobSpec::from_json(&String::from_utf8(bytes).unwrap()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let result = battbot::runner::execute(&spec, out.path(), &mut Vec::new()).unwrap();
    let body = serde_json::to_vec(&result).unwrap();
    let id = spec.id.to_string();
    let bot = &bot;
    let post = |app: battbot::server::App| {
        let body = body.clone();
        let id = id.clone();
        bot.advance(1);
        let now = bot.now();
        async move {
            let sig = battbot::runner::protocol::sign(
                &battbot::runner::protocol::job_key(RUNNER_SECRET.as_bytes(), &id),
                now,
                &body,
            );
            let req = axum::http::Request::post(format!("/runner/v1/jobs/{id}/result"))
                .header("x-battbot-timestamp", now.to_string())
                .header("x-battbot-signature", sig)
                .body(axum::body::Body::from(body))
                .unwrap();
            bot.send_to(&app, req).await
        }
    };
    // The reports repository is down: the runner is told to retry (5xx), nothing is half-done.
    forge.fail("commit_files", 1);
    let (status, text) = post(app.clone()).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{text}");
    assert_eq!(bot.report_commits(), 0);
    // The reply fails after the commit: the retry replies, the commit is not repeated.
    forge.fail("reply", 1);
    let (status, _) = post(app.clone()).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(bot.report_commits(), 1);
    let (status, _) = post(app.clone()).await;
    assert_eq!(status, StatusCode::OK);
    // Finished: the branch is gone, a further retry is told so (410) and changes nothing.
    assert!(bot.job_branches().await.is_empty());
    let (status, _) = post(app.clone()).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(bot.report_commits(), 1);
    let reports = bot
        .replies()
        .await
        .iter()
        .filter(|r| r.contains("finished"))
        .count();
    assert_eq!(reports, 1);
}

#[tokio::test]
async fn a_runner_repository_outage_is_answered_not_dropped() {
    let bot = TestBot::new().await;
    let forge = faulty(&bot);
    let app = bot.replica(forge.clone());
    forge.fail("commit_files", 1);
    bot.send_to(&app, bot.comment_request(SIMULATE, 9)).await;
    settle(&app).await;
    assert!(bot.job_branches().await.is_empty());
    let replies = bot.replies().await;
    assert_eq!(replies.len(), 1);
    assert!(replies[0].contains("could not queue"), "{replies:?}");
    let (_, metrics) = bot
        .send_to(
            &app,
            axum::http::Request::get("/metrics")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        metrics.contains("battbot_background_errors_total 1"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_the_report_commit_and_the_branch_deletion_gives_one_job_and_one_reply() {
    let bot = TestBot::new().await;
    let forge = faulty(&bot);
    let app = bot.replica(forge.clone());
    bot.send_to(&app, bot.comment_request(SIMULATE, 11)).await;
    settle(&app).await;
    let (id, body) = run_the_job(&bot).await;
    // The "crash": report committed and announced, the branch deletion never happens.
    forge.fail("delete_branch", 1);
    let (status, _) = callback_to(&bot, &app, &id, "result", &body).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(bot.report_commits(), 1);
    assert_eq!(bot.job_branches().await.len(), 1);
    let replies = bot.replies().await;
    assert_eq!(finished(&replies), 1, "{replies:?}");
    // Two replicas get the redelivered comment at once: the report exists, nothing happens.
    bot.advance(120);
    let a = bot.replica(forge.clone());
    let b = bot.replica(forge.clone());
    tokio::join!(
        bot.send_to(&a, bot.comment_request(SIMULATE, 11)),
        bot.send_to(&b, bot.comment_request(SIMULATE, 11))
    );
    tokio::join!(settle(&a), settle(&b));
    assert_eq!(bot.job_branches().await.len(), 1);
    assert_eq!(bot.replies().await, replies);
    // The runner's retry completes the job: the branch goes, nothing is repeated.
    let (status, text) = callback_to(&bot, &a, &id, "result", &body).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(bot.job_branches().await.is_empty());
    assert_eq!(bot.report_commits(), 1);
    assert_eq!(bot.replies().await, replies);
}

#[tokio::test]
async fn a_crash_after_the_report_commit_before_the_reply_is_completed_by_reconciliation() {
    let bot = TestBot::new().await;
    let forge = faulty(&bot);
    let app = bot.replica(forge.clone());
    bot.send_to(&app, bot.comment_request(SIMULATE, 12)).await;
    settle(&app).await;
    let (id, body) = run_the_job(&bot).await;
    // Committed, then the reply fails and the runner gives up.
    forge.fail("reply", 1);
    let (status, _) = callback_to(&bot, &app, &id, "result", &body).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(bot.report_commits(), 1);
    assert_eq!(finished(&bot.replies().await), 0);
    // Within the grace period reconciliation leaves the job to its own callback.
    let restarted = bot.replica(forge.clone());
    battbot::server::reconcile::run_once(&restarted)
        .await
        .unwrap();
    assert_eq!(bot.job_branches().await.len(), 1);
    bot.advance(600);
    for _ in 0..2 {
        battbot::server::reconcile::run_once(&restarted)
            .await
            .unwrap();
    }
    assert!(bot.job_branches().await.is_empty());
    assert_eq!(bot.report_commits(), 1);
    assert_eq!(finished(&bot.replies().await), 1);
}
