//! The reports repository's indexes: `index.json` (the entries, newest last) and the
//! READMEs rendered from it — top level (newest first) and per repository.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::forge::FileChange;

use super::markdown::{code_span, escape_text};
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
    pub report: String,
}

impl From<&Summary> for Entry {
    fn from(s: &Summary) -> Entry {
        let runs = match &s.command {
            crate::command::Command::Simulate { runs }
            | crate::command::Command::Compare { runs } => runs
                .iter()
                .map(|r| format!("{} {}", r.model, r.parameter_set))
                .collect::<Vec<_>>()
                .join(" vs "),
            other => format!("{other:?}").to_lowercase(),
        };
        Entry {
            job_id: s.job_id.clone(),
            status: s.status.clone(),
            platform: s.platform.clone(),
            repo: s.repo.clone(),
            number: s.number,
            user: s.user.clone(),
            finished_at: s.finished_at.clone(),
            command: runs,
            report: s.report.clone(),
        }
    }
}

/// Reads `index.json`; a damaged index yields an empty list rather than blocking reports.
pub fn parse_entries(bytes: &[u8]) -> Vec<Entry> {
    serde_json::from_slice(bytes).unwrap_or_default()
}

fn status_icon(status: &str) -> &'static str {
    if status == "success" {
        "✅"
    } else {
        "❌"
    }
}

fn line(e: &Entry, link: &str) -> String {
    format!(
        "| {} | {} | @{} | {} #{} | {} | [report]({}) |\n",
        escape_text(e.finished_at.get(..16).unwrap_or(&e.finished_at)),
        status_icon(&e.status),
        escape_text(&e.user),
        escape_text(&e.repo),
        e.number,
        code_span(&e.command),
        link
    )
}

const TABLE_HEAD: &str =
    "| finished (UTC) | status | who | where | command | |\n|---|---|---|---|---|---|\n";

/// The per-repo directory of an entry (`<platform>/<owner>/<repo>`).
fn repo_dir(e: &Entry) -> String {
    // report = <platform>/<owner>/<repo>/<number>/<job-id>/report.md
    let parts: Vec<&str> = e.report.split('/').collect();
    if parts.len() > 3 {
        parts[..parts.len() - 3].join("/")
    } else {
        e.platform.clone()
    }
}

/// `index.json`, `README.md` and every per-repo `README.md`.
pub fn render_all(entries: &[Entry]) -> Vec<FileChange> {
    let mut newest: Vec<&Entry> = entries.iter().collect();
    newest.sort_by(|a, b| b.finished_at.cmp(&a.finished_at));
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for e in entries {
        *counts.entry(e.platform.as_str()).or_default() += 1;
    }
    let mut top =
        String::from("# battbot reports\n\nSimulations requested from battbot, newest first.\n\n");
    top.push_str(&format!(
        "{} reports: {}.\n\n",
        entries.len(),
        counts
            .iter()
            .map(|(p, n)| format!("{p} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    top.push_str(TABLE_HEAD);
    for e in newest.iter().take(TOP_LIMIT) {
        top.push_str(&line(e, &e.report));
    }
    let mut files = vec![
        FileChange::new(
            INDEX_FILE,
            serde_json::to_string_pretty(entries).unwrap_or_default() + "\n",
        ),
        FileChange::new("README.md", top),
    ];
    let mut per_repo: BTreeMap<String, Vec<&Entry>> = BTreeMap::new();
    for e in &newest {
        if e.platform != "twitter" && e.platform != "scheduled" {
            per_repo.entry(repo_dir(e)).or_default().push(e);
        }
    }
    for (dir, list) in per_repo {
        let mut md = format!(
            "# battbot reports for {}\n\nNewest first.\n\n",
            escape_text(&list[0].repo)
        );
        md.push_str(TABLE_HEAD);
        for e in list {
            let rel = e
                .report
                .strip_prefix(&format!("{dir}/"))
                .unwrap_or(&e.report);
            md.push_str(&line(e, rel));
        }
        files.push(FileChange::new(format!("{dir}/README.md"), md));
    }
    files
}
