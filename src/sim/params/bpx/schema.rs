//! The BPX file schema (as the `bpx` package's pydantic models define it) as serde types, and
//! the repacking of legacy 0.x objects into the 1.x layout.

use std::sync::Arc;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value as Json};

use super::expr::Expr;
use super::BpxError;
use crate::sim::params::{interp, Arg, DynFn, FnArgs, Value};

/// A number, a function of one variable (a BPX expression), or a table.
#[derive(Clone, Debug)]
pub(super) enum FloatFunctionTable {
    Number(f64),
    Function(Arc<Expr>),
    Table(Arc<(Vec<f64>, Vec<f64>)>),
}

impl<'de> Deserialize<'de> for FloatFunctionTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Json::deserialize(d)?;
        match v {
            Json::Number(n) => n
                .as_f64()
                .map(FloatFunctionTable::Number)
                .ok_or_else(|| D::Error::custom("number out of range")),
            Json::String(s) => Expr::parse(&s)
                .map(|e| FloatFunctionTable::Function(Arc::new(e)))
                .map_err(|e| D::Error::custom(format!("invalid expression {s:?}: {e}"))),
            Json::Object(o) => {
                let col = |k: &str| -> Result<Vec<f64>, D::Error> {
                    let arr = o
                        .get(k)
                        .and_then(Json::as_array)
                        .ok_or_else(|| D::Error::custom(format!("table needs an array {k:?}")))?;
                    arr.iter()
                        .map(|v| v.as_f64().filter(|v| v.is_finite()))
                        .collect::<Option<Vec<f64>>>()
                        .ok_or_else(|| D::Error::custom(format!("table {k:?} must hold only numbers")))
                };
                if let Some(k) = o.keys().find(|k| *k != "x" && *k != "y") {
                    return Err(D::Error::custom(format!("unknown table key {k:?} (expected x and y)")));
                }
                let (x, y) = (col("x")?, col("y")?);
                if x.len() != y.len() {
                    return Err(D::Error::custom(format!(
                        "table x and y differ in length ({} vs {})",
                        x.len(),
                        y.len()
                    )));
                }
                if x.len() < 2 {
                    return Err(D::Error::custom("a table needs at least two points"));
                }
                // PyBaMM sorts a table by x before interpolating.
                let mut idx: Vec<usize> = (0..x.len()).collect();
                idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
                let xs = idx.iter().map(|&i| x[i]).collect();
                let ys = idx.iter().map(|&i| y[i]).collect();
                Ok(FloatFunctionTable::Table(Arc::new((xs, ys))))
            }
            other => Err(D::Error::custom(format!(
                "expected a number, an expression in x or a table {{\"x\": [...], \"y\": [...]}}, got {other}"
            ))),
        }
    }
}

impl FloatFunctionTable {
    /// The function's value at `v` (its one argument).
    pub(super) fn at(&self, v: f64) -> f64 {
        match self {
            FloatFunctionTable::Number(c) => *c,
            FloatFunctionTable::Function(e) => e.eval(v),
            FloatFunctionTable::Table(t) => interp::linear(v, &t.0, &t.1),
        }
    }

    /// As a parameter value whose one argument is the FnArgs field `arg`.
    pub(super) fn value(&self, arg: Arg) -> Value {
        match self {
            FloatFunctionTable::Number(c) => Value::Scalar(*c),
            f => {
                let f = f.clone();
                Value::Dyn(DynFn::new(move |a: &FnArgs| f.at(pick(arg, a))))
            }
        }
    }
}

fn pick(arg: Arg, a: &FnArgs) -> f64 {
    match arg {
        Arg::Sto => a.sto,
        Arg::CE => a.c_e,
        Arg::T => a.t,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Bpx {
    #[serde(rename = "Header")]
    pub(super) header: Header,
    #[serde(rename = "Parameterisation")]
    pub(super) parameterisation: Parameterisation,
    #[serde(rename = "State", default)]
    pub(super) state: Option<State>,
    #[serde(rename = "Validation", default)]
    pub(super) _validation: Option<Json>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Header {
    #[serde(rename = "BPX")]
    pub(super) _bpx: Json,
    #[serde(rename = "Title", default)]
    pub(super) _title: Option<String>,
    #[serde(rename = "Description", default)]
    pub(super) _description: Option<String>,
    #[serde(rename = "References", default)]
    pub(super) _references: Option<String>,
    #[serde(rename = "Model")]
    pub(super) model: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Parameterisation {
    #[serde(rename = "Cell")]
    pub(super) cell: Option<Cell>,
    #[serde(rename = "Electrolyte")]
    pub(super) electrolyte: Option<Electrolyte>,
    #[serde(rename = "Negative electrode")]
    pub(super) negative: Option<Electrode>,
    #[serde(rename = "Positive electrode")]
    pub(super) positive: Option<Electrode>,
    #[serde(rename = "Separator")]
    pub(super) separator: Option<Contact>,
    #[serde(rename = "User-defined", default)]
    pub(super) user_defined: Option<Map<String, Json>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Cell {
    #[serde(rename = "Electrode area [m2]")]
    pub(super) electrode_area: f64,
    #[serde(rename = "External surface area [m2]")]
    pub(super) external_surface_area: Option<f64>,
    #[serde(rename = "Volume [m3]")]
    pub(super) volume: Option<f64>,
    #[serde(rename = "Number of electrode pairs connected in parallel to make a cell")]
    pub(super) electrode_pairs: f64,
    #[serde(rename = "Lower voltage cut-off [V]")]
    pub(super) lower_cutoff: f64,
    #[serde(rename = "Upper voltage cut-off [V]")]
    pub(super) upper_cutoff: f64,
    #[serde(rename = "Nominal cell capacity [A.h]")]
    pub(super) capacity: f64,
    #[serde(rename = "Reference temperature [K]")]
    pub(super) reference_temperature: Option<f64>,
    #[serde(rename = "Density [kg.m-3]")]
    pub(super) density: Option<f64>,
    #[serde(rename = "Specific heat capacity [J.K-1.kg-1]")]
    pub(super) specific_heat: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Contact {
    #[serde(rename = "Thickness [m]")]
    pub(super) thickness: f64,
    #[serde(rename = "Porosity")]
    pub(super) porosity: f64,
    #[serde(rename = "Transport efficiency")]
    pub(super) transport_efficiency: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Electrolyte {
    #[serde(rename = "Cation transference number")]
    pub(super) t_plus: f64,
    #[serde(rename = "Diffusivity [m2.s-1]")]
    pub(super) diffusivity: FloatFunctionTable,
    #[serde(rename = "Diffusivity activation energy [J.mol-1]")]
    pub(super) diffusivity_ea: Option<f64>,
    #[serde(rename = "Conductivity [S.m-1]")]
    pub(super) conductivity: FloatFunctionTable,
    #[serde(rename = "Conductivity activation energy [J.mol-1]")]
    pub(super) conductivity_ea: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Electrode {
    #[serde(rename = "Thickness [m]")]
    pub(super) thickness: f64,
    #[serde(rename = "Porosity")]
    pub(super) porosity: f64,
    #[serde(rename = "Transport efficiency")]
    pub(super) transport_efficiency: f64,
    #[serde(rename = "Conductivity [S.m-1]")]
    pub(super) conductivity: f64,
    #[serde(rename = "Minimum stoichiometry")]
    pub(super) sto_min: f64,
    #[serde(rename = "Maximum stoichiometry")]
    pub(super) sto_max: f64,
    #[serde(rename = "Maximum concentration [mol.m-3]")]
    pub(super) c_max: f64,
    #[serde(rename = "Particle radius [m]")]
    pub(super) radius: f64,
    #[serde(rename = "Surface area per unit volume [m-1]")]
    pub(super) surface_area: f64,
    #[serde(rename = "Diffusivity [m2.s-1]")]
    pub(super) diffusivity: FloatFunctionTable,
    #[serde(rename = "Diffusivity activation energy [J.mol-1]")]
    pub(super) diffusivity_ea: Option<f64>,
    #[serde(rename = "OCP [V]")]
    pub(super) ocp: FloatFunctionTable,
    #[serde(rename = "OCP (delithiation) [V]")]
    pub(super) ocp_delithiation: Option<FloatFunctionTable>,
    #[serde(rename = "OCP (lithiation) [V]")]
    pub(super) ocp_lithiation: Option<FloatFunctionTable>,
    #[serde(rename = "OCP hysteresis decay constant")]
    pub(super) hysteresis_decay: Option<f64>,
    #[serde(rename = "Entropic change coefficient [V.K-1]")]
    pub(super) entropic: Option<FloatFunctionTable>,
    #[serde(rename = "Reaction rate constant [mol.m-2.s-1]")]
    pub(super) rate_constant: f64,
    #[serde(rename = "Reaction rate constant activation energy [J.mol-1]")]
    pub(super) rate_constant_ea: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct State {
    #[serde(rename = "Initial conditions")]
    pub(super) initial: Option<InitialConditions>,
    #[serde(rename = "Thermal environment")]
    pub(super) thermal: Option<ThermalState>,
    #[serde(rename = "Degradation")]
    pub(super) _degradation: Option<Json>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct InitialConditions {
    #[serde(rename = "Initial state-of-charge")]
    pub(super) soc: Option<f64>,
    #[serde(rename = "Initial temperature [K]")]
    pub(super) temperature: Option<f64>,
    #[serde(rename = "Initial electrolyte concentration [mol.m-3]")]
    pub(super) c_e: Option<f64>,
    #[serde(rename = "Initial hysteresis state: Positive electrode")]
    pub(super) hysteresis_positive: Option<Json>,
    #[serde(rename = "Initial hysteresis state: Negative electrode")]
    pub(super) hysteresis_negative: Option<Json>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ThermalState {
    #[serde(rename = "Ambient temperature [K]")]
    pub(super) ambient: Option<f64>,
    #[serde(rename = "Heat transfer coefficient [W.m-2.K-1]")]
    pub(super) heat_transfer: Option<f64>,
}

/// The major version of `Header.BPX` (a number such as 0.4 or a string such as "0.4.0").
pub(super) fn major_version(json: &Json) -> Result<i64, BpxError> {
    let field = "Header.BPX".to_string();
    match json.get("Header").and_then(|h| h.get("BPX")) {
        None => Err(BpxError::Missing { field }),
        Some(Json::Number(n)) => n.as_f64().map(|v| v.trunc() as i64).ok_or(BpxError::Field {
            field,
            message: "version out of range".into(),
        }),
        Some(Json::String(s)) => s
            .trim()
            .split('.')
            .next()
            .and_then(|m| m.parse().ok())
            .ok_or(BpxError::Field {
                field,
                message: format!("malformed version {s:?}"),
            }),
        Some(other) => Err(BpxError::Field {
            field,
            message: format!("expected a version such as \"1.0.0\", got {other}"),
        }),
    }
}

/// Repacks a BPX 0.x object into the 1.x layout, as `bpx.convert_v0_to_v1` does: the
/// temperatures and initial electrolyte concentration move into `State`, initial SOC 1.
pub(super) fn convert_v0_to_v1(json: &mut Json) {
    let Some(p) = json
        .get_mut("Parameterisation")
        .and_then(Json::as_object_mut)
    else {
        return;
    };
    let (mut ambient, mut initial, mut reference) = (None, None, None);
    if let Some(cell) = p.get_mut("Cell").and_then(Json::as_object_mut) {
        ambient = cell
            .remove("Ambient temperature [K]")
            .and_then(|v| v.as_f64());
        initial = cell
            .remove("Initial temperature [K]")
            .and_then(|v| v.as_f64());
        reference = cell.get("Reference temperature [K]").and_then(Json::as_f64);
        cell.remove("Thermal conductivity [W.m-1.K-1]");
    }
    let c_e = p
        .get_mut("Electrolyte")
        .and_then(Json::as_object_mut)
        .and_then(|e| e.remove("Initial concentration [mol.m-3]"));
    let ambient = ambient.or(reference).unwrap_or(298.15);
    let initial = initial.unwrap_or(ambient);
    let mut ic = Map::new();
    ic.insert("Initial state-of-charge".into(), 1.into());
    ic.insert("Initial temperature [K]".into(), initial.into());
    if let Some(c) = c_e {
        ic.insert("Initial electrolyte concentration [mol.m-3]".into(), c);
    }
    let mut te = Map::new();
    te.insert("Ambient temperature [K]".into(), ambient.into());
    let mut state = Map::new();
    state.insert("Initial conditions".into(), Json::Object(ic));
    state.insert("Thermal environment".into(), Json::Object(te));
    json["State"] = Json::Object(state);
    json["Header"]["BPX"] = "1.1.1".into();
}
