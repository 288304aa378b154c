//! `status`: the pending jobs of this conversation, with their age and queue position.

use crate::forge::{Conversation, Thread};
use crate::reply::Reply;

use super::super::event::CommentEvent;
use super::super::App;
use super::pending;

/// "3 min", "2 h 5 min" …
pub fn age(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min", s / 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// How many `status` requests one user may make per hour: each costs forge reads.
pub const STATUS_PER_USER_PER_HOUR: usize = 20;

pub async fn run(
    app: &App,
    forge: &dyn Conversation,
    thread: &Thread,
    ev: &CommentEvent,
) -> anyhow::Result<()> {
    let now = app.clock.now().unix_timestamp();
    let user_key = format!(
        "status:{}:{}",
        ev.source.platform,
        ev.source.user.to_ascii_lowercase()
    );
    if app.status_limit.check(&user_key, now).is_err() {
        // No reply either: a flood of `status` must cost nothing.
        app.metrics.inc_rate_limited();
        tracing::info!(user = %ev.source.user, "status rate-limited");
        return Ok(());
    }
    // Only this thread's job specs are read; the queue position needs one branch listing.
    let mine = pending::for_thread(app, &ev.source).await?;
    let queue = if mine.is_empty() {
        Vec::new()
    } else {
        app.forges
            .runner
            .list_branches(&app.config.runner.repo, crate::job::BRANCH_PREFIX)
            .await?
    };
    let user = &ev.source.user;
    let body = if mine.is_empty() {
        Reply::new()
            .mention(user)
            .bot(" no job of this conversation is pending.")
    } else {
        let mut body = Reply::new().mention(user).bot(" pending jobs here:");
        for job in &mine {
            let position = queue
                .iter()
                .filter(|b| b.committed_at < job.branch.committed_at)
                .count();
            // Only benchmarks report progress: no reads for jobs that never write any.
            let progress = if job.spec.benchmark.is_some() {
                crate::server::progress::read(app, job.spec.id.as_str()).await?
            } else {
                None
            };
            body = body
                .bot("\n- ")
                .code(job.spec.id.as_str())
                .bot(" by ")
                .code(&job.spec.source.user)
                .bot(format!(
                    ", queued {} ago, position {} of {} in the queue",
                    age(now - job.branch.committed_at),
                    position + 1,
                    queue.len().max(position + 1)
                ));
            if let Some(p) = progress {
                body = body
                    .bot(", running: ")
                    .text(p.unit)
                    .bot(format!(" {} of {} done", p.done, p.total));
            }
        }
        body
    };
    let key = format!("status-c{}", ev.source.comment_id);
    app.reply_once(forge, thread, &key, &body).await?;
    Ok(())
}
