//! Reads PyBaMM step strings just far enough to check them and to bound a command's
//! cost: the step's current as a C-rate and an upper estimate of its duration.

use super::vocab::{closest, SetEntry};

/// A problem with one step, from the sim's injected step parser or from [`read_step`].
#[derive(Clone, Debug, PartialEq)]
pub struct StepProblem {
    pub message: String,
    /// The word at fault, pointed at in the error.
    pub word: Option<String>,
    pub hint: Option<String>,
}

/// What a step drives.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Drive {
    CRate(f64),
    Amps(f64),
    Watts(f64),
    Volts(f64),
    Rest,
}

/// The parts of a step that limits need.
#[derive(Clone, Debug, PartialEq)]
pub struct StepInfo {
    pub drive: Drive,
    /// `for …` in seconds.
    pub duration_s: Option<f64>,
    /// Whether the step has an `until …` condition.
    pub has_until: bool,
}

/// PyBaMM's default step length when nothing else ends it: one day.
pub const DEFAULT_STEP_S: f64 = 24.0 * 3600.0;
/// A constant-current/power step that ends on `until` takes at most this times 1/C hours.
pub const UNTIL_MARGIN: f64 = 1.1;
/// A voltage hold that ends on `until` is counted as this long (an estimate, not a bound).
pub const HOLD_ESTIMATE_S: f64 = 3600.0;

const STEP_WORDS: &[&str] = &[
    "discharge",
    "charge",
    "rest",
    "hold",
    "at",
    "for",
    "until",
    "or",
];
const EXAMPLES: &str = "steps look like \"Discharge at 1C until 2.5 V\", \"Rest for 30 minutes\", \"Charge at C/2 until 4.2 V\", \"Hold at 4.2 V until 50 mA\"";

enum Quantity {
    CRate(f64),
    Amps(f64),
    Watts(f64),
    Volts(f64),
    Seconds(f64),
}

fn problem(message: impl Into<String>, word: Option<&str>, hint: impl Into<String>) -> StepProblem {
    StepProblem {
        message: message.into(),
        word: word.map(str::to_string),
        hint: Some(hint.into()),
    }
}

fn unit_quantity(value: f64, unit: &str) -> Option<Quantity> {
    Some(match unit.to_lowercase().as_str() {
        "c" => Quantity::CRate(value),
        "a" => Quantity::Amps(value),
        "ma" => Quantity::Amps(value / 1000.0),
        "w" => Quantity::Watts(value),
        "mw" => Quantity::Watts(value / 1000.0),
        "kw" => Quantity::Watts(value * 1000.0),
        "v" => Quantity::Volts(value),
        "mv" => Quantity::Volts(value / 1000.0),
        "s" | "sec" | "secs" | "second" | "seconds" => Quantity::Seconds(value),
        "m" | "min" | "mins" | "minute" | "minutes" => Quantity::Seconds(value * 60.0),
        "h" | "hr" | "hrs" | "hour" | "hours" => Quantity::Seconds(value * 3600.0),
        "d" | "day" | "days" => Quantity::Seconds(value * 86400.0),
        _ => return None,
    })
}

/// Splits "2.5V" into (2.5, "V"); "C/10" into a C-rate.
fn number_prefix(word: &str) -> Option<(f64, &str)> {
    let end = word
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == '-' || *c == '+'))
        .map_or(word.len(), |(i, _)| i);
    let value: f64 = word[..end].parse().ok()?;
    value.is_finite().then_some((value, &word[end..]))
}

/// Reads one value and its unit from `words[*i..]`, advancing `i`.
fn quantity(words: &[&str], i: &mut usize) -> Result<Quantity, StepProblem> {
    let Some(&first) = words.get(*i) else {
        return Err(problem(
            "the step ends where a value was expected",
            None,
            EXAMPLES,
        ));
    };
    *i += 1;
    if let Some(rest) = first
        .strip_prefix("C/")
        .or_else(|| first.strip_prefix("c/"))
    {
        return match rest.parse::<f64>() {
            Ok(d) if d > 0.0 && d.is_finite() => Ok(Quantity::CRate(1.0 / d)),
            _ => Err(problem(
                "not a C-rate",
                Some(first),
                "write C-rates as 1C, 0.5C or C/10",
            )),
        };
    }
    let Some((value, unit)) = number_prefix(first) else {
        return Err(problem(
            format!("expected a number, found {first:?}"),
            Some(first),
            EXAMPLES,
        ));
    };
    let unit = if unit.is_empty() {
        let Some(&u) = words.get(*i) else {
            return Err(problem(
                "the value has no unit",
                Some(first),
                "add a unit: C, A, mA, W, V, seconds, minutes or hours",
            ));
        };
        *i += 1;
        u
    } else {
        unit
    };
    unit_quantity(value, unit).ok_or_else(|| {
        problem(
            format!("unknown unit {unit:?}"),
            Some(unit),
            "units are C, A, mA, W, V, seconds, minutes or hours",
        )
    })
}

/// The step keyword `word` is probably a typo of ("untill" → "until").
pub(crate) fn step_word_suggestion(word: &str) -> Option<&'static str> {
    let lower = word.to_lowercase();
    let len = lower.chars().count();
    if len <= 2 || STEP_WORDS.contains(&lower.as_str()) {
        return None;
    }
    closest(
        &lower,
        STEP_WORDS.iter().copied(),
        if len <= 5 { 1 } else { 2 },
    )
}

fn unexpected(word: &str) -> StepProblem {
    let hint = match step_word_suggestion(word) {
        Some(s) => format!("did you mean \"{s}\"? {EXAMPLES}"),
        None => EXAMPLES.to_string(),
    };
    problem(format!("unexpected {word:?}"), Some(word), hint)
}

/// Reads a step in PyBaMM's grammar, case-insensitively: `Discharge|Charge at X`,
/// `Hold at V`, `Rest`, then `for D` and/or `until Y` (joined by `or`/`and`).
pub fn read_step(text: &str) -> Result<StepInfo, StepProblem> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let mut i = 0;
    let Some(&verb) = words.first() else {
        return Err(problem("the step is empty", None, EXAMPLES));
    };
    i += 1;
    let lower = verb.to_lowercase();
    let expect_at = |i: &mut usize| -> Result<(), StepProblem> {
        match words.get(*i) {
            Some(w) if w.eq_ignore_ascii_case("at") => {
                *i += 1;
                Ok(())
            }
            Some(w) => Err(unexpected(w)),
            None => Err(problem(
                format!("\"{verb}\" needs \"at\" and a value"),
                Some(verb),
                EXAMPLES,
            )),
        }
    };
    let drive = match lower.as_str() {
        "discharge" | "charge" => {
            expect_at(&mut i)?;
            let at = words.get(i).copied();
            match quantity(&words, &mut i)? {
                Quantity::CRate(c) => Drive::CRate(c),
                Quantity::Amps(a) => Drive::Amps(a),
                Quantity::Watts(w) => Drive::Watts(w),
                _ => {
                    return Err(problem(
                        format!("\"{verb}\" needs a current or a power"),
                        at,
                        "e.g. \"Discharge at 1C\", \"Charge at 2 A\", \"Discharge at 10 W\"",
                    ))
                }
            }
        }
        "hold" => {
            expect_at(&mut i)?;
            let at = words.get(i).copied();
            match quantity(&words, &mut i)? {
                Quantity::Volts(v) => Drive::Volts(v),
                _ => {
                    return Err(problem(
                        "a hold needs a voltage",
                        at,
                        "e.g. \"Hold at 4.2 V until 50 mA\"",
                    ))
                }
            }
        }
        "rest" => Drive::Rest,
        _ => {
            let hint = match closest(&lower, ["discharge", "charge", "rest", "hold"], 2) {
                Some(s) => format!(
                    "did you mean \"{s}\"? A step starts with Discharge, Charge, Hold or Rest"
                ),
                None => "a step starts with Discharge, Charge, Hold or Rest".to_string(),
            };
            return Err(problem(format!("unknown step {verb:?}"), Some(verb), hint));
        }
    };
    let mut duration_s = None;
    let mut has_until = false;
    while let Some(&w) = words.get(i) {
        i += 1;
        match w.to_lowercase().as_str() {
            "or" | "and" => {}
            "for" => {
                let at = words.get(i).copied();
                match quantity(&words, &mut i)? {
                    Quantity::Seconds(s) if s > 0.0 => duration_s = Some(s),
                    _ => {
                        return Err(problem(
                            "\"for\" needs a positive duration",
                            at,
                            "e.g. \"for 10 minutes\", \"for 2 hours\"",
                        ))
                    }
                }
            }
            "until" => {
                let at = words.get(i).copied();
                match quantity(&words, &mut i)? {
                    Quantity::Volts(_) | Quantity::Amps(_) | Quantity::CRate(_) => has_until = true,
                    _ => {
                        return Err(problem(
                            "\"until\" needs a voltage or a current",
                            at,
                            "e.g. \"until 2.5 V\", \"until 50 mA\", \"until C/20\"",
                        ))
                    }
                }
            }
            _ => return Err(unexpected(w)),
        }
    }
    if duration_s.is_none() && !has_until {
        return Err(problem(
            "the step never ends",
            Some(verb),
            "add \"for <duration>\" or \"until <voltage or current>\"",
        ));
    }
    Ok(StepInfo {
        drive,
        duration_s,
        has_until,
    })
}

impl StepInfo {
    /// The step's current in C (amperes over the set's capacity; watts over the
    /// lower cut-off voltage times the capacity, the largest current that power can draw).
    pub fn c_rate(&self, set: Option<&SetEntry>) -> Option<f64> {
        match self.drive {
            Drive::CRate(c) => Some(c.abs()),
            Drive::Amps(a) => set.map(|s| a.abs() / s.nominal_capacity_ah),
            Drive::Watts(w) => {
                set.map(|s| w.abs() / (s.lower_cutoff_v.max(0.1) * s.nominal_capacity_ah))
            }
            Drive::Volts(_) | Drive::Rest => None,
        }
    }

    /// An upper estimate of the step's simulated time in seconds: its `for` duration;
    /// else, for a current or power step, 1/C hours × 1.1 (a full capacity at that rate);
    /// else one hour for a hold and PyBaMM's one-day default for anything else.
    pub fn time_bound_s(&self, set: Option<&SetEntry>) -> f64 {
        if let Some(d) = self.duration_s {
            return d;
        }
        match (self.drive, self.c_rate(set)) {
            (Drive::Volts(_), _) => HOLD_ESTIMATE_S,
            (_, Some(c)) if c > 0.0 => (3600.0 / c * UNTIL_MARGIN).min(DEFAULT_STEP_S),
            _ => DEFAULT_STEP_S,
        }
    }
}

/// How many of `words` (1 or 2) form a value with a unit: "1C", "C/10", "2.5 V", "10 minutes".
pub(crate) fn quantity_words(words: &[&str]) -> Option<usize> {
    let mut i = 0;
    quantity(words, &mut i).ok().map(|_| i)
}
