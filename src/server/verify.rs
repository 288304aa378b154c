//! Verifies webhook signatures before anything parses the body: GitHub's
//! `X-Hub-Signature-256` (HMAC-SHA256) and GitLab's `X-Gitlab-Token`, in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// `sha256=<hex>` of the body under `secret`, as GitHub computes it.
pub fn github_signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `header` is the valid `X-Hub-Signature-256` of `body` (constant-time compare).
pub fn verify_github(secret: &[u8], body: &[u8], header: Option<&str>) -> bool {
    let Some(hex_sig) = header.and_then(|h| h.trim().strip_prefix("sha256=")) else {
        return false;
    };
    let Ok(given) = hex::decode(hex_sig) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// Constant-time equality of two secrets (GitLab's token header).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // HMAC both sides under a fixed key so the comparison time does not depend on the
    // position of the first difference nor (beyond hashing) on the lengths.
    let digest = |x: &[u8]| {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"battbot-compare").expect("any key");
        mac.update(x);
        mac.finalize().into_bytes()
    };
    let (da, db) = (digest(a), digest(b));
    da.iter()
        .zip(db.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn malformed_headers_fail() {
        assert!(!verify_github(b"k", b"x", None));
        assert!(!verify_github(b"k", b"x", Some("sha1=00")));
        assert!(!verify_github(b"k", b"x", Some("sha256=zz")));
    }
}
