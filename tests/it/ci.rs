//! The CI templates for real: gitlab-ci-local executes the rendered `.gitlab-ci.yml`
//! (the built `battbot run-job` calling back a live test server), and action-validator
//! checks the GitHub workflow. `.ci/run` installs both; elsewhere a missing tool skips
//! the test loudly, and under CI it fails.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::{TestBot, RUNNER_SECRET};

fn tool(name: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{name} is not installed (hint: .ci/run installs it with npm)"
        );
        eprintln!("SKIPPED: {name} is not installed (npm i -g …, see .ci/run)");
    }
    found
}

fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .status()
        .unwrap();
    assert!(st.success(), "git {args:?}");
}

/// Serves the bot's router on 127.0.0.1 and returns its base URL.
async fn live(
    bot_config: impl FnOnce(&mut battbot::config::Config),
) -> (TestBot, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let bot = TestBot::with_config(|c| {
        c.public_url = url;
        bot_config(c);
    })
    .await;
    let router = battbot::server::router(bot.app.clone());
    let server = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (bot, server)
}

/// Runs gitlab-ci-local on the checkout `work` with `bin` as the battbot executable, the
/// runner secret given only to jobs of the environment `battbot-callback` (as the project's
/// environment-scoped CI/CD variable would be), every job on the shell executor.
async fn gitlab_ci_local(work: &Path, bin: &str) -> std::process::Output {
    // gitlab-ci-local reads it relative to the checkout; untracked, it is not copied into jobs.
    let vars = ".gitlab-ci-local-variables.yml";
    std::fs::write(
        work.join(vars),
        format!("BATTBOT_RUNNER_SECRET:\n  values:\n    battbot-callback: \"{RUNNER_SECRET}\"\n"),
    )
    .unwrap();
    let (work, bin) = (work.to_path_buf(), bin.to_string());
    tokio::task::spawn_blocking(move || {
        Command::new("gitlab-ci-local")
            .current_dir(&work)
            .args([
                "--shell-isolation",
                "--force-shell-executor",
                "--variables-file",
            ])
            .arg(vars)
            .arg("--variable")
            .arg(format!("BATTBOT_BIN={bin}"))
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

/// What one job of a gitlab-ci-local run printed.
fn job_log(work: &Path, job: &str) -> String {
    std::fs::read_to_string(work.join(format!(".gitlab-ci-local/output/{job}.log")))
        .unwrap_or_else(|e| format!("no log of {job}: {e}"))
}

/// Runs the pipeline of the newest job branch; returns its output and checkout.
async fn run_branch(bot: &TestBot) -> (std::process::Output, std::path::PathBuf) {
    let branch = bot.job_branches().await.pop().expect("job branch");
    let work = bot.dir.path().join("checkout");
    let st = Command::new("git")
        .args(["clone", "--quiet", "--branch", &branch, &bot.runner_repo()])
        .arg(&work)
        .status()
        .unwrap();
    assert!(st.success());
    git(&work, &["remote", "set-head", "origin", &branch]);
    let out = gitlab_ci_local(&work, env!("CARGO_BIN_EXE_battbot")).await;
    (out, work)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gitlab_ci_local_runs_the_job_and_calls_back() {
    if !tool("gitlab-ci-local") || !tool("rsync") {
        return;
    }
    let (bot, server) = live(|_| {}).await;
    bot.comment(
        "@battbot simulate SPM Chen2020 \"Discharge at 1C until 2.5 V\"",
        77,
    )
    .await;
    bot.settle().await;
    let (out, work) = tokio::time::timeout(Duration::from_secs(300), run_branch(&bot))
        .await
        .expect("pipeline finished");
    // The job that runs the job's code has no secret; only `report` has it.
    let simulate = job_log(&work, "simulate");
    assert!(
        simulate.contains("no BATTBOT_RUNNER_SECRET in this job"),
        "{simulate}"
    );
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "pipeline failed:\n{log}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        log.contains("simulate") && log.contains("report") && log.contains("PASS"),
        "{log}"
    );
    bot.settle().await;
    assert_eq!(
        bot.report_commits(),
        1,
        "the signed result was accepted and reported"
    );
    let replies = bot.replies().await;
    assert!(replies.last().unwrap().contains("finished"), "{replies:?}");
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_job_reports_its_failure_once() {
    if !tool("gitlab-ci-local") || !tool("rsync") {
        return;
    }
    let (bot, server) = live(|_| {}).await;
    // The job spec is valid, but the runner cannot read the job file: simulate fails,
    // then the on_failure job reports it.
    bot.comment(
        "@battbot simulate SPM Chen2020 \"Discharge at 1C until 2.5 V\"",
        77,
    )
    .await;
    bot.settle().await;
    let branch = bot.job_branches().await.pop().unwrap();
    let work = bot.dir.path().join("checkout");
    let st = Command::new("git")
        .args(["clone", "--quiet", "--branch", &branch, &bot.runner_repo()])
        .arg(&work)
        .status()
        .unwrap();
    assert!(st.success());
    let exe = env!("CARGO_BIN_EXE_battbot");
    // A runner whose battbot binary crashes before doing anything, except when publishing.
    let broken = bot.dir.path().join("broken-battbot");
    std::fs::write(
        &broken,
        format!(
            "#!/bin/sh\ncase \" $* \" in *\" --publish \"*) exec {exe} \"$@\";; esac\nexit 3\n"
        ),
    )
    .unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&broken)
        .status()
        .unwrap();
    let out = gitlab_ci_local(&work, &broken.to_string_lossy()).await;
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(log.contains("report"), "{log}");
    bot.settle().await;
    assert_eq!(bot.report_commits(), 1, "{log}");
    let replies = bot.replies().await;
    assert_eq!(replies.len(), 2, "{replies:?}");
    assert!(replies[1].contains("the CI job failed"), "{replies:?}");
    server.abort();
}

/// `@battbot runbenchmarks` through the rendered pipeline: the pull request's code runs in
/// `simulate`, which has no secret (its benchmark says so), and `report` calls back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gitlab_ci_local_runs_the_benchmark_pipeline_with_the_secret_only_in_report() {
    if !tool("gitlab-ci-local") || !tool("rsync") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project.git");
    battbot::demo::make_bench_repo(&project).await.unwrap();
    // The PR's benchmark tells whether it can see the secret, in the name it prints.
    let probe = dir.path().join("probe");
    git(
        dir.path(),
        &["clone", "--quiet", &project.to_string_lossy(), "probe"],
    );
    git(&probe, &["fetch", "--quiet", "origin", "refs/pull/1/head"]);
    git(&probe, &["checkout", "--quiet", "FETCH_HEAD"]);
    std::fs::write(
        probe.join("bench.sh"),
        "#!/bin/sh\nif [ -n \"$BATTBOT_RUNNER_SECRET\" ]; then n=secret-visible; else n=secret-absent; fi\necho \"{\\\"name\\\":\\\"$n\\\",\\\"seconds\\\":0.001}\"\n",
    )
    .unwrap();
    git(
        &probe,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "--quiet",
            "-am",
            "probe",
        ],
    );
    git(
        &probe,
        &[
            "push",
            "--quiet",
            "origin",
            "HEAD:refs/pull/1/head",
            "--force",
        ],
    );
    let clone_url = project.to_string_lossy().to_string();
    let (bot, server) = live(move |c| {
        c.repos.insert(
            "Codertocat/Hello-World".into(),
            battbot::config::RepoConfig {
                benchmark: Some(battbot::config::BenchmarkConfig {
                    clone_url,
                    command: "sh bench.sh".into(),
                    repeat: 2,
                    ..Default::default()
                }),
            },
        );
    })
    .await;
    let payload =
        battbot::demo::pull_request_comment_payload("@battbot runbenchmarks", 78).unwrap();
    bot.github("issue_comment", &payload, None).await;
    bot.settle().await;
    let (out, work) = tokio::time::timeout(Duration::from_secs(300), run_branch(&bot))
        .await
        .expect("pipeline finished");
    let log = String::from_utf8_lossy(&out.stdout);
    let simulate = job_log(&work, "simulate");
    assert!(
        simulate.contains("no BATTBOT_RUNNER_SECRET in this job"),
        "{log}\n{simulate}"
    );
    bot.settle().await;
    assert_eq!(bot.report_commits(), 1, "{log}");
    let replies = bot.replies().await;
    let summary = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(bot.reports_repo())
        .args(["log", "-p", "-1"])
        .output()
        .unwrap();
    let summary = String::from_utf8_lossy(&summary.stdout);
    assert!(summary.contains("secret-absent"), "{replies:?}\n{summary}");
    assert!(!summary.contains("secret-visible"), "{summary}");
    server.abort();
}

/// The template's jobs: `run` has no secret, `report` (environment battbot-callback) has it
/// and runs no job code.
#[test]
fn only_the_report_job_of_the_github_workflow_gets_the_secret() {
    let text = include_str!("../../ci-templates/github-actions.yml");
    let (run, report) = text.split_once("\n  report:\n").expect("a report job");
    assert!(!run.contains("secrets."), "{run}");
    assert!(report.contains("secrets.BATTBOT_RUNNER_SECRET"), "{report}");
    assert!(report.contains("environment: battbot-callback"), "{report}");
    assert!(report.contains("--publish"), "{report}");
    assert!(!report.contains("run-job --job battbot-job.json --out battbot-out\n"));
    let gitlab = include_str!("../../ci-templates/gitlab-ci.yml");
    let (_, report) = gitlab.split_once("\nreport:\n").expect("a report job");
    assert!(report.contains("name: battbot-callback") && report.contains("--publish"));
}

#[test]
fn github_workflow_passes_action_validator() {
    validate_workflow(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/ci-templates/github-actions.yml"
    ));
}

/// Schema-validates a GitHub workflow with action-validator.
fn validate_workflow(path: &str) {
    if !tool("action-validator") {
        return;
    }
    let out = Command::new("action-validator").arg(path).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn schedule_workflow_runs_at_07_and_19_utc_and_passes_action_validator() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/ci-templates/schedule-github-actions.yml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains("cron: \"0 7,19 * * *\""), "{text}");
    for cmd in ["battbot post-random", "battbot poll-mentions"] {
        assert!(text.contains(cmd), "{cmd} missing");
    }
    // The commands the schedule runs exist.
    for sub in ["post-random", "tweet-random", "poll-mentions"] {
        let st = Command::new(env!("CARGO_BIN_EXE_battbot"))
            .args([sub, "--help"])
            .output()
            .unwrap();
        assert!(st.status.success(), "battbot {sub} --help");
    }
    validate_workflow(path);
}

/// The GitLab schedule for real: each pipeline schedule's BATTBOT_TASK selects exactly its
/// job, and the tweet-random job runs the built battbot (dry-run: nothing is tweeted).
#[test]
fn gitlab_schedule_runs_the_task_its_schedule_names() {
    if !tool("gitlab-ci-local") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    git(work, &["init", "--quiet", "--initial-branch", "main"]);
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/ci-templates/schedule-gitlab-ci.yml"
        ),
        work.join(".gitlab-ci.yml"),
    )
    .unwrap();
    std::fs::write(
        work.join("battbot.json"),
        r#"{"bot_name": "battbot", "server": {"dry_run": true}}"#,
    )
    .unwrap();
    git(work, &["add", "-A"]);
    git(
        work,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "--quiet",
            "-m",
            "schedule",
        ],
    );
    let run = |args: &[&str]| {
        let out = Command::new("gitlab-ci-local")
            .current_dir(work)
            .args(args)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    let jobs = |task: &str| {
        let (ok, text) = run(&[
            "--list",
            "--variable",
            "CI_PIPELINE_SOURCE=schedule",
            "--variable",
            &format!("BATTBOT_TASK={task}"),
        ]);
        assert!(ok, "{text}");
        ["tweet-random", "poll-mentions"]
            .into_iter()
            .filter(|j| text.lines().any(|l| l.starts_with(j)))
            .collect::<Vec<_>>()
    };
    assert_eq!(jobs("tweet-random"), ["tweet-random"]);
    assert_eq!(jobs("poll-mentions"), ["poll-mentions"]);
    let (ok, text) = run(&["--list"]);
    assert!(
        ok && !text.lines().any(|l| l.starts_with("tweet-random")),
        "a push runs nothing: {text}"
    );

    let exe = env!("CARGO_BIN_EXE_battbot");
    let (ok, text) = run(&[
        "--shell-isolation",
        "--variable",
        "CI_PIPELINE_SOURCE=schedule",
        "--variable",
        "BATTBOT_TASK=tweet-random",
        "--variable",
        &format!("BATTBOT_BIN={exe}"),
        "tweet-random",
    ]);
    assert!(ok, "{text}");
    assert!(
        text.contains("\"slot\"") && text.contains("\"seed\""),
        "{text}"
    );
}
