//! The GitLab forge on the `gitlab` crate's typed endpoints, sent through our own
//! `AsyncClient` (reqwest + the shared [`RetryPolicy`]): multi-action commits, files,
//! branches, notes and award emoji on issues / merge requests / commits, members, pipelines.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use gitlab::api::common::SortOrder;
use gitlab::api::endpoint_prelude::Endpoint;
use gitlab::api::groups::members::GroupMember;
use gitlab::api::projects::members::AllProjectMember;
use gitlab::api::projects::pipelines::{CancelPipeline, PipelineOrderBy, Pipelines};
use gitlab::api::projects::repository::branches::{Branch as GlBranch, Branches};
use gitlab::api::projects::repository::commits::{
    CommentOnCommit, CommitAction, CommitActionType, CommitComments, CreateCommit,
};
use gitlab::api::projects::repository::files::{Encoding, FileRaw};
use gitlab::api::projects::Project;
use gitlab::api::{self, AsyncQuery, Pagination};
use serde::Deserialize;

use crate::job::JobSource;

use super::gitlab_api::{
    map_err, status_of, DeleteBranchEscaped, FileHead, IssueLike, Notes, PostOnNoteable, Transport,
    TreeQuery, UserByName,
};
use super::retry::RetryPolicy;
use super::support::{check_path, unix_of};
use super::{alert_marker, ALERT_LABEL};
use super::{
    limited, Branch, CommitMode, Conversation, FileChange, Forge, ForgeError, LimitedFile,
    Permission, PipelineState, Thread,
};

/// Everything a `GitlabForge` needs.
#[derive(Clone, Debug)]
pub struct GitlabForgeConfig {
    /// `https://gitlab.com` (the API lives under `/api/v4/`), or a wiremock server.
    pub base_url: String,
    pub token: String,
    /// The bot account's username, whose notes `bot_replies` returns.
    pub bot_username: String,
    pub retry: RetryPolicy,
}

/// What a GitLab [`Thread`] points at. GitLab numbers issues and merge requests
/// separately, so the kind travels in `Thread::repo` the way GitLab's own URLs spell it:
/// `group/project` (issue `number`), `group/project/-/merge_requests` (MR `number`),
/// `group/project/-/commit/<sha>` (a commit; `number` is 0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Noteable {
    Issue { project: String, iid: u64 },
    MergeRequest { project: String, iid: u64 },
    Commit { project: String, sha: String },
}

impl Noteable {
    pub fn of(thread: &Thread) -> Noteable {
        match thread.repo.split_once("/-/") {
            Some((project, "merge_requests")) => Noteable::MergeRequest {
                project: project.to_string(),
                iid: thread.number,
            },
            Some((project, rest)) if rest.starts_with("commit/") => Noteable::Commit {
                project: project.to_string(),
                sha: rest["commit/".len()..].to_string(),
            },
            _ => Noteable::Issue {
                project: thread.repo.clone(),
                iid: thread.number,
            },
        }
    }

    fn issue_like(&self) -> Option<IssueLike<'_>> {
        match self {
            Noteable::Issue { project, iid } => Some(IssueLike {
                project,
                kind: "issues",
                iid: *iid,
            }),
            Noteable::MergeRequest { project, iid } => Some(IssueLike {
                project,
                kind: "merge_requests",
                iid: *iid,
            }),
            Noteable::Commit { .. } => None,
        }
    }

    pub fn project(&self) -> &str {
        match self {
            Noteable::Issue { project, .. }
            | Noteable::MergeRequest { project, .. }
            | Noteable::Commit { project, .. } => project,
        }
    }
}

/// The thread to answer a GitLab note in, from the job source `gitlab_event` produced
/// (the note URL tells issue / merge request / commit apart).
pub fn thread_of(source: &JobSource) -> Thread {
    let url = source.url.split('#').next().unwrap_or("");
    if url.contains("/merge_requests/") {
        return Thread {
            repo: format!("{}/-/merge_requests", source.repo),
            number: source.number,
        };
    }
    if let Some((_, rest)) = url.rsplit_once("/commit/") {
        let sha: String = rest.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
        if !sha.is_empty() {
            return Thread {
                repo: format!("{}/-/commit/{sha}", source.repo),
                number: 0,
            };
        }
    }
    Thread {
        repo: source.repo.clone(),
        number: source.number,
    }
}

/// Maps a project member's `access_level` (GitLab roles) to a `Permission`.
pub fn permission_of(access_level: u64) -> Permission {
    match access_level {
        50.. => Permission::Admin,
        40..=49 => Permission::Maintain,
        30..=39 => Permission::Write,
        20..=29 => Permission::Triage,
        1..=19 => Permission::Read,
        0 => Permission::None,
    }
}

/// Maps a pipeline `status` to a `PipelineState`.
pub fn pipeline_state_of(status: &str) -> PipelineState {
    match status {
        "created"
        | "waiting_for_resource"
        | "preparing"
        | "pending"
        | "scheduled"
        | "manual"
        | "waiting_for_callback" => PipelineState::Pending,
        "running" => PipelineState::Running,
        "success" => PipelineState::Success,
        "failed" => PipelineState::Failed,
        "canceled" | "canceling" | "skipped" => PipelineState::Canceled,
        _ => PipelineState::Unknown,
    }
}

#[derive(Deserialize)]
struct NoteJson {
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    note: Option<String>,
    author: Option<Author>,
}

#[derive(Deserialize)]
struct Author {
    username: String,
}

#[derive(Deserialize)]
struct CommitJson {
    id: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    committed_date: Option<String>,
}

#[derive(Deserialize)]
struct BranchJson {
    name: String,
    commit: CommitJson,
}

#[derive(Deserialize)]
struct PipelineJson {
    id: u64,
    status: String,
}

/// GitLab, every request under one [`RetryPolicy`].
pub struct GitlabForge {
    client: Transport,
    bot_username: String,
    default_branches: Mutex<HashMap<String, String>>,
}

impl std::fmt::Debug for GitlabForge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitlabForge")
            .field("api", &self.client.api.as_str())
            .field("bot_username", &self.bot_username)
            .finish_non_exhaustive()
    }
}

fn build_err(what: &str, e: impl std::fmt::Display) -> ForgeError {
    ForgeError::Other(format!("{what}: {e}"))
}

impl GitlabForge {
    pub fn new(config: GitlabForgeConfig) -> Result<GitlabForge, ForgeError> {
        let base = config.base_url.trim_end_matches('/');
        let api = url::Url::parse(&format!("{base}/api/v4/"))
            .map_err(|e| build_err("GitLab base URL", e))?;
        let http = reqwest::Client::builder()
            .user_agent("battbot")
            .build()
            .map_err(|e| build_err("GitLab HTTP client", e))?;
        Ok(GitlabForge {
            client: Transport {
                http,
                api,
                token: config.token,
                retry: config.retry,
            },
            bot_username: config.bot_username,
            default_branches: Mutex::new(HashMap::new()),
        })
    }

    async fn query<T, E>(&self, endpoint: E, what: &str) -> Result<T, ForgeError>
    where
        T: serde::de::DeserializeOwned + Send + 'static,
        E: Endpoint + Sync + Send,
    {
        endpoint
            .query_async(&self.client)
            .await
            .map_err(|e| map_err(e, what))
    }

    async fn all<T, E>(&self, endpoint: E, what: &str) -> Result<Vec<T>, ForgeError>
    where
        T: serde::de::DeserializeOwned + Send + 'static,
        E: Endpoint + gitlab::api::Pageable + Sync + Send,
    {
        api::paged(endpoint, Pagination::All)
            .query_async(&self.client)
            .await
            .map_err(|e| map_err(e, what))
    }

    /// Like `query`, with 404 → `None`.
    async fn maybe<T, E>(&self, endpoint: E, what: &str) -> Result<Option<T>, ForgeError>
    where
        T: serde::de::DeserializeOwned + Send + 'static,
        E: Endpoint + Sync + Send,
    {
        match self.query(endpoint, what).await {
            Ok(v) => Ok(Some(v)),
            Err(e) if status_of(&e) == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn default_branch(&self, project: &str) -> Result<String, ForgeError> {
        if let Some(b) = self.default_branches.lock().expect("lock").get(project) {
            return Ok(b.clone());
        }
        #[derive(Deserialize)]
        struct ProjectJson {
            default_branch: Option<String>,
        }
        let endpoint = Project::builder()
            .project(project)
            .build()
            .map_err(|e| build_err("project", e))?;
        let p: ProjectJson = self.query(endpoint, &format!("project {project}")).await?;
        let branch = p.default_branch.unwrap_or_else(|| "main".to_string());
        self.default_branches
            .lock()
            .expect("lock")
            .insert(project.to_string(), branch.clone());
        Ok(branch)
    }

    async fn branch(&self, project: &str, branch: &str) -> Result<Option<BranchJson>, ForgeError> {
        let endpoint = GlBranch::builder()
            .project(project)
            .branch(branch)
            .build()
            .map_err(|e| build_err("branch", e))?;
        self.maybe(endpoint, &format!("branch {branch} of {project}"))
            .await
    }

    /// The last commit that changed `path` as of `ref_`; `None` if the file is not there.
    async fn last_commit_of(
        &self,
        project: &str,
        ref_: &str,
        path: &str,
    ) -> Result<Option<String>, ForgeError> {
        #[derive(Deserialize)]
        struct FileMeta {
            last_commit_id: String,
        }
        let endpoint = gitlab::api::projects::repository::files::File::builder()
            .project(project)
            .file_path(path)
            .ref_(ref_)
            .build()
            .map_err(|e| build_err("file", e))?;
        Ok(self
            .maybe::<FileMeta, _>(endpoint, &format!("file {path} on {ref_}"))
            .await?
            .map(|m| m.last_commit_id))
    }

    async fn file_exists(&self, project: &str, ref_: &str, path: &str) -> Result<bool, ForgeError> {
        let endpoint = FileHead {
            project,
            path,
            ref_,
        };
        match api::raw(endpoint).query_async(&self.client).await {
            Ok(_) => Ok(true),
            Err(e) => {
                let e = map_err(e, &format!("file {path} on {ref_}"));
                if status_of(&e) == Some(404) {
                    Ok(false)
                } else {
                    Err(e)
                }
            }
        }
    }

    /// Whether a file exists (`None`: it does not) and the size GitLab reports for it, from
    /// a `HEAD` that downloads nothing.
    async fn file_size(
        &self,
        project: &str,
        ref_: &str,
        path: &str,
    ) -> Result<Option<Option<u64>>, ForgeError> {
        use gitlab::api::{AsyncClient, RestClient};
        let what = format!("file {path} on {ref_} of {project}");
        let endpoint = FileHead {
            project,
            path,
            ref_,
        };
        let mut url = self
            .client
            .rest_endpoint(&endpoint.endpoint())
            .map_err(|e| map_err(e, &what))?;
        endpoint.parameters().add_to_url(&mut url);
        let request = http::Request::builder()
            .method(http::Method::HEAD)
            .uri(url.as_str());
        match self.client.rest_async(request, Vec::new()).await {
            Ok(resp) => Ok(Some(
                resp.headers()
                    .get("x-gitlab-size")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok()),
            )),
            Err(e) => {
                let e = map_err(e, &what);
                if status_of(&e) == Some(404) {
                    Ok(None)
                } else {
                    Err(e)
                }
            }
        }
    }

    /// One `POST …/repository/commits`; create/update chosen by whether each file exists on
    /// `base_ref`. `start_branch` is set when the branch is new.
    async fn post_commit(
        &self,
        project: &str,
        branch: &str,
        start_branch: Option<&str>,
        files: &[FileChange],
        deletes: &[String],
        message: &str,
    ) -> Result<String, ForgeError> {
        let base_ref = start_branch.unwrap_or(branch);
        let mut actions = Vec::with_capacity(files.len() + deletes.len());
        for file in files {
            check_path(&file.path)?;
            let kind = if self.file_exists(project, base_ref, &file.path).await? {
                CommitActionType::Update
            } else {
                CommitActionType::Create
            };
            actions.push(
                CommitAction::builder()
                    .action(kind)
                    .file_path(file.path.as_str())
                    .content(file.contents.as_slice())
                    .encoding(Encoding::Base64)
                    .build()
                    .map_err(|e| build_err("commit action", e))?,
            );
        }
        for path in deletes {
            check_path(path)?;
            if self.file_exists(project, base_ref, path).await? {
                actions.push(
                    CommitAction::builder()
                        .action(CommitActionType::Delete)
                        .file_path(path.as_str())
                        .build()
                        .map_err(|e| build_err("commit action", e))?,
                );
            }
        }
        let mut builder = CreateCommit::builder();
        builder
            .project(project)
            .branch(branch)
            .commit_message(message)
            .actions(actions);
        if let Some(start) = start_branch {
            builder.start_branch(start);
        }
        let endpoint = builder.build().map_err(|e| build_err("commit", e))?;
        let commit: CommitJson = self
            .query(endpoint, &format!("commit to {branch} of {project}"))
            .await?;
        Ok(commit.id)
    }

    async fn commit_once(
        &self,
        project: &str,
        branch: &str,
        files: &[FileChange],
        deletes: &[String],
        message: &str,
        mode: CommitMode,
    ) -> Result<String, ForgeError> {
        let exists_err = || ForgeError::BranchExists {
            branch: branch.to_string(),
        };
        let tip = self.branch(project, branch).await?;
        let start = match (mode, &tip) {
            (CommitMode::CreateBranch, Some(_)) => return Err(exists_err()),
            (_, None) => Some(self.default_branch(project).await?),
            (CommitMode::UpdateBranch, Some(_)) => None,
        };
        let old_tip = tip.map(|b| b.commit.id);
        self.client
            .retry
            .checked(
                || async {
                    match self
                        .post_commit(project, branch, start.as_deref(), files, deletes, message)
                        .await
                    {
                        Err(e)
                            if status_of(&e) == Some(400)
                                && start.is_some()
                                && is_branch_exists(&e) =>
                        {
                            Err(exists_err())
                        }
                        other => other,
                    }
                },
                // Did the commit land after all? Its message is on the branch's new tip.
                || async {
                    match self.branch(project, branch).await? {
                        Some(b)
                            if Some(&b.commit.id) != old_tip.as_ref()
                                && b.commit.message.trim() == message.trim() =>
                        {
                            Ok(Some(b.commit.id))
                        }
                        Some(_) if mode == CommitMode::CreateBranch => Err(exists_err()),
                        _ => Ok(None),
                    }
                },
            )
            .await
    }

    async fn notes(&self, noteable: &Noteable) -> Result<Vec<NoteJson>, ForgeError> {
        match (noteable, noteable.issue_like()) {
            (_, Some(on)) => {
                self.all(Notes { on }, &format!("notes of {}", on.path()))
                    .await
            }
            (Noteable::Commit { project, sha }, None) => {
                let endpoint = CommitComments::builder()
                    .project(project.as_str())
                    .commit(sha.as_str())
                    .build()
                    .map_err(|e| build_err("commit comments", e))?;
                self.all(endpoint, &format!("comments on {sha}")).await
            }
            (_, None) => Ok(Vec::new()),
        }
    }

    async fn pipelines(
        &self,
        project: &str,
        branch: &str,
        pagination: Pagination,
    ) -> Result<Vec<PipelineJson>, ForgeError> {
        let endpoint = Pipelines::builder()
            .project(project)
            .ref_(branch)
            .order_by(PipelineOrderBy::Id)
            .sort(SortOrder::Descending)
            .build()
            .map_err(|e| build_err("pipelines", e))?;
        api::paged(endpoint, pagination)
            .query_async(&self.client)
            .await
            .map_err(|e| map_err(e, &format!("pipelines of {branch}")))
    }
}

fn is_branch_exists(e: &ForgeError) -> bool {
    match e {
        ForgeError::Http { body, .. } => {
            let b = body.to_ascii_lowercase();
            b.contains("branch") && b.contains("already exists")
        }
        _ => false,
    }
}

/// Whether a commit failed because a file appeared or vanished concurrently.
fn is_file_race(e: &ForgeError) -> bool {
    match e {
        ForgeError::Http {
            status: 400, body, ..
        } => {
            let b = body.to_ascii_lowercase();
            b.contains("file with this name")
                || b.contains("file has been changed")
                || b.contains("doesn't exist")
                || b.contains("changed since")
        }
        _ => false,
    }
}

#[async_trait]
impl Forge for GitlabForge {
    fn kind(&self) -> &'static str {
        "gitlab"
    }

    async fn commit_files(
        &self,
        repo: &str,
        branch: &str,
        files: &[FileChange],
        deletes: &[String],
        message: &str,
        mode: CommitMode,
    ) -> Result<String, ForgeError> {
        let attempts = self.client.retry.max_attempts.max(1) * 2;
        let mut last = None;
        for _ in 0..attempts {
            match self
                .commit_once(repo, branch, files, deletes, message, mode)
                .await
            {
                // Someone else created the branch in between: commit on top of it.
                Err(ForgeError::BranchExists { .. }) if mode == CommitMode::UpdateBranch => {}
                Err(e) if mode == CommitMode::UpdateBranch && is_file_race(&e) => last = Some(e),
                other => return other,
            }
        }
        Err(last.unwrap_or_else(|| {
            ForgeError::Other(format!("{repo} {branch}: too many concurrent updates"))
        }))
    }

    async fn branch_tip(&self, repo: &str, branch: &str) -> Result<Option<String>, ForgeError> {
        Ok(self.branch(repo, branch).await?.map(|b| b.commit.id))
    }

    /// GitLab's commits API has no ref compare-and-swap; each file is guarded instead: an
    /// update or delete names the file's last commit as of `expected` (`last_commit_id`,
    /// refused if the file changed since), a new file is a `create` (refused if it exists).
    /// So no change made since `expected` to a file this commit writes is ever lost.
    async fn commit_files_cas(
        &self,
        repo: &str,
        branch: &str,
        files: &[FileChange],
        deletes: &[String],
        message: &str,
        expected: Option<&str>,
    ) -> Result<String, ForgeError> {
        let conflict = || ForgeError::Conflict {
            branch: branch.to_string(),
        };
        let tip = self.branch_tip(repo, branch).await?;
        if tip.as_deref() != expected {
            return Err(conflict());
        }
        let Some(expected) = expected else {
            return match self
                .commit_files(
                    repo,
                    branch,
                    files,
                    deletes,
                    message,
                    CommitMode::CreateBranch,
                )
                .await
            {
                Err(ForgeError::BranchExists { .. }) => Err(conflict()),
                other => other,
            };
        };
        let mut actions = Vec::with_capacity(files.len() + deletes.len());
        for file in files {
            check_path(&file.path)?;
            let last = self.last_commit_of(repo, expected, &file.path).await?;
            let mut action = CommitAction::builder();
            action
                .file_path(file.path.as_str())
                .content(file.contents.as_slice())
                .encoding(Encoding::Base64);
            match last {
                Some(id) => action.action(CommitActionType::Update).last_commit_id(id),
                None => action.action(CommitActionType::Create),
            };
            actions.push(action.build().map_err(|e| build_err("commit action", e))?);
        }
        for path in deletes {
            check_path(path)?;
            if let Some(id) = self.last_commit_of(repo, expected, path).await? {
                actions.push(
                    CommitAction::builder()
                        .action(CommitActionType::Delete)
                        .file_path(path.as_str())
                        .last_commit_id(id)
                        .build()
                        .map_err(|e| build_err("commit action", e))?,
                );
            }
        }
        let endpoint = CreateCommit::builder()
            .project(repo)
            .branch(branch)
            .commit_message(message)
            .actions(actions)
            .build()
            .map_err(|e| build_err("commit", e))?;
        let posted: Result<CommitJson, _> = self
            .query(endpoint, &format!("commit to {branch} of {repo}"))
            .await;
        match posted {
            Ok(c) => Ok(c.id),
            Err(e) if is_file_race(&e) => Err(conflict()),
            Err(e) if super::retry::may_have_applied(&e) => {
                // Landed after all? Then its message is on the branch's new tip.
                match self.branch(repo, branch).await? {
                    Some(b)
                        if b.commit.id != expected && b.commit.message.trim() == message.trim() =>
                    {
                        Ok(b.commit.id)
                    }
                    Some(b) if b.commit.id != expected => Err(conflict()),
                    _ => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    async fn list_branches(&self, repo: &str, prefix: &str) -> Result<Vec<Branch>, ForgeError> {
        let endpoint = Branches::builder()
            .project(repo)
            .search(format!("^{prefix}"))
            .build()
            .map_err(|e| build_err("branches", e))?;
        let branches: Vec<BranchJson> = self.all(endpoint, &format!("branches of {repo}")).await?;
        Ok(branches
            .into_iter()
            .filter(|b| b.name.starts_with(prefix))
            .map(|b| Branch {
                committed_at: b.commit.committed_date.as_deref().map_or(0, unix_of),
                name: b.name,
                commit: b.commit.id,
            })
            .collect())
    }

    async fn read_file(
        &self,
        repo: &str,
        branch: &str,
        path: &str,
    ) -> Result<Option<Vec<u8>>, ForgeError> {
        let endpoint = FileRaw::builder()
            .project(repo)
            .file_path(path)
            .ref_(branch)
            .build()
            .map_err(|e| build_err("file", e))?;
        match api::raw(endpoint).query_async(&self.client).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) => {
                let e = map_err(e, &format!("file {path} on {branch} of {repo}"));
                if status_of(&e) == Some(404) {
                    Ok(None)
                } else {
                    Err(e)
                }
            }
        }
    }

    async fn default_branch(&self, repo: &str) -> Result<String, ForgeError> {
        GitlabForge::default_branch(self, repo).await
    }

    /// `HEAD` first: GitLab answers the size (`X-Gitlab-Size`) without the contents, which
    /// are downloaded only within the limit and checked again once read.
    async fn read_file_limited(
        &self,
        repo: &str,
        branch: &str,
        path: &str,
        max_bytes: u64,
    ) -> Result<LimitedFile, ForgeError> {
        match self.file_size(repo, branch, path).await? {
            None => return Ok(LimitedFile::Missing),
            Some(Some(size)) if size > max_bytes => return Ok(LimitedFile::TooLarge { size }),
            Some(_) => {}
        }
        Ok(match self.read_file(repo, branch, path).await? {
            None => LimitedFile::Missing,
            Some(bytes) => limited(bytes, max_bytes),
        })
    }

    async fn list_files(
        &self,
        repo: &str,
        branch: &str,
        dir: &str,
    ) -> Result<Vec<String>, ForgeError> {
        #[derive(Deserialize)]
        struct Entry {
            path: String,
            #[serde(rename = "type")]
            kind: String,
        }
        let dir = dir.trim_end_matches('/');
        let endpoint = TreeQuery {
            project: repo,
            path: dir,
            ref_: branch,
        };
        match self
            .all::<Entry, _>(endpoint, &format!("tree of {branch} in {repo}"))
            .await
        {
            Ok(entries) => Ok(entries
                .into_iter()
                .filter(|e| e.kind == "blob")
                .map(|e| e.path)
                .collect()),
            Err(e) if status_of(&e) == Some(404) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    async fn delete_branch(&self, repo: &str, branch: &str) -> Result<(), ForgeError> {
        let endpoint = DeleteBranchEscaped {
            project: repo,
            branch,
        };
        match api::ignore(endpoint).query_async(&self.client).await {
            Ok(()) => Ok(()),
            Err(e) => {
                let e = map_err(e, &format!("delete {branch} of {repo}"));
                if status_of(&e) == Some(404) {
                    Ok(())
                } else {
                    Err(e)
                }
            }
        }
    }

    async fn upsert_alert(
        &self,
        repo: &str,
        key: &str,
        title: &str,
        body: &str,
        open: bool,
    ) -> Result<(), ForgeError> {
        use gitlab::api::projects::issues::{CreateIssue, EditIssue, IssueStateEvent, Issues};
        #[derive(Deserialize)]
        struct Issue {
            iid: u64,
            #[serde(default)]
            description: Option<String>,
        }
        let marker = alert_marker(key);
        let list = Issues::builder()
            .project(repo)
            .label(ALERT_LABEL)
            .build()
            .map_err(|e| build_err("issues", e))?;
        let issues: Vec<Issue> = self.all(list, &format!("alerts of {repo}")).await?;
        let found = issues.iter().find(|i| {
            i.description
                .as_deref()
                .is_some_and(|d| d.contains(&marker))
        });
        let description = format!("{body}\n\n{marker}");
        match found {
            None if !open => Ok(()),
            None => {
                let create = CreateIssue::builder()
                    .project(repo)
                    .title(title)
                    .description(description.as_str())
                    .label(ALERT_LABEL)
                    .build()
                    .map_err(|e| build_err("create issue", e))?;
                self.query::<serde_json::Value, _>(create, "create alert issue")
                    .await?;
                Ok(())
            }
            Some(issue) => {
                let edit = EditIssue::builder()
                    .project(repo)
                    .issue(issue.iid)
                    .title(title)
                    .description(description.as_str())
                    .state_event(if open {
                        IssueStateEvent::Reopen
                    } else {
                        IssueStateEvent::Close
                    })
                    .build()
                    .map_err(|e| build_err("edit issue", e))?;
                self.query::<serde_json::Value, _>(edit, "update alert issue")
                    .await?;
                Ok(())
            }
        }
    }

    async fn pipeline_state(&self, repo: &str, branch: &str) -> Result<PipelineState, ForgeError> {
        let newest = self.pipelines(repo, branch, Pagination::Limit(1)).await?;
        Ok(newest
            .first()
            .map_or(PipelineState::Missing, |p| pipeline_state_of(&p.status)))
    }

    async fn cancel_pipeline(&self, repo: &str, branch: &str) -> Result<(), ForgeError> {
        for p in self.pipelines(repo, branch, Pagination::All).await? {
            if !matches!(
                pipeline_state_of(&p.status),
                PipelineState::Pending | PipelineState::Running
            ) {
                continue;
            }
            let endpoint = CancelPipeline::builder()
                .project(repo)
                .pipeline(p.id)
                .build()
                .map_err(|e| build_err("cancel", e))?;
            self.query::<serde_json::Value, _>(endpoint, &format!("cancel pipeline {}", p.id))
                .await?;
        }
        Ok(())
    }
}

#[async_trait]
impl Conversation for GitlabForge {
    fn platform(&self) -> &'static str {
        "gitlab"
    }

    fn repository_forge(&self) -> Option<&dyn Forge> {
        Some(self)
    }

    async fn reply(&self, thread: &Thread, body: &str) -> Result<(), ForgeError> {
        let noteable = Noteable::of(thread);
        self.client
            .retry
            .checked(
                || async {
                    match (&noteable, noteable.issue_like()) {
                        (_, Some(on)) => {
                            let endpoint = PostOnNoteable {
                                on,
                                below: "notes".into(),
                                form: vec![("body", body.to_string())],
                            };
                            self.query::<serde_json::Value, _>(endpoint, "note").await?;
                        }
                        (Noteable::Commit { project, sha }, None) => {
                            let endpoint = CommentOnCommit::builder()
                                .project(project.as_str())
                                .commit(sha.as_str())
                                .note(body)
                                .build()
                                .map_err(|e| build_err("commit comment", e))?;
                            self.query::<serde_json::Value, _>(endpoint, "comment on commit")
                                .await?;
                        }
                        (_, None) => {}
                    }
                    Ok(())
                },
                || async {
                    let replies = self.bot_replies(thread).await?;
                    Ok(replies.iter().any(|r| r == body).then_some(()))
                },
            )
            .await
    }

    async fn bot_replies(&self, thread: &Thread) -> Result<Vec<String>, ForgeError> {
        let noteable = Noteable::of(thread);
        let me = self.bot_username.to_ascii_lowercase();
        Ok(self
            .notes(&noteable)
            .await?
            .into_iter()
            .filter(|n| {
                n.author
                    .as_ref()
                    .is_some_and(|a| a.username.to_ascii_lowercase() == me)
            })
            .filter_map(|n| n.body.or(n.note))
            .collect())
    }

    async fn react(
        &self,
        thread: &Thread,
        comment_id: u64,
        reaction: &str,
    ) -> Result<(), ForgeError> {
        let noteable = Noteable::of(thread);
        let Some(on) = noteable.issue_like() else {
            // GitLab has no award emoji on commit comments: nothing to do.
            return Ok(());
        };
        let endpoint = PostOnNoteable {
            on,
            below: format!("notes/{comment_id}/award_emoji"),
            form: vec![("name", reaction.to_string())],
        };
        match self
            .query::<serde_json::Value, _>(endpoint, "award emoji")
            .await
        {
            Ok(_) => Ok(()),
            // "Award Emoji Name has already been taken": the reaction is there.
            Err(ForgeError::Http { body, .. }) if body.contains("already been taken") => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn permission(&self, repo: &str, user: &str) -> Result<Permission, ForgeError> {
        let Some(id) = self.user_id(user).await? else {
            return Ok(Permission::None);
        };
        let endpoint = AllProjectMember::builder()
            .project(repo)
            .user(id)
            .build()
            .map_err(|e| build_err("member", e))?;
        let member: Option<Member> = self
            .maybe(endpoint, &format!("member {user} of {repo}"))
            .await?;
        Ok(member.map_or(Permission::None, |m| permission_of(m.access_level)))
    }

    async fn is_org_member(&self, _repo: &str, org: &str, user: &str) -> Result<bool, ForgeError> {
        let Some(id) = self.user_id(user).await? else {
            return Ok(false);
        };
        let endpoint = GroupMember::builder()
            .group(org)
            .user(id)
            .build()
            .map_err(|e| build_err("group member", e))?;
        let member: Option<Member> = self
            .maybe(endpoint, &format!("member {user} of group {org}"))
            .await?;
        // Guests (10) and minimal access (5) are members in name only.
        Ok(member.is_some_and(|m| permission_of(m.access_level) >= Permission::Triage))
    }
}

#[derive(Deserialize)]
struct Member {
    access_level: u64,
}

impl GitlabForge {
    /// The numeric id of a username, `None` if no such user.
    async fn user_id(&self, user: &str) -> Result<Option<u64>, ForgeError> {
        #[derive(Deserialize)]
        struct User {
            id: u64,
        }
        let users: Vec<User> = self
            .query(UserByName { username: user }, &format!("user {user}"))
            .await?;
        Ok(users.first().map(|u| u.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_round_trip_through_job_sources() {
        let src = |url: &str, number| JobSource {
            platform: "gitlab".into(),
            repo: "gitlab-org/gitlab-test".into(),
            number,
            comment_id: 1,
            user: "u".into(),
            url: url.into(),
        };
        let mr = thread_of(&src(
            "http://example.com/gitlab-org/gitlab-test/merge_requests/1#note_1244",
            1,
        ));
        assert_eq!(
            Noteable::of(&mr),
            Noteable::MergeRequest {
                project: "gitlab-org/gitlab-test".into(),
                iid: 1
            }
        );
        let c = thread_of(&src(
            "http://example.com/gitlab-org/gitlab-test/commit/cfe32cf61b73a0d5e9f13e774abde7ff789b1660#note_1243",
            0,
        ));
        assert_eq!(
            Noteable::of(&c),
            Noteable::Commit {
                project: "gitlab-org/gitlab-test".into(),
                sha: "cfe32cf61b73a0d5e9f13e774abde7ff789b1660".into()
            }
        );
        let i = thread_of(&src(
            "http://example.com/gitlab-org/gitlab-test/issues/17#note_1241",
            17,
        ));
        assert_eq!(
            Noteable::of(&i),
            Noteable::Issue {
                project: "gitlab-org/gitlab-test".into(),
                iid: 17
            }
        );
    }

    #[test]
    fn access_levels_map_to_permissions() {
        assert_eq!(permission_of(10), Permission::Read);
        assert_eq!(permission_of(20), Permission::Triage);
        assert_eq!(permission_of(30), Permission::Write);
        assert_eq!(permission_of(40), Permission::Maintain);
        assert_eq!(permission_of(50), Permission::Admin);
        assert_eq!(permission_of(0), Permission::None);
        assert!(permission_of(30) >= Permission::Write && permission_of(20) < Permission::Write);
    }
}
