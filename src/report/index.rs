//! The reports repository's index, sharded so that a report commit reads and writes a
//! bounded number of bounded files whatever the history: `index/manifest.json` (totals and
//! the months), `index/<yyyy-mm>/<bucket>/<page>.json` pages of `PAGE_SIZE` entries, and
//! the READMEs and site rendered in `site.rs`. A legacy single `index.json` is migrated.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::command::Command;
use crate::forge::{FileChange, Forge, ForgeError};

use super::activity::{self, Week};
use super::Summary;
use super::{html, site};

/// The single index of earlier versions; migrated to shards on the first commit.
pub const LEGACY_INDEX_FILE: &str = "index.json";
/// Totals, counts per platform and the months with their page counts.
pub const MANIFEST_FILE: &str = "index/manifest.json";
/// The newest reports, newest first: what `index.html` lists as static HTML.
pub const LATEST_FILE: &str = "index/latest.json";
/// How many reports `index.html` lists without JavaScript.
pub const LATEST_SIZE: usize = 24;
/// Entries per page: the largest index file a report commit rewrites.
pub const PAGE_SIZE: u64 = 10;
/// Pages per bucket directory, so that no git tree a commit rewrites grows without bound.
const PAGES_PER_BUCKET: u64 = 100;

/// One line of an index.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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
    /// The runs' models and parameter sets, for the site's filters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameter_sets: Vec<String>,
    /// Path of the plot's thumbnail from the repository root, when the report has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
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

/// The distinct models and parameter sets a command runs, in order.
fn runs_of(command: &Command) -> (Vec<String>, Vec<String>) {
    let (mut models, mut sets) = (Vec::<String>::new(), Vec::<String>::new());
    if let Command::Simulate { runs } | Command::Compare { runs } = command {
        for r in runs {
            if !models.contains(&r.model) {
                models.push(r.model.clone());
            }
            if !sets.contains(&r.parameter_set) {
                sets.push(r.parameter_set.clone());
            }
        }
    }
    (models, sets)
}

impl From<&Summary> for Entry {
    fn from(s: &Summary) -> Entry {
        let (models, parameter_sets) = runs_of(&s.command);
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
            models,
            parameter_sets,
            thumbnail: None,
        }
    }
}

impl Entry {
    /// The month shard of the entry: `yyyy-mm` of `finished_at` (`0000-00` when unreadable).
    pub fn month(&self) -> String {
        let m = self.finished_at.get(..7).unwrap_or("");
        let ok = m.len() == 7
            && m.as_bytes()[4] == b'-'
            && m.bytes()
                .enumerate()
                .all(|(i, b)| i == 4 || b.is_ascii_digit());
        if ok {
            m.to_string()
        } else {
            "0000-00".into()
        }
    }
}

/// Reads a legacy `index.json` or a page; a damaged file yields an empty list rather than
/// blocking reports.
pub fn parse_entries(bytes: &[u8]) -> Vec<Entry> {
    serde_json::from_slice(bytes).unwrap_or_default()
}

/// One month of the index.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Month {
    /// `yyyy-mm`.
    pub month: String,
    pub count: u64,
    pub pages: u64,
}

/// `index/manifest.json`: what the site and the READMEs need without reading any page.
/// Its size grows with the number of months, not with the number of reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub total: u64,
    pub counts: BTreeMap<String, u64>,
    /// Oldest first.
    pub months: Vec<Month>,
    /// Fingerprint of the site's stylesheet and script last written (rewritten only when
    /// they change).
    #[serde(default)]
    pub site: String,
    /// Entries per page; `PAGE_SIZE` when written.
    pub page_size: u64,
    /// Reports per week and their latencies, the newest `activity::ACTIVITY_WEEKS` weeks.
    #[serde(default)]
    pub activity: Vec<Week>,
}

/// Path of page `page` of `month`: `index/2026-12/0000/07.json`.
pub fn page_path(month: &str, page: u64) -> String {
    format!(
        "index/{month}/{:04}/{:02}.json",
        page / PAGES_PER_BUCKET,
        page % PAGES_PER_BUCKET
    )
}

/// A page as committed: a JSON array with one entry per line (diffs stay one line).
pub fn page_json(entries: &[Entry]) -> anyhow::Result<String> {
    let mut out = String::from("[\n");
    for (i, e) in entries.iter().enumerate() {
        out.push_str(&serde_json::to_string(e)?);
        out.push_str(if i + 1 < entries.len() { ",\n" } else { "\n" });
    }
    out.push_str("]\n");
    Ok(out)
}

fn manifest_json(m: &Manifest) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(m)? + "\n")
}

/// The shards of a whole index (a migration or a rebuild): manifest and every page.
pub fn shard_all(entries: &[Entry]) -> anyhow::Result<(Manifest, Vec<FileChange>)> {
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by(|a, b| {
        a.finished_at
            .cmp(&b.finished_at)
            .then(a.job_id.cmp(&b.job_id))
    });
    let mut by_month: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    let mut manifest = Manifest {
        version: 1,
        page_size: PAGE_SIZE,
        ..Manifest::default()
    };
    for e in sorted {
        *manifest.counts.entry(e.platform.clone()).or_default() += 1;
        manifest.total += 1;
        activity::record(&mut manifest.activity, e);
        by_month.entry(e.month()).or_default().push(e.clone());
    }
    let mut files = Vec::new();
    for (month, list) in by_month {
        let pages = list.chunks(PAGE_SIZE as usize);
        let n = pages.len() as u64;
        for (i, page) in pages.enumerate() {
            files.push(FileChange::new(
                page_path(&month, i as u64),
                page_json(page)?,
            ));
        }
        manifest.months.push(Month {
            month,
            count: list.len() as u64,
            pages: n,
        });
    }
    Ok((manifest, files))
}

/// Every entry of the index, oldest month first (upkeep commands: site, prune, stats —
/// never a request). Reads the legacy `index.json` when no manifest exists yet.
pub async fn read_all(
    forge: &dyn Forge,
    repo: &str,
    branch: &str,
) -> Result<Vec<Entry>, ForgeError> {
    read_months(forge, repo, branch, |_| true).await
}

/// The entries of the months (`yyyy-mm`) `keep` selects, oldest first; a legacy
/// `index.json` is filtered the same way.
pub async fn read_months(
    forge: &dyn Forge,
    repo: &str,
    branch: &str,
    keep: impl Fn(&str) -> bool,
) -> Result<Vec<Entry>, ForgeError> {
    let Some(manifest) = read_manifest(forge, repo, branch).await? else {
        let legacy = forge.read_file(repo, branch, LEGACY_INDEX_FILE).await?;
        let mut all = legacy.as_deref().map(parse_entries).unwrap_or_default();
        all.retain(|e| keep(&e.month()));
        return Ok(all);
    };
    let mut out = Vec::new();
    for month in manifest.months.iter().filter(|m| keep(&m.month)) {
        for page in 0..month.pages {
            if let Some(bytes) = forge
                .read_file(repo, branch, &page_path(&month.month, page))
                .await?
            {
                out.extend(parse_entries(&bytes));
            }
        }
    }
    Ok(out)
}

/// The manifest, if the index is sharded already (a damaged one counts as absent).
pub async fn read_manifest(
    forge: &dyn Forge,
    repo: &str,
    branch: &str,
) -> Result<Option<Manifest>, ForgeError> {
    Ok(forge
        .read_file(repo, branch, MANIFEST_FILE)
        .await?
        .and_then(|b| serde_json::from_slice(&b).ok()))
}

/// The newest `LATEST_SIZE` entries read from the pages, newest first: a few page reads,
/// once, for an index sharded before `latest.json` existed.
async fn newest_from_pages(
    forge: &dyn Forge,
    repo: &str,
    branch: &str,
    manifest: &Manifest,
) -> Result<Vec<Entry>, ForgeError> {
    let mut out = Vec::new();
    let pages = manifest
        .months
        .iter()
        .rev()
        .flat_map(|m| (0..m.pages).rev().map(move |p| page_path(&m.month, p)));
    for path in pages.take(LATEST_SIZE / PAGE_SIZE as usize + 2) {
        if out.len() >= LATEST_SIZE {
            break;
        }
        if let Some(bytes) = forge.read_file(repo, branch, &path).await? {
            out.extend(parse_entries(&bytes).into_iter().rev());
        }
    }
    Ok(out)
}

/// What a report commit changes besides the report itself.
#[derive(Debug, Default)]
pub struct IndexUpdate {
    pub files: Vec<FileChange>,
    pub deletes: Vec<String>,
}

fn render_err(e: anyhow::Error) -> ForgeError {
    ForgeError::Other(format!("rendering the indexes: {e:#}"))
}

/// Adds one entry to the index: reads the manifest, the entry's current page and the two
/// READMEs it appears in, and returns the files to write — a bounded number of bounded
/// files whatever the history. Migrates a legacy `index.json` (one full rebuild).
pub async fn add(
    forge: &dyn Forge,
    repo: &str,
    branch: &str,
    entry: &Entry,
) -> Result<IndexUpdate, ForgeError> {
    let Some(mut manifest) = read_manifest(forge, repo, branch).await? else {
        // First sharded commit: migrate whatever the legacy index holds.
        let legacy = forge.read_file(repo, branch, LEGACY_INDEX_FILE).await?;
        let mut entries = legacy.as_deref().map(parse_entries).unwrap_or_default();
        entries.retain(|e| e.job_id != entry.job_id);
        entries.push(entry.clone());
        let files = site::rebuild(&entries).map_err(render_err)?;
        let deletes = if legacy.is_some() {
            vec![LEGACY_INDEX_FILE.to_string()]
        } else {
            Vec::new()
        };
        return Ok(IndexUpdate { files, deletes });
    };
    let month = entry.month();
    let pos = match manifest.months.iter().position(|m| m.month == month) {
        Some(i) => i,
        None => {
            manifest.months.push(Month {
                month: month.clone(),
                ..Month::default()
            });
            manifest.months.sort_by(|a, b| a.month.cmp(&b.month));
            manifest
                .months
                .iter()
                .position(|m| m.month == month)
                .unwrap_or_default()
        }
    };
    let m = &mut manifest.months[pos];
    let mut page_no = m.pages.saturating_sub(1);
    let mut page = if m.pages == 0 {
        Vec::new()
    } else {
        forge
            .read_file(repo, branch, &page_path(&month, page_no))
            .await?
            .as_deref()
            .map(parse_entries)
            .unwrap_or_default()
    };
    let before = page.len();
    page.retain(|e| e.job_id != entry.job_id);
    let replaced = page.len() < before;
    if page.len() as u64 >= PAGE_SIZE.max(manifest.page_size) && m.pages > 0 {
        page_no += 1;
        page.clear();
    }
    page.push(entry.clone());
    m.pages = m.pages.max(page_no + 1);
    if !replaced {
        m.count += 1;
        manifest.total += 1;
        *manifest.counts.entry(entry.platform.clone()).or_default() += 1;
    }
    if !replaced {
        activity::record(&mut manifest.activity, entry);
    }
    let mut files = vec![FileChange::new(
        page_path(&month, page_no),
        page_json(&page).map_err(render_err)?,
    )];
    let fingerprint = html::assets_fingerprint();
    if manifest.site != fingerprint {
        manifest.site = fingerprint;
        files.extend(html::assets());
    }
    manifest.version = 1;
    manifest.page_size = manifest.page_size.max(PAGE_SIZE);
    files.push(FileChange::new(
        MANIFEST_FILE,
        manifest_json(&manifest).map_err(render_err)?,
    ));
    let mut latest = match forge.read_file(repo, branch, LATEST_FILE).await? {
        Some(bytes) => parse_entries(&bytes),
        None => newest_from_pages(forge, repo, branch, &manifest).await?,
    };
    latest.retain(|e| e.job_id != entry.job_id);
    latest.insert(0, entry.clone());
    latest.truncate(LATEST_SIZE);
    files.push(FileChange::new(
        LATEST_FILE,
        page_json(&latest).map_err(render_err)?,
    ));
    files.push(FileChange::new(
        site::HTML_FILE,
        html::index_page(&latest, &manifest).map_err(render_err)?,
    ));
    let top = forge.read_file(repo, branch, "README.md").await?;
    files.push(site::top_readme_with(top.as_deref(), entry, &manifest).map_err(render_err)?);
    if let Some(dir) = site::repo_dir(entry) {
        let path = format!("{dir}/README.md");
        let old = forge.read_file(repo, branch, &path).await?;
        files.push(site::repo_readme_with(old.as_deref(), entry, &dir).map_err(render_err)?);
    }
    Ok(IndexUpdate {
        files,
        deletes: Vec::new(),
    })
}

/// Serialises the manifest as committed (for rebuilds).
pub fn manifest_file(m: &Manifest) -> anyhow::Result<FileChange> {
    Ok(FileChange::new(MANIFEST_FILE, manifest_json(m)?))
}
