//! `battbot poll-mentions`: answers Twitter mentions without a webhook (BattBot's way, run
//! by a CI schedule). The last seen tweet id lives on the reports repository's `state`
//! branch and is committed after each handled mention, so a crash never answers twice
//! (handling is idempotent) nor skips one.

use anyhow::Context;

use crate::social::twitter::TwitterClient;

use super::social::{mention_event, STATE_BRANCH};
use super::{commands, App};

/// Where the last seen mention id is kept on the state branch.
pub const LAST_SEEN_PATH: &str = "twitter/last_seen_id";

/// What one poll did.
#[derive(Debug, Default, PartialEq)]
pub struct PollOutcome {
    /// Tweet ids handled, oldest first.
    pub handled: Vec<u64>,
    /// The `since_id` the next poll will use.
    pub last_seen: Option<u64>,
    /// The API had more pages than the client fetches: older mentions were skipped.
    pub truncated: bool,
}

/// Reads the last seen id; a malformed file is an error naming the file.
pub async fn last_seen(app: &App) -> anyhow::Result<Option<u64>> {
    let Some(bytes) = app.read_state(LAST_SEEN_PATH).await? else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(&bytes);
    text.trim().parse::<u64>().map(Some).with_context(|| {
        format!(
            "{STATE_BRANCH}:{LAST_SEEN_PATH} holds {:?}, not a tweet id (fix or delete it)",
            text.trim()
        )
    })
}

async fn record(app: &App, id: u64) -> anyhow::Result<()> {
    app.write_state(
        LAST_SEEN_PATH,
        format!("{id}\n"),
        &format!("twitter: last seen mention {id}"),
    )
    .await?;
    Ok(())
}

/// Fetches the mentions newer than the last seen one and handles each, oldest first, as
/// the webhook would; the id is committed after each.
pub async fn poll_mentions(app: &App, client: &TwitterClient) -> anyhow::Result<PollOutcome> {
    let bot_id = app
        .config
        .twitter
        .as_ref()
        .and_then(|t| t.user_id.clone())
        .filter(|id| !id.is_empty())
        .context(
            "config: twitter.user_id (the bot account's numeric id) is needed to poll mentions",
        )?;
    let since = last_seen(app).await?;
    let batch = client.fetch_mentions(&bot_id, since).await?;
    if batch.truncated {
        tracing::warn!(
            "more mentions than one poll fetches: the oldest since {since:?} were skipped; poll more often"
        );
    }
    let mut outcome = PollOutcome {
        last_seen: since,
        truncated: batch.truncated,
        ..Default::default()
    };
    for m in &batch.mentions {
        let event = mention_event(m, &bot_id);
        commands::handle_comment(app, event)
            .await
            .with_context(|| format!("handling mention {}", m.tweet_id))?;
        record(app, m.tweet_id).await?;
        outcome.handled.push(m.tweet_id);
        outcome.last_seen = Some(m.tweet_id);
    }
    // Retweets and the bot's own tweets are seen too: move past them in one commit.
    if let Some(newest) = batch.newest_id {
        if outcome.last_seen.is_none_or(|l| newest > l) {
            record(app, newest).await?;
            outcome.last_seen = Some(newest);
        }
    }
    Ok(outcome)
}
