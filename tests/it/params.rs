//! Checks each parameter set against a dump of PyBaMM's set (tools/dump_functions.py):
//! the same parameter names, every scalar equal, every function equal at the sample points.

use battbot::sim::params::{self, FnArgs, ParameterValues};
use serde_json::Value as Json;

/// Largest relative error allowed for transcribed analytic functions.
const TOL_ANALYTIC: f64 = 1e-9;
/// Largest relative error allowed for interpolated tables.
const TOL_INTERPOLANT: f64 = 1e-6;

fn load(file: &str) -> Json {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Compares `pv` with the dump; returns the worst relative error of functions (analytic,
/// interpolant) for the report.
pub fn check(pv: &ParameterValues, file: &str) -> (f64, f64) {
    check_with(pv, file, &[])
}

/// As `check`, with a relative tolerance for the scalars named in `loose` (values PyBaMM
/// computes with an iterative solver) instead of exact equality.
pub fn check_with(pv: &ParameterValues, file: &str, loose: &[(&str, f64)]) -> (f64, f64) {
    let dump = load(file);
    let scalars = dump["scalars"].as_object().expect("scalars");
    let functions = dump["functions"].as_object().expect("functions");
    let mut problems = Vec::new();
    for name in pv.names() {
        if !scalars.contains_key(name) && !functions.contains_key(name) {
            problems.push(format!("{name}: not in PyBaMM's set"));
        }
    }
    for (name, v) in scalars {
        let want = v.as_f64().expect("number");
        match pv.scalar(name) {
            Ok(got) if got == want => {}
            Ok(got)
                if loose
                    .iter()
                    .any(|(n, tol)| n == name && (got - want).abs() <= tol * want.abs()) =>
            {
                let rel = (got - want).abs() / want.abs();
                println!("{file}: {name} relative error {rel:.2e}");
            }
            Ok(got) => problems.push(format!("{name}: {got} != {want}")),
            Err(e) => problems.push(format!("{name}: {e}")),
        }
    }
    let (mut worst_a, mut worst_i) = (0.0f64, 0.0f64);
    for (name, f) in functions {
        let interpolant = !f["interpolant"].is_null();
        let tol = if interpolant {
            TOL_INTERPOLANT
        } else {
            TOL_ANALYTIC
        };
        let samples = f["samples"].as_array().expect("samples");
        // Values that pass through zero are compared relative to the function's scale there.
        let scale = samples
            .iter()
            .map(|s| s["value"].as_f64().unwrap().abs())
            .fold(0.0, f64::max);
        for s in samples {
            let a = &s["args"];
            let args = FnArgs {
                sto: a["sto"].as_f64().unwrap(),
                c_e: a["c_e"].as_f64().unwrap(),
                c_s_surf: a["c_s_surf"].as_f64().unwrap(),
                c_s_max: a["c_s_max"].as_f64().unwrap(),
                t: a["t"].as_f64().unwrap(),
            };
            let want = s["value"].as_f64().unwrap();
            let got = match pv.eval(name, &args) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(format!("{name}: {e}"));
                    break;
                }
            };
            let rel = (got - want).abs() / want.abs().max(1e-6 * scale).max(f64::MIN_POSITIVE);
            if interpolant {
                worst_i = worst_i.max(rel);
            } else {
                worst_a = worst_a.max(rel);
            }
            if rel.is_nan() || rel > tol {
                problems.push(format!(
                    "{name} at {args:?}: {got} vs PyBaMM {want} (rel {rel:.2e})"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{file}: {} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    println!("{file}: worst relative error analytic {worst_a:.2e}, interpolant {worst_i:.2e}");
    (worst_a, worst_i)
}

#[test]
fn ai2020_matches_pybamm() {
    let pv = params::ai2020::parameter_values();
    check(&pv, "ai2020.json");
    assert_eq!(pv.scalar("Lower voltage cut-off [V]").unwrap(), 3.0);
    assert_eq!(pv.scalar("Nominal cell capacity [A.h]").unwrap(), 2.28);
}

#[test]
fn ecker2015_matches_pybamm() {
    let pv = params::ecker2015::parameter_values();
    check(&pv, "ecker2015.json");
    assert_eq!(pv.scalar("Lower voltage cut-off [V]").unwrap(), 2.5);
    assert_eq!(pv.scalar("Nominal cell capacity [A.h]").unwrap(), 0.15625);
}

#[test]
fn mohtat2020_matches_pybamm() {
    let pv = params::mohtat2020::parameter_values();
    check(&pv, "mohtat2020.json");
    assert_eq!(pv.scalar("Lower voltage cut-off [V]").unwrap(), 2.8);
    assert_eq!(pv.scalar("Nominal cell capacity [A.h]").unwrap(), 5.0);
}

#[test]
fn prada2013_matches_pybamm() {
    let pv = params::prada2013::parameter_values();
    check(&pv, "prada2013.json");
    assert_eq!(pv.scalar("Lower voltage cut-off [V]").unwrap(), 2.0);
    assert_eq!(pv.scalar("Upper voltage cut-off [V]").unwrap(), 3.6);
    assert_eq!(pv.scalar("Nominal cell capacity [A.h]").unwrap(), 2.3);
}

#[test]
fn okane2022_matches_pybamm() {
    let pv = params::okane2022::parameter_values();
    check(&pv, "okane2022.json");
    assert_eq!(pv.scalar("Lower voltage cut-off [V]").unwrap(), 2.5);
    assert_eq!(pv.scalar("Nominal cell capacity [A.h]").unwrap(), 5.0);
    assert!(pv.has("SEI kinetic rate constant [m.s-1]"));
    assert!(pv.has("Lithium plating kinetic rate constant [m.s-1]"));
}

#[test]
fn oregan2022_matches_pybamm() {
    let pv = params::oregan2022::parameter_values();
    check(&pv, "oregan2022.json");
    assert_eq!(pv.scalar("Lower voltage cut-off [V]").unwrap(), 2.5);
    assert_eq!(pv.scalar("Upper voltage cut-off [V]").unwrap(), 4.4);
    assert_eq!(pv.scalar("Nominal cell capacity [A.h]").unwrap(), 5.0);
}

#[test]
fn nca_kim2011_matches_pybamm() {
    let pv = params::nca_kim2011::parameter_values();
    check(&pv, "nca_kim2011.json");
    assert_eq!(pv.scalar("Lower voltage cut-off [V]").unwrap(), 2.7);
    assert_eq!(pv.scalar("Nominal cell capacity [A.h]").unwrap(), 0.43);
}

#[test]
fn every_builtin_set_is_registered_under_its_name_and_evaluates() {
    // What every model needs, evaluated mid-range at 25 °C: finite numbers, OCPs in volts.
    for (name, f) in params::BUILTIN {
        let pv = f();
        assert_eq!(pv.name, *name);
        assert!(params::builtin(&name.to_lowercase()).is_some());
        for side in ["negative", "positive"] {
            let cap = if side == "negative" {
                "Negative"
            } else {
                "Positive"
            };
            let c_max = pv
                .scalar(&format!(
                    "Maximum concentration in {side} electrode [mol.m-3]"
                ))
                .unwrap();
            let a = FnArgs {
                sto: 0.5,
                c_e: 1000.0,
                c_s_surf: 0.5 * c_max,
                c_s_max: c_max,
                t: 298.15,
            };
            let ocp = pv.eval(&format!("{cap} electrode OCP [V]"), &a).unwrap();
            assert!((0.0..5.0).contains(&ocp), "{name} {side} OCP {ocp}");
            for p in [
                format!("{cap} particle diffusivity [m2.s-1]"),
                format!("{cap} electrode exchange-current density [A.m-2]"),
            ] {
                let v = pv.eval(&p, &a).unwrap();
                assert!(v.is_finite() && v > 0.0, "{name} {p} = {v}");
            }
        }
        for p in [
            "Lower voltage cut-off [V]",
            "Upper voltage cut-off [V]",
            "Nominal cell capacity [A.h]",
        ] {
            assert!(pv.scalar(p).unwrap() > 0.0, "{name} {p}");
        }
        let e = pv.scalar("Electrode hieght [m]").unwrap_err();
        assert!(
            e.to_string().contains("Electrode height [m]"),
            "{name}: {e}"
        );
    }
}

#[test]
fn chen2020_matches_pybamm() {
    let (a, i) = check(&params::chen2020::parameter_values(), "chen2020.json");
    eprintln!("chen2020: worst analytic {a:e}, interpolant {i:e}");
}

#[test]
fn marquis2019_matches_pybamm() {
    let (a, i) = check(&params::marquis2019::parameter_values(), "marquis2019.json");
    eprintln!("marquis2019: worst analytic {a:e}, interpolant {i:e}");
}
