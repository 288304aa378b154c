//! `plot "VARIABLE"` in a request: the name, hostile text, is only ever matched against the
//! variables battbot's models offer (PyBaMM's names) and replaced by the known name; a near
//! miss gets the closest names, and the count and length limits hold before any matching.

use std::sync::OnceLock;

use super::error::{ErrorKind, ParseError};
use crate::sim::{SimSpec, Simulation};

/// Variable panels one request may add to its figure.
pub const MAX_PLOTS: usize = 4;
/// Longest variable name read (PyBaMM's longest is under 90 characters).
pub const MAX_NAME_CHARS: usize = 120;
/// How much of a refused name an error shows (it is escaped by the reply in any case).
const SHOWN_CHARS: usize = 48;

/// Every variable any model offers, by PyBaMM's name, with whether it is distributed (in x
/// or r) — computed once from the models themselves.
pub fn known_variables() -> &'static [(&'static str, bool)] {
    static KNOWN: OnceLock<Vec<(&'static str, bool)>> = OnceLock::new();
    KNOWN.get_or_init(|| {
        let mut out: Vec<(&'static str, bool)> = Vec::new();
        for model in crate::sim::model_names() {
            for thermal in ["isothermal", "lumped"] {
                let mut spec = SimSpec::new(model, "Chen2020", &["Rest for 1 minute"]);
                spec.thermal = Some(thermal.to_string());
                let Ok(sim) = Simulation::build(&spec) else {
                    continue;
                };
                for name in sim.variable_names() {
                    if !out.iter().any(|(n, _)| *n == name) {
                        out.push((name, sim.variable_is_distributed(name)));
                    }
                }
            }
        }
        out
    })
}

/// Whether the known variable `name` is distributed (in x or r).
pub fn is_distributed(name: &str) -> bool {
    known_variables().iter().any(|(n, d)| *n == name && *d)
}

/// Case folded, whitespace collapsed: how a typed name is compared with the known ones.
fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The start of a refused name, for the error line (never the whole of a long text).
fn shown(typed: &str) -> String {
    let mut s: String = typed.chars().take(SHOWN_CHARS).collect();
    if typed.chars().count() > SHOWN_CHARS {
        s.push('…');
    }
    s
}

/// PyBaMM's name of the variable `typed` names (case and spacing aside), or an error with
/// the closest names.
pub(crate) fn variable(typed: &str) -> Result<&'static str, ParseError> {
    let chars = typed.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(ParseError::new(
            ErrorKind::BadValue {
                text: shown(typed),
            },
            format!("the name to plot is {chars} characters long; variable names are at most {MAX_NAME_CHARS}"),
            "plot takes a PyBaMM variable name, e.g. plot \"Electrolyte concentration [mol.m-3]\"; `battbot variables --model DFN` lists them",
        ));
    }
    let key = fold(typed);
    if crate::sim::variables::CSV_COLUMNS
        .iter()
        .any(|c| fold(c) == key)
    {
        return Err(ParseError::new(
            ErrorKind::BadValue {
                text: shown(typed),
            },
            format!("\"{}\" is in every figure already", shown(typed)),
            "plot adds a panel for another PyBaMM variable, e.g. plot \"Electrolyte concentration [mol.m-3]\"",
        ));
    }
    let known = known_variables();
    if let Some((name, _)) = known.iter().find(|(n, _)| fold(n) == key) {
        return Ok(name);
    }
    let names: Vec<&str> = known.iter().map(|(n, _)| *n).collect();
    let close = crate::sim::variables::closest(typed.trim(), &names);
    let hint = match close.as_slice() {
        [] => "plot takes a PyBaMM variable name with its unit, e.g. plot \"Electrolyte concentration [mol.m-3]\"; `battbot variables --model DFN` lists them".to_string(),
        c => format!(
            "did you mean {}? Names are PyBaMM's, with their units; `battbot variables --model DFN` lists them",
            c.iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    };
    Err(ParseError::new(
        ErrorKind::UnknownVariable {
            name: shown(typed),
            suggestion: close.first().cloned(),
        },
        format!("battbot has no variable \"{}\" to plot", shown(typed)),
        hint,
    ))
}

/// More than [`MAX_PLOTS`] plots, refused before any name is matched.
pub(crate) fn too_many(count: usize) -> ParseError {
    ParseError::new(
        ErrorKind::TooManyPlots {
            plots: count,
            max: MAX_PLOTS,
        },
        format!("at most {MAX_PLOTS} variables can be plotted in one request"),
        format!("keep the {MAX_PLOTS} that matter most; every variable of the run is in result.json with `battbot solve --json`"),
    )
}
