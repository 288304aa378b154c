//! Dispatches a comment to the handler of its command: one file per command, plus
//! the access rules and the pending-job lookup they share.

pub mod abort;
pub mod access;
pub mod drive_csv;
pub mod help;
pub mod pending;
pub mod simulate;
pub mod status;

use crate::command::{self, Command, ParseContext, StepProblem};
use crate::forge::Thread;
use crate::reply::Reply;
use crate::sim::experiment;

use super::event::CommentEvent;
use super::App;

/// The sim's step parser, as the command parser's step check.
pub fn step_check(step: &str) -> Result<(), StepProblem> {
    experiment::parse_step(step)
        .map(|_| ())
        .map_err(|e| StepProblem {
            message: if e.word.is_empty() {
                "the step is incomplete".to_string()
            } else {
                format!("unexpected {:?}", e.word)
            },
            word: (!e.word.is_empty()).then(|| e.word.clone()),
            hint: Some(e.hint.clone()),
        })
}

/// Handles with the names a user may mention the bot by.
pub fn bot_names(app: &App) -> Vec<String> {
    let name = app.config.bot_name.clone();
    let mut names = vec![name.clone(), format!("{name}_")];
    if let Some(id) = app
        .config
        .slack
        .as_ref()
        .and_then(|s| s.bot_user_id.clone())
    {
        names.push(id);
    }
    // Fediverse and Bluesky handles: `@battbot@fediscience.org`, `@battbot.bsky.social`.
    let handles = [
        app.config.mastodon.as_ref().and_then(|m| m.handle.clone()),
        app.config.bluesky.as_ref().and_then(|b| b.handle.clone()),
    ];
    for h in handles.into_iter().flatten() {
        let h = h.trim_start_matches('@').to_string();
        if let Some((user, _)) = h.split_once('@') {
            names.push(user.to_string());
        }
        if !h.is_empty() {
            names.push(h);
        }
    }
    names
}

/// Parses a comment with the app's vocabulary and limits.
pub fn parse(app: &App, text: &str) -> Result<Option<Command>, command::ParseError> {
    let check = step_check;
    let cx = ParseContext {
        bot_names: bot_names(app),
        vocabulary: &app.vocabulary,
        limits: &app.config.limits,
        step_check: Some(&check),
    };
    command::parse(text, &cx)
}

/// The canonical text of a command, as replies echo it.
pub fn canonical(app: &App, cmd: &Command) -> String {
    let cx = ParseContext {
        bot_names: bot_names(app),
        vocabulary: &app.vocabulary,
        limits: &app.config.limits,
        step_check: None,
    };
    command::canonical(cmd, &cx)
}

/// Replies to a request the bot cannot run (a parse or validation error); nothing is committed.
pub(super) async fn refuse(
    app: &App,
    forge: &dyn crate::forge::Conversation,
    thread: &Thread,
    ev: &CommentEvent,
    e: &command::ParseError,
) -> anyhow::Result<()> {
    app.metrics.inc_job_rejected();
    // The error quotes the user's words: they stay escaped text.
    let body = Reply::new()
        .mention(&ev.source.user)
        .bot(" I could not read that: ")
        .text(&e.error)
        .bot("\n\n")
        .text(&e.hint);
    let key = format!("error-c{}", ev.source.comment_id);
    app.reply_once(forge, thread, &key, &body).await?;
    Ok(())
}

/// On Twitter a mention that names no command (a question, an unknown verb) is answered
/// only when the tweet addresses the bot first — a reply to the bot starts with its handle;
/// a plain mention in passing stays ignored, so the bot never spams conversations.
fn plain_mention_chatter(app: &App, ev: &CommentEvent, e: &command::ParseError) -> bool {
    if !matches!(
        ev.source.platform.as_str(),
        "twitter" | "mastodon" | "bluesky"
    ) || !matches!(*e.kind, command::ErrorKind::NotACommand { .. })
    {
        return false;
    }
    !starts_with_mention(&ev.body, &bot_names(app))
}

/// Whether `body` begins with a mention of one of `names` (as a reply to the bot does).
fn starts_with_mention(body: &str, names: &[String]) -> bool {
    let first = body.split_whitespace().next().unwrap_or("");
    let Some(first) = first.strip_prefix('@') else {
        return false;
    };
    let first = first.trim_end_matches([':', ',', '!', '?']);
    names.iter().any(|n| n.eq_ignore_ascii_case(first))
}

/// Whether a comment author is the bot itself.
fn is_self(app: &App, ev: &CommentEvent) -> bool {
    let me = app.config.bot_name.to_ascii_lowercase();
    let user = ev.source.user.to_ascii_lowercase();
    ev.author_is_bot || user == me || user == format!("{me}[bot]")
}

/// Entry point of every comment event.
pub async fn handle_comment(app: &App, ev: CommentEvent) -> anyhow::Result<()> {
    if is_self(app, &ev) {
        return Ok(());
    }
    let forge = app.conversation_forge(&ev.source.platform)?;
    let thread = Thread::of(&ev.source);
    let cmd = match parse(app, &ev.body) {
        Ok(None) => return Ok(()),
        Ok(Some(cmd)) => cmd,
        Err(e) if plain_mention_chatter(app, &ev, &e) => return Ok(()),
        Err(e) => return refuse(app, forge.as_ref(), &thread, &ev, &e).await,
    };
    match cmd {
        Command::Help => help::run(app, forge.as_ref(), &thread, &ev).await,
        Command::Status => status::run(app, forge.as_ref(), &thread, &ev).await,
        Command::Abort => abort::run(app, forge.as_ref(), &thread, &ev).await,
        Command::Simulate { .. } | Command::Compare { .. } | Command::Runbenchmarks => {
            simulate::run(app, forge.as_ref(), &thread, &ev, cmd).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::starts_with_mention;

    #[test]
    fn twitter_answers_chatter_only_when_addressed_first() {
        let names = vec!["battbot".to_string(), "battbot_".to_string()];
        assert!(starts_with_mention(
            "@battbot_ what models do you have?",
            &names
        ));
        assert!(starts_with_mention("@BattBot_: frobnicate", &names));
        assert!(!starts_with_mention("loving @battbot_ what a bot", &names));
        assert!(!starts_with_mention(
            "@alice @battbot_ is it any good?",
            &names
        ));
        assert!(!starts_with_mention("battbot_ what?", &names));
        assert!(!starts_with_mention("", &names));
    }
}
