//! Finds the pending jobs of a conversation: job branches of its thread whose report
//! does not exist yet. Derived from the forges alone (no database).

use crate::forge::{Branch, ForgeError};
use crate::job::{JobId, JobSource, JobSpec, BRANCH_PREFIX, JOB_FILE};

use super::super::App;

/// A job branch with its spec.
pub struct PendingJob {
    pub spec: JobSpec,
    pub branch: Branch,
}

/// Whether the job's report has been committed.
pub async fn has_report(app: &App, spec: &JobSpec) -> Result<bool, ForgeError> {
    let path = format!("{}/summary.json", spec.report_dir());
    Ok(app
        .forges
        .reports
        .read_file(&app.config.reports.repo, &app.config.reports.branch, &path)
        .await?
        .is_some())
}

/// Reads the job spec committed on a runner branch.
pub async fn read_spec(app: &App, branch: &str) -> Result<Option<JobSpec>, ForgeError> {
    let bytes = app
        .forges
        .runner
        .read_file(&app.config.runner.repo, branch, JOB_FILE)
        .await?;
    Ok(bytes.and_then(|b| JobSpec::from_json(&String::from_utf8_lossy(&b)).ok()))
}

/// The live job branches under a prefix: those still waiting for a report, and those whose
/// report is committed but whose branch outlived it (a crash between the two steps).
#[derive(Default)]
pub struct Scan {
    pub pending: Vec<PendingJob>,
    pub reported: Vec<PendingJob>,
}

/// Lists the job branches under `prefix` (prefix-filtered and paged by the forge), oldest
/// first, and reads two files per live branch. Finished jobs have no branch, so the cost
/// is proportional to the pending work, not to the history.
pub async fn scan(app: &App, prefix: &str) -> Result<Scan, ForgeError> {
    let full_prefix = format!("{BRANCH_PREFIX}{prefix}");
    let mut branches = app
        .forges
        .runner
        .list_branches(&app.config.runner.repo, &full_prefix)
        .await?;
    branches.sort_by_key(|b| b.committed_at);
    let mut out = Scan::default();
    for branch in branches {
        let Some(spec) = read_spec(app, &branch.name).await? else {
            continue;
        };
        if has_report(app, &spec).await? {
            out.reported.push(PendingJob { spec, branch });
        } else {
            out.pending.push(PendingJob { spec, branch });
        }
    }
    Ok(out)
}

/// Every job branch of the runner repository without a report, oldest first.
pub async fn all(app: &App, prefix: &str) -> Result<Vec<PendingJob>, ForgeError> {
    Ok(scan(app, prefix).await?.pending)
}

/// Pending jobs of the conversation `source` belongs to.
pub async fn for_thread(app: &App, source: &JobSource) -> Result<Vec<PendingJob>, ForgeError> {
    let prefix = JobId::thread_prefix(source);
    Ok(all(app, &prefix)
        .await?
        .into_iter()
        .filter(|p| {
            p.spec.source.platform == source.platform
                && p.spec.source.repo == source.repo
                && p.spec.source.number == source.number
        })
        .collect())
}
