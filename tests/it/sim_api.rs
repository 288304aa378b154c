//! Public API behaviour: errors users hit, step controls, CSV formats, re-entrant solves.

use battbot::sim::{
    experiment, model_names, parameter_sets, SimError, SimSpec, Simulation, SolveOptions,
};

fn spec(model: &str, set: &str, steps: &[&str]) -> SimSpec {
    serde_json::from_value(serde_json::json!({
        "model": model, "parameter_set": set, "experiment": steps
    }))
    .unwrap()
}

#[test]
fn unknown_model_and_set_list_valid_names() {
    let e = Simulation::build(&spec("DFNN", "Chen2020", &["Rest for 1 minute"])).unwrap_err();
    match e {
        SimError::UnknownModel { valid, .. } => assert_eq!(valid, vec!["SPM", "SPMe", "DFN"]),
        other => panic!("{other:?}"),
    }
    let e = Simulation::build(&spec("SPM", "Chen2021", &["Rest for 1 minute"])).unwrap_err();
    assert!(
        matches!(e, SimError::UnknownParameterSet { ref valid, .. } if valid.contains(&"Chen2020".to_string()))
    );
    assert!(e.to_string().contains("Chen2020"));
}

#[test]
fn bad_step_quotes_the_word() {
    let e =
        Simulation::build(&spec("SPM", "Chen2020", &["Discharge at 1C untl 2.5 V"])).unwrap_err();
    let SimError::Experiment(x) = e else { panic!() };
    assert_eq!(x.word, "untl");
    assert_eq!(x.step, "Discharge at 1C untl 2.5 V");
}

#[test]
fn unknown_parameter_suggests_close_names() {
    let mut s = spec("SPM", "Chen2020", &["Discharge at 1C until 3.5 V"]);
    s.parameters.insert("Electrode heigth [m]".into(), 0.1);
    let e = Simulation::build(&s).unwrap_err();
    let SimError::UnknownParameter { close, .. } = e else {
        panic!()
    };
    assert_eq!(close[0], "Electrode height [m]");
}

#[test]
fn parameter_override_changes_the_result() {
    let base = spec("SPM", "Chen2020", &["Discharge at 1C until 3.5 V"]);
    let mut s = base.clone();
    s.parameters
        .insert("Negative particle radius [m]".into(), 1e-5);
    let a = Simulation::build(&base)
        .unwrap()
        .solve(&SolveOptions::default())
        .unwrap();
    let b = Simulation::build(&s)
        .unwrap()
        .solve(&SolveOptions::default())
        .unwrap();
    assert!((a.final_time() - b.final_time()).abs() > 1.0);
}

#[test]
fn step_that_ends_at_once_is_an_error() {
    let e = Simulation::build(&spec("SPM", "Chen2020", &["Discharge at 1C until 4.5 V"]))
        .unwrap()
        .solve(&SolveOptions::default())
        .unwrap_err();
    assert!(
        matches!(e, SimError::StepEndsImmediately { index: 0, .. }),
        "{e}"
    );
}

#[test]
fn cccv_power_rest_and_cycles() {
    let mut s = spec(
        "SPMe",
        "Chen2020",
        &[
            "Discharge at 10 W for 20 minutes or until 3.0 V",
            "Rest for 5 minutes",
            "Charge at 1 A until 4.1 V",
            "Hold at 4.1 V until C/20",
        ],
    );
    s.cycles = Some(2);
    let sim = Simulation::build(&s).unwrap();
    let sol = sim.solve(&SolveOptions::default()).unwrap();
    // power step: I V = 10 W (exact at the integrator's steps; an output between them is
    // interpolated, so within its relative tolerance, 1e-5)
    let k = 5;
    let p = sol.current_a[k] * sol.voltage_v[k];
    assert!((p - 10.0).abs() < 1e-4, "{p}");
    // hold ends at C/20 = 0.25 A
    assert!((sol.current_a.last().unwrap().abs() - 0.25).abs() < 1e-4);
    assert!((sol.final_voltage() - 4.1).abs() < 1e-9);
    assert_eq!(*sol.step_index.last().unwrap(), 7);
    assert_eq!(*sol.cycle_index.last().unwrap(), 1);
    assert_eq!(sol.cycles.len(), 2);
    assert!(sol.cycles[0].discharge_capacity_ah > 0.5);
    // re-entrant: the same numbers again
    let again = sim.solve(&SolveOptions::default()).unwrap();
    assert_eq!(sol.voltage_v, again.voltage_v);
    let mut csv = Vec::new();
    sol.write_summary_csv(&mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("Cycle,Discharge capacity [A.h],Loss of lithium inventory [%]\n1,"));
}

#[test]
fn csv_header_and_period() {
    let mut s = spec("SPM", "Chen2020", &["Rest for 95 seconds"]);
    s.thermal = Some("lumped".into());
    let sol = Simulation::build(&s)
        .unwrap()
        .solve(&SolveOptions { period_s: 10.0 })
        .unwrap();
    let mut out = Vec::new();
    sol.write_csv(&mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(out.starts_with("Time [s],Current [A],Voltage [V],Discharge capacity [A.h],X-averaged cell temperature [K]\n"));
    // 95 s / 10 s -> 10 intervals of 9.5 s, as PyBaMM's linspace
    assert_eq!(sol.time_s.len(), 11);
    assert!((sol.time_s[1] - 9.5).abs() < 1e-12);
}

#[test]
fn names_and_sets() {
    assert_eq!(model_names(), &["SPM", "SPMe", "DFN"]);
    let sets = parameter_sets();
    let chen = sets.iter().find(|s| s.name == "Chen2020").unwrap();
    assert_eq!(chen.lower_voltage_cutoff_v, 2.5);
    assert_eq!(chen.nominal_capacity_ah, 5.0);
    assert!(experiment::parse_step("Rest for 1 h").is_ok());
}

#[test]
fn options_thermal_and_degradation() {
    let mut s = spec("SPM", "Chen2020", &["Discharge at 1C for 1 minute"]);
    s.options.insert("thermal".into(), "lumped".into());
    let sol = Simulation::build(&s)
        .unwrap()
        .solve(&SolveOptions::default())
        .unwrap();
    assert!(sol.temperature_k.unwrap().last().unwrap() > &298.15);
    let mut s = spec("SPM", "OKane2022", &["Discharge at 1C for 1 minute"]);
    s.options.insert("SEI".into(), "reaction limited".into());
    assert!(
        Simulation::build(&s).is_ok(),
        "SEI with a set that carries its parameters"
    );
    s.options.insert("SEI".into(), "magic".into());
    let err = Simulation::build(&s).unwrap_err();
    assert!(
        matches!(&err, SimError::UnsupportedOption { .. })
            && err.to_string().contains("reaction limited"),
        "{err}"
    );
    let mut s = spec("SPM", "Chen2020", &["Discharge at 1C for 1 minute"]);
    s.thermal = Some("x-full".into());
    assert!(matches!(
        Simulation::build(&s),
        Err(SimError::UnknownThermal { .. })
    ));
}

#[test]
fn spec_json_refuses_unknown_keys_and_manifests_keep_the_spec_keys() {
    let text = r#"{"id": "x", "model": "dfn", "parameter_set": "chen2020", "experiment": ["Rest for 1 minute"],
            "ambient_temperature_C": 10, "rows": 3}"#;
    let e = serde_json::from_str::<SimSpec>(text)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown key \"id\""), "{e}");
    let entry: serde_json::Value = serde_json::from_str(text).unwrap();
    let s = SimSpec::from_manifest_entry(&entry).unwrap();
    assert_eq!(s.ambient_temperature_c, Some(10.0));
    let back: SimSpec = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    let sim = Simulation::build(&s).unwrap();
    let sol = sim.solve(&SolveOptions::default()).unwrap();
    assert!(sol.final_voltage() > 3.5 && sol.final_voltage() < 4.3);
}
