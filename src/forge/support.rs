//! Small helpers shared by the GitHub and GitLab forges: path checks, URL encoding,
//! timestamps.

use super::ForgeError;

/// Refuses paths that would escape the tree or are not plain relative paths.
pub(crate) fn check_path(path: &str) -> Result<(), ForgeError> {
    let bad = path.is_empty()
        || path.starts_with('/')
        || path.contains('\n')
        || path
            .split('/')
            .any(|p| p.is_empty() || p == "." || p == "..");
    if bad {
        return Err(ForgeError::Other(format!(
            "refusing to commit path {path:?}"
        )));
    }
    Ok(())
}

/// Percent-encodes one path segment (or a query value).
pub(crate) fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Encodes a slash-separated path segment by segment.
pub(crate) fn enc_path(path: &str) -> String {
    path.split('/').map(enc).collect::<Vec<_>>().join("/")
}

/// Unix seconds of an RFC 3339 timestamp; 0 when it cannot be read.
pub(crate) fn unix_of(rfc3339: &str) -> i64 {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_encoding() {
        assert!(check_path("a/b.txt").is_ok());
        for bad in ["", "/etc/passwd", "a/../b", "a//b", "./a", "a\nb"] {
            assert!(check_path(bad).is_err(), "{bad:?}");
        }
        assert_eq!(enc("battbot/x y"), "battbot%2Fx%20y");
        assert_eq!(enc_path("reports/a b/c.md"), "reports/a%20b/c.md");
        assert_eq!(unix_of("2023-11-14T22:13:20Z"), 1_700_000_000);
        assert_eq!(unix_of("garbage"), 0);
    }
}
