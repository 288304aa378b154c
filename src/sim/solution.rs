//! A solved simulation (`Solution`, sampled time series plus the per-cycle summary) and its
//! CSV output (DESIGN §4).

use serde::{Deserialize, Serialize};

use super::variables::{self, VariableSeries};
use super::SolverStats;

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
    /// PyBaMM's degradation modes at the cycle's end, when the run has degradation options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modes: Option<DegradationModes>,
}

/// PyBaMM's degradation-mode summary variables (the `--summary` columns after the first
/// three, under `DegradationModes::HEADERS`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DegradationModes {
    /// "Loss of active material in negative electrode [%]".
    pub lam_negative_percent: f64,
    /// "Loss of active material in positive electrode [%]".
    pub lam_positive_percent: f64,
    /// "Loss of lithium to negative SEI [mol]".
    pub lithium_to_sei_mol: f64,
    /// "Loss of lithium to negative SEI on cracks [mol]".
    pub lithium_to_sei_on_cracks_mol: f64,
    /// "Loss of lithium to negative lithium plating [mol]".
    pub lithium_to_plating_mol: f64,
}

impl DegradationModes {
    /// PyBaMM's names of the modes, in the order of `values`.
    pub const HEADERS: [&'static str; 5] = [
        "Loss of active material in negative electrode [%]",
        "Loss of active material in positive electrode [%]",
        "Loss of lithium to negative SEI [mol]",
        "Loss of lithium to negative SEI on cracks [mol]",
        "Loss of lithium to negative lithium plating [mol]",
    ];

    pub fn values(&self) -> [f64; 5] {
        [
            self.lam_negative_percent,
            self.lam_positive_percent,
            self.lithium_to_sei_mol,
            self.lithium_to_sei_on_cracks_mol,
            self.lithium_to_plating_mol,
        ]
    }
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
    /// The spec's `variables` at each output point (see `sim::variables`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variables: Vec<VariableSeries>,
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
        write!(w, "{}", variables::scalar_header(&self.variables))?;
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
            write!(w, "{}", variables::scalar_row(&self.variables, k, fmt9))?;
            writeln!(w)?;
        }
        Ok(())
    }

    /// Writes one row per cycle (DESIGN §4 `--summary`): with degradation options, PyBaMM's
    /// degradation modes follow the first three columns.
    pub fn write_summary_csv<W: std::io::Write>(&self, mut w: W) -> std::io::Result<()> {
        let modes = self.cycles.first().is_some_and(|c| c.modes.is_some());
        write!(
            w,
            "Cycle,Discharge capacity [A.h],Loss of lithium inventory [%]"
        )?;
        if modes {
            for h in DegradationModes::HEADERS {
                write!(w, ",{h}")?;
            }
        }
        writeln!(w)?;
        for c in &self.cycles {
            write!(
                w,
                "{},{},{}",
                c.cycle,
                fmt9(c.discharge_capacity_ah),
                fmt9(c.loss_of_lithium_inventory_percent)
            )?;
            if modes {
                for v in c.modes.unwrap_or_default().values() {
                    write!(w, ",{}", fmt9(v))?;
                }
            }
            writeln!(w)?;
        }
        Ok(())
    }

    /// Whether any requested variable is distributed (in x or r).
    pub fn has_distributed(&self) -> bool {
        self.variables.iter().any(|v| !v.is_scalar())
    }

    /// Writes the distributed variables as a long-format CSV (`sim::variables`).
    pub fn write_distributed_csv<W: std::io::Write>(&self, w: W) -> std::io::Result<()> {
        variables::write_distributed_csv(w, &self.time_s, &self.variables, fmt9)
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
pub fn fmt9(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let s = format!("{v:.8e}");
    let parsed: f64 = s.parse().unwrap_or(v);
    format!("{parsed}")
}
