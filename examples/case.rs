//! Solves one reference case at a given mesh and prints the comparison and timings:
//! `cargo run --release --example case -- <id> [points per domain] [repeats]`, 0 points: the
//! default mesh; env NR shells (RG their grading, NO of them PyBaMM's 480 under the surface),
//! XS separator cells, NP polynomial nodes, RTOL, ATOL.

use battbot::sim::compare::compare_csv;
use battbot::sim::{Mesh, SimSpec, Simulation, SolveOptions};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let id = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "spm_chen2020_1C".into());
    let npts: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let reps: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(5);
    let dir = std::env::var("BATTBOT_REFERENCE_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/reference").into());
    let manifest: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/manifest.json")).unwrap())
            .unwrap();
    let case = manifest
        .iter()
        .find(|c| c["id"] == id.as_str())
        .expect("case");
    let spec = SimSpec::from_manifest_entry(case).unwrap();
    let env = |k: &str| {
        std::env::var(k)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(npts)
    };
    let mesh = Mesh {
        x_n: npts,
        x_s: env("XS"),
        x_p: npts,
        r_n: env("NR"),
        r_p: env("NR"),
        r_grading: std::env::var("RG")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1.0),
        r_outer: std::env::var("NO")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        particle_nodes: std::env::var("NP")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(battbot::sim::particle_nodes_for(npts)),
    };
    let mesh = if npts == 0 { Mesh::default() } else { mesh };
    let mut sim = Simulation::build_with_mesh(&spec, mesh).unwrap();
    if let Some(r) = std::env::var("RTOL").ok().and_then(|s| s.parse().ok()) {
        sim.rtol = r;
    }
    if let Some(a) = std::env::var("ATOL").ok().and_then(|s| s.parse().ok()) {
        sim.atol = a;
    }
    let mut times = Vec::new();
    let mut sol = None;
    for _ in 0..reps.max(1) {
        let t = std::time::Instant::now();
        sol = Some(sim.solve(&SolveOptions::default()).unwrap());
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let sol = sol.unwrap();
    times.sort_by(|a, b| a.total_cmp(b));
    let mut out = Vec::new();
    sol.write_csv(&mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    std::fs::write(format!("/tmp/{id}_{npts}.csv"), &out).unwrap();
    let reference = std::fs::read_to_string(format!("{dir}/{id}.csv")).unwrap();
    let c = compare_csv(&reference, &out).unwrap();
    let pyb = case["pybamm_default_mesh_resolve_s"]
        .as_f64()
        .unwrap_or(f64::NAN)
        * 1e3;
    println!(
        "{id} n={npts}: rmse_mV={:.3} p95_mV={:.3} end_rel={:.5} cap_rel={:.5} solve_median={:.2} ms (PyBaMM {:.1} ms) {:?}",
        c.rmse_mv, c.p95_mv, c.end_time_rel, c.capacity_rel, times[times.len() / 2], pyb, sol.stats
    );
}
