//! Loads Battery Parameter eXchange (BPX) files into PyBaMM-named parameter values, mapping
//! fields the way PyBaMM's `ParameterValues.create_from_bpx` does (BPX 1.x; 0.x files are
//! first repacked as the `bpx` package does).

mod expr;
mod schema;
mod soc;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use super::constants::{F, R};
use super::{Arg, DynFn, FnArgs, ParameterValues, Value};
use schema::{convert_v0_to_v1, major_version, Bpx, FloatFunctionTable};
use soc::initial_stoichiometries;

/// Why a BPX file cannot be loaded; `field` is the dotted path inside the file.
#[derive(Debug, thiserror::Error)]
pub enum BpxError {
    #[error("cannot read BPX file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("BPX file is not valid JSON (line {line}, column {column}): {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("BPX field {field:?}: {message}")]
    Field { field: String, message: String },
    #[error("BPX field {field:?} is required")]
    Missing { field: String },
    #[error("BPX field {field:?} is not supported: {what}")]
    Unsupported { field: String, what: String },
    #[error("cannot find the initial stoichiometries for state of charge {soc}: {reason}")]
    InitialState { soc: f64, reason: String },
}

/// Loads a BPX JSON file.
pub fn load_bpx(path: &Path) -> Result<ParameterValues, BpxError> {
    let text = std::fs::read_to_string(path).map_err(|source| BpxError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_bpx(&text)
}

/// Parses the text of a BPX JSON file.
pub fn parse_bpx(text: &str) -> Result<ParameterValues, BpxError> {
    let mut json: Json = serde_json::from_str(text).map_err(|e| BpxError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    if major_version(&json)? < 1 {
        convert_v0_to_v1(&mut json);
    }
    // PyBaMM needs the DFN sections; SPM-only files (no Electrolyte) cannot be loaded.
    for section in [
        "Cell",
        "Electrolyte",
        "Negative electrode",
        "Positive electrode",
        "Separator",
    ] {
        if json["Parameterisation"].get(section).is_none() {
            return Err(BpxError::Missing {
                field: format!("Parameterisation.{section}"),
            });
        }
    }
    for side in ["Negative electrode", "Positive electrode"] {
        if json["Parameterisation"][side].get("Particle").is_some() {
            return Err(BpxError::Unsupported {
                field: format!("Parameterisation.{side}.Particle"),
                what: "blended electrodes (several particle phases)".into(),
            });
        }
    }
    let bpx: Bpx = serde_path_to_error::deserialize(json).map_err(|e| BpxError::Field {
        field: e.path().to_string(),
        message: e.inner().to_string(),
    })?;
    to_parameter_values(bpx)
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn arrhenius(ea: f64, t_ref: f64, t: f64) -> f64 {
    (ea / R * (1.0 / t_ref - 1.0 / t)).exp()
}

/// Maps the parsed file to PyBaMM names, as PyBaMM's `bpx_to_param_dict` and
/// `_create_from_bpx` do.
fn to_parameter_values(bpx: Bpx) -> Result<ParameterValues, BpxError> {
    if bpx.header.model == "Partial" {
        return Err(BpxError::Unsupported {
            field: "Header.Model".into(),
            what: "partial parameterisations (\"Partial\")".into(),
        });
    }
    let p = bpx.parameterisation;
    let missing = |f: &str| BpxError::Missing {
        field: format!("Parameterisation.{f}"),
    };
    let cell = p.cell.ok_or_else(|| missing("Cell"))?;
    let electrolyte = p.electrolyte.ok_or_else(|| missing("Electrolyte"))?;
    let neg = p.negative.ok_or_else(|| missing("Negative electrode"))?;
    let pos = p.positive.ok_or_else(|| missing("Positive electrode"))?;
    let sep = p.separator.ok_or_else(|| missing("Separator"))?;
    let t_ref = cell
        .reference_temperature
        .ok_or_else(|| missing("Cell.Reference temperature [K]"))?;
    let cooling_area = cell
        .external_surface_area
        .ok_or_else(|| missing("Cell.External surface area [m2]"))?;
    let volume = cell.volume.ok_or_else(|| missing("Cell.Volume [m3]"))?;
    let pairs = cell.electrode_pairs;
    if pairs.fract() != 0.0 || pairs < 1.0 {
        return Err(BpxError::Field {
            field: "Parameterisation.Cell.Number of electrode pairs connected in parallel to make a cell".into(),
            message: format!("must be a positive integer, got {pairs}"),
        });
    }

    let mut d: BTreeMap<String, Value> = BTreeMap::new();
    macro_rules! put {
        ($k:expr, $v:expr $(,)?) => {{
            d.insert($k.to_string(), $v);
        }};
    }
    use Value::Scalar;

    // Cell.
    put!("Electrode area [m2]", Scalar(cell.electrode_area));
    put!("External surface area [m2]", Scalar(cooling_area));
    put!("Volume [m3]", Scalar(volume));
    put!(
        "Number of electrode pairs connected in parallel to make a cell",
        Scalar(pairs),
    );
    put!("Lower voltage cut-off [V]", Scalar(cell.lower_cutoff));
    put!("Upper voltage cut-off [V]", Scalar(cell.upper_cutoff));
    put!("Nominal cell capacity [A.h]", Scalar(cell.capacity));
    put!("Reference temperature [K]", Scalar(t_ref));
    // Cell-level thermal properties, copied to every component as PyBaMM does.
    for (bpx_name, value) in [
        ("Density [kg.m-3]", cell.density),
        ("Specific heat capacity [J.kg-1.K-1]", cell.specific_heat),
    ] {
        let Some(v) = value else { continue };
        let original = if bpx_name.starts_with("Specific") {
            "Specific heat capacity [J.K-1.kg-1]"
        } else {
            bpx_name
        };
        put!(original, Scalar(v));
        for pre in [
            "Negative electrode ",
            "Positive electrode ",
            "Separator ",
            "Negative current collector ",
            "Positive current collector ",
        ] {
            put!(&format!("{pre}{}", lower_first(bpx_name)), Scalar(v));
        }
    }

    // Electrolyte.
    let c_e0 = bpx
        .state
        .as_ref()
        .and_then(|s| s.initial.as_ref())
        .and_then(|i| i.c_e)
        .unwrap_or(1000.0);
    put!("Cation transference number", Scalar(electrolyte.t_plus));
    let ea_de = electrolyte.diffusivity_ea.unwrap_or(0.0);
    let ea_se = electrolyte.conductivity_ea.unwrap_or(0.0);
    put!(
        "Electrolyte diffusivity activation energy [J.mol-1]",
        Scalar(ea_de),
    );
    put!(
        "Electrolyte conductivity activation energy [J.mol-1]",
        Scalar(ea_se),
    );
    for (name, f, ea) in [
        (
            "Electrolyte diffusivity [m2.s-1]",
            electrolyte.diffusivity,
            ea_de,
        ),
        (
            "Electrolyte conductivity [S.m-1]",
            electrolyte.conductivity,
            ea_se,
        ),
    ] {
        put!(
            name,
            Value::Dyn(DynFn::new(move |a: &FnArgs| {
                arrhenius(ea, t_ref, a.t) * f.at(a.c_e)
            })),
        );
    }

    // Separator (PyBaMM also writes its fields without a prefix).
    for pre in ["Separator ", ""] {
        let name = |n: &str| {
            if pre.is_empty() {
                n.to_string()
            } else {
                format!("{pre}{}", lower_first(n))
            }
        };
        put!(&name("Thickness [m]"), Scalar(sep.thickness));
        put!(&name("Porosity"), Scalar(sep.porosity));
        put!(
            &name("Transport efficiency"),
            Scalar(sep.transport_efficiency),
        );
    }
    put!(
        "Separator Bruggeman coefficient (electrolyte)",
        Scalar(sep.transport_efficiency.ln() / sep.porosity.ln()),
    );

    // Electrodes.
    for (side, e) in [("Negative", &neg), ("Positive", &pos)] {
        let lower = side.to_lowercase();
        let el = format!("{side} electrode ");
        let pa = format!("{side} particle ");
        put!(&format!("{el}thickness [m]"), Scalar(e.thickness));
        put!(&format!("{el}porosity"), Scalar(e.porosity));
        put!(
            &format!("{el}transport efficiency"),
            Scalar(e.transport_efficiency),
        );
        put!(&format!("{el}conductivity [S.m-1]"), Scalar(e.conductivity));
        put!(&format!("{el}minimum stoichiometry"), Scalar(e.sto_min));
        put!(&format!("{el}maximum stoichiometry"), Scalar(e.sto_max));
        put!(
            &format!("Maximum concentration in {lower} electrode [mol.m-3]"),
            Scalar(e.c_max),
        );
        put!(&format!("{side} particle radius [m]"), Scalar(e.radius));
        put!(
            &format!("{el}surface area per unit volume [m-1]"),
            Scalar(e.surface_area),
        );
        put!(&format!("{el}OCP [V]"), e.ocp.value(Arg::Sto));
        if let Some(f) = &e.ocp_delithiation {
            put!(&format!("{el}delithiation OCP [V]"), f.value(Arg::Sto));
        }
        if let Some(f) = &e.ocp_lithiation {
            put!(&format!("{el}lithiation OCP [V]"), f.value(Arg::Sto));
        }
        if let Some(k) = e.hysteresis_decay {
            put!(&format!("{pa}lithiation hysteresis decay rate"), Scalar(k));
            put!(
                &format!("{pa}delithiation hysteresis decay rate"),
                Scalar(k),
            );
        }
        if let Some(f) = &e.entropic {
            put!(
                &format!("{el}OCP entropic change [V.K-1]"),
                f.value(Arg::Sto),
            );
        }
        put!(
            &format!("{el}reaction rate constant [mol.m-2.s-1]"),
            Scalar(e.rate_constant),
        );
        let ea_k = e.rate_constant_ea.unwrap_or(0.0);
        put!(
            &format!("{el}reaction rate constant activation energy [J.mol-1]"),
            Scalar(ea_k),
        );
        put!(
            &format!("{el}Bruggeman coefficient (electrode)"),
            Scalar(0.0),
        );
        put!(
            &format!("{el}Bruggeman coefficient (electrolyte)"),
            Scalar(e.transport_efficiency.ln() / e.porosity.ln()),
        );
        put!(
            &format!("{el}active material volume fraction"),
            Scalar(e.surface_area * e.radius / 3.0),
        );
        let k = e.rate_constant * F / (e.c_max * c_e0.powf(0.5));
        put!(
            &format!("{el}exchange-current density [A.m-2]"),
            Value::Dyn(DynFn::new(move |a: &FnArgs| {
                k * arrhenius(ea_k, t_ref, a.t)
                    * a.c_e.max(0.0).sqrt()
                    * a.c_s_surf.max(0.0).sqrt()
                    * (a.c_s_max - a.c_s_surf).max(0.0).sqrt()
            })),
        );
        let ea_d = e.diffusivity_ea.unwrap_or(0.0);
        put!(
            &format!("{pa}diffusivity activation energy [J.mol-1]"),
            Scalar(ea_d),
        );
        let dfn = e.diffusivity.clone();
        put!(
            &format!("{pa}diffusivity [m2.s-1]"),
            Value::Dyn(DynFn::new(move |a: &FnArgs| {
                arrhenius(ea_d, t_ref, a.t) * dfn.at(a.sto)
            })),
        );
    }

    // State.
    let state = bpx.state.unwrap_or_default();
    let ic = state.initial.as_ref();
    let te = state.thermal.as_ref();
    put!(
        "Ambient temperature [K]",
        Scalar(te.and_then(|t| t.ambient).unwrap_or(t_ref)),
    );
    put!(
        "Initial temperature [K]",
        Scalar(ic.and_then(|i| i.temperature).unwrap_or(t_ref)),
    );
    put!(
        "Initial concentration in electrolyte [mol.m-3]",
        Scalar(c_e0),
    );
    for (side, h) in [
        ("negative", ic.and_then(|i| i.hysteresis_negative.as_ref())),
        ("positive", ic.and_then(|i| i.hysteresis_positive.as_ref())),
    ] {
        match h {
            None => {}
            Some(Json::Number(n)) => put!(
                &format!("Initial hysteresis state in {side} electrode"),
                Scalar(n.as_f64().unwrap_or(f64::NAN)),
            ),
            // Per-phase states only apply to blended electrodes, which are refused above.
            Some(Json::Object(_)) => {}
            Some(other) => {
                return Err(BpxError::Field {
                    field: format!(
                        "State.Initial conditions.Initial hysteresis state: {} electrode",
                        if side == "negative" {
                            "Negative"
                        } else {
                            "Positive"
                        }
                    ),
                    message: format!("expected a number, got {other}"),
                })
            }
        }
    }
    put!(
        "Total heat transfer coefficient [W.m-2.K-1]",
        Scalar(te.and_then(|t| t.heat_transfer).unwrap_or(0.0)),
    );

    // Fixed choices PyBaMM makes for BPX cells.
    put!("Current function [A]", Scalar(cell.capacity));
    put!("Thermodynamic factor", Scalar(1.0));
    put!(
        "Number of cells connected in series to make a battery",
        Scalar(1.0),
    );
    put!(
        "Number of electrodes connected in parallel to make a cell",
        Scalar(pairs),
    );
    let side_len = cell.electrode_area.sqrt();
    put!("Electrode width [m]", Scalar(side_len));
    put!("Electrode height [m]", Scalar(side_len));
    put!("Cell cooling surface area [m2]", Scalar(cooling_area));
    put!("Cell volume [m3]", Scalar(volume));
    for pre in ["Negative current collector ", "Positive current collector "] {
        put!(&format!("{pre}thickness [m]"), Scalar(0.0));
        put!(&format!("{pre}conductivity [S.m-1]"), Scalar(4e7));
    }

    // User-defined parameters, by PyBaMM name.
    if let Some(user) = p.user_defined {
        for (name, v) in user {
            if name == "description" {
                continue;
            }
            let field = format!("Parameterisation.User-defined.{name}");
            let f: FloatFunctionTable = serde_json::from_value(v).map_err(|e| BpxError::Field {
                field: field.clone(),
                message: e.to_string(),
            })?;
            put!(&name, f.value(user_defined_arg(&name)));
        }
    }

    if !d.contains_key("Open-circuit voltage at 0% SOC [V]") {
        put!(
            "Open-circuit voltage at 0% SOC [V]",
            Scalar(cell.lower_cutoff),
        );
    }
    if !d.contains_key("Open-circuit voltage at 100% SOC [V]") {
        put!(
            "Open-circuit voltage at 100% SOC [V]",
            Scalar(cell.upper_cutoff),
        );
    }
    // Full charge (negative at its maximum stoichiometry, positive at its minimum)...
    put!(
        "Initial concentration in negative electrode [mol.m-3]",
        Scalar(neg.sto_max * neg.c_max),
    );
    put!(
        "Initial concentration in positive electrode [mol.m-3]",
        Scalar(pos.sto_min * pos.c_max),
    );
    let mut pv = ParameterValues::new(
        "BPX",
        "Battery Parameter eXchange (BPX) file, https://bpxstandard.com",
        d.iter().map(|(k, v)| (k.as_str(), v.clone())).collect(),
    );
    // ...unless the file gives an initial state of charge.
    if let Some(soc) = ic.and_then(|i| i.soc) {
        if !(0.0..=1.0).contains(&soc) {
            return Err(BpxError::Field {
                field: "State.Initial conditions.Initial state-of-charge".into(),
                message: format!("must be between 0 and 1, got {soc}"),
            });
        }
        let (x, y) = initial_stoichiometries(&pv, soc)?;
        let set = |pv: &mut ParameterValues, name: &str, v: f64| {
            pv.set_scalar(name, v).map_err(|e| BpxError::InitialState {
                soc,
                reason: e.to_string(),
            })
        };
        set(
            &mut pv,
            "Initial concentration in negative electrode [mol.m-3]",
            x * neg.c_max,
        )?;
        set(
            &mut pv,
            "Initial concentration in positive electrode [mol.m-3]",
            y * pos.c_max,
        )?;
    }
    Ok(pv)
}

/// Which argument a user-defined function takes, by its PyBaMM name (battbot convention).
fn user_defined_arg(name: &str) -> Arg {
    let n = name.to_lowercase();
    if n.contains("ocp")
        || n.contains("particle")
        || n.contains("stoichiometry")
        || n.contains("volume change")
    {
        Arg::Sto
    } else if n.starts_with("electrolyte")
        || n.contains("transference")
        || n.contains("thermodynamic factor")
    {
        Arg::CE
    } else {
        Arg::T
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{
      "Header": {"BPX": "1.0.0", "Model": "DFN"},
      "Parameterisation": {
        "Cell": {"Electrode area [m2]": 0.01, "External surface area [m2]": 0.02, "Volume [m3]": 1e-5,
                 "Number of electrode pairs connected in parallel to make a cell": 2,
                 "Lower voltage cut-off [V]": 2.5, "Upper voltage cut-off [V]": 4.2,
                 "Nominal cell capacity [A.h]": 1, "Reference temperature [K]": 298.15},
        "Electrolyte": {"Cation transference number": 0.3, "Diffusivity [m2.s-1]": "1e-10 * (1 + x / 1000)",
                        "Conductivity [S.m-1]": {"x": [2000, 0], "y": [0.5, 0.1]},
                        "Conductivity activation energy [J.mol-1]": 10000},
        "Negative electrode": {"Thickness [m]": 5e-5, "Porosity": 0.3, "Transport efficiency": 0.16,
                 "Conductivity [S.m-1]": 100, "Minimum stoichiometry": 0.01, "Maximum stoichiometry": 0.8,
                 "Maximum concentration [mol.m-3]": 30000, "Particle radius [m]": 5e-6,
                 "Surface area per unit volume [m-1]": 360000, "Diffusivity [m2.s-1]": 1e-14,
                 "OCP [V]": "0.1 + 1.5 * exp(-20 * x)", "Reaction rate constant [mol.m-2.s-1]": 1e-6},
        "Positive electrode": {"Thickness [m]": 5e-5, "Porosity": 0.3, "Transport efficiency": 0.16,
                 "Conductivity [S.m-1]": 1, "Minimum stoichiometry": 0.2, "Maximum stoichiometry": 0.95,
                 "Maximum concentration [mol.m-3]": 50000, "Particle radius [m]": 5e-6,
                 "Surface area per unit volume [m-1]": 360000, "Diffusivity [m2.s-1]": 1e-14,
                 "OCP [V]": "4.5 - 1.2 * x", "Reaction rate constant [mol.m-2.s-1]": 1e-6},
        "Separator": {"Thickness [m]": 2e-5, "Porosity": 0.4, "Transport efficiency": 0.25}
      }
    }"#;

    fn with(edit: impl FnOnce(&mut Json)) -> Result<ParameterValues, BpxError> {
        let mut j: Json = serde_json::from_str(MINIMAL).unwrap();
        edit(&mut j);
        parse_bpx(&j.to_string())
    }

    #[test]
    fn minimal_file_maps_to_pybamm_names() {
        let pv = parse_bpx(MINIMAL).unwrap();
        assert_eq!(pv.scalar("Electrode width [m]").unwrap(), 0.1);
        assert_eq!(
            pv.scalar("Number of electrodes connected in parallel to make a cell")
                .unwrap(),
            2.0
        );
        assert!(
            (pv.scalar("Negative electrode active material volume fraction")
                .unwrap()
                - 0.6)
                .abs()
                < 1e-15
        );
        let brugg = pv
            .scalar("Separator Bruggeman coefficient (electrolyte)")
            .unwrap();
        assert!((brugg - 0.25f64.ln() / 0.4f64.ln()).abs() < 1e-15);
        let a = FnArgs {
            c_e: 500.0,
            t: 298.15,
            ..FnArgs::default()
        };
        // The unsorted table is sorted by x and interpolated linearly.
        assert!((pv.eval("Electrolyte conductivity [S.m-1]", &a).unwrap() - 0.2).abs() < 1e-15);
        assert!((pv.eval("Electrolyte diffusivity [m2.s-1]", &a).unwrap() - 1.5e-10).abs() < 1e-24);
        // No initial SOC in a 1.x file without State: full charge.
        assert_eq!(
            pv.scalar("Initial concentration in negative electrode [mol.m-3]")
                .unwrap(),
            24000.0
        );
        assert_eq!(
            pv.scalar("Initial concentration in positive electrode [mol.m-3]")
                .unwrap(),
            10000.0
        );
    }

    #[test]
    fn missing_and_malformed_fields_are_named() {
        let e = with(|j| {
            j["Parameterisation"]["Negative electrode"]
                .as_object_mut()
                .unwrap()
                .remove("OCP [V]");
        })
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("Parameterisation.Negative electrode")
                && e.to_string().contains("OCP [V]"),
            "{e}"
        );
        let e = with(|j| {
            j["Parameterisation"]["Positive electrode"]["OCP [V]"] = "4.3 - log(x)".into()
        })
        .unwrap_err();
        assert!(
            matches!(&e, BpxError::Field { field, message } if field == "Parameterisation.Positive electrode.OCP [V]" && message.contains("log")),
            "{e}"
        );
        let e = with(|j| {
            j["Parameterisation"]["Electrolyte"]["Conductivity [S.m-1]"] =
                serde_json::json!({"x": [1, 2], "y": [1]})
        })
        .unwrap_err();
        assert!(e.to_string().contains("differ in length"), "{e}");
        let e =
            with(|j| j["Parameterisation"]["Cell"]["Nominal cell capacity [A.h]"] = "five".into())
                .unwrap_err();
        assert!(e.to_string().contains("Nominal cell capacity"), "{e}");
        let e = with(|j| j["Parameterisation"]["Cell"]["Colour"] = "red".into()).unwrap_err();
        assert!(e.to_string().contains("Colour"), "{e}");
        let e = with(|j| {
            j["Parameterisation"]
                .as_object_mut()
                .unwrap()
                .remove("Separator");
        })
        .unwrap_err();
        assert!(
            matches!(&e, BpxError::Missing { field } if field == "Parameterisation.Separator"),
            "{e}"
        );
        let e = with(|j| {
            j["Parameterisation"]["Negative electrode"]["Particle"] = serde_json::json!({})
        })
        .unwrap_err();
        assert!(matches!(e, BpxError::Unsupported { .. }), "{e}");
        let e = with(|j| j["Header"]["BPX"] = serde_json::json!(true)).unwrap_err();
        assert!(e.to_string().contains("Header.BPX"), "{e}");
        assert!(matches!(
            parse_bpx("{\"Header\": "),
            Err(BpxError::Json { .. })
        ));
    }

    #[test]
    fn initial_soc_sets_the_ocv() {
        let pv = with(|j| {
            j["State"] = serde_json::json!({"Initial conditions": {"Initial state-of-charge": 1}})
        })
        .unwrap();
        let x = pv
            .scalar("Initial concentration in negative electrode [mol.m-3]")
            .unwrap()
            / 30000.0;
        let y = pv
            .scalar("Initial concentration in positive electrode [mol.m-3]")
            .unwrap()
            / 50000.0;
        let ocv = (4.5 - 1.2 * y) - (0.1 + 1.5 * (-20.0 * x).exp());
        assert!((ocv - 4.2).abs() < 1e-12, "OCV {ocv}");
        let e = with(|j| {
            j["State"] = serde_json::json!({"Initial conditions": {"Initial state-of-charge": 1.5}})
        })
        .unwrap_err();
        assert!(e.to_string().contains("Initial state-of-charge"), "{e}");
    }
}
