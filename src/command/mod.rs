//! Turns comment, note, tweet and Slack text into a `Command` (one parser for every
//! platform), and back into canonical text; generates `help` from the same registry.

mod build;
mod canonical;
mod error;
mod filler;
mod grammar;
mod help;
mod lexer;
mod limits;
mod numbers;
mod plot;
mod registry;
mod steps;
mod suggest;
mod text;
mod validate;
mod vocab;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_plot;
#[cfg(test)]
mod tests_props;
#[cfg(test)]
mod tests_words;

use serde::{Deserialize, Serialize};

use crate::sim::SimSpec;

pub use canonical::canonical;
pub use error::{ErrorKind, ParseError};
pub use filler::{COURTESY, FILLER};
pub use help::{help_text, README_SECTION};
pub use limits::check as check_limits;
pub use limits::Limits;
pub use plot::{is_distributed, known_variables, MAX_NAME_CHARS, MAX_PLOTS};
pub use registry::{CommandSpec, Verb, COMMANDS};
pub use steps::{read_step, StepInfo, StepProblem};
pub use text::BOT_COMMENT_MARKER;
pub use validate::validate;
pub use vocab::{ModelEntry, SetEntry, Vocabulary, DEGRADATION};

/// What a user asked the bot to do (JSON as in DESIGN §5).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "lowercase")]
pub enum Command {
    Simulate { runs: Vec<SimSpec> },
    Compare { runs: Vec<SimSpec> },
    Help,
    Status,
    Abort,
    Runbenchmarks,
}

impl Command {
    /// The runs of `simulate` and `compare`; empty for the others.
    pub fn runs(&self) -> &[SimSpec] {
        match self {
            Command::Simulate { runs } | Command::Compare { runs } => runs,
            _ => &[],
        }
    }
}

/// What the parser needs from its caller.
pub struct ParseContext<'a> {
    /// Handles the bot answers to, without `@` (e.g. "battbot", "battbot_", a Slack user id).
    pub bot_names: Vec<String>,
    pub vocabulary: &'a Vocabulary,
    pub limits: &'a Limits,
    /// The sim's step parser; without it steps are checked by [`read_step`].
    pub step_check: Option<&'a StepCheckFn>,
}

/// The signature of the injected step check (the sim's step parser).
pub type StepCheckFn = dyn Fn(&str) -> Result<(), StepProblem>;

/// Parses `text`. `Ok(None)`: the text asks nothing of the bot (no mention, only code or
/// quotes, the bot's own reply, a retweet, or a mention without a request).
pub fn parse(text: &str, cx: &ParseContext) -> Result<Option<Command>, ParseError> {
    parse_checked(text, cx, false)
}

/// Parses text already addressed to the bot — a Slack slash command's text, a direct
/// message, `battbot parse "simulate DFN"` — so no mention is needed (one still may be there).
pub fn parse_addressed(text: &str, cx: &ParseContext) -> Result<Option<Command>, ParseError> {
    parse_checked(text, cx, true)
}

fn parse_checked(
    text: &str,
    cx: &ParseContext,
    addressed: bool,
) -> Result<Option<Command>, ParseError> {
    let cmd = parse_unchecked(
        text,
        cx.bot_names.as_slice(),
        cx.vocabulary,
        cx.step_check,
        cx.limits.max_runs,
        addressed,
    )?;
    if let Some(cmd) = &cmd {
        limits::check(cmd.runs(), cx.limits, cx.vocabulary)?;
    }
    Ok(cmd)
}

/// Parses without enforcing limits other than the number of runs.
pub(crate) fn parse_unchecked(
    text: &str,
    bot_names: &[String],
    vocab: &Vocabulary,
    step_check: build::StepCheck,
    max_runs: usize,
    addressed: bool,
) -> Result<Option<Command>, ParseError> {
    if text::never_a_request(text) {
        return Ok(None);
    }
    let cleaned = text::strip_non_requests(text);
    let mut paragraphs = text::addressed_paragraphs(&cleaned, bot_names);
    if addressed && paragraphs.is_empty() {
        paragraphs.push(cleaned);
    }
    for para in paragraphs {
        let tokens = lexer::tokenize(&para);
        let req = grammar::read(&tokens, &para, vocab)?;
        if let Some(cmd) = build::command(req, vocab, step_check, max_runs)? {
            return Ok(Some(cmd));
        }
    }
    Ok(None)
}
