//! A Mastodon client (any instance; a user token): mentions from the notifications API,
//! replies with an uploaded GIF (async processing polled until ready), alt text, the
//! mention's visibility and `in_reply_to_id`.
//!
//! `megalodon` makes the status, media and status-lookup calls. Notifications are one
//! direct REST call: megalodon's options have no `types[]` filter (only `exclude_types`,
//! which would let every notification type added later through) and no `min_id` paging.
//! The streaming API is in [`super::mastodon_stream`].

use std::fmt;
use std::time::Duration;

use megalodon::entities::status::StatusVisibility;
use megalodon::error::{Error as MegaError, Kind};
use megalodon::megalodon::{PostStatusInputOptions, PostStatusOutput, UploadMediaInputOptions};
use megalodon::Megalodon;
use serde::Deserialize;

use super::{mastodon_html, Secret, Sleeper};

/// Notifications fetched per page (the API's maximum) and pages per poll.
pub const PAGE: usize = 40;
pub const MAX_PAGES: usize = 5;
/// How often, and how many times, a processing upload is polled.
pub const MEDIA_POLL: Duration = Duration::from_secs(1);
pub const MEDIA_POLLS: usize = 60;

#[derive(Debug, thiserror::Error)]
pub enum MastodonError {
    #[error("Mastodon answered {status}: {message}")]
    Status { status: u16, message: String },
    #[error("cannot reach Mastodon: {0}")]
    Http(String),
    #[error("Mastodon sent something unexpected: {0}")]
    Unexpected(String),
    #[error("the media upload was still processing after {0} polls")]
    MediaTimeout(usize),
}

impl MastodonError {
    /// The bot's own account or token is refused (revoked, suspended, scopes missing).
    pub fn is_account_problem(&self) -> bool {
        matches!(
            self,
            MastodonError::Status {
                status: 401 | 403,
                ..
            }
        )
    }

    fn of(e: MegaError) -> Self {
        match e {
            MegaError::OwnError(own) => match own.status {
                Some(status) => MastodonError::Status {
                    status,
                    message: short(&own.message),
                },
                None => MastodonError::Unexpected(short(&own.message)),
            },
            MegaError::RequestError(r) => MastodonError::Http(r.without_url().to_string()),
            MegaError::JsonError(j) => MastodonError::Unexpected(j.to_string()),
            other => MastodonError::Unexpected(short(&other.to_string())),
        }
    }
}

fn short(s: &str) -> String {
    s.chars().take(300).collect()
}

/// Who may see a status, least public last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Public,
    Unlisted,
    Private,
    Direct,
}

impl Visibility {
    fn of(v: &StatusVisibility) -> Visibility {
        match v {
            StatusVisibility::Public => Visibility::Public,
            StatusVisibility::Unlisted => Visibility::Unlisted,
            StatusVisibility::Private => Visibility::Private,
            // `local` (instance-only) and anything else: the narrowest.
            _ => Visibility::Direct,
        }
    }

    fn to_mega(self) -> StatusVisibility {
        match self {
            Visibility::Public => StatusVisibility::Public,
            Visibility::Unlisted => StatusVisibility::Unlisted,
            Visibility::Private => StatusVisibility::Private,
            Visibility::Direct => StatusVisibility::Direct,
        }
    }

    fn parse(s: &str) -> Visibility {
        match s {
            "public" => Visibility::Public,
            "unlisted" => Visibility::Unlisted,
            "private" => Visibility::Private,
            _ => Visibility::Direct,
        }
    }
}

/// A status that mentions the bot.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Toot {
    /// The notification's id (the poll cursor).
    pub notification_id: String,
    pub id: u64,
    /// `user` on the bot's instance, `user@domain` elsewhere.
    pub acct: String,
    pub url: String,
    /// The content reduced to plain text.
    pub text: String,
    pub visibility: Visibility,
}

/// What one poll fetched.
#[derive(Debug, Default)]
pub struct Batch {
    pub mentions: Vec<Toot>,
    /// The newest notification id seen (mentions skipped as not actionable included).
    pub newest: Option<String>,
    /// More pages were waiting than one poll reads.
    pub truncated: bool,
}

#[derive(Deserialize)]
struct RawNotification {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    status: Option<RawStatus>,
}

#[derive(Deserialize)]
struct RawStatus {
    id: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    content: String,
    #[serde(default)]
    visibility: String,
    account: RawAccount,
    #[serde(default)]
    reblog: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawAccount {
    acct: String,
}

/// A notification's status as a mention, `None` when it is none the bot answers.
fn toot_of(n: RawNotification, bot_acct: &str) -> Option<Toot> {
    let s = n.status.filter(|_| n.kind == "mention")?;
    if s.reblog.is_some_and(|r| !r.is_null()) || s.account.acct.eq_ignore_ascii_case(bot_acct) {
        return None;
    }
    let Ok(id) = s.id.parse::<u64>() else {
        tracing::warn!(
            "Mastodon status id {:?} is not a number: skipped",
            short(&s.id)
        );
        return None;
    };
    Some(Toot {
        notification_id: n.id,
        id,
        acct: s.account.acct,
        url: s.url.unwrap_or_default(),
        text: mastodon_html::to_text(&s.content),
        visibility: Visibility::parse(&s.visibility),
    })
}

/// A notification's JSON (as the streaming API sends it) as a mention.
pub fn toot_of_json(json: &str, bot_acct: &str) -> Option<Toot> {
    toot_of(serde_json::from_str(json).ok()?, bot_acct)
}

/// A reply's target: what the mention's author and visibility are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub acct: String,
    pub visibility: Visibility,
}

pub struct MastodonClient {
    api: Box<dyn Megalodon + Send + Sync>,
    http: reqwest::Client,
    base: String,
    token: Secret,
    /// The bot's own `acct` as its instance shows it (its own statuses are never requests).
    pub bot_acct: String,
    sleeper: Sleeper,
}

impl fmt::Debug for MastodonClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MastodonClient")
            .field("base", &self.base)
            .field("token", &self.token)
            .finish()
    }
}

impl MastodonClient {
    /// `base` is the instance (`https://fediscience.org`); `handle` the bot's
    /// `user@instance`.
    pub fn new(base: &str, token: Secret, handle: &str) -> Result<Self, MastodonError> {
        let base = base.trim_end_matches('/').to_string();
        url::Url::parse(&base).map_err(|e| MastodonError::Unexpected(format!("base URL: {e}")))?;
        let api = megalodon::generator(
            megalodon::SNS::Mastodon,
            base.clone(),
            Some(token.expose().to_string()),
            Some(format!("battbot/{}", env!("CARGO_PKG_VERSION"))),
        )
        .map_err(MastodonError::of)?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| MastodonError::Http(e.to_string()))?;
        let bot_acct = handle.trim_start_matches('@');
        let bot_acct = bot_acct.split('@').next().unwrap_or(bot_acct).to_string();
        Ok(MastodonClient {
            api,
            http,
            base,
            token,
            bot_acct,
            sleeper: Sleeper::default(),
        })
    }

    pub fn with_sleeper(mut self, sleeper: Sleeper) -> Self {
        self.sleeper = sleeper;
        self
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn token(&self) -> &Secret {
        &self.token
    }

    /// Mentions after the notification `after`, oldest first (`min_id` paging, so a burst
    /// larger than a page is read in order rather than skipped).
    pub async fn fetch_mentions(&self, after: Option<&str>) -> Result<Batch, MastodonError> {
        let mut batch = Batch::default();
        let mut cursor = after.map(str::to_string);
        for page in 0..MAX_PAGES {
            let mut query = vec![
                ("types[]", "mention".to_string()),
                ("limit", PAGE.to_string()),
            ];
            if let Some(c) = &cursor {
                query.push(("min_id", c.clone()));
            }
            let mut url = url::Url::parse(&format!("{}/api/v1/notifications", self.base))
                .map_err(|e| MastodonError::Unexpected(format!("base URL: {e}")))?;
            url.query_pairs_mut().extend_pairs(&query);
            let resp = self
                .http
                .get(url)
                .bearer_auth(self.token.expose())
                .send()
                .await
                .map_err(|e| MastodonError::Http(e.without_url().to_string()))?;
            let status = resp.status().as_u16();
            let body = resp
                .text()
                .await
                .map_err(|e| MastodonError::Http(e.without_url().to_string()))?;
            if status != 200 {
                return Err(MastodonError::Status {
                    status,
                    message: short(&body),
                });
            }
            let mut items: Vec<RawNotification> = serde_json::from_str(&body)
                .map_err(|e| MastodonError::Unexpected(format!("notifications: {e}")))?;
            if items.is_empty() {
                break;
            }
            let full = items.len() >= PAGE;
            // Pages come newest first; handle oldest first.
            items.sort_by_key(|n| (n.id.len(), n.id.clone()));
            cursor = items.last().map(|n| n.id.clone());
            batch.newest.clone_from(&cursor);
            batch
                .mentions
                .extend(items.into_iter().filter_map(|n| toot_of(n, &self.bot_acct)));
            if !full {
                break;
            }
            batch.truncated = page + 1 == MAX_PAGES;
        }
        Ok(batch)
    }

    /// The author and visibility of status `id` (a reply goes no wider than its mention).
    pub async fn target(&self, id: u64) -> Result<Target, MastodonError> {
        let s = self
            .api
            .get_status(id.to_string())
            .await
            .map_err(MastodonError::of)?
            .json;
        Ok(Target {
            acct: s.account.acct,
            visibility: Visibility::of(&s.visibility),
        })
    }

    /// Uploads an image with its alt text and waits until the server has processed it.
    pub async fn upload_media(
        &self,
        bytes: &[u8],
        file_name: &str,
        alt: &str,
    ) -> Result<String, MastodonError> {
        let options = UploadMediaInputOptions {
            description: Some(alt.chars().take(1500).collect()),
            focus: None,
        };
        let reader = Box::new(std::io::Cursor::new(bytes.to_vec()));
        let uploaded = self
            .api
            .upload_media_reader(reader, Some(&options), Some(file_name.to_string()))
            .await
            .map_err(MastodonError::of)?
            .json;
        let id = match uploaded {
            megalodon::entities::UploadMedia::Attachment(a) => return Ok(a.id),
            megalodon::entities::UploadMedia::AsyncAttachment(a) => a.id,
        };
        // 202 Accepted: poll GET /api/v1/media/:id until 200 (206 while processing).
        for _ in 0..MEDIA_POLLS {
            self.sleeper.sleep(MEDIA_POLL).await;
            match self.api.get_media(id.clone()).await {
                Ok(_) => return Ok(id),
                Err(MegaError::OwnError(own))
                    if matches!(own.kind, Kind::HTTPPartialContentError) => {}
                Err(e) => return Err(MastodonError::of(e)),
            }
        }
        Err(MastodonError::MediaTimeout(MEDIA_POLLS))
    }

    /// Posts a status; returns its id.
    pub async fn post_status(
        &self,
        text: &str,
        in_reply_to: Option<u64>,
        visibility: Visibility,
        media_ids: Vec<String>,
    ) -> Result<String, MastodonError> {
        let options = PostStatusInputOptions {
            media_ids: (!media_ids.is_empty()).then_some(media_ids),
            in_reply_to_id: in_reply_to.map(|id| id.to_string()),
            visibility: Some(visibility.to_mega()),
            ..Default::default()
        };
        match self
            .api
            .post_status(text.to_string(), Some(&options))
            .await
            .map_err(MastodonError::of)?
            .json
        {
            PostStatusOutput::Status(s) => Ok(s.id),
            PostStatusOutput::ScheduledStatus(s) => Ok(s.id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_notification_becomes_a_mention() {
        let json = include_str!("../../tests/data/mastodon/notifications.json");
        let items: Vec<RawNotification> = serde_json::from_str(json).unwrap();
        let toots: Vec<Toot> = items
            .into_iter()
            .filter_map(|n| toot_of(n, "battbot"))
            .collect();
        assert_eq!(
            toots.len(),
            1,
            "the favourite and the bot's own status are not requests"
        );
        let t = &toots[0];
        assert_eq!(t.id, 103186126728896492);
        assert_eq!(t.acct, "zsc");
        assert_eq!(t.visibility, Visibility::Unlisted);
        assert_eq!(t.text, "@battbot simulate SPM with Chen2020");
    }

    #[test]
    fn the_token_never_shows_in_debug_or_errors() {
        let c = MastodonClient::new(
            "https://x.test",
            Secret::new("tok-SECRET"),
            "@battbot@x.test",
        )
        .unwrap();
        assert!(!format!("{c:?}").contains("tok-SECRET"));
        assert_eq!(c.bot_acct, "battbot");
        let e = MastodonClient::new("not a url", Secret::new("tok-SECRET"), "b").unwrap_err();
        assert!(!format!("{e} {e:?}").contains("tok-SECRET"));
    }

    #[test]
    fn visibility_order_is_public_to_direct() {
        assert!(Visibility::Public < Visibility::Unlisted);
        assert!(Visibility::Private < Visibility::Direct);
        assert_eq!(Visibility::of(&StatusVisibility::Local), Visibility::Direct);
    }
}
