//! Parameter sets: PyBaMM parameter names mapped to values — scalars, published functions
//! and tabulated data — one file per set, each naming its publication.

pub mod ai2020;
pub mod bpx;
pub mod chen2020;
pub mod common;
pub mod constants;
pub mod ecker2015;
pub mod interp;
pub mod marquis2019;
pub mod mohtat2020;
pub mod nca_kim2011;
pub mod okane2022;
pub mod oregan2022;
pub mod prada2013;

/// Constructor of a parameter set.
pub type SetFn = fn() -> ParameterValues;

/// Built-in parameter sets: (name, constructor). Other sets register here.
pub const BUILTIN: &[(&str, SetFn)] = &[
    ("Chen2020", chen2020::parameter_values),
    ("Marquis2019", marquis2019::parameter_values),
    ("Ai2020", ai2020::parameter_values),
    ("Ecker2015", ecker2015::parameter_values),
    ("Mohtat2020", mohtat2020::parameter_values),
    ("NCA_Kim2011", nca_kim2011::parameter_values),
    ("OKane2022", okane2022::parameter_values),
    ("ORegan2022", oregan2022::parameter_values),
    ("Prada2013", prada2013::parameter_values),
];

/// The built-in set named `name` (case-insensitive).
pub fn builtin(name: &str) -> Option<ParameterValues> {
    BUILTIN
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
        .map(|(_, f)| f())
}

/// Names of the built-in sets.
pub fn builtin_names() -> Vec<String> {
    BUILTIN.iter().map(|(n, _)| n.to_string()).collect()
}

/// Levenshtein similarity in [0, 1] (1 = equal).
pub(crate) fn similarity(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let n = a.len().max(b.len());
    if n == 0 {
        return 1.0;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    1.0 - prev[b.len()] as f64 / n as f64
}

use std::collections::BTreeMap;
use std::sync::Arc;

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
    /// A function built at run time (from a BPX file: expressions, tables, Arrhenius factors).
    Dyn(DynFn),
}

/// A shared run-time function of the parameter arguments.
#[derive(Clone)]
pub struct DynFn(pub Arc<dyn Fn(&FnArgs) -> f64 + Send + Sync>);

impl DynFn {
    pub fn new(f: impl Fn(&FnArgs) -> f64 + Send + Sync + 'static) -> DynFn {
        DynFn(Arc::new(f))
    }
}

impl std::fmt::Debug for DynFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DynFn(..)")
    }
}

impl Value {
    /// Evaluates the value at `args`.
    pub fn eval(&self, args: &FnArgs) -> f64 {
        match self {
            Value::Scalar(v) => *v,
            Value::Func(f) => f(args),
            Value::Dyn(f) => (f.0)(args),
            Value::Table { arg, x, y } => {
                let at = match arg {
                    Arg::Sto => args.sto,
                    Arg::CE => args.c_e,
                    Arg::T => args.t,
                };
                interp(at, x, y)
            }
        }
    }
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
            .map(|k| (similarity(&lower, &k.to_lowercase()), k))
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
            Value::Dyn(f) => (f.0)(args),
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

    /// The value of a parameter (cloned).
    pub fn value(&self, name: &str) -> Result<Value, SimError> {
        self.get(name).cloned()
    }

    /// The value of a parameter, or `default` when the set does not define it.
    pub fn value_or(&self, name: &str, default: Value) -> Value {
        self.entries.get(name).cloned().unwrap_or(default)
    }

    /// All parameter names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(|k| k.as_str())
    }

    /// A scalar parameter, or `default` when the set does not define it.
    pub fn scalar_or(&self, name: &str, default: f64) -> Result<f64, SimError> {
        if self.has(name) {
            self.scalar(name)
        } else {
            Ok(default)
        }
    }

    /// Sets (or adds) a parameter without checking that it exists.
    pub fn insert(&mut self, name: &str, value: Value) {
        self.entries.insert(name.to_string(), value);
    }

    /// Whether the set defines `name`.
    pub fn has(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }
}

pub use crate::sim::fastmath::tanh;
