//! Turns verified platform payloads into one `Event` enum, so handlers never see
//! platform JSON (bors-style).

use serde::Deserialize;

use crate::job::JobSource;

/// Everything the bot reacts to, whatever the platform.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A new comment that may address the bot.
    Comment(CommentEvent),
    /// The platform checks that the hook works.
    Ping { zen: String },
    /// A valid delivery the bot has nothing to do with.
    Ignored { reason: String },
}

/// A comment, note or mention, normalised.
#[derive(Clone, Debug, PartialEq)]
pub struct CommentEvent {
    pub source: JobSource,
    pub body: String,
    /// The author is a bot account (its own comments are never commands).
    pub author_is_bot: bool,
    /// The comment is on a pull/merge request.
    pub is_pull_request: bool,
}

#[derive(Deserialize)]
struct GhUser {
    login: String,
    #[serde(rename = "type", default)]
    kind: String,
}

#[derive(Deserialize)]
struct GhComment {
    id: u64,
    body: Option<String>,
    user: GhUser,
    html_url: String,
}

#[derive(Deserialize)]
struct GhIssue {
    number: u64,
    #[serde(default)]
    pull_request: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct GhPull {
    number: u64,
}

#[derive(Deserialize)]
struct GhRepo {
    full_name: String,
}

#[derive(Deserialize)]
struct GhCommentPayload {
    action: String,
    comment: GhComment,
    #[serde(default)]
    issue: Option<GhIssue>,
    #[serde(default)]
    pull_request: Option<GhPull>,
    repository: GhRepo,
}

#[derive(Deserialize)]
struct GhPing {
    #[serde(default)]
    zen: String,
}

/// Why a payload could not be turned into an event.
#[derive(Debug, thiserror::Error)]
#[error("malformed {event} payload: {reason}")]
pub struct PayloadError {
    pub event: String,
    pub reason: String,
}

/// Parses a GitHub webhook (`X-GitHub-Event` = `event`) into an `Event`.
pub fn from_github(event: &str, body: &[u8]) -> Result<Event, PayloadError> {
    let err = |e: serde_json::Error| PayloadError {
        event: event.to_string(),
        reason: e.to_string(),
    };
    match event {
        "ping" => {
            let ping: GhPing = serde_json::from_slice(body).map_err(err)?;
            Ok(Event::Ping { zen: ping.zen })
        }
        "issue_comment" | "pull_request_review_comment" => {
            let p: GhCommentPayload = serde_json::from_slice(body).map_err(err)?;
            if p.action != "created" {
                return Ok(Event::Ignored {
                    reason: format!(
                        "{event} action {} (only new comments are commands)",
                        p.action
                    ),
                });
            }
            let (number, is_pr) = match (&p.issue, &p.pull_request) {
                (Some(issue), _) => (issue.number, issue.pull_request.is_some()),
                (None, Some(pr)) => (pr.number, true),
                (None, None) => {
                    return Err(PayloadError {
                        event: event.into(),
                        reason: "neither issue nor pull_request in payload".into(),
                    })
                }
            };
            Ok(Event::Comment(CommentEvent {
                source: JobSource {
                    platform: "github".into(),
                    repo: p.repository.full_name,
                    number,
                    comment_id: p.comment.id,
                    user: p.comment.user.login.clone(),
                    url: p.comment.html_url,
                },
                body: p.comment.body.unwrap_or_default(),
                author_is_bot: p.comment.user.kind == "Bot",
                is_pull_request: is_pr,
            }))
        }
        other => Ok(Event::Ignored {
            reason: format!("event {other} is not handled"),
        }),
    }
}
