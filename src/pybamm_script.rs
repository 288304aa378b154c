//! A PyBaMM script that reproduces a run (`battbot pybamm-script`, a report's `reproduce.py`):
//! model and options, parameter set and overrides, experiment, mesh, solver tolerances; run
//! as `python reproduce.py OUT.csv` it writes the CSV of `battbot solve` (DESIGN §4). Every
//! piece of user text enters the script as a Python string literal (`py_str`), never as code.

use std::fmt::Write;

use crate::sim::{params, SimSpec, Simulation};

/// Shells per particle radius that stand for battbot's polynomial particles in PyBaMM.
pub const POLYNOMIAL_SHELLS: usize = 120;

/// PyBaMM's model classes by battbot's model names.
fn model_class(model: &str) -> &'static str {
    match model.trim().to_ascii_lowercase().as_str() {
        "spm" => "SPM",
        "spme" => "SPMe",
        _ => "DFN",
    }
}

/// `s` as a Python string literal: double-quoted, printable ASCII as is, everything else
/// (quotes, backslashes, line breaks, control and non-ASCII characters) as an escape, so no
/// text can end the literal or the line it is on. (Hand-written: Python's literal grammar is
/// a few lines, and neither JSON's escaping nor Rust's `{:?}` is guaranteed to be Python's.)
pub fn py_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// A finite number as a Python float literal (`{:?}` keeps every digit and an exponent Python
/// reads).
fn py_num(v: f64) -> String {
    if v.is_finite() {
        format!("{v:?}")
    } else {
        format!("float({})", py_str(&v.to_string()))
    }
}

/// The script for `spec`, built as `sim`, sampled every `period_s` seconds.
pub fn script(spec: &SimSpec, sim: &Simulation, period_s: f64) -> String {
    let mesh = sim.mesh();
    let lumped = spec
        .thermal
        .as_deref()
        .or(spec.options.get("thermal").and_then(|v| v.as_one()))
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("lumped"));
    let mut options: Vec<(String, String)> = spec
        .options
        .iter()
        .filter(|(k, _)| k.as_str() != "thermal")
        .map(|(k, v)| (k.clone(), py_option(v)))
        .collect();
    if lumped {
        options.insert(0, ("thermal".into(), py_str("lumped")));
    }
    let options = options
        .iter()
        .map(|(k, v)| format!("{}: {}", py_str(k), v))
        .collect::<Vec<_>>()
        .join(", ");
    let set = spec.parameter_set.trim();
    let parameter_values = match params::builtin(set) {
        Some(p) => format!("pybamm.ParameterValues({})", py_str(p.name)),
        None => format!("pybamm.ParameterValues.create_from_bpx({})", py_str(set)),
    };
    let mut overrides = String::new();
    if let Some(tc) = spec.ambient_temperature_c {
        let k = py_num(tc + 273.15);
        let _ = writeln!(overrides, "    \"Ambient temperature [K]\": {k},");
        let _ = writeln!(overrides, "    \"Initial temperature [K]\": {k},");
    }
    for (name, v) in &spec.parameters {
        let _ = writeln!(overrides, "    {}: {},", py_str(name), py_num(*v));
    }
    let steps = spec
        .experiment
        .iter()
        .map(|s| format!("    {},\n", py_step(spec, s.trim())))
        .collect::<String>();
    let cycles = spec.cycles.unwrap_or(1).max(1);
    let (r_n, r_p, particles) = if sim.finite_volume_particles() {
        (
            mesh.r_n,
            mesh.r_p,
            "finite volumes, as battbot's".to_string(),
        )
    } else {
        // the polynomial is within ~0.01 mV of the converged particle; PyBaMM's shells
        // leave 0.17 mV at 1C with 40 of them, and reach that at ~120
        let r = mesh.r_n.max(mesh.r_p).max(POLYNOMIAL_SHELLS);
        (
            r,
            r,
            format!(
                "battbot's {}-node polynomial, which PyBaMM lacks, as {r} finite-volume shells",
                mesh.particle_nodes
            ),
        )
    };
    let mut columns = vec![
        "Time [s]",
        "Current [A]",
        "Voltage [V]",
        "Discharge capacity [A.h]",
    ];
    if lumped {
        columns.push("X-averaged cell temperature [K]");
    }
    let mut columns: Vec<String> = columns.into_iter().map(py_str).collect();
    let (distributed, scalar): (Vec<&String>, Vec<&String>) = sim
        .variables()
        .iter()
        .partition(|v| sim.variable_is_distributed(v));
    columns.extend(scalar.into_iter().map(|v| py_str(v)));
    let distributed: Vec<String> = distributed.into_iter().map(|v| py_str(v)).collect();
    format!(
        r#"#!/usr/bin/env python3
"""Reproduces a battbot {version} run in PyBaMM: `python reproduce.py [OUT.csv]`.

Writes OUT.csv in the format of `battbot solve --csv` (one row every {period} s within each
step plus each step's last point); prints the final voltage and time. Needs PyBaMM
(`pip install pybamm`; battbot is checked against PyBaMM 26.10).
"""
import sys

import numpy as np
import pybamm

model = pybamm.lithium_ion.{model}(options={{{options}}})
parameter_values = {parameter_values}
parameter_values.update({{
{overrides}}})
cycle = (
{steps})
experiment = pybamm.Experiment([cycle] * {cycles}, period={period_str})
# battbot's mesh: cells per electrode and separator; particles: {particles}
var_pts = {{"x_n": {x_n}, "x_s": {x_s}, "x_p": {x_p}, "r_n": {r_n}, "r_p": {r_p}}}
solver = pybamm.IDAKLUSolver(rtol={rtol}, atol={atol})
sim = pybamm.Simulation(model, parameter_values=parameter_values, experiment=experiment,
                        var_pts=var_pts, solver=solver)
solution = sim.solve()

columns = [{columns}]
# distributed variables (sol[name].entries is a 2-D array, one column per time)
distributed = [{distributed}]
data = np.column_stack([solution[name].entries for name in columns])
if len(sys.argv) > 1:
    np.savetxt(sys.argv[1], data, delimiter=",", header=",".join(columns), comments="", fmt="%.9g")
print("final voltage %.6f V at t = %.3f s" % (data[-1, 2], data[-1, 0]))
"#,
        version = crate::runner::VERSION,
        period = period_s,
        period_str = py_str(&period_text(period_s)),
        model = model_class(&spec.model),
        x_n = mesh.x_n,
        x_s = mesh.x_s,
        x_p = mesh.x_p,
        rtol = py_num(sim.rtol),
        atol = py_num(sim.atol),
        columns = columns.join(", "),
        distributed = distributed.join(", "),
    )
}

/// An option's value as PyBaMM takes it: a string, or a tuple `(negative, positive)`.
fn py_option(v: &crate::sim::OptionValue) -> String {
    match v {
        crate::sim::OptionValue::One(s) => py_str(s),
        crate::sim::OptionValue::Pair([n, p]) => format!("({}, {})", py_str(n), py_str(p)),
    }
}

/// A step as PyBaMM takes it: the string itself, or for a drive cycle (`Run NAME (A)`, which
/// PyBaMM's strings no longer accept) `pybamm.step.current/power/voltage` on the 2-column
/// data, with the step's duration and terminations (explicit `<`/`>` as PyBaMM requires).
fn py_step(spec: &SimSpec, text: &str) -> String {
    use crate::sim::drive_cycle::{lookup, DriveKind};
    use crate::sim::experiment::{parse_step, Control, Termination};
    let Ok(step) = parse_step(text) else {
        return py_str(text);
    };
    let Control::Drive { name, kind } = &step.control else {
        return py_str(text);
    };
    let Ok(rows) = lookup(name, &spec.drive_cycles) else {
        return py_str(text);
    };
    let function = match kind {
        DriveKind::Current => "current",
        DriveKind::Power => "power",
        DriveKind::Voltage => "voltage",
    };
    // a plain `until 3 V` ends a discharge going down, a charge going up (battbot's rule)
    let discharge = rows.iter().map(|r| r[1]).find(|v| *v != 0.0).unwrap_or(0.0) >= 0.0;
    let below = |v: f64, unit: &str| format!("< {v} {unit}");
    let above = |v: f64, unit: &str| format!("> {v} {unit}");
    let terms: Vec<String> = step
        .terminations
        .iter()
        .map(|t| match *t {
            Termination::Voltage(v) if discharge => below(v, "V"),
            Termination::Voltage(v) => above(v, "V"),
            Termination::Current(a) => below(a, "A"),
            Termination::CRate(c) => format!("< {c}C"),
            Termination::VoltageBelow(v) => below(v, "V"),
            Termination::VoltageAbove(v) => above(v, "V"),
            Termination::CurrentBelow(a) => below(a, "A"),
            Termination::CurrentAbove(a) => above(a, "A"),
        })
        .map(|t| py_str(&t))
        .collect();
    let period = rows
        .windows(2)
        .map(|w| w[1][0] - w[0][0])
        .fold(f64::INFINITY, f64::min);
    let data = rows
        .iter()
        .map(|r| format!("[{}, {}]", py_num(r[0]), py_num(r[1])))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "pybamm.step.{function}(np.array([{data}]), duration={}, termination={}, period={})",
        step.duration_s.map(py_num).unwrap_or_else(|| "None".into()),
        if terms.is_empty() {
            "None".to_string()
        } else {
            format!("[{}]", terms.join(", "))
        },
        if period.is_finite() {
            py_num(period)
        } else {
            "None".into()
        },
    )
}

/// The experiment's period as PyBaMM reads it ("10 seconds").
fn period_text(period_s: f64) -> String {
    if period_s.fract() == 0.0 && period_s.abs() < 1e15 {
        format!("{} seconds", period_s as i64)
    } else {
        format!("{period_s} seconds")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An attack: steps, parameter names, option values and a BPX path that try to end
    /// their string literal (quotes, triple quotes, line breaks) and run code.
    #[test]
    fn user_text_that_tries_to_break_out_of_its_literal_stays_a_literal() {
        let clean = SimSpec::new("SPM", "Chen2020", &["Rest for 1 minute"]);
        let sim = Simulation::build(&clean).unwrap();
        let evil = "x\"\"\"\nimport os; os.system('id')  # \"\n";
        let mut spec = SimSpec::new("SPM", evil, &[evil, "Rest for 1 minute"]);
        spec.parameters.insert(evil.into(), 1.0);
        spec.options.insert(evil.into(), evil.into());
        let script = script(&spec, &sim, 10.0);
        assert!(
            !script
                .lines()
                .any(|l| l.trim_start().starts_with("import os")),
            "{script}"
        );
        assert!(!script.contains("os.system('id')  # \"\n"));
        let lit = py_str(evil);
        assert_eq!(lit.matches('\n').count(), 0);
        let step = py_str(evil.trim());
        assert!(
            script.contains(&format!("    {step},\n")),
            "the step as one literal"
        );
        assert!(script.contains(&format!("create_from_bpx({step})")));
        assert!(script.contains(&format!("{lit}: 1.0,")));
    }

    #[test]
    fn python_string_literals_escape_quotes_breaks_and_non_ascii() {
        assert_eq!(py_str("Rest for 1 hour"), "\"Rest for 1 hour\"");
        assert_eq!(py_str("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(py_str("x\ny\r\u{0}"), "\"x\\x0ay\\x0d\\x00\"");
        assert_eq!(py_str("\"\"\"'''"), "\"\\\"\\\"\\\"'''\"");
        assert_eq!(py_str("é\u{2028}😀"), "\"\\xe9\\u2028\\U0001f600\"");
    }
}
