//! Shared helpers: fixtures, a strict mock server, a recording sleeper, test timeouts.

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use battbot::forge::retry::{RetryPolicy, Sleeper};
use serde_json::Value;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Unix time the injected clock reports.
pub const NOW: i64 = 1_700_000_000;

/// The recorded fixtures, `tests/data/fixtures` (copied from the team's shared folder by
/// scripts/sync-shared.sh; see tests/data/PROVENANCE.md).
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/fixtures")
}

pub fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn fixture(name: &str) -> Value {
    serde_json::from_slice(&fixture_bytes(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A response replaying a fixture body with the given status.
pub fn replay(status: u16, name: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(fixture_bytes(name), "application/json")
}

/// A server that fails the test on any request no mock expects: a catch-all (lowest
/// priority) answers 599 and must never be hit; every other mock carries `.expect(n)`,
/// verified when the server drops.
pub async fn strict_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(599).set_body_string("unexpected request"))
        .with_priority(u8::MAX)
        .expect(0)
        .named("catch-all: unexpected request")
        .mount(&server)
        .await;
    server
}

/// `(METHOD, path?query)` of every request the server received, in order.
pub async fn requests(server: &MockServer) -> Vec<(String, String)> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let q = r.url.query().map(|q| format!("?{q}")).unwrap_or_default();
            (r.method.to_string(), format!("{}{q}", r.url.path()))
        })
        .collect()
}

/// Records the waits instead of sleeping.
#[derive(Default)]
pub struct RecordingSleeper(pub Mutex<Vec<Duration>>);

#[async_trait]
impl Sleeper for RecordingSleeper {
    async fn sleep(&self, d: Duration) {
        self.0.lock().unwrap().push(d);
    }
}

impl RecordingSleeper {
    pub fn waits(&self) -> Vec<Duration> {
        self.0.lock().unwrap().clone()
    }
}

/// A policy with a fixed clock and a recording sleeper (no real waits).
pub fn policy(sleeper: Arc<RecordingSleeper>) -> RetryPolicy {
    RetryPolicy {
        timeout: Duration::from_secs(5),
        sleeper,
        clock: Arc::new(|| NOW),
        ..RetryPolicy::default()
    }
}

/// Every test body runs under this timeout.
pub async fn within<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(30), f)
        .await
        .expect("test timed out")
}
