//! The simulation request (DESIGN §4): `SimSpec`, the built-in models and parameter sets it
//! may name, and how its parameter values are resolved (set, temperature, overrides).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{params, SimError};

/// A simulation request (DESIGN §4). An unknown JSON key is an error with a did-you-mean
/// (`spec_keys`); `SimSpec::from_manifest_entry` reads a reference manifest's entries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "super::spec_keys::RawSpec")]
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
    pub options: BTreeMap<String, super::OptionValue>,
    /// Mesh resolution N: finite-volume cells per electrode (the separator's as wide), and N
    /// shells or 4 + N/10 polynomial nodes per particle (see `Mesh::for_spec`). Unset: 40
    /// cells in each electrode and the separator, 8 nodes or 40 shells per particle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_per_domain: Option<usize>,
    /// PyBaMM variable names to output besides the CSV's columns (see `sim::variables`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variables: Vec<String>,
    /// Drive cycles named by `Run NAME (A|W|V)` steps: `{"NAME": [[t_s, value], …]}`
    /// (`sim::drive_cycle`; `US06` is built in).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub drive_cycles: BTreeMap<String, Vec<[f64; 2]>>,
}

impl SimSpec {
    /// A run of `model` on `parameter_set` with `experiment` and every option at its default
    /// (isothermal, 25 °C, no overrides, one cycle, the default mesh).
    pub fn new(model: &str, parameter_set: &str, experiment: &[&str]) -> SimSpec {
        SimSpec {
            model: model.to_string(),
            parameter_set: parameter_set.to_string(),
            experiment: experiment.iter().map(|s| s.to_string()).collect(),
            thermal: None,
            ambient_temperature_c: None,
            parameters: BTreeMap::new(),
            cycles: None,
            options: BTreeMap::new(),
            points_per_domain: None,
            variables: Vec::new(),
            drive_cycles: BTreeMap::new(),
        }
    }
}

/// The range of `points_per_domain`.
pub const POINTS_PER_DOMAIN: std::ops::RangeInclusive<usize> = 4..=200;

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
pub(super) fn check_thermal_parameters(p: &params::ParameterValues) -> Result<(), SimError> {
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
