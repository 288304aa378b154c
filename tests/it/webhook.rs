//! `POST /github`: signatures, ping, comments becoming jobs, redeliveries.

use axum::http::StatusCode;
use battbot::server::verify;

use crate::support::{fixture, TestBot};

const SIMULATE: &str = "@battbot simulate SPM Chen2020 \"Discharge at 1C until 2.5 V\"";

#[test]
fn signature_vector_from_github_docs() {
    let v: serde_json::Value =
        serde_json::from_str(&fixture("github/signature_vector.x-hub-signature-256.json")).unwrap();
    let secret = v["secret"].as_str().unwrap().as_bytes();
    let payload = v["payload"].as_str().unwrap().as_bytes();
    let expected = v["x_hub_signature_256"].as_str().unwrap();
    assert_eq!(verify::github_signature(secret, payload), expected);
    assert!(verify::verify_github(secret, payload, Some(expected)));
    assert!(!verify::verify_github(b"wrong", payload, Some(expected)));
}

#[tokio::test]
async fn bad_signature_is_401_and_commits_nothing() {
    let bot = TestBot::new().await;
    let payload = battbot::demo::comment_payload(SIMULATE, 1).unwrap();
    let bad = verify::github_signature(b"not-the-secret", &payload);
    let (status, _) = bot.github("issue_comment", &payload, Some(&bad)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = bot.github("issue_comment", &payload, Some("")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    bot.settle().await;
    assert!(bot.job_branches().await.is_empty());
    assert!(bot.replies().await.is_empty());
    assert_eq!(bot.report_commits(), 0);
}

#[tokio::test]
async fn ping_is_200() {
    let bot = TestBot::new().await;
    for file in [
        "github/webhook.ping.json",
        "github/webhook.ping.with-app_id.json",
    ] {
        let (status, body) = bot.github("ping", fixture(file).as_bytes(), None).await;
        assert_eq!(status, StatusCode::OK, "{file}: {body}");
        assert!(body.contains("zen"));
    }
}

#[tokio::test]
async fn malformed_payload_is_400_not_a_panic() {
    let bot = TestBot::new().await;
    let (status, body) = bot.github("issue_comment", b"{\"action\": 3}", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn comment_becomes_one_job_with_ci_and_spec() {
    let bot = TestBot::new().await;
    let (status, _) = bot.comment(SIMULATE, 42).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    bot.settle().await;
    let branches = bot.job_branches().await;
    assert_eq!(
        branches,
        vec!["battbot/gh-codertocat-hello-world-1-c42".to_string()]
    );
    let files =
        battbot::forge::Forge::list_files(bot.forge.as_ref(), &bot.runner_repo(), &branches[0], "")
            .await
            .unwrap();
    assert_eq!(
        files,
        vec![".gitlab-ci.yml".to_string(), "battbot-job.json".to_string()]
    );
    let ci = battbot::forge::Forge::read_file(
        bot.forge.as_ref(),
        &bot.runner_repo(),
        &branches[0],
        ".gitlab-ci.yml",
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        ci,
        include_bytes!("../../ci-templates/gitlab-ci.yml"),
        "the CI file is the static template"
    );
    let replies = bot.replies().await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert!(replies[0].contains("gh-codertocat-hello-world-1-c42"));
}

#[tokio::test]
async fn redelivered_webhook_yields_one_job_and_one_reply() {
    let bot = TestBot::new().await;
    for _ in 0..3 {
        let (status, _) = bot.comment(SIMULATE, 7).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        bot.settle().await;
    }
    // Even long after, a redelivery must not reply twice.
    bot.advance(3600);
    bot.comment(SIMULATE, 7).await;
    bot.settle().await;
    assert_eq!(bot.job_branches().await.len(), 1);
    assert_eq!(bot.replies().await.len(), 1);
}

#[tokio::test]
async fn second_request_while_pending_is_a_duplicate() {
    let bot = TestBot::new().await;
    bot.comment(SIMULATE, 1).await;
    bot.settle().await;
    bot.comment(SIMULATE, 2).await;
    bot.settle().await;
    assert_eq!(bot.job_branches().await.len(), 1);
    let replies = bot.replies().await;
    assert_eq!(replies.len(), 2);
    assert!(replies[1].contains("already pending"), "{}", replies[1]);
    assert!(replies[1].contains("abort"));
}

#[tokio::test]
async fn unregistered_repo_is_refused_politely() {
    let bot = TestBot::with_config(|c| {
        c.registered_repos.clear();
        c.admin = vec!["maintainer".into()];
    })
    .await;
    bot.comment(SIMULATE, 3).await;
    bot.settle().await;
    assert!(bot.job_branches().await.is_empty());
    let replies = bot.replies().await;
    assert_eq!(replies.len(), 1);
    // Named, not pinged: a stranger's request must not mention anyone but the requester.
    assert!(replies[0].contains("maintainer"), "{}", replies[0]);
}

#[tokio::test]
async fn text_without_a_command_is_ignored() {
    let bot = TestBot::new().await;
    bot.comment("Thanks, looks great!", 5).await;
    bot.settle().await;
    assert!(bot.job_branches().await.is_empty());
    assert!(bot.replies().await.is_empty());
}

#[tokio::test]
async fn per_user_rate_limit_replies_politely() {
    let bot = TestBot::with_config(|c| c.server.user_requests_per_hour = 1).await;
    bot.comment(SIMULATE, 1).await;
    bot.settle().await;
    bot.comment("@battbot abort", 2).await;
    bot.settle().await;
    bot.comment(SIMULATE, 3).await;
    bot.settle().await;
    let replies = bot.replies().await;
    assert!(
        replies.last().unwrap().contains("hourly limit"),
        "{replies:?}"
    );
    let (_, metrics) = bot
        .send(
            axum::http::Request::get("/metrics")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        metrics.contains("battbot_rate_limited_total 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("battbot_http_requests_total{route=\"/github\",status=\"202\"}"),
        "{metrics}"
    );
}

#[tokio::test]
async fn oversize_webhook_is_413() {
    let bot = TestBot::new().await;
    let big = vec![b' '; 2 * 1024 * 1024];
    let (status, _) = bot.github("issue_comment", &big, None).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn readyz_checks_the_repositories() {
    let bot = TestBot::new().await;
    let get = |p: &str| {
        axum::http::Request::get(p)
            .body(axum::body::Body::empty())
            .unwrap()
    };
    assert_eq!(bot.send(get("/healthz")).await.0, StatusCode::OK);
    assert_eq!(bot.send(get("/readyz")).await.0, StatusCode::OK);
    std::fs::remove_dir_all(bot.runner_repo()).unwrap();
    let (status, body) = bot.send(get("/readyz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
}

fn gitlab_request(kind: &str, body: &[u8], token: &str) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::post("/gitlab")
        .header("x-gitlab-event", kind)
        .header("x-gitlab-token", token)
        .body(axum::body::Body::from(body.to_vec()))
        .unwrap()
}

#[tokio::test]
async fn gitlab_note_becomes_a_job_and_a_failed_pipeline_is_reported_early() {
    let bot = TestBot::with_config(|c| {
        c.gitlab.get_or_insert_with(Default::default).webhook_token = Some("gl-token".into());
        // The runner project is project 1 of the fixture's Pipeline Hook, on GitLab CI.
        c.gitlab
            .get_or_insert_with(Default::default)
            .runner_project_id = Some(1);
        c.runner.ci = "gitlab".into();
        c.registered_repos.push("gitlab-org/gitlab-test".into());
    })
    .await;
    let mut note: serde_json::Value =
        serde_json::from_str(&fixture("gitlab/webhook.note.issue.json")).unwrap();
    note["object_attributes"]["note"] = SIMULATE.into();
    let body = serde_json::to_vec(&note).unwrap();
    let (status, _) = bot.send(gitlab_request("Note Hook", &body, "wrong")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, text) = bot
        .send(gitlab_request("Note Hook", &body, "gl-token"))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{text}");
    bot.settle().await;
    let branches = bot.job_branches().await;
    assert_eq!(
        branches,
        vec!["battbot/gl-gitlab-org-gitlab-test-17-c1241".to_string()]
    );
    // The runner's pipeline fails: the Pipeline Hook reports it before any timeout.
    let mut pipeline: serde_json::Value =
        serde_json::from_str(&fixture("gitlab/webhook.pipeline.docs.json")).unwrap();
    pipeline["object_attributes"]["ref"] = branches[0].clone().into();
    pipeline["object_attributes"]["status"] = "failed".into();
    let (status, text) = bot
        .send(gitlab_request(
            "Pipeline Hook",
            &serde_json::to_vec(&pipeline).unwrap(),
            "gl-token",
        ))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{text}");
    bot.settle().await;
    assert_eq!(bot.report_commits(), 1);
    let thread = battbot::forge::Thread {
        repo: "gitlab-org/gitlab-test".into(),
        number: 17,
    };
    let replies = battbot::forge::Conversation::bot_replies(bot.forge.as_ref(), &thread)
        .await
        .unwrap();
    assert!(
        replies.last().unwrap().contains("pipeline failed"),
        "{replies:?}"
    );
}
