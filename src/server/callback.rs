//! `POST /runner/v1/jobs/{id}/started|progress|result|failure`: verifies the runner's signature,
//! timestamp and job binding, then commits the report and replies with its link.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::{json, Value};

use crate::forge::Thread;
use crate::job::JobId;
use crate::report;
use crate::runner::protocol::{self, Progress, RunFailure, RunResult, Started};

use super::commands::pending;
use super::progress;
use super::{App, AppError};

/// What the runner (or reconciliation) reports.
pub enum Outcome {
    Result(RunResult),
    Failure(RunFailure),
}

pub async fn handle(
    State(app): State<App>,
    Path((id, kind)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let reject = |status: StatusCode, msg: String| {
        app.metrics.inc_callback_rejected();
        tracing::warn!(job = %id, %kind, "callback rejected: {msg}");
        AppError::new(status, msg)
    };
    let Some(secret) = app.config.runner_secret.as_deref() else {
        return Err(reject(
            StatusCode::SERVICE_UNAVAILABLE,
            "runner callbacks are not configured (set BATTBOT_RUNNER_SECRET)".into(),
        ));
    };
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    // Job spec version 2: each job's callbacks are signed with its own key.
    let mac = protocol::verify_job(
        secret.as_bytes(),
        &id,
        get(protocol::TIMESTAMP_HEADER),
        get(protocol::SIGNATURE_HEADER),
        &body,
        app.clock.now().unix_timestamp(),
        app.config.server.callback_max_skew_s,
    )
    .map_err(|e| reject(StatusCode::UNAUTHORIZED, e.to_string()))?;
    if !first_time(&app, &mac) {
        return Err(reject(
            StatusCode::CONFLICT,
            "replayed callback (this signature was already used)".into(),
        ));
    }
    let job_id = JobId::try_from(id.clone()).map_err(|e| reject(StatusCode::BAD_REQUEST, e))?;

    let body_job_id = |v: &str| {
        if v == job_id.as_str() {
            Ok(())
        } else {
            Err(reject(
                StatusCode::BAD_REQUEST,
                format!("body job_id {v:?} is not the path's {job_id}"),
            ))
        }
    };
    let bad_body = |e: serde_json::Error| {
        reject(
            StatusCode::BAD_REQUEST,
            format!("malformed {kind} body: {e}"),
        )
    };
    let outcome = match kind.as_str() {
        "started" => {
            let started: Started = serde_json::from_slice(&body).map_err(bad_body)?;
            body_job_id(&started.job_id)?;
            tracing::info!(job = %job_id, runner = %started.runner, "job started");
            return Ok((StatusCode::OK, Json(json!({ "ok": true }))));
        }
        "progress" => {
            let progress: Progress = serde_json::from_slice(&body).map_err(bad_body)?;
            body_job_id(&progress.job_id)?;
            progress::record(&app, &job_id, &progress).await?;
            return Ok((StatusCode::OK, Json(json!({ "ok": true }))));
        }
        "result" => {
            let result: RunResult = serde_json::from_slice(&body).map_err(bad_body)?;
            body_job_id(&result.job_id)?;
            Outcome::Result(result)
        }
        "failure" => {
            let failure: RunFailure = serde_json::from_slice(&body).map_err(bad_body)?;
            body_job_id(&failure.job_id)?;
            Outcome::Failure(failure)
        }
        other => {
            return Err(reject(
                StatusCode::NOT_FOUND,
                format!("unknown callback {other:?} (started, progress, result or failure)"),
            ))
        }
    };
    use tracing::Instrument;
    let span = tracing::info_span!("callback", job = %job_id, kind = %kind);
    let path = finish(&app, &job_id, outcome).instrument(span).await?;

    Ok((StatusCode::OK, Json(json!({ "ok": true, "report": path }))))
}

/// Whether this callback's MAC is new to this replica: keyed on the decoded MAC, so the
/// same signature in another hex case or spelling is the same callback. (Another replica
/// may accept it once; every handler is idempotent on the state branch, so that changes
/// nothing.) Runners sign every attempt afresh.
fn first_time(app: &App, mac: &[u8]) -> bool {
    let now = app.clock.now().unix_timestamp();
    app.replays.first_time(
        &hex::encode(mac),
        now,
        2 * app.config.server.callback_max_skew_s as i64,
    )
}

/// Commits the report (once) and replies with its link (once); returns the report path.
pub async fn finish(app: &App, job_id: &JobId, outcome: Outcome) -> Result<String, AppError> {
    // The job spec on the runner branch is the authority on where the request came from.
    // No branch: the job was finished (its report committed, its branch deleted) or aborted.
    // 410 tells the runner that there is nothing left to do.
    let spec = pending::read_spec(app, &job_id.branch())
        .await?
        .ok_or_else(|| {
            AppError::new(
                StatusCode::GONE,
                format!("job {job_id} has no branch on the runner repository: it is finished or was aborted"),
            )
        })?;
    let now = app.clock.now();
    let canonical = super::commands::canonical(app, &spec.command);
    let built = match &outcome {
        Outcome::Result(r) => {
            report::success_at(&spec, r, &canonical, now, &app.config.reports.web_url)
        }
        Outcome::Failure(f) => {
            report::failure_at(&spec, f, &canonical, now, &app.config.reports.web_url)
        }
    }
    .map_err(|e| AppError::new(StatusCode::BAD_REQUEST, format!("{e:#}")))?;
    if !pending::has_report(app, &spec).await?
        && report::commit(
            app.forges.reports.as_ref(),
            &app.config.reports.repo,
            &app.config.reports.branch,
            &built,
        )
        .await?
    {
        match outcome {
            Outcome::Result(_) => app.metrics.inc_job_finished(),
            Outcome::Failure(_) => app.metrics.inc_job_failed(),
        }
        if let Ok(created) = time::OffsetDateTime::parse(
            &spec.created_at,
            &time::format_description::well_known::Rfc3339,
        ) {
            app.metrics
                .observe_job_latency((now - created).as_seconds_f64().max(0.0));
        }
    }
    let link = report::link(&app.config.reports.web_url, &built.report_path);
    let forge = app.conversation_forge(&spec.source.platform)?;
    let thread = Thread::of(&spec.source);
    let body = report::reply_text(&spec, &built, &link);
    // The animation (or plot) travels with the reply where the platform takes files.
    let mut files = Vec::new();
    if let Outcome::Result(r) = &outcome {
        // Only artifacts that passed the report's checks (name, type, magic bytes).
        for a in &r.artifacts {
            if let Ok((kind, bytes)) = report::checked_artifact(a) {
                if kind.is_image() {
                    files.push(crate::forge::Attachment {
                        name: a.name.clone(),
                        content_type: kind.mime().to_string(),
                        bytes,
                    });
                }
            }
        }
    }
    let replied = app
        .reply_claimed(
            forge.as_ref(),
            &thread,
            &format!("report-{}", spec.id),
            &body,
            &files,
        )
        .await?;
    if replied == super::Replied::Elsewhere {
        // Another delivery is posting the reply: keep the branch until it is posted (or its
        // claim expires and a retry or reconciliation posts it).
        return Err(AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("job {job_id}: its reply is being posted by another delivery; retry later"),
        ));
    }
    retire_branch(app, &spec).await?;
    Ok(built.report_path.clone())
}

/// Deletes a finished job's branch, once its report is committed and its reply sent:
/// finished jobs leave nothing in the runner repository but CI history. Idempotency no
/// longer needs the branch — `simulate` looks for the report first. A crash before this
/// point leaves a branch with a report, which reconciliation completes.
pub async fn retire_branch(app: &App, spec: &crate::job::JobSpec) -> Result<(), AppError> {
    app.forges
        .runner
        .delete_branch(&app.config.runner.repo, &spec.id.branch())
        .await?;
    tracing::info!(job = %spec.id, "job branch deleted");
    Ok(())
}
