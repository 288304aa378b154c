//! `status`, `abort`, help and reconciliation through the real router.

use battbot::server::reconcile;

use crate::support::TestBot;

const SIMULATE: &str = "@battbot simulate SPM Chen2020 \"Discharge at 1C until 2.5 V\"";

#[tokio::test]
async fn status_lists_the_pending_job() {
    let bot = TestBot::new().await;
    bot.comment(SIMULATE, 1).await;
    bot.settle().await;
    bot.advance(125);
    bot.comment("@battbot status", 2).await;
    bot.settle().await;
    let replies = bot.replies().await;
    assert_eq!(replies.len(), 2);
    assert!(
        replies[1].contains("gh-codertocat-hello-world-1-c1"),
        "{}",
        replies[1]
    );
    assert!(replies[1].contains("2 min"), "{}", replies[1]);
}

#[tokio::test]
async fn abort_cancels_and_deletes_the_branch() {
    let bot = TestBot::new().await;
    bot.comment(SIMULATE, 1).await;
    bot.settle().await;
    assert_eq!(bot.job_branches().await.len(), 1);
    bot.comment("@battbot abort", 2).await;
    bot.settle().await;
    assert!(bot.job_branches().await.is_empty());
    let replies = bot.replies().await;
    assert!(replies.last().unwrap().contains("aborted"), "{replies:?}");
    // Nothing pending any more: a new request is accepted.
    bot.comment(SIMULATE, 3).await;
    bot.settle().await;
    assert_eq!(bot.job_branches().await.len(), 1);
}

#[tokio::test]
async fn help_replies_once() {
    let bot = TestBot::new().await;
    bot.comment("@battbot help", 9).await;
    bot.comment("@battbot help", 9).await;
    bot.settle().await;
    assert_eq!(bot.replies().await.len(), 1);
}

#[tokio::test]
async fn reconcile_answers_jobs_that_outlived_the_timeout() {
    let bot = TestBot::new().await;
    bot.comment(SIMULATE, 1).await;
    bot.settle().await;
    // Not yet timed out: nothing happens.
    assert!(reconcile::run_once(&bot.app).await.unwrap().is_empty());
    bot.advance(bot.config.runner.job_timeout_s as i64 + 60);
    let done = reconcile::run_once(&bot.app).await.unwrap();
    assert_eq!(done.len(), 1);
    assert!(
        done[0].reason.contains("no runner picked the job up"),
        "{:?}",
        done[0]
    );
    assert_eq!(bot.report_commits(), 1);
    let replies = bot.replies().await;
    assert!(
        replies.last().unwrap().contains("no runner picked"),
        "{replies:?}"
    );
    // Answered jobs are no longer pending.
    assert!(reconcile::run_once(&bot.app).await.unwrap().is_empty());
}

#[tokio::test]
async fn reconcile_names_a_failed_runner() {
    let bot = TestBot::new().await;
    bot.comment(SIMULATE, 1).await;
    bot.settle().await;
    let branch = bot.job_branches().await.pop().unwrap();
    bot.set_pipeline_state(&branch, "failed");
    bot.advance(bot.config.runner.job_timeout_s as i64 + 60);
    let done = reconcile::run_once(&bot.app).await.unwrap();
    assert_eq!(done[0].reason, "the runner failed without reporting back");
}
