//! Mastodon's streaming API (`GET /api/v1/streaming/user/notification`, server-sent events)
//! while `serve` runs: mentions arrive as they are posted; a dropped or refused connection is
//! retried with exponential back-off (1 s doubling to 5 min), reset once a connection
//! delivers something.
//!
//! Hand-written over the project's reqwest rather than megalodon's `user_streaming`: that one
//! reconnects forever at a fixed interval with a blocking `thread::sleep` inside the async
//! runtime, and never tells its caller a connection failed (so refusals could not count).

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::mastodon::{MastodonClient, MastodonError, Toot};
use super::Sleeper;

/// Longest event block read before the connection is dropped as hostile.
pub const MAX_EVENT_BYTES: usize = 256 * 1024;

/// Exponential back-off between connection attempts.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
    min: Duration,
    max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new(Duration::from_secs(1), Duration::from_secs(300))
    }
}

impl Backoff {
    pub fn new(min: Duration, max: Duration) -> Self {
        Backoff {
            next: min,
            min,
            max,
        }
    }

    /// The wait before the next attempt; doubles the one after.
    pub fn next_delay(&mut self) -> Duration {
        let d = self.next;
        self.next = (self.next * 2).min(self.max);
        d
    }

    pub fn reset(&mut self) {
        self.next = self.min;
    }
}

/// What the stream tells its owner.
#[derive(Debug)]
pub enum StreamEvent {
    /// A connection was accepted (the account is not refused).
    Connected,
    Mention(Toot),
    /// A connection failed or was refused; a retry follows after the back-off.
    Failed(MastodonError),
}

/// Streams notifications until `stop`, or after `max_connects` attempts when given (tests).
pub async fn run<F, Fut>(
    client: &MastodonClient,
    sleeper: &Sleeper,
    stop: CancellationToken,
    max_connects: Option<usize>,
    mut on_event: F,
) where
    F: FnMut(StreamEvent) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut backoff = Backoff::default();
    let http = reqwest::Client::new();
    let mut attempts = 0;
    while !stop.is_cancelled() && max_connects.is_none_or(|m| attempts < m) {
        attempts += 1;
        let delivered = tokio::select! {
            _ = stop.cancelled() => return,
            r = connection(&http, client, &mut on_event) => r,
        };
        match delivered {
            Ok(true) => backoff.reset(),
            Ok(false) => {}
            Err(e) => on_event(StreamEvent::Failed(e)).await,
        }
        let wait = backoff.next_delay();
        tracing::info!(
            "Mastodon stream closed; reconnecting in {} s",
            wait.as_secs()
        );
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = sleeper.sleep(wait) => {}
        }
    }
}

/// One connection; `Ok(true)` when it delivered at least one event.
async fn connection<F, Fut>(
    http: &reqwest::Client,
    client: &MastodonClient,
    on_event: &mut F,
) -> Result<bool, MastodonError>
where
    F: FnMut(StreamEvent) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut resp = http
        .get(format!(
            "{}/api/v1/streaming/user/notification",
            client.base()
        ))
        .bearer_auth(client.token().expose())
        .header("accept", "text/event-stream")
        .send()
        .await
        .map_err(|e| MastodonError::Http(e.without_url().to_string()))?;
    let status = resp.status().as_u16();
    if status != 200 {
        let message: String = resp
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect();
        return Err(MastodonError::Status { status, message });
    }
    on_event(StreamEvent::Connected).await;
    let mut buf: Vec<u8> = Vec::new();
    let mut delivered = false;
    loop {
        let chunk = match resp.chunk().await {
            Ok(Some(c)) => c,
            Ok(None) => return Ok(delivered),
            Err(e) if delivered => {
                tracing::warn!("Mastodon stream dropped: {}", e.without_url());
                return Ok(true);
            }
            Err(e) => return Err(MastodonError::Http(e.without_url().to_string())),
        };
        buf.extend_from_slice(&chunk);
        while let Some(end) = find_blank_line(&buf) {
            let block: Vec<u8> = buf.drain(..end).collect();
            delivered = true;
            if let Some(toot) = parse_block(&String::from_utf8_lossy(&block), &client.bot_acct) {
                on_event(StreamEvent::Mention(toot)).await;
            }
        }
        if buf.len() > MAX_EVENT_BYTES {
            return Err(MastodonError::Unexpected("a stream event too large".into()));
        }
    }
}

/// The end (after the separator) of the first event block: a blank line.
fn find_blank_line(buf: &[u8]) -> Option<usize> {
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
    match (lf, crlf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// An SSE block (`event:` / `data:` lines; `:` comments are heartbeats) as a mention.
pub fn parse_block(block: &str, bot_acct: &str) -> Option<Toot> {
    let mut event = "";
    let mut data = String::new();
    for line in block.lines() {
        if let Some(v) = line.strip_prefix("event:") {
            event = v.trim();
        } else if let Some(v) = line.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(v.strip_prefix(' ').unwrap_or(v));
        }
    }
    if event != "notification" {
        return None;
    }
    super::mastodon::toot_of_json(&data, bot_acct)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_the_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(5));
        let waits: Vec<u64> = (0..5).map(|_| b.next_delay().as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 5, 5]);
        b.reset();
        assert_eq!(b.next_delay().as_secs(), 1);
    }

    #[test]
    fn heartbeats_and_other_events_are_no_mentions() {
        assert!(parse_block(":thump\n", "battbot").is_none());
        assert!(parse_block("event: update\ndata: {}\n", "battbot").is_none());
        assert!(parse_block("event: notification\ndata: not json\n", "battbot").is_none());
    }
}
