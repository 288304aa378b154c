//! Per-user and per-repository request rate limits (a sliding one-hour window in
//! memory): cheap protection against floods, answered with a friendly reply.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// A sliding-window counter per key. A hit may carry the request it counts (a comment), so
/// a request is counted once however often it is checked or delivered.
pub struct RateLimiter {
    window_s: i64,
    max: usize,
    hits: Mutex<HashMap<String, VecDeque<Hit>>>,
}

/// One counted request: when, and which request (empty when not said).
struct Hit {
    at: i64,
    request: String,
}

impl RateLimiter {
    pub fn new(max: usize, window_s: i64) -> RateLimiter {
        RateLimiter {
            window_s,
            max,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a hit at `now`; `Err(seconds)` says when the next one will be allowed.
    pub fn check(&self, key: &str, now: i64) -> Result<(), i64> {
        self.hit(key, "", now, true)
    }

    /// Counts `request` at `now` unless it is already counted in the window (a redelivery,
    /// or a second check of one request); `Err(seconds)` as `check`.
    pub fn check_request(&self, key: &str, request: &str, now: i64) -> Result<(), i64> {
        self.hit(key, request, now, true)
    }

    /// Whether `check_request` would allow `request` at `now`, counting nothing: what is
    /// asked before any expensive work, so a key over its limit costs nothing more.
    pub fn peek(&self, key: &str, request: &str, now: i64) -> Result<(), i64> {
        self.hit(key, request, now, false)
    }

    fn hit(&self, key: &str, request: &str, now: i64, count: bool) -> Result<(), i64> {
        if self.max == 0 {
            return Ok(());
        }
        let mut hits = self.hits.lock().expect("rate limiter lock");
        if hits.len() > 100_000 {
            // Bound memory under a flood of distinct keys: forget idle ones.
            hits.retain(|_, q| q.back().is_some_and(|h| now - h.at < self.window_s));
        }
        if !count && !hits.contains_key(key) {
            return Ok(());
        }
        let queue = hits.entry(key.to_string()).or_default();
        while queue.front().is_some_and(|h| now - h.at >= self.window_s) {
            queue.pop_front();
        }
        if !request.is_empty() && queue.iter().any(|h| h.request == request) {
            return Ok(());
        }
        if queue.len() >= self.max {
            let oldest = queue.front().expect("non-empty when full").at;
            return Err(oldest + self.window_s - now);
        }
        if count {
            queue.push_back(Hit {
                at: now,
                request: request.to_string(),
            });
        }
        Ok(())
    }
}

/// Remembers signatures of accepted callbacks for as long as their timestamps are valid,
/// so a captured callback cannot be replayed within that window.
#[derive(Default)]
pub struct ReplayGuard {
    seen: Mutex<HashMap<String, i64>>,
}

impl ReplayGuard {
    /// Records `key`; false if it was seen within `ttl_s`.
    pub fn first_time(&self, key: &str, now: i64, ttl_s: i64) -> bool {
        let mut seen = self.seen.lock().expect("replay guard lock");
        if seen.len() > 10_000 {
            seen.retain(|_, at| now - *at < ttl_s);
        }
        match seen.get(key) {
            Some(at) if now - at < ttl_s => false,
            _ => {
                seen.insert(key.to_string(), now);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn window_slides() {
        let rl = RateLimiter::new(2, 3600);
        assert!(rl.check("a", 0).is_ok());
        assert!(rl.check("a", 10).is_ok());
        assert_eq!(rl.check("a", 20), Err(3580));
        assert!(rl.check("b", 20).is_ok());
        assert!(rl.check("a", 3600).is_ok());
    }

    #[test]
    fn peek_counts_nothing_and_a_request_is_counted_once() {
        let rl = RateLimiter::new(2, 3600);
        assert!(rl.peek("a", "c1", 0).is_ok());
        assert!(rl.peek("a", "c1", 0).is_ok());
        assert!(rl.check_request("a", "c1", 0).is_ok());
        // The same request again (a redelivery, or the second check of one request).
        assert!(rl.check_request("a", "c1", 5).is_ok());
        assert!(rl.check_request("a", "c2", 10).is_ok());
        // Full: a new request is refused, by a peek as by a check, and counts nothing.
        assert_eq!(rl.peek("a", "c3", 20), Err(3580));
        assert_eq!(rl.check_request("a", "c3", 20), Err(3580));
        assert_eq!(rl.peek("a", "c3", 30), Err(3570));
        // Requests already counted still pass: their redeliveries are not refused.
        assert!(rl.peek("a", "c1", 30).is_ok());
        assert!(rl.peek("a", "c2", 30).is_ok());
        // The window slides as before.
        assert!(rl.peek("a", "c3", 3600).is_ok());
        assert!(rl.check_request("a", "c3", 3600).is_ok());
    }
}
