//! Load shedding inside the router: each class of routes (webhooks, runner callbacks) has a
//! small pool that answers 503 with `Retry-After` when full instead of queueing, and a body is
//! read once — capped and under a deadline — before a handler sees it. `/runner` checks the
//! shape and freshness of its signature headers before reading a byte of the body.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::BytesMut;
use http_body_util::BodyExt;
use tokio::sync::Semaphore;

use crate::runner::protocol::{self, CallbackRejection};

use super::{App, AppError};

/// The limits of `battbot serve`: connections (see `listen`) and the router's pools.
#[derive(Clone, Debug)]
pub struct Limits {
    /// A connection that has not sent a whole request head within this is closed (also idle
    /// keep-alive connections).
    pub header_timeout: Duration,
    /// A request body not received whole within this is answered 408.
    pub body_timeout: Duration,
    /// Open connections in all (also bounded by the process's file-descriptor limit).
    pub max_connections: usize,
    /// Open connections from one IPv4 address or one IPv6 /64.
    pub max_connections_per_ip: usize,
    /// Webhook requests (GitHub, GitLab, Twitter, Slack) in flight, bodies included.
    pub webhook_pool: usize,
    /// Runner callbacks in flight, bodies included (each may be up to `max_result_bytes`).
    pub runner_pool: usize,
    /// The `Retry-After` of a 503 when a pool is full, in seconds.
    pub retry_after_s: u64,
    /// After SIGTERM, how long open connections may finish before they are abandoned.
    pub shutdown_grace: Duration,
    /// After SIGTERM, the bound of the whole shutdown (connections, then background work).
    pub shutdown_deadline: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 4096,
            max_connections_per_ip: 256,
            webhook_pool: 64,
            runner_pool: 4,
            retry_after_s: 5,
            shutdown_grace: Duration::from_secs(10),
            shutdown_deadline: Duration::from_secs(30),
        }
    }
}

/// Which route class a pool guards; `Runner` checks the signature headers before the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Webhook,
    Runner,
}

/// One pool of the router: permits, body cap and deadline.
#[derive(Clone)]
pub struct Pool {
    app: App,
    class: Class,
    permits: Arc<Semaphore>,
    body_limit: usize,
    body_timeout: Duration,
    retry_after_s: u64,
}

impl Pool {
    pub fn new(app: &App, class: Class, limits: &Limits) -> Pool {
        let (size, body_limit) = match class {
            Class::Webhook => (limits.webhook_pool, app.config.server.max_webhook_bytes),
            Class::Runner => (limits.runner_pool, app.config.server.max_result_bytes),
        };
        Pool {
            app: app.clone(),
            class,
            permits: Arc::new(Semaphore::new(size.max(1))),
            body_limit,
            body_timeout: limits.body_timeout,
            retry_after_s: limits.retry_after_s,
        }
    }

    fn full(&self) -> Response {
        self.app.metrics.inc_shed();
        let what = match self.class {
            Class::Webhook => "webhooks",
            Class::Runner => "runner callbacks",
        };
        let mut resp = AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "too many {what} in flight; retry after {} s",
                self.retry_after_s
            ),
        )
        .into_response();
        resp.headers_mut()
            .insert(header::RETRY_AFTER, self.retry_after_s.into());
        resp
    }
}

/// Middleware: header checks (runner), then a permit or 503, then the body, capped and
/// under the deadline; the permit is held until the handler has answered.
pub async fn admit(State(pool): State<Pool>, req: Request, next: Next) -> Response {
    if pool.class == Class::Runner && pool.app.config.runner_secret.is_some() {
        let now = pool.app.clock.now().unix_timestamp();
        let skew = pool.app.config.server.callback_max_skew_s;
        if let Err(e) = preflight(req.headers(), now, skew) {
            pool.app.metrics.inc_callback_rejected();
            tracing::warn!(path = %req.uri().path(), "callback rejected before its body: {e}");
            return AppError::new(StatusCode::UNAUTHORIZED, e.to_string()).into_response();
        }
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > pool.body_limit as u64) {
        return too_large(pool.body_limit);
    }
    let Ok(_permit) = pool.permits.clone().try_acquire_owned() else {
        return pool.full();
    };
    let (parts, body) = req.into_parts();
    let capacity = declared.map_or(0, |n| n as usize);
    let read = read_capped(body, pool.body_limit, capacity);
    let bytes = match tokio::time::timeout(pool.body_timeout, read).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(BodyError::TooLarge)) => return too_large(pool.body_limit),
        Ok(Err(BodyError::Broken(e))) => {
            return AppError::new(
                StatusCode::BAD_REQUEST,
                format!("cannot read the body: {e}"),
            )
            .into_response()
        }
        Err(_) => {
            pool.app.metrics.inc_body_timeout();
            return AppError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the body did not arrive within {} s",
                    pool.body_timeout.as_secs()
                ),
            )
            .into_response();
        }
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn too_large(limit: usize) -> Response {
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the body is larger than {limit} bytes"),
    )
    .into_response()
}

enum BodyError {
    TooLarge,
    Broken(axum::Error),
}

/// Reads a body into one buffer (sized by `Content-Length`, so a large body is held once),
/// failing as soon as it passes `limit`.
async fn read_capped(
    mut body: Body,
    limit: usize,
    capacity: usize,
) -> Result<bytes::Bytes, BodyError> {
    let mut buf = BytesMut::with_capacity(capacity.min(limit));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(BodyError::Broken)?;
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > limit {
                return Err(BodyError::TooLarge);
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(buf.freeze())
}

/// What a runner callback's headers must be before its body is read: both present, the
/// timestamp fresh (no overflow whatever its value), the signature `sha256=` and 64 hex digits.
pub fn preflight(headers: &HeaderMap, now: i64, max_skew_s: u64) -> Result<(), CallbackRejection> {
    let get = |name: &'static str| headers.get(name).and_then(|v| v.to_str().ok());
    protocol::check_headers(
        get(protocol::TIMESTAMP_HEADER),
        get(protocol::SIGNATURE_HEADER),
        now,
        max_skew_s,
    )
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(ts: &str, sig: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            protocol::TIMESTAMP_HEADER,
            HeaderValue::from_str(ts).unwrap(),
        );
        h.insert(
            protocol::SIGNATURE_HEADER,
            HeaderValue::from_str(sig).unwrap(),
        );
        h
    }

    #[test]
    fn preflight_takes_a_fresh_well_shaped_signature() {
        let sig = protocol::sign(b"k", 1000, b"{}");
        assert!(preflight(&headers("1000", &sig), 1010, 300).is_ok());
    }

    #[test]
    fn preflight_refuses_a_timestamp_that_would_overflow() {
        let now = 1_700_000_000;
        let ts = (i64::MIN + now).to_string();
        let sig = protocol::sign(b"k", 0, b"{}");
        assert!(matches!(
            preflight(&headers(&ts, &sig), now, 300),
            Err(CallbackRejection::Stale { .. })
        ));
        let ts = i64::MAX.to_string();
        assert!(preflight(&headers(&ts, &sig), i64::MIN, 300).is_err());
    }

    #[test]
    fn preflight_refuses_missing_or_misshapen_headers() {
        assert!(preflight(&HeaderMap::new(), 0, 300).is_err());
        assert!(preflight(&headers("0", "sha256=zz"), 0, 300).is_err());
        assert!(preflight(&headers("0", &format!("sha256={}", "a".repeat(63))), 0, 300).is_err());
        assert!(preflight(&headers("0", &format!("sha1={}", "a".repeat(64))), 0, 300).is_err());
    }
}
