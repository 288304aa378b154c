//! The solution as one JSON document (`solve --json`, a report's `result.json`): time series,
//! requested variables, per-cycle summary and the metadata a reader needs to trust and
//! reproduce it (battbot version, spec, mesh, tolerances, solve time, solver statistics).

use serde::Serialize;

use crate::sim::variables::VariableSeries;
use crate::sim::{CycleSummary, Mesh, SimSpec, Simulation, Solution, SolverStats};

/// Version of the layout of `result.json`.
pub const FORMAT_VERSION: u32 = 1;

/// The JSON export of one run.
#[derive(Serialize)]
pub struct Export<'a> {
    pub format: &'static str,
    pub format_version: u32,
    pub metadata: Metadata<'a>,
    /// Columns by the CSV's names (DESIGN §4), plus the step and cycle (1-based) of each row.
    pub time_series: TimeSeries<'a>,
    pub variables: &'a [VariableSeries],
    pub cycles: &'a [CycleSummary],
}

#[derive(Serialize)]
pub struct Metadata<'a> {
    pub battbot_version: &'static str,
    pub spec: &'a SimSpec,
    pub mesh: MeshInfo,
    pub tolerances: Tolerances,
    pub solve_time_s: f64,
    pub solver_stats: &'a SolverStats,
}

/// The mesh as points per domain (PyBaMM's `var_pts` names) and the particles' scheme.
#[derive(Serialize)]
pub struct MeshInfo {
    pub x_n: usize,
    pub x_s: usize,
    pub x_p: usize,
    /// "finite volume" (r_n, r_p shells) where a particle diffusivity depends on
    /// stoichiometry, else "polynomial" (particle_nodes nodes).
    pub particle_scheme: &'static str,
    pub r_n: usize,
    pub r_p: usize,
    pub particle_nodes: usize,
}

impl MeshInfo {
    pub fn of(mesh: &Mesh, finite_volume_particles: bool) -> MeshInfo {
        MeshInfo {
            x_n: mesh.x_n,
            x_s: mesh.x_s,
            x_p: mesh.x_p,
            particle_scheme: if finite_volume_particles {
                "finite volume"
            } else {
                "polynomial"
            },
            r_n: mesh.r_n,
            r_p: mesh.r_p,
            particle_nodes: mesh.particle_nodes,
        }
    }
}

#[derive(Serialize)]
pub struct Tolerances {
    pub rtol: f64,
    pub atol: f64,
}

#[derive(Serialize)]
pub struct TimeSeries<'a> {
    #[serde(rename = "Time [s]")]
    pub time_s: &'a [f64],
    #[serde(rename = "Current [A]")]
    pub current_a: &'a [f64],
    #[serde(rename = "Voltage [V]")]
    pub voltage_v: &'a [f64],
    #[serde(rename = "Discharge capacity [A.h]")]
    pub discharge_capacity_ah: &'a [f64],
    #[serde(
        rename = "X-averaged cell temperature [K]",
        skip_serializing_if = "Option::is_none"
    )]
    pub temperature_k: Option<&'a [f64]>,
    #[serde(rename = "Step")]
    pub step: Vec<usize>,
    #[serde(rename = "Cycle")]
    pub cycle: Vec<usize>,
}

/// The export of `solution`, solved from `spec` by `sim` in `solve_time_s`.
pub fn export<'a>(
    spec: &'a SimSpec,
    sim: &Simulation,
    solution: &'a Solution,
    solve_time_s: f64,
) -> Export<'a> {
    Export {
        format: "battbot-result",
        format_version: FORMAT_VERSION,
        metadata: Metadata {
            battbot_version: crate::runner::VERSION,
            spec,
            mesh: MeshInfo::of(sim.mesh(), sim.finite_volume_particles()),
            tolerances: Tolerances {
                rtol: sim.rtol,
                atol: sim.atol,
            },
            solve_time_s,
            solver_stats: &solution.stats,
        },
        time_series: TimeSeries {
            time_s: &solution.time_s,
            current_a: &solution.current_a,
            voltage_v: &solution.voltage_v,
            discharge_capacity_ah: &solution.discharge_capacity_ah,
            temperature_k: solution.temperature_k.as_deref(),
            step: solution.step_index.iter().map(|s| s + 1).collect(),
            cycle: solution.cycle_index.iter().map(|c| c + 1).collect(),
        },
        variables: &solution.variables,
        cycles: &solution.cycles,
    }
}

/// The export as compact JSON bytes (non-finite numbers become null, as JSON has none).
pub fn to_json(e: &Export<'_>) -> serde_json::Result<Vec<u8>> {
    let mut out = serde_json::to_vec(e)?;
    out.push(b'\n');
    Ok(out)
}

/// The JSON bytes of a solved run (its simulation rebuilt for the mesh and tolerances).
pub fn export_solved(
    spec: &SimSpec,
    solution: &Solution,
    solve_time_s: f64,
) -> anyhow::Result<Vec<u8>> {
    let sim = Simulation::build(spec)?;
    Ok(to_json(&export(spec, &sim, solution, solve_time_s))?)
}
