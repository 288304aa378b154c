//! `simulate` and `compare`: access and duplicate checks, then the job branch — whose
//! creation is the arbiter between redeliveries — and the acknowledgement, whose claim on
//! the state branch (see `server::claims`) decides which delivery posts it.

use crate::command::Command;
use crate::forge::{CommitMode, Conversation, ForgeError, Thread};
use crate::job::{ci, JobSpec};
use crate::reply::Reply;

use super::super::event::CommentEvent;
use super::super::App;
use super::{access, pending};

pub async fn run(
    app: &App,
    forge: &dyn Conversation,
    thread: &Thread,
    ev: &CommentEvent,
    cmd: Command,
) -> anyhow::Result<()> {
    let user = &ev.source.user;
    let comment_key = format!("c{}", ev.source.comment_id);
    // A user or repository over its limit is refused before any forge read (access, CSVs,
    // pending jobs); the refusal counts nothing, so retries do not extend the wait.
    if let Err(limited) = rate_limit(app, ev, false) {
        return refuse_limited(app, forge, thread, ev, limited).await;
    }
    if let access::Access::Denied(reason) = access::check(app, forge, &ev.source).await? {
        app.metrics.inc_job_rejected();
        let body = Reply::new()
            .mention(user)
            .bot(" sorry, I can't run that for you: ")
            .text(reason)
            .bot(".");
        app.reply_once(forge, thread, &format!("denied-{comment_key}"), &body)
            .await?;
        return Ok(());
    }
    // CSVs named by `Run path.csv (…)` are read from the comment's repository into the runs,
    // then the limits are checked again on the data.
    // Reading them is the expensive part of a request: a request that reads counts now,
    // whatever becomes of it, so refusals on the data cannot read without limit.
    let mut cmd = cmd;
    if super::drive_csv::reads_files(forge, &ev.source, &cmd) {
        if let Err(limited) = rate_limit(app, ev, true) {
            return refuse_limited(app, forge, thread, ev, limited).await;
        }
    }
    let limits = &app.config.limits;
    let checked = match super::drive_csv::fill(
        forge,
        &ev.source,
        &mut cmd,
        limits.max_drive_cycle_rows,
    )
    .await
    {
        Ok(()) => crate::command::check_limits(cmd.runs(), limits, &app.vocabulary)
            .and_then(|()| crate::command::validate(&cmd)),
        Err(e) => Err(e),
    };
    if let Err(e) = checked {
        return super::refuse(app, forge, thread, ev, &e).await;
    }
    let mut benchmark = None;
    if matches!(cmd, Command::Runbenchmarks) {
        let refusal = if !ev.is_pull_request {
            Some(Reply::from("`runbenchmarks` benchmarks a pull request against its base: comment on a pull request"))
        } else {
            match app
                .config
                .repos
                .get(&ev.source.repo)
                .and_then(|r| r.benchmark.clone())
            {
                None => Some(
                    Reply::new()
                        .bot("benchmarks are not configured for ")
                        .code(&ev.source.repo)
                        .bot("; see the README section \"Benchmarking a pull request\""),
                ),
                Some(b) => {
                    benchmark = Some(benchmark_job(&ev.source.platform, ev.source.number, b));
                    None
                }
            }
        };
        if let Some(reason) = refusal {
            let body = Reply::new().mention(user).bot(" ").append(reason).bot(".");
            app.reply_once(forge, thread, &format!("bench-{comment_key}"), &body)
                .await?;
            return Ok(());
        }
    }
    let mut spec = JobSpec::new(
        ev.source.clone(),
        cmd,
        &app.config.public_url,
        app.clock.now(),
    );
    spec.benchmark = benchmark;
    // Idempotency by report, not by branch: a finished job's branch is gone.
    if pending::has_report(app, &spec).await? {
        tracing::info!(job = %spec.id, "redelivered request; its report already exists");
        return Ok(());
    }

    let (mine, others): (Vec<_>, Vec<_>) = pending::for_thread(app, &ev.source)
        .await?
        .into_iter()
        .partition(|p| p.spec.id == spec.id);
    if let Some(first) = others.first() {
        app.metrics.inc_job_rejected();
        let body = Reply::new()
            .mention(user)
            .bot(" a job is already pending here: ")
            .code(first.spec.id.as_str())
            .bot(" (")
            .link(&first.spec.source.url)
            .bot(") — ")
            .code(format!("@{} abort", app.config.bot_name))
            .bot(" cancels it.");
        app.reply_once(forge, thread, &format!("duplicate-{comment_key}"), &body)
            .await?;
        return Ok(());
    }
    // A redelivery of an accepted request does not count again (nor does a request that
    // was counted when its CSV files were read).
    if mine.is_empty() {
        if let Err(limited) = rate_limit(app, ev, true) {
            return refuse_limited(app, forge, thread, ev, limited).await;
        }
    }
    let files = ci::runner_files(&spec, app.ci_target);
    let message = format!("battbot job {} for {}", spec.id, spec.source.url);
    let created = app
        .forges
        .runner
        .commit_files(
            &app.config.runner.repo,
            &spec.id.branch(),
            &files,
            &[],
            &message,
            CommitMode::CreateBranch,
        )
        .await;
    match created {
        Ok(_) => {
            if finished_meanwhile(app, &spec).await? {
                return Ok(());
            }
            app.metrics.inc_job_accepted();
            tracing::info!(job = %spec.id, "job branch created");
        }
        Err(ForgeError::BranchExists { .. }) => {
            // A redelivery (or a replica racing): the job exists. The acknowledgement is
            // still owed if the first delivery died before posting it; its claim decides,
            // however long the first delivery legitimately waits.
            tracing::info!(job = %spec.id, "redelivered request; job already exists");
        }
        Err(e) => {
            // Never a silent drop: say so where the request was made, then fail the task.
            let body = Reply::new().mention(user).bot(format!(
                " ⚠️ I could not queue this job: the runner repository did not accept it ({}). Please try again in a few minutes.",
                if e.is_transient() { "a temporary error" } else { "an error" }
            ));
            let _ = app
                .reply_once(forge, thread, &format!("queue-failed-{comment_key}"), &body)
                .await;
            return Err(anyhow::Error::new(e).context(format!("creating job {}", spec.id)));
        }
    }
    let _ = forge.react(thread, ev.source.comment_id, "eyes").await;
    // The canonical command quotes the user's steps: a code span they cannot close.
    let body = Reply::new()
        .mention(user)
        .bot(" 👀 on it: job ")
        .code(spec.id.as_str())
        .bot(" is queued.\n\n> ")
        .code(super::canonical(app, &spec.command))
        .bot("\n\nI'll reply here with the report.");
    app.reply_once(forge, thread, &format!("accepted-{}", spec.id), &body)
        .await?;
    Ok(())
}

/// Why a request is over a limit: the seconds until the next is allowed, and whose limit.
type Limited = (i64, &'static str);

/// Checks the per-user, then the per-repository hourly limit for this comment; `count`
/// records it (once per comment: a second check or a redelivery is not counted again),
/// otherwise the limits are only peeked at. Both are asked before either counts.
fn rate_limit(app: &App, ev: &CommentEvent, count: bool) -> Result<(), Limited> {
    let now = app.clock.now().unix_timestamp();
    let platform = &ev.source.platform;
    let user_key = format!("{platform}:{}", ev.source.user.to_ascii_lowercase());
    let repo_key = format!("{platform}:{}", ev.source.repo.to_ascii_lowercase());
    let request = format!("{platform}:{}:{}", ev.source.repo, ev.source.comment_id);
    let peek = || {
        app.user_limit
            .peek(&user_key, &request, now)
            .map_err(|wait| (wait, "you have"))?;
        app.repo_limit
            .peek(&repo_key, &request, now)
            .map_err(|wait| (wait, "this repository has"))
    };
    peek()?;
    if count {
        app.user_limit
            .check_request(&user_key, &request, now)
            .map_err(|wait| (wait, "you have"))?;
        app.repo_limit
            .check_request(&repo_key, &request, now)
            .map_err(|wait| (wait, "this repository has"))?;
    }
    Ok(())
}

/// The polite refusal of a request over an hourly limit.
async fn refuse_limited(
    app: &App,
    forge: &dyn Conversation,
    thread: &Thread,
    ev: &CommentEvent,
    (wait, who): Limited,
) -> anyhow::Result<()> {
    app.metrics.inc_rate_limited();
    let body = Reply::new().mention(&ev.source.user).bot(format!(
        " {who} reached the hourly limit of simulations; please try again in {}.",
        super::status::age(wait)
    ));
    let key = format!("limited-c{}", ev.source.comment_id);
    app.reply_once(forge, thread, &key, &body).await?;
    Ok(())
}

/// Whether the job finished between the report lookup and the branch creation (another
/// replica committed its report and deleted its branch): then the new branch is removed.
async fn finished_meanwhile(app: &App, spec: &JobSpec) -> anyhow::Result<bool> {
    if !pending::has_report(app, spec).await? {
        return Ok(false);
    }
    tracing::info!(job = %spec.id, "redelivered request finished meanwhile; branch removed");
    app.forges
        .runner
        .delete_branch(&app.config.runner.repo, &spec.id.branch())
        .await?;
    Ok(true)
}

/// The refs a runner benchmarks for a pull request on `platform`.
fn benchmark_job(
    platform: &str,
    number: u64,
    b: crate::config::BenchmarkConfig,
) -> crate::job::BenchmarkJob {
    let (head_ref, base_ref) = match platform {
        "gitlab" => (
            format!("refs/merge-requests/{number}/head"),
            format!("refs/merge-requests/{number}/merge"),
        ),
        _ => (
            format!("refs/pull/{number}/head"),
            format!("refs/pull/{number}/merge"),
        ),
    };
    crate::job::BenchmarkJob {
        clone_url: b.clone_url,
        head_ref,
        base_ref,
        base_branch: None,
        command: b.command,
        repeat: b.repeat,
        threshold_percent: b.threshold_percent,
        timeout_s: b.timeout_s,
    }
}
