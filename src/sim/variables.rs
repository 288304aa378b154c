//! Output variables by PyBaMM's names (`"variables"` in a spec, `solve --variables`): which a
//! model offers (`Model::variables`), checking a request against them (with a did-you-mean),
//! recording them at each output point, and writing them — scalars as extra CSV columns,
//! distributed ones (through the cell in x, or along a particle radius r) as a long-format CSV.

use serde::{Deserialize, Serialize};

use super::models::Model;
use super::SimError;

/// The columns every CSV has (DESIGN §4): asking for them adds nothing.
pub const CSV_COLUMNS: &[&str] = &[
    "Time [s]",
    "Current [A]",
    "Voltage [V]",
    "Discharge capacity [A.h]",
    "X-averaged cell temperature [K]",
];

/// Where a distributed variable's values sit: `name` is `"x [m]"` (through the cell, from the
/// negative current collector) or `"r [m]"` (from a particle's centre).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Coord {
    pub name: String,
    pub values: Vec<f64>,
}

/// One variable at one state, as a model evaluates it.
#[derive(Clone, Debug, PartialEq)]
pub struct VarValue {
    pub name: &'static str,
    /// `None` for a scalar (then `values` has one entry).
    pub coord: Option<Coord>,
    pub values: Vec<f64>,
}

impl VarValue {
    pub fn scalar(name: &'static str, v: f64) -> VarValue {
        VarValue {
            name,
            coord: None,
            values: vec![v],
        }
    }

    pub fn x(name: &'static str, x: &[f64], values: Vec<f64>) -> VarValue {
        VarValue {
            name,
            coord: Some(Coord {
                name: "x [m]".into(),
                values: x.to_vec(),
            }),
            values,
        }
    }

    pub fn r(name: &'static str, r: Vec<f64>, values: Vec<f64>) -> VarValue {
        VarValue {
            name,
            coord: Some(Coord {
                name: "r [m]".into(),
                values: r,
            }),
            values,
        }
    }
}

/// A requested variable over the solution: one row of values per output time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariableSeries {
    pub name: String,
    /// `None` for a scalar.
    pub coord: Option<Coord>,
    /// `values[row]`: one value (scalar) or one per coordinate point.
    pub values: Vec<Vec<f64>>,
}

impl VariableSeries {
    pub fn is_scalar(&self) -> bool {
        self.coord.is_none()
    }
}

/// The names a model offers (besides the CSV's columns), in its order.
pub fn names(model: &dyn Model) -> Vec<&'static str> {
    model
        .variables(&model.initial_state())
        .into_iter()
        .map(|v| v.name)
        .collect()
}

/// Checks a request against the model's names: an unknown name is an error with the closest
/// names; a CSV column or a repeat is dropped. Returns the names to record.
pub fn check(requested: &[String], model: &dyn Model) -> Result<Vec<String>, SimError> {
    let offered = names(model);
    let mut out: Vec<String> = Vec::new();
    for name in requested {
        let name = name.trim();
        if CSV_COLUMNS.contains(&name) || out.iter().any(|o| o == name) {
            continue;
        }
        if !offered.contains(&name) {
            return Err(SimError::UnknownVariable {
                name: name.to_string(),
                close: closest(name, &offered),
            });
        }
        out.push(name.to_string());
    }
    Ok(out)
}

/// Up to three offered names closest to `name` (case-insensitive edit distance, or containing
/// it).
pub fn closest(name: &str, offered: &[&str]) -> Vec<String> {
    let lower = name.to_lowercase();
    let mut scored: Vec<(usize, &str)> = offered
        .iter()
        .map(|o| {
            let ol = o.to_lowercase();
            let d = if !lower.is_empty() && ol.contains(&lower) {
                0
            } else {
                strsim::levenshtein(&lower, &ol)
            };
            (d, *o)
        })
        .filter(|(d, o)| *d <= (o.len() / 3).max(3))
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(3)
        .map(|(_, o)| o.to_string())
        .collect()
}

/// Appends the requested variables at state `y` to `series` (created on the first call).
pub fn record(
    series: &mut Vec<VariableSeries>,
    requested: &[String],
    model: &dyn Model,
    y: &[f64],
) {
    if requested.is_empty() {
        return;
    }
    let values = model.variables(y);
    if series.is_empty() {
        for name in requested {
            let coord = values
                .iter()
                .find(|v| v.name == name)
                .and_then(|v| v.coord.clone());
            series.push(VariableSeries {
                name: name.clone(),
                coord,
                values: Vec::new(),
            });
        }
    }
    for s in series.iter_mut() {
        let v = values
            .iter()
            .find(|v| v.name == s.name)
            .map(|v| v.values.clone())
            .unwrap_or_default();
        s.values.push(v);
    }
}

/// The header of the scalar variables' extra CSV columns (",name" each).
pub fn scalar_header(series: &[VariableSeries]) -> String {
    series
        .iter()
        .filter(|s| s.is_scalar())
        .map(|s| format!(",{}", csv_field(&s.name)))
        .collect()
}

/// Row `k` of the scalar variables' extra CSV columns.
pub fn scalar_row(series: &[VariableSeries], k: usize, fmt: fn(f64) -> String) -> String {
    series
        .iter()
        .filter(|s| s.is_scalar())
        .map(|s| {
            let v = s.values.get(k).and_then(|r| r.first()).copied();
            format!(",{}", v.map(fmt).unwrap_or_default())
        })
        .collect()
}

/// Header of the long-format CSV of distributed variables.
pub const DISTRIBUTED_HEADER: &str = "Time [s],Variable,Coordinate,Position [m],Value";

/// Writes the distributed variables in long format: one row per time, variable and point.
pub fn write_distributed_csv<W: std::io::Write>(
    mut w: W,
    time_s: &[f64],
    series: &[VariableSeries],
    fmt: fn(f64) -> String,
) -> std::io::Result<()> {
    writeln!(w, "{DISTRIBUTED_HEADER}")?;
    for (k, t) in time_s.iter().enumerate() {
        for s in series {
            let Some(c) = &s.coord else { continue };
            let name = csv_field(&s.name);
            let axis = c.name.split(' ').next().unwrap_or("x");
            for (pos, v) in c.values.iter().zip(s.values.get(k).into_iter().flatten()) {
                writeln!(w, "{},{name},{axis},{},{}", fmt(*t), fmt(*pos), fmt(*v))?;
            }
        }
    }
    Ok(())
}

/// A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_names_rank_by_distance_and_containment() {
        let offered = [
            "Electrolyte concentration [mol.m-3]",
            "Electrolyte potential [V]",
            "X-averaged negative particle surface concentration [mol.m-3]",
        ];
        let c = closest("Electrolyte concentraton [mol.m-3]", &offered);
        assert_eq!(c[0], "Electrolyte concentration [mol.m-3]");
        let c = closest("negative particle surface", &offered);
        assert_eq!(
            c,
            vec!["X-averaged negative particle surface concentration [mol.m-3]"]
        );
        assert!(closest("zzz", &offered).is_empty());
    }

    #[test]
    fn csv_fields_with_commas_or_quotes_are_quoted() {
        assert_eq!(csv_field("a [V]"), "a [V]");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("a\"b\nc"), "\"a\"\"b\nc\"");
    }
}
