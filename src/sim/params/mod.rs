//! Parameter sets: PyBaMM parameter names mapped to values — scalars, published functions
//! and tabulated data — one file per set, each naming its publication.

pub mod chen2020;

use std::collections::BTreeMap;

use super::SimError;

/// Arguments every parameter function may read; each function uses what it needs.
#[derive(Clone, Copy, Debug, Default)]
pub struct FnArgs {
    /// Stoichiometry (OCPs, particle diffusivity, entropic change).
    pub sto: f64,
    /// Electrolyte concentration [mol.m-3].
    pub c_e: f64,
    /// Particle surface concentration [mol.m-3].
    pub c_s_surf: f64,
    /// Maximum particle concentration [mol.m-3].
    pub c_s_max: f64,
    /// Temperature [K].
    pub t: f64,
}

/// Which argument a table is indexed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    Sto,
    CE,
    T,
}

/// A parameter's value.
#[derive(Clone, Debug)]
pub enum Value {
    Scalar(f64),
    /// A published function, with the meaning and arguments of PyBaMM's for that parameter.
    Func(fn(&FnArgs) -> f64),
    /// Tabulated data, interpolated linearly (clamped at the ends).
    Table {
        arg: Arg,
        x: &'static [f64],
        y: &'static [f64],
    },
}

/// A parameter set.
#[derive(Clone, Debug)]
pub struct ParameterValues {
    pub name: &'static str,
    pub citation: &'static str,
    entries: BTreeMap<String, Value>,
}

fn interp(x: f64, xs: &[f64], ys: &[f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    if x <= xs[0] {
        return ys[0];
    }
    if x >= xs[xs.len() - 1] {
        return ys[ys.len() - 1];
    }
    let i = xs.partition_point(|&v| v <= x).max(1);
    let t = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
    ys[i - 1] + t * (ys[i] - ys[i - 1])
}

impl ParameterValues {
    pub fn new(
        name: &'static str,
        citation: &'static str,
        entries: Vec<(&str, Value)>,
    ) -> ParameterValues {
        ParameterValues {
            name,
            citation,
            entries: entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        }
    }

    fn get(&self, name: &str) -> Result<&Value, SimError> {
        self.entries
            .get(name)
            .ok_or_else(|| SimError::UnknownParameter {
                name: name.to_string(),
                close: self.close_matches(name),
            })
    }

    /// Names closest to `name` (for "did you mean").
    pub fn close_matches(&self, name: &str) -> Vec<String> {
        let lower = name.to_lowercase();
        let mut scored: Vec<(f64, &String)> = self
            .entries
            .keys()
            .map(|k| (strsim::normalized_levenshtein(&lower, &k.to_lowercase()), k))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored
            .into_iter()
            .take(3)
            .filter(|(s, _)| *s > 0.4)
            .map(|(_, k)| k.clone())
            .collect()
    }

    /// A scalar parameter.
    pub fn scalar(&self, name: &str) -> Result<f64, SimError> {
        match self.get(name)? {
            Value::Scalar(v) => Ok(*v),
            _ => Err(SimError::NotScalar {
                name: name.to_string(),
            }),
        }
    }

    /// Evaluates any parameter at `args`.
    pub fn eval(&self, name: &str, args: &FnArgs) -> Result<f64, SimError> {
        Ok(match self.get(name)? {
            Value::Scalar(v) => *v,
            Value::Func(f) => f(args),
            Value::Table { arg, x, y } => {
                let at = match arg {
                    Arg::Sto => args.sto,
                    Arg::CE => args.c_e,
                    Arg::T => args.t,
                };
                interp(at, x, y)
            }
        })
    }

    /// Overrides a scalar (or replaces a function by a constant); unknown names are errors.
    pub fn set_scalar(&mut self, name: &str, value: f64) -> Result<(), SimError> {
        self.get(name)?;
        if !value.is_finite() {
            return Err(SimError::BadParameterValue {
                name: name.to_string(),
                value,
            });
        }
        self.entries.insert(name.to_string(), Value::Scalar(value));
        Ok(())
    }

    /// Whether the set defines `name`.
    pub fn has(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }
}
