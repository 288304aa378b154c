//! "Did you mean …?": explains a word the reader could not use — a near miss of a command,
//! model, parameter set, keyword or unit gets the closest valid name, a known concept (CCCV,
//! GITT, LFP) gets a hint, anything else says what battbot understands.

use super::error::{ErrorKind, ParseError};
use super::filler::concept;
use super::numbers::split_number;
use super::registry::{self, NOT_TYPOS, SUGGESTABLE};
use super::vocab::{distance, squash, Vocabulary};

/// A word (or quoted text) of a request that the reader could not use.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Unknown {
    pub word: String,
    /// The closest valid name, if one is close.
    pub suggestion: Option<String>,
    /// One sentence of help about this word.
    pub hint: String,
    /// The word looks like a parameter set (letters and a year).
    pub set_like: bool,
}

const WHAT_I_KNOW: &str = "I understand models (SPM, SPMe, DFN), parameter sets (e.g. Chen2020), C-rates (2C, C/10), temperatures (25°C, 298K), cycles (x3), lumped, sei=…, plating=…, quoted steps (\"Rest for 1 hour\") and \"Parameter name [unit]\"=value; \"@battbot help\" lists them all";

/// Units a number may carry outside a step, for "did you mean".
const UNITS: &[&str] = &["c", "°c", "k", "x"];

fn commands_list() -> String {
    let names: Vec<&str> = registry::COMMANDS.iter().map(|c| c.name).collect();
    names.join(", ")
}

/// The command closest to `word` (always one: the reply names it).
pub(crate) fn closest_command(word: &str) -> (&'static str, usize) {
    registry::COMMANDS
        .iter()
        .flat_map(|c| c.words.iter().map(move |w| (distance(word, w), c.name)))
        .min_by_key(|(d, _)| *d)
        .map_or(("help", usize::MAX), |(d, n)| (n, d))
}

/// Explains `raw` (lower-cased `lower`), a word the reader could not use.
pub(crate) fn explain(raw: &str, lower: &str, vocab: &Vocabulary) -> Unknown {
    let squashed = squash(lower);
    let unknown = |suggestion: Option<&str>, hint: String, set_like: bool| Unknown {
        word: raw.to_string(),
        suggestion: suggestion.map(str::to_string),
        hint,
        set_like,
    };
    if let Some((what, how)) = concept(&squashed) {
        return unknown(None, format!("\"{raw}\" looks like {what}: {how}"), false);
    }
    let sets_list = || vocab.set_names().join(", ");
    let models_list = || vocab.model_names().join(", ");
    if let Some((num, rest)) = split_number(lower) {
        if rest.is_empty() {
            return unknown(
                None,
                format!("a bare number means nothing to me: write {num}C for a C-rate, {num}°C for a temperature or x{num} for cycles"),
                false,
            );
        }
        let close = UNITS
            .iter()
            .map(|u| (strsim::osa_distance(rest, u), *u))
            .filter(|(d, _)| *d == 1)
            .min_by_key(|(d, _)| *d);
        let hint = "numbers need a unit: 2C or C/10 (C-rate), 25°C or 298K (temperature), x3 (cycles); currents, voltages and times belong in a quoted step such as \"Discharge at 2 A for 3 hours\"";
        return match close {
            Some((_, u)) => {
                let s = if u == "x" {
                    format!("x{num}")
                } else {
                    format!("{num}{}", u.to_uppercase())
                };
                unknown(Some(&s), format!("did you mean {s}? {hint}"), false)
            }
            None => unknown(None, hint.to_string(), false),
        };
    }
    let letters = squashed.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = &squashed[letters.len()..];
    let has_letters = letters.chars().any(char::is_alphabetic);
    // Parameter sets: letters and digits ("Chen202", "Ecker201", "Marquis2020"), or a set's
    // name without its year ("chen").
    let sets: Vec<(String, &str)> = vocab
        .parameter_sets
        .iter()
        .map(|s| (squash(&s.name), s.name.as_str()))
        .collect();
    if has_letters && !digits.is_empty() {
        let yearish = digits.len() == 4 && (digits.starts_with("19") || digits.starts_with("20"));
        let max = if yearish { 3 } else { 2 };
        let best = sets
            .iter()
            .map(|(sq, name)| (strsim::osa_distance(&squashed, sq), *name))
            .filter(|(d, _)| *d <= max)
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| n);
        if best.is_some() || yearish {
            let hint = match best {
                Some(s) => format!("did you mean {s}? Parameter sets: {}", sets_list()),
                None => format!("parameter sets: {}", sets_list()),
            };
            return unknown(best, hint, true);
        }
    }
    let len = lower.chars().count();
    // Models: one edit from SPM, SPMe or DFN ("DFM", "SPNe", "SMP").
    if (3..=5).contains(&len) {
        let near = vocab
            .model_names()
            .into_iter()
            .map(|m| (distance(&squashed, m), squashed.len().abs_diff(m.len()), m))
            .filter(|(d, _, _)| *d == 1)
            .min_by_key(|(d, len, _)| (*d, *len))
            .map(|(_, _, m)| m);
        if let Some(m) = near {
            return unknown(
                Some(m),
                format!("did you mean {m}? Models: {}", models_list()),
                false,
            );
        }
    }
    // Bare option words: "craking" → cracking, "porosity-chnage" → porosity-change.
    if len >= 6 {
        let near = super::vocab::BARE_OPTIONS
            .iter()
            .map(|(w, what)| (strsim::osa_distance(&squashed, &squash(w)), *w, *what))
            .filter(|(d, _, _)| *d <= 2)
            .min_by_key(|(d, _, _)| *d);
        if let Some((_, w, what)) = near {
            return unknown(Some(w), format!("did you mean {w}? It sets {what}"), false);
        }
    }
    if !NOT_TYPOS.contains(&lower) && len >= 4 && lower.chars().all(char::is_alphabetic) {
        for cand in SUGGESTABLE {
            let d = strsim::osa_distance(lower, cand);
            let close = match len {
                4 => d == 1 && sorted(lower) == sorted(cand),
                5..=7 => d == 1,
                _ => d <= 2,
            };
            if close && d > 0 {
                return unknown(
                    Some(cand),
                    format!("did you mean {cand}? Commands: {}", commands_list()),
                    false,
                );
            }
        }
        for (sq, name) in &sets {
            if sq.trim_end_matches(|c: char| c.is_ascii_digit()) == squashed {
                return unknown(
                    Some(name),
                    format!("did you mean {name}? Parameter sets: {}", sets_list()),
                    true,
                );
            }
        }
    }
    // Full model names with a typo ("Doyle-Fuller-Newmann").
    if len >= 8 {
        for m in &vocab.models {
            if m.aliases
                .iter()
                .any(|a| distance(&squashed, &squash(a)) <= 2)
            {
                return unknown(
                    Some(&m.canonical),
                    format!("did you mean {}? Models: {}", m.canonical, models_list()),
                    false,
                );
            }
        }
    }
    unknown(None, WHAT_I_KNOW.to_string(), false)
}

fn sorted(s: &str) -> Vec<char> {
    let mut v: Vec<char> = s.chars().collect();
    v.sort_unstable();
    v
}

/// Shortens user text quoted back in an error.
fn shown(word: &str) -> String {
    const MAX: usize = 40;
    if word.chars().count() <= MAX {
        word.to_string()
    } else {
        let head: String = word.chars().take(MAX).collect();
        format!("{head}…")
    }
}

/// The error for words the reader could not use: what it read, and each word it could not,
/// with its suggestion.
pub(crate) fn unknown_words(read: &[String], unknown: &[Unknown]) -> ParseError {
    const LISTED: usize = 5;
    let words: Vec<String> = unknown
        .iter()
        .take(LISTED)
        .map(|u| match &u.suggestion {
            Some(s) => format!("\"{}\" (did you mean {s}?)", shown(&u.word)),
            None => format!("\"{}\"", shown(&u.word)),
        })
        .collect();
    let mut list = words.join(" or ");
    if unknown.len() > LISTED {
        list.push_str(&format!(" and {} more", unknown.len() - LISTED));
    }
    let read: Vec<String> = read.iter().map(|r| shown(r)).collect();
    let error = if read.is_empty() {
        format!("I could not read {list}")
    } else {
        format!("I read \"{}\" but not {list}", read.join(" "))
    };
    let first = &unknown[0];
    let kind = if first.set_like {
        ErrorKind::UnknownSet {
            name: first.word.clone(),
            suggestion: first.suggestion.clone(),
        }
    } else {
        ErrorKind::UnknownWord {
            word: first.word.clone(),
            suggestion: first.suggestion.clone(),
        }
    };
    ParseError::new(kind, error, first.hint.clone())
}

/// The reply to a paragraph addressed to the bot that names no command: an unknown verb
/// (`frobnicate`) or a question ("what models do you have?").
pub(crate) fn not_a_command(first_word: Option<&str>, question: bool, topic: &str) -> ParseError {
    let summary = |name: &str| {
        registry::COMMANDS
            .iter()
            .find(|c| c.name == name)
            .map_or("", |c| c.summary)
    };
    let mut did_you_mean = String::new();
    let (error, closest) = match (question, first_word) {
        (true, _) | (false, None) => (
            "I answer commands, not questions in prose".to_string(),
            topic.to_string(),
        ),
        (false, Some(w)) => {
            let (name, d) = closest_command(w);
            if d <= 2 {
                did_you_mean = format!("did you mean {name}? ");
            }
            (
                format!("I don't know the command \"{}\"", shown(w)),
                name.to_string(),
            )
        }
    };
    let hint = format!(
        "{did_you_mean}the closest command is \"@battbot {closest}\" ({}); commands: {}. \"@battbot help\" lists models, parameter sets and options",
        summary(&closest),
        commands_list()
    );
    ParseError::new(
        ErrorKind::NotACommand {
            word: first_word.map(str::to_string),
            closest,
            question,
        },
        error,
        hint,
    )
}
