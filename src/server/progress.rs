//! A long job's progress (`runbenchmarks` rounds), kept on the reports repository's `state`
//! branch: recorded from the runner's `progress` callbacks, read by `status`.

use axum::http::StatusCode;

use crate::job::JobId;
use crate::runner::protocol::Progress;

use super::{App, AppError};

/// Where a job's progress is kept: the reports repository's `state` branch.
pub fn progress_path(job_id: &str) -> String {
    format!("progress/{job_id}.json")
}

/// Records a long job's progress for `status` (state lives only as commits), monotonically:
/// a replayed or out-of-order report of no more progress than recorded writes nothing.
pub(super) async fn record(app: &App, job_id: &JobId, p: &Progress) -> Result<(), AppError> {
    if p.total == 0 || p.done > p.total || p.unit.is_empty() || !valid_unit(&p.unit) {
        return Err(AppError::new(
            StatusCode::BAD_REQUEST,
            "progress needs 0 ≤ done ≤ total, total > 0 and a unit of at most 32 letters",
        ));
    }
    let recorded = read(app, job_id.as_str()).await?;
    if recorded.is_some_and(|r| r.total == p.total && r.done >= p.done) {
        return Ok(());
    }
    let body =
        serde_json::to_vec(p).map_err(|e| AppError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    app.write_state(
        &progress_path(job_id.as_str()),
        body,
        &format!("progress of {job_id}: {} {} of {}", p.unit, p.done, p.total),
    )
    .await?;
    Ok(())
}

/// A progress unit is a short word (`round`): it is shown to users.
fn valid_unit(unit: &str) -> bool {
    unit.len() <= 32 && unit.chars().all(|c| c.is_ascii_alphabetic() || c == ' ')
}

/// Reads a job's recorded progress, if any.
pub async fn read(app: &App, job_id: &str) -> Result<Option<Progress>, crate::forge::ForgeError> {
    let bytes = app.read_state(&progress_path(job_id)).await?;
    Ok(bytes.and_then(|b| serde_json::from_slice(&b).ok()))
}
