//! Defines the `Forge` trait — the one seam between the bot and where code, CI and
//! conversations live — with its implementations: local git on disk, GitHub, GitLab.

pub mod counting;
pub mod dry_run;
pub mod github;
mod github_api;
pub mod gitlab;
mod gitlab_api;
pub mod local;
pub mod retry;
mod support;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use crate::job::ci::FileChange;

/// A conversation the bot answers in: an issue, a pull/merge request, a tweet thread.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Thread {
    /// `owner/repo` (or a project path, a channel, a user).
    pub repo: String,
    /// Issue / MR number.
    pub number: u64,
}

impl Thread {
    /// Where to answer a request from `source` (GitLab spells MRs and commits in the path).
    pub fn of(source: &crate::job::JobSource) -> Thread {
        match source.platform.as_str() {
            "gitlab" => gitlab::thread_of(source),
            _ => Thread {
                repo: source.repo.clone(),
                number: source.number,
            },
        }
    }
}

/// How `commit_files` treats the branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitMode {
    /// Create the branch; fail with `ForgeError::BranchExists` if it already exists.
    /// Ref creation is the arbiter between concurrent deliveries of one request.
    CreateBranch,
    /// Commit on top of the branch (creating it if missing); concurrent updates are retried.
    UpdateBranch,
}

/// A branch and when its tip was committed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branch {
    pub name: String,
    pub commit: String,
    /// Unix seconds of the tip's commit.
    pub committed_at: i64,
}

/// What the forge says of a job branch's pipeline / workflow run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PipelineState {
    /// No pipeline was ever created for the branch (no runner picked it up).
    Missing,
    Pending,
    Running,
    Success,
    Failed,
    Canceled,
    /// The forge cannot tell (e.g. the local forge without a runner status).
    Unknown,
}

/// A commenter's permission on a repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    None,
    Read,
    Triage,
    Write,
    Maintain,
    Admin,
}

/// Branch of the reports repository that holds the bot's state (replies sent, last seen
/// ids, job progress, alerts): state lives only as commits.
pub const STATE_BRANCH: &str = "state";

/// Label of the alert issues the bot opens in the reports repository.
pub const ALERT_LABEL: &str = "battbot-alert";

/// The hidden line that ties an alert issue to its key.
pub fn alert_marker(key: &str) -> String {
    format!("<!-- battbot-alert:{key} -->")
}

/// Bytes read whole, checked against the limit.
pub(crate) fn limited(bytes: Vec<u8>, max_bytes: u64) -> LimitedFile {
    if bytes.len() as u64 > max_bytes {
        LimitedFile::TooLarge {
            size: bytes.len() as u64,
        }
    } else {
        LimitedFile::Bytes(bytes)
    }
}

/// Errors of forge calls; variants carry what a caller needs to decide.
#[derive(Debug, thiserror::Error)]
pub enum ForgeError {
    #[error("branch {branch} already exists")]
    BranchExists { branch: String },
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("rate limited; retry after {retry_after_s} s")]
    RateLimited { retry_after_s: u64 },
    #[error("{method} {url} answered {status}: {body}")]
    Http {
        method: String,
        url: String,
        status: u16,
        body: String,
    },
    #[error("git {args} failed: {stderr}")]
    Git { args: String, stderr: String },
    /// The platform refuses the bot itself: credentials, access level, suspension.
    #[error("{platform} refuses the bot: {message}")]
    Refused { platform: String, message: String },
    /// A compare-and-swap commit found the branch moved (or created) since it was read.
    #[error("branch {branch} moved since it was read")]
    Conflict { branch: String },
    /// The forge cannot do what was asked (e.g. compare-and-swap commits).
    #[error("{0} is not supported by this forge")]
    Unsupported(String),
    /// A reply was abandoned before a re-send: it was posted or claimed meanwhile.
    #[error("reply {0} was answered or claimed meanwhile")]
    Superseded(String),
    #[error("{0}")]
    Other(String),
}

impl ForgeError {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            ForgeError::RateLimited { .. } => true,
            ForgeError::Http { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

/// A file attached to a reply (platforms that take media: Twitter, Slack).
#[derive(Clone, Debug)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A file of a user's repository, read under a size limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LimitedFile {
    /// The contents (at most the limit).
    Bytes(Vec<u8>),
    /// No such file (or branch).
    Missing,
    /// More bytes than the limit: the size the forge reported (then nothing was downloaded)
    /// or, for a file whose reported size was smaller, the bytes it actually had.
    TooLarge { size: u64 },
    /// Not a regular file: `kind` is `directory`, `symbolic link`, `submodule`, ….
    NotAFile { kind: String },
}

/// Where requests are made and answered: an issue tracker, Twitter, Slack.
#[async_trait]
pub trait Conversation: Send + Sync {
    /// The platform's name in alerts and metrics (`github`, `twitter`, …).
    fn platform(&self) -> &'static str;

    /// The forge holding the repositories this platform's conversations belong to (GitHub,
    /// GitLab, local git), so a request can name a file of its own repository; `None` where
    /// a conversation has no repository (Twitter, Slack, Mastodon, Bluesky).
    fn repository_forge(&self) -> Option<&dyn Forge> {
        None
    }

    /// Posts a reply in a conversation.
    async fn reply(&self, thread: &Thread, body: &str) -> Result<(), ForgeError>;

    /// Posts a reply with files; platforms that cannot attach files post the text alone.
    async fn reply_with_files(
        &self,
        thread: &Thread,
        body: &str,
        _files: &[Attachment],
    ) -> Result<(), ForgeError> {
        self.reply(thread, body).await
    }

    /// Bodies of the bot's own replies in a conversation, oldest first (for idempotency markers).
    async fn bot_replies(&self, thread: &Thread) -> Result<Vec<String>, ForgeError>;

    /// Adds a reaction (e.g. `eyes`) to a comment.
    async fn react(
        &self,
        thread: &Thread,
        comment_id: u64,
        reaction: &str,
    ) -> Result<(), ForgeError>;

    /// The user's permission on the repository.
    async fn permission(&self, repo: &str, user: &str) -> Result<Permission, ForgeError>;

    /// Whether `user` is a member of the organisation (GitHub) or group (GitLab) `org`
    /// (DiffEqBot's `org`). `repo` is where the request came from: GitHub Apps
    /// authenticate per installation. Platforms without organisations say no.
    async fn is_org_member(
        &self,
        _repo: &str,
        _org: &str,
        _user: &str,
    ) -> Result<bool, ForgeError> {
        Ok(false)
    }
}

/// Everything the bot asks of a forge beyond conversations: git and CI. Repositories are
/// named as the forge names them (`owner/name`, a GitLab project id or path, a bare
/// repository path for local git).
#[async_trait]
pub trait Forge: Conversation {
    /// `local`, `github` or `gitlab`.
    fn kind(&self) -> &'static str;

    /// Commits `files` (and removes `deletes`) as one commit on `branch`; returns the commit id.
    async fn commit_files(
        &self,
        repo: &str,
        branch: &str,
        files: &[FileChange],
        deletes: &[String],
        message: &str,
        mode: CommitMode,
    ) -> Result<String, ForgeError>;

    /// Branches whose name starts with `prefix`.
    async fn list_branches(&self, repo: &str, prefix: &str) -> Result<Vec<Branch>, ForgeError>;

    /// A file's contents on a branch; `None` if the branch or file does not exist.
    async fn read_file(
        &self,
        repo: &str,
        branch: &str,
        path: &str,
    ) -> Result<Option<Vec<u8>>, ForgeError>;

    /// The branch a repository's web page shows (`main`, `master`, …).
    async fn default_branch(&self, repo: &str) -> Result<String, ForgeError> {
        Err(ForgeError::Unsupported(format!(
            "the default branch of {repo}"
        )))
    }

    /// A regular file on a branch, read only if it has at most `max_bytes`: where the API
    /// reports sizes the size is checked before the contents are downloaded, and the
    /// contents are checked again once read (a forge may misreport it).
    async fn read_file_limited(
        &self,
        repo: &str,
        branch: &str,
        path: &str,
        max_bytes: u64,
    ) -> Result<LimitedFile, ForgeError> {
        Ok(match self.read_file(repo, branch, path).await? {
            None => LimitedFile::Missing,
            Some(b) => limited(b, max_bytes),
        })
    }

    /// Paths of the files under `dir` (recursive) on a branch; empty if it does not exist.
    async fn list_files(
        &self,
        repo: &str,
        branch: &str,
        dir: &str,
    ) -> Result<Vec<String>, ForgeError>;

    /// Deletes a branch; deleting a missing branch is not an error.
    async fn delete_branch(&self, repo: &str, branch: &str) -> Result<(), ForgeError>;

    /// Opens, updates or closes the one alert issue named `key` (an issue labelled
    /// `battbot-alert` on GitHub/GitLab; `alerts/<key>.md` on the local forge's `state`
    /// branch). Closing a missing alert does nothing.
    async fn upsert_alert(
        &self,
        repo: &str,
        key: &str,
        title: &str,
        body: &str,
        open: bool,
    ) -> Result<(), ForgeError>;

    /// State of the newest pipeline / workflow run of a branch.
    async fn pipeline_state(&self, repo: &str, branch: &str) -> Result<PipelineState, ForgeError>;

    /// Cancels the running pipelines / workflow runs of a branch.
    async fn cancel_pipeline(&self, repo: &str, branch: &str) -> Result<(), ForgeError>;

    // --- Compare-and-swap commits (claims on the state branch, the reports index) ---

    /// The commit a branch points to; `None` if the branch does not exist.
    async fn branch_tip(&self, repo: &str, branch: &str) -> Result<Option<String>, ForgeError> {
        Ok(self
            .list_branches(repo, branch)
            .await?
            .into_iter()
            .find(|b| b.name == branch)
            .map(|b| b.commit))
    }

    /// Commits `files` (and removes `deletes`) on top of `expected` and moves `branch` there
    /// only if it still points at `expected` (`None`: only if the branch does not exist);
    /// `ForgeError::Conflict` when it moved. Returns the new commit's id. Forges that
    /// cannot compare-and-swap answer `ForgeError::Unsupported`.
    async fn commit_files_cas(
        &self,
        _repo: &str,
        branch: &str,
        _files: &[FileChange],
        _deletes: &[String],
        _message: &str,
        _expected: Option<&str>,
    ) -> Result<String, ForgeError> {
        Err(ForgeError::Unsupported(format!(
            "compare-and-swap commit on {branch}"
        )))
    }
}
