//! Defines the configurable limits on a command (runs, steps, simulated time, C-rate,
//! temperature, cycles, drive-cycle rows) and checks a command's runs against them, one
//! message per limit. A drive cycle counts its data's length as the step's time and its
//! largest current or power against the C-rate limit.

use serde::{Deserialize, Serialize};

use super::error::{ErrorKind, ParseError};
use super::steps::{read_step, StepInfo, HOLD_ESTIMATE_S, UNTIL_MARGIN};
use super::vocab::Vocabulary;
use crate::sim::SimSpec;

/// Limits from the config's `limits` object; missing fields take the defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Runs in one command.
    pub max_runs: usize,
    /// Steps of one run after expanding its cycles.
    pub max_steps: usize,
    /// Simulated hours of one run (estimated from its steps).
    pub max_simulated_hours: f64,
    /// Largest current of any step, in C.
    pub max_c_rate: f64,
    pub min_temperature_c: f64,
    pub max_temperature_c: f64,
    /// Cycles of a run with degradation options (SEI, lithium plating).
    pub max_cycles: u32,
    /// Rows of one drive cycle as a step applies it (after `for` cuts or repeats it).
    pub max_drive_cycle_rows: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_runs: 5,
            max_steps: 50,
            max_simulated_hours: 100.0,
            max_c_rate: 10.0,
            min_temperature_c: -20.0,
            max_temperature_c: 60.0,
            max_cycles: 500,
            max_drive_cycle_rows: 36_000,
        }
    }
}

impl Limits {
    /// No limit at all (used to re-read canonical text).
    pub fn unlimited() -> Self {
        Limits {
            max_runs: usize::MAX,
            max_steps: usize::MAX,
            max_simulated_hours: f64::INFINITY,
            max_c_rate: f64::INFINITY,
            min_temperature_c: f64::NEG_INFINITY,
            max_temperature_c: f64::INFINITY,
            max_cycles: u32::MAX,
            max_drive_cycle_rows: usize::MAX,
        }
    }
}

fn fmt_hours(h: f64) -> String {
    if h >= 10.0 {
        format!("{h:.0} h")
    } else {
        format!("{h:.1} h")
    }
}

fn run_name(i: usize, run: &SimSpec, many: bool) -> String {
    if many {
        format!("run {} ({} {})", i + 1, run.model, run.parameter_set)
    } else {
        format!("the run ({} {})", run.model, run.parameter_set)
    }
}

/// Checks `runs` against `limits`. Steps the sim accepted but [`read_step`] cannot read
/// count as PyBaMM's one-day default step.
pub fn check(runs: &[SimSpec], limits: &Limits, vocab: &Vocabulary) -> Result<(), ParseError> {
    if runs.len() > limits.max_runs {
        return Err(too_many_runs(
            runs.len(),
            limits.max_runs,
            &format!("{} runs", runs.len()),
        ));
    }
    let many = runs.len() > 1;
    for (i, run) in runs.iter().enumerate() {
        let name = run_name(i, run, many);
        let set = vocab.set(&run.parameter_set);
        let degradation = !run.options.is_empty();
        let cycles = run.cycles.unwrap_or(1).max(1);
        if let Some(t) = run.ambient_temperature_c {
            if !(limits.min_temperature_c..=limits.max_temperature_c).contains(&t) {
                return Err(ParseError::new(
                    ErrorKind::Temperature { celsius: t },
                    format!(
                        "{t} °C is outside the range battbot simulates ({} °C to {} °C)",
                        limits.min_temperature_c, limits.max_temperature_c
                    ),
                    "give the ambient temperature as e.g. \"at 10°C\", \"T=10C\" or \"at 298K\"",
                ));
            }
        }
        let steps = run.experiment.len().saturating_mul(cycles as usize);
        if degradation {
            if cycles > limits.max_cycles {
                return Err(ParseError::new(
                    ErrorKind::TooManyCycles {
                        cycles,
                        max: limits.max_cycles,
                    },
                    format!(
                        "{name} asks for {cycles} cycles; the limit for degradation studies is {}",
                        limits.max_cycles
                    ),
                    "use fewer cycles, e.g. \"x100\"",
                ));
            }
            if run.experiment.len() > limits.max_steps {
                return Err(too_many_steps(
                    &name,
                    run.experiment.len(),
                    limits,
                    "in one cycle",
                ));
            }
        } else if steps > limits.max_steps {
            return Err(too_many_steps(
                &name,
                steps,
                limits,
                "after repeating its cycles",
            ));
        }
        let infos: Vec<Option<StepInfo>> = run
            .experiment
            .iter()
            .map(|s| read_step(s).ok().map(|i| i.resolve_cycle(run)))
            .collect();
        for (step, info) in run.experiment.iter().zip(&infos) {
            check_drive_cycle_rows(step, info.as_ref(), &name, limits)?;
            if let Some(c) = info.as_ref().and_then(|i| i.c_rate(set)) {
                if c > limits.max_c_rate {
                    return Err(ParseError::new(
                        ErrorKind::CRate { c_rate: c },
                        format!(
                            "step \"{step}\" of {name} runs at {}C; the limit is {}C",
                            round3(c),
                            limits.max_c_rate
                        ),
                        "use a smaller current (amperes and watts count against the set's nominal capacity); for a temperature write e.g. 25°C or T=25C",
                    ));
                }
            }
        }
        let cycle_s: f64 = infos
            .iter()
            .map(|i| {
                i.as_ref()
                    .map_or(super::steps::DEFAULT_STEP_S, |i| i.time_bound_s(set))
            })
            .sum();
        let hours = cycle_s / 3600.0 * if degradation { 1.0 } else { cycles as f64 };
        if hours > limits.max_simulated_hours {
            let scope = if degradation { " per cycle" } else { "" };
            return Err(ParseError::new(
                ErrorKind::SimulatedTime {
                    hours,
                    max: limits.max_simulated_hours,
                },
                format!(
                    "{name} may simulate up to {}{scope}; the limit is {}",
                    fmt_hours(hours),
                    fmt_hours(limits.max_simulated_hours)
                ),
                time_hint(run, &infos, set, cycles, degradation, limits),
            ));
        }
    }
    Ok(())
}

/// A drive cycle of more rows than the limit (counted as the step applies it).
fn check_drive_cycle_rows(
    step: &str,
    info: Option<&StepInfo>,
    name: &str,
    limits: &Limits,
) -> Result<(), ParseError> {
    let Some((cycle, Some(f))) = info.and_then(|i| i.cycle.as_ref()) else {
        return Ok(());
    };
    if f.rows <= limits.max_drive_cycle_rows {
        return Ok(());
    }
    Err(ParseError::new(
        ErrorKind::DriveCycle {
            rows: f.rows,
            max: limits.max_drive_cycle_rows,
        },
        format!(
            "step \"{step}\" of {name} applies drive cycle \"{cycle}\" with {} rows; the limit is {}",
            f.rows, limits.max_drive_cycle_rows
        ),
        "use a coarser time step in the data or a shorter cycle (\"for …\" cuts it)",
    ))
}

/// `breakdown` says how this request's runs multiply ("1 model × 6 temperatures = 6 runs").
pub(crate) fn too_many_runs(runs: usize, max: usize, breakdown: &str) -> ParseError {
    ParseError::new(
        ErrorKind::TooManyRuns { runs, max },
        format!("this asks for {runs} runs; the limit is {max}"),
        format!("runs multiply ({breakdown}): compare fewer models, sets, C-rates, temperatures or values"),
    )
}

/// The hint for too long a run, from its own steps: each step's bound, the cycle's, and how
/// many cycles would fit.
fn time_hint(
    run: &SimSpec,
    infos: &[Option<StepInfo>],
    set: Option<&super::vocab::SetEntry>,
    cycles: u32,
    degradation: bool,
    limits: &Limits,
) -> String {
    let bound = |i: &Option<StepInfo>| {
        i.as_ref()
            .map_or(super::steps::DEFAULT_STEP_S, |i| i.time_bound_s(set))
            / 3600.0
    };
    let mut parts: Vec<(f64, String)> = run
        .experiment
        .iter()
        .zip(infos)
        .map(|(s, i)| (bound(i), format!("\"{s}\" {}", fmt_hours(bound(i)))))
        .collect();
    parts.sort_by(|a, b| b.0.total_cmp(&a.0));
    let listed: Vec<String> = parts.iter().take(3).map(|(_, t)| t.clone()).collect();
    let cycle_h: f64 = infos.iter().map(bound).sum();
    let mut hint = format!(
        "counted per step ({}{}; \"for\" as written, \"until\" 1/C-rate × {UNTIL_MARGIN}, holds {} h, others a day)",
        listed.join(", "),
        if parts.len() > 3 { ", …" } else { "" },
        HOLD_ESTIMATE_S / 3600.0
    );
    if !degradation && cycles > 1 && cycle_h > 0.0 {
        let fit = (limits.max_simulated_hours / cycle_h).floor();
        hint.push_str(&format!(
            ": {cycles} cycles of {} each; {fit} cycles fit",
            fmt_hours(cycle_h)
        ));
    } else {
        hint.push_str("; add \"for …\" to the longest step or shorten it");
    }
    hint
}

fn too_many_steps(name: &str, steps: usize, limits: &Limits, how: &str) -> ParseError {
    ParseError::new(
        ErrorKind::TooManySteps {
            steps,
            max: limits.max_steps,
        },
        format!(
            "{name} has {steps} steps {how}; the limit is {}",
            limits.max_steps
        ),
        format!(
            "{steps} steps against a limit of {}: use fewer steps or cycles",
            limits.max_steps
        ),
    )
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(set: &str, steps: &[&str], cycles: &[(&str, Vec<[f64; 2]>)]) -> SimSpec {
        let mut r = SimSpec::new("SPM", set, steps);
        r.drive_cycles = cycles
            .iter()
            .map(|(n, rows)| (n.to_string(), rows.clone()))
            .collect();
        r
    }

    #[test]
    fn drive_cycles_count_their_current_time_and_rows() {
        let vocab = Vocabulary::builtin();
        let l = Limits::default();
        // US06 peaks at 8.1 A: 1.6C on Chen2020's 5 Ah, 12C on Marquis2019's 0.68 Ah
        check(&[run("Chen2020", &["Run US06 (A)"], &[])], &l, &vocab).unwrap();
        let e = check(&[run("Marquis2019", &["Run US06 (A)"], &[])], &l, &vocab).unwrap_err();
        assert!(e.error.contains("11.901C"), "{}", e.error);
        // the data's length is the step's time: twice 60 h of a 1 A profile
        let long = vec![[0.0, 1.0], [60.0 * 3600.0, 1.0]];
        let e = check(
            &[run(
                "Chen2020",
                &["Run long (A)", "Run long (A)"],
                &[("long", long.clone())],
            )],
            &l,
            &vocab,
        )
        .unwrap_err();
        assert!(e.error.contains("may simulate up to 120 h"), "{}", e.error);
        // "for" cuts it
        check(
            &[run(
                "Chen2020",
                &["Run long (A) for 1 hour"],
                &[("long", long)],
            )],
            &l,
            &vocab,
        )
        .unwrap();
        let rows: Vec<[f64; 2]> = (0..=36_000).map(|i| [i as f64, 1.0]).collect();
        let e = check(
            &[run("Chen2020", &["Run big (A)"], &[("big", rows)])],
            &l,
            &vocab,
        )
        .unwrap_err();
        assert!(
            e.error.contains("36001 rows; the limit is 36000"),
            "{}",
            e.error
        );
    }
}
