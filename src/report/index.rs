//! The reports repository's indexes: `index.json` (every report's entry) and what is
//! rendered from it on every report commit — the top-level README (latest 50, counts per
//! platform), one README per repository (newest first) and a searchable `index.html`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::command::Command;
use crate::forge::FileChange;

use super::template;
use super::Summary;

pub const INDEX_FILE: &str = "index.json";
/// How many reports the top-level README lists.
pub const TOP_LIMIT: usize = 50;

/// One line of an index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub job_id: String,
    pub status: String,
    pub platform: String,
    pub repo: String,
    pub number: u64,
    pub user: String,
    pub finished_at: String,
    pub command: String,
    /// Path of report.md from the repository root.
    pub report: String,
    /// Seconds from the request to the report.
    #[serde(default)]
    pub latency_s: Option<f64>,
    /// Seconds the runner spent solving.
    #[serde(default)]
    pub solve_s: f64,
}

fn seconds_between(from: &str, to: &str) -> Option<f64> {
    let fmt = &time::format_description::well_known::Rfc3339;
    let a = time::OffsetDateTime::parse(from, fmt).ok()?;
    let b = time::OffsetDateTime::parse(to, fmt).ok()?;
    Some((b - a).as_seconds_f64())
}

/// A short description of what was run: "SPM Chen2020 vs DFN Chen2020".
pub fn describe(command: &Command) -> String {
    match command {
        Command::Simulate { runs } | Command::Compare { runs } => runs
            .iter()
            .map(|r| format!("{} {}", r.model, r.parameter_set))
            .collect::<Vec<_>>()
            .join(" vs "),
        Command::Help => "help".into(),
        Command::Status => "status".into(),
        Command::Abort => "abort".into(),
        Command::Runbenchmarks => "runbenchmarks".into(),
    }
}

impl From<&Summary> for Entry {
    fn from(s: &Summary) -> Entry {
        Entry {
            job_id: s.job_id.clone(),
            status: s.status.clone(),
            platform: s.platform.clone(),
            repo: s.repo.clone(),
            number: s.number,
            user: s.user.clone(),
            finished_at: s.finished_at.clone(),
            command: describe(&s.command),
            report: s.report.clone(),
            latency_s: seconds_between(&s.created_at, &s.finished_at),
            solve_s: s.runs.iter().map(|r| r.solve_time_s).sum(),
        }
    }
}

/// Reads `index.json`; a damaged index yields an empty list rather than blocking reports.
pub fn parse_entries(bytes: &[u8]) -> Vec<Entry> {
    serde_json::from_slice(bytes).unwrap_or_default()
}

#[derive(Serialize)]
struct Row<'a> {
    #[serde(flatten)]
    entry: &'a Entry,
    link: String,
    html_link: String,
}

#[derive(Serialize)]
struct Count<'a> {
    platform: &'a str,
    count: usize,
}

/// The directory of an entry's repository (`<platform>/<owner>/<repo>`), if it has one.
fn repo_dir(e: &Entry) -> Option<String> {
    // report = <platform>/<owner>/<repo>/<number>/<job-id>/report.md
    if e.platform == "twitter" || e.platform == "scheduled" {
        return None;
    }
    let parts: Vec<&str> = e.report.split('/').collect();
    (parts.len() > 4).then(|| parts[..parts.len() - 3].join("/"))
}

/// `index.json`, `README.md`, `index.html` and every per-repo `README.md`.
pub fn render_all(entries: &[Entry]) -> anyhow::Result<Vec<FileChange>> {
    let mut newest: Vec<&Entry> = entries.iter().collect();
    newest.sort_by(|a, b| {
        b.finished_at
            .cmp(&a.finished_at)
            .then(b.job_id.cmp(&a.job_id))
    });
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for e in entries {
        *counts.entry(e.platform.as_str()).or_default() += 1;
    }
    let counts: Vec<Count> = counts
        .into_iter()
        .map(|(platform, count)| Count { platform, count })
        .collect();
    fn row(e: &Entry, link: String) -> Row<'_> {
        Row {
            html_link: e.report.clone(),
            entry: e,
            link,
        }
    }
    let top: Vec<Row> = newest
        .iter()
        .take(TOP_LIMIT)
        .map(|e| row(e, e.report.clone()))
        .collect();
    let readme = template::render(
        "index.md",
        serde_json::json!({ "total": entries.len(), "counts": counts, "entries": top }),
    )?;
    let all: Vec<Row> = newest.iter().map(|e| row(e, e.report.clone())).collect();
    let site = template::render(
        "site.html",
        serde_json::json!({ "total": entries.len(), "entries": all }),
    )?;
    let mut files = vec![
        FileChange::new(INDEX_FILE, serde_json::to_string_pretty(entries)? + "\n"),
        FileChange::new("README.md", readme),
        FileChange::new("index.html", site),
    ];
    let mut per_repo: BTreeMap<String, Vec<&Entry>> = BTreeMap::new();
    for e in &newest {
        if let Some(dir) = repo_dir(e) {
            per_repo.entry(dir).or_default().push(e);
        }
    }
    for (dir, list) in per_repo {
        let rows: Vec<Row> = list
            .iter()
            .map(|e| {
                let rel = e
                    .report
                    .strip_prefix(&format!("{dir}/"))
                    .unwrap_or(&e.report);
                row(e, rel.to_string())
            })
            .collect();
        let md = template::render(
            "repo-index.md",
            serde_json::json!({ "repo": list[0].repo, "up": "", "entries": rows }),
        )?;
        files.push(FileChange::new(format!("{dir}/README.md"), md));
    }
    Ok(files)
}
