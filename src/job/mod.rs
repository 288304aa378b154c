//! Turns an accepted command into a job: a deterministic id, the JSON job spec of
//! DESIGN §6, and the files committed to the runner branch.

pub mod ci;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::command::Command;

/// Prefix of every job branch in the runner repository.
pub const BRANCH_PREFIX: &str = "battbot/";
/// Name of the job spec file on a runner branch.
pub const JOB_FILE: &str = "battbot-job.json";

/// A job id: `[a-z0-9-]` only, a pure function of the request.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct JobId(String);

impl JobId {
    /// Derives the id from where the request came from (DESIGN §2: redeliveries map to the same id).
    pub fn for_source(source: &JobSource) -> JobId {
        let platform = match source.platform.as_str() {
            "github" => "gh",
            "gitlab" => "gl",
            "twitter" => "tw",
            "slack" => "sl",
            "mastodon" => "md",
            "bluesky" => "bs",
            other => other,
        };
        let raw = format!(
            "{platform}-{}-{}-c{}",
            source.repo, source.number, source.comment_id
        );
        JobId(sanitize(&raw))
    }

    /// The prefix shared by every job of one issue/PR (used to find pending jobs).
    pub fn thread_prefix(source: &JobSource) -> String {
        let id = JobId::for_source(source).0;
        let cut = id.rfind("-c").unwrap_or(id.len());
        format!("{}-", &id[..cut])
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The runner branch of this job.
    pub fn branch(&self) -> String {
        format!("{BRANCH_PREFIX}{}", self.0)
    }

    /// Parses a branch name back into a job id.
    pub fn from_branch(branch: &str) -> Option<JobId> {
        JobId::try_from(branch.strip_prefix(BRANCH_PREFIX)?.to_string()).ok()
    }
}

/// Lower-cases and maps every character outside `[a-z0-9-]` to `-`, collapsing runs.
fn sanitize(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for ch in raw.chars() {
        let c = ch.to_ascii_lowercase();
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() {
            c
        } else {
            '-'
        };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    out.trim_matches('-').to_string()
}

impl TryFrom<String> for JobId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let ok = !s.is_empty()
            && s.len() <= 200
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(JobId(s))
        } else {
            Err(format!("invalid job id {s:?}: only [a-z0-9-] allowed"))
        }
    }
}

impl From<JobId> for String {
    fn from(id: JobId) -> String {
        id.0
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a request came from and where to answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobSource {
    /// `github`, `gitlab`, `twitter`, `slack` or `local`.
    pub platform: String,
    /// `owner/repo` (GitHub, GitLab), the user (Twitter), the channel (Slack).
    pub repo: String,
    /// Issue / MR number (0 where the platform has none).
    pub number: u64,
    /// Comment / note / tweet id.
    pub comment_id: u64,
    pub user: String,
    pub url: String,
}

/// The version of the job spec and callback contract this build writes and runs.
///
/// 1 (no `version` field): callbacks signed with the runner secret itself. 2: signed with the
/// per-job key HMAC-SHA256(secret, job id) ([`crate::runner::protocol::job_key`]); the app
/// refuses callbacks signed the version-1 way, saying so.
pub const JOB_SPEC_VERSION: u32 = 2;

fn version_1() -> u32 {
    1
}

fn is_version_1(v: &u32) -> bool {
    *v == 1
}

/// The job spec committed as `battbot-job.json` (DESIGN §6).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobSpec {
    /// [`JOB_SPEC_VERSION`] when written by this build; 1 when absent (older apps).
    #[serde(default = "version_1", skip_serializing_if = "is_version_1")]
    pub version: u32,
    pub id: JobId,
    pub created_at: String,
    pub source: JobSource,
    pub command: Command,
    pub callback_url: String,
    /// For `runbenchmarks`: what to benchmark (an addition to DESIGN §6, absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benchmark: Option<BenchmarkJob>,
}

/// What the runner benchmarks: the pull request's head against its base.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkJob {
    pub clone_url: String,
    /// The pull request's head (`refs/pull/N/head`, `refs/merge-requests/N/head`).
    pub head_ref: String,
    /// A merge ref whose first parent is the base (`refs/pull/N/merge`), or a base branch.
    pub base_ref: String,
    /// The branch to benchmark against when `base_ref` does not exist (GitHub has no merge
    /// ref for a conflicting pull request); absent: the repository's default branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_branch: Option<String>,
    pub command: String,
    pub repeat: u32,
    pub threshold_percent: f64,
    pub timeout_s: u64,
}

impl JobSpec {
    /// Builds the spec of a request; `public_url` is where the app listens.
    pub fn new(
        source: JobSource,
        command: Command,
        public_url: &str,
        now: time::OffsetDateTime,
    ) -> JobSpec {
        let id = JobId::for_source(&source);
        let callback_url = format!("{}/runner/v1/jobs/{}", public_url.trim_end_matches('/'), id);
        let created_at = now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        JobSpec {
            version: JOB_SPEC_VERSION,
            id,
            created_at,
            source,
            command,
            callback_url,
            benchmark: None,
        }
    }

    /// Reads a spec from JSON with an error that says what is wrong.
    pub fn from_json(text: &str) -> anyhow::Result<JobSpec> {
        serde_json::from_str(text).map_err(|e| {
            anyhow::anyhow!(
                "not a valid battbot job spec: {e} (hint: see DESIGN §6 / battbot-job.json)"
            )
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a job spec always serialises")
    }

    /// The directory of this job's report in the reports repository (DESIGN §8).
    pub fn report_dir(&self) -> String {
        report_dir(&self.source, &self.id)
    }
}

/// `<platform>/<owner>/<repo>/<number>/<job-id>` (or `twitter/<user>/<tweet-id>`, or
/// `scheduled/<slot>`).
pub fn report_dir(source: &JobSource, id: &JobId) -> String {
    match source.platform.as_str() {
        "twitter" => format!("twitter/{}/{}", safe_path(&source.user), source.comment_id),
        // Mastodon and Bluesky as Twitter: `<platform>/<acct or handle>/<post id>`.
        "mastodon" | "bluesky" => format!(
            "{}/{}/{}",
            source.platform,
            safe_path(&source.user),
            source.comment_id
        ),
        // BattBot's twice-daily comparisons: `scheduled/<yyyy-mm-dd>-<am|pm>`.
        "scheduled" => format!("scheduled/{}", safe_path(&source.repo)),
        platform => format!(
            "{}/{}/{}/{}",
            safe_path(platform),
            source
                .repo
                .split('/')
                .map(safe_path)
                .collect::<Vec<_>>()
                .join("/"),
            source.number,
            id
        ),
    }
}

/// Keeps a path component free of traversal and odd characters.
fn safe_path(part: &str) -> String {
    let cleaned: String = part
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    match cleaned.trim_matches('.') {
        "" => "_".into(),
        s => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> JobSource {
        JobSource {
            platform: "github".into(),
            repo: "Owner/Re.po".into(),
            number: 12,
            comment_id: 987654,
            user: "alice".into(),
            url: "u".into(),
        }
    }

    #[test]
    fn id_is_deterministic_and_clean() {
        let id = JobId::for_source(&source());
        assert_eq!(id.as_str(), "gh-owner-re-po-12-c987654");
        assert_eq!(id, JobId::for_source(&source()));
        assert_eq!(JobId::from_branch(&id.branch()), Some(id));
        assert_eq!(JobId::thread_prefix(&source()), "gh-owner-re-po-12-");
    }

    #[test]
    fn new_specs_state_version_2_and_a_spec_without_one_is_version_1() {
        let spec = JobSpec::new(
            source(),
            Command::Runbenchmarks,
            "https://bot.example",
            time::OffsetDateTime::UNIX_EPOCH,
        );
        assert!(spec.to_json().contains("\"version\": 2"));
        let mut old: serde_json::Value = serde_json::from_str(&spec.to_json()).unwrap();
        old.as_object_mut().unwrap().remove("version");
        let old = JobSpec::from_json(&old.to_string()).unwrap();
        assert_eq!(old.version, 1);
        assert!(!old.to_json().contains("version"));
    }

    #[test]
    fn bad_ids_are_rejected() {
        assert!(JobId::try_from("a/b".to_string()).is_err());
        assert!(JobId::try_from(String::new()).is_err());
        assert!(serde_json::from_str::<JobId>("\"../x\"").is_err());
    }

    #[test]
    fn report_dir_has_no_traversal() {
        let mut s = source();
        s.repo = "../../etc/passwd".into();
        let dir = report_dir(&s, &JobId::for_source(&s));
        assert!(!dir.contains(".."), "{dir}");
    }
}
