//! "Did you mean …?": spots words that look like typos of a command, model, parameter set
//! or keyword, and turns the first one into an error naming the closest valid name.

use super::error::{ErrorKind, ParseError};
use super::registry::{self, NOT_TYPOS, SUGGESTABLE};
use super::vocab::{distance, squash, Vocabulary};

/// A word that looks like a typo of a command, model, set or keyword, as an error.
pub(crate) fn suspect(raw: &str, lower: &str, vocab: &Vocabulary) -> Option<ParseError> {
    if lower.len() < 3 || NOT_TYPOS.contains(&lower) {
        return None;
    }
    let letters = lower.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = &lower[letters.len()..];
    let set_names = || vocab.set_names();
    let sets_list = || set_names().join(", ");
    let yearish = digits.len() == 4 && (digits.starts_with("19") || digits.starts_with("20"));
    if yearish && letters.chars().any(char::is_alphabetic) {
        let names = set_names();
        let squashed: Vec<(String, &str)> = names.iter().map(|s| (squash(s), *s)).collect();
        let suggestion = squashed
            .iter()
            .map(|(sq, name)| (distance(&squash(lower), sq), *name))
            .filter(|(d, _)| *d <= 3)
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| n.to_string());
        let hint = match &suggestion {
            Some(s) => format!("did you mean {s}? Parameter sets: {}", sets_list()),
            None => format!("parameter sets: {}", sets_list()),
        };
        return Some(ParseError::new(
            ErrorKind::UnknownSet {
                name: raw.to_string(),
                suggestion,
            },
            format!("unknown parameter set \"{raw}\""),
            hint,
        ));
    }
    if !digits.is_empty() || !lower.chars().all(char::is_alphabetic) {
        return None;
    }
    let len = lower.chars().count();
    let transposed = |cand: &str| {
        let mut a: Vec<char> = lower.chars().collect();
        let mut b: Vec<char> = cand.to_lowercase().chars().collect();
        a.sort_unstable();
        b.sort_unstable();
        a == b && distance(lower, cand) == 1
    };
    let unknown = |suggestion: &str, what: &str| {
        Some(ParseError::new(
            ErrorKind::UnknownWord {
                word: raw.to_string(),
                suggestion: Some(suggestion.to_string()),
            },
            format!("I don't know \"{raw}\""),
            format!("did you mean {suggestion}? {what}"),
        ))
    };
    let models = vocab.model_names();
    if (3..=4).contains(&len) {
        if let Some(m) = models.iter().find(|m| transposed(m)) {
            return unknown(m, &format!("Models: {}", models.join(", ")));
        }
    }
    for cand in SUGGESTABLE {
        let d = strsim::osa_distance(lower, cand);
        let close = match len {
            0..=3 => false,
            4 => transposed(cand),
            5..=7 => d == 1,
            _ => d <= 2,
        };
        if close && d > 0 {
            let commands: Vec<&str> = registry::COMMANDS.iter().map(|c| c.name).collect();
            return unknown(cand, &format!("Commands: {}", commands.join(", ")));
        }
    }
    if len >= 4 {
        for name in &set_names() {
            let stem: String = squash(name)
                .trim_end_matches(|c: char| c.is_ascii_digit())
                .to_string();
            if stem == lower {
                return Some(ParseError::new(
                    ErrorKind::UnknownSet {
                        name: raw.to_string(),
                        suggestion: Some(name.to_string()),
                    },
                    format!("unknown parameter set \"{raw}\""),
                    format!("did you mean {name}? Parameter sets: {}", sets_list()),
                ));
            }
        }
    }
    None
}
