//! Renders the files of a runner branch: the static CI template of the chosen target
//! plus the job spec as data (no user text ever enters the CI file).

use std::str::FromStr;

use super::{JobSpec, JOB_FILE};

const GITLAB_CI: &str = include_str!("../../ci-templates/gitlab-ci.yml");
const GITHUB_ACTIONS: &str = include_str!("../../ci-templates/github-actions.yml");

/// Which CI system runs the job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CiTarget {
    Gitlab,
    Github,
}

impl FromStr for CiTarget {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "gitlab" => Ok(CiTarget::Gitlab),
            "github" => Ok(CiTarget::Github),
            other => Err(format!(
                "unknown CI target {other:?} (hint: use gitlab or github)"
            )),
        }
    }
}

impl CiTarget {
    /// Where the CI file lives on the branch.
    pub fn ci_path(self) -> &'static str {
        match self {
            CiTarget::Gitlab => ".gitlab-ci.yml",
            CiTarget::Github => ".github/workflows/battbot.yml",
        }
    }

    /// The static template text.
    pub fn template(self) -> &'static str {
        match self {
            CiTarget::Gitlab => GITLAB_CI,
            CiTarget::Github => GITHUB_ACTIONS,
        }
    }
}

/// A file to commit: repository path and contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    pub contents: Vec<u8>,
}

impl FileChange {
    pub fn new(path: impl Into<String>, contents: impl Into<Vec<u8>>) -> FileChange {
        FileChange {
            path: path.into(),
            contents: contents.into(),
        }
    }
}

/// Exactly the files the bot commits to the job's runner branch.
pub fn runner_files(spec: &JobSpec, target: CiTarget) -> Vec<FileChange> {
    vec![
        FileChange::new(target.ci_path(), target.template()),
        FileChange::new(JOB_FILE, spec.to_json() + "\n"),
    ]
}
