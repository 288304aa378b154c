//! Builds what lands in the reports repository (DESIGN §8): `report.md`, the runner's
//! artifacts, `summary.json`, and the sharded index updated with each report (`index`, `site`).

pub mod activity;
pub mod bench;
pub mod html;
pub mod index;
pub mod markdown;
pub mod prune;
pub mod reproduce;
pub mod site;
pub mod template;

use anyhow::{bail, Context};
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::forge::{CommitMode, FileChange, Forge, ForgeError};
use crate::job::JobSpec;
use crate::reply::Reply;
use crate::runner::protocol::{RunFailure, RunResult, RunSummary};

/// `summary.json` of one report: what tools (and the indexes) read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub job_id: String,
    pub status: String,
    pub platform: String,
    pub repo: String,
    pub number: u64,
    pub user: String,
    pub url: String,
    pub command: crate::command::Command,
    /// The command as the bot understood it, in its canonical text form.
    #[serde(default)]
    pub command_text: String,
    pub created_at: String,
    pub finished_at: String,
    pub battbot_version: String,
    pub runs: Vec<RunSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Verdicts of a `runbenchmarks` job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benchmarks: Option<Vec<bench::Verdict>>,
    /// Path of report.md in the reports repository.
    pub report: String,
}

/// A report ready to commit.
#[derive(Clone, Debug)]
pub struct BuiltReport {
    pub summary: Summary,
    pub report_path: String,
    pub files: Vec<FileChange>,
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn summary_of(
    spec: &JobSpec,
    status: &str,
    version: &str,
    runs: Vec<RunSummary>,
    error: Option<String>,
    canonical: &str,
    now: time::OffsetDateTime,
) -> Summary {
    Summary {
        job_id: spec.id.to_string(),
        status: status.into(),
        platform: spec.source.platform.clone(),
        repo: spec.source.repo.clone(),
        number: spec.source.number,
        user: spec.source.user.clone(),
        url: spec.source.url.clone(),
        command: spec.command.clone(),
        command_text: canonical.to_string(),
        created_at: spec.created_at.clone(),
        finished_at: rfc3339(now),
        battbot_version: version.to_string(),
        runs,
        error,
        benchmarks: None,
        report: format!("{}/report.md", spec.report_dir()),
    }
}

/// The only artifact types a report accepts: known by name, declared type and content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArtifactKind {
    Png,
    Gif,
    Csv,
    CsvGz,
    Json,
}

impl ArtifactKind {
    const ALL: [ArtifactKind; 5] = [
        ArtifactKind::CsvGz,
        ArtifactKind::Png,
        ArtifactKind::Gif,
        ArtifactKind::Csv,
        ArtifactKind::Json,
    ];

    fn extension(self) -> &'static str {
        match self {
            ArtifactKind::Png => ".png",
            ArtifactKind::Gif => ".gif",
            ArtifactKind::Csv => ".csv",
            ArtifactKind::CsvGz => ".csv.gz",
            ArtifactKind::Json => ".json",
        }
    }

    /// The MIME type the runner must declare (and the reply attaches).
    pub fn mime(self) -> &'static str {
        match self {
            ArtifactKind::Png => "image/png",
            ArtifactKind::Gif => "image/gif",
            ArtifactKind::Csv => "text/csv",
            ArtifactKind::CsvGz => "application/gzip",
            ArtifactKind::Json => "application/json",
        }
    }

    pub fn is_image(self) -> bool {
        matches!(self, ArtifactKind::Png | ArtifactKind::Gif)
    }

    /// The kind of a plain file name `stem.ext` (stem of `[A-Za-z0-9_-]`, ≤ 100 bytes).
    pub fn of_name(name: &str) -> Option<ArtifactKind> {
        if name.len() > 100 || name == "summary.json" {
            return None;
        }
        let kind = Self::ALL
            .into_iter()
            .find(|k| name.ends_with(k.extension()))?;
        let stem = &name[..name.len() - kind.extension().len()];
        let plain = !stem.is_empty()
            && stem
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        plain.then_some(kind)
    }

    /// Whether `bytes` are what the kind says: magic bytes for binaries, text for CSV, JSON.
    fn content_ok(self, bytes: &[u8]) -> bool {
        match self {
            ArtifactKind::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            ArtifactKind::Gif => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
            ArtifactKind::CsvGz => bytes.starts_with(&[0x1f, 0x8b]),
            ArtifactKind::Csv => std::str::from_utf8(bytes)
                .is_ok_and(|t| !t.contains(['\0', '<']) && !t.trim_start().starts_with('{')),
            ArtifactKind::Json => serde_json::from_slice::<serde_json::Value>(bytes).is_ok(),
        }
    }
}

/// Checks every string a runner sends before any of it is shown: short, printable, and a
/// version that looks like one. (Rendering escapes them as well.)
pub fn check_strings(
    version: &str,
    labels: &[&str],
    error: Option<&str>,
    log_tail: &[String],
) -> anyhow::Result<()> {
    let printable = |s: &str| !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t');
    if version.is_empty()
        || version.len() > 40
        || !version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
    {
        bail!("battbot_version {version:?} is not a version");
    }
    for label in labels {
        if label.chars().count() > 200 || label.contains('\n') || !printable(label) {
            bail!("run label {label:?} is longer than 200 characters or not one printable line");
        }
    }
    if let Some(e) = error {
        if e.len() > 8 * 1024 || !printable(e) {
            bail!("the error message is longer than 8 kB or not printable text");
        }
    }
    if log_tail.len() > 200 || log_tail.iter().any(|l| l.len() > 2000 || !printable(l)) {
        bail!("the log tail holds more than 200 lines, a line over 2 kB or control characters");
    }
    Ok(())
}

/// Checks the runner's notes of runs that stopped early: one printable line of at most 2 kB.
fn check_stopped(runs: &[RunSummary]) -> anyhow::Result<()> {
    for s in runs.iter().filter_map(|r| r.stopped.as_deref()) {
        if s.len() > 2048 || s.chars().any(char::is_control) {
            bail!("a run's stop note is longer than 2 kB or not one printable line");
        }
    }
    Ok(())
}

/// Most artifacts one result may carry.
pub const MAX_ARTIFACTS: usize = 32;

/// Decodes one artifact and checks its name, declared type and content.
pub fn checked_artifact(
    artifact: &crate::runner::protocol::Artifact,
) -> anyhow::Result<(ArtifactKind, Vec<u8>)> {
    let Some(kind) = ArtifactKind::of_name(&artifact.name) else {
        bail!(
            "artifact name {:?} is not a plain file name ending in .png, .gif, .csv, .csv.gz or .json",
            artifact.name
        );
    };
    if artifact.content_type != kind.mime() {
        bail!(
            "artifact {} declares type {:?}, not {}",
            artifact.name,
            artifact.content_type,
            kind.mime()
        );
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&artifact.base64)
        .with_context(|| format!("artifact {} is not valid base64", artifact.name))?;
    if !kind.content_ok(&bytes) {
        bail!("artifact {} is not a {} file", artifact.name, kind.mime());
    }
    Ok((kind, bytes))
}

/// Largest report (all files of one job) committed to the reports repository.
pub const REPORT_BUDGET_BYTES: usize = 6 * 1024 * 1024;
/// CSVs above this size are committed gzipped.
pub const GZIP_CSV_ABOVE_BYTES: usize = 256 * 1024;

fn human_size(n: usize) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    } else {
        format!("{:.0} kB", (n as f64 / 1024.0).max(1.0))
    }
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)?;
    enc.finish()
}

/// The git commit battbot was built from, when the build knew it.
pub const GIT_COMMIT: Option<&str> = option_env!("BATTBOT_GIT_COMMIT");

#[derive(Serialize)]
struct Image {
    name: String,
    alt: String,
}

#[derive(Serialize)]
struct Download {
    name: String,
    size: String,
}

/// Where a report's links point: absolute under `reports.web_url` when it is set (so the
/// report reads the same wherever it is shown), else paths beside `report.md`, explained.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Links {
    /// Prefix of the report's files: `<web_url>/<dir>/`, or empty (relative names).
    pub base: String,
    /// Prefix of its images: `base` with the forge's `/blob/` as `/raw/` (an image page is
    /// not an image), or empty.
    pub raw: String,
    /// The reports index (`README.md` at the repository's root).
    pub index: String,
    /// Why the links are relative, when they are.
    pub note: Option<String>,
}

impl Links {
    /// The links of the report in `dir` given the configured `web_url` (ignored unless it
    /// is an http(s) URL without spaces, quotes or brackets).
    pub fn new(web_url: &str, dir: &str) -> Links {
        let web = web_url.trim().trim_end_matches('/');
        if web.is_empty() || html::safe_url(web) == "#" || web.contains(['(', ')']) {
            return Links {
                base: String::new(),
                raw: String::new(),
                index: format!("{}README.md", html::root_of(dir)),
                note: Some(
                    "Links here are paths beside this report in the reports repository (the bot has no reports.web_url configured)."
                        .into(),
                ),
            };
        }
        let base = format!("{web}/{dir}/");
        let raw = if base.contains("/blob/") {
            base.replacen("/blob/", "/raw/", 1)
        } else {
            base.clone()
        };
        Links {
            base,
            raw,
            index: format!("{web}/README.md"),
            note: None,
        }
    }
}

#[derive(Serialize)]
struct RunView<'a> {
    #[serde(flatten)]
    run: &'a RunSummary,
    spec_json: String,
}

#[derive(Serialize)]
struct ReportView<'a> {
    status: &'a str,
    title: String,
    user: &'a str,
    repo: &'a str,
    number: u64,
    url: &'a str,
    created_at: &'a str,
    finished_at: &'a str,
    canonical: &'a str,
    job_id: &'a str,
    version: &'a str,
    commit: Option<&'a str>,
    lumped: bool,
    runs: Vec<RunView<'a>>,
    images: Vec<Image>,
    downloads: Vec<Download>,
    omitted: Vec<String>,
    error: Option<&'a str>,
    log_tail: &'a [String],
    links: Links,
}

/// Artifacts as they land in the report: files, embedded images, downloads, omitted names.
struct Placed {
    files: Vec<FileChange>,
    images: Vec<Image>,
    downloads: Vec<Download>,
    omitted: Vec<String>,
}

/// Decodes, names and budgets the runner's artifacts: images first, then data; CSVs
/// over a size are gzipped; whatever would break the budget is left out and listed.
fn place_artifacts(
    dir: &str,
    artifacts: &[crate::runner::protocol::Artifact],
) -> anyhow::Result<Placed> {
    if artifacts.len() > MAX_ARTIFACTS {
        bail!(
            "{} artifacts; a result carries at most {MAX_ARTIFACTS}",
            artifacts.len()
        );
    }
    let mut decoded = Vec::new();
    for artifact in artifacts {
        let (kind, bytes) = checked_artifact(artifact)?;
        if decoded.iter().any(|(n, _)| *n == artifact.name) {
            bail!("artifact {} appears twice", artifact.name);
        }
        let (name, bytes) = if kind == ArtifactKind::Csv && bytes.len() > GZIP_CSV_ABOVE_BYTES {
            (format!("{}.gz", artifact.name), gzip(&bytes)?)
        } else {
            (artifact.name.clone(), bytes)
        };
        decoded.push((name, bytes));
    }
    let is_image = |n: &str| n.ends_with(".png") || n.ends_with(".gif");
    decoded.sort_by_key(|(n, _)| !is_image(n));
    let (mut files, mut images, mut downloads, mut omitted) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut used = 128 * 1024; // report.md, report.html and summary.json
    for (name, bytes) in decoded {
        if used + bytes.len() > REPORT_BUDGET_BYTES {
            omitted.push(name);
            continue;
        }
        used += bytes.len();
        if name == html::THUMBNAIL {
            // The index's thumbnail: not shown in the report itself.
        } else if is_image(&name) {
            let alt = if name.ends_with(".gif") {
                "animated comparison"
            } else {
                "voltage, current and capacity plots"
            };
            images.push(Image {
                name: name.clone(),
                alt: alt.into(),
            });
        } else {
            downloads.push(Download {
                name: name.clone(),
                size: human_size(bytes.len()),
            });
        }
        files.push(FileChange::new(format!("{dir}/{name}"), bytes));
    }
    Ok(Placed {
        files,
        images,
        downloads,
        omitted,
    })
}

/// The report of a successful job; `canonical` is the command as the bot understood it.
/// Its links are relative (see [`success_at`]).
pub fn success(
    spec: &JobSpec,
    result: &RunResult,
    canonical: &str,
    now: time::OffsetDateTime,
) -> anyhow::Result<BuiltReport> {
    success_at(spec, result, canonical, now, "")
}

/// [`success`] with links under `web_url` (the reports repository's web address) when set.
pub fn success_at(
    spec: &JobSpec,
    result: &RunResult,
    canonical: &str,
    now: time::OffsetDateTime,
    web_url: &str,
) -> anyhow::Result<BuiltReport> {
    let mut labels: Vec<&str> = result.runs.iter().map(|r| r.label.as_str()).collect();
    if let Some(samples) = &result.benchmark {
        labels.extend(samples.benchmarks.iter().map(|b| b.name.as_str()));
    }
    check_strings(&result.battbot_version, &labels, None, &result.log_tail)?;
    check_stopped(&result.runs)?;
    if let Some(samples) = &result.benchmark {
        return benchmark_report(spec, result, samples, canonical, now);
    }
    let dir = spec.report_dir();
    let Placed {
        mut files,
        images,
        mut downloads,
        omitted,
    } = place_artifacts(&dir, &result.artifacts)?;
    // the PyBaMM scripts, made here from the job's own runs
    for (file, name, size) in reproduce::files(&dir, spec.command.runs()) {
        files.push(file);
        downloads.push(Download {
            name,
            size: human_size(size),
        });
    }
    let summary = summary_of(
        spec,
        "success",
        &result.battbot_version,
        result.runs.clone(),
        None,
        canonical,
        now,
    );
    let title = match &spec.command {
        crate::command::Command::Compare { .. } => "battbot comparison".to_string(),
        _ => result
            .runs
            .first()
            .map(|r| format!("{} · {}", r.spec.model, r.spec.parameter_set))
            .unwrap_or_else(|| "battbot simulation".into()),
    };
    let view = ReportView {
        status: "success",
        title,
        user: &spec.source.user,
        repo: &spec.source.repo,
        number: spec.source.number,
        url: &spec.source.url,
        created_at: &spec.created_at,
        finished_at: &summary.finished_at,
        canonical,
        job_id: spec.id.as_str(),
        version: &result.battbot_version,
        commit: GIT_COMMIT,
        lumped: result.runs.iter().any(|r| r.max_temperature_k.is_some()),
        runs: result
            .runs
            .iter()
            .map(|run| RunView {
                run,
                spec_json: serde_json::to_string_pretty(&run.spec).unwrap_or_default(),
            })
            .collect(),
        images,
        downloads,
        omitted,
        error: None,
        log_tail: &[],
        links: Links::new(web_url, &dir),
    };
    let md = template::render("report.md", &view)?;
    files.push(html::report_page(
        &view,
        &dir,
        &files,
        summary_len(&summary),
    )?);
    finish(dir, md, summary, files)
}

/// A commit link where the platform has a web view, else the short hash.
fn commit_ref(spec: &JobSpec, sha: &str) -> String {
    let short: String = sha.chars().take(10).collect();
    match spec.source.platform.as_str() {
        "github" => format!(
            "[`{short}`](https://github.com/{}/commit/{sha})",
            spec.source.repo
        ),
        _ => format!("`{short}`"),
    }
}

/// Whether the runner's commit id is one: 7 to 64 hex digits (then slicing it is safe).
fn is_commit_id(sha: &str) -> bool {
    (7..=64).contains(&sha.len()) && sha.chars().all(|c| c.is_ascii_hexdigit())
}

/// The report of a `runbenchmarks` job.
fn benchmark_report(
    spec: &JobSpec,
    result: &RunResult,
    samples: &crate::runner::protocol::BenchmarkSamples,
    canonical: &str,
    now: time::OffsetDateTime,
) -> anyhow::Result<BuiltReport> {
    for sha in [&samples.head_sha, &samples.base_sha] {
        if !is_commit_id(sha) {
            bail!("benchmark commit {sha:?} is not a commit id (7 to 64 hex digits)");
        }
    }
    let dir = spec.report_dir();
    let threshold = spec
        .benchmark
        .as_ref()
        .map(|b| b.threshold_percent)
        .unwrap_or(5.0);
    let rounds = spec.benchmark.as_ref().map(|b| b.repeat).unwrap_or(0);
    bench::check(samples)?;
    let verdicts = bench::verdicts(samples, threshold);
    let rows: Vec<serde_json::Value> = verdicts
        .iter()
        .map(|v| {
            let mut row = serde_json::to_value(v).unwrap_or_default();
            row["base_text"] = bench::format_optional_seconds(v.base_median_s).into();
            row["head_text"] = bench::format_optional_seconds(v.head_median_s).into();
            row["ratio_text"] = bench::format_ratio(v.ratio).into();
            row["ci_text"] = match (v.ci_low, v.ci_high) {
                (Some(lo), Some(hi)) => format!("{lo:.3} – {hi:.3}"),
                _ => "—".into(),
            }
            .into();
            row
        })
        .collect();
    let of = |verdict: &str| -> Vec<&serde_json::Value> {
        rows.iter().filter(|r| r["verdict"] == verdict).collect()
    };
    let (regressions, inconclusive) = (of("slower"), of("inconclusive"));
    let mut ctx = serde_json::json!({
        "user": spec.source.user, "repo": spec.source.repo, "number": spec.source.number,
        "url": spec.source.url, "created_at": spec.created_at, "job_id": spec.id.as_str(),
        "version": result.battbot_version, "threshold": threshold, "rounds": rounds,
        "head": commit_ref(spec, &samples.head_sha), "base": commit_ref(spec, &samples.base_sha),
        "rows": rows, "regressions": regressions, "inconclusive": inconclusive,
    });
    let md = template::render("bench.md", &ctx)?;
    let Placed {
        mut files, images, ..
    } = place_artifacts(&dir, &result.artifacts)?;
    let mut summary = summary_of(
        spec,
        "success",
        &result.battbot_version,
        Vec::new(),
        None,
        canonical,
        now,
    );
    summary.benchmarks = Some(verdicts);
    // The page shows the commits as links of their own, not as Markdown.
    ctx["kind"] = "bench".into();
    ctx["title"] = "battbot benchmarks".into();
    ctx["canonical"] = canonical.into();
    ctx["status"] = "success".into();
    ctx["images"] = serde_json::to_value(&images)?;
    ctx["head"] = samples.head_sha.clone().into();
    ctx["base"] = samples.base_sha.clone().into();
    if spec.source.platform == "github" {
        ctx["commit_url"] = format!("https://github.com/{}/commit/", spec.source.repo).into();
    }
    files.push(html::report_page(
        &ctx,
        &dir,
        &files,
        summary_len(&summary),
    )?);
    finish(dir, md, summary, files)
}

/// The report of a failed job: the error and the runner's last log lines.
pub fn failure(
    spec: &JobSpec,
    failure: &RunFailure,
    canonical: &str,
    now: time::OffsetDateTime,
) -> anyhow::Result<BuiltReport> {
    failure_at(spec, failure, canonical, now, "")
}

/// [`failure`] with links under `web_url` when set.
pub fn failure_at(
    spec: &JobSpec,
    failure: &RunFailure,
    canonical: &str,
    now: time::OffsetDateTime,
    web_url: &str,
) -> anyhow::Result<BuiltReport> {
    check_strings(
        &failure.battbot_version,
        &[],
        Some(&failure.error),
        &failure.log_tail,
    )?;
    let dir = spec.report_dir();
    let summary = summary_of(
        spec,
        "failure",
        &failure.battbot_version,
        Vec::new(),
        Some(failure.error.clone()),
        canonical,
        now,
    );
    let tail_from = failure.log_tail.len().saturating_sub(40);
    let view = ReportView {
        status: "failure",
        title: "battbot job failed".into(),
        user: &spec.source.user,
        repo: &spec.source.repo,
        number: spec.source.number,
        url: &spec.source.url,
        created_at: &spec.created_at,
        finished_at: &summary.finished_at,
        canonical,
        job_id: spec.id.as_str(),
        version: &failure.battbot_version,
        commit: GIT_COMMIT,
        lumped: false,
        runs: Vec::new(),
        images: Vec::new(),
        downloads: Vec::new(),
        omitted: Vec::new(),
        error: Some(&failure.error),
        log_tail: &failure.log_tail[tail_from..],
        links: Links::new(web_url, &dir),
    };
    let md = template::render("report.md", &view)?;
    let page = html::report_page(&view, &dir, &[], summary_len(&summary))?;
    finish(dir, md, summary, vec![page])
}

/// Size of `summary.json` as `finish` writes it (for the page's download list).
fn summary_len(summary: &Summary) -> usize {
    serde_json::to_string_pretty(summary).map_or(0, |s| s.len() + 1)
}

fn finish(
    dir: String,
    md: String,
    summary: Summary,
    mut files: Vec<FileChange>,
) -> anyhow::Result<BuiltReport> {
    let report_path = format!("{dir}/report.md");
    files.push(FileChange::new(report_path.clone(), md));
    files.push(FileChange::new(
        format!("{dir}/summary.json"),
        serde_json::to_string_pretty(&summary)? + "\n",
    ));
    Ok(BuiltReport {
        summary,
        report_path,
        files,
    })
}

/// Commits a report together with its index updates: a bounded set of files whatever the
/// history (`index::add`). The index is read at the branch's tip and the commit lands only
/// if the branch still points there (compare-and-swap), so two replicas committing at once
/// never lose each other's index entry: the loser reads the index again.
///
/// The report's existence is checked after each read of the tip, so two replicas handling
/// the same result at once commit it once: the loser's compare-and-swap fails, and its next
/// round finds the report. Returns whether this call committed it.
pub async fn commit(
    forge: &dyn Forge,
    repo: &str,
    branch: &str,
    report: &BuiltReport,
) -> Result<bool, ForgeError> {
    let mut entry = index::Entry::from(&report.summary);
    let thumbnail = report.report_path.replace("report.md", html::THUMBNAIL);
    if report.files.iter().any(|f| f.path == thumbnail) {
        entry.thumbnail = Some(thumbnail);
    }
    let message = format!(
        "report {} ({})",
        report.summary.job_id, report.summary.status
    );
    for _ in 0..INDEX_CAS_ROUNDS {
        let tip = forge.branch_tip(repo, branch).await?;
        if tip.is_some()
            && forge
                .read_file(repo, branch, &report.report_path)
                .await?
                .is_some()
        {
            return Ok(false);
        }
        let update = index::add(forge, repo, branch, &entry).await?;
        let mut files = report.files.clone();
        files.extend(update.files);
        match forge
            .commit_files_cas(
                repo,
                branch,
                &files,
                &update.deletes,
                &message,
                tip.as_deref(),
            )
            .await
        {
            Ok(_) => return Ok(true),
            Err(ForgeError::Conflict { .. }) => continue,
            Err(ForgeError::Unsupported(_)) => {
                // A forge without compare-and-swap: the last writer's index wins.
                forge
                    .commit_files(
                        repo,
                        branch,
                        &files,
                        &update.deletes,
                        &message,
                        CommitMode::UpdateBranch,
                    )
                    .await?;
                return Ok(true);
            }
            Err(e) => return Err(e),
        }
    }
    Err(ForgeError::Other(format!(
        "{repo} {branch}: the reports branch kept moving ({INDEX_CAS_ROUNDS} rounds)"
    )))
}

/// Compare-and-swap rounds of a report commit before giving up (the runner retries).
const INDEX_CAS_ROUNDS: u32 = 16;

/// The link users get: `<web_url>/<path>` when the reports repository has a web address.
pub fn link(web_url: &str, path: &str) -> String {
    if web_url.is_empty() {
        path.to_string()
    } else {
        format!("{}/{}", web_url.trim_end_matches('/'), path)
    }
}

/// What a report link that is only a path means: the bot has no web address for its reports
/// repository (`reports.web_url`), so the link is a path in that repository.
fn link_note(link: &str) -> &'static str {
    if link.starts_with("https://") || link.starts_with("http://") {
        ""
    } else {
        " (a path in the reports repository: no reports.web_url is configured)"
    }
}

/// The reply that announces a report: names, labels and errors from the runner are data,
/// quoted or escaped by the reply layer.
pub fn reply_text(spec: &JobSpec, report: &BuiltReport, link: &str) -> Reply {
    let head = Reply::new().mention(&spec.source.user);
    if let Some(verdicts) = &report.summary.benchmarks {
        let of = |verdict: &str| -> Vec<&bench::Verdict> {
            verdicts.iter().filter(|v| v.verdict == verdict).collect()
        };
        let (slower, inconclusive) = (of("slower"), of("inconclusive"));
        let named = |mut reply: Reply, list: &[&bench::Verdict]| {
            for (i, v) in list.iter().enumerate() {
                reply = reply
                    .bot(if i == 0 { "" } else { ", " })
                    .code(&v.name)
                    .bot(format!(" ×{}", bench::format_ratio(v.ratio)));
            }
            reply
        };
        let mut headline = match (slower.is_empty(), inconclusive.is_empty()) {
            (true, true) => {
                Reply::new().bot(format!("no regression in {} benchmarks", verdicts.len()))
            }
            (true, false) => Reply::new().bot("no regression confirmed"),
            (false, _) => named(
                Reply::new().bot(format!("⚠️ {} slower: ", slower.len())),
                &slower,
            ),
        };
        if !inconclusive.is_empty() {
            headline = named(
                headline.bot(format!(
                    "; ❔ {} inconclusive, too noisy to tell: ",
                    inconclusive.len()
                )),
                &inconclusive,
            );
        }
        return head
            .bot(" benchmarks of job ")
            .code(spec.id.as_str())
            .bot(" finished: ")
            .append(headline)
            .bot(".\n\nReport: ")
            .link(link)
            .bot(link_note(link));
    }
    match report.summary.status.as_str() {
        "success" => {
            let partial = report.summary.runs.iter().any(|r| r.stopped.is_some());
            let mut reply = if partial {
                head.bot(" ⚠️ job ")
                    .code(spec.id.as_str())
                    .bot(" stopped early; the report shows what was solved.\n")
            } else {
                head.bot(" ✅ job ")
                    .code(spec.id.as_str())
                    .bot(" finished.\n")
            };
            for r in &report.summary.runs {
                reply = reply.bot("\n- ").text(&r.label).bot(format!(
                    ": {:.3} V after {:.2} h, {:.3} A.h",
                    r.final_voltage_v,
                    r.final_time_s / 3600.0,
                    r.discharge_capacity_ah
                ));
                if let Some(stopped) = &r.stopped {
                    reply = reply.bot(" (partial: ").text(stopped).bot(")");
                }
            }
            reply.bot("\n\nReport: ").link(link).bot(link_note(link))
        }
        _ => head
            .bot(" ❌ job ")
            .code(spec.id.as_str())
            .bot(" failed: ")
            .text(report.summary.error.as_deref().unwrap_or("unknown error"))
            .bot("\n\nReport: ")
            .link(link)
            .bot(link_note(link)),
    }
}
