//! Counts the bot's outbound API calls (by host and outcome), retries and rate-limit waits,
//! for `GET /metrics`. One process-wide registry, as Prometheus clients keep one.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// Counters of outbound calls; all monotonic.
#[derive(Default, Debug)]
pub struct OutboundStats {
    /// (host, outcome) → calls; outcome is the status (`200`, `429`, …) or `error`/`timeout`.
    calls: Mutex<BTreeMap<(String, String), u64>>,
    retries: AtomicU64,
    rate_limit_waits: AtomicU64,
    rate_limit_wait_ms: AtomicU64,
}

/// What one attempt of an outbound call ended in.
pub enum Outcome {
    Status(u16),
    Error,
    Timeout,
}

impl OutboundStats {
    /// The process-wide registry `/metrics` renders.
    pub fn global() -> Arc<OutboundStats> {
        static GLOBAL: OnceLock<Arc<OutboundStats>> = OnceLock::new();
        GLOBAL.get_or_init(Default::default).clone()
    }

    /// Counts one attempt of a call to `url`.
    pub fn record_call(&self, url: &str, outcome: Outcome) {
        let host = url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "unknown".into());
        let outcome = match outcome {
            Outcome::Status(s) => s.to_string(),
            Outcome::Error => "error".into(),
            Outcome::Timeout => "timeout".into(),
        };
        *self
            .calls
            .lock()
            .expect("outbound stats lock")
            .entry((host, outcome))
            .or_default() += 1;
    }

    /// Counts a call repeated after a transient failure.
    pub fn record_retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a wait for a rate limit to reset.
    pub fn record_rate_limit_wait(&self, wait: Duration) {
        self.rate_limit_waits.fetch_add(1, Ordering::Relaxed);
        self.rate_limit_wait_ms
            .fetch_add(wait.as_millis() as u64, Ordering::Relaxed);
    }

    /// Calls counted so far, in all.
    pub fn total_calls(&self) -> u64 {
        self.calls
            .lock()
            .expect("outbound stats lock")
            .values()
            .sum()
    }

    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    pub fn rate_limit_waits(&self) -> u64 {
        self.rate_limit_waits.load(Ordering::Relaxed)
    }

    /// The counters in Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::from(
            "# HELP battbot_outbound_calls_total Calls to forge and platform APIs by host and outcome\n# TYPE battbot_outbound_calls_total counter\n",
        );
        for ((host, outcome), n) in self.calls.lock().expect("outbound stats lock").iter() {
            out.push_str(&format!(
                "battbot_outbound_calls_total{{host=\"{host}\",outcome=\"{outcome}\"}} {n}\n"
            ));
        }
        out.push_str(&format!(
            "# HELP battbot_outbound_retries_total Outbound calls repeated after a transient failure\n# TYPE battbot_outbound_retries_total counter\nbattbot_outbound_retries_total {}\n",
            self.retries()
        ));
        out.push_str(&format!(
            "# HELP battbot_rate_limit_waits_total Waits for an API rate limit to reset\n# TYPE battbot_rate_limit_waits_total counter\nbattbot_rate_limit_waits_total {}\n",
            self.rate_limit_waits()
        ));
        out.push_str(&format!(
            "# HELP battbot_rate_limit_wait_seconds_total Time spent waiting for rate limits\n# TYPE battbot_rate_limit_wait_seconds_total counter\nbattbot_rate_limit_wait_seconds_total {:.3}\n",
            self.rate_limit_wait_ms.load(Ordering::Relaxed) as f64 / 1000.0
        ));
        out
    }
}

/// Sends a request built with reqwest, counting it in the global registry.
pub async fn send(req: reqwest::RequestBuilder) -> reqwest::Result<reqwest::Response> {
    let (client, req) = req.build_split();
    let req = req?;
    let url = req.url().to_string();
    let resp = client.execute(req).await;
    OutboundStats::global().record_call(
        &url,
        match &resp {
            Ok(r) => Outcome::Status(r.status().as_u16()),
            Err(e) if e.is_timeout() => Outcome::Timeout,
            Err(_) => Outcome::Error,
        },
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_counted_by_host_and_outcome() {
        let s = OutboundStats::default();
        s.record_call("https://api.github.com/repos/a/b", Outcome::Status(200));
        s.record_call("https://api.github.com/repos/a/c", Outcome::Status(200));
        s.record_call("https://gitlab.com/api/v4/x", Outcome::Timeout);
        s.record_retry();
        s.record_rate_limit_wait(Duration::from_millis(1500));
        let text = s.render();
        assert!(
            text.contains(
                "battbot_outbound_calls_total{host=\"api.github.com\",outcome=\"200\"} 2"
            ),
            "{text}"
        );
        assert!(
            text.contains("{host=\"gitlab.com\",outcome=\"timeout\"} 1"),
            "{text}"
        );
        assert!(text.contains("battbot_outbound_retries_total 1"));
        assert!(text.contains("battbot_rate_limit_waits_total 1"));
        assert!(text.contains("battbot_rate_limit_wait_seconds_total 1.500"));
        assert_eq!(s.total_calls(), 3);
    }
}
