//! Scaling tables of the DFN (Chen2020): solve time and peak heap memory against the mesh
//! (points per domain, every domain) and against the number of CC-CV cycles.
//!
//! cargo run --release --example dfn_scaling -- [--repeat K] [--meshes 10,20,40,80]
//!     [--cycles 1,5,10,50]
//!
//! Peak memory is the largest heap in use while building and solving (a counting allocator);
//! the process's peak resident set (VmHWM) is printed at the end.

use battbot::sim::{Mesh, SimSpec, Simulation, SolveOptions};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// (best solve time [s], peak heap over build + solve [bytes], unknowns, steps, rows)
fn run(
    spec: &SimSpec,
    mesh: Mesh,
    repeat: usize,
) -> Result<(f64, usize, usize, usize, usize), String> {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let sim = Simulation::build_with_mesh(spec, mesh).map_err(|e| e.to_string())?;
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..repeat.max(1) {
        let t0 = Instant::now();
        let sol = sim
            .solve(&SolveOptions::default())
            .map_err(|e| e.to_string())?;
        best = best.min(t0.elapsed().as_secs_f64());
        out = Some(sol);
    }
    let peak = PEAK.load(Ordering::Relaxed) - base;
    let sol = out.unwrap();
    let unknowns = sim.unknowns();
    Ok((best, peak, unknowns, sol.stats.steps, sol.time_s.len()))
}

fn list(s: &str) -> Vec<usize> {
    s.split(',')
        .map(|x| x.trim().parse().expect("number"))
        .collect()
}

fn main() {
    let mut repeat = 3;
    let mut meshes = vec![10, 20, 40, 80];
    let mut cycles = vec![1, 5, 10, 50];
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--repeat" => {
                repeat = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--repeat K")
            }
            "--meshes" => meshes = list(&args.next().expect("--meshes list")),
            "--cycles" => cycles = list(&args.next().expect("--cycles list")),
            _ => panic!("unknown argument {a}"),
        }
    }
    let discharge: SimSpec = serde_json::from_str(
        r#"{"model":"DFN","parameter_set":"Chen2020","experiment":["Discharge at 1C until 2.5 V"]}"#,
    )
    .unwrap();
    println!("DFN Chen2020, Discharge at 1C until 2.5 V: points per domain (x_n, x_s, x_p; particles: 4 + points/10 nodes)");
    println!(
        "{:>6} {:>9} {:>10} {:>11} {:>7}",
        "points", "unknowns", "solve_ms", "peak_MB", "steps"
    );
    for &n in &meshes {
        let mesh = Mesh {
            x_n: n,
            x_s: n,
            x_p: n,
            r_n: n,
            r_p: n,
            r_grading: 1.0,
            r_outer: 0,
            particle_nodes: battbot::sim::particle_nodes_for(n),
        };
        match run(&discharge, mesh, repeat) {
            Ok((t, peak, unknowns, steps, _)) => println!(
                "{n:>6} {unknowns:>9} {:>10.2} {:>11.2} {steps:>7}",
                t * 1e3,
                peak as f64 / 1e6
            ),
            Err(e) => println!("{n:>6} error: {e}"),
        }
    }
    let cycle = [
        "Discharge at 1C until 2.5 V",
        "Rest for 10 minutes",
        "Charge at 1C until 4.2 V",
        "Hold at 4.2 V until C/20",
        "Rest for 10 minutes",
    ];
    let mesh = Mesh::default();
    println!();
    println!(
        "DFN Chen2020, CC-CV cycles ({}) at the default mesh ({} points per domain)",
        cycle.join(", "),
        mesh.x_n
    );
    println!(
        "{:>6} {:>10} {:>11} {:>7} {:>7}",
        "cycles", "solve_ms", "peak_MB", "steps", "rows"
    );
    for &c in &cycles {
        let spec = SimSpec {
            cycles: Some(c as u32),
            experiment: cycle.iter().map(|s| s.to_string()).collect(),
            ..discharge.clone()
        };
        match run(&spec, mesh, if c >= 10 { 1 } else { repeat }) {
            Ok((t, peak, _, steps, rows)) => println!(
                "{c:>6} {:>10.1} {:>11.2} {steps:>7} {rows:>7}",
                t * 1e3,
                peak as f64 / 1e6
            ),
            Err(e) => println!("{c:>6} error: {e}"),
        }
    }
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        if let Some(l) = status.lines().find(|l| l.starts_with("VmHWM")) {
            println!(
                "\nprocess peak resident set: {}",
                l.trim_start_matches("VmHWM:").trim()
            );
        }
    }
}
