//! A `Forge` that counts the calls made through it (per method, and the bytes committed)
//! before passing them to the real one: what the history benchmark and the cost tests
//! measure a request by.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::{
    Attachment, Branch, CommitMode, Conversation, FileChange, Forge, ForgeError, LimitedFile,
    Permission, PipelineState, Thread,
};

/// Wraps a forge; `calls()` says how many calls of each method went through.
pub struct CountingForge {
    inner: Arc<dyn Forge>,
    calls: Mutex<BTreeMap<&'static str, u64>>,
    committed_bytes: Mutex<u64>,
    committed_files: Mutex<u64>,
}

impl CountingForge {
    pub fn new(inner: Arc<dyn Forge>) -> CountingForge {
        CountingForge {
            inner,
            calls: Mutex::default(),
            committed_bytes: Mutex::default(),
            committed_files: Mutex::default(),
        }
    }

    fn count(&self, method: &'static str) {
        if let Ok(mut c) = self.calls.lock() {
            *c.entry(method).or_default() += 1;
        }
    }

    /// Counts a commit of `files` (either kind of commit).
    fn count_commit(&self, files: &[FileChange]) {
        self.count("commit_files");
        if let Ok(mut b) = self.committed_bytes.lock() {
            *b += files.iter().map(|f| f.contents.len() as u64).sum::<u64>();
        }
        if let Ok(mut n) = self.committed_files.lock() {
            *n += files.len() as u64;
        }
    }

    /// Calls per method since the last `reset`.
    pub fn calls(&self) -> BTreeMap<&'static str, u64> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// All calls since the last `reset`.
    pub fn total(&self) -> u64 {
        self.calls().values().sum()
    }

    /// Bytes of the files committed since the last `reset`.
    pub fn committed_bytes(&self) -> u64 {
        self.committed_bytes.lock().map(|b| *b).unwrap_or_default()
    }

    /// Files committed (written, not deleted) since the last `reset`.
    pub fn committed_files(&self) -> u64 {
        self.committed_files.lock().map(|b| *b).unwrap_or_default()
    }

    pub fn reset(&self) {
        if let Ok(mut f) = self.committed_files.lock() {
            *f = 0;
        }
        if let Ok(mut c) = self.calls.lock() {
            c.clear();
        }
        if let Ok(mut b) = self.committed_bytes.lock() {
            *b = 0;
        }
    }
}

#[async_trait]
impl Conversation for CountingForge {
    fn platform(&self) -> &'static str {
        self.inner.platform()
    }

    /// Itself where the wrapped forge holds repositories, so a comment's file reads are
    /// counted too.
    fn repository_forge(&self) -> Option<&dyn Forge> {
        self.inner.repository_forge().map(|_| self as &dyn Forge)
    }

    async fn reply(&self, thread: &Thread, body: &str) -> Result<(), ForgeError> {
        self.count("reply");
        self.inner.reply(thread, body).await
    }

    async fn reply_with_files(
        &self,
        thread: &Thread,
        body: &str,
        files: &[Attachment],
    ) -> Result<(), ForgeError> {
        self.count("reply_with_files");
        self.inner.reply_with_files(thread, body, files).await
    }

    async fn bot_replies(&self, thread: &Thread) -> Result<Vec<String>, ForgeError> {
        self.count("bot_replies");
        self.inner.bot_replies(thread).await
    }

    async fn react(
        &self,
        thread: &Thread,
        comment_id: u64,
        reaction: &str,
    ) -> Result<(), ForgeError> {
        self.count("react");
        self.inner.react(thread, comment_id, reaction).await
    }

    async fn permission(&self, repo: &str, user: &str) -> Result<Permission, ForgeError> {
        self.count("permission");
        self.inner.permission(repo, user).await
    }

    async fn is_org_member(&self, repo: &str, org: &str, user: &str) -> Result<bool, ForgeError> {
        self.count("is_org_member");
        self.inner.is_org_member(repo, org, user).await
    }
}

#[async_trait]
impl Forge for CountingForge {
    fn kind(&self) -> &'static str {
        self.inner.kind()
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
        self.count_commit(files);
        self.inner
            .commit_files(repo, branch, files, deletes, message, mode)
            .await
    }

    async fn list_branches(&self, repo: &str, prefix: &str) -> Result<Vec<Branch>, ForgeError> {
        self.count("list_branches");
        self.inner.list_branches(repo, prefix).await
    }

    async fn read_file(
        &self,
        repo: &str,
        branch: &str,
        path: &str,
    ) -> Result<Option<Vec<u8>>, ForgeError> {
        self.count("read_file");
        self.inner.read_file(repo, branch, path).await
    }

    async fn default_branch(&self, repo: &str) -> Result<String, ForgeError> {
        self.count("default_branch");
        self.inner.default_branch(repo).await
    }

    async fn read_file_limited(
        &self,
        repo: &str,
        branch: &str,
        path: &str,
        max_bytes: u64,
    ) -> Result<LimitedFile, ForgeError> {
        self.count("read_file_limited");
        self.inner
            .read_file_limited(repo, branch, path, max_bytes)
            .await
    }

    async fn list_files(
        &self,
        repo: &str,
        branch: &str,
        dir: &str,
    ) -> Result<Vec<String>, ForgeError> {
        self.count("list_files");
        self.inner.list_files(repo, branch, dir).await
    }

    async fn delete_branch(&self, repo: &str, branch: &str) -> Result<(), ForgeError> {
        self.count("delete_branch");
        self.inner.delete_branch(repo, branch).await
    }

    async fn upsert_alert(
        &self,
        repo: &str,
        key: &str,
        title: &str,
        body: &str,
        open: bool,
    ) -> Result<(), ForgeError> {
        self.count("upsert_alert");
        self.inner.upsert_alert(repo, key, title, body, open).await
    }

    async fn pipeline_state(&self, repo: &str, branch: &str) -> Result<PipelineState, ForgeError> {
        self.count("pipeline_state");
        self.inner.pipeline_state(repo, branch).await
    }

    async fn cancel_pipeline(&self, repo: &str, branch: &str) -> Result<(), ForgeError> {
        self.count("cancel_pipeline");
        self.inner.cancel_pipeline(repo, branch).await
    }

    async fn branch_tip(&self, repo: &str, branch: &str) -> Result<Option<String>, ForgeError> {
        self.count("branch_tip");
        self.inner.branch_tip(repo, branch).await
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
        self.count_commit(files);
        self.inner
            .commit_files_cas(repo, branch, files, deletes, message, expected)
            .await
    }
}
