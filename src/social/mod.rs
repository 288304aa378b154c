//! Twitter, Slack, Mastodon and Bluesky clients, webhook verification and payload parsing:
//! plain types, no bot logic. Base URLs are injectable so tests aim the real clients at wiremock.

pub mod bluesky;
pub mod facets;
pub mod mastodon;
pub mod mastodon_html;
pub mod mastodon_stream;
pub mod oauth1;
pub mod slack;
pub mod slack_webhook;
pub mod twitter;
pub mod twitter_webhook;

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A credential. `Debug` and `Display` print `***`, so a secret never reaches a log line,
/// an error message or a `{:?}` dump; [`Secret::expose`] is the one way to read it.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value, for signing or an `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

/// A tweet that mentions the bot, from the v2 mentions endpoint or an Account Activity
/// `tweet_create_events` delivery.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Mention {
    pub tweet_id: u64,
    /// Empty when the source did not say (a v2 response without `author_id`).
    pub author_id: String,
    /// Empty when the source did not say (a v2 response without the `author_id` expansion).
    pub author_username: String,
    pub text: String,
    /// The tweet this one replies to.
    pub in_reply_to: Option<u64>,
    pub is_retweet: bool,
}

impl Mention {
    /// Whether the bot should answer it: not a retweet, not written by the bot itself.
    pub fn is_actionable(&self, bot_user_id: &str) -> bool {
        !self.is_retweet && self.author_id != bot_user_id
    }
}

/// Undoes the HTML escaping Twitter and Slack apply to message text (`&amp;`, `&lt;`,
/// `&gt;`), so the command parser sees what the user typed.
pub fn unescape_text(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// How a client waits (for media processing): really, or only recording the waits it was
/// asked for, so tests and the demo run at full speed and can assert the pacing.
#[derive(Clone, Default)]
pub enum Sleeper {
    #[default]
    Tokio,
    Record(Arc<Mutex<Vec<Duration>>>),
}

impl Sleeper {
    /// A recorder and the list it appends every requested wait to.
    pub fn recording() -> (Self, Arc<Mutex<Vec<Duration>>>) {
        let log = Arc::new(Mutex::new(Vec::new()));
        (Sleeper::Record(log.clone()), log)
    }

    pub async fn sleep(&self, duration: Duration) {
        match self {
            Sleeper::Tokio => tokio::time::sleep(duration).await,
            Sleeper::Record(log) => {
                if let Ok(mut log) = log.lock() {
                    log.push(duration);
                }
            }
        }
    }
}

impl fmt::Debug for Sleeper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sleeper::Tokio => f.write_str("Sleeper::Tokio"),
            Sleeper::Record(_) => f.write_str("Sleeper::Record"),
        }
    }
}

/// Twitter's weighted length limit.
pub const TWEET_MAX_WEIGHT: usize = 280;
/// Every URL counts as this many characters, whatever its length (t.co wrapping).
pub const TWEET_URL_WEIGHT: usize = 23;
const ELLIPSIS: char = '…';

/// Twitter's weighted length of `text` (twitter-text v3 configuration): code points in
/// U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and U+2032–U+2037 weigh 1, all others 2
/// (CJK, emoji); every `http://`/`https://` URL and bare `domain.tld` token weighs 23.
/// Emoji sequences are counted per code point, which can only over-count.
pub fn tweet_weight(text: &str) -> usize {
    segments(text).iter().map(Segment::weight).sum()
}

/// Trims `text` to at most 280 weighted characters without ever cutting a URL: the prose
/// is shortened (at a word boundary when one is near) and ends in `…`, and the URLs that
/// came after the cut are kept, so an error hint followed by a report link keeps the link.
pub fn reply_text(text: &str) -> String {
    let text = text.trim();
    if tweet_weight(text) <= TWEET_MAX_WEIGHT {
        return text.to_owned();
    }
    let mut segs = segments(text);
    // Room for every URL plus a separating space and the ellipsis; drop trailing URLs if
    // even that does not fit.
    let reserved = |segs: &[Segment]| {
        segs.iter()
            .filter(|s| s.is_url())
            .map(|s| s.weight() + 1)
            .sum::<usize>()
            + char_weight(ELLIPSIS)
    };
    while reserved(&segs) > TWEET_MAX_WEIGHT {
        match segs.iter().rposition(Segment::is_url) {
            Some(i) => {
                segs.remove(i);
            }
            None => break,
        }
    }
    let mut budget = TWEET_MAX_WEIGHT.saturating_sub(reserved(&segs));
    let mut out = String::new();
    let mut cut = false;
    for seg in &segs {
        match seg {
            Segment::Url(url) => {
                if cut && !out.ends_with(char::is_whitespace) {
                    out.push(' ');
                }
                out.push_str(url);
            }
            Segment::Text(t) if !cut => {
                let mut taken = 0;
                for (i, c) in t.char_indices() {
                    let w = char_weight(c);
                    if w > budget {
                        cut = true;
                        break;
                    }
                    budget -= w;
                    taken = i + c.len_utf8();
                }
                if cut {
                    let mut kept = &t[..taken];
                    // Back off to a word boundary when one is within 20 bytes.
                    if let Some(sp) = kept.rfind(char::is_whitespace) {
                        if kept.len() - sp <= 20 {
                            kept = &kept[..sp];
                        }
                    }
                    out.push_str(kept.trim_end());
                    // Never glue the ellipsis onto a URL (its reserved space pays for this).
                    if out.ends_with(|c: char| !c.is_whitespace())
                        && matches!(segments(&out).last(), Some(Segment::Url(_)))
                    {
                        out.push(' ');
                    }
                    out.push(ELLIPSIS);
                } else {
                    out.push_str(t);
                }
            }
            Segment::Text(_) => {}
        }
    }
    out
}

#[derive(Debug, PartialEq)]
enum Segment<'a> {
    Text(&'a str),
    Url(&'a str),
}

impl Segment<'_> {
    fn is_url(&self) -> bool {
        matches!(self, Segment::Url(_))
    }

    fn weight(&self) -> usize {
        match self {
            Segment::Text(t) => t.chars().map(char_weight).sum(),
            Segment::Url(u) => TWEET_URL_WEIGHT.max(bare_domain_floor(u)),
        }
    }
}

/// A `https://…` URL weighs 23 exactly; a bare `domain.tld` token is counted as at least
/// its own length so a false positive never under-counts.
fn bare_domain_floor(token: &str) -> usize {
    if token.starts_with("http://") || token.starts_with("https://") {
        0
    } else {
        token.chars().map(char_weight).sum()
    }
}

fn char_weight(c: char) -> usize {
    let cp = c as u32;
    let light = cp <= 0x10FF
        || (0x2000..=0x200D).contains(&cp)
        || (0x2010..=0x201F).contains(&cp)
        || (0x2032..=0x2037).contains(&cp);
    if light {
        1
    } else {
        2
    }
}

/// Splits text into prose and URL tokens. Trailing punctuation after a URL stays prose,
/// as Twitter does not count it as part of the link.
fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let at_word_start = i == 0 || text[..i].ends_with(char::is_whitespace);
        if at_word_start {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let token = &rest[..end];
            let trimmed = token.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'']);
            if is_url_token(trimmed) {
                if text_start < i {
                    out.push(Segment::Text(&text[text_start..i]));
                }
                out.push(Segment::Url(trimmed));
                i += trimmed.len();
                text_start = i;
                continue;
            }
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    if text_start < text.len() {
        out.push(Segment::Text(&text[text_start..]));
    }
    out
}

fn is_url_token(token: &str) -> bool {
    if let Some(rest) = token
        .strip_prefix("https://")
        .or_else(|| token.strip_prefix("http://"))
    {
        return !rest.is_empty();
    }
    // Bare domain: label(s) then a dot and an alphabetic TLD of two or more letters.
    let host = token.split(['/', '?', '#']).next().unwrap_or("");
    match host.rsplit_once('.') {
        Some((name, tld)) => {
            !name.is_empty()
                && !name.starts_with('@')
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                && tld.len() >= 2
                && tld.chars().all(|c| c.is_ascii_alphabetic())
        }
        None => false,
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::future::Future;
    use std::path::PathBuf;
    use std::time::Duration;
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    /// Reads a recorded fixture under `tests/data/fixtures` (see tests/data/PROVENANCE.md).
    pub fn fixture(rel: &str) -> String {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/fixtures")
            .join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    pub fn fixture_json(rel: &str) -> serde_json::Value {
        serde_json::from_str(&fixture(rel)).expect("fixture is JSON")
    }

    pub async fn within<F: Future>(f: F) -> F::Output {
        tokio::time::timeout(Duration::from_secs(30), f)
            .await
            .expect("test timed out")
    }

    /// A fake whose unmatched requests answer 599 and fail verification on drop.
    pub async fn strict_server() -> MockServer {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(599))
            .with_priority(255)
            .expect(0)
            .named("catch-all: an unexpected request")
            .mount(&server)
            .await;
        server
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_prints_stars() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "*** ***");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn weight_counts_urls_as_23_and_cjk_as_2() {
        assert_eq!(tweet_weight("hello"), 5);
        assert_eq!(
            tweet_weight("see https://example.com/a/very/long/path/that/goes/on"),
            4 + 23
        );
        assert_eq!(tweet_weight("see https://x.co."), 4 + 23 + 1);
        assert_eq!(tweet_weight("電池"), 4);
        assert_eq!(tweet_weight("“ok”"), 4);
        assert_eq!(tweet_weight("bare battbot.org link"), 5 + 23 + 5);
        // Voltages and C-rates are not domains.
        assert_eq!(tweet_weight("2.5 V at 0.5C"), 13);
    }

    #[test]
    fn unescape_restores_typed_text() {
        assert_eq!(
            unescape_text("a &lt; b &amp;&amp; c &gt; d"),
            "a < b && c > d"
        );
        assert_eq!(unescape_text("&amp;lt;"), "&lt;");
    }

    #[test]
    fn short_text_is_unchanged() {
        assert_eq!(reply_text("  fine  "), "fine");
    }

    #[test]
    fn long_text_keeps_trailing_url_whole() {
        let url = "https://github.com/battbot/reports/tree/main/twitter/alice/1578516295611748353";
        let text = format!("{} {url}", "word ".repeat(100));
        let out = reply_text(&text);
        assert!(
            tweet_weight(&out) <= TWEET_MAX_WEIGHT,
            "{}",
            tweet_weight(&out)
        );
        assert!(out.ends_with(url), "{out}");
        assert!(out.contains('…'));
        // The prose was cut at a word boundary.
        assert!(out.contains("word… https://"), "{out}");
    }

    #[test]
    fn trimming_never_splits_a_url_in_the_middle() {
        let url = "https://example.com/report";
        for n in 230..300 {
            let text = format!("{} {url} {}", "x".repeat(n), "tail ".repeat(20));
            let out = reply_text(&text);
            assert!(tweet_weight(&out) <= TWEET_MAX_WEIGHT);
            let urls: Vec<_> = segments(&out).into_iter().filter(Segment::is_url).collect();
            assert_eq!(urls, vec![Segment::Url(url)], "{out}");
        }
        let wide = "電".repeat(200);
        let out = reply_text(&format!("{wide} {url}"));
        assert!(tweet_weight(&out) <= TWEET_MAX_WEIGHT);
        assert!(out.ends_with(url));
    }

    /// The guard every client test relies on: a request no mock expects fails the test.
    #[tokio::test]
    #[should_panic(expected = "catch-all")]
    async fn strict_server_fails_on_an_unexpected_request() {
        let server = test_support::strict_server().await;
        let status = reqwest::Client::new()
            .get(format!("{}/nobody/expects/this", server.uri()))
            .send()
            .await
            .map(|r| r.status().as_u16());
        assert_eq!(status.ok(), Some(599));
        drop(server);
    }

    /// Formats every client and every error kind the module can produce, with `{:?}`,
    /// `{}` and the source chain, and looks for any secret.
    #[tokio::test]
    async fn secrets_never_appear_in_debug_or_errors() {
        use super::slack::{tests::TOKEN, SlackClient, SlackConfig};
        use super::test_support::{strict_server, within};
        use super::twitter::tests::{creds, ACCESS_453};
        use super::twitter::{TwitterClient, TwitterConfig};
        use wiremock::matchers::{method, path, path_regex};
        use wiremock::{Mock, ResponseTemplate};

        within(async {
            let secrets = [
                "ck-SECRET-consumer-key",
                "cs-SECRET-consumer-secret",
                "at-SECRET-access-token",
                "ats-SECRET-token-secret",
                TOKEN,
                "slack-SECRET-signing",
            ];
            let server = strict_server().await;
            let respond = |p: &str, t: ResponseTemplate| {
                Mock::given(method("POST")).and(path(p.to_owned())).respond_with(t)
            };
            respond("/t/2/tweets", ResponseTemplate::new(403).set_body_string(ACCESS_453))
                .up_to_n_times(1).mount(&server).await;
            respond("/t/2/tweets", ResponseTemplate::new(429).insert_header("x-rate-limit-reset", "1"))
                .up_to_n_times(1).mount(&server).await;
            respond("/t/2/tweets", ResponseTemplate::new(401).set_body_string(
                r#"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#))
                .up_to_n_times(1).mount(&server).await;
            respond("/t/2/tweets", ResponseTemplate::new(200).set_body_string("not json"))
                .up_to_n_times(1).mount(&server).await;
            Mock::given(method("POST")).and(path_regex("^/t/2/media/upload"))
                .respond_with(ResponseTemplate::new(200).set_body_string(
                    r#"{"media_id_string":"1","processing_info":{"state":"failed"}}"#))
                .mount(&server).await;
            respond("/s/api/chat.postMessage", ResponseTemplate::new(200).set_body_string(
                r#"{"ok":false,"error":"invalid_auth"}"#)).up_to_n_times(1).mount(&server).await;
            respond("/s/api/chat.postMessage", ResponseTemplate::new(429).insert_header("retry-after", "3"))
                .up_to_n_times(1).mount(&server).await;
            respond("/s/api/chat.postMessage", ResponseTemplate::new(500).set_body_string("boom"))
                .up_to_n_times(1).mount(&server).await;

            let tw = TwitterClient::new(creds(), TwitterConfig::with_base(&format!("{}/t/", server.uri())).unwrap())
                .unwrap().with_sleeper(Sleeper::recording().0);
            let sl = SlackClient::new(Secret::new(TOKEN), SlackConfig::with_base(&format!("{}/s/api/", server.uri())).unwrap())
                .unwrap();
            let dead_tw = TwitterClient::new(creds(), TwitterConfig::with_base("http://127.0.0.1:9/").unwrap()).unwrap();
            let dead_sl = SlackClient::new(Secret::new(TOKEN), SlackConfig::with_base("http://127.0.0.1:9/api/").unwrap()).unwrap();

            let mut shown = vec![format!("{tw:?}"), format!("{sl:?}"), format!("{:?}", creds())];
            let push = |e: &dyn std::error::Error, shown: &mut Vec<String>| {
                let mut chain = format!("{e} | {e:?}");
                let mut src = e.source();
                while let Some(s) = src {
                    chain.push_str(&format!(" | {s} | {s:?}"));
                    src = s.source();
                }
                shown.push(chain);
            };
            for _ in 0..4 {
                push(&tw.post_tweet("x", None, &[]).await.unwrap_err(), &mut shown);
            }
            push(&tw.upload_gif(b"GIF89a").await.unwrap_err(), &mut shown);
            push(&dead_tw.post_tweet("x", None, &[]).await.unwrap_err(), &mut shown);
            for _ in 0..3 {
                push(&sl.post_message("C1", None, "x").await.unwrap_err(), &mut shown);
            }
            push(&dead_sl.post_message("C1", None, "x").await.unwrap_err(), &mut shown);
            let signing = Secret::new("slack-SECRET-signing");
            push(&slack_webhook::verify(&signing, Some("1"), Some("v0=00"), b"{}", 1).unwrap_err(), &mut shown);
            push(&slack_webhook::verify(&signing, Some("1"), Some("v0=00"), b"{}", 9999).unwrap_err(), &mut shown);
            push(&twitter_webhook::verify_signature(&creds().consumer_secret, b"{}", Some("sha256=AAAA")).unwrap_err(), &mut shown);

            assert!(shown.len() >= 15);
            for text in &shown {
                for secret in secrets {
                    assert!(!text.contains(secret), "secret {secret:?} leaked in {text}");
                }
            }
            // The kinds we meant to produce were produced.
            let all = shown.join("\n");
            for needle in ["AccessLevel", "RateLimited", "Problem", "Unexpected", "MediaFailed", "Http",
                           "invalid_auth", "Status", "Stale", "BadSignature"] {
                assert!(all.contains(needle), "{needle} not produced");
            }
        })
        .await;
    }
}
