//! `battbot poll-mentions --platform mastodon|bluesky`: mentions without a webhook (neither
//! platform has one), run by a CI schedule; and, while `serve` runs, Mastodon's streaming
//! API. The cursor — Mastodon's last notification id, Bluesky's last `indexedAt` — lives on
//! the reports repository's `state` branch and is committed after each handled mention, so
//! a crash never skips one (handling is idempotent: job ids come from the post's id).
//! Every call's outcome counts towards the never-silent rule ([`super::health`]).

use anyhow::Context;
use tokio_util::sync::CancellationToken;

use super::fediverse::{bluesky_error, mastodon_error, skeet_event, toot_event};
use super::social::STATE_BRANCH;
use super::{commands, health, App};
use crate::social::bluesky::BlueskyClient;
use crate::social::mastodon::MastodonClient;
use crate::social::mastodon_stream::{self, StreamEvent};
use crate::social::Sleeper;

/// Where the last seen Mastodon notification id is kept.
pub const MASTODON_CURSOR: &str = "mastodon/last_seen_id";
/// Where the newest Bluesky notification time handled is kept.
pub const BLUESKY_CURSOR: &str = "bluesky/last_seen";

/// What one poll did.
#[derive(Debug, Default, PartialEq, serde::Serialize)]
pub struct Polled {
    pub platform: String,
    /// Post ids handled (status ids, TIDs as numbers), oldest first.
    pub handled: Vec<u64>,
    /// The cursor the next poll starts from.
    pub cursor: Option<String>,
    /// More was waiting than one poll reads: the oldest were skipped.
    pub truncated: bool,
}

async fn read_cursor(
    app: &App,
    path: &str,
    valid: impl Fn(&str) -> bool,
) -> anyhow::Result<Option<String>> {
    let Some(bytes) = app.read_state(path).await? else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(&bytes).trim().to_string();
    anyhow::ensure!(
        valid(&text),
        "{STATE_BRANCH}:{path} holds {:?}, not a cursor (fix or delete it)",
        text.chars().take(80).collect::<String>()
    );
    Ok(Some(text))
}

async fn write_cursor(app: &App, platform: &str, path: &str, value: &str) -> anyhow::Result<()> {
    app.write_state(
        path,
        format!("{value}\n"),
        &format!("{platform}: last seen {value}"),
    )
    .await?;
    Ok(())
}

fn mastodon_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn rfc3339(s: &str) -> bool {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
}

/// One Mastodon poll: mentions after the cursor, oldest first, each handled as a request.
pub async fn poll_mastodon(app: &App, client: &MastodonClient) -> anyhow::Result<Polled> {
    let after = read_cursor(app, MASTODON_CURSOR, mastodon_id).await?;
    let fetched = client
        .fetch_mentions(after.as_deref())
        .await
        .map_err(mastodon_error);
    health::observe(app, "mastodon", &fetched).await;
    let batch = fetched?;
    let mut out = Polled {
        platform: "mastodon".into(),
        cursor: after,
        truncated: batch.truncated,
        ..Default::default()
    };
    for t in &batch.mentions {
        commands::handle_comment(app, toot_event(t))
            .await
            .with_context(|| format!("handling Mastodon status {}", t.id))?;
        write_cursor(app, "mastodon", MASTODON_CURSOR, &t.notification_id).await?;
        out.handled.push(t.id);
        out.cursor = Some(t.notification_id.clone());
    }
    if let Some(newest) = batch.newest.filter(|n| out.cursor.as_ref() != Some(n)) {
        write_cursor(app, "mastodon", MASTODON_CURSOR, &newest).await?;
        out.cursor = Some(newest);
    }
    Ok(out)
}

/// One Bluesky poll: mentions and replies indexed after the cursor, oldest first.
pub async fn poll_bluesky(app: &App, client: &BlueskyClient) -> anyhow::Result<Polled> {
    let after = read_cursor(app, BLUESKY_CURSOR, rfc3339).await?;
    let fetched = client
        .fetch_mentions(after.as_deref())
        .await
        .map_err(bluesky_error);
    health::observe(app, "bluesky", &fetched).await;
    let batch = fetched?;
    let mut out = Polled {
        platform: "bluesky".into(),
        cursor: after,
        truncated: batch.truncated,
        ..Default::default()
    };
    for s in &batch.mentions {
        commands::handle_comment(app, skeet_event(s))
            .await
            .with_context(|| format!("handling Bluesky post {}", s.uri))?;
        write_cursor(app, "bluesky", BLUESKY_CURSOR, &s.indexed_at).await?;
        out.handled.push(s.tid);
        out.cursor = Some(s.indexed_at.clone());
    }
    if let Some(newest) = batch.newest.filter(|n| out.cursor.as_ref() != Some(n)) {
        write_cursor(app, "bluesky", BLUESKY_CURSOR, &newest).await?;
        out.cursor = Some(newest);
    }
    Ok(out)
}

/// Streams Mastodon mentions into `app` until `stop`: each is handled as a request, each
/// connection's outcome counts towards the never-silent rule.
pub async fn stream_mastodon(
    app: App,
    client: MastodonClient,
    sleeper: Sleeper,
    stop: CancellationToken,
    max_connects: Option<usize>,
) {
    mastodon_stream::run(&client, &sleeper, stop, max_connects, |event| {
        let app = app.clone();
        async move {
            match event {
                StreamEvent::Connected => health::observe(&app, "mastodon", &Ok(())).await,
                StreamEvent::Failed(e) => {
                    tracing::warn!("Mastodon stream: {e}");
                    let r: Result<(), _> = Err(mastodon_error(e));
                    health::observe(&app, "mastodon", &r).await;
                }
                StreamEvent::Mention(t) => {
                    let worker = app.clone();
                    app.spawn(format!("mastodon status {}", t.id), async move {
                        commands::handle_comment(&worker, toot_event(&t)).await
                    });
                }
            }
        }
    })
    .await;
}
