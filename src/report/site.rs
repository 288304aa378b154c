//! What readers see of the index: the top README (newest `TOP_LIMIT` reports), one README
//! per repository (its newest `REPO_LIMIT`), each updated by prepending one row, and
//! `index.html` (`html.rs`: the newest reports as static HTML, older ones loaded from the
//! month shards on demand). `rebuild` renders all of it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::forge::FileChange;

use super::index::{self, Entry, Manifest};
use super::{html, template};

pub const HTML_FILE: &str = "index.html";
/// How many reports the top-level README lists (older ones: `index.html`).
pub const TOP_LIMIT: usize = 25;
/// How many reports a repository's README lists.
pub const REPO_LIMIT: usize = 25;

#[derive(Serialize)]
struct Row<'a> {
    #[serde(flatten)]
    entry: &'a Entry,
    link: String,
}

#[derive(Serialize)]
struct Count<'a> {
    platform: &'a str,
    count: u64,
}

/// The directory of an entry's repository (`<platform>/<owner>/<repo>`), if it has one.
pub fn repo_dir(e: &Entry) -> Option<String> {
    // report = <platform>/<owner>/<repo>/<number>/<job-id>/report.md
    if matches!(
        e.platform.as_str(),
        "twitter" | "scheduled" | "mastodon" | "bluesky"
    ) {
        return None;
    }
    let parts: Vec<&str> = e.report.split('/').collect();
    // The index is data: a path that could leave the repository names no directory.
    let safe = parts
        .iter()
        .all(|p| !p.is_empty() && *p != "." && *p != "..");
    (safe && parts.len() > 4).then(|| parts[..parts.len() - 3].join("/"))
}

/// The table rows of a README this module rendered (lines after the `|---` separator).
fn table_rows(md: &str) -> Vec<&str> {
    md.lines()
        .skip_while(|l| !l.starts_with("|---"))
        .skip(1)
        .filter(|l| l.starts_with('|'))
        .collect()
}

/// Header and rows rendered by a README template; `rows` are the entries with their links.
fn render_table(name: &str, ctx: serde_json::Value) -> anyhow::Result<(String, Vec<String>)> {
    let md = template::render(name, ctx)?;
    let header: Vec<&str> = md
        .lines()
        .take_while(|l| !l.starts_with("|---"))
        .chain(md.lines().find(|l| l.starts_with("|---")))
        .collect();
    let rows = table_rows(&md).into_iter().map(str::to_string).collect();
    Ok((header.join("\n"), rows))
}

/// A README: the header, `new` rows, then the `old` README's rows that are not for the same
/// reports (by link), up to `limit` rows.
fn merge(
    header: &str,
    new: &[String],
    old: Option<&[u8]>,
    links: &[String],
    limit: usize,
) -> String {
    let old = old.map(String::from_utf8_lossy).unwrap_or_default();
    let kept = table_rows(&old)
        .into_iter()
        .filter(|row| !links.iter().any(|l| row.contains(&format!("]({l})"))))
        .map(str::to_string);
    let rows: Vec<String> = new.iter().cloned().chain(kept).take(limit).collect();
    let mut out = header.to_string();
    for row in rows {
        out.push('\n');
        out.push_str(&row);
    }
    out.push('\n');
    out
}

fn counts(manifest: &Manifest) -> Vec<Count<'_>> {
    manifest
        .counts
        .iter()
        .map(|(platform, &count)| Count { platform, count })
        .collect()
}

/// The top README after `entry`: its row first, the previous README's rows after it.
pub fn top_readme_with(
    old: Option<&[u8]>,
    entry: &Entry,
    manifest: &Manifest,
) -> anyhow::Result<FileChange> {
    let row = Row {
        entry,
        link: entry.report.clone(),
    };
    let (header, rows) = render_table(
        "index.md",
        serde_json::json!({
            "total": manifest.total, "counts": counts(manifest),
            "limit": TOP_LIMIT, "entries": [row],
        }),
    )?;
    let md = merge(
        &header,
        &rows,
        old,
        std::slice::from_ref(&entry.report),
        TOP_LIMIT,
    );
    Ok(FileChange::new("README.md", md))
}

fn repo_row<'a>(e: &'a Entry, dir: &str) -> Row<'a> {
    let rel = e
        .report
        .strip_prefix(&format!("{dir}/"))
        .unwrap_or(&e.report);
    Row {
        entry: e,
        link: rel.to_string(),
    }
}

fn repo_context(dir: &str, repo: &str, rows: &[Row]) -> serde_json::Value {
    serde_json::json!({ "repo": repo, "up": "", "dir": dir, "limit": REPO_LIMIT, "entries": rows })
}

/// The README of `entry`'s repository after it: only that repository's README changes.
pub fn repo_readme_with(
    old: Option<&[u8]>,
    entry: &Entry,
    dir: &str,
) -> anyhow::Result<FileChange> {
    let row = repo_row(entry, dir);
    let link = row.link.clone();
    let (header, rows) = render_table("repo-index.md", repo_context(dir, &entry.repo, &[row]))?;
    let md = merge(&header, &rows, old, &[link], REPO_LIMIT);
    Ok(FileChange::new(format!("{dir}/README.md"), md))
}

/// Everything from a full list of entries (`battbot reports site`, the migration of a
/// legacy `index.json`): manifest, pages, READMEs, `index.html`.
pub fn rebuild(entries: &[Entry]) -> anyhow::Result<Vec<FileChange>> {
    let (mut manifest, mut files) = index::shard_all(entries)?;
    manifest.site = html::assets_fingerprint();
    files.push(index::manifest_file(&manifest)?);
    files.extend(html::assets());
    let mut newest: Vec<&Entry> = entries.iter().collect();
    newest.sort_by(|a, b| {
        b.finished_at
            .cmp(&a.finished_at)
            .then(b.job_id.cmp(&a.job_id))
    });
    let latest: Vec<Entry> = newest
        .iter()
        .take(index::LATEST_SIZE)
        .map(|e| (*e).clone())
        .collect();
    files.push(FileChange::new(
        index::LATEST_FILE,
        index::page_json(&latest)?,
    ));
    files.push(FileChange::new(
        HTML_FILE,
        html::index_page(&latest, &manifest)?,
    ));
    let top: Vec<Row> = newest
        .iter()
        .take(TOP_LIMIT)
        .map(|e| Row {
            entry: e,
            link: e.report.clone(),
        })
        .collect();
    let readme = template::render(
        "index.md",
        serde_json::json!({
            "total": manifest.total, "counts": counts(&manifest),
            "limit": TOP_LIMIT, "entries": top,
        }),
    )?;
    files.push(FileChange::new(
        "README.md",
        readme.trim_end().to_string() + "\n",
    ));
    let mut per_repo: BTreeMap<String, Vec<&Entry>> = BTreeMap::new();
    for e in &newest {
        if let Some(dir) = repo_dir(e) {
            per_repo.entry(dir).or_default().push(e);
        }
    }
    for (dir, list) in per_repo {
        let rows: Vec<Row> = list
            .iter()
            .take(REPO_LIMIT)
            .map(|e| repo_row(e, &dir))
            .collect();
        let md = template::render("repo-index.md", repo_context(&dir, &list[0].repo, &rows))?;
        files.push(FileChange::new(
            format!("{dir}/README.md"),
            md.trim_end().to_string() + "\n",
        ));
    }
    Ok(files)
}
