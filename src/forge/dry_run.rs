//! The dry-run forge (`serve --dry-run`, `BATTBOT_DRY_RUN=1`): every outbound call becomes
//! one JSON line on stdout and nothing leaves the machine, so load tests need no accounts.

use async_trait::async_trait;
use serde_json::json;

use super::{
    Branch, CommitMode, Conversation, FileChange, Forge, ForgeError, Permission, PipelineState,
    Thread,
};

/// Logs what would have been sent to a forge of kind `kind`.
#[derive(Clone, Debug)]
pub struct DryRunForge {
    kind: &'static str,
}

impl DryRunForge {
    pub fn new(kind: &str) -> DryRunForge {
        let kind = match kind {
            "github" => "github",
            "gitlab" => "gitlab",
            _ => "local",
        };
        DryRunForge { kind }
    }

    fn log(&self, call: &str, details: serde_json::Value) {
        let line = json!({ "dry_run": true, "forge": self.kind, "call": call, "details": details });
        println!("{line}");
    }
}

#[async_trait]
impl Forge for DryRunForge {
    fn kind(&self) -> &'static str {
        self.kind
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
        let files: Vec<_> = files
            .iter()
            .map(|f| json!({ "path": f.path, "bytes": f.contents.len() }))
            .collect();
        self.log(
            "commit_files",
            json!({ "repo": repo, "branch": branch, "files": files, "deletes": deletes,
                    "message": message, "create_branch": mode == CommitMode::CreateBranch }),
        );
        Ok("0000000000000000000000000000000000000000".into())
    }

    async fn list_branches(&self, repo: &str, prefix: &str) -> Result<Vec<Branch>, ForgeError> {
        self.log("list_branches", json!({ "repo": repo, "prefix": prefix }));
        Ok(Vec::new())
    }

    async fn read_file(
        &self,
        repo: &str,
        branch: &str,
        path: &str,
    ) -> Result<Option<Vec<u8>>, ForgeError> {
        self.log(
            "read_file",
            json!({ "repo": repo, "branch": branch, "path": path }),
        );
        Ok(None)
    }

    async fn list_files(
        &self,
        repo: &str,
        branch: &str,
        dir: &str,
    ) -> Result<Vec<String>, ForgeError> {
        self.log(
            "list_files",
            json!({ "repo": repo, "branch": branch, "dir": dir }),
        );
        Ok(Vec::new())
    }

    async fn delete_branch(&self, repo: &str, branch: &str) -> Result<(), ForgeError> {
        self.log("delete_branch", json!({ "repo": repo, "branch": branch }));
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
        self.log(
            "upsert_alert",
            json!({ "repo": repo, "key": key, "title": title, "body": body, "open": open }),
        );
        Ok(())
    }

    async fn pipeline_state(&self, repo: &str, branch: &str) -> Result<PipelineState, ForgeError> {
        self.log("pipeline_state", json!({ "repo": repo, "branch": branch }));
        Ok(PipelineState::Unknown)
    }

    async fn cancel_pipeline(&self, repo: &str, branch: &str) -> Result<(), ForgeError> {
        self.log("cancel_pipeline", json!({ "repo": repo, "branch": branch }));
        Ok(())
    }
}

#[async_trait]
impl Conversation for DryRunForge {
    fn platform(&self) -> &'static str {
        self.kind
    }

    async fn reply(&self, thread: &Thread, body: &str) -> Result<(), ForgeError> {
        self.log(
            "reply",
            json!({ "repo": thread.repo, "number": thread.number, "body": body }),
        );
        Ok(())
    }

    async fn bot_replies(&self, thread: &Thread) -> Result<Vec<String>, ForgeError> {
        self.log(
            "bot_replies",
            json!({ "repo": thread.repo, "number": thread.number }),
        );
        Ok(Vec::new())
    }

    async fn react(
        &self,
        thread: &Thread,
        comment_id: u64,
        reaction: &str,
    ) -> Result<(), ForgeError> {
        self.log(
            "react",
            json!({ "repo": thread.repo, "number": thread.number, "comment_id": comment_id, "reaction": reaction }),
        );
        Ok(())
    }

    async fn permission(&self, repo: &str, user: &str) -> Result<Permission, ForgeError> {
        self.log("permission", json!({ "repo": repo, "user": user }));
        Ok(Permission::Write)
    }

    async fn is_org_member(&self, repo: &str, org: &str, user: &str) -> Result<bool, ForgeError> {
        self.log(
            "org_member",
            json!({ "repo": repo, "org": org, "user": user }),
        );
        Ok(true)
    }
}
