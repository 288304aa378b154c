//! The local forge: bare git repositories on disk driven through the git CLI (plumbing
//! only, no work tree), used by `battbot demo` and the tests. Replies are committed to
//! a conversations repository so they are visible as commits too.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use super::{
    Branch, CommitMode, Conversation, FileChange, Forge, ForgeError, LimitedFile, Permission,
    PipelineState, Thread,
};

const ZERO_OID: &str = "0000000000000000000000000000000000000000";
/// Branch of the conversations repository holding replies.
pub const COMMENTS_BRANCH: &str = "comments";

/// Git repositories on disk. Repository names are paths (absolute, or relative to `root`).
#[derive(Clone, Debug)]
pub struct LocalForge {
    root: PathBuf,
    conversations: PathBuf,
    status_dir: Option<PathBuf>,
    author: String,
    /// One writer per branch within this process; other processes are arbitrated by the
    /// ref's compare-and-swap (retried with backoff).
    writers: Arc<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>>,
}

/// How long a commit keeps retrying a ref moved by other processes before giving up.
const CONTENTION_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

impl LocalForge {
    /// `conversations` is the bare repository replies are committed to.
    pub fn new(root: impl Into<PathBuf>, conversations: impl Into<PathBuf>) -> LocalForge {
        LocalForge {
            root: root.into(),
            conversations: conversations.into(),
            status_dir: None,
            author: "battbot".into(),
            writers: Arc::default(),
        }
    }

    /// A directory where a local runner writes `<job-branch>.state` files (`running`, `success`, `failed`).
    pub fn with_status_dir(mut self, dir: impl Into<PathBuf>) -> LocalForge {
        self.status_dir = Some(dir.into());
        self
    }

    /// The in-process lock of one ref.
    fn writer(&self, refpath: PathBuf) -> Arc<tokio::sync::Mutex<()>> {
        let mut writers = self.writers.lock().unwrap_or_else(|e| e.into_inner());
        writers.entry(refpath).or_default().clone()
    }

    fn path(&self, repo: &str) -> PathBuf {
        let p = Path::new(repo);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.root.join(p)
        }
    }

    /// Creates a bare repository with `main` as its default branch if it does not exist.
    pub async fn init_bare(path: &Path) -> Result<(), ForgeError> {
        if path.join("HEAD").exists() {
            return Ok(());
        }
        std::fs::create_dir_all(path)
            .map_err(|e| ForgeError::Other(format!("{}: {e}", path.display())))?;
        git(
            path,
            &["init", "--quiet", "--bare", "--initial-branch=main"],
            None,
            &[],
        )
        .await?;
        Ok(())
    }

    fn thread_dir(thread: &Thread) -> String {
        let repo: Vec<String> = thread
            .repo
            .split('/')
            .map(|p| {
                p.replace(
                    |c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                    "_",
                )
            })
            .collect();
        format!("{}/{}", repo.join("/"), thread.number)
    }

    fn author_env(&self) -> Vec<(&'static str, String)> {
        let email = format!("{}@localhost", self.author);
        vec![
            ("GIT_AUTHOR_NAME", self.author.clone()),
            ("GIT_AUTHOR_EMAIL", email.clone()),
            ("GIT_COMMITTER_NAME", self.author.clone()),
            ("GIT_COMMITTER_EMAIL", email),
        ]
    }

    async fn tip(&self, repo: &Path, branch: &str) -> Result<Option<String>, ForgeError> {
        let refname = format!("refs/heads/{branch}^{{commit}}");
        match git(
            repo,
            &["rev-parse", "--verify", "--quiet", &refname],
            None,
            &[],
        )
        .await
        {
            Ok(out) => Ok(Some(out.trim().to_string())),
            Err(ForgeError::Git { stderr, .. }) if stderr.trim().is_empty() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes one commit on top of `parent` (or as a root commit); returns its id.
    async fn write_commit(
        &self,
        repo: &Path,
        parent: Option<&str>,
        files: &[FileChange],
        deletes: &[String],
        message: &str,
    ) -> Result<String, ForgeError> {
        // Only the directories on the changed paths are read and rewritten (`ls-tree` and
        // `mktree` per directory), so a commit costs the same whatever the tree holds.
        let mut changes = Vec::with_capacity(files.len() + deletes.len());
        for file in files {
            check_path(&file.path)?;
            let oid = git(
                repo,
                &["hash-object", "-w", "--stdin"],
                Some(&file.contents),
                &[],
            )
            .await?;
            changes.push((file.path.clone(), Some(oid.trim().to_string())));
        }
        for path in deletes {
            check_path(path)?;
            changes.push((path.clone(), None));
        }
        let tree = match update_tree(repo, parent.map(str::to_string), changes).await? {
            Some(tree) => tree,
            None => git(repo, &["mktree", "-z"], Some(b""), &[]).await?,
        };
        let mut args = vec!["commit-tree", tree.trim(), "-m", message];
        if let Some(p) = parent {
            args.push("-p");
            args.push(p);
        }
        let commit = git(repo, &args, None, &self.author_env()).await?;
        Ok(commit.trim().to_string())
    }
}

type TreeFuture<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Option<String>, ForgeError>> + Send + 'a>,
>;

/// The tree `base` (a tree or commit id; `None`: empty) with `changes` applied — path →
/// blob id, or `None` to delete; returns `None` for an empty tree. Untouched
/// subdirectories are kept by id, never read.
fn update_tree(
    repo: &Path,
    base: Option<String>,
    changes: Vec<(String, Option<String>)>,
) -> TreeFuture<'_> {
    Box::pin(async move {
        // name → (mode, type, id)
        let mut entries: std::collections::BTreeMap<String, (String, String, String)> =
            Default::default();
        if let Some(base) = &base {
            let listing = git(repo, &["ls-tree", "-z", base], None, &[]).await?;
            for item in listing.split('\0').filter(|l| !l.is_empty()) {
                let Some((meta, name)) = item.split_once('\t') else {
                    continue;
                };
                let mut m = meta.split(' ');
                if let (Some(mode), Some(kind), Some(id)) = (m.next(), m.next(), m.next()) {
                    entries.insert(name.to_string(), (mode.into(), kind.into(), id.into()));
                }
            }
        }
        let mut subdirs: std::collections::BTreeMap<String, Vec<(String, Option<String>)>> =
            Default::default();
        for (path, blob) in changes {
            match path.split_once('/') {
                Some((dir, rest)) => subdirs
                    .entry(dir.to_string())
                    .or_default()
                    .push((rest.to_string(), blob)),
                None => match blob {
                    Some(id) => {
                        entries.insert(path, ("100644".into(), "blob".into(), id));
                    }
                    None => {
                        entries.remove(&path);
                    }
                },
            }
        }
        for (dir, sub) in subdirs {
            let old = entries
                .get(&dir)
                .filter(|(_, kind, _)| kind == "tree")
                .map(|(_, _, id)| id.clone());
            match update_tree(repo, old, sub).await? {
                Some(id) => {
                    entries.insert(dir, ("040000".into(), "tree".into(), id));
                }
                None => {
                    entries.remove(&dir);
                }
            }
        }
        if entries.is_empty() {
            return Ok(None);
        }
        let mut input = Vec::new();
        for (name, (mode, kind, id)) in &entries {
            input.extend_from_slice(format!("{mode} {kind} {id}\t{name}\0").as_bytes());
        }
        let id = git(repo, &["mktree", "-z"], Some(&input), &[]).await?;
        Ok(Some(id.trim().to_string()))
    })
}

/// Refuses paths that would escape the tree or are not plain relative paths.
fn check_path(path: &str) -> Result<(), ForgeError> {
    let bad = path.is_empty()
        || path.starts_with('/')
        || path.contains('\n')
        || path.contains('\t')
        || path
            .split('/')
            .any(|p| p.is_empty() || p == "." || p == "..");
    if bad {
        return Err(ForgeError::Other(format!(
            "refusing to commit path {path:?}"
        )));
    }
    Ok(())
}

/// Runs git in `repo` and returns its stdout.
async fn git(
    repo: &Path,
    args: &[&str],
    stdin: Option<&[u8]>,
    env: &[(&str, String)],
) -> Result<String, ForgeError> {
    let out = git_output(repo, args, stdin, env).await?;
    Ok(String::from_utf8_lossy(&out).to_string())
}

/// Runs git in `repo` with `stdin` and returns its raw stdout.
async fn git_raw(repo: &Path, args: &[&str], stdin: &[u8]) -> Result<Vec<u8>, ForgeError> {
    git_output(repo, args, Some(stdin), &[]).await
}

/// Runs git in `repo` and returns its raw stdout, or its stderr as the error. The input is
/// written while the output is read, so a large answer (`cat-file --batch`) cannot block the
/// writer.
async fn git_output(
    repo: &Path,
    args: &[&str],
    stdin: Option<&[u8]>,
    env: &[(&str, String)],
) -> Result<Vec<u8>, ForgeError> {
    let mut cmd = Command::new("git");
    cmd.arg("--git-dir")
        .arg(repo)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let describe = || args.join(" ");
    let mut child = cmd.spawn().map_err(|e| ForgeError::Git {
        args: describe(),
        stderr: format!("cannot run git: {e} (hint: install git)"),
    })?;
    let writer = match (stdin, child.stdin.take()) {
        (Some(input), Some(mut pipe)) => {
            let input = input.to_vec();
            Some(tokio::spawn(async move { pipe.write_all(&input).await }))
        }
        _ => None,
    };
    let out = child
        .wait_with_output()
        .await
        .map_err(|e| ForgeError::Git {
            args: describe(),
            stderr: e.to_string(),
        })?;
    if let Some(writer) = writer {
        // A failed write shows as git's own error below; only a panic is lost here.
        let _ = writer.await;
    }
    if !out.status.success() {
        return Err(ForgeError::Git {
            args: describe(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(out.stdout)
}

async fn git_bytes(repo: &Path, args: &[&str]) -> Result<Option<Vec<u8>>, ForgeError> {
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(repo)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(|e| ForgeError::Git {
            args: args.join(" "),
            stderr: e.to_string(),
        })?;
    Ok(out.status.success().then_some(out.stdout))
}

/// Exponential backoff with jitter between compare-and-swap attempts: 2 ms doubling to
/// 128 ms, times a random factor in [0.5, 1.5).
fn backoff(attempt: u32) -> std::time::Duration {
    let base_ms = 2u64 << attempt.min(6);
    let jitter = std::collections::hash_map::RandomState::new().hash_one(attempt) % 1000;
    std::time::Duration::from_micros(base_ms * (500 + jitter))
}

/// `for-each-ref` patterns that select the branches starting with `prefix` in git itself
/// (a directory prefix is matched literally, any other by a glob), so listing job branches
/// does not walk every ref; a prefix with glob characters lists all branches (then filtered).
fn ref_patterns(prefix: &str) -> Vec<String> {
    if prefix.is_empty() || prefix.ends_with('/') {
        vec![format!("refs/heads/{prefix}")]
    } else if prefix.contains(['*', '?', '[', '\\']) {
        vec!["refs/heads/".to_string()]
    } else {
        vec![
            format!("refs/heads/{prefix}*"),
            format!("refs/heads/{prefix}*/**"),
        ]
    }
}

#[async_trait]
impl Forge for LocalForge {
    fn kind(&self) -> &'static str {
        "local"
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
        let repo = self.path(repo);
        if !repo.join("HEAD").exists() {
            return Err(ForgeError::NotFound {
                what: format!("repository {}", repo.display()),
            });
        }
        let refname = format!("refs/heads/{branch}");
        git(&repo, &["check-ref-format", &refname], None, &[]).await?;
        let writer = self.writer(repo.join(&refname));
        let _one_writer = writer.lock().await;
        let started = std::time::Instant::now();
        let mut attempt: u32 = 0;
        while attempt == 0 || started.elapsed() < CONTENTION_DEADLINE {
            if attempt > 0 {
                tokio::time::sleep(backoff(attempt)).await;
            }
            attempt += 1;
            let tip = self.tip(&repo, branch).await?;
            let parent = match (mode, &tip) {
                (CommitMode::CreateBranch, Some(_)) => {
                    return Err(ForgeError::BranchExists {
                        branch: branch.to_string(),
                    })
                }
                (CommitMode::CreateBranch, None) => self.tip(&repo, "main").await?,
                (CommitMode::UpdateBranch, t) => t.clone(),
            };
            let commit = self
                .write_commit(&repo, parent.as_deref(), files, deletes, message)
                .await?;
            let old = tip.as_deref().unwrap_or(ZERO_OID);
            match git(&repo, &["update-ref", &refname, &commit, old], None, &[]).await {
                Ok(_) => return Ok(commit),
                // Someone moved the ref in between: the compare-and-swap failed.
                Err(ForgeError::Git { .. }) if mode == CommitMode::CreateBranch => {
                    return Err(ForgeError::BranchExists {
                        branch: branch.to_string(),
                    })
                }
                Err(ForgeError::Git { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(ForgeError::Other(format!(
            "{branch}: too many concurrent updates ({attempt} attempts in {} s)",
            CONTENTION_DEADLINE.as_secs()
        )))
    }

    async fn list_branches(&self, repo: &str, prefix: &str) -> Result<Vec<Branch>, ForgeError> {
        let repo = self.path(repo);
        let mut args = vec![
            "for-each-ref".to_string(),
            "--format=%(refname:strip=2) %(objectname) %(committerdate:unix)".to_string(),
        ];
        args.extend(ref_patterns(prefix));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = git(&repo, &args, None, &[]).await?;
        Ok(out
            .lines()
            .filter_map(|line| {
                let mut parts = line.split(' ');
                let name = parts.next()?;
                let commit = parts.next()?;
                let at = parts.next()?.parse().ok()?;
                name.starts_with(prefix).then(|| Branch {
                    name: name.to_string(),
                    commit: commit.to_string(),
                    committed_at: at,
                })
            })
            .collect())
    }

    async fn read_file(
        &self,
        repo: &str,
        branch: &str,
        path: &str,
    ) -> Result<Option<Vec<u8>>, ForgeError> {
        let repo = self.path(repo);
        if self.tip(&repo, branch).await?.is_none() {
            return Ok(None);
        }
        git_bytes(
            &repo,
            &["cat-file", "blob", &format!("refs/heads/{branch}:{path}")],
        )
        .await
    }

    /// The branch `HEAD` names in the bare repository.
    async fn default_branch(&self, repo: &str) -> Result<String, ForgeError> {
        let out = git(
            &self.path(repo),
            &["symbolic-ref", "--short", "HEAD"],
            None,
            &[],
        )
        .await?;
        Ok(out.trim().to_string())
    }

    /// `ls-tree` names the entry's mode, object and size without reading it: a symbolic
    /// link (whose blob is its target's name), a directory or a submodule is not a file, and
    /// a blob is read only within the limit.
    async fn read_file_limited(
        &self,
        repo: &str,
        branch: &str,
        path: &str,
        max_bytes: u64,
    ) -> Result<LimitedFile, ForgeError> {
        let repo = self.path(repo);
        if self.tip(&repo, branch).await?.is_none() {
            return Ok(LimitedFile::Missing);
        }
        let refname = format!("refs/heads/{branch}");
        let out = git(
            &repo,
            &[
                "--literal-pathspecs",
                "ls-tree",
                "-z",
                "--long",
                "--full-tree",
                &refname,
                "--",
                path,
            ],
            None,
            &[],
        )
        .await?;
        // "<mode> <type> <object> <size>\t<path>\0"
        let entry = out
            .split('\0')
            .filter_map(|e| e.split_once('\t'))
            .find(|(_, p)| *p == path);
        let Some((meta, _)) = entry else {
            return Ok(LimitedFile::Missing);
        };
        let meta: Vec<&str> = meta.split_whitespace().collect();
        let (mode, kind, object) = match meta.as_slice() {
            [m, k, o, ..] => (*m, *k, *o),
            _ => return Err(ForgeError::Other(format!("git ls-tree answered {meta:?}"))),
        };
        let not_a_file = |kind: &str| {
            Ok(LimitedFile::NotAFile {
                kind: kind.to_string(),
            })
        };
        match (mode, kind) {
            ("100644" | "100755", "blob") => {}
            ("120000", _) => return not_a_file("symbolic link"),
            (_, "tree") => return not_a_file("directory"),
            (_, "commit") => return not_a_file("submodule"),
            (m, k) => return not_a_file(&format!("{k} of mode {m}")),
        }
        let size: u64 = meta[3].parse().unwrap_or(u64::MAX);
        if size > max_bytes {
            return Ok(LimitedFile::TooLarge { size });
        }
        Ok(
            match git_bytes(&repo, &["cat-file", "blob", object]).await? {
                None => LimitedFile::Missing,
                Some(bytes) => super::limited(bytes, max_bytes),
            },
        )
    }

    async fn list_files(
        &self,
        repo: &str,
        branch: &str,
        dir: &str,
    ) -> Result<Vec<String>, ForgeError> {
        let repo = self.path(repo);
        if self.tip(&repo, branch).await?.is_none() {
            return Ok(Vec::new());
        }
        let refname = format!("refs/heads/{branch}");
        let mut args = vec!["ls-tree", "-r", "--name-only", refname.as_str()];
        if !dir.is_empty() {
            args.push("--");
            args.push(dir);
        }
        let out = git(&repo, &args, None, &[]).await?;
        Ok(out.lines().map(str::to_string).collect())
    }

    async fn delete_branch(&self, repo: &str, branch: &str) -> Result<(), ForgeError> {
        let repo = self.path(repo);
        if self.tip(&repo, branch).await?.is_some() {
            git(
                &repo,
                &["update-ref", "-d", &format!("refs/heads/{branch}")],
                None,
                &[],
            )
            .await?;
        }
        Ok(())
    }

    async fn upsert_alert(
        &self,
        repo: &str,
        key: &str,
        title: &str,
        body: &str,
        open: bool,
    ) -> Result<(), ForgeError> {
        // No issue tracker on disk: the alert is a file on the `state` branch.
        let path = format!("alerts/{key}.md");
        if !open
            && self
                .read_file(repo, super::STATE_BRANCH, &path)
                .await?
                .is_none()
        {
            return Ok(());
        }
        let status = if open { "open" } else { "closed" };
        let text = format!(
            "status: {status}\n\n# {title}\n\n{body}\n\n{}\n",
            super::alert_marker(key)
        );
        self.commit_files(
            repo,
            super::STATE_BRANCH,
            &[FileChange::new(path, text)],
            &[],
            &format!("alert {key}: {status}"),
            CommitMode::UpdateBranch,
        )
        .await?;
        Ok(())
    }

    async fn pipeline_state(&self, _repo: &str, branch: &str) -> Result<PipelineState, ForgeError> {
        let Some(dir) = &self.status_dir else {
            return Ok(PipelineState::Unknown);
        };
        let file = dir.join(format!("{}.state", branch.replace('/', "_")));
        Ok(
            match std::fs::read_to_string(file).as_deref().map(str::trim) {
                Err(_) => PipelineState::Missing,
                Ok("running") => PipelineState::Running,
                Ok("success") => PipelineState::Success,
                Ok("failed") => PipelineState::Failed,
                Ok("canceled") => PipelineState::Canceled,
                Ok(_) => PipelineState::Unknown,
            },
        )
    }

    async fn cancel_pipeline(&self, _repo: &str, branch: &str) -> Result<(), ForgeError> {
        if let Some(dir) = &self.status_dir {
            let file = dir.join(format!("{}.cancel", branch.replace('/', "_")));
            std::fs::write(file, b"cancel").map_err(|e| ForgeError::Other(e.to_string()))?;
        }
        Ok(())
    }

    async fn branch_tip(&self, repo: &str, branch: &str) -> Result<Option<String>, ForgeError> {
        self.tip(&self.path(repo), branch).await
    }

    async fn commit_files_cas(
        &self,
        repo: &str,
        branch: &str,
        files: &[FileChange],
        deletes: &[String],
        message: &str,
        expected: Option<&str>,
    ) -> Result<String, ForgeError> {
        let repo = self.path(repo);
        if !repo.join("HEAD").exists() {
            return Err(ForgeError::NotFound {
                what: format!("repository {}", repo.display()),
            });
        }
        let refname = format!("refs/heads/{branch}");
        git(&repo, &["check-ref-format", &refname], None, &[]).await?;
        let conflict = || ForgeError::Conflict {
            branch: branch.to_string(),
        };
        if self.tip(&repo, branch).await?.as_deref() != expected {
            return Err(conflict());
        }
        let commit = self
            .write_commit(&repo, expected, files, deletes, message)
            .await?;
        // `update-ref <ref> <new> <old>`: git moves the ref only if it still is at <old>.
        let old = expected.unwrap_or(ZERO_OID);
        match git(&repo, &["update-ref", &refname, &commit, old], None, &[]).await {
            Ok(_) => Ok(commit),
            Err(ForgeError::Git { .. }) => Err(conflict()),
            Err(e) => Err(e),
        }
    }
}

#[async_trait]
impl Conversation for LocalForge {
    fn platform(&self) -> &'static str {
        "local"
    }

    fn repository_forge(&self) -> Option<&dyn Forge> {
        Some(self)
    }

    async fn reply(&self, thread: &Thread, body: &str) -> Result<(), ForgeError> {
        let conv = self.conversations.to_string_lossy().to_string();
        let dir = Self::thread_dir(thread);
        let existing = self.list_files(&conv, COMMENTS_BRANCH, &dir).await?;
        let seq = existing.iter().filter(|p| p.ends_with(".md")).count() + 1;
        // The body's hash in the name: two replies racing for one number both survive.
        let digest = {
            use sha2::{Digest, Sha256};
            hex::encode(&Sha256::digest(body.as_bytes())[..4])
        };
        let file = FileChange::new(
            format!("{dir}/{seq:04}-{digest}.md"),
            body.as_bytes().to_vec(),
        );
        let message = format!("reply on {}#{}", thread.repo, thread.number);
        self.commit_files(
            &conv,
            COMMENTS_BRANCH,
            &[file],
            &[],
            &message,
            CommitMode::UpdateBranch,
        )
        .await?;
        Ok(())
    }

    async fn bot_replies(&self, thread: &Thread) -> Result<Vec<String>, ForgeError> {
        let conv = self.conversations.to_string_lossy().to_string();
        let dir = Self::thread_dir(thread);
        let mut paths: Vec<String> = self
            .list_files(&conv, COMMENTS_BRANCH, &dir)
            .await?
            .into_iter()
            .filter(|p| p.ends_with(".md"))
            .collect();
        paths.sort();
        // One `cat-file --batch` for the whole thread, not one git process per reply.
        let mut input = String::new();
        for path in &paths {
            input.push_str(&format!("refs/heads/{COMMENTS_BRANCH}:{path}\n"));
        }
        if input.is_empty() {
            return Ok(Vec::new());
        }
        let out = git_raw(
            &self.path(&conv),
            &["cat-file", "--batch"],
            input.as_bytes(),
        )
        .await?;
        let mut bodies = Vec::with_capacity(paths.len());
        let mut rest = out.as_slice();
        // Each object: "<oid> blob <size>\n<contents>\n" (or "<name> missing\n").
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            let header = String::from_utf8_lossy(&rest[..nl]).to_string();
            rest = &rest[nl + 1..];
            let size = header
                .split(' ')
                .nth(2)
                .and_then(|n| n.parse::<usize>().ok());
            let Some(size) = size.filter(|n| *n <= rest.len()) else {
                continue;
            };
            bodies.push(String::from_utf8_lossy(&rest[..size]).to_string());
            rest = rest.get(size + 1..).unwrap_or_default();
        }
        Ok(bodies)
    }

    async fn react(
        &self,
        thread: &Thread,
        comment_id: u64,
        reaction: &str,
    ) -> Result<(), ForgeError> {
        let conv = self.conversations.to_string_lossy().to_string();
        let path = format!(
            "{}/reactions/{comment_id}-{}",
            Self::thread_dir(thread),
            reaction.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        );
        self.commit_files(
            &conv,
            COMMENTS_BRANCH,
            &[FileChange::new(path, reaction.as_bytes().to_vec())],
            &[],
            &format!("reaction {reaction} on comment {comment_id}"),
            CommitMode::UpdateBranch,
        )
        .await?;
        Ok(())
    }

    async fn permission(&self, _repo: &str, _user: &str) -> Result<Permission, ForgeError> {
        // Whoever can write to repositories on this disk can write to them through the bot.
        Ok(Permission::Write)
    }
}
