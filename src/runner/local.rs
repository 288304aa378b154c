//! A local CI runner: watches a runner repository for new `battbot/*` branches and runs
//! `battbot run-job` on each committed job spec as a child process, like a CI machine.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::forge::Forge;
use crate::job::{BRANCH_PREFIX, JOB_FILE};

/// What the runner needs to run jobs.
#[derive(Clone)]
pub struct LocalRunner {
    pub forge: Arc<dyn Forge>,
    pub repo: String,
    /// The `battbot` executable to run jobs with.
    pub exe: PathBuf,
    /// Job working directories go here.
    pub work_dir: PathBuf,
    /// `<branch>.state` files (running / success / failed) for the forge's pipeline state.
    pub status_dir: PathBuf,
    pub secret: String,
    pub poll: Duration,
}

impl LocalRunner {
    /// Starts watching; branches that already exist are not run again. Stops when `stop` flips.
    pub async fn spawn(
        self,
        mut stop: watch::Receiver<bool>,
    ) -> anyhow::Result<tokio::task::JoinHandle<()>> {
        std::fs::create_dir_all(&self.work_dir)?;
        std::fs::create_dir_all(&self.status_dir)?;
        let mut seen: HashSet<String> = self
            .forge
            .list_branches(&self.repo, BRANCH_PREFIX)
            .await?
            .into_iter()
            .map(|b| format!("{}@{}", b.name, b.commit))
            .collect();
        Ok(tokio::spawn(async move {
            let mut running = tokio::task::JoinSet::new();
            loop {
                if *stop.borrow() {
                    break;
                }
                match self.forge.list_branches(&self.repo, BRANCH_PREFIX).await {
                    Ok(branches) => {
                        for b in branches {
                            if seen.insert(format!("{}@{}", b.name, b.commit)) {
                                let me = self.clone();
                                running.spawn(async move { me.run_branch(&b.name).await });
                            }
                        }
                    }
                    Err(e) => tracing::warn!("local runner cannot list branches: {e}"),
                }
                tokio::select! {
                    _ = tokio::time::sleep(self.poll) => {}
                    _ = stop.changed() => {}
                }
            }
            // Jobs in flight finish before the runner stops.
            while running.join_next().await.is_some() {}
        }))
    }

    fn state_file(&self, branch: &str) -> PathBuf {
        self.status_dir
            .join(format!("{}.state", branch.replace('/', "_")))
    }

    async fn run_branch(&self, branch: &str) {
        let state = self.state_file(branch);
        let _ = std::fs::write(&state, "running");
        let ok = match self.run(branch).await {
            Ok(ok) => ok,
            Err(e) => {
                tracing::error!(%branch, "local runner: {e:#}");
                false
            }
        };
        let _ = std::fs::write(&state, if ok { "success" } else { "failed" });
    }

    async fn run(&self, branch: &str) -> anyhow::Result<bool> {
        let Some(spec) = self.forge.read_file(&self.repo, branch, JOB_FILE).await? else {
            anyhow::bail!("{branch} has no {JOB_FILE}");
        };
        let dir = self.work_dir.join(branch.replace('/', "_"));
        std::fs::create_dir_all(&dir)?;
        let job = dir.join(JOB_FILE);
        std::fs::write(&job, spec)?;
        let out = dir.join("battbot-out");
        tracing::info!(%branch, "local runner: running job");
        let status = tokio::process::Command::new(&self.exe)
            .arg("run-job")
            .arg("--job")
            .arg(&job)
            .arg("--out")
            .arg(&out)
            .env("BATTBOT_RUNNER_SECRET", &self.secret)
            .env("RUST_LOG", "warn")
            .kill_on_drop(true)
            .status()
            .await?;
        if !status.success() {
            // The CI template's on-failure step: report the failure if run-job could not.
            let _ = tokio::process::Command::new(&self.exe)
                .arg("run-job")
                .arg("--job")
                .arg(&job)
                .arg("--out")
                .arg(&out)
                .arg("--failure")
                .arg(format!("the local runner's job exited with {status}"))
                .env("BATTBOT_RUNNER_SECRET", &self.secret)
                .status()
                .await;
        }
        Ok(status.success())
    }
}
