//! `battbot serve` as a process: SIGTERM during a burst loses no accepted request.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use battbot::forge::local::LocalForge;
use battbot::forge::Forge;
use battbot::server::verify;

const SIMULATE: &str = "@battbot simulate SPM Chen2020 \"Discharge at 1C until 2.5 V\"";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_burst_loses_no_accepted_request() {
    let dir = tempfile::tempdir().unwrap();
    let runner = dir.path().join("runner.git");
    let reports = dir.path().join("reports.git");
    LocalForge::init_bare(&runner).await.unwrap();
    LocalForge::init_bare(&reports).await.unwrap();
    let port = free_port();
    let mut config = battbot::demo::demo_config(
        dir.path(),
        &format!("http://127.0.0.1:{port}"),
        "whsec",
        "rsec",
    );
    config.server.user_requests_per_hour = 0;
    config.server.repo_requests_per_hour = 0;
    let config_path = dir.path().join("config.json");
    std::fs::write(&config_path, serde_json::to_string(&config).unwrap()).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_battbot"))
        .args(["serve", "--config"])
        .arg(&config_path)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A burst: one comment per issue so none is a duplicate of another.
    let mut accepted = Vec::new();
    for i in 0..40u64 {
        let mut payload: serde_json::Value =
            serde_json::from_slice(&battbot::demo::comment_payload(SIMULATE, 1000 + i).unwrap())
                .unwrap();
        payload["issue"]["number"] = (100 + i).into();
        let body = serde_json::to_vec(&payload).unwrap();
        if i == 20 {
            // SIGTERM in the middle of the burst.
            unsafe_kill(child.id());
        }
        let sent = client
            .post(format!("{base}/github"))
            .header("x-github-event", "issue_comment")
            .header(
                "x-hub-signature-256",
                verify::github_signature(b"whsec", &body),
            )
            .body(body)
            .send()
            .await;
        if let Ok(resp) = sent {
            if resp.status() == reqwest::StatusCode::ACCEPTED {
                accepted.push(100 + i);
            }
        }
    }
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "serve exits 0 after SIGTERM: {status:?}");
    assert!(
        accepted.len() >= 20,
        "the first half was accepted: {accepted:?}"
    );
    let forge = LocalForge::new(dir.path(), &reports);
    let branches = forge
        .list_branches(runner.to_str().unwrap(), "battbot/")
        .await
        .unwrap();
    for number in &accepted {
        let want = format!("battbot/gh-codertocat-hello-world-{number}-c");
        assert!(
            branches.iter().any(|b| b.name.starts_with(&want)),
            "accepted request for #{number} has no job"
        );
    }
}

fn unsafe_kill(pid: u32) {
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
}
