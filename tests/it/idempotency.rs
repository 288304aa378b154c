//! One job, one acknowledgement, one report, one final reply — under every fault a forge
//! throws: rate limits, secondary limits, 5xx, timeouts with and without the write,
//! redelivery during a wait, replicas racing, crashes between forge calls. The real router
//! and the real GitHub forge run against a stateful strict fake; time is virtual.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use battbot::forge::github::{GithubAuth, GithubForge, GithubForgeConfig};
use battbot::forge::retry::{RetryPolicy, Sleeper};
use battbot::forge::{Conversation, Forge};
use battbot::server::{self, App, Forges};
use http_body_util::BodyExt;
use tokio::sync::oneshot;
use tower::ServiceExt;

use crate::fake_github::{FakeGithub, Fault, FaultKind};
use crate::support::{TestClock, RUNNER_SECRET, WEBHOOK_SECRET};

pub const SIMULATE: &str = "@battbot simulate SPM Chen2020 \"Discharge at 1C until 2.5 V\"";
pub const RUNNER: &str = "octo/runner";
pub const REPORTS: &str = "octo/reports";
pub const CONVERSATION: &str = "Codertocat/Hello-World";
const BOT: &str = "battbot";

/// Virtual time: a wait advances the app's clock at once, except one wait the test holds
/// (`hold`) until it lets go.
#[derive(Default)]
struct VirtualSleeper {
    clock: OnceLock<Arc<TestClock>>,
    waits: Mutex<Vec<Duration>>,
    held: Mutex<Option<Held>>,
}

/// A wait the test holds: its length, "it started", "let it go".
type Held = (Duration, oneshot::Sender<()>, oneshot::Receiver<()>);

#[async_trait]
impl Sleeper for VirtualSleeper {
    async fn sleep(&self, d: Duration) {
        self.waits.lock().unwrap().push(d);
        let held = {
            let mut h = self.held.lock().unwrap();
            match h.take() {
                Some((at, started, release)) if d == at => Some((started, release)),
                other => {
                    *h = other;
                    None
                }
            }
        };
        match held {
            Some((started, release)) => {
                let _ = started.send(());
                let _ = release.await;
            }
            None => {
                let clock = self.clock.get().expect("clock");
                clock
                    .0
                    .fetch_add(d.as_secs_f64().ceil() as i64, Ordering::SeqCst);
                tokio::task::yield_now().await;
            }
        }
    }
}

impl VirtualSleeper {
    /// Holds the next wait of `d`: returns (it started, let it go).
    fn hold(&self, d: Duration) -> (oneshot::Receiver<()>, oneshot::Sender<()>) {
        let (started_tx, started_rx) = oneshot::channel();
        let (release_tx, release_rx) = oneshot::channel();
        *self.held.lock().unwrap() = Some((d, started_tx, release_rx));
        (started_rx, release_tx)
    }
}

/// The fake GitHub, a clock, and replicas of the bot on it.
struct Rig {
    fake: FakeGithub,
    clock: Arc<TestClock>,
    sleeper: Arc<VirtualSleeper>,
    config: battbot::config::Config,
}

impl Rig {
    async fn new(faults: Vec<Fault>) -> Rig {
        let fake = FakeGithub::start(&[RUNNER, REPORTS, CONVERSATION], BOT).await;
        for f in faults {
            fake.fault(f);
        }
        let clock = Arc::new(TestClock(AtomicI64::new(
            time::OffsetDateTime::now_utc().unix_timestamp(),
        )));
        let sleeper = Arc::new(VirtualSleeper::default());
        let _ = sleeper.clock.set(clock.clone());
        Rig {
            config: config(&fake.url, "http://bot.test"),
            fake,
            clock,
            sleeper,
        }
    }

    /// A replica: its own GitHub client and app, on the shared fake and clock.
    fn replica(&self) -> App {
        let clock = self.clock.clone();
        let retry = RetryPolicy {
            // Real seconds: the fake's late answers outlast it.
            timeout: Duration::from_millis(1500),
            sleeper: self.sleeper.clone(),
            clock: Arc::new(move || clock.0.load(Ordering::SeqCst)),
            ..RetryPolicy::default()
        };
        let forge: Arc<dyn Forge> = Arc::new(
            GithubForge::new(GithubForgeConfig {
                base_url: self.fake.url.clone(),
                auth: GithubAuth::Token("test-token".into()),
                bot_login: BOT.into(),
                retry,
            })
            .unwrap(),
        );
        let forges = Forges {
            conversations: HashMap::from([(
                "github".to_string(),
                forge.clone() as Arc<dyn Conversation>,
            )]),
            runner: forge.clone(),
            reports: forge,
        };
        App::new(self.config.clone(), forges, self.clock.clone())
            .unwrap()
            .with_sleeper(self.sleeper.clone())
    }

    fn advance(&self, s: i64) {
        self.clock.0.fetch_add(s, Ordering::SeqCst);
    }

    /// GitHub delivers the comment `id` to `app`; returns once the handler answered.
    async fn deliver(&self, app: &App, id: u64) -> StatusCode {
        self.deliver_on(app, id, 1).await
    }

    /// As `deliver`, on issue `issue`.
    async fn deliver_on(&self, app: &App, id: u64, issue: u64) -> StatusCode {
        let payload = battbot::demo::comment_payload(SIMULATE, id).unwrap();
        let mut v: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        v["issue"]["number"] = issue.into();
        let payload = serde_json::to_vec(&v).unwrap();
        let sig = battbot::server::verify::github_signature(WEBHOOK_SECRET.as_bytes(), &payload);
        let req = Request::post("/github")
            .header("content-type", "application/json")
            .header("x-github-event", "issue_comment")
            .header("x-github-delivery", format!("d-{id}"))
            .header("x-hub-signature-256", sig)
            .body(Body::from(payload))
            .unwrap();
        send(app, req).await.0
    }

    /// The runner: reads the job from its branch, runs it, posts the signed result to
    /// `app` until it is not told to retry (at most 5 times).
    async fn run_job(&self, app: &App) -> StatusCode {
        let branches = self.fake.branches(RUNNER, "battbot/");
        assert_eq!(branches.len(), 1, "{branches:?}");
        let bytes = self
            .fake
            .file(RUNNER, &branches[0], "battbot-job.json")
            .unwrap();
        let spec = battbot::job::JobSpec::from_json(&String::from_utf8(bytes).unwrap()).unwrap();
        let body = result_for(&spec);
        let mut status = StatusCode::INTERNAL_SERVER_ERROR;
        for _ in 0..5 {
            status = post_callback(app, &spec.id.to_string(), &body, self.clock.as_ref()).await;
            self.advance(1);
            if !status.is_server_error() {
                break;
            }
        }
        status
    }

    /// One job ref, one acknowledgement, one report commit, one finished reply.
    fn assert_one_of_each(&self, what: &str) {
        let w = self.fake.world.lock().unwrap();
        let calls = w.calls.join("\n");
        let what = &format!("{what}\n{calls}\n");
        assert!(
            w.unexpected.is_empty(),
            "{what}: unexpected {:?}",
            w.unexpected
        );
        let job_refs = w
            .ref_writes
            .iter()
            .filter(|(r, b)| r == RUNNER && b.starts_with("battbot/"))
            .count();
        drop(w);
        assert_eq!(job_refs, 1, "{what}: job refs");
        assert_eq!(self.fake.bot_comments("is queued"), 1, "{what}: acks");
        assert_eq!(
            self.fake.commits_with(REPORTS, "main", "report "),
            1,
            "{what}: report commits"
        );
        assert_eq!(
            self.fake.bot_comments("finished"),
            1,
            "{what}: final replies"
        );
    }
}

/// The bot's config on the fake: runner and reports on the `github` forge.
pub fn config(api_url: &str, public_url: &str) -> battbot::config::Config {
    let dir = std::path::Path::new("/nonexistent");
    let mut c = battbot::demo::demo_config(dir, public_url, WEBHOOK_SECRET, RUNNER_SECRET);
    c.admin = vec!["Codertocat".into()];
    c.github_account = Some(battbot::config::GithubAccountConfig {
        access_token: Some("test-token".into()),
        api_url: Some(api_url.into()),
    });
    c.runner.forge = "github".into();
    c.runner.repo = RUNNER.into();
    c.runner.ci = "github".into();
    c.reports.forge = "github".into();
    c.reports.repo = REPORTS.into();
    c.reports.branch = "main".into();
    c
}

/// The runner's result for `spec` (the simulation runs once per test binary).
pub fn result_for(spec: &battbot::job::JobSpec) -> Vec<u8> {
    static RESULT: OnceLock<battbot::runner::protocol::RunResult> = OnceLock::new();
    let mut result = RESULT
        .get_or_init(|| {
            let out = tempfile::tempdir().unwrap();
            battbot::runner::execute(spec, out.path(), &mut Vec::new()).unwrap()
        })
        .clone();
    result.job_id = spec.id.to_string();
    serde_json::to_vec(&result).unwrap()
}

async fn post_callback(app: &App, id: &str, body: &[u8], clock: &TestClock) -> StatusCode {
    let now = clock.0.load(Ordering::SeqCst);
    let key = battbot::runner::protocol::job_key(RUNNER_SECRET.as_bytes(), id);
    let sig = battbot::runner::protocol::sign(&key, now, body);
    let req = Request::post(format!("/runner/v1/jobs/{id}/result"))
        .header("content-type", "application/json")
        .header("x-battbot-timestamp", now.to_string())
        .header("x-battbot-signature", sig)
        .body(Body::from(body.to_vec()))
        .unwrap();
    send(app, req).await.0
}

async fn send(app: &App, req: Request<Body>) -> (StatusCode, String) {
    let resp = server::router(app.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).to_string())
}

/// Waits until `app` has at most `left` background tasks (bounded).
async fn settle_to(app: &App, left: usize) {
    for _ in 0..2000 {
        if app.tasks.len() <= left {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("background work did not finish");
}

fn limited(status: u16, retry_after: &str) -> FaultKind {
    FaultKind::Status(
        status,
        vec![("retry-after", retry_after.to_string())],
        r#"{"message":"You have exceeded a secondary rate limit"}"#,
    )
}

/// The whole loop on one replica under `faults`; one of each at the end.
async fn whole_loop(what: &str, faults: Vec<Fault>) -> Rig {
    let rig = Rig::new(faults).await;
    let app = rig.replica();
    assert_eq!(rig.deliver(&app, 7).await, StatusCode::ACCEPTED, "{what}");
    settle_to(&app, 0).await;
    let status = rig.run_job(&app).await;
    assert_eq!(status, StatusCode::OK, "{what}");
    settle_to(&app, 0).await;
    rig.assert_one_of_each(what);
    rig
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redelivery_during_a_36_s_secondary_limit_on_the_ack_makes_one_ack() {
    // THE case of issue #29: the first ack gets 403 retry-after 36; GitHub redelivers the
    // webhook 31.5 s after the job commit, while the first delivery is still waiting.
    let rig = Rig::new(vec![Fault::new(
        "POST",
        "/issues/1/comments",
        limited(403, "36"),
    )])
    .await;
    let app = rig.replica();
    let (waiting, release) = rig.sleeper.hold(Duration::from_secs(36));
    rig.deliver(&app, 7).await;
    tokio::time::timeout(Duration::from_secs(20), waiting)
        .await
        .expect("the first delivery waits out the limit")
        .unwrap();
    assert_eq!(rig.fake.branches(RUNNER, "battbot/").len(), 1);
    // 31.5 s after the job commit: the redelivery (same replica, and another one).
    rig.advance(32);
    let other = rig.replica();
    rig.deliver(&app, 7).await;
    rig.deliver(&other, 7).await;
    settle_to(&app, 1).await;
    settle_to(&other, 0).await;
    assert_eq!(rig.fake.bot_comments("is queued"), 0, "redeliveries wait");
    // 4.5 s later the first delivery's wait ends and it posts, once.
    rig.advance(4);
    release.send(()).unwrap();
    settle_to(&app, 0).await;
    assert_eq!(rig.fake.bot_comments("is queued"), 1);
    assert_eq!(rig.run_job(&app).await, StatusCode::OK);
    rig.assert_one_of_each("redelivery during a wait");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_429_and_secondary_403_are_waited_out_once() {
    let rig = whole_loop(
        "429 on ref and comment, 403 on the reply",
        vec![
            Fault::new("POST", "/octo/runner/git/refs", limited(429, "2")),
            Fault::new("POST", "/issues/1/comments", limited(429, "2")),
            Fault::new("POST", "/issues/1/comments", limited(403, "3")).nth(2),
        ],
    )
    .await;
    let waits = rig.sleeper.waits.lock().unwrap().clone();
    for want in [2, 2, 3] {
        assert!(
            waits.contains(&Duration::from_secs(want)),
            "waited as asked: {waits:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_on_the_reports_tree_and_commit_are_retried_once() {
    let bad = || FaultKind::Status(502, vec![], r#"{"message":"Bad Gateway"}"#);
    let busy = || FaultKind::Status(503, vec![], r#"{"message":"Unavailable"}"#);
    whole_loop(
        "502/503 on the report's tree and commit",
        vec![
            Fault::new("POST", "/octo/reports/git/trees", bad()).body("report.md"),
            Fault::new("POST", "/octo/reports/git/commits", busy()).body(r#""message":"report "#),
            Fault::new("POST", "/octo/runner/git/blobs", bad()),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ref_post_that_times_out_after_creating_the_ref_is_one_job() {
    whole_loop(
        "ref POST answer outlasts the attempt timeout (written)",
        vec![Fault::new(
            "POST",
            "/octo/runner/git/refs",
            FaultKind::LateAfterWrite(Duration::from_millis(2500)),
        )],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ref_post_that_times_out_without_creating_the_ref_is_one_job() {
    whole_loop(
        "ref POST times out (not written)",
        vec![Fault::new(
            "POST",
            "/octo/runner/git/refs",
            FaultKind::LateNoWrite(Duration::from_millis(2500)),
        )],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comment_posts_that_time_out_with_and_without_the_write_reply_once() {
    whole_loop(
        "comment POSTs time out",
        vec![
            Fault::new(
                "POST",
                "/issues/1/comments",
                FaultKind::LateAfterWrite(Duration::from_millis(2500)),
            ),
            Fault::new(
                "POST",
                "/issues/1/comments",
                FaultKind::LateNoWrite(Duration::from_millis(2500)),
            )
            .nth(1),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_racing_on_one_delivery_make_one_of_each() {
    let rig = Rig::new(vec![]).await;
    let (a, b) = (rig.replica(), rig.replica());
    tokio::join!(rig.deliver(&a, 7), rig.deliver(&b, 7));
    tokio::join!(settle_to(&a, 0), settle_to(&b, 0));
    // The runner's result reaches both replicas at once (a retried callback).
    let branches = rig.fake.branches(RUNNER, "battbot/");
    let bytes = rig
        .fake
        .file(RUNNER, &branches[0], "battbot-job.json")
        .unwrap();
    let spec = battbot::job::JobSpec::from_json(&String::from_utf8(bytes).unwrap()).unwrap();
    let body = result_for(&spec);
    let id = spec.id.to_string();
    let clock = rig.clock.clone();
    let (sa, sb) = tokio::join!(
        post_callback(&a, &id, &body, &clock),
        post_callback(&b, &id, &body, &clock)
    );
    // One of them may be told to come back (the other holds the reply's claim).
    for (s, app) in [(sa, &a), (sb, &b)] {
        if s.is_server_error() {
            rig.advance(1);
            post_callback(app, &id, &body, &clock).await;
        }
    }
    rig.assert_one_of_each("two replicas");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_committing_reports_at_once_keep_both_index_entries() {
    let rig = Rig::new(vec![]).await;
    let (a, b) = (rig.replica(), rig.replica());
    rig.deliver(&a, 7).await;
    settle_to(&a, 0).await;
    rig.deliver_on(&b, 8, 2).await;
    settle_to(&b, 0).await;
    let mut jobs = Vec::new();
    for branch in rig.fake.branches(RUNNER, "battbot/") {
        let bytes = rig.fake.file(RUNNER, &branch, "battbot-job.json").unwrap();
        let spec = battbot::job::JobSpec::from_json(&String::from_utf8(bytes).unwrap()).unwrap();
        jobs.push((spec.id.to_string(), result_for(&spec)));
    }
    assert_eq!(jobs.len(), 2);
    let clock = rig.clock.clone();
    let statuses = tokio::join!(
        post_callback(&a, &jobs[0].0, &jobs[0].1, &clock),
        post_callback(&b, &jobs[1].0, &jobs[1].1, &clock)
    );
    assert_eq!(statuses, (StatusCode::OK, StatusCode::OK));
    let calls = rig.fake.world.lock().unwrap().calls.join("\n");
    assert_eq!(
        rig.fake.commits_with(REPORTS, "main", "report "),
        2,
        "{calls}"
    );
    let entries = battbot::report::index::read_all(a.forges.reports.as_ref(), REPORTS, "main")
        .await
        .unwrap();
    let ids: Vec<String> = entries.iter().map(|e| e.job_id.clone()).collect();
    for (id, _) in &jobs {
        assert!(ids.contains(id), "{id} lost from the index: {ids:?}");
    }
}

/// Arms a "crash" at the `k`-th write (POST or PATCH) from now: a 404 that no retry repeats,
/// standing in for the process dying there.
fn arm_crash(rig: &Rig, k: usize) {
    let crash = FaultKind::Status(404, vec![], r#"{"message":"crashed here"}"#);
    let mut w = rig.fake.world.lock().unwrap();
    w.faults.clear();
    w.fired = 0;
    drop(w);
    rig.fake
        .fault(Fault::new("POST", "/", crash.clone()).nth(k));
    rig.fake.fault(Fault::new("PATCH", "/", crash).nth(k));
}

/// Disarms the crash; whether it fired.
fn disarm(rig: &Rig) -> bool {
    let mut w = rig.fake.world.lock().unwrap();
    w.faults.clear();
    w.fired > 0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_any_two_forge_calls_of_a_delivery_ends_with_one_of_each() {
    for k in 0.. {
        let rig = Rig::new(vec![]).await;
        arm_crash(&rig, k);
        let app = rig.replica();
        rig.deliver(&app, 7).await;
        settle_to(&app, 0).await;
        let crashed = disarm(&rig);
        // Restarted after the claims expired; GitHub redelivers.
        rig.advance(battbot::server::claims::CLAIM_TTL_S + 1);
        let restarted = rig.replica();
        rig.deliver(&restarted, 7).await;
        settle_to(&restarted, 0).await;
        assert_eq!(
            rig.run_job(&restarted).await,
            StatusCode::OK,
            "crash at {k}"
        );
        rig.assert_one_of_each(&format!("delivery crash at write {k}"));
        if !crashed {
            // Past the last write: every pair of calls had its crash.
            assert!(k > 8, "too few writes: {k}");
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_any_two_forge_calls_of_a_result_ends_with_one_of_each() {
    for k in 0.. {
        let rig = Rig::new(vec![]).await;
        let app = rig.replica();
        rig.deliver(&app, 7).await;
        settle_to(&app, 0).await;
        arm_crash(&rig, k);
        let branches = rig.fake.branches(RUNNER, "battbot/");
        let bytes = rig
            .fake
            .file(RUNNER, &branches[0], "battbot-job.json")
            .unwrap();
        let spec = battbot::job::JobSpec::from_json(&String::from_utf8(bytes).unwrap()).unwrap();
        let body = result_for(&spec);
        let first = post_callback(&app, &spec.id.to_string(), &body, rig.clock.as_ref()).await;
        let crashed = disarm(&rig);
        // The runner retries after the claims expired, on a restarted app.
        rig.advance(battbot::server::claims::CLAIM_TTL_S + 1);
        let restarted = rig.replica();
        if first != StatusCode::OK {
            let again =
                post_callback(&restarted, &spec.id.to_string(), &body, rig.clock.as_ref()).await;
            assert!(
                again == StatusCode::OK || again == StatusCode::GONE,
                "crash at {k}: {again}"
            );
        }
        rig.advance(600);
        battbot::server::reconcile::run_once(&restarted)
            .await
            .unwrap();
        rig.assert_one_of_each(&format!("result crash at write {k}"));
        assert!(
            rig.fake.branches(RUNNER, "battbot/").is_empty(),
            "crash at {k}"
        );
        if !crashed {
            assert!(k > 8, "too few writes: {k}");
            break;
        }
    }
}
