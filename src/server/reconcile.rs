//! Reconciliation (DESIGN §2): job branches older than the job timeout without a report
//! are checked against the forge's pipeline state and answered, so nothing hangs silently.

use std::time::Duration;

use serde::Serialize;

use crate::forge::PipelineState;
use crate::runner::protocol::RunFailure;
use crate::runner::VERSION;

use super::callback::{finish, Outcome};
use super::commands::pending;
use super::App;

/// What reconciliation did with one job.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reconciled {
    pub job_id: String,
    pub age_s: i64,
    pub state: PipelineState,
    pub reason: String,
    pub report: String,
}

/// Why a job that outlived its timeout ended, in the words the user gets.
pub fn reason(state: &PipelineState, age_s: i64, timeout_s: u64) -> String {
    match state {
        PipelineState::Missing => format!(
            "no runner picked the job up within {} (is the runner online?)",
            super::commands::status::age(timeout_s as i64)
        ),
        PipelineState::Failed => "the runner failed without reporting back".into(),
        PipelineState::Canceled => "the job's pipeline was cancelled".into(),
        PipelineState::Success => "the runner finished but its result never arrived".into(),
        PipelineState::Pending | PipelineState::Running | PipelineState::Unknown => format!(
            "the job timed out after {}",
            super::commands::status::age(age_s)
        ),
    }
}

/// One pass over the pending jobs.
pub async fn run_once(app: &App) -> anyhow::Result<Vec<Reconciled>> {
    let now = app.clock.now().unix_timestamp();
    let timeout = app.config.runner.job_timeout_s;
    let mut done = Vec::new();
    let scan = pending::scan(app, "").await?;
    for job in &scan.reported {
        complete_reported(app, job, now).await?;
    }
    for job in scan.pending {
        let age = now - job.branch.committed_at;
        if age <= timeout as i64 {
            continue;
        }
        let repo = &app.config.runner.repo;
        let state = app
            .forges
            .runner
            .pipeline_state(repo, &job.branch.name)
            .await?;
        if matches!(state, PipelineState::Pending | PipelineState::Running) {
            app.forges
                .runner
                .cancel_pipeline(repo, &job.branch.name)
                .await?;
        }
        let why = reason(&state, age, timeout);
        let failure = RunFailure {
            job_id: job.spec.id.to_string(),
            battbot_version: VERSION.to_string(),
            error: why.clone(),
            log_tail: vec![format!(
                "reconciled by battbot {VERSION}: pipeline state {state:?}"
            )],
        };
        let report = finish(app, &job.spec.id, Outcome::Failure(failure))
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
        app.metrics.inc_job_reconciled();
        tracing::warn!(job = %job.spec.id, ?state, "reconciled: {why}");
        done.push(Reconciled {
            job_id: job.spec.id.to_string(),
            age_s: age,
            state,
            reason: why,
            report,
        });
    }
    Ok(done)
}

/// Seconds a committed report's own callback has to reply and delete the branch before
/// reconciliation takes over.
const REPORTED_GRACE_S: i64 = 120;

/// Completes a job whose report was committed but whose branch survived (a crash between
/// "report committed" and "branch deleted"): the reply, once, then the branch is deleted.
async fn complete_reported(app: &App, job: &pending::PendingJob, now: i64) -> anyhow::Result<()> {
    let path = format!("{}/summary.json", job.spec.report_dir());
    let Some(bytes) = app
        .forges
        .reports
        .read_file(&app.config.reports.repo, &app.config.reports.branch, &path)
        .await?
    else {
        return Ok(());
    };
    let summary: crate::report::Summary = serde_json::from_slice(&bytes)
        .map_err(|e| anyhow::anyhow!("{path} is not a report summary: {e}"))?;
    let fmt = &time::format_description::well_known::Rfc3339;
    let finished = time::OffsetDateTime::parse(&summary.finished_at, fmt)
        .map(|t| t.unix_timestamp())
        .unwrap_or(0);
    if now - finished < REPORTED_GRACE_S {
        return Ok(());
    }
    let built = crate::report::BuiltReport {
        report_path: summary.report.clone(),
        summary,
        files: Vec::new(),
    };
    let link = crate::report::link(&app.config.reports.web_url, &built.report_path);
    let body = crate::report::reply_text(&job.spec, &built, &link);
    let forge = app.conversation_forge(&job.spec.source.platform)?;
    let thread = crate::forge::Thread::of(&job.spec.source);
    let replied = app
        .reply_claimed(
            forge.as_ref(),
            &thread,
            &format!("report-{}", job.spec.id),
            &body,
            &[],
        )
        .await?;
    if replied == super::Replied::Elsewhere {
        // A live delivery is posting it; the branch goes with its callback or the next pass.
        return Ok(());
    }
    super::callback::retire_branch(app, &job.spec)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    tracing::warn!(job = %job.spec.id, "reconciled: report committed, branch deleted");
    Ok(())
}

/// Runs `run_once` every `every` until the app's task tracker closes.
pub fn spawn_periodic(app: &App, every: Duration) {
    let worker = app.clone();
    app.tasks.spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = wait_closed(&worker) => break,
            }
            if let Err(e) = run_once(&worker).await {
                tracing::error!("reconciliation failed: {e:#}");
            }
        }
    });
}

async fn wait_closed(app: &App) {
    while !app.tasks.is_closed() {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
