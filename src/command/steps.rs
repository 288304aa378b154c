//! Reads PyBaMM step strings just far enough to check them and to bound a command's
//! cost: the step's current as a C-rate and an upper estimate of its duration.

use super::vocab::{closest, SetEntry};
use crate::sim::drive_cycle::{self, DriveKind, Profile};
use crate::sim::experiment::Control;
use crate::sim::SimSpec;

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
    /// A drive cycle (`Run NAME (…)`): its figures are in `StepInfo::cycle`.
    Cycle(DriveKind),
}

/// What limits need of a drive cycle, from its data as the step applies it.
#[derive(Clone, Debug, PartialEq)]
pub struct CycleFigures {
    pub duration_s: f64,
    pub max_abs: f64,
    pub rows: usize,
}

/// The parts of a step that limits need.
#[derive(Clone, Debug, PartialEq)]
pub struct StepInfo {
    pub drive: Drive,
    /// `for …` in seconds.
    pub duration_s: Option<f64>,
    /// Whether the step has an `until …` condition.
    pub has_until: bool,
    /// A drive cycle's name, and its figures once resolved against the run (`resolve_cycle`).
    pub cycle: Option<(String, Option<CycleFigures>)>,
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

/// What a value with a unit is (the grammar needs the kind, not the value: the simulator's
/// parser reads the step).
enum Quantity {
    CRate,
    Amps,
    Watts,
    Volts,
    Seconds,
}

fn problem(message: impl Into<String>, word: Option<&str>, hint: impl Into<String>) -> StepProblem {
    StepProblem {
        message: message.into(),
        word: word.map(str::to_string),
        hint: Some(hint.into()),
    }
}

fn unit_quantity(unit: &str) -> Option<Quantity> {
    Some(match unit.to_lowercase().as_str() {
        "c" => Quantity::CRate,
        "a" | "ma" => Quantity::Amps,
        "w" | "mw" | "kw" => Quantity::Watts,
        "v" | "mv" => Quantity::Volts,
        "s" | "sec" | "secs" | "second" | "seconds" | "m" | "min" | "mins" | "minute"
        | "minutes" | "h" | "hr" | "hrs" | "hour" | "hours" => Quantity::Seconds,
        _ => return None,
    })
}

/// Splits "2.5V" into (2.5, "V"), "2e1C" into (20, "C").
fn number_prefix(word: &str) -> Option<(f64, &str)> {
    let (num, rest) = super::numbers::split_number(word)?;
    let value = super::numbers::number(num)?;
    Some((value, rest))
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
            Ok(d) if d > 0.0 && d.is_finite() => Ok(Quantity::CRate),
            _ => Err(problem(
                "not a C-rate",
                Some(first),
                "write C-rates as 1C, 0.5C or C/10",
            )),
        };
    }
    let Some((_, unit)) = number_prefix(first) else {
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
    unit_quantity(unit).ok_or_else(|| {
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

/// Reads a step with the simulator's own parser (`sim::experiment::parse_step`: units,
/// exponents, `for` and `until`), so what the app accepts is what the runner solves.
pub fn read_step(text: &str) -> Result<StepInfo, StepProblem> {
    let step = crate::sim::experiment::parse_step(text.trim()).map_err(|e| {
        let end = e.word == "end of step";
        let mut hint = e.hint.clone();
        if let Some(s) = step_word_suggestion(&e.word) {
            hint = format!("did you mean \"{s}\"? {hint}");
        }
        StepProblem {
            message: if end {
                "the step is incomplete".to_string()
            } else {
                format!("unexpected {:?}", e.word)
            },
            word: (!end).then(|| e.word.clone()),
            hint: Some(hint),
        }
    })?;
    let drive = match step.control {
        Control::CRate(0.0) | Control::Current(0.0) => Drive::Rest,
        Control::CRate(c) => Drive::CRate(c),
        Control::Current(a) => Drive::Amps(a),
        Control::Power(w) => Drive::Watts(w),
        Control::Voltage(v) => Drive::Volts(v),
        Control::Drive { kind, .. } => Drive::Cycle(kind),
    };
    let cycle = match &step.control {
        Control::Drive { name, .. } => Some((name.clone(), None)),
        _ => None,
    };
    Ok(StepInfo {
        drive,
        duration_s: step.duration_s,
        has_until: !step.terminations.is_empty(),
        cycle,
    })
}

impl StepInfo {
    /// Reads the drive cycle of a `Run` step from `run` (its `drive_cycles` or a built-in) as
    /// the step applies it; a cycle that cannot be found or is invalid keeps no figures (the
    /// simulator's own checks refuse it with the reason).
    pub fn resolve_cycle(mut self, run: &SimSpec) -> StepInfo {
        let (Drive::Cycle(kind), Some((name, figures))) = (self.drive, self.cycle.as_mut()) else {
            return self;
        };
        let rows = drive_cycle::lookup(name, &run.drive_cycles).ok();
        *figures = rows
            .filter(|rows| drive_cycle::validate(name, kind, rows).is_ok())
            .map(|rows| {
                let p = Profile::new(kind, &rows, self.duration_s);
                CycleFigures {
                    duration_s: p.duration(),
                    max_abs: p.max_abs(),
                    rows: p.times.len(),
                }
            });
        self
    }

    fn figures(&self) -> Option<&CycleFigures> {
        self.cycle.as_ref().and_then(|(_, f)| f.as_ref())
    }

    /// The step's current in C (amperes over the set's capacity; watts over the
    /// lower cut-off voltage times the capacity, the largest current that power can draw).
    pub fn c_rate(&self, set: Option<&SetEntry>) -> Option<f64> {
        match self.drive {
            Drive::CRate(c) => Some(c.abs()),
            Drive::Amps(a) => set.map(|s| a.abs() / s.nominal_capacity_ah),
            Drive::Watts(w) => {
                set.map(|s| w.abs() / (s.lower_cutoff_v.max(0.1) * s.nominal_capacity_ah))
            }
            Drive::Cycle(DriveKind::Current) => set
                .zip(self.figures())
                .map(|(s, f)| f.max_abs / s.nominal_capacity_ah),
            Drive::Cycle(DriveKind::Power) => set
                .zip(self.figures())
                .map(|(s, f)| f.max_abs / (s.lower_cutoff_v.max(0.1) * s.nominal_capacity_ah)),
            Drive::Volts(_) | Drive::Rest | Drive::Cycle(DriveKind::Voltage) => None,
        }
    }

    /// An upper estimate of the step's simulated time in seconds: its `for` duration;
    /// else, for a current or power step, 1/C hours × 1.1 (a full capacity at that rate);
    /// else one hour for a hold and PyBaMM's one-day default for anything else.
    pub fn time_bound_s(&self, set: Option<&SetEntry>) -> f64 {
        if let Some(d) = self.duration_s {
            return d;
        }
        if let Drive::Cycle(_) = self.drive {
            // the data's length (a cycle that cannot be read counts as a day); a CSV a
            // comment names counts once the app has read it (it checks the limits again then)
            return match (self.figures(), &self.cycle) {
                (Some(f), _) => f.duration_s,
                (None, Some((name, _))) if drive_cycle::is_csv_name(name) => 0.0,
                (None, _) => DEFAULT_STEP_S,
            };
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

/// A current, power, voltage or duration typed outside a step ("500 A", "3 hours"): how
/// many words it takes and what it is.
pub(crate) fn quantity_kind(words: &[&str]) -> Option<(usize, &'static str)> {
    let mut i = 0;
    let what = match quantity(words, &mut i).ok()? {
        Quantity::CRate => return None,
        Quantity::Amps => "a current",
        Quantity::Watts => "a power",
        Quantity::Volts => "a voltage",
        Quantity::Seconds => "a duration",
    };
    Some((i, what))
}
