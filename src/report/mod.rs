//! Builds what lands in the reports repository (DESIGN §8): `report.md`, the runner's
//! artifacts, `summary.json`, and the index READMEs regenerated from `index.json`.

pub mod index;
pub mod markdown;

use anyhow::{bail, Context};
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::forge::{CommitMode, FileChange, Forge, ForgeError};
use crate::job::JobSpec;
use crate::runner::protocol::{RunFailure, RunResult, RunSummary};

use markdown::{code_block, code_span, escape_text};

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
    pub created_at: String,
    pub finished_at: String,
    pub battbot_version: String,
    pub runs: Vec<RunSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
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
        created_at: spec.created_at.clone(),
        finished_at: rfc3339(now),
        battbot_version: version.to_string(),
        runs,
        error,
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
        && !["report.md", "summary.json"].contains(&name)
}

fn header(spec: &JobSpec, title: &str) -> String {
    let s = &spec.source;
    format!(
        "# {title}\n\nRequested by **@{}** in [{} #{}]({}) on {}.\n\n",
        escape_text(&s.user),
        escape_text(&s.repo),
        s.number,
        s.url.replace(['(', ')', ' '], ""),
        escape_text(&spec.created_at),
    )
}

fn command_section(spec: &JobSpec) -> String {
    let json = serde_json::to_string_pretty(&spec.command).unwrap_or_default();
    format!("## Command\n\n{}\n", code_block("json", &json))
}

/// The report of a successful job.
pub fn success(
    spec: &JobSpec,
    result: &RunResult,
    now: time::OffsetDateTime,
) -> anyhow::Result<BuiltReport> {
    let dir = spec.report_dir();
    let mut files = Vec::new();
    let mut images = Vec::new();
    let mut downloads = Vec::new();
    for artifact in &result.artifacts {
        if !valid_artifact_name(&artifact.name) {
            bail!("artifact name {:?} is not a plain file name", artifact.name);
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&artifact.base64)
            .with_context(|| format!("artifact {} is not valid base64", artifact.name))?;
        if artifact.name.ends_with(".png") || artifact.name.ends_with(".gif") {
            images.push(artifact.name.clone());
        } else {
            downloads.push(artifact.name.clone());
        }
        files.push(FileChange::new(format!("{dir}/{}", artifact.name), bytes));
    }
    let mut md = header(spec, "battbot simulation report");
    md.push_str(&command_section(spec));
    md.push_str("## Results\n\n| # | model | parameter set | experiment | final voltage [V] | discharge capacity [A.h] | energy [W.h] | simulated time [h] | solve time [s] |\n|---|---|---|---|---|---|---|---|---|\n");
    for (i, run) in result.runs.iter().enumerate() {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {:.4} | {:.4} | {:.3} | {:.3} | {:.3} |\n",
            i + 1,
            escape_text(&run.spec.model),
            escape_text(&run.spec.parameter_set),
            run.spec
                .experiment
                .iter()
                .map(|s| code_span(s))
                .collect::<Vec<_>>()
                .join("<br>"),
            run.final_voltage_v,
            run.discharge_capacity_ah,
            run.discharge_energy_wh,
            run.final_time_s / 3600.0,
            run.solve_time_s,
        ));
    }
    md.push('\n');
    for image in &images {
        md.push_str(&format!("![{image}]({image})\n\n"));
    }
    if !downloads.is_empty() {
        md.push_str("## Data\n\n");
        for d in &downloads {
            md.push_str(&format!("- [{d}]({d})\n"));
        }
        md.push('\n');
    }
    md.push_str("## Reproduce\n\n");
    for run in &result.runs {
        let json = serde_json::to_string(&run.spec).unwrap_or_default();
        md.push_str(&code_block(
            "sh",
            &format!(
                "battbot solve --spec <(echo '{}')",
                json.replace('\'', "'\\''")
            ),
        ));
    }
    md.push_str(&format!(
        "\nbattbot {} · job `{}`\n",
        escape_text(&result.battbot_version),
        spec.id
    ));
    let summary = summary_of(
        spec,
        "success",
        &result.battbot_version,
        result.runs.clone(),
        None,
        now,
    );
    finish(dir, md, summary, files)
}

/// The report of a failed job: the error and the runner's last log lines.
pub fn failure(
    spec: &JobSpec,
    failure: &RunFailure,
    now: time::OffsetDateTime,
) -> anyhow::Result<BuiltReport> {
    let dir = spec.report_dir();
    let mut md = header(spec, "battbot job failed");
    md.push_str(&command_section(spec));
    md.push_str(&format!(
        "## Error\n\n{}\n",
        code_block("text", &failure.error)
    ));
    if !failure.log_tail.is_empty() {
        md.push_str(&format!(
            "## Last log lines\n\n{}\n",
            code_block("text", &failure.log_tail.join("\n"))
        ));
    }
    md.push_str(&format!(
        "battbot {} · job `{}`\n",
        escape_text(&failure.battbot_version),
        spec.id
    ));
    let summary = summary_of(
        spec,
        "failure",
        &failure.battbot_version,
        Vec::new(),
        Some(failure.error.clone()),
        now,
    );
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

/// Commits a report together with the regenerated indexes.
pub async fn commit(
    forge: &dyn Forge,
    repo: &str,
    branch: &str,
    report: &BuiltReport,
) -> Result<(), ForgeError> {
    let existing = forge.read_file(repo, branch, index::INDEX_FILE).await?;
    let mut entries = existing
        .as_deref()
        .map(index::parse_entries)
        .unwrap_or_default();
    entries.retain(|e| e.job_id != report.summary.job_id);
    entries.push(index::Entry::from(&report.summary));
    let mut files = report.files.clone();
    files.extend(index::render_all(&entries));
    let message = format!(
        "report {} ({})",
        report.summary.job_id, report.summary.status
    );
    forge
        .commit_files(
            repo,
            branch,
            &files,
            &[],
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
