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

/// Asserts the permission `forge` gives each user on `repo`, naming the user that differs.
pub async fn assert_permissions(
    forge: &dyn battbot::forge::Conversation,
    repo: &str,
    want: &[(&str, battbot::forge::Permission)],
) {
    for (user, permission) in want {
        assert_eq!(
            forge.permission(repo, user).await.unwrap(),
            *permission,
            "{user}"
        );
    }
}

/// The GitLab project of the GitLab conversation fakes (gitlab-org/gitlab-test).
pub const GL_CONV: &str = "/api/v4/projects/gitlab-org%2Fgitlab-test";

/// Fakes the GitLab conversation gitlab-org/gitlab-test#17: its notes (listed and posted into
/// `notes`, as the bot's), the award on the comment, and the commenter `root`'s role
/// (maintainer).
pub async fn mount_gitlab_notes(server: &MockServer, notes: Arc<Mutex<Vec<Value>>>) {
    use serde_json::json;
    use wiremock::matchers::{method, path, path_regex, query_param};
    use wiremock::Request;
    let path_notes = format!("{GL_CONV}/issues/17/notes");
    let n = notes.clone();
    Mock::given(method("GET"))
        .and(path(path_notes.as_str()))
        .respond_with(move |_: &Request| {
            ResponseTemplate::new(200).set_body_json(Value::Array(n.lock().unwrap().clone()))
        })
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(path_notes.as_str()))
        .respond_with(move |req: &Request| {
            let body = url::form_urlencoded::parse(&req.body)
                .find(|(k, _)| k == "body")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let mut note = fixture("gitlab/api.mr-note.recorded.kitware.json");
            note["body"] = json!(body);
            note["author"]["username"] = json!("battbot");
            let mut all = notes.lock().unwrap();
            note["id"] = json!(5000 + all.len());
            all.push(note.clone());
            ResponseTemplate::new(201).set_body_json(note)
        })
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex(format!(
            r"^{GL_CONV}/issues/17/notes/\d+/award_emoji$"
        )))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 1, "name": "eyes"})))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v4/users"))
        .and(query_param("username", "root"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([{"id": 1, "username": "root"}])),
        )
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{GL_CONV}/members/all/1")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": 1, "access_level": 40})),
        )
        .mount(server)
        .await;
}
