//! A Mastodon status's `content` (HTML, sanitised by the author's server — which may be any
//! server, so hostile) reduced to the plain text the command parser reads: tags dropped,
//! `<br>` and paragraphs as line breaks, `<script>`/`<style>` dropped with their content,
//! entities decoded exactly once (so `&lt;b&gt;` is the text `<b>`, never a tag), control
//! characters removed, and the input capped before any work.
//!
//! Hand-written rather than html5ever/html2text: Mastodon's content is a tiny subset
//! (`p`, `br`, `a`, `span`), the output must be unwrapped text (html2text wraps and adds
//! link footnotes), and the whole job is one linear scan.

/// Content longer than this (bytes) is cut before parsing; statuses are 500 characters on
/// most instances, and a remote server's longer HTML is still no command the bot needs.
pub const MAX_HTML_BYTES: usize = 32 * 1024;

/// The plain text of a status's HTML content.
pub fn to_text(html: &str) -> String {
    let mut end = html.len().min(MAX_HTML_BYTES);
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    let html = &html[..end];
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_text(&mut out, &rest[..lt]);
        let after = &rest[lt + 1..];
        let Some(close) = tag_end(after) else {
            // An unterminated tag: nothing after it is text the author meant to show.
            rest = "";
            break;
        };
        let tag = &after[..close];
        rest = &after[close + 1..];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let closing = tag.starts_with('/');
        match (name.as_str(), closing) {
            ("br", _) => out.push('\n'),
            ("p", false) if !out.is_empty() => out.push_str("\n\n"),
            ("script" | "style" | "template", false) => {
                // Drop everything up to the matching close tag (or the end).
                let lower = rest.to_ascii_lowercase();
                rest = match lower.find(&format!("</{name}")) {
                    Some(i) => match tag_end(&rest[i + 1..]) {
                        Some(j) => &rest[i + 1 + j + 1..],
                        None => "",
                    },
                    None => "",
                };
            }
            _ => {}
        }
    }
    push_text(&mut out, rest);
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    lines.join("\n").trim().to_string()
}

/// The index of the `>` closing a tag that starts at `s` (after its `<`); quoted
/// attribute values may contain `>`.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// Appends text between tags, entities decoded once, control characters dropped.
fn push_text(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        push_clean(out, &rest[..amp]);
        let after = &rest[amp + 1..];
        match after.find(';').filter(|&i| i <= 10) {
            Some(semi) => match decode_entity(&after[..semi]) {
                Some(c) => {
                    push_clean(out, c.encode_utf8(&mut [0; 4]));
                    rest = &after[semi + 1..];
                }
                None => {
                    out.push('&');
                    rest = after;
                }
            },
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    push_clean(out, rest);
}

fn push_clean(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            // HTML source line breaks are not line breaks of the text.
            '\n' | '\r' | '\t' => out.push(' '),
            '\u{a0}' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

fn decode_entity(name: &str) -> Option<char> {
    let named = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => None,
    };
    if named.is_some() {
        return named;
    }
    let num = name.strip_prefix('#')?;
    let code = match num.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => num.parse::<u32>().ok()?,
    };
    Some(
        char::from_u32(code)
            .filter(|c| *c != '\0')
            .unwrap_or('\u{fffd}'),
    )
}

#[cfg(test)]
mod tests {
    use super::to_text;

    /// A status from Mastodon's API documentation (Status entity example), as instances send it.
    #[test]
    fn documented_status_content_becomes_its_text() {
        let html = r#"<p><span class="h-card"><a href="https://fediscience.org/@battbot" class="u-url mention">@<span>battbot</span></a></span> simulate SPM with Chen2020</p><p>thanks!</p>"#;
        assert_eq!(
            to_text(html),
            "@battbot simulate SPM with Chen2020\n\nthanks!"
        );
    }

    #[test]
    fn links_keep_their_whole_url_including_invisible_parts() {
        let html = r#"<p>see <a href="https://example.com/a/b" rel="nofollow noopener" target="_blank"><span class="invisible">https://</span><span class="ellipsis">example.com/a</span><span class="invisible">/b</span></a></p>"#;
        assert_eq!(to_text(html), "see https://example.com/a/b");
    }

    #[test]
    fn attack_html_script_entities_mentions_and_links_stay_text() {
        // A script and a style block vanish with their content.
        assert_eq!(
            to_text(
                "<p>@battbot help</p><script>alert('@battbot abort')</script><style>p{}</style>"
            ),
            "@battbot help"
        );
        // Escaped markup is text, decoded once: never re-read as a tag or an entity.
        assert_eq!(
            to_text("<p>&lt;script&gt;x&lt;/script&gt; &amp;lt; &#x3C;b&#62;</p>"),
            "<script>x</script> &lt; <b>"
        );
        // A mention's visible text is what counts, whatever its link says.
        assert_eq!(
            to_text(
                r#"<a href="https://evil.example/@admin" class="mention">@<span>battbot</span></a> status"#
            ),
            "@battbot status"
        );
        // `>` inside a quoted attribute does not end the tag.
        assert_eq!(
            to_text(r#"<a title="a>b" href='x>y'>link</a> ok"#),
            "link ok"
        );
        // An unterminated tag swallows the rest; a bare `&` is kept.
        assert_eq!(to_text("a & b <a href=\"x"), "a & b");
        // Line breaks only where the HTML says; control characters dropped.
        assert_eq!(
            to_text("one<br>two<br/>three\nfour\u{7}"),
            "one\ntwo\nthree four"
        );
        // Invalid numeric entities become U+FFFD, NUL included; unknown names stay literal.
        assert_eq!(
            to_text("&#0;&#xD800;&#99999999;&bogus;"),
            "\u{fffd}\u{fffd}\u{fffd}&bogus;"
        );
    }

    #[test]
    fn attack_huge_content_is_capped_before_work() {
        let html = format!("<p>{}</p>", "é".repeat(100_000));
        let text = to_text(&html);
        assert!(text.len() <= super::MAX_HTML_BYTES);
        assert!(text.chars().all(|c| c == 'é'));
    }
}
