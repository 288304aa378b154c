//! Defines `ParseError`: a one-line message and a hint for the user (printed as
//! `{"error":…,"hint":…}`), with the kind of problem as data for the caller.

use serde::Serialize;

/// What went wrong, with the data a caller may want to act on.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ErrorKind {
    #[error("unknown word {word:?}")]
    UnknownWord {
        word: String,
        suggestion: Option<String>,
    },
    /// Text addressed to the bot that names no command: an unknown verb or a question.
    #[error("not a command (closest: {closest})")]
    NotACommand {
        word: Option<String>,
        closest: String,
        question: bool,
    },
    #[error("unknown parameter {name:?}")]
    UnknownParameter {
        name: String,
        suggestion: Option<String>,
    },
    /// The simulator (or a range check) refuses a run's value.
    #[error("invalid {what}")]
    Invalid { what: String },
    #[error("unknown parameter set {name:?}")]
    UnknownSet {
        name: String,
        suggestion: Option<String>,
    },
    #[error("step {step:?} cannot be read")]
    BadStep { step: String, word: Option<String> },
    #[error("bad value {text:?}")]
    BadValue { text: String },
    #[error("conflicting request: {what}")]
    Conflict { what: String },
    #[error("compare needs at least two runs, got {runs}")]
    NotAComparison { runs: usize },
    #[error("{runs} runs, limit {max}")]
    TooManyRuns { runs: usize, max: usize },
    #[error("{steps} steps, limit {max}")]
    TooManySteps { steps: usize, max: usize },
    #[error("{cycles} cycles, limit {max}")]
    TooManyCycles { cycles: u32, max: u32 },
    #[error("{hours} simulated hours, limit {max}")]
    SimulatedTime { hours: f64, max: f64 },
    #[error("C-rate {c_rate}")]
    CRate { c_rate: f64 },
    #[error("temperature {celsius} °C")]
    Temperature { celsius: f64 },
    #[error("unknown variable {name:?}")]
    UnknownVariable {
        name: String,
        suggestion: Option<String>,
    },
    #[error("{plots} plots, limit {max}")]
    TooManyPlots { plots: usize, max: usize },
    #[error("drive cycle of {rows} rows, limit {max}")]
    DriveCycle { rows: usize, max: usize },
}

/// A command the bot cannot run, explained for the user who typed it.
#[derive(Clone, Debug, PartialEq, Serialize, thiserror::Error)]
#[error("{error} (hint: {hint})")]
pub struct ParseError {
    pub error: String,
    pub hint: String,
    #[serde(skip)]
    pub kind: Box<ErrorKind>,
    /// For a step that failed: the step on one line and a caret line under the bad word
    /// (for replies that can show a code block).
    #[serde(skip)]
    pub pointer: Option<String>,
}

impl ParseError {
    pub(crate) fn new(kind: ErrorKind, error: impl Into<String>, hint: impl Into<String>) -> Self {
        ParseError {
            error: error.into(),
            hint: hint.into(),
            kind: Box::new(kind),
            pointer: None,
        }
    }
}

/// `step` with a caret line under the first whole-word occurrence of `word`.
pub(crate) fn point_at(step: &str, word: &str) -> Option<String> {
    if word.is_empty() {
        return None;
    }
    let mut from = 0;
    while let Some(found) = step[from..].find(word) {
        let at = from + found;
        let end = at + word.len();
        let before_ok = step[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = step[end..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        if before_ok && after_ok {
            let pad = step[..at].chars().count();
            let carets = word.chars().count();
            return Some(format!("{step}\n{}{}", " ".repeat(pad), "^".repeat(carets)));
        }
        from = end;
    }
    None
}
