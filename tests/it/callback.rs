//! Runner callbacks: the full loop in-process, and every way a callback is refused.

use axum::http::StatusCode;
use battbot::forge::Forge;
use battbot::job::{JobSpec, JOB_FILE};

use crate::support::{TestBot, RUNNER_SECRET};

const SIMULATE: &str = "@battbot simulate SPM Chen2020 \"Discharge at 1C until 2.5 V\"";

/// Creates a job through a comment and returns its spec as committed.
async fn job(bot: &TestBot, comment_id: u64) -> JobSpec {
    bot.comment(SIMULATE, comment_id).await;
    bot.settle().await;
    let branch = bot.job_branches().await.pop().expect("a job branch");
    let bytes = bot
        .forge
        .read_file(&bot.runner_repo(), &branch, JOB_FILE)
        .await
        .unwrap()
        .unwrap();
    JobSpec::from_json(&String::from_utf8(bytes).unwrap()).unwrap()
}

/// Runs the job as the runner would and returns the signed result body.
fn result_body(spec: &JobSpec) -> Vec<u8> {
    let out = tempfile::tempdir().unwrap();
    let mut log = Vec::new();
    let result = battbot::runner::execute(spec, out.path(), &mut log).unwrap();
    serde_json::to_vec(&result).unwrap()
}

#[tokio::test]
async fn full_loop_ends_in_a_report_commit_and_one_reply() {
    let bot = TestBot::new().await;
    let spec = job(&bot, 11).await;
    assert_eq!(
        spec.callback_url,
        format!("http://bot.test/runner/v1/jobs/{}", spec.id)
    );
    let started =
        serde_json::json!({"job_id": spec.id, "runner": "t", "battbot_version": "x"}).to_string();
    let (status, _) = bot
        .callback(
            spec.id.as_str(),
            "started",
            started.as_bytes(),
            bot.now(),
            RUNNER_SECRET,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let body = result_body(&spec);
    let (status, text) = bot
        .callback(spec.id.as_str(), "result", &body, bot.now(), RUNNER_SECRET)
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(bot.report_commits(), 1);
    let dir = spec.report_dir();
    let files = bot
        .forge
        .list_files(&bot.reports_repo(), "main", "")
        .await
        .unwrap();
    for f in ["report.md", "summary.json", "voltage.png", "solution.csv"] {
        assert!(
            files.contains(&format!("{dir}/{f}")),
            "{f} missing from {files:?}"
        );
    }
    assert!(files.contains(&"README.md".to_string()));
    assert!(files.contains(&"github/Codertocat/Hello-World/README.md".to_string()));
    let report = bot
        .forge
        .read_file(&bot.reports_repo(), "main", &format!("{dir}/report.md"))
        .await
        .unwrap()
        .unwrap();
    let report = String::from_utf8(report).unwrap();
    assert!(report.contains("](voltage.png)"), "{report}");
    assert!(report.contains("final voltage"));
    let replies = bot.replies().await;
    assert_eq!(replies.len(), 2, "{replies:?}");
    assert!(replies[1].contains(&format!("{dir}/report.md")));

    // A replayed callback (same signature) is rejected.
    let (status, _) = bot
        .callback(spec.id.as_str(), "result", &body, bot.now(), RUNNER_SECRET)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // A retry signed afresh finds the job finished (its branch is gone): 410, which the
    // runner takes as done; it neither commits nor replies again.
    assert!(bot.job_branches().await.is_empty());
    bot.advance(1);
    let (status, _) = bot
        .callback(spec.id.as_str(), "result", &body, bot.now(), RUNNER_SECRET)
        .await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(bot.report_commits(), 1);
    assert_eq!(bot.replies().await.len(), 2);
}

#[tokio::test]
async fn tampered_stale_or_misbound_callbacks_commit_nothing() {
    let bot = TestBot::new().await;
    let spec = job(&bot, 12).await;
    let body = result_body(&spec);
    let id = spec.id.as_str();

    // Tampered: signed, then changed.
    let sig = battbot::runner::protocol::sign(
        &battbot::runner::protocol::job_key(RUNNER_SECRET.as_bytes(), id),
        bot.now(),
        &body,
    );
    let mut tampered = body.clone();
    let pos = tampered.iter().position(|&b| b == b'3').unwrap();
    tampered[pos] = b'4';
    let req = axum::http::Request::post(format!("/runner/v1/jobs/{id}/result"))
        .header("x-battbot-timestamp", bot.now().to_string())
        .header("x-battbot-signature", sig)
        .body(axum::body::Body::from(tampered))
        .unwrap();
    assert_eq!(bot.send(req).await.0, StatusCode::UNAUTHORIZED);

    // Wrong secret, stale and future timestamps.
    assert_eq!(
        bot.callback(id, "result", &body, bot.now(), "guess")
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        bot.callback(id, "result", &body, bot.now() - 301, RUNNER_SECRET)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        bot.callback(id, "result", &body, bot.now() + 301, RUNNER_SECRET)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );

    // A valid signature on a body for another job.
    let other = "gh-codertocat-hello-world-1-c99";
    let (status, text) = bot
        .callback(other, "result", &body, bot.now(), RUNNER_SECRET)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");

    // A job that does not exist (or no longer does: finished jobs have no branch).
    let mut unknown: serde_json::Value = serde_json::from_slice(&body).unwrap();
    unknown["job_id"] = other.into();
    let unknown = serde_json::to_vec(&unknown).unwrap();
    assert_eq!(
        bot.callback(other, "result", &unknown, bot.now(), RUNNER_SECRET)
            .await
            .0,
        StatusCode::GONE
    );

    // Garbage, correctly signed.
    assert_eq!(
        bot.callback(id, "result", b"{", bot.now(), RUNNER_SECRET)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );

    assert_eq!(bot.report_commits(), 0);
    assert_eq!(bot.replies().await.len(), 1, "only the acknowledgement");
}

#[tokio::test]
async fn failure_callback_reports_the_error() {
    let bot = TestBot::new().await;
    let spec = job(&bot, 13).await;
    let body = serde_json::json!({
        "job_id": spec.id, "battbot_version": "0", "error": "solver failed at step 1 (t = 12 s)",
        "log_tail": ["line 1", "line 2"]
    })
    .to_string();
    let (status, text) = bot
        .callback(
            spec.id.as_str(),
            "failure",
            body.as_bytes(),
            bot.now(),
            RUNNER_SECRET,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let report = bot
        .forge
        .read_file(
            &bot.reports_repo(),
            "main",
            &format!("{}/report.md", spec.report_dir()),
        )
        .await
        .unwrap()
        .unwrap();
    let report = String::from_utf8(report).unwrap();
    assert!(report.contains("solver failed at step 1"));
    assert!(report.contains("line 2"));
    let replies = bot.replies().await;
    assert!(replies.last().unwrap().contains("failed"), "{replies:?}");
}
