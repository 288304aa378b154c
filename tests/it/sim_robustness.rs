//! Cases that used to fail: each must solve and agree with PyBaMM 26.10, or fail with a clear
//! error where PyBaMM cannot solve the case either. PyBaMM figures quoted are from runs of the
//! same specs (40 points per domain, IDAKLU rtol 1e-8).

use battbot::sim::{Mesh, SimError, SimSpec, Simulation, SolveOptions};

fn spec(json: &str) -> SimSpec {
    serde_json::from_str(json).unwrap()
}

fn within(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs()
}

/// SPMe Ai2020 at 1.5C and 5 degC depletes the positive electrode's electrolyte: PyBaMM's
/// exchange current then vanishes (c_e floored at 0) and the voltage falls to the 3.0 V cut-off
/// at 905.24 s. The solver used to run past it and exhaust its step budget.
#[test]
fn spme_ai2020_1p5c_at_5degc_reaches_cutoff_at_electrolyte_depletion() {
    let s = spec(
        r#"{"model":"SPMe","parameter_set":"Ai2020","ambient_temperature_C":5,
            "experiment":["Discharge at 1.5C until 3.0 V"]}"#,
    );
    let sol = Simulation::build(&s)
        .unwrap()
        .solve(&SolveOptions::default())
        .unwrap();
    assert!(
        within(sol.final_time(), 905.2375, 5e-3),
        "end time {} s, PyBaMM 905.24 s",
        sol.final_time()
    );
    // PyBaMM's voltage at 860 s, before depletion, and at 890 s, after it
    let v_at = |t: f64| {
        let k = sol
            .time_s
            .iter()
            .position(|&x| (x - t).abs() < 1e-6)
            .unwrap();
        sol.voltage_v[k]
    };
    assert!((v_at(860.0) - 3.37360646).abs() < 1e-3, "{}", v_at(860.0));
    assert!((v_at(890.0) - 3.09333771).abs() < 1e-3, "{}", v_at(890.0));
}

/// DFN Ecker2015 at 5 degC: a 1C charge starts above 4.2 V (PyBaMM at its default 20-point
/// mesh: 4.27477 V at t = 0 under the charge current, 4.29434 V after 10 s; it skips
/// "Charge at 1C until 4.2 V" as infeasible). battsim runs the timed charge past the set's
/// 4.2 V cut-off as PyBaMM does, and says the "until 4.2 V" step cannot start.
#[test]
fn dfn_ecker2015_charge_at_5degc_is_infeasible_as_in_pybamm() {
    let probe = spec(
        r#"{"model":"DFN","parameter_set":"Ecker2015","ambient_temperature_C":5,
            "experiment":["Charge at 1C for 10 seconds"]}"#,
    );
    let mesh20 = Mesh {
        x_n: 20,
        x_s: 20,
        x_p: 20,
        r_n: 20,
        r_p: 20,
        r_grading: 1.0,
        r_outer: 0,
        particle_nodes: battbot::sim::particle_nodes_for(20),
    };
    let sol = Simulation::build_with_mesh(&probe, mesh20)
        .unwrap()
        .solve(&SolveOptions { period_s: 1.0 })
        .unwrap();
    assert!(
        (sol.voltage_v[0] - 4.27477285).abs() < 1e-4,
        "initial charging voltage {} V, PyBaMM 4.27477 V",
        sol.voltage_v[0]
    );
    assert!(
        (sol.final_voltage() - 4.294336094).abs() < 1e-4,
        "voltage after 10 s {} V, PyBaMM 4.29434 V",
        sol.final_voltage()
    );
    let s = spec(
        r#"{"model":"DFN","parameter_set":"Ecker2015","ambient_temperature_C":5,
            "experiment":["Charge at 1C until 4.2 V"]}"#,
    );
    match Simulation::build(&s)
        .unwrap()
        .solve(&SolveOptions::default())
    {
        Err(SimError::StepEndsImmediately { reason, index, .. }) => {
            assert_eq!(index, 0);
            assert!(reason.contains("4.27"), "{reason}");
            assert!(reason.contains("4.2 V"), "{reason}");
        }
        other => panic!("expected StepEndsImmediately, got {other:?}"),
    }
}

/// Prada2013 has no thermal parameters: PyBaMM's lumped model stops with KeyError
/// 'Negative current collector thickness [m]'. battsim used to build a cell of zero heat
/// capacity whose first step failed; now it names what is missing.
#[test]
fn prada2013_lumped_names_the_missing_thermal_parameters() {
    for model in ["SPM", "SPMe", "DFN"] {
        let s = spec(&format!(
            r#"{{"model":"{model}","parameter_set":"Prada2013","thermal":"lumped",
                "experiment":["Discharge at 1C until 2.0 V"]}}"#
        ));
        match Simulation::build(&s) {
            Err(e @ SimError::UnsupportedOption { .. }) => {
                let msg = e.to_string();
                assert!(
                    msg.contains("Negative current collector thickness [m]"),
                    "{msg}"
                );
                assert!(msg.contains("Prada2013"), "{msg}");
            }
            other => panic!("{model}: expected UnsupportedOption, got {other:?}"),
        }
    }
    // the isothermal model still solves
    let s = spec(
        r#"{"model":"SPM","parameter_set":"Prada2013","experiment":["Discharge at 1C until 2.0 V"]}"#,
    );
    assert!(Simulation::build(&s)
        .unwrap()
        .solve(&SolveOptions::default())
        .is_ok());
}

/// Every built-in set that has thermal parameters solves a lumped SPM discharge, and warms up.
#[test]
fn lumped_thermal_builds_for_sets_with_thermal_parameters() {
    let mut solved = 0;
    for info in battbot::sim::parameter_sets() {
        let s = spec(&format!(
            r#"{{"model":"SPM","parameter_set":"{}","thermal":"lumped",
                "experiment":["Discharge at 1C for 10 minutes"]}}"#,
            info.name
        ));
        match Simulation::build(&s) {
            Ok(sim) => {
                let sol = sim.solve(&SolveOptions::default()).unwrap();
                let t = sol.temperature_k.as_ref().unwrap();
                assert!(t.last().unwrap() > &t[0], "{}: no heating", info.name);
                solved += 1;
            }
            Err(SimError::UnsupportedOption { .. }) => {}
            Err(e) => panic!("{}: {e}", info.name),
        }
    }
    assert!(solved >= 5, "only {solved} sets solved a lumped model");
}

/// DFN Mohtat2020 charge at 40 points per domain: Newton stalled at t = 3307 s whatever the
/// step (finite-difference Jacobian increments of 1e-7 lost the kinetic part of the
/// solid-potential rows to round-off). PyBaMM ends the charge at 3310.0 s.
#[test]
fn dfn_mohtat2020_charge_solves_at_40_points() {
    let s = spec(
        r#"{"model":"DFN","parameter_set":"Mohtat2020","experiment":["Charge at 1C until 4.2 V"]}"#,
    );
    let mesh = Mesh {
        x_n: 40,
        x_s: 40,
        x_p: 40,
        r_n: 40,
        r_p: 40,
        r_grading: 1.0,
        r_outer: 0,
        particle_nodes: battbot::sim::particle_nodes_for(40),
    };
    let sol = Simulation::build_with_mesh(&s, mesh)
        .unwrap()
        .solve(&SolveOptions::default())
        .unwrap();
    assert!(
        within(sol.final_time(), 3309.998, 5e-3),
        "end {} s, PyBaMM 3310.0 s",
        sol.final_time()
    );
}

/// DFN Ecker2015 at 2C: near the end of discharge the step size collapsed at t = 1868.6 s
/// (the algebraic unknowns had drifted from their equations and Newton, contracting at 0.4,
/// could not close the gap in its 4 iterations). The integrator now re-initialises the
/// algebraic unknowns and restarts. PyBaMM reaches 2.5 V at 1878.10 s (2.63903 V at 1870 s).
#[test]
fn dfn_ecker2015_2c_reaches_the_cutoff() {
    let s = spec(
        r#"{"model":"DFN","parameter_set":"Ecker2015","experiment":["Discharge at 2C until 2.5 V"]}"#,
    );
    let sol = Simulation::build(&s)
        .unwrap()
        .solve(&SolveOptions::default())
        .unwrap();
    assert!(
        within(sol.final_time(), 1878.09974, 5e-3),
        "end {} s, PyBaMM 1878.10 s",
        sol.final_time()
    );
    let k = sol
        .time_s
        .iter()
        .position(|&t| (t - 1870.0).abs() < 1e-6)
        .unwrap();
    assert!(
        (sol.voltage_v[k] - 2.6390312).abs() < 1e-3,
        "{}",
        sol.voltage_v[k]
    );
}

/// PyBaMM's experiment semantics: the set's cut-offs are safeguards 1 V beyond the limits,
/// and a step that stops on one ends the experiment (PyBaMM: "Experiment is infeasible:
/// 'event: Minimum voltage [V]' was triggered"; it returns the solution so far). Reference:
/// the timed discharge reaches 1.5 V at 3679.86 s and the rest never runs.
#[test]
fn set_cutoff_ends_the_experiment_one_volt_beyond_the_limit() {
    let s = spec(
        r#"{"model":"SPM","parameter_set":"Chen2020",
            "experiment":["Discharge at 1C for 90 minutes","Rest for 10 minutes"]}"#,
    );
    let sol = Simulation::build(&s)
        .unwrap()
        .solve(&SolveOptions::default())
        .unwrap();
    assert!(
        within(sol.final_time(), 3679.85986, 5e-3),
        "{}",
        sol.final_time()
    );
    assert!(
        (sol.final_voltage() - 1.5).abs() < 1e-6,
        "{}",
        sol.final_voltage()
    );
    assert!(sol.step_index.iter().all(|&k| k == 0), "the rest step ran");
}

/// A step whose own termination holds at its start is skipped and the experiment goes on
/// (PyBaMM: "infeasible at initial conditions, but skip_ok is True. Skipping step."): at 0 degC
/// the SPMe OKane2022 cell ends a 2C discharge at 65.6 s (electrolyte depletion) and after a
/// 10-minute rest would start a 1C charge at 4.339 V > 4.2 V; PyBaMM holds at 4.2 V instead
/// and reaches C/20 at 1370.2 s.
#[test]
fn infeasible_step_is_skipped_and_the_experiment_goes_on() {
    let s = spec(
        r#"{"model":"SPMe","parameter_set":"OKane2022","ambient_temperature_C":0,
            "experiment":["Discharge at 2C until 2.5 V","Rest for 10 minutes",
                          "Charge at 1C until 4.2 V","Hold at 4.2 V until C/20"]}"#,
    );
    let sol = Simulation::build(&s)
        .unwrap()
        .solve(&SolveOptions::default())
        .unwrap();
    assert!(!sol.step_index.contains(&2), "the infeasible charge ran");
    assert!(sol.step_index.contains(&3), "the hold did not run");
    assert!(
        within(sol.final_time(), 1370.21339, 5e-3),
        "{}",
        sol.final_time()
    );
}

/// The DFN ORegan2022 case battbot used to refuse ("solver failed in step 2 … time step became
/// too small" in the 6.5 A charge, on PyBaMM's 40 uniform shells): on the graded shells every
/// step solves, the last discharge ending on its own 2.5 V termination. (PyBaMM solves it with
/// 120 shells; tests/reference/dfn_oregan2022_fast_charge.csv is that solution, a known gap
/// of `sim::` at the default mesh.)
#[test]
fn dfn_oregan2022_fast_charge_after_rest_solves() {
    let s = spec(
        r#"{"model":"DFN","parameter_set":"ORegan2022",
            "experiment":["Discharge at 0.33C until 2.5 V","Rest for 1 hour",
                          "Charge at 6.5 A for 30 minutes","Discharge at 2.4C until 2.5 V"]}"#,
    );
    let sol = Simulation::build(&s)
        .unwrap()
        .solve(&SolveOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sol.step_index.last(), Some(&3), "all four steps ran");
    assert!(
        (sol.final_voltage() - 2.5).abs() < 5e-3,
        "{}",
        sol.final_voltage()
    );
    // the charge put 6.5 A x 0.5 h back
    let charged = sol
        .step_index
        .iter()
        .zip(&sol.current_a)
        .filter(|(k, _)| **k == 2)
        .all(|(_, i)| (i + 6.5).abs() < 1e-9);
    assert!(charged);
}
