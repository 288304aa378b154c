//! A Bluesky client (AT Protocol) on `bsky-sdk`/`atrium-api`: an app-password session whose
//! tokens atrium refreshes (`ExpiredToken` → `refreshSession`, then the call again), mentions
//! and replies from `app.bsky.notification.listNotifications`, and replies with `reply`
//! root/parent strong refs, link/mention facets ([`super::facets`]) and a PNG image embed
//! with alt text within the blob limit.
//!
//! A post is named by its author's DID and its record key, a TID: 13 base32-sortable
//! characters that are one 64-bit number, so a post fits the `u64` every job source uses.

use std::fmt;

use atrium_api::app::bsky::{feed, notification};
use bsky_sdk::BskyAgent;
use serde_json::{json, Value};

use super::{facets, Secret};

/// `app.bsky.embed.images`: an image blob may be at most this many bytes.
pub const MAX_IMAGE_BYTES: usize = 1_000_000;
/// Notifications per page and pages per poll.
pub const PAGE: u8 = 50;
pub const MAX_PAGES: usize = 5;
/// Every reason a notification can have that is someone asking the bot something.
pub const REASONS: [&str; 2] = ["mention", "reply"];

#[derive(Debug, thiserror::Error)]
pub enum BlueskyError {
    #[error("Bluesky answered {status}: {message}")]
    Status { status: u16, message: String },
    #[error("cannot reach Bluesky: {0}")]
    Http(String),
    #[error("Bluesky sent something unexpected: {0}")]
    Unexpected(String),
}

impl BlueskyError {
    /// The bot's own account or app password is refused.
    pub fn is_account_problem(&self) -> bool {
        matches!(
            self,
            BlueskyError::Status {
                status: 401 | 403,
                ..
            }
        )
    }
}

fn short(s: &str) -> String {
    s.chars().take(300).collect()
}

fn xrpc<E: fmt::Debug>(e: atrium_api::xrpc::Error<E>) -> BlueskyError {
    use atrium_api::xrpc::Error;
    match e {
        Error::XrpcResponse(r) => BlueskyError::Status {
            status: r.status.as_u16(),
            message: short(&r.error.map(|k| format!("{k:?}")).unwrap_or_default()),
        },
        Error::Authentication(_) => BlueskyError::Status {
            status: 401,
            message: "authentication required".into(),
        },
        Error::HttpClient(e) => BlueskyError::Http(short(&e.to_string())),
        other => BlueskyError::Unexpected(short(&format!("{other:?}"))),
    }
}

fn sdk(e: bsky_sdk::Error) -> BlueskyError {
    use bsky_sdk::error::GenericXrpcError;
    match e {
        bsky_sdk::Error::Xrpc(x) => match *x {
            GenericXrpcError::Response { status, error } => BlueskyError::Status {
                status: status.as_u16(),
                message: short(&error.unwrap_or_default()),
            },
            GenericXrpcError::Other(s) => BlueskyError::Http(short(&s)),
        },
        bsky_sdk::Error::NotLoggedIn => BlueskyError::Status {
            status: 401,
            message: "not logged in".into(),
        },
        other => BlueskyError::Unexpected(short(&other.to_string())),
    }
}

const TID_ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// A TID record key as its number; `None` for any other key.
pub fn tid_to_u64(rkey: &str) -> Option<u64> {
    if rkey.len() != 13 {
        return None;
    }
    let mut n: u64 = 0;
    for (i, b) in rkey.bytes().enumerate() {
        let d = TID_ALPHABET.iter().position(|&a| a == b)? as u64;
        // The first character carries the top bit, which a TID keeps 0.
        if i == 0 && d >= 16 {
            return None;
        }
        n = (n << 5) | d;
    }
    Some(n)
}

/// The inverse of [`tid_to_u64`].
pub fn u64_to_tid(mut n: u64) -> String {
    let mut out = [b'2'; 13];
    for slot in out.iter_mut().rev() {
        *slot = TID_ALPHABET[(n & 31) as usize];
        n >>= 5;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `at://<did>/app.bsky.feed.post/<tid>`.
pub fn post_uri(did: &str, tid: u64) -> String {
    format!("at://{did}/app.bsky.feed.post/{}", u64_to_tid(tid))
}

/// A post that mentions or replies to the bot.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skeet {
    pub uri: String,
    pub did: String,
    pub handle: String,
    /// The record key as a number ([`tid_to_u64`]).
    pub tid: u64,
    pub text: String,
    pub indexed_at: String,
}

/// What one poll fetched, oldest first.
#[derive(Debug, Default)]
pub struct Batch {
    pub mentions: Vec<Skeet>,
    /// The newest `indexedAt` seen (the next poll's cursor).
    pub newest: Option<String>,
    pub truncated: bool,
}

fn rfc3339(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

/// A notification (as the lexicon's JSON) as a request, `None` when it is none.
pub fn skeet_of(n: &Value, bot_did: &str) -> Option<Skeet> {
    let reason = n["reason"].as_str()?;
    let did = n["author"]["did"].as_str()?;
    if !REASONS.contains(&reason) || did == bot_did {
        return None;
    }
    let uri = n["uri"].as_str()?;
    let rest = uri.strip_prefix(&format!("at://{did}/"))?;
    let rkey = rest.strip_prefix("app.bsky.feed.post/")?;
    let Some(tid) = tid_to_u64(rkey) else {
        tracing::warn!("Bluesky post key {:?} is not a TID: skipped", short(rkey));
        return None;
    };
    Some(Skeet {
        uri: uri.to_string(),
        did: did.to_string(),
        handle: n["author"]["handle"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        tid,
        text: short_text(n["record"]["text"].as_str().unwrap_or_default()),
        indexed_at: n["indexedAt"].as_str().unwrap_or_default().to_string(),
    })
}

/// Post text is at most 3000 bytes by the lexicon; a hostile PDS may send more.
fn short_text(s: &str) -> String {
    let mut end = s.len().min(3000);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

pub struct BlueskyClient {
    agent: tokio::sync::OnceCell<BskyAgent>,
    service: String,
    pub handle: String,
    password: Secret,
}

impl fmt::Debug for BlueskyClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlueskyClient")
            .field("service", &self.service)
            .field("handle", &self.handle)
            .field("password", &self.password)
            .finish()
    }
}

impl BlueskyClient {
    /// A client of `service` (the PDS, e.g. `https://bsky.social`); it logs in on first use.
    pub fn new(service: &str, handle: &str, password: Secret) -> Result<Self, BlueskyError> {
        let service = service.trim_end_matches('/').to_string();
        url::Url::parse(&service)
            .map_err(|e| BlueskyError::Unexpected(format!("service URL: {e}")))?;
        Ok(BlueskyClient {
            agent: tokio::sync::OnceCell::new(),
            service,
            handle: handle.trim_start_matches('@').to_string(),
            password,
        })
    }

    async fn agent(&self) -> Result<&BskyAgent, BlueskyError> {
        self.agent
            .get_or_try_init(|| async {
                BskyAgent::builder()
                    .config(bsky_sdk::agent::config::Config {
                        endpoint: self.service.clone(),
                        ..Default::default()
                    })
                    .build()
                    .await
                    .map_err(sdk)
            })
            .await
    }

    /// The session's DID, logging in with the app password when there is no session (the
    /// first call, or after a refresh token was refused).
    pub async fn session_did(&self) -> Result<String, BlueskyError> {
        let agent = self.agent().await?;
        if let Some(s) = agent.get_session().await {
            return Ok(s.data.did.as_str().to_string());
        }
        let s = agent
            .login(&self.handle, self.password.expose())
            .await
            .map_err(xrpc)?;
        // A DID document in the answer may move the endpoint to the account's PDS.
        Ok(s.data.did.as_str().to_string())
    }

    /// Mentions and replies indexed after `after` (an RFC 3339 time), oldest first.
    pub async fn fetch_mentions(&self, after: Option<&str>) -> Result<Batch, BlueskyError> {
        let bot_did = self.session_did().await?;
        let after_t = after.and_then(rfc3339);
        let mut batch = Batch::default();
        let mut cursor = None;
        let mut found = Vec::new();
        for page in 0..MAX_PAGES {
            let out = self
                .agent()
                .await?
                .api
                .app
                .bsky
                .notification
                .list_notifications(
                    notification::list_notifications::ParametersData {
                        cursor: cursor.clone(),
                        limit: Some(PAGE.try_into().expect("50 is within 1..=100")),
                        priority: None,
                        reasons: Some(REASONS.iter().map(|r| r.to_string()).collect()),
                        seen_at: None,
                    }
                    .into(),
                )
                .await
                .map_err(xrpc)?;
            let json = serde_json::to_value(&out.data)
                .map_err(|e| BlueskyError::Unexpected(e.to_string()))?;
            let items = json["notifications"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let mut reached_seen = false;
            for n in &items {
                let at = n["indexedAt"].as_str().unwrap_or_default();
                if let (Some(a), Some(t)) = (after_t, rfc3339(at)) {
                    if t <= a {
                        reached_seen = true;
                        continue;
                    }
                }
                if batch.newest.as_deref().and_then(rfc3339) < rfc3339(at) {
                    batch.newest = Some(at.to_string());
                }
                if let Some(s) = skeet_of(n, &bot_did) {
                    found.push(s);
                }
            }
            cursor = json["cursor"].as_str().map(str::to_string);
            // The first poll reads one page; later ones read back to the last seen.
            if reached_seen || after_t.is_none() || cursor.is_none() || items.is_empty() {
                break;
            }
            batch.truncated = page + 1 == MAX_PAGES;
        }
        found.sort_by_key(|s| rfc3339(&s.indexed_at));
        found.dedup_by(|a, b| a.uri == b.uri);
        batch.mentions = found;
        Ok(batch)
    }

    /// The `reply` refs of a reply to post (`did`, `tid`): parent is that post, root is its
    /// thread's root (itself when it starts the thread); and its author's handle.
    pub async fn reply_refs(&self, did: &str, tid: u64) -> Result<(Value, String), BlueskyError> {
        self.session_did().await?;
        let uri = post_uri(did, tid);
        let out = self
            .agent()
            .await?
            .api
            .app
            .bsky
            .feed
            .get_posts(
                feed::get_posts::ParametersData {
                    uris: vec![uri.clone()],
                }
                .into(),
            )
            .await
            .map_err(xrpc)?;
        let json =
            serde_json::to_value(&out.data).map_err(|e| BlueskyError::Unexpected(e.to_string()))?;
        let post = json["posts"]
            .as_array()
            .and_then(|p| p.iter().find(|p| p["uri"] == uri.as_str()))
            .ok_or_else(|| BlueskyError::Unexpected(format!("post {uri} not found")))?;
        let parent = json!({"uri": uri, "cid": post["cid"]});
        let root = match &post["record"]["reply"]["root"] {
            r if r["uri"].is_string() && r["cid"].is_string() => {
                json!({"uri": r["uri"], "cid": r["cid"]})
            }
            _ => parent.clone(),
        };
        let handle = post["author"]["handle"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        Ok((json!({"root": root, "parent": parent}), handle))
    }

    /// Uploads a PNG; `None` (and a warning) when it exceeds the image blob limit.
    pub async fn upload_png(&self, png: &[u8]) -> Result<Option<Value>, BlueskyError> {
        if png.len() > MAX_IMAGE_BYTES {
            tracing::warn!(
                bytes = png.len(),
                "the PNG exceeds Bluesky's image limit; posting without it"
            );
            return Ok(None);
        }
        self.session_did().await?;
        let out = self
            .agent()
            .await?
            .api
            .com
            .atproto
            .repo
            .upload_blob(png.to_vec())
            .await
            .map_err(xrpc)?;
        serde_json::to_value(&out.data.blob)
            .map(Some)
            .map_err(|e| BlueskyError::Unexpected(e.to_string()))
    }

    /// Posts `text` (fitted to 300 graphemes, with its facets), optionally as a reply and
    /// with an image; returns the new post's URI.
    /// `mentions` are the (handle, DID) pairs whose `@handle` in the text becomes a mention.
    pub async fn post(
        &self,
        text: &str,
        reply: Option<Value>,
        image: Option<(Value, &str)>,
        mentions: &[(&str, &str)],
    ) -> Result<String, BlueskyError> {
        self.session_did().await?;
        let text = facets::fit(text);
        let found = facets::detect(&text, mentions);
        let mut record = json!({
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .map_err(|e| BlueskyError::Unexpected(e.to_string()))?,
        });
        if !found.is_empty() {
            record["facets"] = facets::to_json(&found);
        }
        if let Some(reply) = reply {
            record["reply"] = reply;
        }
        if let Some((blob, alt)) = image {
            record["embed"] = json!({
                "$type": "app.bsky.embed.images",
                "images": [{"alt": alt, "image": blob}],
            });
        }
        let record: feed::post::RecordData = serde_json::from_value(record)
            .map_err(|e| BlueskyError::Unexpected(format!("post record: {e}")))?;
        let out = self
            .agent()
            .await?
            .create_record(record)
            .await
            .map_err(sdk)?;
        Ok(out.data.uri.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tids_round_trip_and_other_keys_are_refused() {
        let tid = "3l3qo2vutsw2b";
        let n = tid_to_u64(tid).unwrap();
        assert_eq!(u64_to_tid(n), tid);
        assert_eq!(tid_to_u64("self"), None);
        assert_eq!(tid_to_u64("zzzzzzzzzzzzz"), None, "top bit set");
        assert_eq!(tid_to_u64("3l3qo2vutsw2!"), None);
        assert_eq!(
            post_uri("did:plc:x", n),
            format!("at://did:plc:x/app.bsky.feed.post/{tid}")
        );
    }

    #[test]
    fn attack_a_hostile_notification_is_no_request_or_is_cut() {
        let base = |uri: &str, did: &str, text: &str| {
            json!({"uri": uri, "reason": "mention", "author": {"did": did, "handle": "x.test"},
                   "record": {"text": text}, "indexedAt": "2024-01-01T00:00:00Z"})
        };
        // A post of someone else's repository claimed by this author.
        assert!(skeet_of(
            &base(
                "at://did:plc:other/app.bsky.feed.post/3l3qo2vutsw2b",
                "did:plc:me",
                "x"
            ),
            "did:plc:bot"
        )
        .is_none());
        // Not a post, or a key that is no TID (it could not name a job).
        assert!(skeet_of(
            &base(
                "at://did:plc:me/app.bsky.feed.like/3l3qo2vutsw2b",
                "did:plc:me",
                "x"
            ),
            "did:plc:bot"
        )
        .is_none());
        assert!(skeet_of(
            &base(
                "at://did:plc:me/app.bsky.feed.post/../../x",
                "did:plc:me",
                "x"
            ),
            "did:plc:bot"
        )
        .is_none());
        // The bot's own post.
        assert!(skeet_of(
            &base(
                "at://did:plc:bot/app.bsky.feed.post/3l3qo2vutsw2b",
                "did:plc:bot",
                "x"
            ),
            "did:plc:bot"
        )
        .is_none());
        // A text far over the lexicon's 3000 bytes is cut, on a character boundary.
        let long = "é".repeat(5000);
        let s = skeet_of(
            &base(
                "at://did:plc:me/app.bsky.feed.post/3l3qo2vutsw2b",
                "did:plc:me",
                &long,
            ),
            "did:plc:bot",
        )
        .unwrap();
        assert!(s.text.len() <= 3000 && s.text.chars().all(|c| c == 'é'));
    }

    #[test]
    fn documented_notifications_become_requests() {
        let page: Value = serde_json::from_str(include_str!(
            "../../tests/data/bluesky/listNotifications.json"
        ))
        .unwrap();
        let skeets: Vec<Skeet> = page["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|n| skeet_of(n, "did:plc:battbot"))
            .collect();
        assert_eq!(skeets.len(), 2, "the like is no request: {skeets:?}");
        assert_eq!(skeets[0].handle, "alice.bsky.social");
        assert!(skeets[0].text.contains("compare SPM and DFN"));
        assert!(skeets[1].text.contains("simulate SPM"));
    }
}
