//! `abort`: cancels this conversation's pending job — pipeline cancelled, branch deleted.
//! Open to all (the requester may abort their own job), so bounded per user like `status`.

use crate::forge::{Conversation, Thread};
use crate::reply::Reply;

use super::super::event::CommentEvent;
use super::super::App;
use super::{access, pending};

pub async fn run(
    app: &App,
    forge: &dyn Conversation,
    thread: &Thread,
    ev: &CommentEvent,
) -> anyhow::Result<()> {
    let key = format!("abort-c{}", ev.source.comment_id);
    let user = &ev.source.user;
    // Anyone may ask, and finding the pending jobs costs forge reads: bounded per user before
    // any, as `status` is (its own count, the same limit).
    let now = app.clock.now().unix_timestamp();
    let user_key = format!("abort:{}:{}", ev.source.platform, user.to_ascii_lowercase());
    if app.status_limit.check(&user_key, now).is_err() {
        // No reply either: a flood of `abort` must cost nothing.
        app.metrics.inc_rate_limited();
        tracing::info!(user = %user, "abort rate-limited");
        return Ok(());
    }
    let jobs = pending::for_thread(app, &ev.source).await?;
    let allowed = |owner: &str| owner.eq_ignore_ascii_case(user);
    if jobs.is_empty() {
        let body = Reply::new()
            .mention(user)
            .bot(" there is no pending job here to abort.");
        app.reply_once(forge, thread, &key, &body).await?;
        return Ok(());
    }
    let may = match access::check(app, forge, &ev.source).await? {
        access::Access::Granted => true,
        access::Access::Denied(_) => jobs.iter().all(|j| allowed(&j.spec.source.user)),
    };
    if !may {
        let body = Reply::new()
            .mention(user)
            .bot(" only the requester or a maintainer can abort this job.");
        app.reply_once(forge, thread, &key, &body).await?;
        return Ok(());
    }
    let runner = &app.forges.runner;
    let mut ids = Vec::new();
    for job in &jobs {
        runner
            .cancel_pipeline(&app.config.runner.repo, &job.branch.name)
            .await?;
        runner
            .delete_branch(&app.config.runner.repo, &job.branch.name)
            .await?;
        ids.push(job.spec.id.to_string());
    }
    let mut body = Reply::new().mention(user).bot(" aborted ");
    for (i, id) in ids.iter().enumerate() {
        body = body.bot(if i == 0 { "" } else { ", " }).code(id);
    }
    let body = body.bot(".");
    app.reply_once(forge, thread, &key, &body).await?;
    Ok(())
}
