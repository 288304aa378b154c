//! Bluesky end to end against the in-process strict fake (lexicon-shaped fixtures): the
//! demo, polling with its cursor on the state branch, reply refs, facets on UTF-8 byte
//! offsets, a refreshed session, and refusals that turn `/readyz` red.

use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use battbot::fakes::Recorder;
use battbot::fakes_fediverse::{self as fedi, Pending};
use battbot::forge::{Attachment, Conversation, Thread};
use battbot::server::fediverse::BlueskyConversation;
use battbot::server::poll_fediverse::{poll_bluesky, BLUESKY_CURSOR};
use battbot::server::App;
use battbot::social::bluesky::{tid_to_u64, BlueskyClient};
use battbot::social::Secret;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{settle, TestBot};

/// The project's own Bluesky fixtures (tests/data/bluesky/PROVENANCE.md).
fn fixture(name: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/bluesky/").to_string() + name;
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const ALICE: &str = "did:plc:z72i7hdynmk6r22z27h6tvur";

async fn setup(
    bot: &TestBot,
) -> (
    App,
    Arc<BlueskyConversation>,
    Recorder,
    Pending,
    Arc<std::sync::Mutex<Option<u16>>>,
    String,
) {
    let (rec, pending) = (Recorder::default(), Pending::default());
    let (router, refuse) = fedi::bluesky(rec.clone(), pending.clone());
    let (base, _task) = battbot::fakes::serve(move |_| router).await.unwrap();
    let conversation = Arc::new(BlueskyConversation {
        client: BlueskyClient::new(
            &base,
            "battbot.bsky.social",
            Secret::new(fedi::BLUESKY_PASSWORD),
        )
        .unwrap(),
        log: bot.reply_log("bluesky"),
    });
    let app = bot.app_with("bluesky", conversation.clone(), |config| {
        config.bluesky = Some(battbot::config::BlueskyConfig {
            service: Some(base.clone()),
            handle: Some("battbot.bsky.social".into()),
            app_password: Some(fedi::BLUESKY_PASSWORD.into()),
            post_random: false,
        });
    });
    (app, conversation, rec, pending, refuse, base)
}

/// `battbot demo --platform bluesky` exits 0 and prints the reply post, its image blob with
/// alt text and the report link, its link facet on the link's bytes.
#[test]
fn demo_on_bluesky_prints_the_reply_with_its_image_and_report_link() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_battbot"))
        .args(["demo", "--platform", "bluesky", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("POST com.atproto.repo.uploadBlob"),
        "{stdout}"
    );
    assert!(stdout.contains("\"png\":true"), "the PNG went: {stdout}");
    assert!(stdout.contains("post in reply to at://"), "{stdout}");
    assert!(
        stdout.contains("alt: \"Plots of cell terminal voltage"),
        "{stdout}"
    );
    assert!(
        stdout.contains("app.bsky.richtext.facet#mention"),
        "the asker is mentioned: {stdout}"
    );
    assert!(
        stdout.contains("SPM · Chen2020"),
        "the run in the alt text: {stdout}"
    );
    assert!(
        stdout.contains("bluesky/alice.bsky.social/"),
        "the report link: {stdout}"
    );
    eprintln!("demo --platform bluesky took {:.2} s", took.as_secs_f64());
}

/// A reply whose text has `é` and `🔋` before its link: the link facet covers exactly the
/// link's bytes; the reply refs name the mention as parent and its thread's root as root.
#[tokio::test]
async fn reply_link_facet_covers_exactly_the_link_bytes_after_accents_and_emoji() {
    let bot = TestBot::new().await;
    let (_app, conversation, rec, pending, _, _) = setup(&bot).await;
    let page: serde_json::Value = serde_json::from_str(&fixture("listNotifications.json")).unwrap();
    for n in page["notifications"].as_array().unwrap() {
        pending.push(n.clone());
    }
    let link = "https://github.com/battbot/reports/tree/main/bluesky/alice.bsky.social/x";
    let body = format!("Zoé's 🔋 run, résumé: {link}\n<!-- battbot:report-x -->");
    let thread = Thread {
        repo: ALICE.into(),
        number: tid_to_u64("3l3qo3abcde2b").unwrap(),
    };
    let png = Attachment {
        name: "voltage.png".into(),
        content_type: "image/png".into(),
        bytes: b"\x89PNG\r\n\x1a\nrest".to_vec(),
    };
    conversation
        .reply_with_files(&thread, &body, &[png])
        .await
        .unwrap();
    let records = rec.bodies("POST com.atproto.repo.createRecord");
    assert_eq!(records.len(), 1);
    let record = &records[0]["record"];
    let text = record["text"].as_str().unwrap();
    assert!(!text.contains("<!--"), "{text}");
    let facet = &record["facets"][0];
    let (start, end) = (
        facet["index"]["byteStart"].as_u64().unwrap() as usize,
        facet["index"]["byteEnd"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text.as_bytes()[start..end], link.as_bytes());
    assert_eq!(facet["features"][0]["uri"], link);
    // Character offsets would have started 1 + 3 + 1 earlier (é, 🔋, é are 2, 4, 2 bytes).
    assert_eq!(start, text.find("https://").unwrap());
    let reply = &record["reply"];
    assert_eq!(
        reply["parent"]["uri"],
        format!("at://{ALICE}/app.bsky.feed.post/3l3qo3abcde2b")
    );
    assert_eq!(
        reply["root"]["uri"],
        format!("at://{ALICE}/app.bsky.feed.post/3l3qo2vuowo2b")
    );
    let image = &record["embed"]["images"][0];
    assert!(image["alt"]
        .as_str()
        .unwrap()
        .starts_with("Plots of cell terminal voltage"));
    assert_eq!(image["image"]["mimeType"], "image/png");
}

/// Polling: mentions and replies, oldest first, the like ignored; the cursor (the newest
/// `indexedAt`) is committed on the state branch and the next poll answers nothing twice.
#[tokio::test]
async fn polled_mentions_are_answered_once_with_the_cursor_on_the_state_branch() {
    let bot = TestBot::new().await;
    let (app, conversation, rec, pending, _, base) = setup(&bot).await;
    pending.push(fedi::bluesky_mention(
        ALICE,
        "alice.bsky.social",
        "3l3qo2vutsw2b",
        "@battbot.bsky.social help",
        "2024-11-23T07:49:02.000Z",
    ));
    let _ = conversation;
    let client = BlueskyClient::new(
        &base,
        "battbot.bsky.social",
        Secret::new(fedi::BLUESKY_PASSWORD),
    )
    .unwrap();
    let polled = poll_bluesky(&app, &client).await.unwrap();
    settle(&app).await;
    assert_eq!(polled.handled, [tid_to_u64("3l3qo2vutsw2b").unwrap()]);
    let cursor = Command::new("git")
        .args([
            "--git-dir",
            &bot.reports_repo(),
            "show",
            &format!("state:{BLUESKY_CURSOR}"),
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&cursor.stdout).trim(),
        "2024-11-23T07:49:02.000Z"
    );
    let asked = rec.bodies("GET app.bsky.notification.listNotifications");
    assert!(
        asked[0].to_string().contains("mention") && asked[0].to_string().contains("reply"),
        "{asked:?}"
    );
    assert_eq!(rec.bodies("POST com.atproto.repo.createRecord").len(), 1);
    let again = poll_bluesky(&app, &client).await.unwrap();
    settle(&app).await;
    assert!(again.handled.is_empty());
    assert_eq!(
        rec.bodies("POST com.atproto.repo.createRecord").len(),
        1,
        "nothing twice"
    );
    assert_eq!(
        rec.bodies("POST com.atproto.server.createSession").len(),
        2,
        "one login per client"
    );
}

/// Three refused logins in a row turn /readyz 503 naming Bluesky; a success clears it.
#[tokio::test]
async fn three_refusals_turn_readyz_red_naming_bluesky_and_a_success_clears_it() {
    let bot = TestBot::new().await;
    let (app, _, _, _, refuse, base) = setup(&bot).await;
    let readyz = || Request::get("/readyz").body(Body::empty()).unwrap();
    let client = || {
        BlueskyClient::new(
            &base,
            "battbot.bsky.social",
            Secret::new(fedi::BLUESKY_PASSWORD),
        )
        .unwrap()
    };
    *refuse.lock().unwrap() = Some(401);
    for n in 1..=3 {
        assert!(poll_bluesky(&app, &client()).await.is_err());
        let (status, text) = bot.send_to(&app, readyz()).await;
        if n < 3 {
            assert_eq!(
                status,
                StatusCode::OK,
                "{n} refusals are not yet persistent"
            );
        } else {
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{text}");
            assert!(text.contains("bluesky"), "{text}");
        }
    }
    *refuse.lock().unwrap() = None;
    poll_bluesky(&app, &client()).await.unwrap();
    assert_eq!(bot.send_to(&app, readyz()).await.0, StatusCode::OK);
}

/// An expired access token is refreshed with the refresh token and the call made again.
#[tokio::test]
async fn an_expired_session_is_refreshed_and_the_call_retried() {
    let api = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(599))
        .with_priority(u8::MAX)
        .expect(0)
        .named("unexpected request")
        .mount(&api)
        .await;
    let json = |rel: &str| serde_json::from_str::<serde_json::Value>(&fixture(rel)).unwrap();
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.createSession"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json("createSession.json")))
        .expect(1)
        .mount(&api)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.notification.listNotifications"))
        .and(header("authorization", "Bearer demo-access-jwt"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            serde_json::json!({"error": "ExpiredToken", "message": "Token has expired"}),
        ))
        .expect(1)
        .mount(&api)
        .await;
    Mock::given(method("POST"))
        .and(path("/xrpc/com.atproto.server.refreshSession"))
        .and(header("authorization", "Bearer demo-refresh-jwt"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json("refreshSession.json")))
        .expect(1)
        .mount(&api)
        .await;
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.notification.listNotifications"))
        .and(header("authorization", "Bearer demo-access-jwt-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json("listNotifications.json")))
        .expect(1)
        .mount(&api)
        .await;
    let client = BlueskyClient::new(&api.uri(), "battbot.bsky.social", Secret::new("pw")).unwrap();
    let batch = client.fetch_mentions(None).await.unwrap();
    assert_eq!(batch.mentions.len(), 2);
    // Oldest first: the mention (07:49:02) before the reply (07:50:00).
    assert!(batch.mentions[0].text.contains("simulate SPM"));
    assert_eq!(batch.newest.as_deref(), Some("2024-11-23T07:50:00.000Z"));
    api.verify().await;
}
