//! Bluesky rich text: the `app.bsky.richtext.facet` annotations that make links and mentions
//! of a post clickable, on UTF-8 **byte** offsets (the lexicon's `byteStart`/`byteEnd`), and
//! fitting a reply into the 300-grapheme limit without cutting its links.
//!
//! Hand-written rather than `bsky_sdk::rich_text::RichText::detect_facets`: that resolves
//! every `@handle` against the public AppView (no fake can stand in, and an unresolvable
//! handle fails the post) and panics on a handle it cannot parse. The bot knows the DIDs of
//! the accounts it mentions (the asker's, from the notification), so nothing needs resolving.
//! Grapheme counting is `bsky_sdk`'s.

use serde_json::{json, Value};

/// Bluesky's post length limit, in graphemes.
pub const MAX_GRAPHEMES: usize = 300;

/// One annotated byte range of a post's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facet {
    pub byte_start: usize,
    pub byte_end: usize,
    pub feature: Feature,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feature {
    Link(String),
    /// A mention of the account with this DID.
    Mention(String),
}

/// The facets of `text`: every `http(s)://` link, and every `@handle` of `known` (handle,
/// DID) pairs. Offsets are byte offsets into `text`.
pub fn detect(text: &str, known: &[(&str, &str)]) -> Vec<Facet> {
    let mut out = Vec::new();
    for (start, token) in words(text) {
        if let Some(url) = link(token) {
            out.push(Facet {
                byte_start: start,
                byte_end: start + url.len(),
                feature: Feature::Link(url.to_string()),
            });
        } else if let Some(handle) = token.strip_prefix('@') {
            let handle = handle.trim_end_matches(TRAILING);
            let known = known.iter().filter(|(h, _)| !h.is_empty());
            if let Some((h, did)) = known.clone().find(|(h, _)| h.eq_ignore_ascii_case(handle)) {
                out.push(Facet {
                    byte_start: start,
                    byte_end: start + 1 + h.len(),
                    feature: Feature::Mention(did.to_string()),
                });
            }
        }
    }
    out
}

const TRAILING: &[char] = &['.', ',', ';', ':', '!', '?', ')', '"', '\''];

/// Whitespace-separated words with their byte offsets; a word may start after `(`.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive(char::is_whitespace)
        .scan(0usize, |pos, chunk| {
            let start = *pos;
            *pos += chunk.len();
            Some((start, chunk.trim_end()))
        })
        .filter(|(_, w)| !w.is_empty())
        .map(|(start, w)| match w.strip_prefix('(') {
            Some(rest) => (start + 1, rest),
            None => (start, w),
        })
}

/// The link a word is (trailing punctuation excluded), if it is one.
fn link(word: &str) -> Option<&str> {
    let url = word.trim_end_matches(TRAILING);
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    (!rest.is_empty()).then_some(url)
}

/// The facets as the lexicon's JSON (`app.bsky.richtext.facet` objects).
pub fn to_json(facets: &[Facet]) -> Value {
    Value::Array(
        facets
            .iter()
            .map(|f| {
                let feature = match &f.feature {
                    Feature::Link(uri) => {
                        json!({"$type": "app.bsky.richtext.facet#link", "uri": uri})
                    }
                    Feature::Mention(did) => {
                        json!({"$type": "app.bsky.richtext.facet#mention", "did": did})
                    }
                };
                json!({
                    "index": {"byteStart": f.byte_start, "byteEnd": f.byte_end},
                    "features": [feature],
                })
            })
            .collect(),
    )
}

/// The number of graphemes Bluesky counts.
pub fn graphemes(text: &str) -> usize {
    bsky_sdk::rich_text::RichText::new(text, None).grapheme_len()
}

/// `text` within [`MAX_GRAPHEMES`]: the prose is shortened (ending in `…`) and every link
/// is kept whole, after it.
pub fn fit(text: &str) -> String {
    let text = text.trim();
    if graphemes(text) <= MAX_GRAPHEMES {
        return text.to_string();
    }
    let links: Vec<&str> = words(text).filter_map(|(_, w)| link(w)).collect();
    let tail = links.join(" ");
    let mut prose = String::new();
    for (_, w) in words(text) {
        if link(w).is_none() {
            if !prose.is_empty() {
                prose.push(' ');
            }
            prose.push_str(w);
        }
    }
    // Characters are never fewer than graphemes, so counting characters is safe.
    let budget = MAX_GRAPHEMES.saturating_sub(graphemes(&tail) + 2);
    let mut cut: String = prose.chars().take(budget).collect();
    if let Some(sp) = cut.rfind(' ').filter(|&sp| cut.len() - sp <= 20) {
        cut.truncate(sp);
    }
    let mut out = format!("{}…", cut.trim_end());
    if !tail.is_empty() {
        out.push('\n');
        out.push_str(&tail);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_facet_after_accents_and_emoji_covers_exactly_the_link_bytes() {
        let url = "https://github.com/battbot/reports/tree/main/bluesky/zoé/3l3qo2vutsw2b";
        let text = format!("@zoé.example 🔋 résumé: done {url}.");
        let facets = detect(&text, &[]);
        assert_eq!(facets.len(), 1, "{facets:?}");
        let f = &facets[0];
        assert_eq!(&text.as_bytes()[f.byte_start..f.byte_end], url.as_bytes());
        // é is 2 bytes and 🔋 4: character offsets would be off by 1 + 3 + 2.
        assert_eq!(f.byte_start, text.find("https").unwrap());
        assert_ne!(f.byte_start, text.chars().position(|c| c == 'h').unwrap());
        assert_eq!(f.feature, Feature::Link(url.into()));
    }

    #[test]
    fn mentions_of_known_accounts_get_their_did() {
        let text = "(@alice.bsky.social, see https://x.org) and @bob.test";
        assert!(detect("a bare @ is nobody", &[("", "did:plc:x")]).is_empty());
        let facets = detect(text, &[("alice.bsky.social", "did:plc:alice")]);
        assert_eq!(facets.len(), 2);
        assert_eq!(
            &text[facets[0].byte_start..facets[0].byte_end],
            "@alice.bsky.social"
        );
        assert_eq!(facets[0].feature, Feature::Mention("did:plc:alice".into()));
        assert_eq!(
            &text[facets[1].byte_start..facets[1].byte_end],
            "https://x.org"
        );
        let json = to_json(&facets);
        assert_eq!(
            json[1]["features"][0]["$type"],
            "app.bsky.richtext.facet#link"
        );
        assert_eq!(json[0]["index"]["byteStart"], 1);
    }

    #[test]
    fn long_replies_fit_and_keep_their_link() {
        let url =
            "https://github.com/battbot/reports/blob/main/bluesky/alice/3l3qo2vutsw2b/report.md";
        let text = format!("{} {url}", "🔋 voltage ".repeat(60));
        let out = fit(&text);
        assert!(graphemes(&out) <= MAX_GRAPHEMES, "{}", graphemes(&out));
        assert!(out.ends_with(url));
        assert!(out.contains('…'));
        let facets = detect(&out, &[]);
        assert_eq!(&out[facets[0].byte_start..facets[0].byte_end], url);
        assert_eq!(fit(" short "), "short");
    }
}
