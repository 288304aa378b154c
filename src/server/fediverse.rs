//! Mastodon and Bluesky as conversations: a thread is the post that asked (`repo` is its
//! author — the `acct` on Mastodon, the DID on Bluesky — and `number` its id), and a reply
//! is a post in reply to it with the plot attached. Replies go through
//! [`super::App::reply_once_with_files`] like every platform's (so its claim and re-check
//! cover them) and are recorded on the state branch by [`ReplyLog`]. A refused account
//! (401/403) is a [`ForgeError::Refused`] naming the platform, which `/readyz` counts.

use async_trait::async_trait;

use super::event::CommentEvent;
use super::social::{visible, ReplyLog, SocialPoster};
use crate::forge::{Attachment, ForgeError, Thread};
use crate::job::JobSource;
use crate::social::bluesky::{BlueskyClient, BlueskyError, Skeet};
use crate::social::mastodon::{MastodonClient, MastodonError, Toot};
use crate::social::reply_text;

fn refused_or_other(
    platform: &str,
    account_problem: bool,
    e: impl std::fmt::Display,
) -> ForgeError {
    if account_problem {
        ForgeError::Refused {
            platform: platform.into(),
            message: e.to_string(),
        }
    } else {
        ForgeError::Other(format!("{platform}: {e}"))
    }
}

/// A Mastodon error; the account's own problems (401, 403) are refusals.
pub fn mastodon_error(e: MastodonError) -> ForgeError {
    refused_or_other("mastodon", e.is_account_problem(), e)
}

/// A Bluesky error; a refused session or app password (401, 403) is a refusal.
pub fn bluesky_error(e: BlueskyError) -> ForgeError {
    refused_or_other("bluesky", e.is_account_problem(), e)
}

/// The alt text of a reply's plot: what it shows, and for which request (the reply's first
/// line, which names the run).
pub fn alt_text(body: &str, animated: bool) -> String {
    let text = visible(body);
    // The runs (`- SPM · Chen2020: …` lines) say what the plot shows; else the first line.
    let runs: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- "))
        .collect();
    let first = if runs.is_empty() {
        text.lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default()
            .trim()
            .to_string()
    } else {
        runs.join("; ")
    };
    let kind = if animated { "Animated plots" } else { "Plots" };
    let alt = format!(
        "{kind} of cell terminal voltage (V), current (A) and discharged capacity (A.h) against time, one line per run: {first}"
    );
    alt.chars().take(1000).collect()
}

/// A Mastodon mention as the comment every platform becomes (job id from the status id).
pub fn toot_event(t: &Toot) -> CommentEvent {
    CommentEvent {
        source: JobSource {
            platform: "mastodon".into(),
            repo: t.acct.clone(),
            number: t.id,
            comment_id: t.id,
            user: t.acct.clone(),
            url: t.url.clone(),
        },
        body: t.text.clone(),
        author_is_bot: false,
        is_pull_request: false,
    }
}

/// A Bluesky mention or reply as a comment (job id from the post's record key).
pub fn skeet_event(s: &Skeet) -> CommentEvent {
    let rkey = crate::social::bluesky::u64_to_tid(s.tid);
    CommentEvent {
        source: JobSource {
            platform: "bluesky".into(),
            repo: s.did.clone(),
            number: s.tid,
            comment_id: s.tid,
            user: if s.handle.is_empty() {
                s.did.clone()
            } else {
                s.handle.clone()
            },
            url: format!("https://bsky.app/profile/{}/post/{rkey}", s.did),
        },
        body: s.text.clone(),
        author_is_bot: false,
        is_pull_request: false,
    }
}

/// Whether an `acct` is one Mastodon could have made (`user` or `user@domain`), so it can
/// start a reply as a mention without carrying anything else into it.
fn plain_acct(acct: &str) -> bool {
    let (user, domain) = acct.split_once('@').unwrap_or((acct, "x"));
    !user.is_empty()
        && user.len() <= 64
        && user.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && domain.len() <= 253
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

pub struct MastodonConversation {
    pub client: MastodonClient,
    pub log: ReplyLog,
}

#[async_trait]
impl SocialPoster for MastodonConversation {
    fn name(&self) -> &'static str {
        "mastodon"
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
        let in_reply_to = (thread.number > 0).then_some(thread.number);
        // The reply is never more public than the mention, and names its author (a private
        // or direct mention's author sees only replies that mention them).
        let (visibility, acct) = match in_reply_to {
            Some(id) => {
                let t = self.client.target(id).await.map_err(mastodon_error)?;
                (t.visibility, Some(t.acct))
            }
            None => (crate::social::mastodon::Visibility::Public, None),
        };
        let gif = files.iter().find(|f| f.content_type == "image/gif");
        let image = gif.or_else(|| files.iter().find(|f| f.content_type == "image/png"));
        let mut media = Vec::new();
        if let Some(f) = image {
            let alt = alt_text(body, gif.is_some());
            media.push(
                self.client
                    .upload_media(&f.bytes, &f.name, &alt)
                    .await
                    .map_err(mastodon_error)?,
            );
        }
        let mut text = reply_text(&visible(body));
        if let Some(acct) = acct.filter(|a| plain_acct(a)) {
            text = format!("@{acct} {text}");
        }
        self.client
            .post_status(&text, in_reply_to, visibility, media)
            .await
            .map_err(mastodon_error)?;
        Ok(())
    }
}

pub struct BlueskyConversation {
    pub client: BlueskyClient,
    pub log: ReplyLog,
}

#[async_trait]
impl SocialPoster for BlueskyConversation {
    fn name(&self) -> &'static str {
        "bluesky"
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
        let (reply, handle) = if thread.number > 0 && thread.repo.starts_with("did:") {
            let (refs, handle) = self
                .client
                .reply_refs(&thread.repo, thread.number)
                .await
                .map_err(bluesky_error)?;
            (Some(refs), handle)
        } else {
            (None, String::new())
        };
        // Bluesky shows image embeds still, so the PNG goes (a GIF would show its first frame).
        let mut image = None;
        if let Some(png) = files.iter().find(|f| f.content_type == "image/png") {
            if let Some(blob) = self
                .client
                .upload_png(&png.bytes)
                .await
                .map_err(bluesky_error)?
            {
                image = Some((blob, alt_text(body, false)));
            }
        }
        self.client
            .post(
                &visible(body),
                reply,
                image.as_ref().map(|(b, a)| (b.clone(), a.as_str())),
                // The asker, as the reply names them, is a mention of their DID.
                &[(handle.as_str(), thread.repo.as_str())],
            )
            .await
            .map_err(bluesky_error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attack_an_acct_carrying_other_text_never_starts_a_reply() {
        assert!(plain_acct("zsc"));
        assert!(plain_acct("haskal@cybre.space"));
        assert!(!plain_acct("evil @everyone"));
        assert!(!plain_acct("a@b c"));
        assert!(!plain_acct(""));
    }

    #[test]
    fn alt_text_says_what_the_plot_shows() {
        let alt = alt_text(
            "SPM with Chen2020: 1 h discharge\nhttps://x\n<!-- battbot:k -->",
            true,
        );
        assert!(
            alt.starts_with("Animated plots of cell terminal voltage"),
            "{alt}"
        );
        assert!(alt.ends_with("SPM with Chen2020: 1 h discharge"), "{alt}");
        let alt = alt_text(
            "@a ✅ job finished.\n\n- SPM · Chen2020: 2.5 V\n- DFN · Chen2020: 2.5 V\n",
            false,
        );
        assert!(
            alt.ends_with("SPM · Chen2020: 2.5 V; DFN · Chen2020: 2.5 V"),
            "{alt}"
        );
    }
}
