//! Per-user and per-repository request rate limits (a sliding one-hour window in
//! memory): cheap protection against floods, answered with a friendly reply.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// A sliding-window counter per key.
pub struct RateLimiter {
    window_s: i64,
    max: usize,
    hits: Mutex<HashMap<String, VecDeque<i64>>>,
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
        if self.max == 0 {
            return Ok(());
        }
        let mut hits = self.hits.lock().expect("rate limiter lock");
        if hits.len() > 100_000 {
            // Bound memory under a flood of distinct keys: forget idle ones.
            hits.retain(|_, q| q.back().is_some_and(|t| now - t < self.window_s));
        }
        let queue = hits.entry(key.to_string()).or_default();
        while queue.front().is_some_and(|t| now - t >= self.window_s) {
            queue.pop_front();
        }
        if queue.len() >= self.max {
            let oldest = *queue.front().expect("non-empty when full");
            return Err(oldest + self.window_s - now);
        }
        queue.push_back(now);
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
}
