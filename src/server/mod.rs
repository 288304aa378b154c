//! The axum webhook app: shared state, the router of DESIGN §10, and `serve` with
//! graceful shutdown. Handlers verify, convert to an `Event`, and hand work to a task.

pub mod boot;
pub mod callback;
pub mod claims;
pub mod commands;
pub mod event;
pub mod fediverse;
pub mod github;
pub mod gitlab;
pub mod gitlab_event;
pub mod health;
pub mod listen;
pub mod metrics;
pub mod poll;
pub mod poll_fediverse;
pub mod progress;
pub mod ratelimit;
pub mod reconcile;
pub mod shed;
pub mod social;
pub mod verify;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio_util::task::TaskTracker;

use crate::command::Vocabulary;
use crate::config::Config;
use crate::forge::{Conversation, Forge, ForgeError, Thread};
use crate::job::ci::CiTarget;
use crate::reply::{Markup, Reply};

/// The source of "now", injected so tests can move time.
pub trait Clock: Send + Sync {
    fn now(&self) -> time::OffsetDateTime;
}

/// The wall clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc()
    }
}

/// The forges the bot talks to.
#[derive(Clone)]
pub struct Forges {
    /// Where conversations live, by platform (`github`, `gitlab`, …).
    pub conversations: HashMap<String, Arc<dyn Conversation>>,
    /// Hosts the runner repository.
    pub runner: Arc<dyn Forge>,
    /// Hosts the reports repository.
    pub reports: Arc<dyn Forge>,
}

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct App {
    pub inner: Arc<AppInner>,
}

pub struct AppInner {
    pub config: Config,
    pub forges: Forges,
    pub clock: Arc<dyn Clock>,
    pub vocabulary: Vocabulary,
    pub ci_target: CiTarget,
    pub tasks: TaskTracker,
    pub metrics: metrics::Metrics,
    /// Platforms that keep refusing the bot (`/readyz`, alerts).
    pub health: health::Health,
    pub replays: ratelimit::ReplayGuard,
    pub user_limit: ratelimit::RateLimiter,
    /// `status` and `abort` requests per user and hour (each command its own count).
    pub status_limit: ratelimit::RateLimiter,

    pub repo_limit: ratelimit::RateLimiter,
    /// Waits of the reply path (rate limits of platforms that do not wait themselves).
    pub sleeper: Arc<dyn crate::forge::retry::Sleeper>,
}

impl std::ops::Deref for App {
    type Target = AppInner;
    fn deref(&self) -> &AppInner {
        &self.inner
    }
}

impl App {
    pub fn new(config: Config, forges: Forges, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
        let ci_target = config
            .runner
            .ci
            .parse::<CiTarget>()
            .map_err(anyhow::Error::msg)?;
        let config_user_limit = config.server.user_requests_per_hour;
        let config_repo_limit = config.server.repo_requests_per_hour;
        Ok(App {
            inner: Arc::new(AppInner {
                config,
                forges,
                clock,
                vocabulary: Vocabulary::builtin(),
                ci_target,
                tasks: TaskTracker::new(),
                metrics: metrics::Metrics::default(),
                health: health::Health::default(),
                replays: ratelimit::ReplayGuard::default(),
                user_limit: ratelimit::RateLimiter::new(config_user_limit, 3600),
                status_limit: ratelimit::RateLimiter::new(
                    commands::status::STATUS_PER_USER_PER_HOUR,
                    3600,
                ),

                repo_limit: ratelimit::RateLimiter::new(config_repo_limit, 3600),
                sleeper: Arc::new(crate::forge::retry::TokioSleeper),
            }),
        })
    }

    /// The same app waiting through `sleeper` (tests: a clock they control). Call before
    /// the app is shared.
    pub fn with_sleeper(mut self, sleeper: Arc<dyn crate::forge::retry::Sleeper>) -> App {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.sleeper = sleeper;
        }
        self
    }

    /// Runs background work tracked for graceful shutdown; errors are logged, never lost silently.
    /// Every log line of the task carries the caller's span (delivery id, job id).
    pub fn spawn<F>(&self, what: String, fut: F)
    where
        F: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        use tracing::Instrument;
        let app = self.clone();
        let span = tracing::Span::current();
        self.tasks.spawn(
            async move {
                if let Err(e) = fut.await {
                    app.metrics.inc_background_error();
                    tracing::error!(task = %what, error = %format!("{e:#}"), "background task failed");
                }
            }
            .instrument(span),
        );
    }

    /// The forge a conversation on `platform` lives on.
    pub fn conversation_forge(&self, platform: &str) -> Result<Arc<dyn Conversation>, ForgeError> {
        self.forges
            .conversations
            .get(platform)
            .cloned()
            .ok_or_else(|| ForgeError::Other(format!("no forge configured for {platform}")))
    }

    /// Posts `body` once: a hidden marker makes redeliveries and retries idempotent.
    pub async fn reply_once(
        &self,
        forge: &dyn Conversation,
        thread: &Thread,
        key: &str,
        body: &Reply,
    ) -> Result<bool, ForgeError> {
        self.reply_once_with_files(forge, thread, key, body, &[])
            .await
    }

    /// As `reply_once`, attaching files where the platform takes them (Twitter, Slack).
    /// The one place a reply is rendered: every piece of untrusted text in `body` is escaped
    /// for the platform's markup, and the bot's tagged marker goes last.
    pub async fn reply_once_with_files(
        &self,
        forge: &dyn Conversation,
        thread: &Thread,
        key: &str,
        body: &Reply,
        files: &[crate::forge::Attachment],
    ) -> Result<bool, ForgeError> {
        Ok(matches!(
            self.reply_claimed(forge, thread, key, body, files).await?,
            Replied::Posted
        ))
    }

    /// Posts reply `key` at most once across deliveries, replicas and retries: the reply is
    /// claimed on the state branch ([`claims`]), the conversation is checked for the reply's
    /// marker, and the reply is posted under a guard that renews the claim before every wait
    /// and looks for the marker before every re-send; the claim is then removed, so the state
    /// branch only ever holds the replies in flight.
    pub async fn reply_claimed(
        &self,
        forge: &dyn Conversation,
        thread: &Thread,
        key: &str,
        body: &Reply,
        files: &[crate::forge::Attachment],
    ) -> Result<Replied, ForgeError> {
        let secret = self.marker_secret();
        let claim = Arc::new(claims::Claim::new(self, forge.platform(), thread, key));
        match claim.acquire().await? {
            claims::Acquired::Mine { .. } | claims::Acquired::Unsupported => {}
            claims::Acquired::Held { expires_at } => {
                tracing::info!(%key, expires_at, "another delivery is posting this reply");
                return Ok(Replied::Elsewhere);
            }
        }
        // Looked for only once the reply is ours: a claim is removed once its reply is posted,
        // so whoever claims after that finds the reply's marker here.
        if answered(forge, thread, &secret, key).await? {
            if let Err(r) = claim.remove().await {
                tracing::warn!(%key, error = %r, "could not remove the reply's claim");
            }
            return Ok(Replied::Already);
        }
        let text = body.render(Markup::of(forge.platform()));
        // The parser's marker keeps the bot's own replies from ever being read as requests.
        let full = format!("{text}{}", crate::reply::trailer(&secret, key));
        let guard = Arc::new(ReplyGuard {
            forge: self.shared_conversation(forge),
            thread: thread.clone(),
            key: key.to_string(),
            secret,
            claim: claim.clone(),
        });
        let mut attempt = 0u32;
        let sent = loop {
            attempt += 1;
            let sent = crate::forge::retry::guarded(
                guard.clone(),
                forge.reply_with_files(thread, &full, files),
            )
            .await;
            // Platforms that do not wait themselves (Twitter, Slack, …) are waited for here.
            match sent {
                Err(ForgeError::RateLimited { retry_after_s })
                    if attempt < 4 && retry_after_s <= 120 =>
                {
                    let wait = Duration::from_secs(retry_after_s.max(1));
                    use crate::forge::retry::ResendGuard;
                    let resumed = async {
                        guard.before_wait(wait).await?;
                        self.sleeper.sleep(wait).await;
                        guard.before_resend().await
                    };
                    if let Err(e) = resumed.await {
                        break Err(e);
                    }
                }
                other => break other,
            }
        };
        if let Err(ForgeError::Superseded(_)) = sent {
            tracing::info!(%key, "reply posted or claimed by another delivery meanwhile");
            return Ok(Replied::Already);
        }
        health::observe(self, forge.platform(), &sent).await;
        if let Err(e) = sent {
            // Let the next delivery (a retry, a redelivery) reply at once.
            if let Err(r) = claim.release().await {
                tracing::warn!(%key, error = %r, "could not release the reply's claim");
            }
            return Err(e);
        }
        // The reply's marker answers every later delivery: the claim is no longer needed (if
        // it cannot be removed now it expires, and the next claimant finds the marker).
        if let Err(r) = claim.remove().await {
            tracing::warn!(%key, error = %r, "could not remove the reply's claim");
        }
        self.metrics.inc_reply();
        Ok(Replied::Posted)
    }

    /// The configured conversation `forge` is (for the reply guard, which outlives borrows).
    fn shared_conversation(&self, forge: &dyn Conversation) -> Option<Arc<dyn Conversation>> {
        let want = forge as *const dyn Conversation as *const ();
        self.forges
            .conversations
            .values()
            .find(|c| Arc::as_ptr(c) as *const () == want)
            .cloned()
    }

    /// The key of the replies' markers: the runner secret (shared by every replica), else the
    /// bot's name (then the marker still only counts at a reply's end).
    fn marker_secret(&self) -> Vec<u8> {
        self.config
            .runner_secret
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| self.config.bot_name.clone())
            .into_bytes()
    }

    /// A file of the reports repository's state branch, `None` if it does not exist.
    pub async fn read_state(&self, path: &str) -> Result<Option<Vec<u8>>, ForgeError> {
        self.forges
            .reports
            .read_file(&self.config.reports.repo, crate::forge::STATE_BRANCH, path)
            .await
    }

    /// Commits one file to the reports repository's state branch (created if missing).
    pub async fn write_state(
        &self,
        path: &str,
        contents: impl Into<Vec<u8>>,
        message: &str,
    ) -> Result<(), ForgeError> {
        self.forges
            .reports
            .commit_files(
                &self.config.reports.repo,
                crate::forge::STATE_BRANCH,
                &[crate::forge::FileChange::new(path, contents.into())],
                &[],
                message,
                crate::forge::CommitMode::UpdateBranch,
            )
            .await?;
        Ok(())
    }

    /// Waits for background work to finish, at most `timeout`.
    pub async fn drain(&self, timeout: Duration) -> bool {
        self.tasks.close();
        tokio::time::timeout(timeout, self.tasks.wait())
            .await
            .is_ok()
    }
}

/// What [`App::reply_claimed`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replied {
    /// This call posted the reply.
    Posted,
    /// The reply was already posted.
    Already,
    /// Another live delivery holds the reply's claim and is posting it.
    Elsewhere,
}

/// Whether the conversation holds the bot's reply `key`.
async fn answered(
    forge: &dyn Conversation,
    thread: &Thread,
    secret: &[u8],
    key: &str,
) -> Result<bool, ForgeError> {
    Ok(forge
        .bot_replies(thread)
        .await?
        .iter()
        .any(|b| crate::reply::is_reply_of(b, secret, key)))
}

/// What a reply's retries consult: the claim is extended past every wait, and before every
/// re-send the claim must still be this delivery's and the conversation must not hold the
/// reply (otherwise `ForgeError::Superseded` abandons the re-send).
struct ReplyGuard {
    forge: Option<Arc<dyn Conversation>>,
    thread: Thread,
    key: String,
    secret: Vec<u8>,
    claim: Arc<claims::Claim>,
}

#[async_trait::async_trait]
impl crate::forge::retry::ResendGuard for ReplyGuard {
    async fn before_wait(&self, wait: Duration) -> Result<(), ForgeError> {
        self.claim.renew(wait).await
    }

    async fn before_resend(&self) -> Result<(), ForgeError> {
        if !self.claim.still_mine().await? {
            return Err(ForgeError::Superseded(self.key.clone()));
        }
        if let Some(forge) = &self.forge {
            if answered(forge.as_ref(), &self.thread, &self.secret, &self.key).await? {
                return Err(ForgeError::Superseded(self.key.clone()));
            }
        }
        Ok(())
    }
}

/// How the marker of the bot's reply `key` starts (demos wait for it); only
/// `reply::is_reply_of` with the bot's secret proves a reply is the bot's.
pub fn reply_marker(key: &str) -> String {
    format!("<!-- battbot:{key} ")
}

/// The HTTP error type of every handler.
#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub message: String,
}

impl AppError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> AppError {
        AppError {
            status,
            message: message.into(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({ "error": self.message })),
        )
            .into_response()
    }
}

impl From<ForgeError> for AppError {
    fn from(e: ForgeError) -> AppError {
        AppError::new(StatusCode::BAD_GATEWAY, format!("forge: {e}"))
    }
}

/// `GET /readyz`: the config is loaded (or the app would not run) and, unless in dry-run,
/// the runner and reports repositories answer.
async fn ready(
    axum::extract::State(app): axum::extract::State<App>,
) -> (StatusCode, Json<serde_json::Value>) {
    if app.config.server.dry_run {
        return (
            StatusCode::OK,
            Json(serde_json::json!({ "ready": true, "dry_run": true })),
        );
    }
    let problems = app.health.persistent();
    if !problems.is_empty() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({
                "ready": false,
                "error": "a platform keeps refusing the bot's calls",
                "refused": problems,
            })),
        );
    }
    let probe = async {
        app.forges
            .runner
            .list_branches(&app.config.runner.repo, "battbot/")
            .await?;
        app.forges
            .reports
            .read_file(
                &app.config.reports.repo,
                &app.config.reports.branch,
                "README.md",
            )
            .await?;
        Ok::<(), ForgeError>(())
    };
    match tokio::time::timeout(Duration::from_secs(5), probe).await {
        Ok(Ok(())) => (StatusCode::OK, Json(serde_json::json!({ "ready": true }))),
        Ok(Err(e)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "ready": false, "error": e.to_string() })),
        ),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(
                serde_json::json!({ "ready": false, "error": "forges did not answer within 5 s" }),
            ),
        ),
    }
}

/// The router of DESIGN §10 with the default [`shed::Limits`].
pub fn router(app: App) -> Router {
    router_with(app, &shed::Limits::default())
}

/// The router of DESIGN §10: webhooks and runner callbacks each behind their own pool (503 with
/// `Retry-After` when full), `/healthz`, `/readyz` and `/metrics` outside both.
pub fn router_with(app: App, limits: &shed::Limits) -> Router {
    let webhook_limit = app.config.server.max_webhook_bytes;
    let result_limit = app.config.server.max_result_bytes;
    let track = axum::middleware::from_fn_with_state(app.clone(), metrics::track);
    let pool = |class| {
        axum::middleware::from_fn_with_state(shed::Pool::new(&app, class, limits), shed::admit)
    };
    let runner = Router::new()
        .route("/runner/v1/jobs/{id}/{kind}", post(callback::handle))
        .layer(DefaultBodyLimit::max(result_limit))
        .layer(pool(shed::Class::Runner));
    let webhooks = Router::new()
        .route("/github", post(github::handle))
        .route("/gitlab", post(gitlab::handle))
        .route(
            "/twitter",
            get(social::twitter_crc).post(social::twitter_events),
        )
        .route("/slack/events", post(social::slack_events))
        .route("/slack/commands", post(social::slack_commands))
        .layer(DefaultBodyLimit::max(webhook_limit))
        .layer(pool(shed::Class::Webhook));
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics::handle))
        .merge(webhooks)
        .merge(runner)
        .route_layer(track)
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .with_state(app)
}

/// The router of a farm: the main bot's routes at the root, every other bot's under
/// `/bots/{name}/…` (each bot with its own pools).
pub fn farm_router(main: App, bots: &[App]) -> Router {
    farm_router_with(main, bots, &shed::Limits::default())
}

fn farm_router_with(main: App, bots: &[App], limits: &shed::Limits) -> Router {
    let mut router = router_with(main, limits);
    for bot in bots {
        router = router.nest(
            &format!("/bots/{}", bot.config.bot_name),
            self::router_with(bot.clone(), limits),
        );
    }
    router
}

/// Serves until `shutdown` resolves, then drains background work (bounded).
pub async fn serve(
    app: App,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    serve_farm(app, Vec::new(), listener, shutdown).await
}

/// Serves a farm with the default [`shed::Limits`].
pub async fn serve_farm(
    main: App,
    bots: Vec<App>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    serve_farm_with(main, bots, listener, &shed::Limits::default(), shutdown).await
}

/// Serves a farm until `shutdown` resolves: stops accepting, lets open connections finish
/// for `limits.shutdown_grace` (then abandons them), then waits for every bot's background
/// work until `limits.shutdown_deadline` after the signal.
pub async fn serve_farm_with(
    main: App,
    bots: Vec<App>,
    listener: tokio::net::TcpListener,
    limits: &shed::Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let router = farm_router_with(main.clone(), &bots, limits);
    let (signalled_tx, signalled_rx) = tokio::sync::oneshot::channel();
    let shutdown = async move {
        shutdown.await;
        let _ = signalled_tx.send(tokio::time::Instant::now());
    };
    listen::serve(listener, router, limits, main.clone(), shutdown).await?;
    let signalled = signalled_rx
        .await
        .unwrap_or_else(|_| tokio::time::Instant::now());
    let deadline = signalled + limits.shutdown_deadline;
    let mut all = vec![main];
    all.extend(bots);
    let mut drained = true;
    for app in &all {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        drained &= app.drain(left).await;
    }
    if !drained {
        tracing::warn!(
            "background work still running {:?} after the signal; exiting anyway",
            limits.shutdown_deadline
        );
    }
    Ok(())
}
