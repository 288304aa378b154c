//! Battery models and their solver — a pure library: a `SimSpec` is built into a
//! `Simulation` (parameters resolved, mesh, experiment parsed), which solves to a `Solution`.

pub mod compare;
pub mod experiment;
pub mod models;
pub mod params;
pub mod solver;

use std::collections::BTreeMap;
use std::io::Write;

use serde::{Deserialize, Serialize};

use experiment::{ExperimentError, Step};
use params::ParameterValues;

/// What to simulate (DESIGN §4); unknown JSON keys are ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimSpec {
    pub model: String,
    pub parameter_set: String,
    pub experiment: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thermal: Option<String>,
    #[serde(
        default,
        rename = "ambient_temperature_C",
        skip_serializing_if = "Option::is_none"
    )]
    pub ambient_temperature_c: Option<f64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycles: Option<u32>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
}

/// Errors of building or solving; each carries what the user needs to fix it.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("unknown model {name:?} (valid: {})", valid.join(", "))]
    UnknownModel { name: String, valid: Vec<String> },
    #[error("unknown parameter set {name:?} (valid: {}; or a path to a BPX JSON file)", valid.join(", "))]
    UnknownParameterSet { name: String, valid: Vec<String> },
    #[error("unknown parameter {name:?}{}", if close.is_empty() { String::new() } else { format!(" (did you mean {}?)", close.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(", ")) })]
    UnknownParameter { name: String, close: Vec<String> },
    #[error("parameter {name:?} is a function, not a number")]
    NotScalar { name: String },
    #[error("parameter {name:?} cannot be {value}")]
    BadParameterValue { name: String, value: f64 },
    #[error(transparent)]
    Experiment(#[from] ExperimentError),
    #[error("the experiment is empty (hint: \"experiment\": [\"Discharge at 1C until 2.5 V\"])")]
    EmptyExperiment,
    #[error("{what} is not supported by the {model} model in this version of battbot")]
    Unsupported { model: String, what: String },
    #[error("step {step} ({text:?}) ends at once: {reason}")]
    StepEndsImmediately {
        step: usize,
        text: String,
        reason: String,
    },
    #[error("step {step} ({text:?}) failed at t = {time_s:.1} s: {reason}")]
    StepFailed {
        step: usize,
        text: String,
        time_s: f64,
        reason: String,
    },
    #[error("invalid spec: {0}")]
    InvalidSpec(String),
    #[error(transparent)]
    Bpx(#[from] params::bpx::BpxError),
}

/// The models battbot knows.
pub fn model_names() -> &'static [&'static str] {
    &["SPM", "SPMe", "DFN"]
}

/// The models this build can solve (the others are recognised and refused clearly).
pub fn available_models() -> &'static [&'static str] {
    &["SPM"]
}

/// What the command parser and `random` need to know of a parameter set.

#[derive(Clone, Debug, PartialEq)]
pub struct SetInfo {
    pub name: &'static str,
    pub citation: &'static str,
    pub lower_voltage_cutoff_v: f64,
    pub upper_voltage_cutoff_v: f64,
    pub nominal_capacity_ah: f64,
}

/// Every built-in parameter set.
pub fn parameter_sets() -> Vec<SetInfo> {
    params::BUILTIN
        .iter()
        .map(|(name, f)| {
            let p = f();
            SetInfo {
                name,
                citation: p.citation,
                lower_voltage_cutoff_v: p.scalar("Lower voltage cut-off [V]").unwrap_or(f64::NAN),
                upper_voltage_cutoff_v: p.scalar("Upper voltage cut-off [V]").unwrap_or(f64::NAN),
                nominal_capacity_ah: p.scalar("Nominal cell capacity [A.h]").unwrap_or(f64::NAN),
            }
        })
        .collect()
}

/// The parameter set named `name` (case-insensitive), or a BPX file when `name` is a path
/// to a `.json` file.
pub fn parameter_set(name: &str) -> Result<ParameterValues, SimError> {
    if let Some(p) = params::builtin(name) {
        return Ok(p);
    }
    let path = std::path::Path::new(name.trim());
    if name.trim().to_ascii_lowercase().ends_with(".json") {
        return Ok(params::bpx::load_bpx(path)?);
    }
    Err(SimError::UnknownParameterSet {
        name: name.to_string(),
        valid: params::builtin_names(),
    })
}

/// Solver settings of a solve.
#[derive(Clone, Debug)]
pub struct SolveOptions {
    /// Output period within each step [s].
    pub period_s: f64,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions { period_s: 10.0 }
    }
}

/// One cycle's summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CycleSummary {
    pub cycle: usize,
    pub discharge_capacity_ah: f64,
    pub loss_of_lithium_inventory_percent: f64,
}

/// Counters of the time integration, for regression review.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SolverStats {
    pub steps: usize,
    pub rejected_steps: usize,
    pub event_iterations: usize,
    pub linear_solves: usize,
}

/// A solved experiment.
#[derive(Clone, Debug, Default)]
pub struct Solution {
    pub time_s: Vec<f64>,
    pub current_a: Vec<f64>,
    pub voltage_v: Vec<f64>,
    pub discharge_capacity_ah: Vec<f64>,
    pub temperature_k: Option<Vec<f64>>,
    pub step_index: Vec<usize>,
    pub cycle_index: Vec<usize>,
    pub cycles: Vec<CycleSummary>,
    pub stats: SolverStats,
}

impl Solution {
    /// The CSV of DESIGN §4.
    pub fn write_csv<W: Write>(&self, mut w: W) -> std::io::Result<()> {
        let mut out = String::with_capacity(self.time_s.len() * 48);
        out.push_str("Time [s],Current [A],Voltage [V],Discharge capacity [A.h]");
        if self.temperature_k.is_some() {
            out.push_str(",X-averaged cell temperature [K]");
        }
        out.push('\n');
        for i in 0..self.time_s.len() {
            out.push_str(&format!(
                "{},{},{},{}",
                self.time_s[i], self.current_a[i], self.voltage_v[i], self.discharge_capacity_ah[i]
            ));
            if let Some(t) = &self.temperature_k {
                out.push_str(&format!(",{}", t[i]));
            }
            out.push('\n');
        }
        w.write_all(out.as_bytes())
    }

    /// One row per cycle (DESIGN §4 `--summary`).
    pub fn write_summary_csv<W: Write>(&self, mut w: W) -> std::io::Result<()> {
        writeln!(
            w,
            "Cycle,Discharge capacity [A.h],Loss of lithium inventory [%]"
        )?;
        for c in &self.cycles {
            writeln!(
                w,
                "{},{},{}",
                c.cycle, c.discharge_capacity_ah, c.loss_of_lithium_inventory_percent
            )?;
        }
        Ok(())
    }

    pub fn final_voltage(&self) -> f64 {
        self.voltage_v.last().copied().unwrap_or(f64::NAN)
    }

    pub fn final_time(&self) -> f64 {
        self.time_s.last().copied().unwrap_or(f64::NAN)
    }

    pub fn max_discharge_capacity(&self) -> f64 {
        self.discharge_capacity_ah
            .iter()
            .copied()
            .fold(0.0, f64::max)
    }
}

/// A built model, ready to solve (and re-solve) from its initial state.
pub struct Simulation {
    pub spec: SimSpec,
    model: models::spm::Spm,
    steps: Vec<Step>,
    cycle_len: usize,
}

impl Simulation {
    /// Resolves parameters, builds the mesh and parses the experiment.
    pub fn build(spec: &SimSpec) -> Result<Simulation, SimError> {
        let model_name = model_names()
            .iter()
            .find(|m| m.eq_ignore_ascii_case(spec.model.trim()))
            .ok_or_else(|| SimError::UnknownModel {
                name: spec.model.clone(),
                valid: model_names().iter().map(|s| s.to_string()).collect(),
            })?;
        let mut params = parameter_set(spec.parameter_set.trim())?;
        if let Some(c) = spec.ambient_temperature_c {
            if !(-50.0..=100.0).contains(&c) {
                return Err(SimError::InvalidSpec(format!(
                    "ambient_temperature_C {c} is outside -50…100 °C"
                )));
            }
            params.set_scalar("Ambient temperature [K]", c + 273.15)?;
            params.set_scalar("Initial temperature [K]", c + 273.15)?;
        }
        for (name, value) in &spec.parameters {
            params.set_scalar(name, *value)?;
        }
        let thermal = spec.thermal.as_deref().unwrap_or("isothermal");
        if !thermal.eq_ignore_ascii_case("isothermal") {
            if !thermal.eq_ignore_ascii_case("lumped") {
                return Err(SimError::InvalidSpec(format!(
                    "thermal {thermal:?}: use \"isothermal\" or \"lumped\""
                )));
            }
            return Err(SimError::Unsupported {
                model: model_name.to_string(),
                what: "lumped thermal".into(),
            });
        }
        if let Some((k, _)) = spec.options.iter().next() {
            return Err(SimError::Unsupported {
                model: model_name.to_string(),
                what: format!("option {k:?}"),
            });
        }
        if !available_models().contains(model_name) {
            return Err(SimError::Unsupported {
                model: model_name.to_string(),
                what: "this model".into(),
            });
        }
        if spec.experiment.is_empty() {
            return Err(SimError::EmptyExperiment);
        }
        let cycle: Vec<Step> = spec
            .experiment
            .iter()
            .map(|s| experiment::parse_step(s))
            .collect::<Result<_, _>>()?;
        let cycles = spec.cycles.unwrap_or(1).max(1) as usize;
        let steps: Vec<Step> = (0..cycles).flat_map(|_| cycle.iter().cloned()).collect();
        let model = models::spm::Spm::new(&params, 40)?;
        Ok(Simulation {
            spec: spec.clone(),
            model,
            steps,
            cycle_len: cycle.len(),
        })
    }

    /// Solves the experiment from the initial state.
    pub fn solve(&self, opts: &SolveOptions) -> Result<Solution, SimError> {
        if !(opts.period_s > 0.0 && opts.period_s.is_finite()) {
            return Err(SimError::InvalidSpec(format!("period {} s", opts.period_s)));
        }
        solver::run(&self.model, &self.steps, self.cycle_len, opts)
    }
}
