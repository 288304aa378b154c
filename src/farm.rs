//! The bot farm's CLI (`battbot bots list|stats|export|import`): many bots in one config,
//! statistics from their reports repositories, and a bot's config (without secrets) plus
//! its `state` branch moved between deployments as one archive.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context};
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::forge::{CommitMode, FileChange, STATE_BRANCH};
use crate::report::index::{self, Entry};
use crate::server::boot::forges_from_config;

const ARCHIVE_FORMAT: &str = "battbot-bot-export/1";

/// Every bot of a config: the main one first, then the farm's.
pub fn bots(config: &Config) -> Vec<Config> {
    let mut main = config.clone();
    main.bots.clear();
    let mut all = vec![main];
    all.extend(config.bots.iter().map(|b| config.farm_bot(b)));
    all
}

fn find(config: &Config, name: &str) -> anyhow::Result<Config> {
    bots(config)
        .into_iter()
        .find(|b| b.bot_name.eq_ignore_ascii_case(name))
        .with_context(|| {
            let names: Vec<String> = bots(config).into_iter().map(|b| b.bot_name).collect();
            format!("no bot named {name:?} (bots: {})", names.join(", "))
        })
}

/// One line per bot; reads nothing over the network.
pub fn list(config: &Config) -> Vec<serde_json::Value> {
    bots(config)
        .iter()
        .map(|b| {
            let mut platforms = Vec::new();
            if b.github_webhook_secret().is_some()
                || b.github_account
                    .as_ref()
                    .is_some_and(|a| a.access_token.is_some())
            {
                platforms.push("github");
            }
            if b.gitlab_webhook_token().is_some() {
                platforms.push("gitlab");
            }
            if b.twitter.as_ref().is_some_and(|t| t.access_token.is_some()) {
                platforms.push("twitter");
            }
            if b.slack.as_ref().is_some_and(|s| s.bot_token.is_some()) {
                platforms.push("slack");
            }
            if b.mastodon
                .as_ref()
                .is_some_and(|m| m.access_token.is_some())
            {
                platforms.push("mastodon");
            }
            if b.bluesky.as_ref().is_some_and(|x| x.app_password.is_some()) {
                platforms.push("bluesky");
            }
            serde_json::json!({
                "bot": b.bot_name,
                "platforms": platforms,
                "runner": format!("{}:{}", b.runner.forge, b.runner.repo),
                "reports": format!("{}:{}", b.reports.forge, b.reports.repo),
                "registered_repos": b.registered_repos,
            })
        })
        .collect()
}

/// Statistics of one bot, from its reports index.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stats {
    pub bot: String,
    pub reports: usize,
    pub failures: usize,
    pub median_latency_s: Option<f64>,
    pub median_solve_s: Option<f64>,
    /// Reports per day (`yyyy-mm-dd`).
    pub per_day: BTreeMap<String, usize>,
    pub per_platform: BTreeMap<String, usize>,
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    })
}

/// Computes statistics from index entries.
pub fn stats_of(bot: &str, entries: &[Entry]) -> Stats {
    let mut per_day = BTreeMap::new();
    let mut per_platform = BTreeMap::new();
    for e in entries {
        *per_day
            .entry(e.finished_at.get(..10).unwrap_or("").to_string())
            .or_default() += 1;
        *per_platform.entry(e.platform.clone()).or_default() += 1;
    }
    Stats {
        bot: bot.to_string(),
        reports: entries.len(),
        failures: entries.iter().filter(|e| e.status != "success").count(),
        median_latency_s: median(entries.iter().filter_map(|e| e.latency_s).collect()),
        median_solve_s: median(
            entries
                .iter()
                .filter(|e| e.status == "success")
                .map(|e| e.solve_s)
                .collect(),
        ),
        per_day,
        per_platform,
    }
}

/// Reads the index (its manifest and pages) of each bot.
pub async fn stats(config: &Config, only: Option<&str>) -> anyhow::Result<Vec<Stats>> {
    let mut out = Vec::new();
    for bot in bots(config) {
        if only.is_some_and(|n| !n.eq_ignore_ascii_case(&bot.bot_name)) {
            continue;
        }
        let forges = forges_from_config(&bot)?;
        let entries = index::read_all(
            forges.reports.as_ref(),
            &bot.reports.repo,
            &bot.reports.branch,
        )
        .await?;
        out.push(stats_of(&bot.bot_name, &entries));
    }
    if let Some(name) = only {
        if out.is_empty() {
            find(config, name)?;
        }
    }
    Ok(out)
}

/// A bot moved between deployments: config without secrets, state branch files.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Archive {
    pub format: String,
    pub bot: Config,
    /// Path → base64 contents of the files on the `state` branch.
    pub state: BTreeMap<String, String>,
}

/// Exports a bot as an archive.
pub async fn export(config: &Config, name: &str) -> anyhow::Result<Archive> {
    let bot = find(config, name)?;
    let forges = forges_from_config(&bot)?;
    let mut state = BTreeMap::new();
    for path in forges
        .reports
        .list_files(&bot.reports.repo, STATE_BRANCH, "")
        .await?
    {
        if let Some(bytes) = forges
            .reports
            .read_file(&bot.reports.repo, STATE_BRANCH, &path)
            .await?
        {
            state.insert(
                path,
                base64::engine::general_purpose::STANDARD.encode(bytes),
            );
        }
    }
    let mut clean = bot.without_secrets();
    clean.bots.clear();
    Ok(Archive {
        format: ARCHIVE_FORMAT.into(),
        bot: clean,
        state,
    })
}

/// Imports an archive: adds (or replaces) the bot in the config file at `config_path`
/// and commits its state files to its reports repository's `state` branch.
pub async fn import(config_path: &Path, archive: &Archive) -> anyhow::Result<()> {
    if archive.format != ARCHIVE_FORMAT {
        bail!(
            "not a battbot bot archive (format {:?}, expected {ARCHIVE_FORMAT})",
            archive.format
        );
    }
    let text = std::fs::read_to_string(config_path)
        .with_context(|| format!("cannot read {}", config_path.display()))?;
    let mut raw: Config = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a battbot config", config_path.display()))?;
    raw.bots
        .retain(|b| !b.bot_name.eq_ignore_ascii_case(&archive.bot.bot_name));
    raw.bots.push(archive.bot.clone());
    raw.validate()?;
    let mut files = Vec::new();
    for (path, b64) in &archive.state {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .with_context(|| format!("state file {path} is not valid base64"))?;
        files.push(FileChange::new(path.clone(), bytes));
    }
    if !files.is_empty() {
        let mut bot = raw.farm_bot(&archive.bot);
        bot.apply_env();
        let forges = forges_from_config(&bot)?;
        forges
            .reports
            .commit_files(
                &bot.reports.repo,
                STATE_BRANCH,
                &files,
                &[],
                &format!("import state of bot {}", bot.bot_name),
                CommitMode::UpdateBranch,
            )
            .await?;
    }
    let pretty = serde_json::to_string_pretty(&raw)? + "\n";
    std::fs::write(config_path, pretty)
        .with_context(|| format!("cannot write {}", config_path.display()))?;
    Ok(())
}
