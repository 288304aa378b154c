//! Where a spec's solve spends its work: wall and CPU time of re-solves of the built model and
//! the integrator's counters (steps, residual evaluations, Jacobians, factorisations).
//!
//! cargo run --release --example solver_profile -- SPEC.json [repeats]
//! SPEC.json, or the id of a case of tests/data/degradation/manifest.json. Environment:
//! `RTOL` overrides the relative tolerance, `PPD` the points per domain, `NR` the
//! shells, `SUMMARY=PATH`
//! writes the per-cycle summary CSV.

use battbot::sim::{Mesh, SimSpec, Simulation, SolveOptions};
use std::time::Instant;

/// CPU time of this process [s] (the machine is shared: wall time follows its load).
fn cpu_s() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec it is given
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .expect("usage: solver_profile SPEC.json|DEGRADATION_CASE_ID [repeats]");
    let reps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let mut spec: SimSpec = if path.ends_with(".json") {
        serde_json::from_str(&std::fs::read_to_string(path).expect("spec")).expect("spec JSON")
    } else {
        // a case of tests/data/degradation/manifest.json
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/degradation");
        let text = std::fs::read_to_string(format!("{dir}/manifest.json")).expect("manifest");
        let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("manifest JSON");
        let case = cases
            .iter()
            .find(|c| c["id"] == path.as_str())
            .expect("case");
        SimSpec::from_manifest_entry(case).expect("case spec")
    };
    if let Some(n) = std::env::var("PPD").ok().and_then(|s| s.parse().ok()) {
        spec.points_per_domain = Some(n);
    }
    let t0 = Instant::now();
    let mut mesh = Mesh::for_spec(&spec);
    if let Some(n) = std::env::var("NR").ok().and_then(|s| s.parse().ok()) {
        (mesh.r_n, mesh.r_p) = (n, n);
    }
    let mut sim = Simulation::build_with_mesh(&spec, mesh).expect("build");
    if let Some(r) = std::env::var("RTOL").ok().and_then(|s| s.parse().ok()) {
        sim.rtol = r;
    }
    println!(
        "unknowns {}  rtol {:e}  build {:.3} s",
        sim.unknowns(),
        sim.rtol,
        t0.elapsed().as_secs_f64()
    );
    for _ in 0..reps.max(1) {
        let (w, c) = (Instant::now(), cpu_s());
        let sol = sim.solve(&SolveOptions::default()).expect("solve");
        let (w, c) = (w.elapsed().as_secs_f64(), cpu_s() - c);
        let s = &sol.stats;
        println!(
            "wall {w:.3} s  cpu {c:.3} s  steps {} (rejected {})  residuals {}  jacobians {} ({:.0} residuals each at most)  factorisations {}  rows {}",
            s.steps,
            s.rejected_steps,
            s.residual_evaluations,
            s.jacobian_evaluations,
            s.residual_evaluations as f64 / s.jacobian_evaluations.max(1) as f64,
            s.factorisations,
            sol.time_s.len()
        );
        if let Ok(out) = std::env::var("SUMMARY") {
            let mut f = std::fs::File::create(out).expect("summary file");
            sol.write_summary_csv(&mut f).expect("summary");
        }
    }
}
