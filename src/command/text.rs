//! Finds what in a comment is addressed to the bot: drops code, quoted lines and the bot's
//! own replies, then returns each paragraph that mentions the bot, with the mention removed.

/// A hidden marker the bot puts in its own comments; text containing it is never a request.
pub const BOT_COMMENT_MARKER: &str = "<!-- battbot-reply -->";

/// Removes fenced code blocks, quoted lines (`>` or Slack's `&gt;`), inline code and HTML comments.
pub(crate) fn strip_non_requests(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fence: Option<(char, usize)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let fence_char = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        let run = fence_char.map_or(0, |c| trimmed.chars().take_while(|&x| x == c).count());
        if let Some((c, n)) = fence {
            if fence_char == Some(c) && run >= n && trimmed[run..].trim().is_empty() {
                fence = None;
            }
            out.push('\n');
            continue;
        }
        if run >= 3 && indent <= 3 {
            fence = fence_char.map(|c| (c, run));
            out.push('\n');
            continue;
        }
        if trimmed.starts_with('>') || trimmed.starts_with("&gt;") {
            out.push('\n');
            continue;
        }
        out.push_str(&strip_inline_code(line));
        out.push('\n');
    }
    strip_html_comments(&out)
}

/// Replaces `code` spans (any run length, closed by the same run) by a space.
fn strip_inline_code(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('`') {
        let run = rest[open..].chars().take_while(|&c| c == '`').count();
        let after = &rest[open + run..];
        let delim = "`".repeat(run);
        let close = find_run(after, &delim);
        match close {
            Some(close) => {
                out.push_str(&rest[..open]);
                out.push(' ');
                rest = &after[close + run..];
            }
            None => {
                out.push_str(&rest[..open + run]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Position of a backtick run of exactly `delim.len()` in `s`.
fn find_run(s: &str, delim: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find(delim) {
        let at = from + i;
        let end = at + delim.len();
        let before = at > 0 && s.as_bytes()[at - 1] == b'`';
        let after = s.as_bytes().get(end) == Some(&b'`');
        if !before && !after {
            return Some(at);
        }
        from = at + s[at..].chars().take_while(|&c| c == '`').count();
    }
    None
}

/// Removes HTML comments in one linear pass that also catches a `<!--` formed by what is left
/// around a removed comment (`<!<!-- x -->-- …` hides nothing); an unclosed comment runs to the end.
fn strip_html_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        out.push(c);
        rest = &rest[c.len_utf8()..];
        if out.ends_with("<!--") {
            out.truncate(out.len() - 4);
            match rest.find("-->") {
                Some(close) => rest = &rest[close + 3..],
                None => break,
            }
        }
    }
    out
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// Byte ranges of mentions of any of `names` in `line`: `@name`, Slack's `<@name>` /
/// `<@name|label>`, and `/name` at the start of a line (Slack slash commands).
fn mentions(line: &str, names: &[String]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    for (i, c) in line.char_indices() {
        let (prefix_len, slack) = match c {
            '@' => (1, line[..i].ends_with('<')),
            '/' if line[..i].trim().is_empty() => (1, false),
            _ => continue,
        };
        if !slack && c == '@' {
            if let Some(prev) = line[..i].chars().next_back() {
                if prev.is_alphanumeric() || prev == '_' {
                    continue; // an e-mail address
                }
            }
        }
        let start = i + prefix_len;
        for name in names {
            let Some(cand) = line.get(start..start + name.len()) else {
                continue;
            };
            if !cand.eq_ignore_ascii_case(name) {
                continue;
            }
            let mut end = start + name.len();
            if line[end..].chars().next().is_some_and(is_name_char) {
                continue;
            }
            let mut begin = i;
            if slack {
                begin = i - 1;
                if let Some(close) = line[end..].find('>') {
                    end += close + 1;
                }
            }
            found.push((begin, end));
            break;
        }
    }
    found
}

/// The paragraphs (blank-line separated) of `text` that mention the bot, in order, each
/// with its mentions blanked out; a second line mentioning the bot starts a new request.
pub(crate) fn addressed_paragraphs(text: &str, names: &[String]) -> Vec<String> {
    let mut names: Vec<String> = names
        .iter()
        .map(|n| n.trim_start_matches(['@', '/']).to_string())
        .filter(|n| !n.is_empty())
        .collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let mut out = Vec::new();
    let mut para = String::new();
    let mut addressed = false;
    let flush = |para: &mut String, addressed: &mut bool, out: &mut Vec<String>| {
        if *addressed {
            out.push(std::mem::take(para));
        }
        para.clear();
        *addressed = false;
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush(&mut para, &mut addressed, &mut out);
            continue;
        }
        let found = mentions(line, &names);
        if addressed && !found.is_empty() {
            // Another mention line starts another request (bors-style one command per line).
            flush(&mut para, &mut addressed, &mut out);
        }
        let mut cleaned = String::with_capacity(line.len());
        let mut last = 0;
        for (a, b) in &found {
            cleaned.push_str(&line[last..*a]);
            cleaned.push(' ');
            last = *b;
        }
        cleaned.push_str(&line[last..]);
        addressed |= !found.is_empty();
        para.push_str(&cleaned);
        para.push('\n');
    }
    flush(&mut para, &mut addressed, &mut out);
    out
}

/// Whether the whole text is something the bot never answers: its own reply or a retweet.
pub(crate) fn never_a_request(text: &str) -> bool {
    let t = text.trim_start();
    text.contains(BOT_COMMENT_MARKER) || t.starts_with("RT @")
}

#[cfg(test)]
mod tests {
    use super::strip_html_comments;

    #[test]
    fn nested_comment_cannot_reform_a_marker() {
        let forged = "2.5 V <!<!-- x -->-- battbot:report-gh-o-r-1-c5005 --> tail";
        let out = strip_html_comments(forged);
        assert!(!out.contains("<!--"), "{out}");
        assert!(!out.contains("battbot:report"), "{out}");
        assert_eq!(strip_html_comments("a <!-- b --> c"), "a  c");
        assert_eq!(strip_html_comments("a <!-- open"), "a ");
    }
}
