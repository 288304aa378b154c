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
pub mod experiment;
pub mod fastmath;
pub mod models;
pub mod params;
pub mod solver;
pub mod spec_keys;

use solver::Condensation;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use experiment::{Control, ExperimentError, Step, Termination};
use models::{Ctrl, Layout, Model};
pub use solver::SolverStats;
use solver::{Bdf, System};

/// A simulation request (DESIGN §4). An unknown JSON key is an error with a did-you-mean
/// (`spec_keys`); `SimSpec::from_manifest_entry` reads a reference manifest's entries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "spec_keys::RawSpec")]
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
    /// Mesh resolution N: finite-volume cells per electrode (the separator's as wide), and N
    /// shells or 4 + N/10 polynomial nodes per particle (see `Mesh::for_spec`). Unset: 40
    /// cells in each electrode and the separator, 8 nodes or 40 shells per particle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_per_domain: Option<usize>,
}

/// The range of `points_per_domain`.
pub const POINTS_PER_DOMAIN: std::ops::RangeInclusive<usize> = 4..=200;

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

/// Summary of one cycle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CycleSummary {
    /// 1-based cycle number.
    pub cycle: usize,
    /// Charge discharged during the cycle (sum over its steps of the net discharge) [A.h].
    pub discharge_capacity_ah: f64,
    /// PyBaMM's "Loss of lithium inventory [%]" at the cycle's end: the lithium the
    /// particles have lost since the start, in % of what they held.
    pub loss_of_lithium_inventory_percent: f64,
    /// Lithium in the particles at the cycle's end [mol].
    #[serde(default)]
    pub lithium_in_particles_mol: f64,
    /// Lithium consumed by SEI growth since the start (PyBaMM's "Loss of lithium to negative
    /// SEI [mol]") at the cycle's end.
    #[serde(default)]
    pub lithium_lost_to_sei_mol: f64,
    /// Lithium plated (reversible and dead) since the start at the cycle's end [mol].
    #[serde(default)]
    pub lithium_lost_to_plating_mol: f64,
    /// x-averaged SEI thickness at the cycle's end [m], when the SEI is modelled.
    #[serde(default)]
    pub sei_thickness_m: Option<f64>,
}

/// A solved simulation, sampled every period plus each step's final point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// Writes the time series as CSV (DESIGN §4 header).
    pub fn write_csv<W: std::io::Write>(&self, mut w: W) -> std::io::Result<()> {
        write!(
            w,
            "Time [s],Current [A],Voltage [V],Discharge capacity [A.h]"
        )?;
        if self.temperature_k.is_some() {
            write!(w, ",X-averaged cell temperature [K]")?;
        }
        writeln!(w)?;
        for k in 0..self.time_s.len() {
            write!(
                w,
                "{},{},{},{}",
                fmt9(self.time_s[k]),
                fmt9(self.current_a[k]),
                fmt9(self.voltage_v[k]),
                fmt9(self.discharge_capacity_ah[k])
            )?;
            if let Some(t) = &self.temperature_k {
                write!(w, ",{}", fmt9(t[k]))?;
            }
            writeln!(w)?;
        }
        Ok(())
    }

    /// Writes one row per cycle (DESIGN §4 `--summary`).
    pub fn write_summary_csv<W: std::io::Write>(&self, mut w: W) -> std::io::Result<()> {
        writeln!(
            w,
            "Cycle,Discharge capacity [A.h],Loss of lithium inventory [%]"
        )?;
        for c in &self.cycles {
            writeln!(
                w,
                "{},{},{}",
                c.cycle,
                fmt9(c.discharge_capacity_ah),
                fmt9(c.loss_of_lithium_inventory_percent)
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
            .fold(f64::NAN, f64::max)
    }
}

/// Nine significant digits, as the reference CSVs.
fn fmt9(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let s = format!("{v:.8e}");
    let parsed: f64 = s.parse().unwrap_or(v);
    format!("{parsed}")
}

/// Model names accepted by `SimSpec::model`.
pub fn model_names() -> &'static [&'static str] {
    &["SPM", "SPMe", "DFN"]
}

/// Facts about a built-in parameter set.
#[derive(Clone, Debug, PartialEq)]
pub struct SetInfo {
    pub name: &'static str,
    pub citation: &'static str,
    pub lower_voltage_cutoff_v: f64,
    pub upper_voltage_cutoff_v: f64,
    pub nominal_capacity_ah: f64,
}

/// The built-in parameter sets.
pub fn parameter_sets() -> Vec<SetInfo> {
    params::BUILTIN
        .iter()
        .map(|(_, f)| {
            let p = f();
            SetInfo {
                name: p.name,
                citation: p.citation,
                lower_voltage_cutoff_v: p.scalar("Lower voltage cut-off [V]").unwrap_or(f64::NAN),
                upper_voltage_cutoff_v: p.scalar("Upper voltage cut-off [V]").unwrap_or(f64::NAN),
                nominal_capacity_ah: p.scalar("Nominal cell capacity [A.h]").unwrap_or(f64::NAN),
            }
        })
        .collect()
}

/// Points per domain of the meshes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mesh {
    pub x_n: usize,
    /// Separator cells; 0: as many as give them the electrodes' mean cell width (see
    /// `Mesh::for_spec`).
    pub x_s: usize,
    pub x_p: usize,
    /// Finite-volume shells per particle radius, for particles whose diffusivity varies with
    /// stoichiometry (see `models::sphere`).
    pub r_n: usize,
    pub r_p: usize,
    /// Nodes of the particles' polynomial (constant diffusivity, see `models::sphere`).
    pub particle_nodes: usize,
}

impl Default for Mesh {
    /// 40 points per electrode and separator, and in the particles 40 shells or 8 polynomial
    /// nodes. With PyBaMM's finite volumes reproduced (uniform meshes, harmonic-mean fluxes,
    /// extrapolated surface values, its regularisations) battsim agrees with PyBaMM's 40-point
    /// solutions to ~0.01 mV where both use finite volumes. The 8-node particles are closer to
    /// the converged solution than PyBaMM's 40 shells (which leave 0.17 mV at 1C and ~1 mV at
    /// 3C on Chen2020). Coarser meshes leave a discretisation error of 1-20 mV at high
    /// C-rates, in the cold and with stoichiometry-dependent diffusivities (ORegan2022), which
    /// converge slowly under harmonic means.
    fn default() -> Self {
        Mesh {
            x_n: 40,
            x_s: 40,
            x_p: 40,
            r_n: 40,
            r_p: 40,
            particle_nodes: 8,
        }
    }
}

/// Polynomial particle nodes for `n` points per domain: 6 at PyBaMM's default 20 (~10× closer
/// to the converged surface concentration than its 20 shells), 8 at 40.
pub const fn particle_nodes_for(n: usize) -> usize {
    let k = 4 + n / 10;
    if k > 24 {
        24
    } else {
        k
    }
}

/// Experiments of at least this many cycles are built for cycling: on `Mesh::cycling()`,
/// with relative tolerance `CYCLING_RTOL`.
pub const CYCLING_MESH_MIN_CYCLES: u32 = 10;

/// The integrator's relative tolerance for long experiments. On the degradation references
/// it keeps the loss of lithium inventory within ~1 % of PyBaMM's (its default 1e-4 lets it
/// wander by ~2-3 %) and each cycle's capacity within ~0.02 % of the capacity, at 70 % of
/// the steps of 1e-5.
pub const CYCLING_RTOL: f64 = 5e-5;

impl Mesh {
    /// The mesh of long experiments (degradation studies over tens to hundreds of cycles):
    /// 10 points per electrode, 5 in the separator, 6 polynomial nodes (or 15 shells) per
    /// particle. What such runs report is the per-cycle summary; on the SEI and plating
    /// references it keeps each cycle's discharge capacity within ~0.02 % of the capacity
    /// (≤ 1 % of the fade over 100 cycles) of PyBaMM's 40-point solution, at a fraction of the
    /// cost of the default mesh. The voltage curve itself is then within a few mV, not the
    /// default mesh's ~0.1 mV.
    pub fn cycling() -> Mesh {
        Mesh {
            x_n: 10,
            x_s: 5,
            x_p: 10,
            r_n: 15,
            r_p: 15,
            particle_nodes: 6,
        }
    }

    /// The mesh `Simulation::build` uses for `spec`: its `points_per_domain` N in each
    /// electrode (N shells or 4 + N/10 polynomial nodes in the particles) and a separator of
    /// cells as wide as the electrodes' on average, else `Mesh::cycling()` for experiments of
    /// `CYCLING_MESH_MIN_CYCLES` cycles or more, the default mesh otherwise.
    ///
    /// Why the separator follows the electrodes' cell width: the finite volumes are first
    /// order where the cell width jumps (the gradient between two cell centres is not centred
    /// on the edge between them), and N cells in a separator 7× thinner than the electrodes
    /// (Chen2020) make that jump 7×. On the DFN Chen2020 1C, 10 + 2 + 10 cells land 0.38 mV
    /// from a 160-cell solution where 10 + 10 + 10 land 0.94 mV, in less time. Coarse
    /// meshes suit moderate rates only: at 3C, 20 points per electrode are 5–7 mV off either
    /// way (a resolved separator does a little better there); the default mesh is 0.1 mV off.
    pub fn for_spec(spec: &SimSpec) -> Mesh {
        if let Some(n) = spec.points_per_domain {
            Mesh {
                x_n: n,
                x_s: 0,
                x_p: n,
                r_n: n,
                r_p: n,
                particle_nodes: particle_nodes_for(n),
            }
        } else if spec.cycles.unwrap_or(1) >= CYCLING_MESH_MIN_CYCLES {
            Mesh::cycling()
        } else {
            Mesh::default()
        }
    }

    /// The separator cells for `cell` when `x_s` is 0: its thickness over the electrodes'
    /// mean cell width, rounded up.
    fn resolved(self, cell: &models::Cell) -> Mesh {
        if self.x_s > 0 {
            return self;
        }
        let width =
            0.5 * (cell.neg.l / self.x_n.max(1) as f64 + cell.pos.l / self.x_p.max(1) as f64);
        let x_s = (cell.l_sep / width).ceil().max(1.0) as usize;
        Mesh { x_s, ..self }
    }
}

/// A built model: parameters resolved, mesh, experiment parsed.
pub struct Simulation {
    model: Box<dyn Model>,
    steps: Vec<Step>,
    cycles: usize,
    capacity: f64,
    v_min: f64,
    v_max: f64,
    lumped: bool,
    pub rtol: f64,
    pub atol: f64,
    /// Cycles (1-based) whose full curves the sampled output holds; `None` (the default)
    /// holds every cycle. Other cycles contribute each step's start and end points only; the
    /// per-cycle summary always covers every cycle. For long degradation runs. (A field of
    /// the simulation rather than of `SolveOptions`, which callers build as a literal.)
    pub output_cycles: Option<Vec<usize>>,
}

impl std::fmt::Debug for Simulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulation")
            .field("steps", &self.steps)
            .field("cycles", &self.cycles)
            .finish()
    }
}

/// Resolves the parameter values of a spec (set, ambient temperature, overrides).
pub fn resolve_parameters(spec: &SimSpec) -> Result<params::ParameterValues, SimError> {
    let name = spec.parameter_set.trim();
    let mut p = match params::builtin(name) {
        Some(p) => p,
        None if name.to_ascii_lowercase().ends_with(".json") => {
            params::bpx::load_bpx(std::path::Path::new(name)).map_err(|e| SimError::Bpx {
                path: name.to_string(),
                reason: e.to_string(),
            })?
        }
        None => {
            return Err(SimError::UnknownParameterSet {
                name: name.to_string(),
                valid: params::builtin_names(),
            })
        }
    };
    if let Some(tc) = spec.ambient_temperature_c {
        if !tc.is_finite() || tc <= -273.15 {
            return Err(SimError::BadParameterValue {
                name: "ambient_temperature_C".into(),
                value: tc,
            });
        }
        p.set_scalar("Ambient temperature [K]", tc + 273.15)?;
        p.set_scalar("Initial temperature [K]", tc + 273.15)?;
    }
    for (k, v) in &spec.parameters {
        p.set_scalar(k, *v)?;
    }
    Ok(p)
}

/// Parameters PyBaMM's lumped thermal model reads (its heat capacity, cooling and Ohmic
/// heating of the current collectors).
pub const LUMPED_THERMAL_PARAMETERS: &[&str] = &[
    "Cell cooling surface area [m2]",
    "Cell volume [m3]",
    "Total heat transfer coefficient [W.m-2.K-1]",
    "Negative current collector thickness [m]",
    "Positive current collector thickness [m]",
    "Negative current collector density [kg.m-3]",
    "Positive current collector density [kg.m-3]",
    "Negative current collector specific heat capacity [J.kg-1.K-1]",
    "Positive current collector specific heat capacity [J.kg-1.K-1]",
    "Negative electrode density [kg.m-3]",
    "Positive electrode density [kg.m-3]",
    "Separator density [kg.m-3]",
    "Negative electrode specific heat capacity [J.kg-1.K-1]",
    "Positive electrode specific heat capacity [J.kg-1.K-1]",
    "Separator specific heat capacity [J.kg-1.K-1]",
];

/// A lumped thermal model needs the set's thermal parameters: without them the heat capacity
/// would be zero (PyBaMM itself stops with a missing-parameter error on such sets, e.g.
/// Prada2013).
fn check_thermal_parameters(p: &params::ParameterValues) -> Result<(), SimError> {
    let missing: Vec<&str> = LUMPED_THERMAL_PARAMETERS
        .iter()
        .copied()
        .filter(|n| !p.has(n))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(SimError::UnsupportedOption {
        name: "thermal".into(),
        value: "lumped".into(),
        reason: format!(
            "parameter set {} has no thermal parameters ({} missing: {}); use the isothermal model (PyBaMM stops on this set with a missing-parameter error too)",
            p.name,
            missing.len(),
            missing
                .iter()
                .map(|m| format!("{m:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

impl Simulation {
    /// Builds with the default mesh.
    /// Builds with `Mesh::for_spec(spec)`: the default mesh, or for long experiments
    /// (`CYCLING_MESH_MIN_CYCLES` cycles or more) the cycling mesh and `CYCLING_RTOL`.
    pub fn build(spec: &SimSpec) -> Result<Simulation, SimError> {
        if let Some(n) = spec.points_per_domain {
            if !POINTS_PER_DOMAIN.contains(&n) {
                return Err(SimError::BadPoints { got: n });
            }
        }
        let mut sim = Simulation::build_with_mesh(spec, Mesh::for_spec(spec))?;
        if spec.cycles.unwrap_or(1) >= CYCLING_MESH_MIN_CYCLES {
            sim.rtol = CYCLING_RTOL;
        }
        Ok(sim)
    }

    /// Builds with a given mesh.
    pub fn build_with_mesh(spec: &SimSpec, mesh: Mesh) -> Result<Simulation, SimError> {
        let model_name = spec.model.trim().to_ascii_lowercase();
        if !["spm", "spme", "dfn"].contains(&model_name.as_str()) {
            return Err(SimError::UnknownModel {
                name: spec.model.clone(),
                valid: model_names().iter().map(|s| s.to_string()).collect(),
            });
        }
        // the thermal model may also come as a PyBaMM option {"thermal": "lumped"}
        let thermal = spec
            .thermal
            .clone()
            .or_else(|| spec.options.get("thermal").cloned());
        let lumped = match thermal.as_deref().map(|s| s.trim().to_ascii_lowercase()) {
            None => false,
            Some(s) if s == "isothermal" => false,
            Some(s) if s == "lumped" => true,
            Some(_) => {
                return Err(SimError::UnknownThermal {
                    name: thermal.unwrap_or_default(),
                })
            }
        };
        // degradation options (SEI, lithium plating): validated here, resolved below
        let deg_opts = models::degradation::parse_options(&spec.options, &model_name)?;
        if spec.experiment.is_empty() {
            return Err(SimError::EmptyExperiment);
        }
        let steps = spec
            .experiment
            .iter()
            .map(|s| experiment::parse_step(s.trim()))
            .collect::<Result<Vec<_>, _>>()?;
        let p = resolve_parameters(spec)?;
        if lumped {
            check_thermal_parameters(&p)?;
        }
        let cell = models::Cell::new(&p)?;
        let mesh = mesh.resolved(&cell);
        let capacity = cell.capacity;
        let (v_min, v_max) = (cell.v_min, cell.v_max);
        let deg = if deg_opts.is_none() {
            None
        } else {
            Some(models::degradation::Degradation::new(deg_opts, &p, &cell)?)
        };
        let model: Box<dyn Model> = match model_name.as_str() {
            "spm" => Box::new(models::spm::Spm::with_degradation(cell, mesh, lumped, deg)),
            "spme" => Box::new(models::spme::Spme::with_degradation(
                cell, mesh, lumped, deg,
            )),
            _ => Box::new(models::dfn::Dfn::with_degradation(cell, mesh, lumped, deg)),
        };
        Ok(Simulation {
            model,
            steps,
            cycles: spec.cycles.unwrap_or(1).max(1) as usize,
            capacity,
            v_min,
            v_max,
            lumped,
            rtol: 1e-5,
            atol: 1e-6,
            output_cycles: None,
        })
    }

    /// The parsed steps of one cycle.
    /// Number of unknowns of the discretised model.
    pub fn unknowns(&self) -> usize {
        self.model.n_unknowns()
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    fn ctrl(&self, step: &Step) -> Ctrl {
        match step.control {
            Control::Current(a) => Ctrl::Current(a),
            Control::CRate(c) => Ctrl::Current(c * self.capacity),
            Control::Voltage(v) => Ctrl::Voltage(v),
            Control::Power(w) => Ctrl::Power(w),
        }
    }

    /// Solves from the initial state to the end of the experiment.
    pub fn solve(&self, opts: &SolveOptions) -> Result<Solution, SimError> {
        if !(opts.period_s > 0.0 && opts.period_s.is_finite()) {
            return Err(SimError::BadOptions(format!(
                "period must be positive, got {}",
                opts.period_s
            )));
        }
        let layout = self.model.layout();
        let mut sys = Sys {
            model: self.model.as_ref(),
            ctrl: Ctrl::Current(0.0),
            layout,
        };
        let mut y = self.model.initial_state();
        let li0 = self.model.lithium_in_particles(&y);
        let mut sol = Solution {
            time_s: Vec::new(),
            current_a: Vec::new(),
            voltage_v: Vec::new(),
            discharge_capacity_ah: Vec::new(),
            temperature_k: self.lumped.then(Vec::new),
            step_index: Vec::new(),
            cycle_index: Vec::new(),
            cycles: Vec::new(),
            stats: SolverStats::default(),
        };
        let mut bdf = Bdf::new(&sys, 0.0, &y, self.rtol, self.atol);
        // what the outputs and the events read: with a model whose voltage reads a few
        // unknowns, only those are interpolated
        let partial: Option<Vec<usize>> = self.model.voltage_unknowns().map(|mut v| {
            v.extend([layout.i, layout.q]);
            v.extend(layout.t);
            v.sort_unstable();
            v.dedup();
            v
        });
        let interp = |bdf: &Bdf, t: f64, out: &mut [f64]| match &partial {
            Some(ix) => bdf.interpolate_at(t, ix, out),
            None => bdf.interpolate(t, out),
        };
        let mut t = 0.0;
        let n = y.len();
        let mut yi = vec![0.0; n];
        let mut k = 0;
        // PyBaMM's experiment semantics: a step whose own termination already holds at its
        // start is skipped (an error only if nothing at all is solved, or, with repeated
        // cycles, if every step of a cycle is skipped); the experiment ends early, keeping
        // what it solved, when a step stops on the set's cut-off voltage instead of its own
        // terminations, or runs its default duration without meeting them.
        let mut first_skip: Option<SimError> = None;
        let mut solved_any = false;
        let mut ended_early = false;
        for cycle in 0..self.cycles {
            let mut discharged = 0.0;
            let mut skipped_in_cycle = 0usize;
            for step in &self.steps {
                sys.ctrl = self.ctrl(step);
                // consistent initial current / algebraic unknowns for the new control
                if let Ctrl::Current(a) = sys.ctrl {
                    y[layout.i] = a;
                }
                bdf.consistent_init(&sys, &mut y)
                    .map_err(|e| SimError::StepFailed {
                        step: k,
                        text: step.text.clone(),
                        time_s: t,
                        reason: format!("cannot find a consistent initial state: {e}"),
                    })?;
                let (mut events, n_explicit) = self.events(step, &sys, &y);
                if let Some(ev) = events[..n_explicit]
                    .iter()
                    .find(|ev| ev.eval(&sys, &y) <= 0.0)
                {
                    first_skip.get_or_insert(SimError::StepEndsImmediately {
                        step: step.text.clone(),
                        index: k,
                        reason: ev.describe(&sys, &y),
                    });
                    skipped_in_cycle += 1;
                    k += 1;
                    continue;
                }
                // The set's safety cut-offs end a step when the voltage crosses them; one the
                // step starts beyond is not a crossing, and is left out.
                let mut e = n_explicit;
                while e < events.len() {
                    if events[e].eval(&sys, &y) <= 0.0 {
                        events.remove(e);
                    } else {
                        e += 1;
                    }
                }
                let t0 = t;
                let q0 = y[layout.q];
                let dur = step.duration();
                let t_end = t0 + dur;
                let npts = ((dur / opts.period_s).round() as usize).max(1);
                let dt_out = dur / npts as f64;
                // cycles left out of `output_cycles` sample no interior points
                let full = self
                    .output_cycles
                    .as_ref()
                    .is_none_or(|c| c.contains(&(cycle + 1)));
                let mut next_out = if full { 1usize } else { npts };
                self.record(&mut sol, &sys, t0, &y, k, cycle);
                bdf.restart(&sys, t0, &y, (1e-3f64).min(dur * 1e-3));
                bdf.max_step = dur.max(1.0);
                let mut gvals: Vec<f64> = events.iter().map(|e| e.eval(&sys, &y)).collect();
                // A step budget: a solver that crawls (steps far below the output period)
                // fails the step with a clear error instead of hanging a runner.
                let budget = bdf.stats.steps + MAX_STEPS_PER_EXPERIMENT_STEP;
                let mut recoveries = 0usize;
                let mut recovered_at: Option<f64> = None;
                loop {
                    if bdf.stats.steps > budget {
                        return Err(SimError::StepFailed {
                            step: k,
                            text: step.text.clone(),
                            time_s: bdf.t,
                            reason: format!(
                                "the solver needed more than {MAX_STEPS_PER_EXPERIMENT_STEP} time steps (the cell is near a limit it cannot resolve)"
                            ),
                        });
                    }
                    let t_old = bdf.t;
                    let t_new = match bdf.step(&sys, t_end) {
                        Ok(t) => t,
                        Err(e) => {
                            // The step size collapsed: the algebraic unknowns of the last
                            // accepted state may have drifted from their equations (Newton
                            // stops at a tolerance, and the error test covers only the
                            // differential unknowns). Put them back on the constraints with
                            // the damped Newton of the initialisation and restart the
                            // integrator there, a few times at most for one failure time.
                            let fresh = recovered_at.is_none_or(|tr| t_old > tr);
                            if fresh {
                                recoveries = 0;
                            }
                            let mut yr = bdf.y.clone();
                            if recoveries < 3 && bdf.consistent_init(&sys, &mut yr).is_ok() {
                                recoveries += 1;
                                recovered_at = Some(t_old);
                                let h0 = (1e-6 * t_old.abs().max(1.0)).min(1e-3);
                                bdf.restart(&sys, t_old, &yr, h0);
                                continue;
                            }
                            return Err(SimError::StepFailed {
                                step: k,
                                text: step.text.clone(),
                                time_s: t_old,
                                reason: e.to_string(),
                            });
                        }
                    };
                    // events
                    let mut t_stop = None;
                    let mut t_stop_explicit = f64::INFINITY;
                    // one voltage evaluation serves every event of the step
                    let v_new = sys.model.voltage(&bdf.y);
                    for (e, ev) in events.iter().enumerate() {
                        let g_new = ev.eval_at(&sys, &bdf.y, v_new);
                        if (g_new.is_nan() || g_new <= 0.0) && gvals[e] > 0.0 {
                            let te =
                                root(&sys, ev, t_old, t_new, gvals[e], g_new, &mut yi, &|t, o| {
                                    interp(&bdf, t, o)
                                });
                            t_stop = Some(t_stop.map_or(te, |s: f64| s.min(te)));
                            if e < n_explicit {
                                t_stop_explicit = t_stop_explicit.min(te);
                            }
                        }
                        gvals[e] = g_new;
                    }
                    if let Some(ts) = t_stop {
                        // stopped by the set's cut-off alone (not also by a termination of
                        // the step at the same instant)
                        if t_stop_explicit > ts + 1e-9 * ts.abs().max(1.0) {
                            ended_early = true;
                        }
                    }
                    let t_last = t_stop.unwrap_or(t_new);
                    while next_out < npts {
                        let ts = t0 + next_out as f64 * dt_out;
                        if ts > t_last || (t_stop.is_some() && ts >= t_last) {
                            break;
                        }
                        interp(&bdf, ts, &mut yi);
                        self.record(&mut sol, &sys, ts, &yi, k, cycle);
                        next_out += 1;
                    }
                    if let Some(ts) = t_stop {
                        bdf.interpolate(ts, &mut yi);
                        y.copy_from_slice(&yi);
                        // put the interpolated state back on the algebraic constraints
                        if bdf.consistent_init(&sys, &mut y).is_err() {
                            y.copy_from_slice(&yi);
                        }
                        t = ts;
                        break;
                    }
                    if t_new >= t_end {
                        y.copy_from_slice(&bdf.y);
                        t = t_end;
                        if step.duration_s.is_none() && !step.terminations.is_empty() {
                            ended_early = true; // its terminations never came
                        }
                        break;
                    }
                }
                self.record(&mut sol, &sys, t, &y, k, cycle);
                solved_any = true;
                // capacity discharged in this cycle: the steps' net discharge
                discharged += (y[layout.q] - q0).max(0.0);
                k += 1;
                if ended_early {
                    break;
                }
            }
            if self.cycles > 1 && self.steps.len() > 1 && skipped_in_cycle == self.steps.len() {
                // PyBaMM: "All steps in the cycle ... are infeasible"
                if let Some(e) = first_skip.take() {
                    return Err(e);
                }
            }
            let li = self.model.lithium_in_particles(&y);
            let (lost_sei, lost_plating) = self.model.lithium_in_side_reactions(&y);
            sol.cycles.push(CycleSummary {
                cycle: cycle + 1,
                discharge_capacity_ah: discharged,
                loss_of_lithium_inventory_percent: (1.0 - li / li0) * 100.0,
                lithium_in_particles_mol: li,
                lithium_lost_to_sei_mol: lost_sei,
                lithium_lost_to_plating_mol: lost_plating,
                sei_thickness_m: self.model.sei_thickness(&y),
            });
            if ended_early {
                break;
            }
        }
        if !solved_any {
            if let Some(e) = first_skip {
                return Err(e);
            }
        }
        sol.stats = bdf.stats.clone();
        Ok(sol)
    }

    fn record(
        &self,
        sol: &mut Solution,
        sys: &Sys<'_>,
        t: f64,
        y: &[f64],
        step: usize,
        cycle: usize,
    ) {
        let l = sys.layout;
        sol.time_s.push(t);
        sol.current_a.push(y[l.i]);
        sol.voltage_v.push(self.model.voltage(y));
        sol.discharge_capacity_ah.push(y[l.q]);
        if let (Some(ts), Some(ti)) = (sol.temperature_k.as_mut(), l.t) {
            ts.push(y[ti]);
        }
        sol.step_index.push(step);
        sol.cycle_index.push(cycle);
    }

    /// The events ending a step: its own terminations first (their count is returned), then
    /// the set's voltage cut-offs widened by 1 V as PyBaMM's experiments do.
    fn events(&self, step: &Step, sys: &Sys<'_>, y: &[f64]) -> (Vec<Event>, usize) {
        let mut ev = Vec::new();
        let discharge = match sys.ctrl {
            Ctrl::Current(a) => Some(a > 0.0),
            Ctrl::Power(w) => Some(w > 0.0),
            Ctrl::Voltage(_) => None,
        };
        let rest = matches!(sys.ctrl, Ctrl::Current(a) if a == 0.0);
        for term in &step.terminations {
            match *term {
                Termination::Voltage(v) => match discharge {
                    Some(true) => ev.push(Event::VoltageBelow(v)),
                    Some(false) if !rest => ev.push(Event::VoltageAbove(v)),
                    _ => {
                        // rest or hold: the direction the voltage must travel
                        let v0 = sys.model.voltage(y);
                        if v0 > v {
                            ev.push(Event::VoltageBelow(v))
                        } else {
                            ev.push(Event::VoltageAbove(v))
                        }
                    }
                },
                Termination::Current(a) => ev.push(Event::CurrentBelow(a)),
                Termination::CRate(c) => ev.push(Event::CurrentBelow(c * self.capacity)),
            }
        }
        let n_explicit = ev.len();
        if !matches!(sys.ctrl, Ctrl::Voltage(_)) {
            // PyBaMM keeps the set's cut-offs in experiments as safeguards 1 V beyond the
            // limits (`update_voltage_safety_events`), so that they do not pre-empt the steps'
            // own voltage terminations
            ev.push(Event::VoltageBelow(self.v_min - 1.0));
            ev.push(Event::VoltageAbove(self.v_max + 1.0));
        }
        (ev, n_explicit)
    }
}

/// A condition ending a step: it happens when `eval` falls to zero.
#[derive(Clone, Copy, Debug)]
enum Event {
    VoltageBelow(f64),
    VoltageAbove(f64),
    CurrentBelow(f64),
}

impl Event {
    fn eval(&self, sys: &Sys<'_>, y: &[f64]) -> f64 {
        match *self {
            Event::CurrentBelow(a) => y[sys.layout.i].abs() - a,
            _ => self.eval_at(sys, y, sys.model.voltage(y)),
        }
    }

    /// The event function given the terminal voltage `volts` at `y`.
    fn eval_at(&self, sys: &Sys<'_>, y: &[f64], volts: f64) -> f64 {
        match *self {
            Event::VoltageBelow(v) => volts - v,
            Event::VoltageAbove(v) => v - volts,
            Event::CurrentBelow(a) => y[sys.layout.i].abs() - a,
        }
    }

    fn describe(&self, sys: &Sys<'_>, y: &[f64]) -> String {
        match *self {
            Event::VoltageBelow(v) => format!(
                "the voltage {:.4} V is already at or below {v} V",
                sys.model.voltage(y)
            ),
            Event::VoltageAbove(v) => format!(
                "the voltage {:.4} V is already at or above {v} V",
                sys.model.voltage(y)
            ),
            Event::CurrentBelow(a) => format!(
                "the current {:.4} A is already at or below {a} A",
                y[sys.layout.i].abs()
            ),
        }
    }
}

/// Locates an event in (t0, t1] on the step's interpolant (Illinois method).
#[allow(clippy::too_many_arguments)]
fn root(
    sys: &Sys<'_>,
    ev: &Event,
    t0: f64,
    t1: f64,
    g0: f64,
    g1: f64,
    yi: &mut [f64],
    interpolate: &dyn Fn(f64, &mut [f64]),
) -> f64 {
    let (mut a, mut b, mut ga, mut gb) = (t0, t1, g0, g1);
    let mut side = 0;
    for _ in 0..100 {
        let m = if ga.is_finite() && gb.is_finite() && (ga - gb).abs() > 0.0 {
            b - gb * (b - a) / (gb - ga)
        } else {
            0.5 * (a + b)
        };
        let m = if m.is_finite() && m > a && m < b {
            m
        } else {
            0.5 * (a + b)
        };
        interpolate(m, yi);
        let gm = ev.eval(sys, yi);
        if gm > 0.0 {
            a = m;
            ga = gm;
            if side == -1 {
                gb *= 0.5;
            }
            side = -1;
        } else {
            b = m;
            gb = gm;
            if side == 1 {
                ga *= 0.5;
            }
            side = 1;
        }
        if (b - a) <= 1e-10 * t1.abs().max(1.0) || gm == 0.0 {
            break;
        }
    }
    b
}

/// The model plus the step's control, as the integrator's system.
struct Sys<'a> {
    model: &'a dyn Model,
    ctrl: Ctrl,
    layout: Layout,
}

impl System for Sys<'_> {
    fn n_unknowns(&self) -> usize {
        self.model.n_unknowns()
    }

    fn mass(&self) -> &[f64] {
        self.model.mass()
    }

    fn rhs(&self, y: &[f64], out: &mut [f64]) {
        self.model.rhs(y, out);
        let i = y[self.layout.i];
        out[self.layout.q] = i / 3600.0;
        out[self.layout.i] = match self.ctrl {
            Ctrl::Current(a) => i - a,
            Ctrl::Voltage(v) => self.model.voltage(y) - v,
            Ctrl::Power(w) => i * self.model.voltage(y) - w,
        };
    }

    fn structure(&self) -> (usize, usize, usize) {
        self.model.structure()
    }

    fn border_columns(&self) -> Vec<usize> {
        self.model.border_columns()
    }

    fn sparsity(&self) -> Option<Vec<Vec<usize>>> {
        self.model.sparsity()
    }

    fn condensation(&self) -> Option<Condensation> {
        self.model.condensation()
    }

    fn error_weights(&self) -> Vec<f64> {
        let mut w = self.model.mass().to_vec();
        w[self.layout.i] = 1.0;
        w
    }

    fn exact_rows(&self) -> Vec<usize> {
        let mut rows = self.model.exact_rows();
        if self.model.has_voltage_gradient() {
            rows.push(self.layout.i);
        }
        rows
    }

    fn row_jacobian(&self, row: usize, y: &[f64], grad: &mut [f64]) -> bool {
        let i = self.layout.i;
        if row != i {
            return self.model.row_gradient(row, y, grad);
        }
        match self.ctrl {
            Ctrl::Current(_) => {
                grad.iter_mut().for_each(|g| *g = 0.0);
                grad[i] = 1.0;
                true
            }
            Ctrl::Voltage(_) => self.model.voltage_gradient(y, grad),
            Ctrl::Power(_) => {
                if !self.model.voltage_gradient(y, grad) {
                    return false;
                }
                // d(I V)/dy = I dV/dy + V e_I
                let (cur, v) = (y[i], self.model.voltage(y));
                grad.iter_mut().for_each(|g| *g *= cur);
                grad[i] += v;
                true
            }
        }
    }
}
