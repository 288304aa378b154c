//! Markdown helpers that keep user text inert: escaped prose, code spans and fences
//! that no input can break out of.

/// Escapes characters that would make text markdown- or HTML-active.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '|' | '!' | '~' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A code span longer-fenced than any backtick run inside it; table pipes escaped.
pub fn code_span(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ").replace('|', "\\|");
    let longest = longest_run(&s, '`');
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// A fenced code block that the content cannot close.
pub fn code_block(lang: &str, s: &str) -> String {
    let fence = "`".repeat(longest_run(s, '`').max(2) + 1);
    format!("{fence}{lang}\n{}\n{fence}\n", s.trim_end_matches('\n'))
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        if c == ch {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_cannot_be_escaped() {
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_block("", "```\nx"), "````\n```\nx\n````\n");
        assert_eq!(
            escape_text("<img src=x>[a](b)"),
            "&lt;img src=x\\>\\[a\\]\\(b\\)"
        );
    }
}
