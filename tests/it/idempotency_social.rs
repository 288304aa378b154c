//! The common reply path on Twitter and Slack against strict fakes: a rate-limited reply is
//! waited out (the claim renewed) and posted once; a redelivery while the first delivery
//! holds the claim posts nothing; a reply already in the log is never posted again.

use std::sync::Arc;
use std::time::Duration;

use battbot::forge::{Conversation, Thread};
use battbot::reply::Reply;
use battbot::server::social::{ReplyLog, SlackConversation, TwitterConversation};
use battbot::server::{App, Replied};
use battbot::social::{oauth1::OAuth1Credentials, slack, twitter, Secret};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::RecordingSleeper;
use crate::support::TestBot;

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

fn app_on(
    bot: &TestBot,
    platform: &str,
    c: Arc<dyn Conversation>,
    s: Arc<RecordingSleeper>,
) -> App {
    bot.app_with(platform, c, |_| {}).with_sleeper(s)
}

fn log(bot: &TestBot, platform: &'static str) -> ReplyLog {
    bot.reply_log(platform)
}

/// Posts reply `key` through `app`'s conversation for `platform`.
async fn reply(app: &App, platform: &str, thread: &Thread) -> Replied {
    let forge = app.conversation_forge(platform).unwrap();
    app.reply_claimed(
        forge.as_ref(),
        thread,
        "accepted-x-1",
        &Reply::new().bot("👀 on it"),
        &[],
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_rate_limited_slack_reply_is_waited_out_and_posted_once() {
    let bot = TestBot::new().await;
    let api = strict().await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "7"))
        .up_to_n_times(1)
        .expect(1)
        .named("rate limited once")
        .with_priority(1)
        .mount(&api)
        .await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"ok": true, "ts": "1355517524.000001"})),
        )
        .expect(1)
        .named("the one reply")
        .mount(&api)
        .await;
    let client = slack::SlackClient::new(
        Secret::new("xoxb-test"),
        slack::SlackConfig::with_base(&api.uri()).unwrap(),
    )
    .unwrap();
    let c = Arc::new(SlackConversation {
        client,
        log: log(&bot, "slack"),
    });
    let sleeper = Arc::new(RecordingSleeper::default());
    let app = app_on(&bot, "slack", c, sleeper.clone());
    let thread = Thread {
        repo: "C123".into(),
        number: 1_355_517_523_000_005,
    };
    assert_eq!(reply(&app, "slack", &thread).await, Replied::Posted);
    assert_eq!(sleeper.waits(), vec![Duration::from_secs(7)]);
    // A redelivery: already answered, nothing is posted.
    let again = app_on(
        &bot,
        "slack",
        app.conversation_forge("slack").unwrap(),
        sleeper,
    );
    assert_eq!(reply(&again, "slack", &thread).await, Replied::Already);
    assert_no_claim_left(&app, "slack", &thread).await;
    api.verify().await;
}

/// Costs that do not grow with history: a claim lives while its reply is in flight, and the
/// state branch keeps none once the reply is posted (its marker answers later deliveries).
async fn assert_no_claim_left(app: &App, platform: &str, thread: &Thread) {
    let path = battbot::server::claims::claim_path(platform, thread, "accepted-x-1");
    assert_eq!(
        app.read_state(&path).await.unwrap(),
        None,
        "{path} is left on the state branch"
    );
}

#[tokio::test]
async fn a_twitter_reply_claimed_by_a_live_delivery_is_not_posted_twice() {
    let bot = TestBot::new().await;
    let api = strict().await;
    let reset = time::OffsetDateTime::now_utc().unix_timestamp() + 3;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("x-rate-limit-reset", reset.to_string().as_str())
                .set_body_json(serde_json::json!({"title": "Too Many Requests"})),
        )
        .up_to_n_times(1)
        .expect(1)
        .named("rate limited once")
        .with_priority(1)
        .mount(&api)
        .await;
    Mock::given(method("POST"))
        .and(path("/2/tweets"))
        .respond_with(ResponseTemplate::new(201).set_body_json(
            serde_json::json!({"data": {"id": "1900000000000000001", "text": "ok"}}),
        ))
        .expect(1)
        .named("the one tweet")
        .mount(&api)
        .await;
    let creds = OAuth1Credentials {
        consumer_key: Secret::new("ck"),
        consumer_secret: Secret::new("test"),
        access_token: Secret::new("at"),
        access_token_secret: Secret::new("ats"),
    };
    let client = twitter::TwitterClient::new(
        creds,
        twitter::TwitterConfig::with_base(&api.uri()).unwrap(),
    )
    .unwrap();
    let c: Arc<dyn Conversation> = Arc::new(TwitterConversation {
        client,
        log: log(&bot, "twitter"),
    });
    let thread = Thread {
        repo: "twitter".into(),
        number: 1_800_000_000_000_000_000,
    };
    // Another delivery holds the claim (alive, renewing): this one stays silent.
    let holder = app_on(&bot, "twitter", c.clone(), Arc::default());
    let claim = battbot::server::claims::Claim::new(&holder, "twitter", &thread, "accepted-x-1");
    assert_eq!(
        claim.acquire().await.unwrap(),
        battbot::server::claims::Acquired::Mine { taken_over: false }
    );
    let sleeper = Arc::new(RecordingSleeper::default());
    let app = app_on(&bot, "twitter", c.clone(), sleeper.clone());
    assert_eq!(reply(&app, "twitter", &thread).await, Replied::Elsewhere);
    // The holder dies; once its claim expires, the next delivery posts (after the limit).
    bot.advance(battbot::server::claims::CLAIM_TTL_S + 1);
    assert_eq!(reply(&app, "twitter", &thread).await, Replied::Posted);
    assert_no_claim_left(&app, "twitter", &thread).await;
    let waits = sleeper.waits();
    assert_eq!(waits.len(), 1, "{waits:?}");
    assert!(waits[0] >= Duration::from_secs(1) && waits[0] <= Duration::from_secs(4));
    assert_eq!(reply(&app, "twitter", &thread).await, Replied::Already);
    api.verify().await;
}
