//! `help`: the command reference, generated from the parser's registry.

use crate::command::{self, ParseContext};
use crate::forge::{Conversation, Thread};
use crate::reply::Reply;

use super::super::event::CommentEvent;
use super::super::App;

pub async fn run(
    app: &App,
    forge: &dyn Conversation,
    thread: &Thread,
    ev: &CommentEvent,
) -> anyhow::Result<()> {
    let help = {
        let cx = ParseContext {
            bot_names: super::bot_names(app),
            vocabulary: &app.vocabulary,
            limits: &app.config.limits,
            step_check: None,
        };
        command::help_text(&cx)
    };
    let mut body = Reply::new().bot(help);
    if !app.config.homepage_url.is_empty() {
        body = body.bot("\n\nMore: ").link(&app.config.homepage_url);
    }
    let key = format!("help-c{}", ev.source.comment_id);
    app.reply_once(forge, thread, &key, &body).await?;
    Ok(())
}
