//! The outside check of issue #29: the real `battbot serve` binary, with runner and reports
//! on the `github` forge (`github_account.api_url` → a stateful fake GitHub), driven over
//! HTTP as GitHub and a runner would, in real time. Six fault scenarios run side by side;
//! each must end with one job ref, one acknowledgement, one report commit, one final reply.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use battbot::server::verify::github_signature;

use crate::fake_github::{FakeGithub, Fault, FaultKind};
use crate::idempotency::{config, result_for, CONVERSATION, REPORTS, RUNNER, SIMULATE};
use crate::support::{RUNNER_SECRET, WEBHOOK_SECRET};

/// A `battbot serve` process; killed (by its own id) when dropped.
struct Serve {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_serve(fake: &FakeGithub) -> Serve {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    std::fs::write(
        &path,
        serde_json::to_vec_pretty(&config(&fake.url, &url)).unwrap(),
    )
    .unwrap();
    let log = std::fs::File::create(dir.path().join("serve.log")).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_battbot"))
        .args(["serve", "--config"])
        .arg(&path)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .env_remove("BATTBOT_DRY_RUN")
        .env_remove("GITHUB_TOKEN")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let serve = Serve {
        child,
        url,
        _dir: dir,
    };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .get(format!("{}/healthz", serve.url))
            .send()
            .await
            .is_ok()
        {
            return serve;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("battbot serve did not start");
}

async fn deliver(serve: &Serve, comment_id: u64) -> u16 {
    let payload = battbot::demo::comment_payload(SIMULATE, comment_id).unwrap();
    reqwest::Client::new()
        .post(format!("{}/github", serve.url))
        .header("content-type", "application/json")
        .header("x-github-event", "issue_comment")
        .header("x-github-delivery", format!("delivery-{comment_id}"))
        .header(
            "x-hub-signature-256",
            github_signature(WEBHOOK_SECRET.as_bytes(), &payload),
        )
        .body(payload)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn until(what: &str, deadline: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The runner: the job from its branch, its result signed and posted until accepted.
async fn run_job(fake: &FakeGithub, serve: &Serve) {
    let branch = fake
        .branches(RUNNER, "battbot/")
        .pop()
        .expect("a job branch");
    let bytes = fake.file(RUNNER, &branch, "battbot-job.json").unwrap();
    let spec = battbot::job::JobSpec::from_json(&String::from_utf8(bytes).unwrap()).unwrap();
    let body = result_for(&spec);
    let id = spec.id.to_string();
    let key = battbot::runner::protocol::job_key(RUNNER_SECRET.as_bytes(), &id);
    for _ in 0..10 {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let status = reqwest::Client::new()
            .post(format!("{}/runner/v1/jobs/{id}/result", serve.url))
            .header("content-type", "application/json")
            .header("x-battbot-timestamp", now.to_string())
            .header(
                "x-battbot-signature",
                battbot::runner::protocol::sign(&key, now, &body),
            )
            .body(body.clone())
            .timeout(Duration::from_secs(120))
            .send()
            .await
            .unwrap()
            .status();
        if status.is_success() {
            return;
        }
        assert!(
            status.is_server_error(),
            "result callback answered {status}"
        );
        // A fresh timestamp (the replay guard refuses a repeated signature).
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    panic!("the result callback was never accepted");
}

/// One scenario: deliver (and maybe redeliver), run the job, count what GitHub holds.
async fn scenario(name: &'static str, faults: Vec<Fault>, redeliver_after: Option<f64>) -> String {
    let started = Instant::now();
    let fake = FakeGithub::start(&[RUNNER, REPORTS, CONVERSATION], "battbot").await;
    for f in faults {
        fake.fault(f);
    }
    let serve = start_serve(&fake).await;
    assert_eq!(deliver(&serve, 42).await, 202, "{name}");
    if let Some(after) = redeliver_after {
        until("the job ref", Duration::from_secs(60), || {
            !fake.branches(RUNNER, "battbot/").is_empty()
        })
        .await;
        tokio::time::sleep(Duration::from_secs_f64(after)).await;
        assert_eq!(deliver(&serve, 42).await, 202, "{name}: redelivery");
    }
    until("the acknowledgement", Duration::from_secs(120), || {
        fake.bot_comments("is queued") >= 1
    })
    .await;
    run_job(&fake, &serve).await;
    until("the final reply", Duration::from_secs(120), || {
        fake.bot_comments("finished") >= 1
    })
    .await;
    // Let any late duplicate surface before counting.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let w = fake.world.lock().unwrap();
    let job_refs = w
        .ref_writes
        .iter()
        .filter(|(r, b)| r == RUNNER && b.starts_with("battbot/"))
        .count();
    let unexpected = w.unexpected.clone();
    drop(w);
    let counts = (
        job_refs,
        fake.bot_comments("is queued"),
        fake.commits_with(REPORTS, "main", "report "),
        fake.bot_comments("finished"),
    );
    assert!(
        unexpected.is_empty(),
        "{name}: unexpected calls {unexpected:?}"
    );
    assert_eq!(
        counts,
        (1, 1, 1, 1),
        "{name}: (job refs, acks, reports, finals)"
    );
    format!(
        "{name}: job refs {} acks {} report commits {} final replies {} in {:.1} s",
        counts.0,
        counts.1,
        counts.2,
        counts.3,
        started.elapsed().as_secs_f64()
    )
}

fn limited(status: u16, retry_after: &str) -> FaultKind {
    FaultKind::Status(
        status,
        vec![("retry-after", retry_after.to_string())],
        r#"{"message":"You have exceeded a secondary rate limit"}"#,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn six_fault_scenarios_against_a_fake_github_end_with_one_of_each() {
    let bad = || FaultKind::Status(502, vec![], r#"{"message":"Bad Gateway"}"#);
    let lines = tokio::join!(
        scenario(
            "429 Retry-After 2 on ref creation",
            vec![Fault::new(
                "POST",
                "/octo/runner/git/refs",
                limited(429, "2")
            )],
            None,
        ),
        scenario(
            "429 Retry-After 2 on the comment",
            vec![Fault::new("POST", "/issues/1/comments", limited(429, "2"))],
            None,
        ),
        scenario(
            "secondary-limit 403 on the reply",
            vec![Fault::new("POST", "/issues/1/comments", limited(403, "3")).nth(1)],
            None,
        ),
        scenario(
            "502 on the report's tree and commit",
            vec![
                Fault::new("POST", "/octo/reports/git/trees", bad()).body("report.md"),
                Fault::new("POST", "/octo/reports/git/commits", bad())
                    .body(r#""message":"report "#),
            ],
            None,
        ),
        scenario(
            "ref POST answered after the 30 s attempt timeout",
            vec![Fault::new(
                "POST",
                "/octo/runner/git/refs",
                FaultKind::LateAfterWrite(Duration::from_secs(32)),
            )],
            None,
        ),
        scenario(
            "redelivery 31.5 s after the job commit during a 36 s secondary limit",
            vec![Fault::new("POST", "/issues/1/comments", limited(403, "36"))],
            Some(31.5),
        ),
    );
    for line in [lines.0, lines.1, lines.2, lines.3, lines.4, lines.5] {
        eprintln!("outside check: {line}");
    }
}
