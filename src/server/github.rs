//! `POST /github`: verifies `X-Hub-Signature-256` before parsing, answers at once and
//! leaves the forge work to a background task.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::{json, Value};

use super::event::{self, Event};
use super::{commands, verify, App, AppError};

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

pub async fn handle(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), AppError> {
    app.metrics.inc_webhook();
    let Some(secret) = app.config.github_webhook_secret() else {
        return Err(AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "GitHub webhooks are not configured (set GITHUB_WEBHOOK_SECRET)",
        ));
    };
    if !verify::verify_github(
        secret.as_bytes(),
        &body,
        header(&headers, "x-hub-signature-256"),
    ) {
        app.metrics.inc_signature_failure();
        return Err(AppError::new(
            StatusCode::UNAUTHORIZED,
            "bad or missing X-Hub-Signature-256",
        ));
    }
    let kind = header(&headers, "x-github-event").unwrap_or_default();
    let delivery = header(&headers, "x-github-delivery")
        .unwrap_or("-")
        .to_string();
    let event = event::from_github(kind, &body)
        .map_err(|e| AppError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    match event {
        Event::Ping { zen } => Ok((StatusCode::OK, Json(json!({ "ok": true, "zen": zen })))),
        Event::Ignored { reason } => Ok((StatusCode::OK, Json(json!({ "ignored": reason })))),
        Event::Comment(comment) => {
            let job = crate::job::JobId::for_source(&comment.source);
            let span = tracing::info_span!("request", delivery = %delivery, job = %job);
            let _entered = span.enter();
            tracing::info!(repo = %comment.source.repo, comment = comment.source.comment_id, "comment received");

            let worker = app.clone();
            app.spawn(format!("github delivery {delivery}"), async move {
                commands::handle_comment(&worker, comment).await
            });
            Ok((StatusCode::ACCEPTED, Json(json!({ "accepted": true }))))
        }
    }
}
