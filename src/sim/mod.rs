//! PLACEHOLDER (dev only, replaced by the sim developer's module).
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
pub mod experiment {
    #[derive(Debug, thiserror::Error)]
    #[error("bad step {0}")]
    pub struct ExperimentError(pub String);
    impl ExperimentError {
        pub fn word(&self) -> Option<&str> {
            None
        }
        pub fn hint(&self) -> Option<&str> {
            None
        }
    }
    pub struct Step;
    pub fn parse_step(s: &str) -> Result<Step, ExperimentError> {
        if s.is_empty() {
            Err(ExperimentError(s.into()))
        } else {
            Ok(Step)
        }
    }
}
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
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("unknown model {name}")]
    UnknownModel { name: String },
}
pub struct Simulation(SimSpec);
#[derive(Clone, Debug)]
pub struct SolveOptions {
    pub period_s: f64,
}
impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions { period_s: 10.0 }
    }
}
pub struct CycleSummary {
    pub cycle: usize,
    pub discharge_capacity_ah: f64,
    pub loss_of_lithium_inventory_percent: f64,
}
pub struct Solution {
    pub time_s: Vec<f64>,
    pub current_a: Vec<f64>,
    pub voltage_v: Vec<f64>,
    pub discharge_capacity_ah: Vec<f64>,
    pub temperature_k: Option<Vec<f64>>,
    pub step_index: Vec<usize>,
    pub cycle_index: Vec<usize>,
    pub cycles: Vec<CycleSummary>,
}
impl Simulation {
    pub fn build(spec: &SimSpec) -> Result<Simulation, SimError> {
        if spec.model.eq_ignore_ascii_case("spm") {
            Ok(Simulation(spec.clone()))
        } else {
            Err(SimError::UnknownModel {
                name: spec.model.clone(),
            })
        }
    }
    pub fn solve(&self, _o: &SolveOptions) -> Result<Solution, SimError> {
        let t: Vec<f64> = (0..100).map(|i| i as f64 * 36.0).collect();
        Ok(Solution {
            voltage_v: t.iter().map(|x| 4.0 - x / 3600.0).collect(),
            current_a: vec![5.0; 100],
            discharge_capacity_ah: t.iter().map(|x| 5.0 * x / 3600.0).collect(),
            temperature_k: None,
            step_index: vec![0; 100],
            cycle_index: vec![0; 100],
            cycles: vec![],
            time_s: t,
        })
    }
}
impl Solution {
    pub fn write_csv<W: std::io::Write>(&self, mut w: W) -> std::io::Result<()> {
        writeln!(
            w,
            "Time [s],Current [A],Voltage [V],Discharge capacity [A.h]"
        )?;
        for i in 0..self.time_s.len() {
            writeln!(
                w,
                "{},{},{},{}",
                self.time_s[i], self.current_a[i], self.voltage_v[i], self.discharge_capacity_ah[i]
            )?;
        }
        Ok(())
    }
    pub fn write_summary_csv<W: std::io::Write>(&self, _w: W) -> std::io::Result<()> {
        Ok(())
    }
    pub fn final_voltage(&self) -> f64 {
        *self.voltage_v.last().unwrap()
    }
    pub fn final_time(&self) -> f64 {
        *self.time_s.last().unwrap()
    }
    pub fn max_discharge_capacity(&self) -> f64 {
        self.discharge_capacity_ah
            .iter()
            .cloned()
            .fold(0.0, f64::max)
    }
}
