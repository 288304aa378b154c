//! Splits a request paragraph into words, quoted strings (straight, smart and guillemet
//! quotes) and punctuation, each with its byte span so steps can be quoted back as written.

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Kind {
    Word,
    Quoted,
    Punct(char),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub kind: Kind,
    /// A word as typed (trailing sentence punctuation removed); a quoted string's inside, trimmed.
    pub text: String,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn is_punct(&self, c: char) -> bool {
        self.kind == Kind::Punct(c)
    }
}

const PUNCT: &[char] = &[
    ',', ';', '!', '?', '(', ')', '[', ']', '{', '}', '*', '=', ':', '–', '—', '&', '|', '<', '>',
];

/// Closing quotes accepted for an opening double quote.
fn double_closers(open: char) -> Option<&'static [char]> {
    Some(match open {
        '"' | '“' | '”' | '＂' => &['"', '”', '“', '＂'],
        '„' => &['“', '”', '"'],
        '«' => &['»'],
        '»' => &['«'],
        _ => return None,
    })
}

fn is_single_quote(c: char) -> bool {
    matches!(c, '\'' | '‘' | '’')
}

/// The byte index where a quote opened at `from` closes on this line, if it does.
fn find_close(s: &str, from: usize, closers: &[char], single: bool) -> Option<usize> {
    let line_end = s[from..].find('\n').map_or(s.len(), |i| from + i);
    let mut iter = s[from..line_end].char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if closers.contains(&c) {
            if single {
                // A closing single quote is not followed by a letter ("it's").
                if iter.peek().is_some_and(|(_, n)| n.is_alphanumeric()) {
                    continue;
                }
            }
            return Some(from + i);
        }
    }
    None
}

pub(crate) fn tokenize(s: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut prev: Option<char> = None;
    while i < s.len() {
        let Some(c) = s[i..].chars().next() else {
            break;
        };
        let len = c.len_utf8();
        if c.is_whitespace() {
            prev = Some(c);
            i += len;
            continue;
        }
        let opens_single =
            is_single_quote(c) && c != '’' && !prev.is_some_and(|p| p.is_alphanumeric());
        let closers: Option<&[char]> = if opens_single {
            Some(&['\'', '’'])
        } else {
            double_closers(c)
        };
        if let Some(closers) = closers {
            let body = i + len;
            match find_close(s, body, closers, opens_single) {
                Some(close) => {
                    let close_len = s[close..].chars().next().map_or(1, char::len_utf8);
                    push_quoted(&mut out, s, body, close, i, close + close_len);
                    i = close + close_len;
                    prev = Some('"');
                    continue;
                }
                None if !opens_single => {
                    // An unclosed double quote runs to the end of its line.
                    let end = s[body..].find('\n').map_or(s.len(), |e| body + e);
                    push_quoted(&mut out, s, body, end, i, end);
                    i = end;
                    prev = Some('"');
                    continue;
                }
                None => {
                    prev = Some(c);
                    i += len;
                    continue;
                }
            }
        }
        if s[i..].starts_with("http://") || s[i..].starts_with("https://") {
            // A link is not a word of the request (the URL check in `push_word` cannot see
            // it: ':' is punctuation).
            i = s[i..].find(char::is_whitespace).map_or(s.len(), |e| i + e);
            prev = Some(' ');
            continue;
        }
        if PUNCT.contains(&c) {
            out.push(Token {
                kind: Kind::Punct(c),
                text: c.to_string(),
                start: i,
                end: i + len,
            });
            prev = Some(c);
            i += len;
            continue;
        }
        if is_single_quote(c) {
            // A stray apostrophe or closing quote.
            prev = Some(c);
            i += len;
            continue;
        }
        let start = i;
        let mut end = i;
        for (j, ch) in s[i..].char_indices() {
            if ch.is_whitespace() || PUNCT.contains(&ch) || double_closers(ch).is_some() {
                break;
            }
            end = i + j + ch.len_utf8();
        }
        if end == start {
            end = start + len;
        }
        push_word(&mut out, s, start, end);
        prev = s[..end].chars().next_back();
        i = end;
    }
    out
}

fn push_quoted(
    out: &mut Vec<Token>,
    s: &str,
    body: usize,
    body_end: usize,
    start: usize,
    end: usize,
) {
    let inner = s[body..body_end].trim();
    if !inner.is_empty() {
        out.push(Token {
            kind: Kind::Quoted,
            text: inner.to_string(),
            start,
            end,
        });
    }
}

/// Pushes a word, dropping trailing sentence punctuation and splitting "SPM/DFN" (but not
/// "C/10" or URLs) into words.
fn push_word(out: &mut Vec<Token>, s: &str, start: usize, end: usize) {
    let mut word = &s[start..end];
    let is_url = word.contains("://") || word.starts_with("www.");
    if is_url {
        return;
    }
    while let Some(stripped) = word
        .strip_suffix('.')
        .or_else(|| word.strip_suffix('…'))
        .or_else(|| word.strip_suffix('\''))
        .or_else(|| word.strip_suffix('’'))
    {
        word = stripped;
    }
    if word.is_empty() {
        return;
    }
    let end = start + word.len();
    let lower = word.to_lowercase();
    let c_rate = lower.starts_with("c/");
    if word.contains('/') && !c_rate {
        let mut at = start;
        for part in word.split('/') {
            if !part.is_empty() {
                out.push(Token {
                    kind: Kind::Word,
                    text: part.to_string(),
                    start: at,
                    end: at + part.len(),
                });
            }
            at += part.len() + 1;
        }
        return;
    }
    out.push(Token {
        kind: Kind::Word,
        text: word.to_string(),
        start,
        end,
    });
}
