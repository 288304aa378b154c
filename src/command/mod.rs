//! PLACEHOLDER (dev only, replaced by the command developer's module).
use crate::sim::SimSpec;
use serde::{Deserialize, Serialize};
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
pub struct Vocabulary;
impl Vocabulary {
    pub fn builtin() -> Self {
        Vocabulary
    }
}
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Limits {
    pub max_runs: usize,
}
pub struct StepProblem {
    pub message: String,
    pub word: Option<String>,
    pub hint: Option<String>,
}
pub struct ParseContext<'a> {
    pub bot_names: Vec<String>,
    pub vocabulary: &'a Vocabulary,
    pub limits: &'a Limits,
    pub step_check: Option<&'a dyn Fn(&str) -> Result<(), StepProblem>>,
}
#[derive(Debug, Serialize)]
pub struct ParseError {
    pub error: String,
    pub hint: String,
}
pub fn parse(text: &str, _cx: &ParseContext) -> Result<Option<Command>, ParseError> {
    if !_cx
        .bot_names
        .iter()
        .any(|n| text.contains(&format!("@{n}")))
    {
        return Ok(None);
    }
    if text.contains("help") {
        return Ok(Some(Command::Help));
    }
    if text.contains("runbenchmarks") {
        return Ok(Some(Command::Runbenchmarks));
    }
    if text.contains("status") {
        return Ok(Some(Command::Status));
    }
    if text.contains("abort") {
        return Ok(Some(Command::Abort));
    }
    if text.contains("bogus") {
        return Err(ParseError {
            error: "unknown".into(),
            hint: "try help".into(),
        });
    }
    Ok(Some(Command::Simulate {
        runs: vec![SimSpec {
            model: "SPM".into(),
            parameter_set: "Chen2020".into(),
            experiment: vec!["Discharge at 1C until 2.5 V".into()],
            thermal: None,
            ambient_temperature_c: None,
            parameters: Default::default(),
            cycles: None,
            options: Default::default(),
        }],
    }))
}
pub fn canonical(cmd: &Command, _cx: &ParseContext) -> String {
    format!("{cmd:?}")
}
pub fn help_text(_cx: &ParseContext) -> String {
    "help".into()
}
