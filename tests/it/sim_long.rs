//! Long degradation runs in short: a state a long run reaches, set up from the start, so that
//! a test reaches it in seconds (the 500-cycle runs themselves are `examples/long_sei_runs`,
//! figures in the README's "When a run cannot continue").

use battbot::sim::{CycleSummary, SimSpec, Simulation, SolveOptions};

fn cc_cv(model: &str, initial_sei_m: f64) -> SimSpec {
    serde_json::from_value(serde_json::json!({
        "model": model,
        "parameter_set": "OKane2022",
        "options": {"SEI": "reaction limited"},
        "parameters": {"Initial SEI thickness [m]": initial_sei_m},
        "experiment": [
            "Discharge at 1C until 2.5 V",
            "Charge at 1C until 4.2 V",
            "Hold at 4.2 V until C/50"
        ],
        "cycles": 2
    }))
    .unwrap()
}

fn cycles(spec: &SimSpec) -> Vec<CycleSummary> {
    let sim = Simulation::build(spec).unwrap();
    match sim.solve(&SolveOptions::default()) {
        Ok(sol) => sol.cycles,
        Err(e) => panic!("{} {}: {e}", spec.model, spec.experiment[1]),
    }
}

/// The 500-cycle DFN OKane2022 SEI CC-CV run stopped in cycle 198 ("time step became too
/// small" in the 1C charge) once the film beside the separator reached ~210 nm: the local
/// solve of the distributed film's current left the physical branch (see
/// `degradation::film`). Starting from such films (210 nm; 300 nm stopped the old solve in the
/// first discharge already), the DFN runs through its CC-CV cycles and agrees with the SPMe.
#[test]
fn a_210_nm_sei_film_no_longer_stops_the_dfn_cc_cv_charge_with_time_step_too_small() {
    for film in [2.1e-7, 3e-7] {
        let dfn = cycles(&cc_cv("DFN", film));
        let spme = cycles(&cc_cv("SPMe", film));
        assert_eq!(dfn.len(), 2, "{film}");
        for (a, b) in dfn.iter().zip(&spme) {
            let cap = a.discharge_capacity_ah / b.discharge_capacity_ah - 1.0;
            assert!(cap.abs() < 2e-3, "{film} cycle {}: {cap}", a.cycle);
            let lli = a.loss_of_lithium_inventory_percent / b.loss_of_lithium_inventory_percent;
            assert!(
                (lli - 1.0).abs() < 0.03,
                "{film} cycle {}: LLI ratio {lli}",
                a.cycle
            );
        }
    }
}
