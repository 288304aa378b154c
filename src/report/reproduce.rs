//! The PyBaMM scripts a report ships (`reproduce.py`, one per run of a comparison): made by
//! the app from the job's validated runs (never taken from the runner), so what a reader
//! downloads and runs is battbot's own output.

use crate::forge::FileChange;
use crate::sim::{SimSpec, Simulation};

/// The name of run `i`'s script among `n` runs.
pub fn script_name(i: usize, n: usize) -> String {
    if n == 1 {
        "reproduce.py".to_string()
    } else {
        format!("reproduce-run-{}.py", i + 1)
    }
}

/// The scripts of `runs` as (name, text); a run that does not build gets none (its report
/// says why elsewhere).
pub fn scripts(runs: &[SimSpec]) -> Vec<(String, String)> {
    runs.iter()
        .enumerate()
        .filter_map(|(i, spec)| {
            let sim = Simulation::build(spec).ok()?;
            let text = crate::pybamm_script::script(spec, &sim, 10.0);
            Some((script_name(i, runs.len()), text))
        })
        .collect()
}

/// The scripts as files of the report directory `dir`, with their names and sizes.
pub fn files(dir: &str, runs: &[SimSpec]) -> Vec<(FileChange, String, usize)> {
    scripts(runs)
        .into_iter()
        .map(|(name, text)| {
            let size = text.len();
            (FileChange::new(format!("{dir}/{name}"), text), name, size)
        })
        .collect()
}
