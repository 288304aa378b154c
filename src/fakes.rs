//! In-process fakes of the Twitter and Slack APIs for `battbot demo --platform`: they take
//! what the bot sends (chunked media uploads, tweets, messages, file uploads), answer as
//! the platforms document, and record every call so the demo can print what was posted.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

/// One call the fake received.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// e.g. `POST /2/tweets`.
    pub endpoint: String,
    /// The JSON body, or a summary (`{"bytes": n}`) of a binary or form body.
    pub body: Value,
}

/// What a fake platform recorded; cheap to clone.
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<Call>>>);

impl Recorder {
    pub(crate) fn push(&self, endpoint: impl Into<String>, body: Value) -> usize {
        let mut calls = self.0.lock().expect("recorder lock");
        calls.push(Call {
            endpoint: endpoint.into(),
            body,
        });
        calls.len()
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.0.lock().expect("recorder lock").clone()
    }

    /// The bodies of the calls to `endpoint`.
    pub fn bodies(&self, endpoint: &str) -> Vec<Value> {
        self.calls()
            .into_iter()
            .filter(|c| c.endpoint == endpoint)
            .map(|c| c.body)
            .collect()
    }
}

pub(crate) fn form(body: &[u8]) -> Value {
    Value::Object(
        form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect(),
    )
}

/// Twitter API v2: tweets and the chunked media upload (initialize, append, finalize,
/// status). Media ids are numbered from 1; processing succeeds at once.
pub fn twitter(rec: Recorder) -> Router {
    async fn tweet(State(rec): State<Recorder>, Json(body): Json<Value>) -> Json<Value> {
        let n = rec.push("POST /2/tweets", body.clone());
        Json(
            json!({"data": {"id": format!("{}", 1_900_000_000_000_000_000u64 + n as u64), "text": body["text"]}}),
        )
    }
    async fn init(State(rec): State<Recorder>, body: Bytes) -> Json<Value> {
        let parsed = serde_json::from_slice(&body).unwrap_or_else(|_| form(&body));
        let n = rec.push("POST /2/media/upload/initialize", parsed);
        Json(
            json!({"data": {"id": n.to_string(), "media_key": format!("16_{n}"), "expires_after_secs": 86400}}),
        )
    }
    async fn append(
        State(rec): State<Recorder>,
        Path(id): Path<String>,
        body: Bytes,
    ) -> Json<Value> {
        rec.push(
            "POST /2/media/upload/{id}/append",
            json!({"media_id": id, "bytes": body.len()}),
        );
        Json(json!({"data": {"expires_at": 1_900_000_000u64}}))
    }
    async fn finalize(State(rec): State<Recorder>, Path(id): Path<String>) -> Json<Value> {
        rec.push(
            "POST /2/media/upload/{id}/finalize",
            json!({"media_id": id}),
        );
        Json(
            json!({"data": {"id": id, "media_key": format!("16_{id}"), "size": 0,
            "processing_info": {"state": "succeeded", "progress_percent": 100}}}),
        )
    }
    async fn status(State(rec): State<Recorder>) -> Json<Value> {
        rec.push("GET /2/media/upload", Value::Null);
        Json(json!({"data": {"processing_info": {"state": "succeeded", "progress_percent": 100}}}))
    }
    Router::new()
        .route("/2/tweets", post(tweet))
        .route("/2/media/upload/initialize", post(init))
        .route("/2/media/upload/{id}/append", post(append))
        .route("/2/media/upload/{id}/finalize", post(finalize))
        .route("/2/media/upload", get(status))
        .with_state(rec)
}

/// Slack Web API: `chat.postMessage` and the external file upload
/// (`files.getUploadURLExternal`, the upload itself, `files.completeUploadExternal`).
/// `base` is where the fake listens, for the upload URL it hands out.
pub fn slack(rec: Recorder, base: String) -> Router {
    #[derive(Clone)]
    struct S {
        rec: Recorder,
        base: String,
    }
    async fn message(State(s): State<S>, body: Bytes) -> Json<Value> {
        let parsed = serde_json::from_slice(&body).unwrap_or_else(|_| form(&body));
        let n = s.rec.push("POST /api/chat.postMessage", parsed.clone());
        Json(
            json!({"ok": true, "channel": parsed["channel"], "ts": format!("1700000000.{n:06}"),
            "message": {"text": parsed["text"]}}),
        )
    }
    async fn get_url(State(s): State<S>, body: Bytes) -> Json<Value> {
        let n = s
            .rec
            .push("POST /api/files.getUploadURLExternal", form(&body));
        Json(
            json!({"ok": true, "upload_url": format!("{}/upload/F{n}", s.base), "file_id": format!("F{n}")}),
        )
    }
    async fn upload(State(s): State<S>, Path(id): Path<String>, body: Bytes) -> String {
        s.rec.push(
            "POST /upload/{id}",
            json!({"file_id": id, "bytes": body.len()}),
        );
        format!("OK - {}", body.len())
    }
    async fn complete(State(s): State<S>, body: Bytes) -> Json<Value> {
        let parsed = form(&body);
        s.rec
            .push("POST /api/files.completeUploadExternal", parsed.clone());
        let files: Value = parsed["files"]
            .as_str()
            .and_then(|f| serde_json::from_str(f).ok())
            .unwrap_or(Value::Null);
        Json(json!({"ok": true, "files": files}))
    }
    Router::new()
        .route("/api/chat.postMessage", post(message))
        .route("/api/files.getUploadURLExternal", post(get_url))
        .route("/upload/{id}", post(upload))
        .route("/api/files.completeUploadExternal", post(complete))
        .with_state(S { rec, base })
}

/// Serves `router` on 127.0.0.1; returns its base URL and the server task.
pub async fn serve(
    make: impl FnOnce(String) -> Router,
) -> anyhow::Result<(String, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let router = make(base.clone());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((base, task))
}
