//! Battery simulation: a `SimSpec` (model, parameter set, PyBaMM experiment) is built into a
//! `Simulation` (parameters resolved, mesh, steps parsed) and solved to a `Solution` with
//! PyBaMM's conventions (current positive on discharge, capacity = ∫I dt).
//!
//! Degradation: the spec's `options` select PyBaMM's SEI growth and lithium plating
//! submodels (`models::degradation`), coupled to the SPM, SPMe and DFN; `cycles` repeats the
//! experiment, and the solution's per-cycle summary (`Solution::cycles`,
//! `Solution::write_summary_csv`) reports each cycle's discharge capacity, PyBaMM's loss of
//! lithium inventory and where the lithium went. Experiments of `CYCLING_MESH_MIN_CYCLES`
//! cycles or more are solved on `Mesh::cycling()` with `CYCLING_RTOL` (about 6 ms a cycle
//! for the SPMe); `Simulation::output_cycles` keeps their sampled curves small.

pub mod compare;
pub mod drive_cycle;
mod driver;
pub mod experiment;
pub mod fastmath;
mod mesh;
pub mod models;
mod option_value;
pub mod params;
mod solution;
pub mod solver;
mod spec;
pub mod spec_keys;
pub mod variables;

pub use driver::Simulation;
pub use mesh::{particle_nodes_for, Mesh, CYCLING_MESH_MIN_CYCLES, CYCLING_RTOL, SHELL_GRADING};
pub use option_value::OptionValue;
pub use solution::{CycleSummary, DegradationModes, Solution};
pub use solver::SolverStats;
pub use spec::{
    model_names, parameter_sets, resolve_parameters, SetInfo, SimSpec, LUMPED_THERMAL_PARAMETERS,
    POINTS_PER_DOMAIN,
};

use experiment::ExperimentError;

/// Errors of building or solving a simulation.
#[derive(thiserror::Error, Debug)]
pub enum SimError {
    #[error("unknown model {name:?}; valid models: {}", valid.join(", "))]
    UnknownModel { name: String, valid: Vec<String> },
    #[error("unknown parameter set {name:?}; valid sets: {} (or a path to a BPX .json file)", valid.join(", "))]
    UnknownParameterSet { name: String, valid: Vec<String> },
    #[error("unknown parameter {name:?}{}", if close.is_empty() { String::new() } else { format!("; did you mean {}?", close.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(" or ")) })]
    UnknownParameter { name: String, close: Vec<String> },
    #[error("parameter {name:?} is a function, not a number")]
    NotScalar { name: String },
    #[error("parameter {name:?} cannot be {value}")]
    BadParameterValue { name: String, value: f64 },
    #[error("unknown thermal model {name:?}; valid: isothermal, lumped")]
    UnknownThermal { name: String },
    #[error("unsupported option {name:?}: {value:?} ({reason})")]
    UnsupportedOption {
        name: String,
        value: String,
        reason: String,
    },
    #[error(transparent)]
    Experiment(#[from] ExperimentError),
    #[error(transparent)]
    DriveCycle(#[from] drive_cycle::DriveCycleError),
    #[error("the experiment has no steps")]
    EmptyExperiment,
    #[error("step {step:?} ends immediately: {reason}")]
    StepEndsImmediately {
        step: String,
        index: usize,
        reason: String,
    },
    /// The solver could not go on: a failure of the run, not bad input; it carries the
    /// solution up to there (PyBaMM returns it with a warning).
    #[error("{0}")]
    Stopped(Box<Stopped>),
    #[error("BPX file {path:?}: {reason}")]
    Bpx { path: String, reason: String },
    #[error("points_per_domain must be between {lo} and {hi} (40 is the default, 20 PyBaMM's default mesh), got {got}", lo = POINTS_PER_DOMAIN.start(), hi = POINTS_PER_DOMAIN.end())]
    BadPoints { got: usize },
    #[error("unknown variable {name:?}{}; `battbot variables --model M` lists them", if close.is_empty() { String::new() } else { format!("; did you mean {}?", close.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(" or ")) })]
    UnknownVariable { name: String, close: Vec<String> },
    #[error("invalid solve options: {0}")]
    BadOptions(String),
}

impl SimError {
    /// Whether the error is a failure of the solve (exit 1) rather than bad input (exit 2).
    pub fn is_failure(&self) -> bool {
        matches!(self, SimError::Stopped(_))
    }

    /// The solution up to the point where a run stopped.
    pub fn partial(&self) -> Option<&Stopped> {
        match self {
            SimError::Stopped(s) => Some(s),
            _ => None,
        }
    }
}

/// Where a run stopped, why, and what it had solved.
#[derive(Debug)]
pub struct Stopped {
    /// 1-based cycle.
    pub cycle: usize,
    /// 0-based index of the step among all the run's steps (cycles expanded).
    pub step: usize,
    /// The step as the user wrote it.
    pub text: String,
    /// Simulated time at which the solver stopped [s].
    pub time_s: f64,
    pub reason: String,
    /// The solution up to `time_s` (its rows, and the summaries of the cycles completed).
    pub partial: Solution,
}

impl std::fmt::Display for Stopped {
    /// "stopped in cycle 506, step 'Charge at 1C until 4.2 V', after 1 487 h: …".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "stopped in cycle {}, step '{}', after {}: {} (at t = {:.1} s)",
            self.cycle,
            self.text,
            format_hours(self.time_s),
            self.reason,
            self.time_s
        )
    }
}

/// Simulated time in hours as people read it: "0.25 h", "12.5 h", "1 487 h".
pub fn format_hours(time_s: f64) -> String {
    let h = time_s / 3600.0;
    if !h.is_finite() {
        return format!("{h} h");
    }
    if h < 10.0 {
        return format!("{h:.2} h");
    }
    if h < 100.0 {
        return format!("{h:.1} h");
    }
    let digits = format!("{h:.0}");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    format!("{out} h")
}

/// Time steps one experiment step may take before it is reported as failed.
pub const MAX_STEPS_PER_EXPERIMENT_STEP: usize = 100_000;

/// Options of one solve.
#[derive(Clone, Debug)]
pub struct SolveOptions {
    /// Output sampling period within each step [s].
    pub period_s: f64,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions { period_s: 10.0 }
    }
}
