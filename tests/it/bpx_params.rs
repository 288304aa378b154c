//! The shipped example BPX files load, and match PyBaMM's `create_from_bpx` (tools/dump_functions.py).

use std::path::Path;

use battbot::sim::params::bpx::{load_bpx, BpxError};

use crate::params::check_with;

/// PyBaMM finds the initial stoichiometries with an algebraic solver; ours bisects (they agree
/// to ~1e-14).
const INITIAL: [(&str, f64); 2] = [
    (
        "Initial concentration in negative electrode [mol.m-3]",
        1e-10,
    ),
    (
        "Initial concentration in positive electrode [mol.m-3]",
        1e-10,
    ),
];

fn example(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/bpx")
        .join(name)
}

#[test]
fn nmc_pouch_cell_matches_pybamm() {
    let pv = load_bpx(&example("nmc_pouch_cell_BPX.json")).expect("loads");
    check_with(&pv, "bpx_nmc_pouch_cell.json", &INITIAL);
    assert_eq!(pv.scalar("Nominal cell capacity [A.h]").unwrap(), 12.5);
    assert_eq!(pv.scalar("Lower voltage cut-off [V]").unwrap(), 2.7);
}

#[test]
fn lfp_cell_with_a_table_matches_pybamm() {
    let pv = load_bpx(&example("lfp_18650_cell_BPX.json")).expect("loads");
    check_with(&pv, "bpx_lfp_18650_cell.json", &INITIAL);
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let e = load_bpx(Path::new("/nonexistent/cell.json")).unwrap_err();
    assert!(matches!(e, BpxError::Read { .. }));
    assert!(e.to_string().contains("/nonexistent/cell.json"), "{e}");
}

#[test]
fn bpx_0_4_file_with_user_defined_hysteresis_tables_matches_pybamm() {
    let pv = load_bpx(&example("nmc_pouch_cell_BPX_user-defined_hysteresis.json")).expect("loads");
    check_with(&pv, "bpx_nmc_pouch_cell_hysteresis.json", &INITIAL);
    assert!(pv.has("Negative electrode lithiation OCP [V]"));
    assert!(pv.has("Negative electrode delithiation OCP [V]"));
}
