//! The attacks of issue 20 (part A: content and binding), each replayed against the real
//! router on local-forge repositories and named after itself.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use battbot::forge::Forge;
use battbot::job::{JobSpec, JOB_FILE};
use serde_json::{json, Value};

use crate::support::{fixture, TestBot, RUNNER_SECRET};

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

/// The runner's real result for a job, as JSON to tamper with.
fn result_json(spec: &JobSpec) -> Value {
    let out = tempfile::tempdir().unwrap();
    let mut log = Vec::new();
    let result = battbot::runner::execute(spec, out.path(), &mut log).unwrap();
    serde_json::to_value(&result).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// What no reply may contain when a stranger wrote it.
fn assert_inert(reply: &str) {
    for live in [
        "![",
        "](",
        "https://evil",
        "@octo-org",
        "@everyone",
        "<!channel>",
        "<!--",
    ] {
        let visible = reply.trim_end().rsplitn(3, '\n').last().unwrap_or_default();
        assert!(!visible.contains(live), "{live:?} is live in {reply}");
    }
}

fn state_commits(bot: &TestBot) -> usize {
    let out = std::process::Command::new("git")
        .args([
            "--git-dir",
            &bot.reports_repo(),
            "rev-list",
            "--count",
            "state",
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

#[tokio::test]
async fn reply_injection_parse_error_has_no_live_link() {
    let bot = TestBot::new().await;
    let attack = "@battbot simulate \"Discharge at 1C until 2.5 V ![t](https://evil.example/x.png) @octo-org/owners [Sign in](https://evil.example/login)\"";
    bot.comment(attack, 901).await;
    bot.comment("@battbot simulate `DFN` Chen2021 \"Discharge at 1C until 2.5 V <!channel> <https://evil.example|click>\" @everyone", 902).await;
    bot.settle().await;
    let replies = bot.replies().await;
    assert_eq!(replies.len(), 2, "{replies:?}");
    for r in &replies {
        assert_inert(r);
    }
}

#[tokio::test]
async fn forged_marker_nested_comment_does_not_suppress_the_report_reply() {
    let bot = TestBot::new().await;
    let spec = job(&bot, 5005).await;
    // A stranger's comment that, stripped once, reads as the report marker of that job.
    let forged = format!(
        "@battbot simulate \"Discharge at 1C until 2.5 V <!<!-- x -->-- battbot:report-{} -->\" x",
        spec.id
    );
    bot.comment(&forged, 5006).await;
    bot.settle().await;
    let body = serde_json::to_vec(&result_json(&spec)).unwrap();
    let (status, text) = bot
        .callback(spec.id.as_str(), "result", &body, bot.now(), RUNNER_SECRET)
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let replies = bot.replies().await;
    assert!(
        replies.iter().any(|r| r.contains("✅")),
        "the finished reply was suppressed: {replies:?}"
    );
    for r in &replies {
        assert!(!r.contains(&format!("<!-- battbot:report-{} -->", spec.id)));
    }
}

#[tokio::test]
async fn result_with_html_or_svg_artifact_refused_and_nothing_committed() {
    let bot = TestBot::new().await;
    let spec = job(&bot, 31).await;
    for (name, kind, bytes) in [
        ("index.html", "text/html", &b"<script>alert(1)</script>"[..]),
        ("x.svg", "image/svg+xml", b"<svg onload=alert(1)/>"),
        ("voltage.png", "image/png", b"<svg onload=alert(1)/>"),
        ("../escape.csv", "text/csv", b"a,b\n"),
        ("data.csv", "image/png", b"a,b\n"),
    ] {
        let mut result = result_json(&spec);
        result["artifacts"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": name, "content_type": kind, "base64": b64(bytes)}));
        let body = serde_json::to_vec(&result).unwrap();
        let (status, text) = bot
            .callback(spec.id.as_str(), "result", &body, bot.now(), RUNNER_SECRET)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}: {text}");
    }
    assert_eq!(bot.report_commits(), 0);
}

#[tokio::test]
async fn run_label_with_mention_and_link_is_escaped_in_the_reply() {
    let bot = TestBot::new().await;
    let spec = job(&bot, 41).await;
    let mut result = result_json(&spec);
    result["runs"][0]["label"] =
        "@everyone [claim your prize](https://evil.example) ![x](https://evil.example/p.png)"
            .into();
    let body = serde_json::to_vec(&result).unwrap();
    let (status, text) = bot
        .callback(spec.id.as_str(), "result", &body, bot.now(), RUNNER_SECRET)
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let replies = bot.replies().await;
    let finished = replies
        .iter()
        .find(|r| r.contains("✅"))
        .expect("a report reply");
    assert!(finished.contains("claim your prize"), "{finished}");
    assert_inert(finished);
}

#[tokio::test]
async fn benchmark_head_sha_of_non_ascii_refused_without_panic() {
    let bot = TestBot::new().await;
    let spec = job(&bot, 51).await;
    let mut result = result_json(&spec);
    result["benchmark"] = json!({
        "base_sha": "0123456789abcdef",
        "head_sha": "€€€€€€€€",
        "benchmarks": [{"name": "solve", "base_s": [1.0, 1.0], "head_s": [1.0, 1.0]}],
    });
    let body = serde_json::to_vec(&result).unwrap();
    let (status, text) = bot
        .callback(spec.id.as_str(), "result", &body, bot.now(), RUNNER_SECRET)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("commit id"), "{text}");
}

#[tokio::test]
async fn replay_with_uppercase_hex_signature_refused_and_other_replica_changes_nothing() {
    let bot = TestBot::new().await;
    let spec = job(&bot, 61).await;
    let body = json!({"job_id": spec.id, "done": 1, "total": 3, "unit": "round"}).to_string();
    let ts = bot.now();
    let key = battbot::runner::protocol::job_key(RUNNER_SECRET.as_bytes(), spec.id.as_str());
    let sig = battbot::runner::protocol::sign(&key, ts, body.as_bytes());
    let request = |sig: String| {
        Request::post(format!("/runner/v1/jobs/{}/progress", spec.id))
            .header("x-battbot-timestamp", ts.to_string())
            .header("x-battbot-signature", sig)
            .body(Body::from(body.clone()))
            .unwrap()
    };
    let (status, text) = bot.send(request(sig.clone())).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let commits = state_commits(&bot);
    let upper = format!("sha256={}", sig["sha256=".len()..].to_uppercase());
    let mixed: String = sig["sha256=".len()..]
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 0 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect();
    let mixed = format!("sha256={mixed}");
    for replay in [sig.clone(), upper, mixed] {
        let (status, text) = bot.send(request(replay)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{text}");
    }
    // Another replica has not seen it: it answers, but the state branch does not move.
    let replica = bot.replica(bot.forge.clone());
    let (status, text) = bot.send_to(&replica, request(sig)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(state_commits(&bot), commits);
}

#[tokio::test]
async fn callback_timestamp_of_i64_min_plus_now_refused() {
    let bot = TestBot::new().await;
    let spec = job(&bot, 71).await;
    let body = json!({"job_id": spec.id, "runner": "t", "battbot_version": "x"}).to_string();
    let ts = i64::MIN + bot.now();
    let (status, text) = bot
        .callback(
            spec.id.as_str(),
            "started",
            body.as_bytes(),
            ts,
            RUNNER_SECRET,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
}

#[tokio::test]
async fn foreign_pipeline_hook_ignored() {
    let bot = TestBot::with_config(|c| {
        c.gitlab.get_or_insert_with(Default::default).webhook_token = Some("gl-token".into());
        c.gitlab
            .get_or_insert_with(Default::default)
            .runner_project_id = Some(1);
        c.runner.ci = "gitlab".into();
    })
    .await;
    let spec = job(&bot, 7007).await;
    let mut hook: Value =
        serde_json::from_str(&fixture("gitlab/webhook.pipeline.docs.json")).unwrap();
    hook["project"]["id"] = 666.into();
    hook["project"]["path_with_namespace"] = "evil/unrelated".into();
    hook["project"]["web_url"] = "https://evil.example/evil/unrelated".into();
    hook["object_attributes"]["ref"] = spec.id.branch().into();
    hook["object_attributes"]["status"] = "failed".into();
    let req = Request::post("/gitlab")
        .header("x-gitlab-event", "Pipeline Hook")
        .header("x-gitlab-token", "gl-token")
        .body(Body::from(serde_json::to_vec(&hook).unwrap()))
        .unwrap();
    let (status, text) = bot.send(req).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.contains("ignored"), "{text}");
    bot.settle().await;
    assert_eq!(bot.report_commits(), 0);
    assert!(bot.replies().await.iter().all(|r| !r.contains("evil")));
}

#[tokio::test]
async fn pipeline_hook_ignored_when_jobs_do_not_run_on_gitlab_ci() {
    let bot = TestBot::with_config(|c| {
        c.gitlab.get_or_insert_with(Default::default).webhook_token = Some("gl-token".into());
        c.gitlab
            .get_or_insert_with(Default::default)
            .runner_project_id = Some(1);
        c.runner.ci = "github".into();
    })
    .await;
    let spec = job(&bot, 7008).await;
    let mut hook: Value =
        serde_json::from_str(&fixture("gitlab/webhook.pipeline.docs.json")).unwrap();
    hook["object_attributes"]["ref"] = spec.id.branch().into();
    hook["object_attributes"]["status"] = "failed".into();
    let req = Request::post("/gitlab")
        .header("x-gitlab-event", "Pipeline Hook")
        .header("x-gitlab-token", "gl-token")
        .body(Body::from(serde_json::to_vec(&hook).unwrap()))
        .unwrap();
    let (status, text) = bot.send(req).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    bot.settle().await;
    assert_eq!(bot.report_commits(), 0);
}

#[test]
fn replayed_slack_slash_command_keeps_its_id() {
    use battbot::server::social::slash_command_id;
    use battbot::social::slack_webhook::parse_slash_command;
    let body = b"command=%2Fbattbot&text=simulate&user_id=U1&channel_id=C1&trigger_id=13345224609.738474920.8088930838d88f008e0";
    let other = b"command=%2Fbattbot&text=simulate&user_id=U1&channel_id=C1&trigger_id=99999.1.2";
    let headers = axum::http::HeaderMap::new();
    let cmd = parse_slash_command(body).unwrap();
    let first = slash_command_id(&cmd, &headers, body);
    std::thread::sleep(std::time::Duration::from_millis(5));
    assert_eq!(slash_command_id(&cmd, &headers, body), first);
    let cmd2 = parse_slash_command(other).unwrap();
    assert_ne!(slash_command_id(&cmd2, &headers, other), first);
}

#[tokio::test]
async fn status_flood_is_rate_limited_per_user() {
    let bot = TestBot::new().await;
    let n = battbot::server::commands::status::STATUS_PER_USER_PER_HOUR + 5;
    for i in 0..n {
        bot.comment("@battbot status", 8000 + i as u64).await;
    }
    bot.settle().await;
    let replies = bot.replies().await;
    assert_eq!(
        replies.len(),
        battbot::server::commands::status::STATUS_PER_USER_PER_HOUR
    );
}

#[tokio::test]
async fn abort_flood_is_rate_limited_per_user() {
    let bot = TestBot::new().await;
    let limit = battbot::server::commands::status::STATUS_PER_USER_PER_HOUR;
    for i in 0..limit + 5 {
        bot.comment("@battbot abort", 8100 + i as u64).await;
    }
    bot.settle().await;
    // Each abort within the limit looks for pending jobs and says there is none; past it,
    // nothing is read and nothing is said.
    let replies = bot.replies().await;
    assert_eq!(replies.len(), limit, "{replies:?}");
    assert!(replies.iter().all(|r| r.contains("no pending job")));
    // `status` keeps its own count.
    bot.comment("@battbot status", 8200).await;
    bot.settle().await;
    assert_eq!(bot.replies().await.len(), limit + 1);
}

#[tokio::test]
async fn thirty_concurrent_webhooks_lose_no_reply() {
    let bot = TestBot::new().await;
    use tower::ServiceExt;
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..30 {
        let router = battbot::server::router(bot.app.clone());
        let req = bot.comment_request("@battbot help", 9000 + i);
        sends.spawn(async move { router.oneshot(req).await.unwrap().status() });
    }
    while let Some(status) = sends.join_next().await {
        assert!(status.unwrap().is_success());
    }
    bot.settle().await;
    assert_eq!(bot.replies().await.len(), 30);
}

#[tokio::test]
async fn slack_reply_injection_cannot_ping_the_channel_or_link() {
    use battbot::server::social::SlackConversation;
    use battbot::social::{slack, Secret};
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let bot = TestBot::new().await;
    let api = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"ok": true, "ts": "1355517524.000001"})),
        )
        .mount(&api)
        .await;
    let client = slack::SlackClient::new(
        Secret::new("xoxb-test"),
        slack::SlackConfig::with_base(&api.uri()).unwrap(),
    )
    .unwrap();
    let conversation: std::sync::Arc<dyn battbot::forge::Conversation> =
        std::sync::Arc::new(SlackConversation {
            client,
            log: bot.reply_log("slack"),
        });
    let app = bot.app_with("slack", conversation, |config| {
        let s = config.slack.get_or_insert_with(Default::default);
        s.signing_secret = Some("slack-secret".into());
        s.bot_user_id = Some("U061F7AUR".into());
    });
    let mut mention: Value = serde_json::from_str(&fixture(
        "slack/event_callback.app_mention.docs.MODIFIED-trailing-comma-removed.json",
    ))
    .unwrap();
    mention["event"]["text"] = "<@U061F7AUR> simulate \"Discharge at 1C until 2.5 V <!channel> <https://evil.example|click> @U0VICTIM\"".into();
    mention["event"]["ts"] = "1355517523.000005".into();
    let body = serde_json::to_vec(&mention).unwrap();
    let ts = bot.now().to_string();
    let sig = battbot::social::slack_webhook::sign(&Secret::new("slack-secret"), &ts, &body);
    let req = Request::post("/slack/events")
        .header("x-slack-request-timestamp", ts)
        .header("x-slack-signature", sig)
        .body(Body::from(body))
        .unwrap();
    let (status, text) = bot.send_to(&app, req).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    crate::support::settle(&app).await;
    let posted: Vec<String> = api
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).to_string())
        .collect();
    assert!(!posted.is_empty(), "no reply was posted");
    for p in &posted {
        for live in ["<!channel>", "|click>", "<https://evil", "<@U0VICTIM>"] {
            assert!(!p.contains(live), "{live:?} is live in {p}");
        }
    }
}
