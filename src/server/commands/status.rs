//! `status`: the pending jobs of this conversation, with their age and queue position.

use crate::forge::{Conversation, Thread};

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

pub async fn run(
    app: &App,
    forge: &dyn Conversation,
    thread: &Thread,
    ev: &CommentEvent,
) -> anyhow::Result<()> {
    let now = app.clock.now().unix_timestamp();
    let everything = pending::all(app, "").await?;
    let mine: Vec<_> = everything
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.spec.source.platform == ev.source.platform
                && p.spec.source.repo == ev.source.repo
                && p.spec.source.number == ev.source.number
        })
        .collect();
    let body = if mine.is_empty() {
        format!(
            "@{} no job of this conversation is pending.",
            ev.source.user
        )
    } else {
        let mut lines = vec![format!("@{} pending jobs here:", ev.source.user)];
        for (position, job) in mine {
            // Only benchmarks report progress: no reads for jobs that never write any.
            let progress = if job.spec.benchmark.is_some() {
                crate::server::callback::read_progress(app, job.spec.id.as_str())
                    .await?
                    .map(|p| format!(", running: {} {} of {} done", p.unit, p.done, p.total))
                    .unwrap_or_default()
            } else {
                String::new()
            };
            lines.push(format!(
                "- `{}` by @{}, queued {} ago, position {} of {} in the queue{progress}",
                job.spec.id,
                job.spec.source.user,
                age(now - job.branch.committed_at),
                position + 1,
                everything.len()
            ));
        }
        lines.join("\n")
    };
    let key = format!("status-c{}", ev.source.comment_id);
    app.reply_once(forge, thread, &key, &body).await?;
    Ok(())
}
