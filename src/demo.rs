//! `battbot demo`: the whole loop on one machine with no accounts — bare repositories,
//! the real server on 127.0.0.1, a local runner process, a signed GitHub webhook.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tokio::sync::{oneshot, watch};

use crate::config::Config;
use crate::forge::local::LocalForge;
use crate::forge::{Forge, Thread};
use crate::job::{JobId, JobSource};
use crate::runner::local::LocalRunner;
use crate::server::{self, verify, App, Forges, SystemClock};

/// The payload the demo sends (octokit/webhooks' example `issue_comment`).
pub const FIXTURE: &str = include_str!("../assets/fixtures/github.issue_comment.created.json");
/// The comment the demo posts unless told otherwise.
pub const DEFAULT_COMMENT: &str = "@battbot simulate SPM Chen2020 \"Discharge at 1C until 2.5 V\"";

/// A demo's settings.
pub struct DemoOptions {
    pub dir: PathBuf,
    pub comment: String,
    /// The `battbot` executable the local runner starts.
    pub exe: PathBuf,
    /// How long to wait for the report.
    pub timeout: Duration,
}

/// What a finished demo produced.
#[derive(Debug)]
pub struct DemoOutcome {
    pub job_id: JobId,
    pub replies: Vec<String>,
    pub report_path: PathBuf,
}

fn progress(msg: &str) {
    println!("· {msg}");
}

/// 32 random bytes as hex, from the OS.
pub fn random_secret() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("cannot read /dev/urandom")?;
    Ok(hex::encode(bytes))
}

/// The issue_comment payload with `body` and a fresh comment id.
pub fn comment_payload(body: &str, comment_id: u64) -> anyhow::Result<Vec<u8>> {
    let mut payload: serde_json::Value = serde_json::from_str(FIXTURE)?;
    let comment = payload
        .get_mut("comment")
        .and_then(|c| c.as_object_mut())
        .context("fixture has no comment")?;
    comment.insert("body".into(), body.into());
    comment.insert("id".into(), comment_id.into());
    comment.insert(
        "html_url".into(),
        format!("https://github.com/Codertocat/Hello-World/issues/1#issuecomment-{comment_id}")
            .into(),
    );
    Ok(serde_json::to_vec(&payload)?)
}

/// The config of a demo rooted at `dir`.
pub fn demo_config(
    dir: &Path,
    public_url: &str,
    webhook_secret: &str,
    runner_secret: &str,
) -> Config {
    let mut config = Config {
        bot_name: "battbot".into(),
        registered_repos: vec!["Codertocat/Hello-World".into()],
        runner_secret: Some(runner_secret.into()),
        public_url: public_url.into(),
        ..Config::default()
    };
    config.github_app = Some(crate::config::GithubAppConfig {
        webhook_secret: Some(webhook_secret.into()),
        ..Default::default()
    });
    config.runner.repo = dir.join("runner.git").to_string_lossy().into();
    config.reports.repo = dir.join("reports.git").to_string_lossy().into();
    config
}

/// Runs the whole loop once and returns what it produced.
pub async fn run_with(opts: DemoOptions) -> anyhow::Result<DemoOutcome> {
    let dir = std::path::absolute(&opts.dir)?;
    std::fs::create_dir_all(&dir)?;
    let runner_git = dir.join("runner.git");
    let reports_git = dir.join("reports.git");
    LocalForge::init_bare(&runner_git).await?;
    LocalForge::init_bare(&reports_git).await?;
    progress(&format!(
        "repositories: {} and {}",
        runner_git.display(),
        reports_git.display()
    ));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let public_url = format!("http://{addr}");
    let webhook_secret = random_secret()?;
    let runner_secret = random_secret()?;
    let config = demo_config(&dir, &public_url, &webhook_secret, &runner_secret);
    let status_dir = dir.join("runner-state");
    let local: Arc<dyn Forge> =
        Arc::new(LocalForge::new(&dir, &reports_git).with_status_dir(&status_dir));
    let forges = Forges {
        conversations: HashMap::from([("github".to_string(), local.clone())]),
        runner: local.clone(),
        reports: local.clone(),
    };
    let app = App::new(config.clone(), forges, Arc::new(SystemClock))?;
    let (stop_server, server_stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(server::serve(app, listener, async {
        let _ = server_stopped.await;
    }));
    progress(&format!("server listening on {public_url}"));

    let (stop_runner, runner_stop) = watch::channel(false);
    let runner = LocalRunner {
        forge: local.clone(),
        repo: config.runner.repo.clone(),
        exe: opts.exe.clone(),
        work_dir: dir.join("runner-work"),
        status_dir,
        secret: runner_secret.clone(),
        poll: Duration::from_millis(50),
    }
    .spawn(runner_stop)
    .await?;
    progress("local runner watching runner.git for battbot/* branches");

    let outcome = drive(
        &opts,
        &dir,
        &public_url,
        &webhook_secret,
        local.as_ref(),
        &config,
    )
    .await;

    let _ = stop_runner.send(true);
    let _ = runner.await;
    let _ = stop_server.send(());
    server.await??;
    progress("server and runner stopped");
    outcome
}

async fn drive(
    opts: &DemoOptions,
    dir: &Path,
    public_url: &str,
    webhook_secret: &str,
    forge: &dyn Forge,
    config: &Config,
) -> anyhow::Result<DemoOutcome> {
    let comment_id = time::OffsetDateTime::now_utc().unix_timestamp_nanos() as u64 / 1000;
    let body = comment_payload(&opts.comment, comment_id)?;
    let source = JobSource {
        platform: "github".into(),
        repo: "Codertocat/Hello-World".into(),
        number: 1,
        comment_id,
        user: "Codertocat".into(),
        url: String::new(),
    };
    let job_id = JobId::for_source(&source);
    let thread = Thread {
        repo: source.repo.clone(),
        number: source.number,
    };
    let before = forge.bot_replies(&thread).await?.len();
    progress(&format!(
        "posting comment {comment_id} as @Codertocat: {}",
        opts.comment
    ));
    let signature = verify::github_signature(webhook_secret.as_bytes(), &body);
    let resp = reqwest::Client::new()
        .post(format!("{public_url}/github"))
        .header("content-type", "application/json")
        .header("x-github-event", "issue_comment")
        .header("x-github-delivery", format!("demo-{comment_id}"))
        .header("x-hub-signature-256", signature)
        .body(body)
        .send()
        .await
        .context("cannot reach the demo server")?;
    progress(&format!("webhook answered {}", resp.status()));
    if !resp.status().is_success() {
        bail!(
            "the server refused the webhook: {}",
            resp.text().await.unwrap_or_default()
        );
    }
    let started = Instant::now();
    let mut announced_branch = false;
    let mut printed = before;
    let report_marker = server::reply_marker(&format!("report-{job_id}"));
    loop {
        if !announced_branch {
            let branches = forge
                .list_branches(&config.runner.repo, &job_id.branch())
                .await?;
            if !branches.is_empty() {
                progress(&format!(
                    "job branch {} committed to runner.git",
                    job_id.branch()
                ));
                announced_branch = true;
            }
        }
        let replies = forge.bot_replies(&thread).await?;
        for reply in &replies[printed.min(replies.len())..] {
            println!(
                "\n--- reply from @battbot ---\n{}\n---------------------------",
                strip_markers(reply)
            );
        }
        printed = replies.len();
        let new = &replies[before.min(replies.len())..];
        if new.iter().any(|r| r.contains(&report_marker)) {
            let summary_path = format!("{}/summary.json", crate::job::report_dir(&source, &job_id));
            let summary = forge
                .read_file(&config.reports.repo, &config.reports.branch, &summary_path)
                .await?
                .context("the reply came but the report is missing")?;
            let summary: crate::report::Summary = serde_json::from_slice(&summary)?;
            let checkout = checkout(dir, &config.reports.repo).await?;
            progress(&format!(
                "report committed to reports.git in {:.2} s",
                started.elapsed().as_secs_f64()
            ));
            return Ok(DemoOutcome {
                job_id,
                replies: new.to_vec(),
                report_path: checkout.join(summary.report),
            });
        }
        if new
            .iter()
            .any(|r| r.contains("I could not read that") || r.contains("sorry, I can't"))
        {
            bail!("the bot refused the request (see its reply above)");
        }
        if started.elapsed() > opts.timeout {
            bail!(
                "no report after {} s (runner logs: {})",
                opts.timeout.as_secs(),
                dir.join("runner-work").display()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn strip_markers(reply: &str) -> String {
    reply
        .lines()
        .filter(|l| !l.trim_start().starts_with("<!-- battbot:"))
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_string()
}

/// Clones (or fast-forwards) a work-tree checkout of the reports repository.
async fn checkout(dir: &Path, reports_git: &str) -> anyhow::Result<PathBuf> {
    let target = dir.join("reports");
    let status = if target.join(".git").exists() {
        tokio::process::Command::new("git")
            .arg("-C")
            .arg(&target)
            .args(["pull", "--quiet", "--ff-only", "origin", "main"])
            .status()
            .await?
    } else {
        tokio::process::Command::new("git")
            .args(["clone", "--quiet", "--branch", "main", reports_git])
            .arg(&target)
            .status()
            .await?
    };
    if !status.success() {
        bail!("cannot check out {reports_git} into {}", target.display());
    }
    Ok(target)
}

/// `battbot demo`.
pub async fn run(dir: Option<PathBuf>, comment: Option<String>) -> anyhow::Result<()> {
    let dir = match dir {
        Some(d) => d,
        None => tempfile::Builder::new()
            .prefix("battbot-demo-")
            .tempdir()?
            .keep(),
    };
    let opts = DemoOptions {
        dir,
        comment: comment.unwrap_or_else(|| DEFAULT_COMMENT.to_string()),
        exe: std::env::current_exe()?,
        timeout: Duration::from_secs(300),
    };
    let outcome = run_with(opts).await?;
    println!("{}", outcome.report_path.display());
    Ok(())
}
