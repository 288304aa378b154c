//! Parses PyBaMM experiment step strings ("Discharge at 1C until 2.5 V", "Rest for 30
//! minutes", "Hold at 4.2 V until 50 mA", "… for 10 hours or until 3.3 V") into `Step`s.

use std::fmt;

/// A current given by the user: absolute or relative to the nominal capacity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Current {
    Amps(f64),
    CRate(f64),
}

impl Current {
    /// In amperes for a cell of `capacity_ah`.
    pub fn amps(self, capacity_ah: f64) -> f64 {
        match self {
            Current::Amps(a) => a,
            Current::CRate(c) => c * capacity_ah,
        }
    }
}

/// What a step imposes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Control {
    /// Current, positive on discharge.
    Current(Current),
    /// Power in W, positive on discharge.
    Power(f64),
    /// Terminal voltage in V.
    Voltage(f64),
}

/// A condition that ends a step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Termination {
    /// The voltage reaches this value (from either side).
    Voltage(f64),
    /// The magnitude of the current falls to this value.
    Current(Current),
}

/// One parsed step.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub text: String,
    pub control: Control,
    /// `for …`, in seconds.
    pub duration_s: Option<f64>,
    pub terminations: Vec<Termination>,
}

/// A step that cannot be read, with the word at fault.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct ExperimentError {
    pub step: String,
    pub word: Option<String>,
    pub offset: Option<usize>,
    pub reason: String,
    pub hint: String,
}

impl fmt::Display for ExperimentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read step {:?}: {}", self.step, self.reason)?;
        if let (Some(word), Some(offset)) = (&self.word, self.offset) {
            write!(f, " (at {word:?}, character {})", offset + 1)?;
        }
        write!(f, "; {}", self.hint)
    }
}

impl ExperimentError {
    pub fn word(&self) -> Option<&str> {
        self.word.as_deref()
    }
    pub fn hint(&self) -> Option<&str> {
        Some(&self.hint)
    }
}

const EXAMPLES: &str = "steps look like \"Discharge at 1C until 2.5 V\", \"Charge at 0.5C until 4.2 V\", \"Hold at 4.2 V until 50 mA\", \"Rest for 30 minutes\", \"Discharge at C/10 for 10 hours or until 3.3 V\"";

/// A token with its byte offset in the step.
#[derive(Clone, Debug)]
struct Tok {
    text: String,
    at: usize,
}

fn tokens(s: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() || c == ',' {
            if let Some(st) = start.take() {
                out.push(Tok {
                    text: s[st..i].to_string(),
                    at: st,
                });
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        out.push(Tok {
            text: s[st..].to_string(),
            at: st,
        });
    }
    out
}

/// A quantity with its unit: "1C", "C/10", "0.5 C", "2 A", "500 mA", "10 W", "4.2 V", "30 minutes".
#[derive(Clone, Copy, Debug, PartialEq)]
enum Quantity {
    CRate(f64),
    Amps(f64),
    Watts(f64),
    Volts(f64),
    Seconds(f64),
}

struct Parser<'a> {
    step: &'a str,
    toks: Vec<Tok>,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn err(
        &self,
        tok: Option<&Tok>,
        reason: impl Into<String>,
        hint: impl Into<String>,
    ) -> ExperimentError {
        ExperimentError {
            step: self.step.to_string(),
            word: tok.map(|t| t.text.clone()),
            offset: tok.map(|t| t.at),
            reason: reason.into(),
            hint: hint.into(),
        }
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next_word(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expect(&mut self, word: &str) -> Result<(), ExperimentError> {
        match self.next_word() {
            Some(t) if t.text.eq_ignore_ascii_case(word) => Ok(()),
            other => Err(self.err(other.as_ref(), format!("expected {word:?}"), EXAMPLES)),
        }
    }

    /// Reads a number and its unit, which may be attached ("1C", "500mA") or separate ("2 A").
    fn quantity(&mut self) -> Result<(Quantity, Tok), ExperimentError> {
        let Some(first) = self.next_word() else {
            return Err(self.err(None, "the step ends where a value was expected", EXAMPLES));
        };
        let text = first.text.clone();
        let lower = text.to_ascii_lowercase();
        // C/10
        if let Some(rest) = lower.strip_prefix("c/") {
            let d: f64 = rest.parse().map_err(|_| {
                self.err(
                    Some(&first),
                    "not a C-rate",
                    "write C-rates as 1C, 0.5C or C/10",
                )
            })?;
            if d <= 0.0 {
                return Err(self.err(
                    Some(&first),
                    "C/0 is not a C-rate",
                    "write C-rates as 1C, 0.5C or C/10",
                ));
            }
            return Ok((Quantity::CRate(1.0 / d), first));
        }
        let split = lower
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+' || c == 'e'))
            .unwrap_or(lower.len());
        // "1e" is ambiguous with units; numbers with exponents are rare in steps.
        let (num, unit) = lower.split_at(split);
        let value: f64 = num
            .parse()
            .map_err(|_| self.err(Some(&first), "not a number", EXAMPLES))?;
        let unit = if unit.is_empty() {
            match self.next_word() {
                Some(t) => t.text.to_ascii_lowercase(),
                None => {
                    return Err(self.err(
                        Some(&first),
                        "the value has no unit",
                        "add a unit: C, A, mA, W, V, seconds, minutes or hours",
                    ))
                }
            }
        } else {
            unit.to_string()
        };
        if !value.is_finite() {
            return Err(self.err(Some(&first), "not a finite number", EXAMPLES));
        }
        let q = match unit.as_str() {
            "c" => Quantity::CRate(value),
            "a" => Quantity::Amps(value),
            "ma" => Quantity::Amps(value / 1000.0),
            "w" => Quantity::Watts(value),
            "mw" => Quantity::Watts(value / 1000.0),
            "v" => Quantity::Volts(value),
            "mv" => Quantity::Volts(value / 1000.0),
            "s" | "sec" | "secs" | "second" | "seconds" => Quantity::Seconds(value),
            "m" | "min" | "mins" | "minute" | "minutes" => Quantity::Seconds(value * 60.0),
            "h" | "hr" | "hrs" | "hour" | "hours" => Quantity::Seconds(value * 3600.0),
            "d" | "day" | "days" => Quantity::Seconds(value * 86400.0),
            other => {
                return Err(self.err(
                    Some(&first),
                    format!("unknown unit {other:?}"),
                    "units are C, A, mA, W, V, seconds, minutes or hours",
                ))
            }
        };
        Ok((q, first))
    }
}

/// Parses one PyBaMM step string.
pub fn parse_step(text: &str) -> Result<Step, ExperimentError> {
    let trimmed = text.trim();
    let mut p = Parser {
        step: trimmed,
        toks: tokens(trimmed),
        pos: 0,
    };
    let Some(verb) = p.next_word() else {
        return Err(p.err(None, "the step is empty", EXAMPLES));
    };
    let verb_l = verb.text.to_ascii_lowercase();
    let control = match verb_l.as_str() {
        "discharge" | "charge" => {
            let sign = if verb_l == "discharge" { 1.0 } else { -1.0 };
            p.expect("at")?;
            let (q, tok) = p.quantity()?;
            match q {
                Quantity::CRate(c) => Control::Current(Current::CRate(sign * c.abs())),
                Quantity::Amps(a) => Control::Current(Current::Amps(sign * a.abs())),
                Quantity::Watts(w) => Control::Power(sign * w.abs()),
                _ => {
                    return Err(p.err(
                        Some(&tok),
                        format!("{verb_l} needs a current or a power"),
                        "e.g. \"Discharge at 1C\", \"Charge at 2 A\", \"Discharge at 10 W\"",
                    ))
                }
            }
        }
        "hold" => {
            p.expect("at")?;
            let (q, tok) = p.quantity()?;
            match q {
                Quantity::Volts(v) => Control::Voltage(v),
                _ => {
                    return Err(p.err(
                        Some(&tok),
                        "hold needs a voltage",
                        "e.g. \"Hold at 4.2 V until 50 mA\"",
                    ))
                }
            }
        }
        "rest" => Control::Current(Current::Amps(0.0)),
        _ => {
            return Err(p.err(
                Some(&verb),
                format!("unknown step {:?}", verb.text),
                "a step starts with Discharge, Charge, Hold or Rest",
            ))
        }
    };
    let mut duration_s = None;
    let mut terminations = Vec::new();
    while let Some(tok) = p.next_word() {
        match tok.text.to_ascii_lowercase().as_str() {
            "or" | "and" => continue,
            "for" => {
                let (q, qt) = p.quantity()?;
                match q {
                    Quantity::Seconds(s) if s > 0.0 => duration_s = Some(s),
                    _ => {
                        return Err(p.err(
                            Some(&qt),
                            "\"for\" needs a positive duration",
                            "e.g. \"for 10 minutes\", \"for 2 hours\"",
                        ))
                    }
                }
            }
            "until" => {
                let (q, qt) = p.quantity()?;
                terminations.push(match q {
                    Quantity::Volts(v) => Termination::Voltage(v),
                    Quantity::Amps(a) => Termination::Current(Current::Amps(a.abs())),
                    Quantity::CRate(c) => Termination::Current(Current::CRate(c.abs())),
                    _ => {
                        return Err(p.err(
                            Some(&qt),
                            "\"until\" needs a voltage or a current",
                            "e.g. \"until 2.5 V\", \"until 50 mA\", \"until C/20\"",
                        ))
                    }
                });
            }
            _ => {
                return Err(p.err(
                    Some(&tok),
                    format!("unexpected {:?}", tok.text),
                    "a step ends with \"for <duration>\" and/or \"until <voltage or current>\"",
                ))
            }
        }
    }
    if verb_l == "rest" && duration_s.is_none() {
        return Err(p.err(
            Some(&verb),
            "a rest needs a duration",
            "e.g. \"Rest for 30 minutes\"",
        ));
    }
    if duration_s.is_none() && terminations.is_empty() {
        return Err(p.err(
            p.peek().or(Some(&verb)),
            "the step never ends",
            "add \"for <duration>\" or \"until <voltage or current>\"",
        ));
    }
    Ok(Step {
        text: trimmed.to_string(),
        control,
        duration_s,
        terminations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pybamm_forms() {
        let s = parse_step("Discharge at 1C until 2.5 V").unwrap();
        assert_eq!(s.control, Control::Current(Current::CRate(1.0)));
        assert_eq!(s.terminations, vec![Termination::Voltage(2.5)]);
        let s = parse_step("Charge at C/2 until 4.2V").unwrap();
        assert_eq!(s.control, Control::Current(Current::CRate(-0.5)));
        let s = parse_step("Hold at 4.2 V until 50 mA").unwrap();
        assert_eq!(s.control, Control::Voltage(4.2));
        assert_eq!(
            s.terminations,
            vec![Termination::Current(Current::Amps(0.05))]
        );
        let s = parse_step("Rest for 30 minutes").unwrap();
        assert_eq!(s.duration_s, Some(1800.0));
        let s = parse_step("Discharge at C/10 for 10 hours or until 3.3 V").unwrap();
        assert_eq!(s.duration_s, Some(36000.0));
        assert_eq!(s.terminations, vec![Termination::Voltage(3.3)]);
        let s = parse_step("Discharge at 10 W until 2.5 V").unwrap();
        assert_eq!(s.control, Control::Power(10.0));
        let s = parse_step("Charge at 500mA until C/20").unwrap();
        assert_eq!(
            s.terminations,
            vec![Termination::Current(Current::CRate(0.05))]
        );
    }

    #[test]
    fn errors_point_at_the_word() {
        let e = parse_step("Dischrage at 1C until 2.5 V").unwrap_err();
        assert_eq!(e.word.as_deref(), Some("Dischrage"));
        let e = parse_step("Discharge at 1C until 2.5 Q").unwrap_err();
        assert_eq!(e.word.as_deref(), Some("2.5"));
        let e = parse_step("Discharge at 1C").unwrap_err();
        assert!(e.reason.contains("never ends"));
        assert!(parse_step("").is_err());
        assert!(parse_step("Rest").is_err());
        assert!(parse_step("Hold at 1C until 2 V").is_err());
    }
}
