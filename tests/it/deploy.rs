//! Deployment defaults of `battbot serve` as a process: it refuses to start without the
//! secrets its platforms need (unless `--dry-run`), and its logs stay plain text when
//! redirected.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Every variable `Config::apply_env` reads is left out, so the host's environment cannot
/// supply (or hide) a secret.
fn serve(dir: &Path, config: &Value, args: &[&str], env: &[(&str, &str)]) -> Command {
    let path = dir.join("config.json");
    std::fs::write(&path, config.to_string()).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_battbot"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(dir)
        .args(["serve", "--config"])
        .arg(&path)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// Waits for a process that should exit on its own; one still running after 20 s is killed
/// and fails the test (a server that started when it should have refused).
fn exits_soon(mut child: Child) -> Output {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "serve started instead of refusing: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// A GitHub deployment as the guide describes it, minus whatever the test removes.
fn github_config() -> Value {
    json!({
        "bot_name": "battbot",
        "public_url": "http://127.0.0.1:9",
        "github_account": {"access_token": "ghp_test"},
        "runner": {"forge": "local", "repo": "runner.git"},
        "reports": {"forge": "local", "repo": "reports.git"},
    })
}

fn refuses(config: &Value, env: &[(&str, &str)], variable: &str) {
    let dir = tempfile::tempdir().unwrap();
    let child = serve(dir.path(), config, &["--listen", "127.0.0.1:0"], env)
        .spawn()
        .unwrap();
    let out = exits_soon(child);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(variable), "names {variable}: {stderr}");
}

#[test]
fn serve_with_github_but_no_webhook_secret_refuses_to_start() {
    refuses(
        &github_config(),
        &[("BATTBOT_RUNNER_SECRET", "rsec")],
        "GITHUB_WEBHOOK_SECRET",
    );
}

#[test]
fn serve_without_runner_secret_refuses_to_start() {
    refuses(
        &github_config(),
        &[("GITHUB_WEBHOOK_SECRET", "whsec")],
        "BATTBOT_RUNNER_SECRET",
    );
}

#[test]
fn serve_with_slack_token_but_no_signing_secret_refuses_to_start() {
    let mut config = github_config();
    config["slack"] = json!({"bot_token": "xoxb-test"});
    refuses(
        &config,
        &[
            ("BATTBOT_RUNNER_SECRET", "rsec"),
            ("GITHUB_WEBHOOK_SECRET", "whsec"),
        ],
        "SLACK_SIGNING_SECRET",
    );
}

#[test]
fn farm_bot_without_its_webhook_secret_refuses_to_start() {
    let mut config = github_config();
    config["bots"] = json!([{
        "bot_name": "pybamm-bot",
        "github_account": {"access_token": "ghp_other"},
        "runner": {"forge": "local", "repo": "runner2.git"},
        "reports": {"forge": "local", "repo": "reports2.git"},
    }]);
    refuses(
        &config,
        &[
            ("BATTBOT_RUNNER_SECRET", "rsec"),
            ("GITHUB_WEBHOOK_SECRET", "whsec"),
        ],
        "PYBAMM_BOT_GITHUB_WEBHOOK_SECRET",
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `serve`, waits for `/healthz` to answer 200, stops it with SIGTERM and returns
/// its stderr.
async fn healthy_then_stopped(config: &Value, args: &[&str], env: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut all = vec!["--listen", &listen];
    all.extend_from_slice(args);
    let child = serve(dir.path(), config, &all, env).spawn().unwrap();
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut child = Some(child);
    loop {
        if let Ok(r) = client.get(format!("http://{listen}/healthz")).send().await {
            assert_eq!(r.status(), 200);
            break;
        }
        let exited = child.as_mut().unwrap().try_wait().unwrap().is_some();
        if exited || started.elapsed() > Duration::from_secs(20) {
            let mut c = child.take().unwrap();
            let _ = c.kill();
            let out = c.wait_with_output().unwrap();
            panic!(
                "serve did not answer /healthz: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let child = child.take().unwrap();
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(out.status.success(), "exits 0 on SIGTERM: {:?}", out.status);
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_dry_run_starts_without_any_secret() {
    healthy_then_stopped(&github_config(), &["--dry-run"], &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_starts_when_the_secrets_come_from_the_environment() {
    healthy_then_stopped(
        &github_config(),
        &[],
        &[
            ("BATTBOT_RUNNER_SECRET", "rsec"),
            ("GITHUB_WEBHOOK_SECRET", "whsec"),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirected_logs_carry_no_ansi_escape_codes() {
    let stderr = healthy_then_stopped(&github_config(), &["--dry-run"], &[]).await;
    assert!(stderr.contains("listening on"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "ANSI escape in {stderr:?}");
}
