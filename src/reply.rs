//! The one escaping layer every reply goes through: a reply is built from the bot's own text
//! and typed pieces of user- or runner-derived text, then rendered once per platform's markup.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How a platform reads text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Markup {
    /// GitHub and GitLab (and the local forge): Markdown with inline HTML.
    Markdown,
    /// Slack's mrkdwn: `& < >` are control characters, `<url|text>` links.
    Slack,
    /// Twitter (and other plain-text platforms): no markup at all.
    Plain,
}

impl Markup {
    /// The markup of a conversation platform.
    pub fn of(platform: &str) -> Markup {
        match platform {
            "slack" => Markup::Slack,
            "twitter" | "mastodon" | "bluesky" => Markup::Plain,
            _ => Markup::Markdown,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Part {
    /// The bot's own text: Markdown using only backtick code, `**`, `- ` and `> `.
    Bot(String),
    /// Untrusted prose: escaped so it stays prose.
    Text(String),
    /// Untrusted names, steps, ids: quoted in a code span it cannot close.
    Code(String),
    /// A user handle the platform gave us; a mention only if it is a plain handle.
    Mention(String),
    /// A link the bot made (report address, homepage).
    Link(String),
}

/// A reply under construction; nothing untrusted is ever pushed as `bot` text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reply {
    parts: Vec<Part>,
}

impl Reply {
    pub fn new() -> Reply {
        Reply::default()
    }

    /// The bot's own words (never interpolate untrusted text into them).
    pub fn bot(mut self, text: impl Into<String>) -> Reply {
        self.parts.push(Part::Bot(text.into()));
        self
    }

    /// Untrusted prose (error messages quoting the user, runner labels).
    pub fn text(mut self, text: impl Into<String>) -> Reply {
        self.parts.push(Part::Text(text.into()));
        self
    }

    /// Untrusted text quoted literally (steps, benchmark names, job ids).
    pub fn code(mut self, text: impl Into<String>) -> Reply {
        self.parts.push(Part::Code(text.into()));
        self
    }

    /// `@user`, addressed to the requester.
    pub fn mention(mut self, user: impl Into<String>) -> Reply {
        self.parts.push(Part::Mention(user.into()));
        self
    }

    /// A link the bot made itself.
    pub fn link(mut self, url: impl Into<String>) -> Reply {
        self.parts.push(Part::Link(url.into()));
        self
    }

    /// Appends another reply's parts.
    pub fn append(mut self, other: Reply) -> Reply {
        self.parts.extend(other.parts);
        self
    }

    /// The text to post on a platform of this markup.
    pub fn render(&self, markup: Markup) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Bot(s) => out.push_str(&bot_text(s, markup)),
                Part::Text(s) => out.push_str(&escape(s, markup)),
                Part::Code(s) => out.push_str(&code(s, markup)),
                Part::Mention(u) => out.push_str(&mention(u, markup)),
                Part::Link(url) => out.push_str(&link(url, markup)),
            }
        }
        out
    }
}

impl From<&str> for Reply {
    /// A reply of the bot's own words only.
    fn from(s: &str) -> Reply {
        Reply::new().bot(s)
    }
}

/// The bot's own text: Markdown as written; Slack's bold is one star; plain text drops markup.
fn bot_text(s: &str, markup: Markup) -> String {
    match markup {
        Markup::Markdown => s.to_string(),
        Markup::Slack => s.replace("**", "*"),
        Markup::Plain => s.replace("**", "").replace('`', ""),
    }
}

/// Breaks what a platform would turn into a mention, link or hashtag with a zero-width space.
fn defuse(s: &str) -> String {
    const ZWSP: char = '\u{200B}';
    let mut out = String::with_capacity(s.len() + 8);
    let mut prev: Option<char> = None;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let c = if c == '\n' || c == '\r' || c == '\t' {
            ' '
        } else if c.is_control() || c == ZWSP {
            continue;
        } else {
            c
        };
        out.push(c);
        let next = chars.peek().copied();
        let alnum_next = next.is_some_and(|n| n.is_alphanumeric() || n == '_');
        let letter_next = next.is_some_and(char::is_alphabetic);
        match c {
            // @mentions, #hashtags, $cashtags, !subteam and ＠/＃ lookalikes.
            '@' | '#' | '$' | '＠' | '＃' if alnum_next || next == Some('<') => out.push(ZWSP),
            // scheme:// and domain.tld autolinks.
            ':' if next == Some('/') => out.push(ZWSP),
            '.' if letter_next && prev.is_some_and(|p| p.is_alphanumeric()) => out.push(ZWSP),
            _ => {}
        }
        prev = Some(c);
    }
    out
}

/// Untrusted prose, escaped for the platform; never a link, image, mention, comment or marker.
pub fn escape(s: &str, markup: Markup) -> String {
    let s = defuse(s);
    match markup {
        Markup::Markdown => crate::report::markdown::escape_text(&s),
        Markup::Slack => slack_escape(&s),
        Markup::Plain => s,
    }
}

/// Slack's three control characters.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Untrusted text quoted literally, in a span it cannot close.
pub fn code(s: &str, markup: Markup) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match markup {
        Markup::Markdown => crate::report::markdown::code_span(&s),
        // Slack has no longer fences: a backtick inside would close the span.
        Markup::Slack => format!("`{}`", slack_escape(&defuse(&s.replace('`', "ʼ")))),
        Markup::Plain => format!("\"{}\"", defuse(&s)),
    }
}

/// A handle as the platform spells a mention, or escaped text if it is not a plain handle.
fn mention(user: &str, markup: Markup) -> String {
    let plain = !user.is_empty()
        && user.len() <= 64
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !user.starts_with(['.', '-']);
    if !plain {
        return escape(user, markup);
    }
    match markup {
        Markup::Slack
            if user
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) =>
        {
            format!("<@{user}>")
        }
        _ => format!("@{user}"),
    }
}

/// A link the bot made: only `http(s)` addresses and relative paths are linked.
fn link(url: &str, markup: Markup) -> String {
    let safe = !url.is_empty()
        && url
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '|' | '`'));
    if !safe {
        return code(url, markup);
    }
    match markup {
        Markup::Slack => format!("<{url}>"),
        _ => url.to_string(),
    }
}

/// The hidden marker that identifies one reply of the bot, tagged with an HMAC of its key so
/// no one without the bot's secret can write it.
pub fn marker(secret: &[u8], key: &str) -> String {
    format!("<!-- battbot:{key} {} -->", tag(secret, key))
}

/// The first 16 hex digits of HMAC-SHA256(secret, "reply-marker:" + key).
fn tag(secret: &[u8], key: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(b"reply-marker:");
    mac.update(key.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..8])
}

/// The trailer the bot appends to a reply: its marker, then the parser's own-reply marker.
pub fn trailer(secret: &[u8], key: &str) -> String {
    format!(
        "\n\n{}\n{}",
        marker(secret, key),
        crate::command::BOT_COMMENT_MARKER
    )
}

/// Whether `body` is the bot's reply of `key`: the tagged trailer, and only at the very end.
pub fn is_reply_of(body: &str, secret: &[u8], key: &str) -> bool {
    body.trim_end()
        .ends_with(trailer(secret, key).trim_start_matches('\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ATTACK: &str = "2.5 V ![t](https://evil.example/x.png) @octo-org/owners [Sign in](https://evil.example) <!channel> <https://evil.example|click> <!-- battbot:report-x -->";

    #[test]
    fn markdown_text_has_no_live_markup() {
        let out = escape(ATTACK, Markup::Markdown);
        for live in ["![", "](", "<!", "@octo", "https://", "<https"] {
            assert!(!out.contains(live), "{live} in {out}");
        }
    }

    #[test]
    fn slack_text_has_no_control_sequences() {
        let out = escape(ATTACK, Markup::Slack);
        assert!(!out.contains('<') && !out.contains('>'), "{out}");
        assert!(out.contains("&lt;!channel&gt;"));
        let span = code("a`b <!here>", Markup::Slack);
        assert_eq!(span.matches('`').count(), 2, "{span}");
        assert!(!span.contains('<'));
    }

    #[test]
    fn plain_text_has_no_markdown_and_no_live_mention() {
        let r = Reply::new()
            .mention("alice")
            .bot(" job `x` **finished**: ")
            .text("@everyone see evil.com/x")
            .render(Markup::Plain);
        assert!(r.starts_with("@alice job x finished: "), "{r}");
        assert!(!r.contains("@everyone") && !r.contains("evil.com"), "{r}");
    }

    #[test]
    fn code_span_fence_cannot_be_closed() {
        let out = code("a``b`", Markup::Markdown);
        assert!(out.starts_with("```") && out.ends_with("```"), "{out}");
    }

    #[test]
    fn slack_mentions_only_for_ids() {
        assert_eq!(mention("U123ABC", Markup::Slack), "<@U123ABC>");
        assert_eq!(mention("alice", Markup::Slack), "@alice");
        assert!(!mention("<!channel>", Markup::Slack).contains('<'));
    }

    #[test]
    fn marker_only_counts_at_the_end_with_its_tag() {
        let key = "report-gh-o-r-1-c5005";
        let real = format!("done{}", trailer(b"k", key));
        assert!(is_reply_of(&real, b"k", key));
        assert!(!is_reply_of(&real, b"other", key));
        let forged = format!("{} and then some text", marker(b"k", key));
        assert!(!is_reply_of(&forged, b"k", key));
        assert!(!is_reply_of(&format!("<!-- battbot:{key} -->"), b"k", key));
    }
}
