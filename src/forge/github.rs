//! The GitHub forge on octocrab: App (JWT → installation token, cached by octocrab until
//! expiry) or personal-token auth, the git data API for multi-file commits, issue comments,
//! reactions, collaborator permissions and Actions workflow runs.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

pub use super::github_api::GithubAuth;
use super::github_api::{other, repo_path, GithubApi};
use super::retry::{RawResponse, RetryPolicy, Safety};
use super::support::{check_path, enc, enc_path, unix_of};
use super::{alert_marker, ALERT_LABEL};
use super::{
    limited, Branch, CommitMode, Conversation, FileChange, Forge, ForgeError, LimitedFile,
    Permission, PipelineState, Thread,
};

/// Everything a `GithubForge` needs.
#[derive(Clone, Debug)]
pub struct GithubForgeConfig {
    /// `https://api.github.com` (or a wiremock server in tests).
    pub base_url: String,
    pub auth: GithubAuth,
    /// The bot's login whose comments `bot_replies` returns (`name[bot]` for an App).
    pub bot_login: String,
    pub retry: RetryPolicy,
}

/// GitHub through octocrab, every request under one [`RetryPolicy`].
pub struct GithubForge {
    api: GithubApi,
    bot_login: String,
    default_branches: Mutex<HashMap<String, String>>,
}

impl std::fmt::Debug for GithubForge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GithubForge")
            .field("app", &self.api.is_app())
            .field("bot_login", &self.bot_login)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Sha {
    sha: String,
}

#[derive(Deserialize)]
struct RefObject {
    #[serde(rename = "ref")]
    name: String,
    object: Sha,
}

#[derive(Deserialize)]
struct CommitTree {
    tree: Sha,
    #[serde(default)]
    committer: Option<Signature>,
}

#[derive(Deserialize)]
struct Signature {
    date: String,
}

#[derive(Deserialize)]
struct Comment {
    body: Option<String>,
    user: Option<Login>,
}

#[derive(Deserialize)]
struct Login {
    login: String,
}

#[derive(Deserialize)]
struct WorkflowRun {
    id: u64,
    status: Option<String>,
    conclusion: Option<String>,
}

#[derive(Deserialize)]
struct WorkflowRuns {
    workflow_runs: Vec<WorkflowRun>,
}

/// Maps a workflow run's `status`/`conclusion` to a `PipelineState`.
pub fn run_state(status: Option<&str>, conclusion: Option<&str>) -> PipelineState {
    match status.unwrap_or("") {
        "queued" | "requested" | "waiting" | "pending" => PipelineState::Pending,
        "in_progress" => PipelineState::Running,
        "completed" => match conclusion.unwrap_or("") {
            "success" | "neutral" => PipelineState::Success,
            "failure" | "timed_out" | "startup_failure" | "stale" => PipelineState::Failed,
            "cancelled" | "skipped" => PipelineState::Canceled,
            "action_required" => PipelineState::Pending,
            _ => PipelineState::Unknown,
        },
        _ => PipelineState::Unknown,
    }
}

/// Maps the collaborator-permission answer; `role_name` (newer, finer) wins over `permission`.
pub fn permission_of(role_name: Option<&str>, permission: Option<&str>) -> Permission {
    let pick = |s: &str| match s {
        "admin" => Some(Permission::Admin),
        "maintain" => Some(Permission::Maintain),
        "write" => Some(Permission::Write),
        "triage" => Some(Permission::Triage),
        "read" => Some(Permission::Read),
        "none" => Some(Permission::None),
        _ => None,
    };
    role_name
        .and_then(pick)
        .or_else(|| permission.and_then(pick))
        .unwrap_or(Permission::None)
}

fn message_of(resp: &RawResponse) -> String {
    serde_json::from_slice::<Value>(&resp.body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default()
}

impl GithubForge {
    /// GETs a listing page by page (at most 100 pages of 100), following the `Link` header's
    /// `rel="next"`.
    async fn get_pages<T: serde::de::DeserializeOwned>(
        &self,
        repo: &str,
        path_of: impl Fn(u32) -> String,
    ) -> Result<Vec<T>, ForgeError> {
        let mut all = Vec::new();
        for page in 1..=100u32 {
            let path = path_of(page);
            let resp = self
                .api
                .send(repo, "GET", &path, None, Safety::Idempotent)
                .await?;
            if !resp.is_success() {
                return Err(resp.error("GET", &path));
            }
            let batch: Vec<T> = resp.json("GET", &path)?;
            let next = resp
                .headers
                .get_all(http::header::LINK)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .any(|v| v.contains("rel=\"next\""));
            let n = batch.len();
            all.extend(batch);
            if !next || n == 0 {
                break;
            }
        }
        Ok(all)
    }

    pub fn new(config: GithubForgeConfig) -> Result<GithubForge, ForgeError> {
        Ok(GithubForge {
            api: GithubApi::new(&config.base_url, &config.auth, config.retry)?,
            bot_login: config.bot_login,
            default_branches: Mutex::new(HashMap::new()),
        })
    }

    async fn default_branch(&self, repo: &str) -> Result<String, ForgeError> {
        if let Some(b) = self.default_branches.lock().expect("lock").get(repo) {
            return Ok(b.clone());
        }
        #[derive(Deserialize)]
        struct Repo {
            default_branch: String,
        }
        let r: Repo = self
            .api
            .json(
                repo,
                "GET",
                &format!("/repos/{repo}"),
                None,
                Safety::Idempotent,
            )
            .await?;
        self.default_branches
            .lock()
            .expect("lock")
            .insert(repo.to_string(), r.default_branch.clone());
        Ok(r.default_branch)
    }

    /// The commit a branch points to, `None` if the branch does not exist.
    async fn branch_tip(&self, repo: &str, branch: &str) -> Result<Option<String>, ForgeError> {
        let path = format!("/repos/{repo}/git/ref/heads/{}", enc_path(branch));
        let resp = self
            .api
            .send(repo, "GET", &path, None, Safety::Idempotent)
            .await?;
        match resp.status {
            404 => Ok(None),
            s if (200..300).contains(&s) => {
                let r: RefObject = resp.json("GET", &path)?;
                Ok(Some(r.object.sha))
            }
            _ => Err(resp.error("GET", &path)),
        }
    }

    async fn commit_info(&self, repo: &str, sha: &str) -> Result<CommitTree, ForgeError> {
        self.api
            .json(
                repo,
                "GET",
                &format!("/repos/{repo}/git/commits/{sha}"),
                None,
                Safety::Idempotent,
            )
            .await
    }

    /// Blobs → tree on `base` → commit with parent `base`; returns the new commit's sha.
    async fn write_commit(
        &self,
        repo: &str,
        base: &str,
        files: &[FileChange],
        deletes: &[String],
        message: &str,
    ) -> Result<String, ForgeError> {
        let base_tree = self.commit_info(repo, base).await?.tree.sha;
        let mut entries = Vec::with_capacity(files.len() + deletes.len());
        for file in files {
            check_path(&file.path)?;
            let body = json!({
                "content": base64::engine::general_purpose::STANDARD.encode(&file.contents),
                "encoding": "base64",
            });
            // Blobs are content-addressed: repeating the POST is harmless.
            let blob: Sha = self
                .api
                .json(
                    repo,
                    "POST",
                    &format!("/repos/{repo}/git/blobs"),
                    Some(&body),
                    Safety::Idempotent,
                )
                .await?;
            entries.push(
                json!({"path": file.path, "mode": "100644", "type": "blob", "sha": blob.sha}),
            );
        }
        for path in deletes {
            check_path(path)?;
            entries.push(json!({"path": path, "mode": "100644", "type": "blob", "sha": null}));
        }
        let tree: Sha = self
            .api
            .json(
                repo,
                "POST",
                &format!("/repos/{repo}/git/trees"),
                Some(&json!({"base_tree": base_tree, "tree": entries})),
                Safety::Idempotent,
            )
            .await?;
        // A repeated commit POST at worst leaves an unreferenced commit object behind.
        let commit: Sha = self
            .api
            .json(
                repo,
                "POST",
                &format!("/repos/{repo}/git/commits"),
                Some(&json!({"message": message, "tree": tree.sha, "parents": [base]})),
                Safety::Idempotent,
            )
            .await?;
        Ok(commit.sha)
    }

    /// Creates `refs/heads/<branch>` at `sha`; 422 "Reference already exists" → `BranchExists`.
    /// A failure that may have succeeded is checked by reading the ref back.
    async fn create_ref(&self, repo: &str, branch: &str, sha: &str) -> Result<(), ForgeError> {
        let path = format!("/repos/{repo}/git/refs");
        let body = json!({"ref": format!("refs/heads/{branch}"), "sha": sha});
        let exists = || ForgeError::BranchExists {
            branch: branch.to_string(),
        };
        self.api
            .retry
            .checked(
                || async {
                    let resp = self
                        .api
                        .send(repo, "POST", &path, Some(&body), Safety::NotIdempotent)
                        .await?;
                    if resp.is_success() {
                        return Ok(());
                    }
                    if resp.status == 422 && message_of(&resp).contains("already exists") {
                        // Our own earlier attempt (its answer lost) may have created it:
                        // success only if the ref points at the commit this call would create.
                        return match self.branch_tip(repo, branch).await? {
                            Some(tip) if tip == sha => Ok(()),
                            _ => Err(exists()),
                        };
                    }
                    Err(resp.error("POST", &path))
                },
                || async {
                    match self.branch_tip(repo, branch).await? {
                        Some(tip) if tip == sha => Ok(Some(())),
                        Some(_) => Err(exists()),
                        None => Ok(None),
                    }
                },
            )
            .await
    }

    /// Moves the branch to `sha` if it is a fast-forward; `Ok(false)` when it was not
    /// (someone else moved the branch: the caller re-reads and retries).
    async fn update_ref(&self, repo: &str, branch: &str, sha: &str) -> Result<bool, ForgeError> {
        let path = format!("/repos/{repo}/git/refs/heads/{}", enc_path(branch));
        let resp = self
            .api
            .send(
                repo,
                "PATCH",
                &path,
                Some(&json!({"sha": sha, "force": false})),
                Safety::Idempotent,
            )
            .await?;
        if resp.is_success() {
            return Ok(true);
        }
        if resp.status == 422 {
            return Ok(false);
        }
        Err(resp.error("PATCH", &path))
    }

    async fn comments(&self, thread: &Thread) -> Result<Vec<Comment>, ForgeError> {
        let repo = repo_path(&thread.repo)?;
        let number = thread.number;
        let all: Vec<Comment> = self
            .get_pages(repo, |page| {
                format!("/repos/{repo}/issues/{number}/comments?per_page=100&page={page}")
            })
            .await?;
        Ok(all)
    }

    async fn runs(
        &self,
        repo: &str,
        branch: &str,
        per_page: u32,
    ) -> Result<Vec<WorkflowRun>, ForgeError> {
        let repo = repo_path(repo)?;
        let runs: WorkflowRuns = self
            .api
            .json(
                repo,
                "GET",
                &format!(
                    "/repos/{repo}/actions/runs?branch={}&per_page={per_page}",
                    enc(branch)
                ),
                None,
                Safety::Idempotent,
            )
            .await?;
        Ok(runs.workflow_runs)
    }
}

#[async_trait]
impl Forge for GithubForge {
    fn kind(&self) -> &'static str {
        "github"
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
        let repo = repo_path(repo)?;
        if mode == CommitMode::CreateBranch {
            let default = self.default_branch(repo).await?;
            let base =
                self.branch_tip(repo, &default)
                    .await?
                    .ok_or_else(|| ForgeError::NotFound {
                        what: format!("default branch {default} of {repo}"),
                    })?;
            let sha = self
                .write_commit(repo, &base, files, deletes, message)
                .await?;
            self.create_ref(repo, branch, &sha).await?;
            return Ok(sha);
        }
        for _attempt in 0..self.api.retry.max_attempts.max(1) * 2 {
            match self.branch_tip(repo, branch).await? {
                Some(tip) => {
                    let sha = self
                        .write_commit(repo, &tip, files, deletes, message)
                        .await?;
                    if self.update_ref(repo, branch, &sha).await? {
                        return Ok(sha);
                    }
                }
                None => {
                    let default = self.default_branch(repo).await?;
                    let base = self.branch_tip(repo, &default).await?.ok_or_else(|| {
                        ForgeError::NotFound {
                            what: format!("default branch {default} of {repo}"),
                        }
                    })?;
                    let sha = self
                        .write_commit(repo, &base, files, deletes, message)
                        .await?;
                    match self.create_ref(repo, branch, &sha).await {
                        Ok(()) => return Ok(sha),
                        // Created concurrently: commit on top of it next round.
                        Err(ForgeError::BranchExists { .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        Err(ForgeError::Other(format!(
            "{repo} {branch}: too many concurrent updates"
        )))
    }

    async fn branch_tip(&self, repo: &str, branch: &str) -> Result<Option<String>, ForgeError> {
        GithubForge::branch_tip(self, repo_path(repo)?, branch).await
    }

    /// A tree built on `expected`, a commit whose parent is `expected`, then `PATCH` the ref
    /// with `force: false` (GitHub refuses anything but a fast-forward from the current tip,
    /// so a moved branch answers 422); no `expected`: the ref is created (422 if it exists).
    async fn commit_files_cas(
        &self,
        repo: &str,
        branch: &str,
        files: &[FileChange],
        deletes: &[String],
        message: &str,
        expected: Option<&str>,
    ) -> Result<String, ForgeError> {
        let repo = repo_path(repo)?;
        let conflict = || ForgeError::Conflict {
            branch: branch.to_string(),
        };
        let Some(expected) = expected else {
            let default = self.default_branch(repo).await?;
            let base = GithubForge::branch_tip(self, repo, &default)
                .await?
                .ok_or_else(|| ForgeError::NotFound {
                    what: format!("default branch {default} of {repo}"),
                })?;
            let sha = self
                .write_commit(repo, &base, files, deletes, message)
                .await?;
            return match self.create_ref(repo, branch, &sha).await {
                Ok(()) => Ok(sha),
                Err(ForgeError::BranchExists { .. }) => Err(conflict()),
                Err(e) => Err(e),
            };
        };
        let sha = self
            .write_commit(repo, expected, files, deletes, message)
            .await?;
        if self.update_ref(repo, branch, &sha).await? {
            return Ok(sha);
        }
        // 422 also answers a PATCH repeated after a lost success: then the tip is ours.
        match GithubForge::branch_tip(self, repo, branch).await? {
            Some(tip) if tip == sha => Ok(sha),
            _ => Err(conflict()),
        }
    }

    async fn list_branches(&self, repo: &str, prefix: &str) -> Result<Vec<Branch>, ForgeError> {
        let repo = repo_path(repo)?;
        // Prefix-filtered by the API and paged: the cost follows the live branches only.
        let prefix_path = enc_path(prefix);
        let refs: Vec<RefObject> = self
            .get_pages(repo, |page| {
                format!(
                    "/repos/{repo}/git/matching-refs/heads/{prefix_path}?per_page=100&page={page}"
                )
            })
            .await?;
        let mut out = Vec::with_capacity(refs.len());
        for r in refs {
            let Some(name) = r.name.strip_prefix("refs/heads/") else {
                continue;
            };
            if !name.starts_with(prefix) {
                continue;
            }
            let info = self.commit_info(repo, &r.object.sha).await?;
            out.push(Branch {
                name: name.to_string(),
                committed_at: info.committer.map(|c| unix_of(&c.date)).unwrap_or(0),
                commit: r.object.sha,
            });
        }
        Ok(out)
    }

    async fn read_file(
        &self,
        repo: &str,
        branch: &str,
        path: &str,
    ) -> Result<Option<Vec<u8>>, ForgeError> {
        Ok(
            match self.read_file_limited(repo, branch, path, u64::MAX).await? {
                LimitedFile::Bytes(b) => Some(b),
                _ => None,
            },
        )
    }

    async fn default_branch(&self, repo: &str) -> Result<String, ForgeError> {
        GithubForge::default_branch(self, repo_path(repo)?).await
    }

    /// The contents API answers a file's size with its contents up to 1 MB (GitHub's own
    /// cap); a larger file comes without them and its blob is downloaded only within the
    /// limit. What is decoded is checked again.
    async fn read_file_limited(
        &self,
        repo: &str,
        branch: &str,
        path: &str,
        max_bytes: u64,
    ) -> Result<LimitedFile, ForgeError> {
        let repo = repo_path(repo)?;
        let url = format!(
            "/repos/{repo}/contents/{}?ref={}",
            enc_path(path),
            enc(branch)
        );
        let Some(resp) = self.api.get_found(repo, &url).await? else {
            return Ok(LimitedFile::Missing);
        };
        #[derive(Deserialize)]
        struct Contents {
            #[serde(rename = "type", default)]
            kind: String,
            #[serde(default)]
            content: String,
            #[serde(default)]
            encoding: String,
            #[serde(default)]
            size: u64,
            sha: String,
        }
        // A directory answers with an array: not a file.
        let Ok(c) = serde_json::from_slice::<Contents>(&resp.body) else {
            return Ok(LimitedFile::NotAFile {
                kind: "directory".into(),
            });
        };
        match c.kind.as_str() {
            "file" | "" => {}
            "symlink" => {
                return Ok(LimitedFile::NotAFile {
                    kind: "symbolic link".into(),
                })
            }
            other => {
                return Ok(LimitedFile::NotAFile {
                    kind: other.to_string(),
                })
            }
        }
        if c.size > max_bytes {
            return Ok(LimitedFile::TooLarge { size: c.size });
        }
        let b64 = if c.encoding == "base64" && !c.content.is_empty() {
            c.content
        } else {
            // Files over 1 MB come without content: read the blob.
            #[derive(Deserialize)]
            struct Blob {
                content: String,
            }
            let blob: Blob = self
                .api
                .json(
                    repo,
                    "GET",
                    &format!("/repos/{repo}/git/blobs/{}", c.sha),
                    None,
                    Safety::Idempotent,
                )
                .await?;
            blob.content
        };
        let clean: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
        // What the base64 text holds, before decoding it: a misreported size ends here.
        let padding = clean.bytes().rev().take_while(|&b| b == b'=').count() as u64;
        let decoded = (clean.len() as u64 / 4 * 3).saturating_sub(padding);
        if decoded > max_bytes {
            return Ok(LimitedFile::TooLarge { size: decoded });
        }
        base64::engine::general_purpose::STANDARD
            .decode(clean)
            .map(|b| limited(b, max_bytes))
            .map_err(|e| other(&format!("{repo}:{path} base64"), e))
    }

    async fn list_files(
        &self,
        repo: &str,
        branch: &str,
        dir: &str,
    ) -> Result<Vec<String>, ForgeError> {
        let repo = repo_path(repo)?;
        let url = format!("/repos/{repo}/git/trees/{}?recursive=1", enc_path(branch));
        let resp = self
            .api
            .send(repo, "GET", &url, None, Safety::Idempotent)
            .await?;
        // 404: no such branch; 409: empty repository.
        if resp.status == 404 || resp.status == 409 {
            return Ok(Vec::new());
        }
        if !resp.is_success() {
            return Err(resp.error("GET", &url));
        }
        #[derive(Deserialize)]
        struct Entry {
            path: String,
            #[serde(rename = "type")]
            kind: String,
        }
        #[derive(Deserialize)]
        struct Tree {
            tree: Vec<Entry>,
            #[serde(default)]
            truncated: bool,
        }
        let tree: Tree = resp.json("GET", &url)?;
        if tree.truncated {
            return Err(ForgeError::Other(format!(
                "{repo} {branch}: tree listing truncated by GitHub (too many files)"
            )));
        }
        let dir = dir.trim_end_matches('/');
        Ok(tree
            .tree
            .into_iter()
            .filter(|e| e.kind == "blob")
            .map(|e| e.path)
            .filter(|p| dir.is_empty() || p.strip_prefix(dir).is_some_and(|r| r.starts_with('/')))
            .collect())
    }

    async fn delete_branch(&self, repo: &str, branch: &str) -> Result<(), ForgeError> {
        let repo = repo_path(repo)?;
        let path = format!("/repos/{repo}/git/refs/heads/{}", enc_path(branch));
        let resp = self
            .api
            .send(repo, "DELETE", &path, None, Safety::Idempotent)
            .await?;
        // 422 "Reference does not exist" / 404: already gone.
        if resp.is_success() || resp.status == 404 || resp.status == 422 {
            return Ok(());
        }
        Err(resp.error("DELETE", &path))
    }

    async fn upsert_alert(
        &self,
        repo: &str,
        key: &str,
        title: &str,
        body: &str,
        open: bool,
    ) -> Result<(), ForgeError> {
        let repo = repo_path(repo)?;
        #[derive(Deserialize)]
        struct Issue {
            number: u64,
            #[serde(default)]
            body: Option<String>,
        }
        let marker = alert_marker(key);
        let list = format!("/repos/{repo}/issues?labels={ALERT_LABEL}&state=all&per_page=100");
        let issues: Vec<Issue> = self
            .api
            .json(repo, "GET", &list, None, Safety::Idempotent)
            .await?;
        let found = issues
            .iter()
            .find(|i| i.body.as_deref().is_some_and(|b| b.contains(&marker)));
        let text = format!("{body}\n\n{marker}");
        match found {
            None if !open => Ok(()),
            None => {
                let path = format!("/repos/{repo}/issues");
                let payload = json!({"title": title, "body": text, "labels": [ALERT_LABEL]});
                let _: Value = self
                    .api
                    .json(repo, "POST", &path, Some(&payload), Safety::NotIdempotent)
                    .await?;
                Ok(())
            }
            Some(issue) => {
                let path = format!("/repos/{repo}/issues/{}", issue.number);
                let state = if open { "open" } else { "closed" };
                let payload = json!({"title": title, "body": text, "state": state});
                let _: Value = self
                    .api
                    .json(repo, "PATCH", &path, Some(&payload), Safety::Idempotent)
                    .await?;
                Ok(())
            }
        }
    }

    async fn pipeline_state(&self, repo: &str, branch: &str) -> Result<PipelineState, ForgeError> {
        // Runs are listed newest first.
        Ok(match self.runs(repo, branch, 1).await?.first() {
            None => PipelineState::Missing,
            Some(run) => run_state(run.status.as_deref(), run.conclusion.as_deref()),
        })
    }

    async fn cancel_pipeline(&self, repo: &str, branch: &str) -> Result<(), ForgeError> {
        let repo = repo_path(repo)?;
        for run in self.runs(repo, branch, 100).await? {
            if run.status.as_deref() == Some("completed") {
                continue;
            }
            let path = format!("/repos/{repo}/actions/runs/{}/cancel", run.id);
            let resp = self
                .api
                .send(repo, "POST", &path, None, Safety::Idempotent)
                .await?;
            // 409: the run finished in between.
            if !(resp.is_success() || resp.status == 409) {
                return Err(resp.error("POST", &path));
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Conversation for GithubForge {
    fn platform(&self) -> &'static str {
        "github"
    }

    fn repository_forge(&self) -> Option<&dyn Forge> {
        Some(self)
    }

    async fn reply(&self, thread: &Thread, body: &str) -> Result<(), ForgeError> {
        let repo = repo_path(&thread.repo)?;
        let path = format!("/repos/{repo}/issues/{}/comments", thread.number);
        let payload = json!({ "body": body });
        self.api
            .retry
            .checked(
                || async {
                    let resp = self
                        .api
                        .send(repo, "POST", &path, Some(&payload), Safety::NotIdempotent)
                        .await?;
                    if resp.is_success() {
                        Ok(())
                    } else {
                        Err(resp.error("POST", &path))
                    }
                },
                // Posted after all? Then it is among the bot's replies.
                || async {
                    let replies = self.bot_replies(thread).await?;
                    Ok(replies.iter().any(|r| r == body).then_some(()))
                },
            )
            .await
    }

    async fn bot_replies(&self, thread: &Thread) -> Result<Vec<String>, ForgeError> {
        let me = self.bot_login.to_ascii_lowercase();
        Ok(self
            .comments(thread)
            .await?
            .into_iter()
            .filter(|c| {
                c.user
                    .as_ref()
                    .is_some_and(|u| u.login.to_ascii_lowercase() == me)
            })
            .filter_map(|c| c.body)
            .collect())
    }

    async fn react(
        &self,
        thread: &Thread,
        comment_id: u64,
        reaction: &str,
    ) -> Result<(), ForgeError> {
        let repo = repo_path(&thread.repo)?;
        let body = json!({ "content": reaction });
        // An issue comment, or else a pull request review comment (the id says which only
        // to GitHub). A reaction that exists already answers 200: repeating is harmless.
        let mut last = None;
        for kind in ["issues", "pulls"] {
            let path = format!("/repos/{repo}/{kind}/comments/{comment_id}/reactions");
            let resp = self
                .api
                .send(repo, "POST", &path, Some(&body), Safety::Idempotent)
                .await?;
            if resp.is_success() {
                return Ok(());
            }
            if resp.status != 404 {
                return Err(resp.error("POST", &path));
            }
            last = Some(resp.error("POST", &path));
        }
        Err(last.unwrap_or_else(|| ForgeError::NotFound {
            what: format!("comment {comment_id}"),
        }))
    }

    async fn permission(&self, repo: &str, user: &str) -> Result<Permission, ForgeError> {
        let repo = repo_path(repo)?;
        let path = format!("/repos/{repo}/collaborators/{}/permission", enc(user));
        let Some(resp) = self.api.get_found(repo, &path).await? else {
            return Ok(Permission::None);
        };
        #[derive(Deserialize)]
        struct Perm {
            permission: Option<String>,
            role_name: Option<String>,
        }
        let p: Perm = resp.json("GET", &path)?;
        Ok(permission_of(
            p.role_name.as_deref(),
            p.permission.as_deref(),
        ))
    }

    async fn is_org_member(&self, repo: &str, org: &str, user: &str) -> Result<bool, ForgeError> {
        let repo = repo_path(repo)?;
        // 204: a member; 404: not one (or, for a requester outside the org, not a public
        // member — GitHub redirects such requests to the public-members list).
        let path = format!("/orgs/{}/members/{}", enc(org), enc(user));
        let resp = self
            .api
            .send(repo, "GET", &path, None, Safety::Idempotent)
            .await?;
        match resp.status {
            204 => Ok(true),
            302 | 404 => Ok(false),
            _ => Err(resp.error("GET", &path)),
        }
    }
}
