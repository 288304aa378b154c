//! A test harness around the real router: local bare repositories, a settable clock,
//! signed requests from the shared fixtures.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use battbot::config::Config;
use battbot::forge::local::LocalForge;
use battbot::forge::{Conversation, Forge, Thread};
use battbot::server::{self, verify, App, Clock, Forges};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const WEBHOOK_SECRET: &str = "webhook-secret";
pub const RUNNER_SECRET: &str = "runner-secret";

/// The recorded fixtures, `tests/data/fixtures` (see tests/data/PROVENANCE.md).
pub fn fixtures() -> PathBuf {
    crate::common::fixtures_dir()
}

pub fn fixture(rel: &str) -> String {
    let path = fixtures().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A clock the test moves by hand.
pub struct TestClock(pub AtomicI64);

impl Clock for TestClock {
    fn now(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::from_unix_timestamp(self.0.load(Ordering::SeqCst)).unwrap()
    }
}

pub struct TestBot {
    pub dir: tempfile::TempDir,
    pub app: App,
    pub forge: Arc<LocalForge>,
    pub clock: Arc<TestClock>,
    pub config: Config,
}

pub fn thread() -> Thread {
    Thread {
        repo: "Codertocat/Hello-World".into(),
        number: 1,
    }
}

impl TestBot {
    pub async fn new() -> TestBot {
        Self::with_config(|_| {}).await
    }

    pub async fn with_config(edit: impl FnOnce(&mut Config)) -> TestBot {
        let dir = tempfile::tempdir().unwrap();
        let runner = dir.path().join("runner.git");
        let reports = dir.path().join("reports.git");
        LocalForge::init_bare(&runner).await.unwrap();
        LocalForge::init_bare(&reports).await.unwrap();
        let mut config = battbot::demo::demo_config(
            dir.path(),
            "http://bot.test",
            WEBHOOK_SECRET,
            RUNNER_SECRET,
        );
        edit(&mut config);
        let forge = Arc::new(
            LocalForge::new(dir.path(), &reports).with_status_dir(dir.path().join("runner-state")),
        );
        std::fs::create_dir_all(dir.path().join("runner-state")).unwrap();
        let dynforge: Arc<dyn Forge> = forge.clone();
        let forges = Forges {
            conversations: HashMap::from([
                (
                    "github".to_string(),
                    dynforge.clone() as Arc<dyn Conversation>,
                ),
                (
                    "gitlab".to_string(),
                    dynforge.clone() as Arc<dyn Conversation>,
                ),
            ]),
            runner: dynforge.clone(),
            reports: dynforge,
        };
        let clock = Arc::new(TestClock(AtomicI64::new(
            time::OffsetDateTime::now_utc().unix_timestamp(),
        )));
        let app = App::new(config.clone(), forges, clock.clone()).unwrap();
        TestBot {
            dir,
            app,
            forge,
            clock,
            config,
        }
    }

    pub fn now(&self) -> i64 {
        self.clock.0.load(Ordering::SeqCst)
    }

    pub fn advance(&self, seconds: i64) {
        self.clock.0.fetch_add(seconds, Ordering::SeqCst);
    }

    /// Sends a request through the real router; returns status and body.
    pub async fn send(&self, req: Request<Body>) -> (StatusCode, String) {
        let resp = server::router(self.app.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).to_string())
    }

    /// A GitHub webhook, signed with the bot's secret unless `signature` is given.
    pub async fn github(
        &self,
        event: &str,
        body: &[u8],
        signature: Option<&str>,
    ) -> (StatusCode, String) {
        let sig = signature
            .map(str::to_string)
            .unwrap_or_else(|| verify::github_signature(WEBHOOK_SECRET.as_bytes(), body));
        let req = Request::post("/github")
            .header("content-type", "application/json")
            .header("x-github-event", event)
            .header("x-github-delivery", "test-delivery")
            .header("x-hub-signature-256", sig)
            .body(Body::from(body.to_vec()))
            .unwrap();
        self.send(req).await
    }

    /// A comment on Codertocat/Hello-World#1 by `user`.
    pub async fn comment(&self, body: &str, comment_id: u64) -> (StatusCode, String) {
        let payload = battbot::demo::comment_payload(body, comment_id).unwrap();
        self.github("issue_comment", &payload, None).await
    }

    /// Waits for every background task the handlers spawned.
    pub async fn settle(&self) {
        self.app.tasks.close();
        tokio::time::timeout(Duration::from_secs(60), self.app.tasks.wait())
            .await
            .expect("background work did not finish");
        self.app.tasks.reopen();
    }

    pub fn runner_repo(&self) -> String {
        self.config.runner.repo.clone()
    }

    pub fn reports_repo(&self) -> String {
        self.config.reports.repo.clone()
    }

    pub async fn job_branches(&self) -> Vec<String> {
        self.forge
            .list_branches(&self.runner_repo(), "battbot/")
            .await
            .unwrap()
            .into_iter()
            .map(|b| b.name)
            .collect()
    }

    pub async fn replies(&self) -> Vec<String> {
        self.forge.bot_replies(&thread()).await.unwrap()
    }

    /// Commits on the reports repository's main branch.
    pub fn report_commits(&self) -> usize {
        let out = std::process::Command::new("git")
            .args([
                "--git-dir",
                &self.reports_repo(),
                "rev-list",
                "--count",
                "main",
            ])
            .output()
            .unwrap();
        if !out.status.success() {
            return 0;
        }
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    }

    /// A signed runner callback.
    pub async fn callback(
        &self,
        job_id: &str,
        kind: &str,
        body: &[u8],
        ts: i64,
        secret: &str,
    ) -> (StatusCode, String) {
        let key = battbot::runner::protocol::job_key(secret.as_bytes(), job_id);
        let sig = battbot::runner::protocol::sign(&key, ts, body);
        let req = Request::post(format!("/runner/v1/jobs/{job_id}/{kind}"))
            .header("content-type", "application/json")
            .header("x-battbot-timestamp", ts.to_string())
            .header("x-battbot-signature", sig)
            .body(Body::from(body.to_vec()))
            .unwrap();
        self.send(req).await
    }
}

impl TestBot {
    /// A reply log on the bot's reports repository, for `platform`'s conversation.
    pub fn reply_log(&self, platform: &'static str) -> battbot::server::social::ReplyLog {
        battbot::server::social::ReplyLog {
            forge: self.forge.clone(),
            repo: self.reports_repo(),
            platform,
        }
    }

    /// An app of the bot's config (changed by `edit`) whose only conversation is
    /// `conversation`, for `platform`; runner and reports on the bot's forge.
    pub fn app_with(
        &self,
        platform: &str,
        conversation: Arc<dyn Conversation>,
        edit: impl FnOnce(&mut Config),
    ) -> App {
        let forge: Arc<dyn Forge> = self.forge.clone();
        let mut config = self.config.clone();
        edit(&mut config);
        let forges = Forges {
            conversations: HashMap::from([(platform.to_string(), conversation)]),
            runner: forge.clone(),
            reports: forge,
        };
        App::new(config, forges, self.clock.clone()).unwrap()
    }

    /// Marks a job branch's pipeline state as the local runner would.
    pub fn set_pipeline_state(&self, branch: &str, state: &str) {
        let file = self
            .dir
            .path()
            .join("runner-state")
            .join(format!("{}.state", branch.replace('/', "_")));
        std::fs::write(file, state).unwrap();
    }
}

/// A local forge whose calls can be made to fail, to stand in for a crash or an outage
/// between two steps of the loop.
pub struct FaultyForge {
    pub inner: Arc<LocalForge>,
    /// Method name → how many more calls fail.
    pub failures: std::sync::Mutex<HashMap<&'static str, usize>>,
}

impl FaultyForge {
    pub fn fail(&self, method: &'static str, times: usize) {
        self.failures.lock().unwrap().insert(method, times);
    }

    fn check(&self, method: &'static str) -> Result<(), battbot::forge::ForgeError> {
        let mut f = self.failures.lock().unwrap();
        match f.get_mut(method) {
            Some(n) if *n > 0 => {
                *n -= 1;
                Err(battbot::forge::ForgeError::Http {
                    method: "POST".into(),
                    url: format!("fake://{method}"),
                    status: 500,
                    body: "injected failure".into(),
                })
            }
            _ => Ok(()),
        }
    }
}

#[async_trait::async_trait]
impl Forge for FaultyForge {
    fn kind(&self) -> &'static str {
        "local"
    }
    async fn commit_files(
        &self,
        repo: &str,
        branch: &str,
        files: &[battbot::forge::FileChange],
        deletes: &[String],
        message: &str,
        mode: battbot::forge::CommitMode,
    ) -> Result<String, battbot::forge::ForgeError> {
        self.check("commit_files")?;
        self.inner
            .commit_files(repo, branch, files, deletes, message, mode)
            .await
    }
    async fn list_branches(
        &self,
        repo: &str,
        prefix: &str,
    ) -> Result<Vec<battbot::forge::Branch>, battbot::forge::ForgeError> {
        self.inner.list_branches(repo, prefix).await
    }
    async fn branch_tip(
        &self,
        repo: &str,
        branch: &str,
    ) -> Result<Option<String>, battbot::forge::ForgeError> {
        self.inner.branch_tip(repo, branch).await
    }
    async fn commit_files_cas(
        &self,
        repo: &str,
        branch: &str,
        files: &[battbot::forge::FileChange],
        deletes: &[String],
        message: &str,
        expected: Option<&str>,
    ) -> Result<String, battbot::forge::ForgeError> {
        self.check("commit_files")?;
        self.inner
            .commit_files_cas(repo, branch, files, deletes, message, expected)
            .await
    }
    async fn read_file(
        &self,
        repo: &str,
        branch: &str,
        path: &str,
    ) -> Result<Option<Vec<u8>>, battbot::forge::ForgeError> {
        self.inner.read_file(repo, branch, path).await
    }
    async fn list_files(
        &self,
        repo: &str,
        branch: &str,
        dir: &str,
    ) -> Result<Vec<String>, battbot::forge::ForgeError> {
        self.inner.list_files(repo, branch, dir).await
    }
    async fn delete_branch(
        &self,
        repo: &str,
        branch: &str,
    ) -> Result<(), battbot::forge::ForgeError> {
        self.check("delete_branch")?;
        self.inner.delete_branch(repo, branch).await
    }

    async fn upsert_alert(
        &self,
        repo: &str,
        key: &str,
        title: &str,
        body: &str,
        open: bool,
    ) -> Result<(), battbot::forge::ForgeError> {
        self.inner.upsert_alert(repo, key, title, body, open).await
    }
    async fn pipeline_state(
        &self,
        repo: &str,
        branch: &str,
    ) -> Result<battbot::forge::PipelineState, battbot::forge::ForgeError> {
        self.inner.pipeline_state(repo, branch).await
    }
    async fn cancel_pipeline(
        &self,
        repo: &str,
        branch: &str,
    ) -> Result<(), battbot::forge::ForgeError> {
        self.inner.cancel_pipeline(repo, branch).await
    }
}

#[async_trait::async_trait]
impl battbot::forge::Conversation for FaultyForge {
    fn platform(&self) -> &'static str {
        "local"
    }

    async fn reply(&self, thread: &Thread, body: &str) -> Result<(), battbot::forge::ForgeError> {
        self.check("reply")?;
        self.inner.reply(thread, body).await
    }

    async fn bot_replies(
        &self,
        thread: &Thread,
    ) -> Result<Vec<String>, battbot::forge::ForgeError> {
        self.inner.bot_replies(thread).await
    }

    async fn react(
        &self,
        thread: &Thread,
        comment_id: u64,
        reaction: &str,
    ) -> Result<(), battbot::forge::ForgeError> {
        self.inner.react(thread, comment_id, reaction).await
    }

    async fn permission(
        &self,
        repo: &str,
        user: &str,
    ) -> Result<battbot::forge::Permission, battbot::forge::ForgeError> {
        self.inner.permission(repo, user).await
    }
}

impl TestBot {
    /// A second app (another replica, or the app after a restart) on the same repositories.
    pub fn replica(&self, forge: Arc<dyn Forge>) -> App {
        let forges = Forges {
            conversations: HashMap::from([(
                "github".to_string(),
                forge.clone() as Arc<dyn battbot::forge::Conversation>,
            )]),
            runner: forge.clone(),
            reports: forge,
        };
        App::new(self.config.clone(), forges, self.clock.clone()).unwrap()
    }

    /// Sends a request to another app's router.
    pub async fn send_to(&self, app: &App, req: Request<Body>) -> (StatusCode, String) {
        let resp = server::router(app.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).to_string())
    }

    pub fn comment_request(&self, body: &str, comment_id: u64) -> Request<Body> {
        let payload = battbot::demo::comment_payload(body, comment_id).unwrap();
        Request::post("/github")
            .header("x-github-event", "issue_comment")
            .header(
                "x-hub-signature-256",
                verify::github_signature(WEBHOOK_SECRET.as_bytes(), &payload),
            )
            .body(Body::from(payload))
            .unwrap()
    }
}

/// Waits for an app's background work.
pub async fn settle(app: &App) {
    app.tasks.close();
    tokio::time::timeout(Duration::from_secs(60), app.tasks.wait())
        .await
        .expect("background work finished");
    app.tasks.reopen();
}
