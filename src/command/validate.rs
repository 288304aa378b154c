//! Checks a parsed command as the runner would, without solving: each run is built by the
//! simulator itself (model, thermal model, options, every step through its step parser,
//! parameter names with PyBaMM's names as "did you mean", temperatures, cycles), and each
//! parameter override is checked against the set's value. A request that would fail on the
//! runner for bad input is refused here, before anything is committed.

use super::error::{ErrorKind, ParseError};
use super::Command;
use crate::sim::{params, SimError, SimSpec, Simulation};

/// Words in a PyBaMM parameter name that make it a fraction (0 to 1).
const FRACTIONS: &[&str] = &[
    "fraction",
    "porosity",
    "stoichiometry",
    "transference number",
];

/// Checks every run of `cmd`; the first problem is the error, naming its run.
pub fn validate(cmd: &Command) -> Result<(), ParseError> {
    let runs = cmd.runs();
    for (i, run) in runs.iter().enumerate() {
        let name = if runs.len() > 1 {
            format!("run {} ({} {})", i + 1, run.model, run.parameter_set)
        } else {
            format!("the run ({} {})", run.model, run.parameter_set)
        };
        check_values(run).map_err(|e| prefixed(&name, e))?;
        Simulation::build(run).map_err(|e| prefixed(&name, from_sim_for(run, e)))?;
    }
    Ok(())
}

fn prefixed(name: &str, mut e: ParseError) -> ParseError {
    e.error = format!("{name}: {}", e.error);
    e
}

fn invalid(what: &str, error: String, hint: impl Into<String>) -> ParseError {
    ParseError::new(
        ErrorKind::Invalid {
            what: what.to_string(),
        },
        error,
        hint,
    )
}

/// Parameter overrides keep the sign of the set's value, and fractions stay within 0–1.
fn check_values(run: &SimSpec) -> Result<(), ParseError> {
    let Some(set) = params::builtin(&run.parameter_set) else {
        return Ok(()); // the build names the unknown set
    };
    for (key, &value) in &run.parameters {
        let Ok(current) = set.scalar(key) else {
            continue; // unknown names and functions: the build explains them
        };
        let lower = key.to_lowercase();
        if current > 0.0 && value <= 0.0 {
            return Err(invalid(
                key,
                format!("\"{key}\" = {value} must be positive"),
                format!(
                    "{} has {current}; a physical size, rate or amount stays above zero",
                    run.parameter_set
                ),
            ));
        }
        if FRACTIONS.iter().any(|f| lower.contains(f)) && !(0.0..=1.0).contains(&value) {
            return Err(invalid(
                key,
                format!("\"{key}\" = {value} is a fraction, between 0 and 1"),
                format!("{} has {current}", run.parameter_set),
            ));
        }
    }
    Ok(())
}

/// [`from_sim`], with a variable the run's model does not have named with the model.
fn from_sim_for(run: &SimSpec, e: SimError) -> ParseError {
    let SimError::UnknownVariable { name, close } = e else {
        return from_sim(e);
    };
    let models: Vec<&str> = crate::sim::model_names()
        .iter()
        .copied()
        .filter(|m| {
            let mut s = run.clone();
            s.model = m.to_string();
            s.variables = vec![name.clone()];
            Simulation::build(&s).is_ok()
        })
        .collect();
    let elsewhere = match models.as_slice() {
        [] => String::new(),
        [one] => format!("the {one} has it; "),
        m => format!("the {} have it; ", m.join(" and ")),
    };
    let close = match close.first() {
        Some(c) => format!("the {}'s closest is \"{c}\"; ", run.model),
        None => String::new(),
    };
    ParseError::new(
        ErrorKind::UnknownVariable {
            name: name.clone(),
            suggestion: None,
        },
        format!("the {} has no variable \"{name}\"", run.model),
        format!(
            "{elsewhere}{close}`battbot variables --model {}` lists the {}'s variables",
            run.model, run.model
        ),
    )
}

/// The simulator's refusal as a reply: the message, and a hint that says what to change.
fn from_sim(e: SimError) -> ParseError {
    let error = e.to_string();
    match e {
        SimError::UnknownParameter { name, close } => {
            let hint = match close.first() {
                Some(c) => format!(
                    "did you mean \"{c}\"? Parameter names are PyBaMM's, spelled exactly (units in brackets)"
                ),
                None => "parameter names are PyBaMM's, spelled exactly with their units in brackets, e.g. \"Electrode height [m]\"".to_string(),
            };
            ParseError::new(
                ErrorKind::UnknownParameter {
                    name,
                    suggestion: close.first().cloned(),
                },
                error,
                hint,
            )
        }
        SimError::Experiment(x) => invalid(
            "experiment",
            error,
            format!("check the step \"{}\": {}", x.step, x.hint),
        ),
        SimError::UnsupportedOption { name, .. } => invalid(
            &name,
            error,
            "see \"@battbot help\" for the options each set supports",
        ),
        SimError::BadParameterValue { name, .. } => invalid(
            &name,
            error,
            "give a finite value in the parameter's own unit",
        ),
        _ => invalid(
            "spec",
            error,
            "see \"@battbot help\" for what a run may hold",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn run(params: &[(&str, f64)]) -> SimSpec {
        SimSpec {
            model: "DFN".into(),
            parameter_set: "Chen2020".into(),
            experiment: vec!["Discharge at 1C until 2.5 V".into()],
            thermal: None,
            ambient_temperature_c: None,
            parameters: params.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            cycles: None,
            options: BTreeMap::new(),
            points_per_domain: None,
            variables: Vec::new(),
            drive_cycles: Default::default(),
        }
    }

    fn check(r: SimSpec) -> Result<(), ParseError> {
        validate(&Command::Simulate { runs: vec![r] })
    }

    #[test]
    fn misspelt_parameter_names_get_pybamms_name() {
        let e = check(run(&[("Negative particle radus [m]", 1e-6)])).unwrap_err();
        assert!(
            e.error.contains("Negative particle radus [m]"),
            "{}",
            e.error
        );
        assert!(
            e.hint
                .contains("did you mean \"Negative particle radius [m]\"?"),
            "{}",
            e.hint
        );
        assert!(check(run(&[("Negative particle radius [m]", 1e-6)])).is_ok());
    }

    #[test]
    fn values_keep_their_range() {
        let e = check(run(&[("Electrode height [m]", -0.1)])).unwrap_err();
        assert!(e.error.contains("must be positive"), "{}", e.error);
        let e = check(run(&[("Negative electrode porosity", 1.5)])).unwrap_err();
        assert!(e.error.contains("between 0 and 1"), "{}", e.error);
    }

    #[test]
    fn the_simulator_decides_thermal_options_and_steps() {
        let mut r = run(&[]);
        r.parameter_set = "Prada2013".into();
        r.thermal = Some("lumped".into());
        assert!(check(r).unwrap_err().error.contains("thermal"));
        let mut r = run(&[]);
        r.options.insert("SEI".into(), "magic".into());
        assert!(check(r).is_err());
        let mut r = run(&[]);
        r.experiment = vec!["Discharge at 1C until 2.5 Ohm".into()];
        assert!(check(r).is_err());
    }
}
