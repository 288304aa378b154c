//! Twitter and Slack through the real router: CRC, signed mentions becoming jobs, the reply
//! with a chunked GIF upload, Slack url_verification, signatures and threaded replies —
//! against strict wiremock fakes of the platform APIs.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use battbot::forge::{Conversation, Forge};
use battbot::server::social::{SlackConversation, TwitterConversation};
use battbot::server::App;
use battbot::social::{oauth1::OAuth1Credentials, slack, twitter, Secret};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{fixture, settle, TestBot, RUNNER_SECRET};

const BOT_ID: &str = "1114259648326987776";

/// A fake that fails the test on any request it was not told to expect.
async fn strict() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(599))
        .expect(0)
        .named("unexpected request")
        .with_priority(u8::MAX)
        .mount(&server)
        .await;
    server
}

fn twitter_signature(secret: &str, body: &[u8]) -> String {
    use base64::Engine;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    format!(
        "sha256={}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

/// The bot with a conversation for `platform` added.
fn app_with(
    bot: &TestBot,
    platform: &str,
    conversation: Arc<dyn Conversation>,
    edit: impl FnOnce(&mut battbot::config::Config),
) -> App {
    bot.app_with(platform, conversation, edit)
}

#[tokio::test]
async fn crc_and_signatures() {
    let bot = TestBot::new().await;
    let app = app_with(&bot, "github", bot.forge.clone(), |c| {
        c.twitter
            .get_or_insert_with(Default::default)
            .consumer_secret = Some("test".into());
    });
    let (status, body) = bot
        .send_to(
            &app,
            Request::get("/twitter?crc_token=abc")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("response_token") && body.contains("sha256="),
        "{body}"
    );
    // The published vector: consumer secret "test".
    let v: serde_json::Value = serde_json::from_str(&fixture(
        "twitter/signature_vectors.x-twitter-webhooks-signature.json",
    ))
    .unwrap();
    let vector = &v["vectors"][1];
    assert_eq!(
        twitter_signature("test", vector["body"].as_str().unwrap().as_bytes()),
        vector["x_twitter_webhooks_signature"]
    );
    for sig in [None, Some("sha256=AAAA")] {
        let mut req = Request::post("/twitter");
        if let Some(s) = sig {
            req = req.header("x-twitter-webhooks-signature", s);
        }
        let (status, _) = bot.send_to(&app, req.body(Body::from("{}")).unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_mention_becomes_a_job_answered_with_a_chunked_gif() {
    let bot = TestBot::new().await;
    let api = strict().await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(ResponseTemplate::new(201).set_body_json(
            serde_json::json!({"data": {"id": "1900000000000000001", "text": "ok"}}),
        ))
        .expect(2)
        .named("tweets: acknowledgement and report")
        .mount(&api)
        .await;
    mount_gif_upload(&api).await;
    let client = twitter_client(&api);
    let conversation = Arc::new(TwitterConversation {
        client,
        log: bot.reply_log("twitter"),
    });
    let app = app_with(&bot, "twitter", conversation.clone(), |c| {
        let t = c.twitter.get_or_insert_with(Default::default);
        t.consumer_secret = Some("test".into());
        t.user_id = Some(BOT_ID.into());
    });
    let mut event: serde_json::Value = serde_json::from_str(&fixture(
        "twitter/aaa.tweet_create_events.mention.recorded.json",
    ))
    .unwrap();
    event["tweet_create_events"][0]["text"] =
        "@Learn_Awesome @battbot simulate SPM Chen2020 \"Discharge at 1C until 2.5 V\"".into();
    let body = serde_json::to_vec(&event).unwrap();
    let req = Request::post("/twitter")
        .header(
            "x-twitter-webhooks-signature",
            twitter_signature("test", &body),
        )
        .body(Body::from(body))
        .unwrap();
    let (status, text) = bot.send_to(&app, req).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.contains("\"mentions\":1"), "{text}");
    settle(&app).await;
    let branches = bot.job_branches().await;
    assert_eq!(
        branches,
        vec!["battbot/tw-tanulearns-1332557345071644672-c1332557345071644672".to_string()]
    );
    // The runner's result: the reply carries the GIF, uploaded in chunks.
    let bytes = bot
        .forge
        .read_file(&bot.runner_repo(), &branches[0], "battbot-job.json")
        .await
        .unwrap()
        .unwrap();
    let spec = battbot::job::JobSpec::from_json(&String::from_utf8(bytes).unwrap()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let result = battbot::runner::execute(&spec, out.path(), &mut Vec::new()).unwrap();
    assert!(
        result.artifacts.iter().any(|a| a.name.ends_with(".gif")),
        "Twitter jobs get a GIF"
    );
    let body = serde_json::to_vec(&result).unwrap();
    let sig = battbot::runner::protocol::sign(
        &battbot::runner::protocol::job_key(RUNNER_SECRET.as_bytes(), spec.id.as_str()),
        bot.now(),
        &body,
    );
    let req = Request::post(format!("/runner/v1/jobs/{}/result", spec.id))
        .header("x-battbot-timestamp", bot.now().to_string())
        .header("x-battbot-signature", sig)
        .body(Body::from(body))
        .unwrap();
    let (status, text) = bot.send_to(&app, req).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let files = bot
        .forge
        .list_files(
            &bot.reports_repo(),
            "main",
            "twitter/TanuLearns/1332557345071644672",
        )
        .await
        .unwrap();
    assert!(files.iter().any(|f| f.ends_with("report.md")), "{files:?}");
    // Replies are recorded on the state branch, so a retry does not tweet twice.
    let thread = battbot::forge::Thread {
        repo: "TanuLearns".into(),
        number: 1332557345071644672,
    };
    assert_eq!(conversation.bot_replies(&thread).await.unwrap().len(), 2);
    api.verify().await;
}

fn slack_sign(secret: &str, ts: &str, body: &[u8]) -> String {
    battbot::social::slack_webhook::sign(&Secret::new(secret), ts, body)
}

#[tokio::test]
async fn slack_url_verification_signatures_and_a_threaded_reply() {
    let bot = TestBot::new().await;
    let api = strict().await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .and(wiremock::matchers::body_partial_json(
            serde_json::json!({"thread_ts": "1355517523.000005"}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"ok": true, "ts": "1355517524.000001"})),
        )
        .expect(1)
        .named("threaded acknowledgement")
        .mount(&api)
        .await;
    let client = slack::SlackClient::new(
        Secret::new("xoxb-test"),
        slack::SlackConfig::with_base(&api.uri()).unwrap(),
    )
    .unwrap();
    let conversation = Arc::new(SlackConversation {
        client,
        log: bot.reply_log("slack"),
    });
    let app = app_with(&bot, "slack", conversation, |c| {
        let s = c.slack.get_or_insert_with(Default::default);
        s.signing_secret = Some("slack-secret".into());
        s.bot_user_id = Some("U061F7AUR".into());
        c.server.callback_max_skew_s = 300;
    });
    let now = bot.now().to_string();
    let send = |body: Vec<u8>, ts: String, secret: &'static str| {
        let sig = slack_sign(secret, &ts, &body);
        Request::post("/slack/events")
            .header("x-slack-request-timestamp", ts)
            .header("x-slack-signature", sig)
            .body(Body::from(body))
            .unwrap()
    };
    let verification = fixture("slack/url_verification.docs.json").into_bytes();
    let (status, text) = bot
        .send_to(
            &app,
            send(verification.clone(), now.clone(), "slack-secret"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let challenge: serde_json::Value =
        serde_json::from_str(&fixture("slack/url_verification.docs.json")).unwrap();
    assert!(
        text.contains(challenge["challenge"].as_str().unwrap()),
        "{text}"
    );
    // Wrong secret, and a replay older than five minutes.
    assert_eq!(
        bot.send_to(&app, send(verification.clone(), now.clone(), "nope"))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let stale = (bot.now() - 301).to_string();
    assert_eq!(
        bot.send_to(&app, send(verification, stale, "slack-secret"))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // An app mention asking for help is answered in its thread.
    let mut mention: serde_json::Value = serde_json::from_str(&fixture(
        "slack/event_callback.app_mention.docs.MODIFIED-trailing-comma-removed.json",
    ))
    .unwrap();
    mention["event"]["text"] = "<@U061F7AUR> help".into();
    mention["event"]["ts"] = "1355517523.000005".into();
    let (status, text) = bot
        .send_to(
            &app,
            send(serde_json::to_vec(&mention).unwrap(), now, "slack-secret"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    settle(&app).await;
    api.verify().await;
}

/// The v2 chunked upload of one GIF, each call expected once: initialize (a `tweet_gif`),
/// one append, finalize answering `succeeded`.
async fn mount_gif_upload(api: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/2/media/upload/initialize"))
        .and(wiremock::matchers::body_string_contains("tweet_gif"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("twitter/media.v2.init.response.docs.json"),
            "application/json",
        ))
        .expect(1)
        .mount(api)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/media/upload/1880028106020515840/append"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"data": {}})))
        .expect(1)
        .mount(api)
        .await;
    let mut finalized: serde_json::Value =
        serde_json::from_str(&fixture("twitter/media.v2.finalize.response.docs.json")).unwrap();
    finalized["data"]["processing_info"]["state"] = "succeeded".into();
    Mock::given(method("POST"))
        .and(path("/2/media/upload/1880028106020515840/finalize"))
        .respond_with(ResponseTemplate::new(200).set_body_json(finalized))
        .expect(1)
        .mount(api)
        .await;
}

fn twitter_client(api: &MockServer) -> twitter::TwitterClient {
    let creds = OAuth1Credentials {
        consumer_key: Secret::new("ck"),
        consumer_secret: Secret::new("test"),
        access_token: Secret::new("at"),
        access_token_secret: Secret::new("ats"),
    };
    twitter::TwitterClient::new(
        creds,
        twitter::TwitterConfig::with_base(&api.uri()).unwrap(),
    )
    .unwrap()
}

fn mentions_page(tweets: &[(u64, &str)]) -> serde_json::Value {
    let data: Vec<serde_json::Value> = tweets
        .iter()
        .map(
            |(id, text)| serde_json::json!({"id": id.to_string(), "text": text, "author_id": "42"}),
        )
        .collect();
    serde_json::json!({
        "data": data,
        "includes": {"users": [{"id": "42", "name": "Alice", "username": "alice"}]},
        "meta": {"result_count": tweets.len()}
    })
}

/// BattBot's polling: since_id persists on the state branch across runs, a failure part-way
/// leaves the id at the last handled mention, and nothing is answered twice.
#[tokio::test]
async fn polling_mentions_persists_since_id_across_runs() {
    use battbot::server::poll::{last_seen, poll_mentions, LAST_SEEN_PATH};
    use wiremock::matchers::{query_param, query_param_is_missing};
    let bot = TestBot::new().await;
    let api = strict().await;
    let client = twitter_client(&api);
    let conversation = Arc::new(TwitterConversation {
        client: client.clone(),
        log: bot.reply_log("twitter"),
    });
    let app = app_with(&bot, "twitter", conversation, |c| {
        let t = c.twitter.get_or_insert_with(Default::default);
        t.user_id = Some(BOT_ID.into());
    });
    let mentions = format!("/2/users/{BOT_ID}/mentions");
    let first = mentions_page(&[
        (
            101,
            "@battbot simulate SPM Chen2020 \"Discharge at 1C until 2.5 V\"",
        ),
        (102, "@battbot simulate SPMe Marquis2019"),
    ]);
    Mock::given(method("GET"))
        .and(path(mentions.as_str()))
        .and(query_param_is_missing("since_id"))
        .respond_with(ResponseTemplate::new(200).set_body_json(first))
        .expect(1)
        .named("first poll: no since_id")
        .mount(&api)
        .await;
    // The acknowledgement of 101 succeeds; that of 102 fails once (the platform is down).
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .and(wiremock::matchers::body_string_contains(
            "\"in_reply_to_tweet_id\":\"101\"",
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(serde_json::json!({"data": {"id": "9001", "text": "ok"}})),
        )
        .expect(1)
        .mount(&api)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .and(wiremock::matchers::body_string_contains(
            "\"in_reply_to_tweet_id\":\"102\"",
        ))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&api)
        .await;

    let err = poll_mentions(&app, &client).await.unwrap_err();
    assert!(
        format!("{err:#}").contains("handling mention 102"),
        "{err:#}"
    );
    assert_eq!(
        last_seen(&app).await.unwrap(),
        Some(101),
        "101 is done, 102 is not"
    );

    // The next run (a scheduled poll, minutes later) starts after 101: 102 is answered
    // (its job exists already), then 103.
    bot.advance(120);
    let second = mentions_page(&[
        (102, "@battbot simulate SPMe Marquis2019"),
        (103, "@battbot help"),
    ]);
    Mock::given(method("GET"))
        .and(path(mentions.as_str()))
        .and(query_param("since_id", "101"))
        .respond_with(ResponseTemplate::new(200).set_body_json(second))
        .expect(1)
        .named("second poll: since_id 101")
        .mount(&api)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .and(wiremock::matchers::body_string_contains(
            "\"in_reply_to_tweet_id\":\"102\"",
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(serde_json::json!({"data": {"id": "9002", "text": "ok"}})),
        )
        .with_priority(2)
        .expect(1)
        .mount(&api)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .and(wiremock::matchers::body_string_contains(
            "\"in_reply_to_tweet_id\":\"103\"",
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(serde_json::json!({"data": {"id": "9003", "text": "ok"}})),
        )
        .expect(1)
        .mount(&api)
        .await;
    let out = poll_mentions(&app, &client).await.unwrap();
    assert_eq!(out.handled, [102, 103]);
    assert_eq!(last_seen(&app).await.unwrap(), Some(103));
    let mut branches = bot.job_branches().await;
    branches.sort();
    assert_eq!(
        branches,
        ["battbot/tw-alice-101-c101", "battbot/tw-alice-102-c102"],
        "one job per simulate mention, none twice"
    );

    // A third run with nothing new makes one call and commits nothing.
    Mock::given(method("GET"))
        .and(path(mentions.as_str()))
        .and(query_param("since_id", "103"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"meta": {"result_count": 0}})),
        )
        .expect(1)
        .mount(&api)
        .await;
    let out = poll_mentions(&app, &client).await.unwrap();
    assert!(out.handled.is_empty());
    assert_eq!(out.last_seen, Some(103));
    let log = std::process::Command::new("git")
        .args([
            "--git-dir",
            &bot.reports_repo(),
            "log",
            "--format=%s",
            "state",
            "--",
            LAST_SEEN_PATH,
        ])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&log.stdout);
    assert_eq!(
        log.lines().count(),
        3,
        "one commit per handled mention: {log}"
    );
    api.verify().await;
}

/// BattBot's twice-daily tweet: committed under scheduled/<slot>/ with its config, the GIF
/// uploaded in chunks and tweeted once; a rerun of the same slot tweets nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tweet_random_commits_the_slot_and_tweets_once() {
    let bot = TestBot::new().await;
    let api = strict().await;
    mount_gif_upload(&api).await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .and(wiremock::matchers::body_string_contains(
            "1880028106020515840",
        ))
        .and(wiremock::matchers::body_string_contains("#PyBaMM"))
        .respond_with(ResponseTemplate::new(201).set_body_json(
            serde_json::json!({"data": {"id": "1900000000000000077", "text": "ok"}}),
        ))
        .expect(1)
        .mount(&api)
        .await;
    let client = twitter_client(&api);
    let reports: Arc<dyn Forge> = bot.forge.clone();
    let at = time::OffsetDateTime::parse(
        "2026-11-23T19:00:05Z",
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let out =
        battbot::scheduled::tweet_random(&bot.config, reports.clone(), Some(&client), None, at)
            .await
            .unwrap();
    assert_eq!(out.slot, "2026-11-23-pm");
    assert_eq!(out.seed, battbot::scheduled::seed_of("2026-11-23-pm"));
    assert_eq!(out.tweet_id, Some(1900000000000000077));
    assert_eq!(out.report_path, "scheduled/2026-11-23-pm/report.md");
    let files = bot
        .forge
        .list_files(&bot.reports_repo(), "main", "scheduled/2026-11-23-pm")
        .await
        .unwrap();
    for f in ["report.md", "random.json", "tweet.json"] {
        assert!(
            files.contains(&format!("scheduled/2026-11-23-pm/{f}")),
            "{f}: {files:?}"
        );
    }
    assert!(files.iter().any(|f| f.ends_with(".gif")), "{files:?}");
    let config: serde_json::Value = serde_json::from_slice(
        &bot.forge
            .read_file(
                &bot.reports_repo(),
                "main",
                "scheduled/2026-11-23-pm/random.json",
            )
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(config["seed"], out.seed);
    assert!(config["runs"].as_array().unwrap().len() >= 2);
    // The same draw as `battbot random --seed`.
    let again = battbot::scheduled::random_solvable(out.seed).unwrap();
    assert_eq!(config["title"], again.title);

    // The CI job retried in the same half-day: nothing is tweeted or committed twice.
    let commits = bot.report_commits();
    let rerun = battbot::scheduled::tweet_random(&bot.config, reports, Some(&client), None, at)
        .await
        .unwrap();
    let skipped = rerun.skipped.unwrap();
    assert!(skipped.contains("posted on twitter already"), "{skipped}");
    assert_eq!(bot.report_commits(), commits);
    api.verify().await;
}

/// BattBot's silent weeks: every call answered 403 / 453. After three refusals in a row
/// /readyz is not ready, the metric counts them and one alert is raised in the reports
/// repository; the next success clears it.
#[tokio::test]
async fn a_platform_that_keeps_refusing_turns_readyz_red_and_raises_one_alert() {
    const ACCESS_453: &str = r#"{"errors":[{"message":"You currently have access to a subset of Twitter API v2 endpoints and limited v1.1 endpoints (e.g. media post, oauth) only.","code":453}]}"#;
    let bot = TestBot::new().await;
    let api = strict().await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(ResponseTemplate::new(403).set_body_raw(ACCESS_453, "application/json"))
        .up_to_n_times(3)
        .with_priority(1)
        .expect(3)
        .mount(&api)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(ResponseTemplate::new(201).set_body_json(
            serde_json::json!({"data": {"id": "1900000000000000009", "text": "ok"}}),
        ))
        .with_priority(2)
        .expect(1)
        .mount(&api)
        .await;
    let conversation = Arc::new(TwitterConversation {
        client: twitter_client(&api),
        log: bot.reply_log("twitter"),
    });
    let app = app_with(&bot, "twitter", conversation, |c| {
        let t = c.twitter.get_or_insert_with(Default::default);
        t.consumer_secret = Some("test".into());
        t.user_id = Some(BOT_ID.into());
    });
    let mention = |id: u64| {
        let mut event: serde_json::Value = serde_json::from_str(&fixture(
            "twitter/aaa.tweet_create_events.mention.recorded.json",
        ))
        .unwrap();
        event["tweet_create_events"][0]["text"] = "@battbot help".into();
        event["tweet_create_events"][0]["id_str"] = id.to_string().into();
        event["tweet_create_events"][0]["id"] = id.into();
        let body = serde_json::to_vec(&event).unwrap();
        Request::post("/twitter")
            .header(
                "x-twitter-webhooks-signature",
                twitter_signature("test", &body),
            )
            .body(Body::from(body))
            .unwrap()
    };
    let readyz = || Request::get("/readyz").body(Body::empty()).unwrap();
    let alert = || {
        std::process::Command::new("git")
            .args([
                "--git-dir",
                &bot.reports_repo(),
                "show",
                "state:alerts/platform-twitter.md",
            ])
            .output()
            .unwrap()
    };
    for id in 1..=2u64 {
        bot.send_to(&app, mention(id)).await;
        settle(&app).await;
    }
    assert_eq!(
        bot.send_to(&app, readyz()).await.0,
        StatusCode::OK,
        "two refusals are not yet persistent"
    );
    assert!(!alert().status.success(), "no alert yet");
    bot.send_to(&app, mention(3)).await;
    settle(&app).await;
    let (status, text) = bot.send_to(&app, readyz()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{text}");
    assert!(text.contains("twitter") && text.contains("453"), "{text}");
    let (_, metrics) = bot
        .send_to(&app, Request::get("/metrics").body(Body::empty()).unwrap())
        .await;
    assert!(
        metrics.contains("battbot_platform_refusals_total{platform=\"twitter\"} 3"),
        "{metrics}"
    );
    assert!(
        metrics.contains("battbot_platform_refused{platform=\"twitter\"} 1"),
        "{metrics}"
    );
    let text = String::from_utf8(alert().stdout).unwrap();
    assert!(text.starts_with("status: open"), "{text}");
    assert!(
        text.contains("refused 3 calls in a row") && text.contains("453"),
        "{text}"
    );

    // The platform accepts calls again: ready, and the alert closes itself.
    bot.send_to(&app, mention(4)).await;
    settle(&app).await;
    assert_eq!(bot.send_to(&app, readyz()).await.0, StatusCode::OK);
    let text = String::from_utf8(alert().stdout).unwrap();
    assert!(text.starts_with("status: closed"), "{text}");
    let log = std::process::Command::new("git")
        .args([
            "--git-dir",
            &bot.reports_repo(),
            "log",
            "--format=%s",
            "state",
            "--",
            "alerts",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&log.stdout).lines().count(),
        2,
        "one alert opened, then closed — not one per failure"
    );
    api.verify().await;
}
