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
pub use mesh::{particle_nodes_for, Mesh, CYCLING_MESH_MIN_CYCLES, CYCLING_RTOL};
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
    #[error("solver failed in step {step} ({text:?}) at t = {time_s:.3} s: {reason}")]
    StepFailed {
        step: usize,
        text: String,
        time_s: f64,
        reason: String,
    },
    #[error("BPX file {path:?}: {reason}")]
    Bpx { path: String, reason: String },
    #[error("points_per_domain must be between {lo} and {hi} (40 is the default, 20 PyBaMM's default mesh), got {got}", lo = POINTS_PER_DOMAIN.start(), hi = POINTS_PER_DOMAIN.end())]
    BadPoints { got: usize },
    #[error("unknown variable {name:?}{}; `battbot variables --model M` lists them", if close.is_empty() { String::new() } else { format!("; did you mean {}?", close.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(" or ")) })]
    UnknownVariable { name: String, close: Vec<String> },
    #[error("invalid solve options: {0}")]
    BadOptions(String),
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
