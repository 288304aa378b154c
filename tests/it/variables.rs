//! Output variables by PyBaMM's names, checked against PyBaMM references of our own
//! (tests/data/variables, made by its generate.py), and the exports of `battbot solve`
//! (`--variables`, `--json`, `--distributed`) and `battbot pybamm-script`.

use std::path::PathBuf;
use std::process::Command;

use battbot::sim::{SimError, SimSpec, Simulation, SolveOptions};

fn battbot() -> Command {
    Command::new(env!("CARGO_BIN_EXE_battbot"))
}

fn references() -> Vec<serde_json::Value> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/variables/references.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Linear interpolation of (ts, vs) at t.
fn interp(ts: &[f64], vs: &[f64], t: f64) -> f64 {
    let k = ts.partition_point(|&x| x <= t).clamp(1, ts.len() - 1);
    let (a, b) = (ts[k - 1], ts[k]);
    let f = if b > a { (t - a) / (b - a) } else { 0.0 };
    vs[k - 1] + f * (vs[k] - vs[k - 1])
}

/// Largest difference over the largest magnitude of the reference (the difference itself
/// where the reference is all zero, e.g. the reversible heat of a set without entropic
/// change).
fn rel_err(got: &[f64], want: &[f64]) -> f64 {
    let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let diff = got
        .iter()
        .zip(want)
        .fold(0.0f64, |m, (g, w)| m.max((g - w).abs()));
    if scale == 0.0 {
        diff
    } else {
        diff / scale
    }
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn variables_match_our_pybamm_references_within_half_a_percent() {
    for case in references() {
        let id = case["id"].as_str().unwrap();
        let mut spec = SimSpec::new(
            case["model"].as_str().unwrap(),
            case["parameter_set"].as_str().unwrap(),
            &[case["experiment"][0].as_str().unwrap()],
        );
        spec.thermal = case["thermal"].as_str().map(String::from);
        let scalars = case["scalars"].as_object().unwrap();
        let distributed = case["distributed"].as_object().unwrap();
        spec.variables = scalars.keys().chain(distributed.keys()).cloned().collect();
        let sim = Simulation::build(&spec).unwrap();
        let sol = sim.solve(&SolveOptions::default()).unwrap();
        let t_ref = floats(&case["time_s"]);
        let t_end = 0.97 * t_ref.last().unwrap().min(*sol.time_s.last().unwrap());
        let series = |name: &str| sol.variables.iter().find(|v| v.name == name).unwrap();
        for (name, want) in scalars {
            let want = floats(want);
            let s = series(name);
            assert!(s.coord.is_none(), "{id}: {name} is a scalar");
            let got_all: Vec<f64> = s.values.iter().map(|r| r[0]).collect();
            let (mut got, mut exp) = (Vec::new(), Vec::new());
            for (t, w) in t_ref.iter().zip(&want) {
                if *t <= t_end {
                    got.push(interp(&sol.time_s, &got_all, *t));
                    exp.push(*w);
                }
            }
            let e = rel_err(&got, &exp);
            println!("{id}: {name}: max rel err {:.3} %", e * 100.0);
            assert!(e <= 5e-3, "{id}: {name}: {:.3} % > 0.5 %", e * 100.0);
        }
        for (name, refv) in distributed {
            let s = series(name);
            let coord = s.coord.as_ref().expect("distributed");
            if let Some(x) = refv["x_m"].as_array() {
                let x: Vec<f64> = x.iter().map(|v| v.as_f64().unwrap()).collect();
                assert!(
                    rel_err(&coord.values, &x) < 1e-9,
                    "{id}: {name}: same nodes as PyBaMM"
                );
            }
            for (ts, want) in refv["snapshots"].as_object().unwrap() {
                let ts: f64 = ts.parse().unwrap();
                let k = sol
                    .time_s
                    .iter()
                    .position(|t| (t - ts).abs() < 1e-6)
                    .unwrap_or_else(|| panic!("{id}: no output at {ts} s"));
                let e = rel_err(&s.values[k], &floats(want));
                println!("{id}: {name} at {ts} s: max rel err {:.3} %", e * 100.0);
                assert!(
                    e <= 5e-3,
                    "{id}: {name} at {ts} s: {:.3} % > 0.5 %",
                    e * 100.0
                );
            }
        }
    }
}

#[test]
fn unknown_variable_names_get_a_did_you_mean() {
    let mut spec = SimSpec::new("DFN", "Chen2020", &["Discharge at 1C until 2.5 V"]);
    spec.variables = vec!["Electrolyte concentraton [mol.m-3]".into()];
    match Simulation::build(&spec) {
        Err(e @ SimError::UnknownVariable { .. }) => {
            let m = e.to_string();
            assert!(
                m.contains("did you mean \"Electrolyte concentration [mol.m-3]\""),
                "{m}"
            );
        }
        other => panic!("expected an unknown-variable error, got {other:?}"),
    }
}

#[test]
fn solve_writes_variables_to_csv_json_and_the_distributed_file() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.json");
    std::fs::write(
        &spec,
        r#"{"model": "DFN", "parameter_set": "Chen2020", "experiment": ["Discharge at 1C for 10 minutes"],
            "variables": ["X-averaged negative particle surface concentration [mol.m-3]"]}"#,
    )
    .unwrap();
    let (csv, json) = (dir.path().join("out.csv"), dir.path().join("out.json"));
    let out = battbot()
        .args(["solve", "--spec"])
        .arg(&spec)
        .args([
            "--variables",
            "Electrolyte concentration [mol.m-3]",
            "--csv",
        ])
        .arg(&csv)
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        "Time [s],Current [A],Voltage [V],Discharge capacity [A.h],X-averaged negative particle surface concentration [mol.m-3]"
    );
    let dist = std::fs::read_to_string(dir.path().join("out.distributed.csv")).unwrap();
    let mut lines = dist.lines();
    assert_eq!(
        lines.next().unwrap(),
        "Time [s],Variable,Coordinate,Position [m],Value"
    );
    assert!(lines
        .next()
        .unwrap()
        .starts_with("0,Electrolyte concentration [mol.m-3],x,"));
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(j["format"], "battbot-result");
    assert_eq!(j["metadata"]["mesh"]["x_n"], 40);
    assert!(j["metadata"]["solve_time_s"].as_f64().unwrap() > 0.0);
    assert!(j["metadata"]["tolerances"]["rtol"].as_f64().unwrap() > 0.0);
    let rows = j["time_series"]["Voltage [V]"].as_array().unwrap().len();
    assert_eq!(rows, text.lines().count() - 1);
    let vars = j["variables"].as_array().unwrap();
    assert_eq!(vars.len(), 2);
    let ce = vars
        .iter()
        .find(|v| v["name"] == "Electrolyte concentration [mol.m-3]")
        .unwrap();
    assert_eq!(ce["coord"]["name"], "x [m]");
    assert_eq!(ce["values"].as_array().unwrap().len(), rows);
}

#[test]
fn distributed_variables_without_a_file_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.json");
    std::fs::write(
        &spec,
        r#"{"model": "SPMe", "parameter_set": "Chen2020", "experiment": ["Rest for 1 minute"]}"#,
    )
    .unwrap();
    let out = battbot()
        .args(["solve", "--spec"])
        .arg(&spec)
        .args(["--variables", "Electrolyte concentration [mol.m-3]"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--distributed"), "{err}");
}

#[test]
fn variables_lists_pybamm_names_with_their_domain() {
    let out = battbot()
        .args(["variables", "--model", "DFN"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Electrolyte concentration [mol.m-3]\tdistributed"));
    assert!(text.contains("X-averaged negative particle surface concentration [mol.m-3]\tscalar"));
    assert!(!text.contains("heating"), "isothermal: no heat sources");
    let out = battbot()
        .args(["variables", "--model", "SPMe", "--thermal", "lumped"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("X-averaged total heating [W.m-3]\tscalar"),
        "{text}"
    );
}

#[test]
fn pybamm_script_prints_a_script_with_the_run_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.json");
    std::fs::write(
        &spec,
        r#"{"model": "SPMe", "parameter_set": "chen2020", "thermal": "lumped",
            "experiment": ["Discharge at 2C until 2.5 V"], "parameters": {"Electrode height [m]": 0.07}}"#,
    )
    .unwrap();
    let out = battbot()
        .args(["pybamm-script", "--spec"])
        .arg(&spec)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let script = String::from_utf8(out.stdout).unwrap();
    for want in [
        "pybamm.lithium_ion.SPMe(options={\"thermal\": \"lumped\"})",
        "pybamm.ParameterValues(\"Chen2020\")",
        "\"Electrode height [m]\": 0.07,",
        "\"Discharge at 2C until 2.5 V\",",
        "\"x_n\": 40, \"x_s\": 40, \"x_p\": 40",
        "IDAKLUSolver(rtol=1e-5, atol=1e-6)",
        "\"X-averaged cell temperature [K]\"",
    ] {
        assert!(script.contains(want), "missing {want:?} in\n{script}");
    }
}
