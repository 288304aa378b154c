//! Drive cycles (`Run NAME (A|W|V)`): the shared US06 reference and battbot's own PyBaMM
//! references (power and voltage profiles, `until` terminations, a cycle repeated past its
//! data), the CLI reading a CSV beside the spec, and every bad drive cycle refused with a
//! clear error (exit 2) before any solving.

use std::path::{Path, PathBuf};
use std::process::Command;

use battbot::sim::compare::compare_csv;
use battbot::sim::{SimSpec, Simulation, SolveOptions};

fn data(dir: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir)
}

fn battbot() -> Command {
    Command::new(env!("CARGO_BIN_EXE_battbot"))
}

/// Solves every case of `dir/manifest.json` and compares it with its PyBaMM CSV.
fn check_manifest(dir: &Path) -> usize {
    let text = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        let spec = SimSpec::from_manifest_entry(case).unwrap();
        let sol = Simulation::build(&spec)
            .unwrap_or_else(|e| panic!("{id}: {e}"))
            .solve(&SolveOptions::default())
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        let mut csv = Vec::new();
        sol.write_csv(&mut csv).unwrap();
        let reference = std::fs::read_to_string(dir.join(format!("{id}.csv"))).unwrap();
        let c = compare_csv(&reference, &String::from_utf8(csv).unwrap()).unwrap();
        // under a voltage profile the voltage is imposed: the current is what is compared
        let i_rmse = current_rmse(&reference, &sol.time_s, &sol.current_a);
        eprintln!(
            "{id}: rmse {:.3} mV, current rmse {:.2} mA, end time {:.4} %, capacity {:.4} %, rows {} (PyBaMM {})",
            c.rmse_mv,
            1e3 * i_rmse,
            100.0 * c.end_time_rel,
            100.0 * c.capacity_rel,
            sol.time_s.len(),
            case["rows"]
        );
        assert!(c.rmse_mv <= 1.0, "{id}: {c:?}");
        assert!(c.end_time_rel <= 0.005, "{id}: {c:?}");
        assert!(c.capacity_rel <= 0.005, "{id}: {c:?}");
        assert!(i_rmse <= 0.01, "{id}: current rmse {i_rmse} A");
    }
    cases.len()
}

/// RMSE of the current at the reference's rows whose time battbot's output also has.
fn current_rmse(reference: &str, times: &[f64], currents: &[f64]) -> f64 {
    let (mut sum, mut n) = (0.0, 0);
    for line in reference.lines().skip(1) {
        let f: Vec<f64> = line.split(',').map(|x| x.trim().parse().unwrap()).collect();
        if let Some(j) = times.iter().position(|t| (t - f[0]).abs() < 1e-6) {
            sum += (currents[j] - f[1]).powi(2);
            n += 1;
        }
    }
    assert!(n > 0, "no common rows");
    (sum / n as f64).sqrt()
}

#[test]
fn us06_matches_the_shared_pybamm_reference() {
    assert_eq!(
        check_manifest(&data("tests/data/drive_cycles/reference")),
        1
    );
}

#[test]
fn own_references_match_pybamm() {
    assert!(check_manifest(&data("tests/reference/drive_cycles")) >= 4);
}

#[test]
fn output_rows_are_the_data_time_points() {
    let spec: SimSpec = serde_json::from_value(serde_json::json!({
        "model": "SPM", "parameter_set": "Chen2020",
        "experiment": ["Run ramp (A)", "Rest for 1 minute"],
        "drive_cycles": {"ramp": [[0, 0], [7, 5], [13, 5], [20, -2]]}
    }))
    .unwrap();
    let sol = Simulation::build(&spec)
        .unwrap()
        .solve(&SolveOptions::default())
        .unwrap();
    let n = sol.step_index.iter().filter(|&&s| s == 0).count();
    assert_eq!(&sol.time_s[..n], &[0.0, 7.0, 13.0, 20.0]);
    for (t, i) in sol.time_s[..n].iter().zip(&sol.current_a) {
        let want = match *t as i64 {
            0 => 0.0,
            7 | 13 => 5.0,
            _ => -2.0,
        };
        assert!((i - want).abs() < 1e-9, "I({t}) = {i}");
    }
    // capacity is the integral of the linear interpolant: 17.5 + 30 + 10.5 A s
    let q = sol.discharge_capacity_ah[n - 1] * 3600.0;
    assert!((q - 58.0).abs() < 0.02, "{q}");
}

fn solve_cli(dir: &Path, spec: serde_json::Value) -> std::process::Output {
    let path = dir.join("spec.json");
    std::fs::write(&path, spec.to_string()).unwrap();
    battbot()
        .args(["solve", "--spec"])
        .arg(&path)
        .arg("--csv")
        .arg(dir.join("out.csv"))
        .output()
        .unwrap()
}

#[test]
fn the_cli_reads_a_csv_beside_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("cycles")).unwrap();
    std::fs::write(
        dir.path().join("cycles/p.csv"),
        "# a profile\ntime [s],power [W]\n0,1\n30,10\n60,2\n",
    )
    .unwrap();
    let out = solve_cli(
        dir.path(),
        serde_json::json!({"model": "SPM", "parameter_set": "Chen2020",
            "experiment": ["Run cycles/p.csv (W)"]}),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 3, "{csv}");
}

/// Each bad drive cycle: exit 2, one `error:` line naming the problem, no solving.
#[test]
fn bad_drive_cycles_exit_2_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(serde_json::Value, &str)] = &[
        (
            serde_json::json!([[0, 1], [5, 1], [3, 1]]),
            "times must increase",
        ),
        (serde_json::json!([[1, 1], [5, 1]]), "starts at t = 0"),
        (serde_json::json!([[0, 1]]), "at least two"),
        (serde_json::json!([[0, 1], [5, 1e6]]), "largest magnitude"),
        (serde_json::json!([[0, 1], [1e7, 1]]), "lasts"),
    ];
    for (rows, want) in cases {
        let out = solve_cli(
            dir.path(),
            serde_json::json!({"model": "SPM", "parameter_set": "Chen2020",
                "experiment": ["Run bad (A)"], "drive_cycles": {"bad": rows}}),
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{rows}: {err}");
        assert!(err.contains(want), "{rows}: {err}");
    }
    let out = solve_cli(
        dir.path(),
        serde_json::json!({"model": "SPM", "parameter_set": "Chen2020",
            "experiment": ["Run nowhere (A)"]}),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown drive cycle"));
}

#[test]
fn csv_path_traversal_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["../outside.csv", "/etc/passwd.csv", "a/../../b.csv"] {
        let out = solve_cli(
            dir.path(),
            serde_json::json!({"model": "SPM", "parameter_set": "Chen2020",
                "experiment": [format!("Run {name} (A)")]}),
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains("relative path"), "{name}: {err}");
    }
}

#[test]
fn csv_with_non_numeric_rows_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.csv"), "0,1\n1,2\nrm -rf,/\n").unwrap();
    let out = solve_cli(
        dir.path(),
        serde_json::json!({"model": "SPM", "parameter_set": "Chen2020",
            "experiment": ["Run p.csv (A)"]}),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("line 3"), "{err}");
}

#[test]
fn huge_csv_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let f = std::fs::File::create(dir.path().join("big.csv")).unwrap();
    f.set_len(battbot::sim::drive_cycle::MAX_CSV_BYTES + 1)
        .unwrap();
    let out = solve_cli(
        dir.path(),
        serde_json::json!({"model": "SPM", "parameter_set": "Chen2020",
            "experiment": ["Run big.csv (A)"]}),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("bytes"), "{err}");
}

#[test]
fn csv_with_too_many_rows_is_refused() {
    let rows: String = (0..=battbot::sim::drive_cycle::MAX_ROWS)
        .map(|i| format!("{i},1\n"))
        .collect();
    let e = battbot::sim::drive_cycle::parse_csv("x.csv", &rows).unwrap_err();
    assert!(e.reason.contains("rows"), "{e}");
}

/// `for 1e30 hours` would repeat a cycle without end: refused by the limits of a comment
/// and by the simulator, in bounded time and memory.
#[test]
fn huge_for_duration_repeating_a_cycle_is_refused_quickly() {
    let t = std::time::Instant::now();
    let out = battbot()
        .args([
            "parse",
            "@battbot simulate SPM Chen2020 \"Run US06 (A) for 1e30 hours\"",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("rows; the limit is"), "{text}");
    let run = SimSpec::new("SPM", "Chen2020", &["Run US06 (A) for 1e30 hours"]);
    let e = Simulation::build(&run).unwrap_err().to_string();
    assert!(e.contains("more than 86400 rows"), "{e}");
    assert!(t.elapsed() < std::time::Duration::from_secs(5));
}
