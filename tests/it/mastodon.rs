//! Mastodon end to end against the in-process strict fake (documented examples as answers):
//! the demo, polling with its cursor on the state branch, replies that are never more
//! public than the mention, refusals that turn `/readyz` red, and the stream's back-off.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use battbot::fakes::Recorder;
use battbot::fakes_fediverse::{self as fedi, Pending};
use battbot::server::fediverse::MastodonConversation;
use battbot::server::poll_fediverse::{poll_mastodon, MASTODON_CURSOR};
use battbot::server::App;
use battbot::social::mastodon::MastodonClient;
use battbot::social::{Secret, Sleeper};

use crate::support::{settle, TestBot};

/// The fake, a client of it and an app whose Mastodon conversation talks to it.
async fn setup(
    bot: &TestBot,
) -> (
    App,
    MastodonClient,
    Recorder,
    Pending,
    Arc<std::sync::Mutex<Option<u16>>>,
) {
    let (rec, pending) = (Recorder::default(), Pending::default());
    let (router, refuse) = fedi::mastodon(rec.clone(), pending.clone());
    let (base, _task) = battbot::fakes::serve(move |_| router).await.unwrap();
    let client = || {
        MastodonClient::new(
            &base,
            Secret::new(fedi::MASTODON_TOKEN),
            "battbot@fediscience.org",
        )
        .unwrap()
        .with_sleeper(Sleeper::recording().0)
    };
    let conversation = Arc::new(MastodonConversation {
        client: client(),
        log: bot.reply_log("mastodon"),
    });
    let app = bot.app_with("mastodon", conversation, |config| {
        config.mastodon = Some(battbot::config::MastodonConfig {
            base_url: Some(base.clone()),
            handle: Some("battbot@fediscience.org".into()),
            access_token: Some(fedi::MASTODON_TOKEN.into()),
            post_random: false,
        });
    });
    (app, client(), rec, pending, refuse)
}

fn state(bot: &TestBot, path: &str) -> Option<String> {
    let out = Command::new("git")
        .args([
            "--git-dir",
            &bot.reports_repo(),
            "show",
            &format!("state:{path}"),
        ])
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `battbot demo --platform mastodon` exits 0 and prints the reply, its processed media
/// upload (with alt text) and the report link, in about a second of its own work.
#[test]
fn demo_on_mastodon_prints_the_reply_with_its_media_and_report_link() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_battbot"))
        .args(["demo", "--platform", "mastodon", "--dir"])
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
    assert!(stdout.contains("POST /api/v2/media"), "{stdout}");
    assert!(stdout.contains("\"gif\":true"), "the GIF went: {stdout}");
    assert!(
        stdout.contains("Animated plots of cell terminal voltage"),
        "alt text: {stdout}"
    );
    assert!(
        stdout.contains("GET /api/v1/media/{id}"),
        "processing polled: {stdout}"
    );
    assert!(stdout.contains("status in reply to"), "{stdout}");
    assert!(
        stdout.contains("(unlisted)"),
        "as public as the mention: {stdout}"
    );
    assert!(
        stdout.contains("mastodon/zsc/"),
        "the report link: {stdout}"
    );
    eprintln!("demo --platform mastodon took {:.2} s", took.as_secs_f64());
}

/// Polling: the cursor is the last notification id on the state branch; a private mention
/// gets a private reply that names its author and replies to its id; nothing twice.
#[tokio::test]
async fn polled_mention_gets_a_reply_no_more_public_than_itself() {
    let bot = TestBot::new().await;
    let (app, client, rec, pending, _) = setup(&bot).await;
    pending.push(fedi::mastodon_mention(
        110_000_000_000_001_000,
        "haskal@cybre.space",
        "@battbot help",
        "private",
    ));
    let polled = poll_mastodon(&app, &client).await.unwrap();
    settle(&app).await;
    assert_eq!(polled.handled, [110_000_000_000_001_000]);
    assert_eq!(
        state(&bot, MASTODON_CURSOR).as_deref(),
        Some("110000000000001")
    );
    let posts = rec.bodies("POST /api/v1/statuses");
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0]["visibility"], "private");
    assert_eq!(posts[0]["in_reply_to_id"], "110000000000001000");
    let text = posts[0]["status"].as_str().unwrap();
    assert!(text.starts_with("@haskal@cybre.space "), "{text}");
    assert!(!text.contains("<!--"), "no marker shows: {text}");
    let polls = rec.bodies("GET /api/v1/notifications");
    assert!(polls[0].to_string().contains("types[]"), "{polls:?}");

    // The next poll starts after the cursor and answers nothing twice.
    let again = poll_mastodon(&app, &client).await.unwrap();
    settle(&app).await;
    assert!(again.handled.is_empty());
    assert!(rec.bodies("GET /api/v1/notifications")[1]
        .to_string()
        .contains("min_id"));
    assert_eq!(rec.bodies("POST /api/v1/statuses").len(), 1);
}

/// BattBot's silence, on Mastodon: three 401s in a row turn /readyz 503 naming the
/// platform; the next success clears it.
#[tokio::test]
async fn three_refusals_turn_readyz_red_naming_mastodon_and_a_success_clears_it() {
    let bot = TestBot::new().await;
    let (app, client, _rec, _pending, refuse) = setup(&bot).await;
    let readyz = || Request::get("/readyz").body(Body::empty()).unwrap();
    *refuse.lock().unwrap() = Some(401);
    for n in 1..=3 {
        assert!(poll_mastodon(&app, &client).await.is_err());
        let (status, text) = bot.send_to(&app, readyz()).await;
        if n < 3 {
            assert_eq!(
                status,
                StatusCode::OK,
                "{n} refusals are not yet persistent"
            );
        } else {
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{text}");
            assert!(text.contains("mastodon"), "{text}");
        }
    }
    *refuse.lock().unwrap() = None;
    poll_mastodon(&app, &client).await.unwrap();
    assert_eq!(bot.send_to(&app, readyz()).await.0, StatusCode::OK);
}

/// The stream: a refused connection, one that delivers a mention then drops, one that drops
/// at once, a refused one — waits of 1, 1 (reset by the delivery), 2, 4 seconds.
#[tokio::test]
async fn the_stream_reconnects_with_backoff_when_it_drops() {
    use axum::routing::get;
    use battbot::social::mastodon_stream::{run, StreamEvent};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let connects = Arc::new(AtomicUsize::new(0));
    let counter = connects.clone();
    let note = serde_json::to_string(&fedi::mastodon_mention(
        110_000_000_000_002_000,
        "zsc",
        "@battbot help",
        "public",
    ))
    .unwrap();
    let router = axum::Router::new().route(
        "/api/v1/streaming/user/notification",
        get(move |headers: axum::http::HeaderMap| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let note = note.clone();
            async move {
                let authed = headers
                    .get("authorization")
                    .is_some_and(|v| v == format!("Bearer {}", fedi::MASTODON_TOKEN).as_str());
                assert!(authed, "the stream is asked with the token");
                match n {
                    0 => (StatusCode::SERVICE_UNAVAILABLE, String::new()),
                    1 => (
                        StatusCode::OK,
                        format!(":thump\n\nevent: notification\ndata: {note}\n\n"),
                    ),
                    2 => (StatusCode::OK, String::new()),
                    _ => (StatusCode::UNAUTHORIZED, "{\"error\":\"revoked\"}".into()),
                }
            }
        }),
    );
    let (base, _task) = battbot::fakes::serve(move |_| router).await.unwrap();
    let client = MastodonClient::new(&base, Secret::new(fedi::MASTODON_TOKEN), "battbot").unwrap();
    let (sleeper, waits) = Sleeper::recording();
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = events.clone();
    tokio::time::timeout(
        Duration::from_secs(30),
        run(&client, &sleeper, Default::default(), Some(4), move |e| {
            let label = match &e {
                StreamEvent::Connected => "connected".to_string(),
                StreamEvent::Mention(t) => format!("mention {}", t.id),
                StreamEvent::Failed(e) => format!("failed {}", e.is_account_problem()),
            };
            seen.lock().unwrap().push(label);
            async {}
        }),
    )
    .await
    .expect("the stream stops after its attempts");
    assert_eq!(connects.load(Ordering::SeqCst), 4);
    let secs: Vec<u64> = waits.lock().unwrap().iter().map(|d| d.as_secs()).collect();
    assert_eq!(secs, [1, 1, 2, 4]);
    assert_eq!(
        *events.lock().unwrap(),
        [
            "failed false",
            "connected",
            "mention 110000000000002000",
            "connected",
            "failed true"
        ]
    );
}
