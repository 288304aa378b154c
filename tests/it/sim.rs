//! The solver against PyBaMM: every reference case of tests/data/reference (the shared
//! references) and tests/reference that this build's models cover, compared exactly as
//! tests/data/reference/compare.py does.

use std::path::PathBuf;
use std::process::Command;

use battbot::sim::compare::compare_csv;
use battbot::sim::{SimSpec, Simulation, SolveOptions};

/// The shared PyBaMM references, copied by scripts/sync-shared.sh.
fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference")
}

/// The project's own PyBaMM references (generated with tests/reference/generate.py).
fn own_reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/reference")
}

fn manifest(dir: &std::path::Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).expect("manifest.json");
    serde_json::from_str(&text).unwrap()
}

/// Cases that solve but miss 1 mV at the default mesh, and why. None: `dfn_oregan2022_fast_charge`
/// left when its reference went from PyBaMM's 120 shells (2.0 mV, PyBaMM's own error) to 480
/// (0.057 mV). Before that, the last one
/// (`spm_okane2022_sei_3cycles`, 3.8 mV while the step-size control ignored the current, an
/// algebraic unknown under voltage control, so a CV hold's end landed ~0.8 s early) closed
/// when the current joined the error test.
const KNOWN_GAPS: &[(&str, &str)] = &[];

/// Solves one reference case; `None` when this build does not cover its model or options.
fn check(
    dir: &std::path::Path,
    case: &serde_json::Value,
) -> Option<battbot::sim::compare::Comparison> {
    let id = case["id"].as_str().unwrap();
    let mut spec = SimSpec::from_manifest_entry(case).unwrap();
    if spec.parameter_set.ends_with(".json") {
        spec.parameter_set = dir.join(&spec.parameter_set).to_string_lossy().into();
    }
    let sim = match Simulation::build(&spec) {
        Ok(sim) => sim,
        Err(battbot::sim::SimError::UnsupportedOption { .. }) => return None,
        Err(e) => panic!("{id}: {e}"),
    };
    let sol = sim
        .solve(&SolveOptions::default())
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    let mut csv = Vec::new();
    sol.write_csv(&mut csv).unwrap();
    let reference = std::fs::read_to_string(dir.join(format!("{id}.csv"))).unwrap();
    let c = compare_csv(&reference, &String::from_utf8(csv).unwrap()).unwrap();
    eprintln!(
        "{id}: rmse {:.3} mV, end time {:.4} %, capacity {:.4} %",
        c.rmse_mv,
        100.0 * c.end_time_rel,
        100.0 * c.capacity_rel
    );
    if let Some((_, why)) = KNOWN_GAPS.iter().find(|(gap, _)| *gap == id) {
        // Solved, but not yet within 1 mV at the default mesh: see the reason.
        eprintln!("{id}: known gap: {why}");
        return Some(c);
    }
    assert!(c.rmse_mv <= 1.0, "{id}: {c:?}");
    assert!(c.end_time_rel <= 0.005, "{id}: {c:?}");
    // Mohtat2020 starts empty: its cases charge first, so capacity is not comparable.
    if !id.contains("mohtat") {
        assert!(c.capacity_rel <= 0.005, "{id}: {c:?}");
    }
    Some(c)
}

/// The sets whose particle diffusivity varies with stoichiometry, at 2C where their particles
/// are hardest (#24): the single-particle models on PyBaMM's 480 uniform shells reproduce
/// PyBaMM's 480 (measured 0.006 / 0.015 mV); the DFN, whose particles are PyBaMM's 480 uniform
/// shells over the outer third of the radius and 80 coarser ones inside (`Sphere::hybrid`),
/// lands 0.071 mV from it (the old 120 graded shells: 0.32 mV, as far as the converged
/// solution is; PyBaMM's 480 are 0.22 mV from 1920 shells). Ecker2015's DFN is held to 0.1 mV
/// (measured 0.017). The older 40 graded shells left 4.1 and 3.4 mV.
#[test]
fn oregan2022_and_ecker2015_at_2c_match_pybamm_at_480_shells() {
    let dir = own_reference_dir();
    let cases = manifest(&dir);
    for (id, tol_mv) in [
        ("spm_oregan2022_2C", 0.05),
        ("spme_oregan2022_2C", 0.05),
        ("dfn_oregan2022_2C", 0.1),
        ("spm_ecker2015_2C", 0.05),
        ("dfn_ecker2015_2C", 0.1),
    ] {
        let case = cases.iter().find(|c| c["id"] == id).expect(id);
        assert_eq!(case["reference_particle_points"], 480, "{id}");
        let c = check(&dir, case).expect(id);
        assert!(c.rmse_mv <= tol_mv, "{id}: {c:?}");
        assert!(c.end_time_rel <= 1e-3, "{id}: {c:?}");
    }
}

#[test]
fn every_covered_reference_case_matches_pybamm() {
    let mut covered = Vec::new();
    let mut not_covered = Vec::new();
    for dir in [reference_dir(), own_reference_dir()] {
        for case in manifest(&dir) {
            let id = case["id"].as_str().unwrap().to_string();
            match check(&dir, &case) {
                Some(_) => covered.push(id),
                None => not_covered.push(id),
            }
        }
    }
    eprintln!(
        "covered {}: {covered:?}\nnot covered by this build {}: {not_covered:?}",
        covered.len(),
        not_covered.len()
    );
    assert!(covered.contains(&"spm_chen2020_1C".to_string()));
    assert!(
        not_covered.is_empty(),
        "every case is covered: {not_covered:?}"
    );
}

#[test]
fn rust_comparison_equals_compare_py() {
    let python = Command::new("python3").arg("--version").output();
    if python.is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 is needed to run compare.py"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let spec: SimSpec = serde_json::from_value(serde_json::json!({
        "model": "SPM", "parameter_set": "Chen2020", "experiment": ["Discharge at 1C until 2.5 V"],
        "parameters": {"Negative particle radius [m]": 6e-6}
    }))
    .unwrap();
    let sol = Simulation::build(&spec)
        .unwrap()
        .solve(&SolveOptions::default())
        .unwrap();
    let out = dir.path().join("o.csv");
    sol.write_csv(std::fs::File::create(&out).unwrap()).unwrap();
    let reference = reference_dir().join("spm_chen2020_1C.csv");
    let py = Command::new("python3")
        .arg(reference_dir().join("compare.py"))
        .arg(&reference)
        .arg(&out)
        .output()
        .unwrap();
    let line = String::from_utf8_lossy(&py.stdout).to_string();
    let field = |k: &str| -> f64 {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{k}=")))
            .unwrap()
            .parse()
            .unwrap()
    };
    let c = compare_csv(
        &std::fs::read_to_string(&reference).unwrap(),
        &std::fs::read_to_string(&out).unwrap(),
    )
    .unwrap();
    assert!(
        (c.rmse_mv - field("rmse_mV")).abs() < 1e-3,
        "{c:?} vs {line}"
    );
    assert!((c.p95_mv - field("p95_mV")).abs() < 1e-3, "{c:?} vs {line}");
    assert!(
        (c.end_time_rel - field("end_time_rel")).abs() < 1e-4,
        "{c:?} vs {line}"
    );
    assert!(c.rmse_mv > 1.0, "a different radius must show: {c:?}");
}

#[test]
fn errors_users_hit_are_clear() {
    let build = |v: serde_json::Value| {
        Simulation::build(&serde_json::from_value::<SimSpec>(v).unwrap())
            .err()
            .map(|e| e.to_string())
    };
    let e = build(serde_json::json!({"model": "SPN", "parameter_set": "Chen2020", "experiment": ["Rest for 1 hour"]})).unwrap();
    assert!(e.contains("SPM") && e.contains("DFN"), "{e}");
    let e = build(serde_json::json!({"model": "SPM", "parameter_set": "Chen2021", "experiment": ["Rest for 1 hour"]})).unwrap();
    assert!(e.contains("Chen2020"), "{e}");
    let e = build(serde_json::json!({"model": "SPM", "parameter_set": "Chen2020", "experiment": ["Dischrage at 1C until 2.5 V"]})).unwrap();
    assert!(e.contains("Dischrage"), "{e}");
    let e = build(serde_json::json!({"model": "SPM", "parameter_set": "Chen2020", "experiment": ["Rest for 1 hour"], "parameters": {"Electrode hieght [m]": 0.1}})).unwrap();
    assert!(e.contains("Electrode height [m]"), "did you mean: {e}");
    let spec: SimSpec = serde_json::from_value(serde_json::json!({"model": "SPM", "parameter_set": "Chen2020", "experiment": ["Charge at 1C until 4.2 V"]})).unwrap();
    let e = Simulation::build(&spec)
        .unwrap()
        .solve(&SolveOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("ends immediately"), "{e}");
}

#[test]
fn cycles_conserve_lithium_and_discharge_capacity_falls_on_charge() {
    let spec: SimSpec = serde_json::from_value(serde_json::json!({
        "model": "SPM", "parameter_set": "Chen2020", "cycles": 2,
        "experiment": ["Discharge at 1C until 2.5 V", "Rest for 30 minutes", "Charge at 0.5C until 4.2 V", "Hold at 4.2 V until 50 mA"]
    }))
    .unwrap();
    let sol = Simulation::build(&spec)
        .unwrap()
        .solve(&SolveOptions::default())
        .unwrap();
    assert_eq!(sol.cycles.len(), 2);
    for c in &sol.cycles {
        assert!(c.loss_of_lithium_inventory_percent.abs() < 1e-6, "{c:?}");
        assert!((c.discharge_capacity_ah - 4.95).abs() < 0.1, "{c:?}");
    }
    let qmax = sol.max_discharge_capacity();
    assert!(*sol.discharge_capacity_ah.last().unwrap() < 0.0 && qmax > 4.9);
    // The hold ends at 50 mA, on the voltage it holds.
    let last = *sol.current_a.last().unwrap();
    assert!((last + 0.05).abs() < 1e-5, "final current {last} A");
    assert!((sol.final_voltage() - 4.2).abs() < 1e-9);
    // Step changes are stored twice (end of one step, start of the next).
    let dups = sol.time_s.windows(2).filter(|w| w[0] == w[1]).count();
    assert_eq!(dups, 7);
}

/// `points_per_domain` trades accuracy for speed: PyBaMM's default mesh (20 points, 6
/// particle nodes) stays within 1 mV of the reference but measurably further than the
/// default mesh, and out-of-range values are refused with the range.
#[test]
fn points_per_domain_sets_the_mesh() {
    let dir = reference_dir();
    let case = manifest(&dir)
        .into_iter()
        .find(|c| c["id"] == "dfn_chen2020_1C")
        .unwrap();
    let mut spec = SimSpec::from_manifest_entry(&case).unwrap();
    let reference = std::fs::read_to_string(dir.join("dfn_chen2020_1C.csv")).unwrap();
    let rmse = |spec: &SimSpec| {
        let sol = Simulation::build(spec)
            .unwrap()
            .solve(&SolveOptions::default())
            .unwrap();
        let mut out = Vec::new();
        sol.write_csv(&mut out).unwrap();
        compare_csv(&reference, &String::from_utf8(out).unwrap())
            .unwrap()
            .rmse_mv
    };
    let default = rmse(&spec);
    spec.points_per_domain = Some(20);
    let coarse = rmse(&spec);
    assert!(
        coarse <= 1.0 && coarse > default + 0.05,
        "{coarse} vs {default}"
    );
    for bad in [2, 500] {
        spec.points_per_domain = Some(bad);
        let e = Simulation::build(&spec).expect_err("refused");
        assert!(e.to_string().contains("between 4 and 200"), "{bad}: {e}");
    }
}
