//! PyBaMM experiment step strings ("Discharge at 1C until 2.5 V", "Rest for 30 minutes",
//! "Hold at 4.2 V until 50 mA", "Charge at 10 W for 1 hour or until 4.1 V", and the drive
//! cycles "Run US06 (A)", "Run profile.csv (W) until 3 V") -> typed steps.

use serde::Serialize;

use super::drive_cycle::DriveKind;

/// What a step imposes. Currents and powers are positive on discharge.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Control {
    /// Current [A].
    Current(f64),
    /// C-rate (multiple of the nominal capacity per hour).
    CRate(f64),
    /// Terminal voltage [V].
    Voltage(f64),
    /// Power [W].
    Power(f64),
    /// A drive cycle (`Run NAME (A|W|V)`): the time series `name` of that kind, resolved
    /// from the spec's `drive_cycles`, the built-ins or a CSV file when the run is built.
    Drive { name: String, kind: DriveKind },
}

/// A condition that ends a step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Termination {
    /// The voltage reaches this value [V].
    Voltage(f64),
    /// The magnitude of the current falls to this value [A].
    Current(f64),
    /// The magnitude of the current falls to this C-rate.
    CRate(f64),
    /// PyBaMM's explicit operators (`until < 3 V`, `until > 4.1 V`, `until < -1 A`): the
    /// voltage, or the signed current, crosses this value downwards (`Below`) or upwards.
    VoltageBelow(f64),
    VoltageAbove(f64),
    CurrentBelow(f64),
    CurrentAbove(f64),
}

/// One parsed step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    /// The text as written.
    pub text: String,
    pub control: Control,
    /// Duration given with "for" [s].
    pub duration_s: Option<f64>,
    pub terminations: Vec<Termination>,
}

impl Step {
    /// Whether this is a rest (zero current).
    pub fn is_rest(&self) -> bool {
        matches!(self.control, Control::Current(v) | Control::CRate(v) if v == 0.0)
    }

    /// Whether this is a drive cycle (`Run NAME (…)`).
    pub fn is_drive_cycle(&self) -> bool {
        matches!(self.control, Control::Drive { .. })
    }

    /// PyBaMM's default duration when no "for" is given: 2/|C| hours for C-rate steps,
    /// otherwise one day (a drive cycle lasts its data's length, known once resolved).
    pub fn default_duration_s(&self) -> f64 {
        match self.control {
            Control::CRate(c) if c != 0.0 => 2.0 * 3600.0 / c.abs(),
            _ => 24.0 * 3600.0,
        }
    }

    /// The duration that bounds the step.
    pub fn duration(&self) -> f64 {
        self.duration_s.unwrap_or_else(|| self.default_duration_s())
    }
}

/// A step that cannot be parsed: quotes the step, points at the offending word.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("cannot parse step {step:?}: unexpected {word:?} at byte {offset}; {hint}")]
pub struct ExperimentError {
    pub step: String,
    pub word: String,
    pub offset: usize,
    pub hint: String,
}

const EXAMPLES: &str = "e.g. \"Discharge at 1C until 2.5 V\", \"Rest for 30 minutes\", \"Charge at 0.5C until 4.2 V\", \"Hold at 4.2 V until 50 mA\", \"Discharge at 10 W for 1 hour or until 3 V\", \"Run US06 (A)\"";

#[derive(Clone, Copy, Debug)]
struct Tok<'a> {
    s: &'a str,
    off: usize,
}

fn tokenize(text: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, ch) in text.char_indices() {
        if ch.is_whitespace() || ch == ',' {
            if let Some(s) = start.take() {
                out.push(Tok {
                    s: &text[s..i],
                    off: s,
                });
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(Tok {
            s: &text[s..],
            off: s,
        });
    }
    out
}

/// Where the number at the start of `s` ends: a sign, digits with a decimal point, and an
/// exponent when digits follow it ("2e1C" is 20 C, "5e2" 500, "1.5e-3A" 1.5 mA).
fn number_end(s: &str) -> usize {
    let b = s.as_bytes();
    let digits = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    i = digits(i);
    if i < b.len() && b[i] == b'.' {
        i = digits(i + 1);
    }
    if i > 0 && i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let sign = usize::from(matches!(b.get(i + 1), Some(b'-' | b'+')));
        let end = digits(i + 1 + sign);
        if end > i + 1 + sign {
            i = end;
        }
    }
    i
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Unit {
    A,
    V,
    W,
    C,
    Ohm,
}

struct Parser<'a> {
    text: &'a str,
    toks: Vec<Tok<'a>>,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn err(&self, at: Option<Tok<'a>>, hint: &str) -> ExperimentError {
        let (word, offset) = match at {
            Some(t) => (t.s.to_string(), t.off),
            None => ("end of step".to_string(), self.text.len()),
        };
        ExperimentError {
            step: self.text.to_string(),
            word,
            offset,
            hint: hint.to_string(),
        }
    }

    fn peek(&self) -> Option<Tok<'a>> {
        self.toks.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<Tok<'a>> {
        let t = self.peek();
        self.pos += 1;
        t
    }

    fn peek_is(&self, w: &str) -> bool {
        self.peek().is_some_and(|t| t.s.eq_ignore_ascii_case(w))
    }

    /// A number with an optional attached unit ("2.5V", "C/20", "1C", "50mA") and, if not
    /// attached, the next token as unit.
    fn quantity(&mut self, what: &str) -> Result<(f64, Unit), ExperimentError> {
        let tok = self
            .next()
            .ok_or_else(|| self.err(None, &format!("expected {what}; {EXAMPLES}")))?;
        let s = tok.s;
        if let Some(rest) = s.strip_prefix(['C', 'c']).and_then(|r| r.strip_prefix('/')) {
            let v: f64 = rest.parse().map_err(|_| {
                self.err(Some(tok), "a C-rate is written like \"C/10\" or \"0.5C\"")
            })?;
            if v <= 0.0 || !v.is_finite() {
                return Err(self.err(Some(tok), "the divisor of a C-rate must be positive"));
            }
            return Ok((1.0 / v, Unit::C));
        }
        let (num, unit_str) = s.split_at(number_end(s));
        let v: f64 = num.parse().map_err(|_| {
            self.err(
                Some(tok),
                &format!("expected {what} (a number and a unit); {EXAMPLES}"),
            )
        })?;
        if !v.is_finite() {
            return Err(self.err(Some(tok), "the value must be finite"));
        }
        let (unit_tok, unit_str) = if unit_str.is_empty() {
            let t = self
                .next()
                .ok_or_else(|| self.err(None, "expected a unit: A, mA, V, mV, W, mW, C or Ohm"))?;
            (t, t.s)
        } else {
            (tok, unit_str)
        };
        let (mult, u) = match unit_str {
            "A" | "a" => (1.0, Unit::A),
            "mA" | "ma" => (1e-3, Unit::A),
            "V" | "v" => (1.0, Unit::V),
            "mV" | "mv" => (1e-3, Unit::V),
            "W" | "w" => (1.0, Unit::W),
            "mW" | "mw" => (1e-3, Unit::W),
            "C" | "c" => (1.0, Unit::C),
            "Ohm" | "ohm" | "Ohms" | "ohms" => (1.0, Unit::Ohm),
            _ => {
                return Err(self.err(
                    Some(unit_tok),
                    "units must be A, mA, V, mV, W, mW, C (C-rate) or Ohm",
                ))
            }
        };
        Ok((v * mult, u))
    }

    fn duration(&mut self) -> Result<f64, ExperimentError> {
        let tok = self.next().ok_or_else(|| {
            self.err(
                None,
                "expected a duration after \"for\", e.g. \"for 30 minutes\"",
            )
        })?;
        let s = tok.s;
        let (num, unit) = s.split_at(number_end(s));
        let v: f64 = num
            .parse()
            .map_err(|_| self.err(Some(tok), "expected a duration such as \"10 minutes\""))?;
        let (utok, unit) = if unit.is_empty() {
            let t = self
                .next()
                .ok_or_else(|| self.err(None, "expected a time unit: seconds, minutes or hours"))?;
            (t, t.s)
        } else {
            (tok, unit)
        };
        let mult = match unit.to_ascii_lowercase().as_str() {
            "second" | "seconds" | "s" | "sec" | "secs" => 1.0,
            "minute" | "minutes" | "m" | "min" | "mins" => 60.0,
            "hour" | "hours" | "h" | "hr" | "hrs" => 3600.0,
            _ => {
                return Err(self.err(
                    Some(utok),
                    "time units must be seconds, minutes or hours (s, min, h)",
                ))
            }
        };
        if v <= 0.0 || !v.is_finite() {
            return Err(self.err(Some(tok), "a duration must be positive"));
        }
        Ok(v * mult)
    }
}

/// Parses one PyBaMM step string.
pub fn parse_step(text: &str) -> Result<Step, ExperimentError> {
    let mut p = Parser {
        text,
        toks: tokenize(text),
        pos: 0,
    };
    let first = p
        .next()
        .ok_or_else(|| p.err(None, &format!("empty step; {EXAMPLES}")))?;
    let verb = first.s.to_ascii_lowercase();
    let control = match verb.as_str() {
        "rest" => Control::Current(0.0),
        "discharge" | "charge" | "hold" => {
            if !p.peek_is("at") {
                let t = p.peek();
                return Err(p.err(
                    t,
                    &format!("expected \"at\" after {:?}; {EXAMPLES}", first.s),
                ));
            }
            p.next();
            let at = p.peek();
            let (v, u) = p.quantity("a current, C-rate, power or voltage")?;
            let sign = if verb == "charge" { -1.0 } else { 1.0 };
            match u {
                Unit::A => Control::Current(sign * v),
                Unit::C => Control::CRate(sign * v),
                Unit::W => Control::Power(sign * v),
                Unit::V => Control::Voltage(v),
                Unit::Ohm => {
                    return Err(p.err(
                        at,
                        "resistance-controlled steps are not supported; use A, C, W or V",
                    ))
                }
            }
        }
        "run" => drive_cycle(&mut p)?,
        _ => {
            return Err(p.err(
                Some(first),
                &format!("a step starts with Discharge, Charge, Rest, Hold or Run; {EXAMPLES}"),
            ))
        }
    };
    if verb == "hold" && !matches!(control, Control::Voltage(_)) {
        return Err(p.err(
            Some(first),
            "\"Hold\" takes a voltage, e.g. \"Hold at 4.2 V until 50 mA\"",
        ));
    }
    let mut duration_s = None;
    let mut terminations = Vec::new();
    while let Some(t) = p.peek() {
        let w = t.s.to_ascii_lowercase();
        match w.as_str() {
            "or" => {
                p.next();
                if p.peek().is_none() {
                    return Err(p.err(None, "expected \"until ...\" or \"for ...\" after \"or\""));
                }
                if !(p.peek_is("until") || p.peek_is("for")) {
                    // "until 3 V or 50 mA"
                    if terminations.is_empty() {
                        let t = p.peek();
                        return Err(p.err(t, "expected \"until\" or \"for\" after \"or\""));
                    }
                    terminations.push(termination(&mut p)?);
                }
            }
            "for" => {
                p.next();
                if duration_s.is_some() {
                    return Err(p.err(Some(t), "a step can have only one duration"));
                }
                duration_s = Some(p.duration()?);
            }
            "until" => {
                p.next();
                terminations.push(termination(&mut p)?);
            }
            _ => {
                return Err(p.err(
                    Some(t),
                    &format!("expected \"for\", \"until\" or \"or\"; {EXAMPLES}"),
                ))
            }
        }
    }
    if duration_s.is_none() && terminations.is_empty() && verb != "run" {
        return Err(p.err(
            None,
            "a step needs \"for <duration>\" or \"until <limit>\", e.g. \"Rest for 1 hour\"",
        ));
    }
    Ok(Step {
        text: text.to_string(),
        control,
        duration_s,
        terminations,
    })
}

/// `NAME (A)` after "Run": the drive cycle's name (one word: a built-in, a spec's
/// `drive_cycles` key or a CSV path) and its kind, in parentheses as PyBaMM wrote it.
fn drive_cycle(p: &mut Parser<'_>) -> Result<Control, ExperimentError> {
    const HOW: &str =
        "a drive cycle is written \"Run NAME (A)\", \"Run NAME (W)\" or \"Run NAME (V)\", e.g. \"Run US06 (A)\"";
    let name_tok = p.next().ok_or_else(|| p.err(None, HOW))?;
    // "Run US06(A)": the kind attached to the name
    let (name, kind_str, kind_tok) = match name_tok.s.find('(') {
        Some(i) if i > 0 => (&name_tok.s[..i], &name_tok.s[i..], name_tok),
        Some(_) => return Err(p.err(Some(name_tok), HOW)),
        None => {
            let t = p.next().ok_or_else(|| p.err(None, HOW))?;
            (name_tok.s, t.s, t)
        }
    };
    let kind = match kind_str {
        "(A)" | "(a)" => DriveKind::Current,
        "(W)" | "(w)" => DriveKind::Power,
        "(V)" | "(v)" => DriveKind::Voltage,
        _ => return Err(p.err(Some(kind_tok), HOW)),
    };
    Ok(Control::Drive {
        name: name.to_string(),
        kind,
    })
}

fn termination(p: &mut Parser<'_>) -> Result<Termination, ExperimentError> {
    // PyBaMM's operator, alone ("< 3 V") or attached ("<3V")
    let mut op = None;
    if let Some(t) = p.peek() {
        if let Some(c @ ('<' | '>')) = t.s.chars().next() {
            op = Some(c);
            if t.s.len() == 1 {
                p.next();
            } else {
                p.toks[p.pos] = Tok {
                    s: &t.s[1..],
                    off: t.off + 1,
                };
            }
        }
    }
    let at = p.peek();
    let (v, u) = p.quantity("a limit such as \"2.5 V\", \"50 mA\" or \"C/20\"")?;
    match (u, op) {
        (Unit::V, None) => Ok(Termination::Voltage(v)),
        (Unit::V, Some('<')) => Ok(Termination::VoltageBelow(v)),
        (Unit::V, Some(_)) => Ok(Termination::VoltageAbove(v)),
        (Unit::A, None) => Ok(Termination::Current(v.abs())),
        (Unit::A, Some('<')) => Ok(Termination::CurrentBelow(v)),
        (Unit::A, Some(_)) => Ok(Termination::CurrentAbove(v)),
        (Unit::C, None) => Ok(Termination::CRate(v.abs())),
        (Unit::C, Some(_)) => Err(p.err(
            at,
            "an operator (< or >) takes a voltage or a current, e.g. \"until < 3 V\"",
        )),
        _ => Err(p.err(
            at,
            "a step ends at a voltage (V), a current (A, mA) or a C-rate (C/20)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_common_forms() {
        let s = parse_step("Discharge at 1C until 2.5 V").unwrap();
        assert_eq!(s.control, Control::CRate(1.0));
        assert_eq!(s.terminations, vec![Termination::Voltage(2.5)]);
        let s = parse_step("Charge at C/2 until 4.2V").unwrap();
        assert_eq!(s.control, Control::CRate(-0.5));
        let s = parse_step("Hold at 4.2 V until 50 mA").unwrap();
        assert_eq!(s.control, Control::Voltage(4.2));
        assert_eq!(s.terminations, vec![Termination::Current(0.05)]);
        let s = parse_step("Rest for 30 minutes").unwrap();
        assert_eq!(s.duration_s, Some(1800.0));
        assert!(s.is_rest());
        let s = parse_step("Discharge at C/10 for 10 hours or until 3.3 V").unwrap();
        assert_eq!(s.duration_s, Some(36000.0));
        assert_eq!(s.terminations, vec![Termination::Voltage(3.3)]);
        let s = parse_step("Discharge at 10 W for 1 h").unwrap();
        assert_eq!(s.control, Control::Power(10.0));
        let s = parse_step("Charge at 500 mA until 4.1 V").unwrap();
        assert_eq!(s.control, Control::Current(-0.5));
        let s = parse_step("Hold at 4.2 V until C/20").unwrap();
        assert_eq!(s.terminations, vec![Termination::CRate(0.05)]);
    }

    #[test]
    fn parses_drive_cycles() {
        let s = parse_step("Run US06 (A)").unwrap();
        assert_eq!(
            s.control,
            Control::Drive {
                name: "US06".into(),
                kind: DriveKind::Current
            }
        );
        assert!(s.terminations.is_empty() && s.duration_s.is_none());
        let s = parse_step("Run data/profile.csv (W) until 3.0 V").unwrap();
        assert_eq!(
            s.control,
            Control::Drive {
                name: "data/profile.csv".into(),
                kind: DriveKind::Power
            }
        );
        assert_eq!(s.terminations, vec![Termination::Voltage(3.0)]);
        let s = parse_step("Run US06 (A) until < 3.0 V or until >8 A").unwrap();
        assert_eq!(
            s.terminations,
            vec![
                Termination::VoltageBelow(3.0),
                Termination::CurrentAbove(8.0)
            ]
        );
        let s = parse_step("Run US06(V) for 5 minutes or until 50 mA").unwrap();
        assert_eq!(s.duration_s, Some(300.0));
        assert_eq!(s.terminations, vec![Termination::Current(0.05)]);
        assert_eq!(parse_step("Run US06").unwrap_err().word, "end of step");
        assert_eq!(parse_step("Run US06 (C)").unwrap_err().word, "(C)");
        assert_eq!(parse_step("Run (A)").unwrap_err().word, "(A)");
    }

    #[test]
    fn errors_point_at_the_word() {
        let e = parse_step("Discharge at 1C untill 2.5 V").unwrap_err();
        assert_eq!(e.word, "untill");
        assert_eq!(e.offset, 16);
        let e = parse_step("Dischrge at 1C until 2.5 V").unwrap_err();
        assert_eq!(e.word, "Dischrge");
        let e = parse_step("Discharge at 1 X until 2.5 V").unwrap_err();
        assert_eq!(e.word, "X");
        let e = parse_step("Rest for 3 fortnights").unwrap_err();
        assert_eq!(e.word, "fortnights");
        let e = parse_step("Discharge at 1C").unwrap_err();
        assert_eq!(e.word, "end of step");
    }

    #[test]
    fn exponents_are_numbers_like_any_other() {
        let s = parse_step("Discharge at 2e1C until 2.5 V").unwrap();
        assert_eq!(s.control, Control::CRate(20.0));
        let s = parse_step("Discharge at 5e2 A until 2.5 V").unwrap();
        assert_eq!(s.control, Control::Current(500.0));
        let s = parse_step("Charge at 1.5e-3A until 4.2 V").unwrap();
        assert_eq!(s.control, Control::Current(-1.5e-3));
        let s = parse_step("Rest for 1e3 s").unwrap();
        assert_eq!(s.duration_s, Some(1000.0));
        let s = parse_step("Rest for 2.5e-1 hours").unwrap();
        assert_eq!(s.duration_s, Some(900.0));
        let e = parse_step("Discharge at 1e400 A until 2.5 V").unwrap_err();
        assert_eq!(e.word, "1e400");
        let e = parse_step("Rest for 1e400 s").unwrap_err();
        assert_eq!(e.word, "1e400");
    }
}
