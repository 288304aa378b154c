//! The integrator's step loop allocates nothing: the same solve at a tighter tolerance (many
//! more steps, residuals and factorisations, the same outputs) allocates no more. Allocations
//! are counted per thread, so the tests running beside this one do not count.

use battbot::sim::{SimSpec, Simulation, SolveOptions};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct PerThread;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for PerThread {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|a| a.set(a.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|a| a.set(a.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: PerThread = PerThread;

fn allocations() -> usize {
    ALLOCATIONS.with(|a| a.get())
}

/// (allocations, steps, residuals) of 20 minutes of 1C discharge at relative tolerance `rtol`.
fn solve(model: &str, thermal: &str, options: &str, rtol: f64) -> (usize, usize, usize) {
    let spec: SimSpec = serde_json::from_str(&format!(
        r#"{{"model": "{model}", "parameter_set": "OKane2022", "thermal": "{thermal}",
            "options": {options},
            "experiment": ["Discharge at 1C for 20 minutes"]}}"#
    ))
    .unwrap();
    let mut sim = Simulation::build(&spec).unwrap();
    sim.rtol = rtol;
    let before = allocations();
    let sol = sim.solve(&SolveOptions::default()).unwrap();
    let n = allocations() - before;
    (n, sol.stats.steps, sol.stats.residual_evaluations)
}

#[test]
fn the_step_loop_allocates_nothing() {
    for (model, thermal, options) in [
        ("SPM", "isothermal", "{}"),
        ("SPMe", "isothermal", "{}"),
        ("SPMe", "lumped", "{}"),
        ("DFN", "isothermal", "{}"),
        ("DFN", "lumped", "{}"),
        ("SPMe", "isothermal", r#"{"SEI": "reaction limited"}"#),
    ] {
        let (a1, s1, r1) = solve(model, thermal, options, 1e-5);
        let (a4, s4, r4) = solve(model, thermal, options, 1e-8);
        eprintln!("{model} {thermal} {options}: {a1}/{s1}/{r1} -> {a4}/{s4}/{r4}");
        assert!(r4 > r1 + 100, "{model} {thermal}: {r1} vs {r4} residuals");
        // a handful at most, from the few more consistent initialisations and Jacobians;
        // one allocation per step or residual would add hundreds
        assert!(
            a4 <= a1 + 10,
            "{model} {thermal} {options}: {a1} allocations for {s1} steps and {r1} residuals, \
             {a4} for {s4} steps and {r4} residuals"
        );
    }
}
