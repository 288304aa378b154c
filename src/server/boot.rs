//! Starts `battbot serve` from a config: builds the forges, binds, and serves until
//! SIGTERM/SIGINT, then drains background work.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};

use crate::config::Config;
use crate::forge::local::LocalForge;
use crate::forge::Forge;

use super::{App, Forges, SystemClock};

/// The forge named by a config's `forge` field.
fn forge(kind: &str, conversations: &str) -> anyhow::Result<Arc<dyn Forge>> {
    match kind {
        "local" => Ok(Arc::new(LocalForge::new(
            std::env::current_dir()?,
            PathBuf::from(conversations),
        ))),
        other => bail!(
            "forge {other:?} is not available in this build of battbot yet (hint: use \"local\")"
        ),
    }
}

/// Forges for runner, reports and conversations as the config names them.
pub fn forges_from_config(config: &Config) -> anyhow::Result<Forges> {
    if config.runner.repo.is_empty() || config.reports.repo.is_empty() {
        bail!("config: runner.repo and reports.repo must be set (or BATTBOT_RUNNER_REPO / BATTBOT_REPORTS_REPO)");
    }
    let runner = forge(&config.runner.forge, &config.reports.repo)?;
    let reports = forge(&config.reports.forge, &config.reports.repo)?;
    let mut conversations = HashMap::new();
    conversations.insert("github".to_string(), reports.clone());
    conversations.insert("local".to_string(), reports.clone());
    Ok(Forges {
        conversations,
        runner,
        reports,
    })
}

/// Resolves when the process receives SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down: finishing in-flight work");
}

/// `battbot serve`.
pub async fn run(config: Config, listen: &str) -> anyhow::Result<()> {
    let forges = forges_from_config(&config)?;
    let app = App::new(config, forges, Arc::new(SystemClock))?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!("battbot listening on http://{}", listener.local_addr()?);
    super::serve(app, listener, shutdown_signal()).await
}
