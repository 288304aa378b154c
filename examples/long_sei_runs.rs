//! The long degradation runs the README's limits name: DFN OKane2022 with reaction-limited SEI,
//! 1C CC-CV with a hold to C/50 (and without the hold), against the SPMe's same run, cycle by
//! cycle. Too slow for the test suite (tens of seconds); figures go to the README.
//!
//! cargo run --release --example long_sei_runs -- [--cycles 500] [--no-hold] [--no-spme]
//!
//! Prints for each run: cycles completed (or where it stopped), wall time, solver steps, the
//! discharge capacity and loss of lithium inventory at a few cycles; then the largest
//! relative difference per cycle between the DFN's and the SPMe's capacities.

use battbot::sim::{CycleSummary, SimSpec, Simulation, SolveOptions};
use std::time::Instant;

fn spec(model: &str, hold: bool, cycles: u32) -> SimSpec {
    let mut experiment = vec!["Discharge at 1C until 2.5 V", "Charge at 1C until 4.2 V"];
    if hold {
        experiment.push("Hold at 4.2 V until C/50");
    }
    let json = serde_json::json!({
        "model": model,
        "parameter_set": "OKane2022",
        "options": {"SEI": "reaction limited"},
        "experiment": experiment,
        "cycles": cycles,
    });
    serde_json::from_value(json).expect("a valid spec")
}

/// Solves `spec` and prints its figures; returns its per-cycle summaries.
fn run(label: &str, spec: &SimSpec) -> Vec<CycleSummary> {
    let mut sim = Simulation::build(spec).expect("the spec builds");
    // as the runner does for long runs: sampled curves of the first and last cycles only
    sim.output_cycles = Some(vec![1, spec.cycles.unwrap_or(1) as usize]);
    let t0 = Instant::now();
    let (sol, stopped) = match sim.solve(&SolveOptions::default()) {
        Ok(sol) => (sol, None),
        Err(e) => match e.partial() {
            Some(s) => (s.partial.clone(), Some(s.to_string())),
            None => panic!("{label}: {e}"),
        },
    };
    let wall = t0.elapsed().as_secs_f64();
    let cycles = &sol.cycles;
    println!(
        "{label}: {} cycles in {wall:.1} s wall, {} steps ({} rejected), {} residual evaluations",
        cycles.len(),
        sol.stats.steps,
        sol.stats.rejected_steps,
        sol.stats.residual_evaluations
    );
    if let Some(s) = stopped {
        println!("  {s}");
    }
    let n = cycles.len();
    let mut shown: Vec<usize> = [1, 2, 10, 100, 198, 199, 200, 300, 400, 500]
        .into_iter()
        .filter(|&c| c <= n)
        .collect();
    if n > 0 && !shown.contains(&n) {
        shown.push(n);
    }
    for c in shown {
        let s = &cycles[c - 1];
        println!(
            "  cycle {:>4}: capacity {:.5} A.h, LLI {:.4} %",
            s.cycle, s.discharge_capacity_ah, s.loss_of_lithium_inventory_percent
        );
    }
    sol.cycles
}

fn main() {
    let mut cycles = 500u32;
    let (mut hold, mut spme) = (true, true);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cycles" => {
                cycles = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--cycles N")
            }
            "--no-hold" => hold = false,
            "--no-spme" => spme = false,
            other => panic!("unknown argument {other}"),
        }
    }
    let what = if hold { "CC-CV (hold to C/50)" } else { "CC" };
    println!("OKane2022, reaction-limited SEI, 1C {what}, {cycles} cycles");
    let dfn = run("DFN", &spec("DFN", hold, cycles));
    if spme {
        let other = run("SPMe", &spec("SPMe", hold, cycles));
        let (mut worst, mut at) = (0.0f64, 0);
        for (a, b) in dfn.iter().zip(&other) {
            let d = (a.discharge_capacity_ah / b.discharge_capacity_ah - 1.0).abs();
            if d > worst {
                (worst, at) = (d, a.cycle);
            }
        }
        let fade = |c: &[CycleSummary]| {
            c.first().map_or(0.0, |f| f.discharge_capacity_ah)
                - c.last().map_or(0.0, |l| l.discharge_capacity_ah)
        };
        println!(
            "DFN vs SPMe over {} cycles: capacity within {:.3} % (worst in cycle {at}); fade {:.4} vs {:.4} A.h",
            dfn.len().min(other.len()),
            100.0 * worst,
            fade(&dfn),
            fade(&other)
        );
    }
}
