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
    /// Benchmark a pull request of a sample project instead of simulating.
    pub runbenchmarks: bool,
    /// The `battbot` executable the local runner starts.
    pub exe: PathBuf,
    /// How long to wait for the report.
    pub timeout: Duration,
    /// Where the request comes from: `github` (default), or `twitter` / `slack` against an
    /// in-process fake of their API.
    pub platform: String,
}

/// What a finished demo produced.
#[derive(Debug)]
pub struct DemoOutcome {
    pub job_id: JobId,
    pub replies: Vec<String>,
    /// Empty when the request made no job (help, status, abort, a bad command).
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

/// The benchmark script of the sample project: a shell busy loop of `iterations`, printed as
/// one JSON line. It times the loop by the shell's own CPU time (`/proc/$$/schedstat`, in
/// nanoseconds), so that other work on a busy runner does not blur base against head; where
/// that file is missing it falls back to the wall clock.
fn bench_script(iterations: u32) -> String {
    format!(
        r#"#!/bin/sh
# Sample benchmark: prints {{"name": …, "seconds": …}} for the loop's CPU time.
if read -r start _ 2>/dev/null </proc/$$/schedstat; then
    clock() {{ read -r ns _ </proc/$$/schedstat; }}
else
    clock() {{ ns=$(date +%s%N); }}
    clock; start=$ns
fi
i=0
while [ $i -lt {iterations} ]; do i=$((i+1)); done
clock
awk -v ns=$((ns - start)) 'BEGIN {{ printf "{{\"name\":\"busy-loop\",\"seconds\":%.9f}}\n", ns / 1e9 }}'
"#
    )
}

/// A sample project with a pull request whose head is deliberately 3× slower: bare
/// repository with `main`, `refs/pull/1/head` and `refs/pull/1/merge`.
pub async fn make_bench_repo(path: &Path) -> anyhow::Result<()> {
    use crate::forge::{CommitMode, FileChange};
    LocalForge::init_bare(path).await?;
    let repo = path.to_string_lossy().to_string();
    let forge = LocalForge::new(path, path);
    if forge
        .list_branches(&repo, "main")
        .await?
        .iter()
        .any(|b| b.name == "main")
    {
        return Ok(());
    }
    let readme = FileChange::new(
        "README.md",
        "A sample project for `@battbot runbenchmarks`.\n",
    );
    let base = forge
        .commit_files(
            &repo,
            "main",
            &[readme, FileChange::new("bench.sh", bench_script(20_000))],
            &[],
            "fast loop",
            CommitMode::UpdateBranch,
        )
        .await?;
    let head = forge
        .commit_files(
            &repo,
            "pr-1",
            &[FileChange::new("bench.sh", bench_script(60_000))],
            &[],
            "make the loop 3x longer",
            CommitMode::CreateBranch,
        )
        .await?;
    let git = |args: Vec<String>| {
        let path = path.to_path_buf();
        async move {
            let out = tokio::process::Command::new("git")
                .arg("--git-dir")
                .arg(&path)
                .args(&args)
                .env("GIT_AUTHOR_NAME", "battbot")
                .env("GIT_AUTHOR_EMAIL", "battbot@localhost")
                .env("GIT_COMMITTER_NAME", "battbot")
                .env("GIT_COMMITTER_EMAIL", "battbot@localhost")
                .output()
                .await?;
            if !out.status.success() {
                bail!("git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
            }
            Ok::<String, anyhow::Error>(String::from_utf8_lossy(&out.stdout).trim().to_string())
        }
    };
    let tree = git(vec!["rev-parse".into(), format!("{head}^{{tree}}")]).await?;
    let merge = git(vec![
        "commit-tree".into(),
        tree,
        "-p".into(),
        base,
        "-p".into(),
        head.clone(),
        "-m".into(),
        "merge pr 1".into(),
    ])
    .await?;
    git(vec!["update-ref".into(), "refs/pull/1/head".into(), head]).await?;
    git(vec!["update-ref".into(), "refs/pull/1/merge".into(), merge]).await?;
    Ok(())
}

/// The demo's sample drive cycle: 10 minutes of current [A] every 10 s — discharge pulses
/// and a regenerative charge — as `cycles/profile.csv` in the commented repository.
pub fn sample_profile_csv() -> String {
    let mut csv = String::from("# battbot demo drive cycle: time [s], current [A]\ntime,current\n");
    for k in 0..=60 {
        let t = 10 * k;
        let phase = (t % 120) as f64 / 120.0;
        let amps = if phase < 0.75 {
            2.5 + 1.5 * (std::f64::consts::TAU * phase / 0.75).sin()
        } else {
            -1.5
        };
        csv.push_str(&format!("{t},{amps:.3}\n"));
    }
    csv
}

/// The repository the demo's comments are made in (`Codertocat/Hello-World` under the demo's
/// folder), holding `cycles/profile.csv` on `main`, so `"Run cycles/profile.csv (A)"` can be
/// read through the local forge. Kept as it is when it exists.
pub async fn make_comment_repo(path: &Path) -> anyhow::Result<()> {
    use crate::forge::{CommitMode, FileChange};
    LocalForge::init_bare(path).await?;
    let repo = path.to_string_lossy().to_string();
    let forge = LocalForge::new(path, path);
    if forge.branch_tip(&repo, "main").await?.is_some() {
        return Ok(());
    }
    let files = [
        FileChange::new(
            "README.md",
            "The repository the demo's comments are made in.\n",
        ),
        FileChange::new("cycles/profile.csv", sample_profile_csv()),
    ];
    forge
        .commit_files(
            &repo,
            "main",
            &files,
            &[],
            "sample drive cycle",
            CommitMode::UpdateBranch,
        )
        .await?;
    Ok(())
}

/// The issue_comment payload on pull request #1 (the issue fixture, marked as a PR).
pub fn pull_request_comment_payload(body: &str, comment_id: u64) -> anyhow::Result<Vec<u8>> {
    let mut payload: serde_json::Value =
        serde_json::from_slice(&comment_payload(body, comment_id)?)?;
    payload["issue"]["pull_request"] = serde_json::json!({
        "url": "https://api.github.com/repos/Codertocat/Hello-World/pulls/1",
        "html_url": "https://github.com/Codertocat/Hello-World/pull/1"
    });
    Ok(serde_json::to_vec(&payload)?)
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
    let mut config = demo_config(&dir, &public_url, &webhook_secret, &runner_secret);
    make_comment_repo(&dir.join("Codertocat/Hello-World")).await?;
    if opts.runbenchmarks {
        let sample = dir.join("sample-project.git");
        make_bench_repo(&sample).await?;
        progress(&format!(
            "sample project {} with pull request #1 (its head is 3× slower)",
            sample.display()
        ));
        config.repos.insert(
            "Codertocat/Hello-World".into(),
            crate::config::RepoConfig {
                benchmark: Some(crate::config::BenchmarkConfig {
                    clone_url: sample.to_string_lossy().into(),
                    command: "sh bench.sh".into(),
                    repeat: 5,
                    ..Default::default()
                }),
            },
        );
    }
    let status_dir = dir.join("runner-state");
    let local: Arc<dyn Forge> =
        Arc::new(LocalForge::new(&dir, &reports_git).with_status_dir(&status_dir));
    let social = match opts.platform.as_str() {
        "github" | "" => None,
        other => {
            let s = crate::demo_social::setup(other, &mut config, local.clone(), &webhook_secret)
                .await?;
            progress(&format!(
                "fake {other} API listening (it prints what it receives)"
            ));
            Some(s)
        }
    };
    let mut conversations = HashMap::from([(
        "github".to_string(),
        local.clone() as Arc<dyn crate::forge::Conversation>,
    )]);
    if let Some(s) = &social {
        conversations.insert(s.platform.to_string(), s.conversation.clone());
    }
    let forges = Forges {
        conversations,
        runner: local.clone(),
        reports: local.clone(),
    };
    let app = App::new(config.clone(), forges, Arc::new(SystemClock))?;
    let (stop_server, server_stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(server::serve(app.clone(), listener, async {
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

    let outcome = match &social {
        None => {
            drive(
                &opts,
                &dir,
                &public_url,
                &webhook_secret,
                local.as_ref(),
                &config,
            )
            .await
        }
        Some(s) => drive_social(s, &app, &opts, &dir, &public_url, local.as_ref(), &config).await,
    };

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
    let body = if opts.runbenchmarks {
        pull_request_comment_payload(&opts.comment, comment_id)?
    } else {
        comment_payload(&opts.comment, comment_id)?
    };
    let source = JobSource {
        platform: "github".into(),
        repo: "Codertocat/Hello-World".into(),
        number: 1,
        comment_id,
        user: "Codertocat".into(),
        url: String::new(),
    };
    let job_id = JobId::for_source(&source);
    let thread = Thread::of(&source);
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
            let report_path = report_checkout(dir, forge, config, &source, &job_id).await?;
            progress(&format!(
                "report committed to reports.git in {:.2} s",
                started.elapsed().as_secs_f64()
            ));
            return Ok(DemoOutcome {
                job_id,
                replies: new.to_vec(),
                report_path,
            });
        }
        // help, status, abort and a bad command make no job: the reply is the answer.
        let answered = ["error-", "help-", "status-", "abort-"];
        if !opts.runbenchmarks
            && new.iter().any(|r| {
                answered
                    .iter()
                    .any(|k| r.contains(&format!("<!-- battbot:{k}")))
            })
        {
            return Ok(DemoOutcome {
                job_id,
                replies: new.to_vec(),
                report_path: PathBuf::new(),
            });
        }
        let refused = ["denied-", "bench-", "duplicate-", "limited-"];
        if new.iter().any(|r| {
            refused
                .iter()
                .any(|k| r.contains(&format!("<!-- battbot:{k}")))
        }) {
            bail!("the bot did not take the request (see its reply above)");
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

async fn drive_social(
    social: &crate::demo_social::SocialDemo,
    app: &App,
    opts: &DemoOptions,
    dir: &Path,
    public_url: &str,
    forge: &dyn Forge,
    config: &Config,
) -> anyhow::Result<DemoOutcome> {
    let started = Instant::now();
    let (job_id, source, replies, reported) = social
        .drive(app, public_url, &opts.comment, opts.timeout)
        .await?;
    social.print_posted();
    if !reported {
        // help, status, abort and a bad command make no job: the reply is the answer.
        return Ok(DemoOutcome {
            job_id,
            replies,
            report_path: PathBuf::new(),
        });
    }
    let report_path = report_checkout(dir, forge, config, &source, &job_id).await?;
    progress(&format!(
        "report committed to reports.git in {:.2} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(DemoOutcome {
        job_id,
        replies,
        report_path,
    })
}

/// The report's path in a fresh checkout of the reports repository.
async fn report_checkout(
    dir: &Path,
    forge: &dyn Forge,
    config: &Config,
    source: &JobSource,
    job_id: &JobId,
) -> anyhow::Result<PathBuf> {
    let summary_path = format!("{}/summary.json", crate::job::report_dir(source, job_id));
    let summary = forge
        .read_file(&config.reports.repo, &config.reports.branch, &summary_path)
        .await?
        .context("the reply came but the report is missing")?;
    let summary: crate::report::Summary = serde_json::from_slice(&summary)?;
    let checkout = checkout(dir, &config.reports.repo).await?;
    Ok(checkout.join(summary.report))
}

fn strip_markers(reply: &str) -> String {
    reply
        .lines()
        .filter(|l| !l.trim_start().starts_with("<!-- battbot"))
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
pub async fn run(
    dir: Option<PathBuf>,
    comment: Option<String>,
    runbenchmarks: bool,
    platform: String,
) -> anyhow::Result<()> {
    let dir = match dir {
        Some(d) => d,
        None => tempfile::Builder::new()
            .prefix("battbot-demo-")
            .tempdir()?
            .keep(),
    };
    let opts = DemoOptions {
        dir,
        comment: comment.unwrap_or_else(|| {
            if runbenchmarks {
                "@battbot runbenchmarks"
            } else {
                DEFAULT_COMMENT
            }
            .to_string()
        }),
        runbenchmarks,
        exe: std::env::current_exe()?,
        timeout: Duration::from_secs(300),
        platform,
    };
    let outcome = run_with(opts).await?;
    // A request that makes no job (help, status, abort, a bad one) ends with its reply.
    if !outcome.report_path.as_os_str().is_empty() {
        println!("{}", outcome.report_path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::bench_script;

    /// The CI failure this guards against: other tests loaded the runner, one base round
    /// took the head's time, and a 2.8× regression read as "no change". Here the loop is
    /// stopped for 0.6 s mid-run, as a busy machine would deschedule it; the sample must
    /// report the loop's CPU time, not the 0.6 s it was not running.
    #[test]
    fn a_descheduled_sample_benchmark_reports_its_cpu_time_not_the_wall_clock() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("bench.sh");
        std::fs::write(&script, bench_script(400_000)).unwrap();
        let started = Instant::now();
        let mut child = std::process::Command::new("sh")
            .arg(&script)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            child.try_wait().unwrap().is_none(),
            "the loop ended within 50 ms: make it longer"
        );
        let pid = child.id() as libc::pid_t;
        // SAFETY: kill(2) on our own child, which has not been reaped (try_wait saw it run).
        assert_eq!(unsafe { libc::kill(pid, libc::SIGSTOP) }, 0);
        std::thread::sleep(Duration::from_millis(600));
        assert_eq!(unsafe { libc::kill(pid, libc::SIGCONT) }, 0);
        let out = child.wait_with_output().unwrap();
        let wall = started.elapsed().as_secs_f64();
        assert!(out.status.success());
        let line = String::from_utf8(out.stdout).unwrap();
        let (name, seconds) = crate::runner::bench::parse_line(line.trim()).unwrap();
        assert_eq!(name, "busy-loop");
        assert!(
            seconds > 0.0 && seconds < wall - 0.5,
            "reported {seconds} s of {wall} s, 0.6 s of it stopped"
        );
    }
}
