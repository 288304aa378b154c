//! Twitter and Slack as conversations and as webhooks: `GET/POST /twitter` (CRC, signed
//! Account Activity events), `POST /slack/events` and `/slack/commands` (v0 signatures).
//! Mentions become the same `CommentEvent`s as forge comments; replies go back through the
//! platform clients, and what was replied is recorded on the reports repository's `state`
//! branch, which makes replies idempotent where the platform cannot be searched cheaply.

use std::sync::Arc;

use async_trait::async_trait;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::{json, Value};

use super::event::CommentEvent;
use super::{commands, App, AppError};
use crate::forge::{
    Attachment, CommitMode, Conversation, FileChange, Forge, ForgeError, Permission, Thread,
};
use crate::job::JobSource;
use crate::social::slack::SlackClient;
use crate::social::twitter::TwitterClient;
use crate::social::{reply_text, slack_webhook, twitter_webhook, Secret};

pub use crate::forge::STATE_BRANCH;

/// Records replies on the state branch and reads them back.
#[derive(Clone)]
pub struct ReplyLog {
    pub forge: Arc<dyn Forge>,
    pub repo: String,
    pub platform: &'static str,
}

impl ReplyLog {
    fn dir(&self, thread: &Thread) -> String {
        let clean = |s: &str| {
            s.replace(
                |c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "_",
            )
        };
        format!(
            "replies/{}/{}/{}",
            self.platform,
            clean(&thread.repo),
            thread.number
        )
    }

    pub(crate) async fn record(&self, thread: &Thread, body: &str) -> Result<(), ForgeError> {
        let dir = self.dir(thread);
        let n = self
            .forge
            .list_files(&self.repo, STATE_BRANCH, &dir)
            .await?
            .len();
        let file = FileChange::new(format!("{dir}/{:04}.md", n + 1), body.as_bytes().to_vec());
        self.forge
            .commit_files(
                &self.repo,
                STATE_BRANCH,
                &[file],
                &[],
                "record a reply",
                CommitMode::UpdateBranch,
            )
            .await?;
        Ok(())
    }

    pub(crate) async fn read(&self, thread: &Thread) -> Result<Vec<String>, ForgeError> {
        let mut paths = self
            .forge
            .list_files(&self.repo, STATE_BRANCH, &self.dir(thread))
            .await?;
        paths.sort();
        let mut out = Vec::new();
        for p in paths {
            if let Some(b) = self.forge.read_file(&self.repo, STATE_BRANCH, &p).await? {
                out.push(String::from_utf8_lossy(&b).to_string());
            }
        }
        Ok(out)
    }
}

/// A social platform as a conversation: it posts text and media, and the bot's replies are
/// read back from its [`ReplyLog`] (timelines are not searched for markers). It has no
/// reactions and no repositories, and anyone may ask, as BattBot answered everyone: the
/// per-user rate limit bounds what one account queues.
#[async_trait]
pub trait SocialPoster: Send + Sync {
    /// The platform's name (`twitter`, `slack`, `mastodon`, `bluesky`).
    fn name(&self) -> &'static str;

    /// Where the platform's replies are recorded.
    fn log(&self) -> &ReplyLog;

    /// Posts `body` in `thread`, with what the platform takes of `files`.
    async fn post(
        &self,
        thread: &Thread,
        body: &str,
        files: &[Attachment],
    ) -> Result<(), ForgeError>;
}

#[async_trait]
impl<T: SocialPoster> Conversation for T {
    fn platform(&self) -> &'static str {
        self.name()
    }

    async fn reply(&self, thread: &Thread, body: &str) -> Result<(), ForgeError> {
        self.reply_with_files(thread, body, &[]).await
    }

    async fn reply_with_files(
        &self,
        thread: &Thread,
        body: &str,
        files: &[Attachment],
    ) -> Result<(), ForgeError> {
        self.post(thread, body, files).await?;
        self.log().record(thread, body).await
    }

    async fn bot_replies(&self, thread: &Thread) -> Result<Vec<String>, ForgeError> {
        self.log().read(thread).await
    }

    async fn react(&self, _: &Thread, _: u64, _: &str) -> Result<(), ForgeError> {
        Ok(())
    }

    async fn permission(&self, _repo: &str, _user: &str) -> Result<Permission, ForgeError> {
        Ok(Permission::Write)
    }
}

/// Drops the hidden idempotency markers, which platforms other than forges would show: only
/// the trailing ones the bot appends, never a line of the text itself.
pub(crate) fn visible(body: &str) -> String {
    let mut lines: Vec<&str> = body.trim_end().lines().collect();
    while lines
        .last()
        .is_some_and(|l| l.trim_start().starts_with("<!-- battbot"))
    {
        lines.pop();
    }
    lines.join("\n").trim().to_string()
}

fn platform_error(e: impl std::fmt::Display) -> ForgeError {
    ForgeError::Other(e.to_string())
}

/// A Twitter error; the account's own problems (403 / 453, bad credentials) are refusals.
fn twitter_error(e: crate::social::twitter::TwitterError) -> ForgeError {
    if let crate::social::twitter::TwitterError::RateLimited { reset_at, .. } = e {
        // Not posted: the reply path waits (renewing its claim) and looks again.
        let now = time::OffsetDateTime::now_utc().unix_timestamp().max(0) as u64;
        return ForgeError::RateLimited {
            retry_after_s: reset_at.map_or(900, |t| t.saturating_sub(now).max(1)),
        };
    }
    if e.is_account_problem() {
        ForgeError::Refused {
            platform: "twitter".into(),
            message: e.to_string(),
        }
    } else {
        platform_error(e)
    }
}

/// A Slack error; a revoked, invalid or under-scoped token is a refusal.
fn slack_error(e: crate::social::slack::SlackError) -> ForgeError {
    use crate::social::slack::SlackError;
    if let SlackError::RateLimited {
        retry_after_secs, ..
    } = e
    {
        return ForgeError::RateLimited {
            retry_after_s: retry_after_secs.unwrap_or(60),
        };
    }
    let refused = match &e {
        SlackError::Api { error, .. } => matches!(
            error.as_str(),
            "invalid_auth"
                | "not_authed"
                | "account_inactive"
                | "token_revoked"
                | "token_expired"
                | "missing_scope"
                | "not_allowed_token_type"
                | "no_permission"
        ),
        SlackError::Status { status, .. } => *status == 401 || *status == 403,
        _ => false,
    };
    if refused {
        ForgeError::Refused {
            platform: "slack".into(),
            message: e.to_string(),
        }
    } else {
        platform_error(e)
    }
}

/// Twitter as a conversation: a thread is a tweet (`number` is its id).
pub struct TwitterConversation {
    pub client: TwitterClient,
    pub log: ReplyLog,
}

#[async_trait]
impl SocialPoster for TwitterConversation {
    fn name(&self) -> &'static str {
        "twitter"
    }

    fn log(&self) -> &ReplyLog {
        &self.log
    }

    async fn post(
        &self,
        thread: &Thread,
        body: &str,
        files: &[Attachment],
    ) -> Result<(), ForgeError> {
        let mut media = Vec::new();
        if let Some(gif) = files.iter().find(|f| f.content_type == "image/gif") {
            media.push(
                self.client
                    .upload_gif(&gif.bytes)
                    .await
                    .map_err(twitter_error)?,
            );
        }
        let text = reply_text(&visible(body));
        let reply_to = (thread.number > 0).then_some(thread.number);
        self.client
            .post_tweet(&text, reply_to, &media)
            .await
            .map_err(twitter_error)?;
        Ok(())
    }
}

/// A Slack `ts` ("1700000000.123456") as microseconds, so it fits a thread number.
pub fn ts_micros(ts: &str) -> u64 {
    let (secs, frac) = ts.split_once('.').unwrap_or((ts, "0"));
    let frac: String = frac.chars().chain(std::iter::repeat('0')).take(6).collect();
    (secs.parse::<u64>().unwrap_or(0).saturating_mul(1_000_000))
        .saturating_add(frac.parse::<u64>().unwrap_or(0))
}

/// The inverse of `ts_micros`.
pub fn micros_ts(n: u64) -> String {
    format!("{}.{:06}", n / 1_000_000, n % 1_000_000)
}

/// Slack as a conversation: a thread is a channel (`repo`) and a thread ts (`number`).
pub struct SlackConversation {
    pub client: SlackClient,
    pub log: ReplyLog,
}

#[async_trait]
impl SocialPoster for SlackConversation {
    fn name(&self) -> &'static str {
        "slack"
    }

    fn log(&self) -> &ReplyLog {
        &self.log
    }

    async fn post(
        &self,
        thread: &Thread,
        body: &str,
        files: &[Attachment],
    ) -> Result<(), ForgeError> {
        let ts = (thread.number > 0).then(|| micros_ts(thread.number));
        self.client
            .post_message(&thread.repo, ts.as_deref(), &visible(body))
            .await
            .map_err(slack_error)?;
        for f in files
            .iter()
            .filter(|f| f.content_type.starts_with("image/"))
        {
            self.client
                .upload_file(&thread.repo, ts.as_deref(), &f.name, &f.bytes, &f.name)
                .await
                .map_err(slack_error)?;
        }
        Ok(())
    }
}

fn secret(s: &Option<String>) -> Option<Secret> {
    s.as_ref()
        .filter(|v| !v.is_empty())
        .map(|v| Secret::new(v.clone()))
}

#[derive(serde::Deserialize)]
pub struct Crc {
    crc_token: String,
}

/// `GET /twitter?crc_token=…`: the Account Activity challenge.
pub async fn twitter_crc(
    State(app): State<App>,
    Query(q): Query<Crc>,
) -> Result<Json<Value>, AppError> {
    let twitter = app.config.twitter.clone().unwrap_or_default();
    let Some(secret) = secret(&twitter.consumer_secret) else {
        return Err(AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Twitter is not configured (TWITTER_CONSUMER_SECRET)",
        ));
    };
    Ok(Json(twitter_webhook::crc_response(&secret, &q.crc_token)))
}

/// `POST /twitter`: signed Account Activity events; mentions become requests.
pub async fn twitter_events(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), AppError> {
    app.metrics.inc_webhook();
    let twitter = app.config.twitter.clone().unwrap_or_default();
    let Some(secret) = secret(&twitter.consumer_secret) else {
        return Err(AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Twitter is not configured (TWITTER_CONSUMER_SECRET)",
        ));
    };
    let header = headers
        .get("x-twitter-webhooks-signature")
        .and_then(|v| v.to_str().ok());
    if let Err(e) = twitter_webhook::verify_signature(&secret, &body, header) {
        app.metrics.inc_signature_failure();
        return Err(AppError::new(StatusCode::UNAUTHORIZED, e.to_string()));
    }
    let bot_id = twitter.user_id.clone().unwrap_or_default();
    let activity = twitter_webhook::parse_activity(&body, &bot_id)
        .map_err(|e| AppError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    if activity.revoked {
        tracing::error!("a Twitter user revoked the app's access");
    }
    let n = activity.mentions.len();
    for m in activity.mentions {
        let event = mention_event(&m, &bot_id);
        let worker = app.clone();
        app.spawn(format!("tweet {}", m.tweet_id), async move {
            commands::handle_comment(&worker, event).await
        });
    }
    Ok((StatusCode::OK, Json(json!({ "mentions": n }))))
}

/// A mention, from the webhook or from polling, as the comment every platform becomes.
pub fn mention_event(m: &crate::social::Mention, bot_id: &str) -> CommentEvent {
    CommentEvent {
        source: JobSource {
            platform: "twitter".into(),
            repo: m.author_username.clone(),
            number: m.tweet_id,
            comment_id: m.tweet_id,
            user: m.author_username.clone(),
            url: format!(
                "https://twitter.com/{}/status/{}",
                m.author_username, m.tweet_id
            ),
        },
        body: crate::social::unescape_text(&m.text),
        author_is_bot: m.author_id == bot_id,
        is_pull_request: false,
    }
}

fn slack_verify(app: &App, headers: &HeaderMap, body: &[u8]) -> Result<(), AppError> {
    let slack = app.config.slack.clone().unwrap_or_default();
    let Some(secret) = secret(&slack.signing_secret) else {
        return Err(AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Slack is not configured (SLACK_SIGNING_SECRET)",
        ));
    };
    let get = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    let now = app.clock.now().unix_timestamp().max(0) as u64;
    slack_webhook::verify(
        &secret,
        get("x-slack-request-timestamp"),
        get("x-slack-signature"),
        body,
        now,
    )
    .map_err(|e| {
        app.metrics.inc_signature_failure();
        AppError::new(StatusCode::UNAUTHORIZED, e.to_string())
    })
}

/// `POST /slack/events`: url_verification and app mentions.
pub async fn slack_events(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), AppError> {
    app.metrics.inc_webhook();
    slack_verify(&app, &headers, &body)?;
    match slack_webhook::parse_event(&body)
        .map_err(|e| AppError::new(StatusCode::BAD_REQUEST, e.to_string()))?
    {
        slack_webhook::SlackEvent::UrlVerification { challenge } => Ok((
            StatusCode::OK,
            Json(slack_webhook::url_verification_response(&challenge)),
        )),
        slack_webhook::SlackEvent::AppMention(m) => {
            let event = CommentEvent {
                source: JobSource {
                    platform: "slack".into(),
                    repo: m.channel.clone(),
                    number: ts_micros(m.reply_thread_ts()),
                    comment_id: ts_micros(&m.ts),
                    user: m.user.clone(),
                    url: String::new(),
                },
                body: m.text.clone(),
                author_is_bot: false,
                is_pull_request: false,
            };
            let worker = app.clone();
            app.spawn(format!("slack mention {}", m.ts), async move {
                commands::handle_comment(&worker, event).await
            });
            Ok((StatusCode::OK, Json(json!({ "ok": true }))))
        }
        _ => Ok((StatusCode::OK, Json(json!({ "ignored": true })))),
    }
}

/// A slash command's own id, so a replayed (signed, same-body) request maps to the same job:
/// 48 bits of SHA-256 of Slack's `trigger_id`, else of the signed timestamp and body. Never
/// the receive time.
pub fn slash_command_id(
    cmd: &slack_webhook::SlashCommand,
    headers: &HeaderMap,
    body: &[u8],
) -> u64 {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    match cmd.trigger_id.as_deref().filter(|t| !t.is_empty()) {
        Some(trigger) => h.update(format!("trigger:{trigger}").as_bytes()),
        None => {
            let ts = headers
                .get(slack_webhook::TIMESTAMP_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            h.update(format!("request:{ts}:").as_bytes());
            h.update(body);
        }
    }
    let d = h.finalize();
    u64::from_be_bytes([0, 0, d[0], d[1], d[2], d[3], d[4], d[5]])
}

/// `POST /slack/commands`: `/battbot …`, acknowledged at once (Slack wants an answer in 3 s).
pub async fn slack_commands(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), AppError> {
    app.metrics.inc_webhook();
    slack_verify(&app, &headers, &body)?;
    let cmd = slack_webhook::parse_slash_command(&body)
        .map_err(|e| AppError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    let request_id = slash_command_id(&cmd, &headers, &body);
    let event = CommentEvent {
        source: JobSource {
            platform: "slack".into(),
            repo: cmd.channel_id.clone(),
            number: 0,
            comment_id: request_id,
            user: cmd.user_name.clone().unwrap_or_else(|| cmd.user_id.clone()),
            url: String::new(),
        },
        body: cmd.parser_text(),
        author_is_bot: false,
        is_pull_request: false,
    };
    let worker = app.clone();
    app.spawn("slack command".into(), async move {
        commands::handle_comment(&worker, event).await
    });
    Ok((
        StatusCode::OK,
        Json(
            json!({ "response_type": "ephemeral", "text": "On it — I'll answer in this channel." }),
        ),
    ))
}
