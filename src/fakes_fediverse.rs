//! In-process fakes of a Mastodon instance and a Bluesky PDS for `battbot demo --platform
//! mastodon|bluesky` and the tests: they serve the mentions queued with [`Pending`], take
//! what the bot sends (media uploads processed asynchronously, statuses, blobs, records),
//! answer with the documented examples under tests/data/fixtures/{mastodon,bluesky}/
//! (compiled in), and record every call. Strict: a call without the account's token is
//! refused 401, an unknown route answers 404, a notification poll without the `mention`
//! filter answers 400.
// A refused call's answer is the error path of the fakes' checks (`?` in the handlers).
#![allow(clippy::result_large_err)]

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::fakes::Recorder;

pub const MASTODON_TOKEN: &str = "demo-mastodon-token";
pub const BLUESKY_PASSWORD: &str = "demo-app-password";
pub const BLUESKY_BOT_DID: &str = "did:plc:battbot";

const STATUS: &str = include_str!("../tests/data/mastodon/status.json");
const MEDIA_PROCESSING: &str = include_str!("../tests/data/mastodon/media_processing.json");
const MEDIA_READY: &str = include_str!("../tests/data/mastodon/media_ready.json");
const CREATE_SESSION: &str = include_str!("../tests/data/bluesky/createSession.json");
const REFRESH_SESSION: &str = include_str!("../tests/data/bluesky/refreshSession.json");
const UPLOAD_BLOB: &str = include_str!("../tests/data/bluesky/uploadBlob.json");
const CREATE_RECORD: &str = include_str!("../tests/data/bluesky/createRecord.json");
const GET_POSTS: &str = include_str!("../tests/data/bluesky/getPosts.json");

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("compiled-in fixture is JSON")
}

/// Notifications a fake serves, newest last; shared with whoever queues mentions.
#[derive(Clone, Default)]
pub struct Pending(Arc<Mutex<Vec<Value>>>);

impl Pending {
    pub fn push(&self, notification: Value) {
        self.0.lock().expect("pending lock").push(notification);
    }

    fn all(&self) -> Vec<Value> {
        self.0.lock().expect("pending lock").clone()
    }
}

#[derive(Clone)]
struct Fake {
    rec: Recorder,
    pending: Pending,
    /// Refuse every call with this status (a revoked token), when set.
    refuse: Arc<Mutex<Option<u16>>>,
}

impl Fake {
    fn check(&self, headers: &HeaderMap, token: &str) -> Result<(), Response> {
        if let Some(status) = *self.refuse.lock().expect("refuse lock") {
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN);
            return Err(
                (code, Json(json!({"error": "The access token is invalid"}))).into_response(),
            );
        }
        let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
        if auth != Some(&format!("Bearer {token}")) {
            return Err((
                StatusCode::UNAUTHORIZED,
                Json(json!({"error": "AuthenticationRequired", "message": "no or wrong token"})),
            )
                .into_response());
        }
        Ok(())
    }
}

/// A status (the documented example) as the notification of a mention of the bot.
pub fn mastodon_mention(id: u64, acct: &str, text: &str, visibility: &str) -> Value {
    let mut status = fixture(STATUS);
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let body = escaped.trim_start_matches("@battbot").trim();
    status["id"] = json!(id.to_string());
    status["visibility"] = json!(visibility);
    status["account"]["acct"] = json!(acct);
    status["account"]["username"] = json!(acct.split('@').next().unwrap_or(acct));
    status["url"] = json!(format!("https://mastodon.social/@{acct}/{id}"));
    status["content"] = json!(format!(
        "<p><span class=\"h-card\"><a href=\"https://fediscience.org/@battbot\" class=\"u-url mention\">@<span>battbot</span></a></span> {body}</p>"
    ));
    json!({"id": (id / 1000).to_string(), "type": "mention", "created_at": status["created_at"],
           "account": status["account"], "status": status})
}

fn query(raw: &Option<String>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A Mastodon instance: notifications, statuses, v2 media (processed after one poll).
/// Returns the router and a switch that makes every call answer that status (401/403).
pub fn mastodon(rec: Recorder, pending: Pending) -> (Router, Arc<Mutex<Option<u16>>>) {
    async fn notifications(
        State(f): State<Fake>,
        headers: HeaderMap,
        RawQuery(q): RawQuery,
    ) -> Response {
        if let Err(r) = f.check(&headers, MASTODON_TOKEN) {
            return r;
        }
        let q = query(&q);
        f.rec.push("GET /api/v1/notifications", json!(q));
        if !q.iter().any(|(k, v)| k == "types[]" && v == "mention") {
            return (
                StatusCode::BAD_REQUEST,
                "the bot must ask for mentions only",
            )
                .into_response();
        }
        let min: u64 = q
            .iter()
            .find(|(k, _)| k == "min_id")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut newer: Vec<Value> = f
            .pending
            .all()
            .into_iter()
            .filter(|n| {
                n["id"]
                    .as_str()
                    .and_then(|s| s.parse::<u64>().ok())
                    .unwrap_or(0)
                    > min
            })
            .collect();
        newer.reverse(); // newest first, as the API pages
        Json(Value::Array(newer)).into_response()
    }
    async fn status(State(f): State<Fake>, headers: HeaderMap, Path(id): Path<String>) -> Response {
        if let Err(r) = f.check(&headers, MASTODON_TOKEN) {
            return r;
        }
        f.rec.push("GET /api/v1/statuses/{id}", json!({"id": id}));
        match f
            .pending
            .all()
            .into_iter()
            .find(|n| n["status"]["id"] == id.as_str())
        {
            Some(n) => Json(n["status"].clone()).into_response(),
            None => (
                StatusCode::NOT_FOUND,
                Json(json!({"error": "Record not found"})),
            )
                .into_response(),
        }
    }
    async fn upload(State(f): State<Fake>, headers: HeaderMap, body: Bytes) -> Response {
        if let Err(r) = f.check(&headers, MASTODON_TOKEN) {
            return r;
        }
        let text = String::from_utf8_lossy(&body);
        let description = text
            .split("name=\"description\"")
            .nth(1)
            .and_then(|rest| rest.split("\r\n\r\n").nth(1))
            .and_then(|v| v.split("\r\n--").next())
            .unwrap_or_default()
            .to_string();
        let gif = body.windows(6).any(|w| w == b"GIF89a");
        let n = f.rec.push(
            "POST /api/v2/media",
            json!({"bytes": body.len(), "gif": gif, "description": description}),
        );
        let mut media = fixture(MEDIA_PROCESSING);
        media["id"] = json!(format!("2234864{n}"));
        media["description"] = json!(description);
        (StatusCode::ACCEPTED, Json(media)).into_response()
    }
    async fn media(State(f): State<Fake>, headers: HeaderMap, Path(id): Path<String>) -> Response {
        if let Err(r) = f.check(&headers, MASTODON_TOKEN) {
            return r;
        }
        let polls = f
            .rec
            .calls()
            .iter()
            .filter(|c| c.endpoint == "GET /api/v1/media/{id}" && c.body["id"] == id.as_str())
            .count();
        f.rec.push("GET /api/v1/media/{id}", json!({"id": id}));
        if polls == 0 {
            // Still processing on the first poll, as large GIFs are.
            return (StatusCode::PARTIAL_CONTENT, Json(fixture(MEDIA_PROCESSING))).into_response();
        }
        let mut media = fixture(MEDIA_READY);
        media["id"] = json!(id);
        Json(media).into_response()
    }
    async fn post_status(State(f): State<Fake>, headers: HeaderMap, body: Bytes) -> Response {
        if let Err(r) = f.check(&headers, MASTODON_TOKEN) {
            return r;
        }
        let parsed: Value =
            serde_json::from_slice(&body).unwrap_or_else(|_| crate::fakes::form(&body));
        let n = f.rec.push("POST /api/v1/statuses", parsed.clone());
        let mut status = fixture(STATUS);
        status["id"] = json!(format!("{}", 110_000_000_000_000_000u64 + n as u64));
        status["content"] = json!(format!(
            "<p>{}</p>",
            parsed["status"].as_str().unwrap_or_default()
        ));
        status["visibility"] = parsed["visibility"].clone();
        status["in_reply_to_id"] = parsed["in_reply_to_id"].clone();
        status["account"]["acct"] = json!("battbot");
        Json(status).into_response()
    }
    let refuse = Arc::new(Mutex::new(None));
    let fake = Fake {
        rec,
        pending,
        refuse: refuse.clone(),
    };
    let router = Router::new()
        .route("/api/v1/notifications", get(notifications))
        .route("/api/v1/statuses/{id}", get(status))
        .route("/api/v2/media", post(upload))
        .route("/api/v1/media/{id}", get(media))
        .route("/api/v1/statuses", post(post_status))
        .with_state(fake);
    (router, refuse)
}

/// A notification of a post by `handle` (`did`) with record key `rkey` mentioning the bot.
pub fn bluesky_mention(did: &str, handle: &str, rkey: &str, text: &str, indexed_at: &str) -> Value {
    json!({
        "uri": format!("at://{did}/app.bsky.feed.post/{rkey}"),
        "cid": "bafyreibnoelefnzgwbcacyt4vh52ymxvzbjq7mmqhtcnwarfq4lzegsiqe",
        "author": {"did": did, "handle": handle},
        "reason": "mention",
        "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": indexed_at},
        "isRead": false,
        "indexedAt": indexed_at,
    })
}

/// A Bluesky PDS: sessions, notifications, posts, blobs and records.
pub fn bluesky(rec: Recorder, pending: Pending) -> (Router, Arc<Mutex<Option<u16>>>) {
    async fn create_session(State(f): State<Fake>, Json(body): Json<Value>) -> Response {
        f.rec.push(
            "POST com.atproto.server.createSession",
            json!({"identifier": body["identifier"]}),
        );
        if body["password"] != BLUESKY_PASSWORD || f.refuse.lock().expect("refuse lock").is_some() {
            return (StatusCode::UNAUTHORIZED, Json(json!({"error": "AuthenticationRequired", "message": "Invalid identifier or password"}))).into_response();
        }
        Json(fixture(CREATE_SESSION)).into_response()
    }
    async fn refresh_session(State(f): State<Fake>, headers: HeaderMap) -> Response {
        if let Err(r) = f.check(&headers, "demo-refresh-jwt") {
            return r;
        }
        f.rec
            .push("POST com.atproto.server.refreshSession", Value::Null);
        Json(fixture(REFRESH_SESSION)).into_response()
    }
    fn access(f: &Fake, headers: &HeaderMap) -> Result<(), Response> {
        f.check(headers, "demo-access-jwt")
            .or_else(|_| f.check(headers, "demo-access-jwt-2"))
    }
    async fn list(State(f): State<Fake>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
        if let Err(r) = access(&f, &headers) {
            return r;
        }
        f.rec.push(
            "GET app.bsky.notification.listNotifications",
            json!(query(&q)),
        );
        let mut all = f.pending.all();
        all.reverse();
        Json(json!({"notifications": all})).into_response()
    }
    async fn get_posts(
        State(f): State<Fake>,
        headers: HeaderMap,
        RawQuery(q): RawQuery,
    ) -> Response {
        if let Err(r) = access(&f, &headers) {
            return r;
        }
        let q = query(&q);
        f.rec.push("GET app.bsky.feed.getPosts", json!(q));
        let template = fixture(GET_POSTS)["posts"][0].clone();
        let posts: Vec<Value> = q
            .iter()
            .filter(|(k, _)| k == "uris")
            .filter_map(|(_, uri)| {
                f.pending
                    .all()
                    .into_iter()
                    .find(|n| n["uri"] == uri.as_str())
            })
            .map(|n| {
                let mut p = template.clone();
                p["uri"] = n["uri"].clone();
                p["cid"] = n["cid"].clone();
                p["author"] = n["author"].clone();
                p["record"] = n["record"].clone();
                p
            })
            .collect();
        Json(json!({"posts": posts})).into_response()
    }
    async fn upload_blob(State(f): State<Fake>, headers: HeaderMap, body: Bytes) -> Response {
        if let Err(r) = access(&f, &headers) {
            return r;
        }
        let png = body.starts_with(b"\x89PNG");
        f.rec.push(
            "POST com.atproto.repo.uploadBlob",
            json!({"bytes": body.len(), "png": png}),
        );
        let mut blob = fixture(UPLOAD_BLOB);
        blob["blob"]["size"] = json!(body.len());
        Json(blob).into_response()
    }
    async fn create_record(
        State(f): State<Fake>,
        headers: HeaderMap,
        Json(body): Json<Value>,
    ) -> Response {
        if let Err(r) = access(&f, &headers) {
            return r;
        }
        f.rec.push("POST com.atproto.repo.createRecord", body);
        Json(fixture(CREATE_RECORD)).into_response()
    }
    let refuse = Arc::new(Mutex::new(None));
    let fake = Fake {
        rec,
        pending,
        refuse: refuse.clone(),
    };
    let router = Router::new()
        .route(
            "/xrpc/com.atproto.server.createSession",
            post(create_session),
        )
        .route(
            "/xrpc/com.atproto.server.refreshSession",
            post(refresh_session),
        )
        .route("/xrpc/app.bsky.notification.listNotifications", get(list))
        .route("/xrpc/app.bsky.feed.getPosts", get(get_posts))
        .route("/xrpc/com.atproto.repo.uploadBlob", post(upload_blob))
        .route("/xrpc/com.atproto.repo.createRecord", post(create_record))
        .with_state(fake);
    (router, refuse)
}
