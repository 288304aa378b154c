//! Builds what lands in the reports repository (DESIGN §8): `report.md`, the runner's
//! artifacts, `summary.json`, and the sharded index updated with each report (`index`, `site`).

pub mod bench;
pub mod index;
pub mod markdown;
pub mod prune;
pub mod site;
pub mod template;

use anyhow::{bail, Context};
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::forge::{CommitMode, FileChange, Forge, ForgeError};
use crate::job::JobSpec;
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

/// Whether an artifact name is a plain file name we are willing to commit.
fn valid_artifact_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && !["report.md", "summary.json", "README.md"].contains(&name)
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
    let mut decoded = Vec::new();
    for artifact in artifacts {
        if !valid_artifact_name(&artifact.name) {
            bail!("artifact name {:?} is not a plain file name", artifact.name);
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&artifact.base64)
            .with_context(|| format!("artifact {} is not valid base64", artifact.name))?;
        let (name, bytes) = if artifact.name.ends_with(".csv") && bytes.len() > GZIP_CSV_ABOVE_BYTES
        {
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
    let mut used = 64 * 1024; // report.md and summary.json
    for (name, bytes) in decoded {
        if used + bytes.len() > REPORT_BUDGET_BYTES {
            omitted.push(name);
            continue;
        }
        used += bytes.len();
        if is_image(&name) {
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
pub fn success(
    spec: &JobSpec,
    result: &RunResult,
    canonical: &str,
    now: time::OffsetDateTime,
) -> anyhow::Result<BuiltReport> {
    if let Some(samples) = &result.benchmark {
        return benchmark_report(spec, result, samples, canonical, now);
    }
    let dir = spec.report_dir();
    let Placed {
        files,
        images,

        downloads,
        omitted,
    } = place_artifacts(&dir, &result.artifacts)?;
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
    };
    let md = template::render("report.md", &view)?;
    finish(dir, md, summary, files)
}

/// A commit link where the platform has a web view, else the short hash.
fn commit_ref(spec: &JobSpec, sha: &str) -> String {
    let short = &sha[..sha.len().min(10)];
    match spec.source.platform.as_str() {
        "github" => format!(
            "[`{short}`](https://github.com/{}/commit/{sha})",
            spec.source.repo
        ),
        _ => format!("`{short}`"),
    }
}

/// The report of a `runbenchmarks` job.
fn benchmark_report(
    spec: &JobSpec,
    result: &RunResult,
    samples: &crate::runner::protocol::BenchmarkSamples,
    canonical: &str,
    now: time::OffsetDateTime,
) -> anyhow::Result<BuiltReport> {
    let dir = spec.report_dir();
    let threshold = spec
        .benchmark
        .as_ref()
        .map(|b| b.threshold_percent)
        .unwrap_or(5.0);
    let rounds = spec.benchmark.as_ref().map(|b| b.repeat).unwrap_or(0);
    let verdicts = bench::verdicts(samples, threshold);
    let rows: Vec<serde_json::Value> = verdicts
        .iter()
        .map(|v| {
            let mut row = serde_json::to_value(v).unwrap_or_default();
            row["base_text"] = bench::format_seconds(v.base_median_s).into();
            row["head_text"] = bench::format_seconds(v.head_median_s).into();
            row
        })
        .collect();
    let regressions: Vec<&bench::Verdict> =
        verdicts.iter().filter(|v| v.verdict == "slower").collect();
    let md = template::render(
        "bench.md",
        serde_json::json!({
            "user": spec.source.user, "repo": spec.source.repo, "number": spec.source.number,
            "url": spec.source.url, "created_at": spec.created_at, "job_id": spec.id.as_str(),
            "version": result.battbot_version, "threshold": threshold, "rounds": rounds,
            "head": commit_ref(spec, &samples.head_sha), "base": commit_ref(spec, &samples.base_sha),
            "rows": rows, "regressions": regressions,
        }),
    )?;
    let Placed { files, .. } = place_artifacts(&dir, &result.artifacts)?;
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
    finish(dir, md, summary, files)
}

/// The report of a failed job: the error and the runner's last log lines.
pub fn failure(
    spec: &JobSpec,
    failure: &RunFailure,
    canonical: &str,
    now: time::OffsetDateTime,
) -> anyhow::Result<BuiltReport> {
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
    };
    let md = template::render("report.md", &view)?;
    finish(dir, md, summary, Vec::new())
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
/// history (`index::add`).
pub async fn commit(
    forge: &dyn Forge,
    repo: &str,
    branch: &str,
    report: &BuiltReport,
) -> Result<(), ForgeError> {
    let entry = index::Entry::from(&report.summary);
    let update = index::add(forge, repo, branch, &entry).await?;
    let mut files = report.files.clone();
    files.extend(update.files);
    let message = format!(
        "report {} ({})",
        report.summary.job_id, report.summary.status
    );
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
    Ok(())
}

/// The link users get: `<web_url>/<path>` when the reports repository has a web address.
pub fn link(web_url: &str, path: &str) -> String {
    if web_url.is_empty() {
        path.to_string()
    } else {
        format!("{}/{}", web_url.trim_end_matches('/'), path)
    }
}

/// The reply that announces a report.
pub fn reply_text(spec: &JobSpec, report: &BuiltReport, link: &str) -> String {
    let user = &spec.source.user;
    if let Some(verdicts) = &report.summary.benchmarks {
        let slower: Vec<String> = verdicts
            .iter()
            .filter(|v| v.verdict == "slower")
            .map(|v| format!("`{}` ×{:.2}", v.name, v.ratio))
            .collect();
        let headline = if slower.is_empty() {
            format!("no regression in {} benchmarks", verdicts.len())
        } else {
            format!("⚠️ {} slower: {}", slower.len(), slower.join(", "))
        };
        return format!(
            "@{user} benchmarks of job `{}` finished: {headline}.\n\nReport: {link}",
            spec.id
        );
    }
    match report.summary.status.as_str() {
        "success" => {
            let lines: Vec<String> = report
                .summary
                .runs
                .iter()
                .map(|r| {
                    format!(
                        "- {}: {:.3} V after {:.2} h, {:.3} A.h",
                        r.label,
                        r.final_voltage_v,
                        r.final_time_s / 3600.0,
                        r.discharge_capacity_ah
                    )
                })
                .collect();
            format!(
                "@{user} ✅ job `{}` finished.\n\n{}\n\nReport: {link}",
                spec.id,
                lines.join("\n")
            )
        }
        _ => format!(
            "@{user} ❌ job `{}` failed: {}\n\nReport: {link}",
            spec.id,
            report.summary.error.as_deref().unwrap_or("unknown error")
        ),
    }
}
