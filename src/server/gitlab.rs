//! `POST /gitlab`: checks `X-Gitlab-Token` in constant time before parsing; notes become
//! comments, and Pipeline/Job hooks of job branches report failures early.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::{json, Value};

use super::callback::{finish, Outcome};
use super::event::Event;
use super::{commands, gitlab_event, verify, App, AppError};
use crate::job::JobId;
use crate::runner::protocol::RunFailure;
use crate::runner::VERSION;

pub async fn handle(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), AppError> {
    app.metrics.inc_webhook();
    let Some(expected) = app.config.gitlab_webhook_token() else {
        return Err(AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "GitLab webhooks are not configured (set GITLAB_WEBHOOK_TOKEN)",
        ));
    };
    let given = headers
        .get("x-gitlab-token")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !verify::constant_time_eq(given, expected.as_bytes()) {
        app.metrics.inc_signature_failure();
        return Err(AppError::new(
            StatusCode::UNAUTHORIZED,
            "bad or missing X-Gitlab-Token",
        ));
    }
    let kind = headers
        .get("x-gitlab-event")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if kind == "Pipeline Hook" || kind == "Job Hook" {
        let notice = gitlab_event::pipeline_from_gitlab(&body)
            .map_err(|e| AppError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
        if !from_runner_project(&app, &notice) {
            return Ok((
                StatusCode::OK,
                Json(json!({ "ignored": "pipeline is not of the runner project" })),
            ));
        }
        let failed = matches!(notice.status.as_str(), "failed" | "canceled");
        if let (true, Some(id)) = (failed, JobId::from_branch(&notice.ref_name)) {
            let worker = app.clone();
            let error = format!("the runner's pipeline {}: {}", notice.status, notice.url);
            app.spawn(format!("pipeline {}", notice.pipeline_id), async move {
                let failure = RunFailure {
                    job_id: id.to_string(),
                    battbot_version: VERSION.to_string(),
                    error,
                    log_tail: Vec::new(),
                };
                finish(&worker, &id, Outcome::Failure(failure))
                    .await
                    .map(|_| ())
                    .map_err(|e| anyhow::anyhow!("{}", e.message))
            });
            return Ok((StatusCode::ACCEPTED, Json(json!({ "job_failed": true }))));
        }
        return Ok((
            StatusCode::OK,
            Json(json!({ "ignored": "pipeline is not a failed job" })),
        ));
    }
    let event = gitlab_event::from_gitlab(kind, &body)
        .map_err(|e| AppError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    match event {
        Event::Ping { zen } => Ok((StatusCode::OK, Json(json!({ "ok": true, "zen": zen })))),
        Event::Ignored { reason } => Ok((StatusCode::OK, Json(json!({ "ignored": reason })))),
        Event::Comment(comment) => {
            let job = JobId::for_source(&comment.source);
            let span = tracing::info_span!("request", delivery = "gitlab", job = %job);
            let _entered = span.enter();
            let worker = app.clone();
            app.spawn(
                format!("gitlab note {}", comment.source.comment_id),
                async move { commands::handle_comment(&worker, comment).await },
            );
            Ok((StatusCode::ACCEPTED, Json(json!({ "accepted": true }))))
        }
    }
}

/// Whether a Pipeline/Job Hook speaks for the bot's runner: only when jobs run on GitLab CI
/// (`runner.ci = gitlab`), and only from the runner project (by `gitlab.runner_project_id`,
/// else by the runner repository's id or path). Any other project's hook is ignored, whatever
/// branch name it claims.
fn from_runner_project(app: &App, notice: &gitlab_event::PipelineNotice) -> bool {
    if app.config.runner.ci != "gitlab" {
        return false;
    }
    let configured_id = app
        .config
        .gitlab
        .as_ref()
        .and_then(|g| g.runner_project_id)
        .or_else(|| app.config.runner.repo.parse::<u64>().ok());
    match configured_id {
        Some(id) => notice.project_id == Some(id),
        None => notice
            .project
            .eq_ignore_ascii_case(app.config.runner.repo.trim_matches('/')),
    }
}
