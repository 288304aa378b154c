//! Comparison of a solver CSV with a PyBaMM reference CSV — an exact port of
//! tests/data/reference/compare.py (voltage RMSE / p95 on the reference's times up to 97 % of the
//! shorter run, step-change instants left out; relative end-time and capacity differences).

use std::collections::BTreeMap;

/// The figures compare.py prints.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Comparison {
    pub rmse_mv: f64,
    pub p95_mv: f64,
    pub end_time_rel: f64,
    pub capacity_rel: f64,
}

/// Why two CSVs cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("missing column {0:?}")]
    MissingColumn(String),
    #[error("bad number {value:?} on line {line}")]
    BadNumber { line: usize, value: String },
    #[error("no rows to compare")]
    Empty,
}

type Cols = Vec<(String, Vec<f64>)>;

fn load(text: &str) -> Result<Cols, CompareError> {
    let mut lines = text.lines();
    let head: Vec<String> = lines
        .next()
        .ok_or(CompareError::Empty)?
        .split(',')
        .map(|h| h.trim().to_string())
        .collect();
    let mut cols: Vec<Vec<f64>> = vec![Vec::new(); head.len()];
    for (ln, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        for (i, x) in line.split(',').enumerate() {
            let v: f64 = x.trim().parse().map_err(|_| CompareError::BadNumber {
                line: ln + 2,
                value: x.to_string(),
            })?;
            if i < cols.len() {
                cols[i].push(v);
            }
        }
    }
    Ok(head.into_iter().zip(cols).collect())
}

fn col<'a>(cols: &'a Cols, name: &str) -> Result<&'a [f64], CompareError> {
    cols.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_slice())
        .ok_or_else(|| CompareError::MissingColumn(name.to_string()))
}

fn interp(x: f64, xs: &[f64], ys: &[f64]) -> f64 {
    let (mut lo, mut hi) = (0, xs.len() - 1);
    if x <= xs[0] {
        return ys[0];
    }
    if x >= xs[hi] {
        return ys[hi];
    }
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if xs[mid] <= x {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let t = if xs[hi] > xs[lo] {
        (x - xs[lo]) / (xs[hi] - xs[lo])
    } else {
        0.0
    };
    ys[lo] + t * (ys[hi] - ys[lo])
}

/// Compares the CSV texts `reference` and `candidate`.
pub fn compare_csv(reference: &str, candidate: &str) -> Result<Comparison, CompareError> {
    let r = load(reference)?;
    let o = load(candidate)?;
    let (tr, vr) = (col(&r, "Time [s]")?, col(&r, "Voltage [V]")?);
    let (to, vo) = (col(&o, "Time [s]")?, col(&o, "Voltage [V]")?);
    if tr.is_empty() || to.is_empty() {
        return Err(CompareError::Empty);
    }
    let tend = 0.97 * tr[tr.len() - 1].min(to[to.len() - 1]);
    let mut dup: Vec<f64> = Vec::new();
    for t in [tr, to] {
        for i in 1..t.len() {
            if (t[i] - t[i - 1]).abs() < 1e-6 {
                dup.push(t[i]);
            }
        }
    }
    let mut uniq: BTreeMap<u64, f64> = BTreeMap::new();
    for d in dup {
        uniq.insert(d.to_bits(), d);
    }
    let near = |t: f64| uniq.values().any(|d| (t - d).abs() < 1e-6);
    let errs: Vec<f64> = tr
        .iter()
        .zip(vr)
        .filter(|(t, _)| **t <= tend && !near(**t))
        .map(|(t, v)| (interp(*t, to, vo) - v).abs())
        .collect();
    if errs.is_empty() {
        return Err(CompareError::Empty);
    }
    let rmse = (errs.iter().map(|e| e * e).sum::<f64>() / errs.len() as f64).sqrt() * 1000.0;
    let mut sorted = errs.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let p95 = sorted[(0.95 * (sorted.len() - 1) as f64) as usize] * 1000.0;
    let end_rel = (to[to.len() - 1] - tr[tr.len() - 1]).abs() / tr[tr.len() - 1];
    let cap_rel = match (
        col(&r, "Discharge capacity [A.h]"),
        col(&o, "Discharge capacity [A.h]"),
    ) {
        (Ok(qr), Ok(qo)) => {
            let mr = qr.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mo = qo.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (mo - mr).abs() / mr.abs().max(1e-9)
        }
        _ => f64::NAN,
    };
    Ok(Comparison {
        rmse_mv: rmse,
        p95_mv: p95,
        end_time_rel: end_rel,
        capacity_rel: cap_rel,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(name: &str) -> Option<String> {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/reference")
            .join(name);
        std::fs::read_to_string(path).ok()
    }

    /// Figures printed by compare.py (Python floats) for pairs of reference files.
    #[test]
    fn matches_compare_py() {
        let cases = [
            (
                "spm_chen2020_1C.csv",
                "spme_chen2020_1C.csv",
                [
                    56.17158226588859,
                    57.13124000000036,
                    0.0033486147561330253,
                    0.0033486139728231596,
                ],
            ),
            (
                "dfn_chen2020_1C.csv",
                "dfn_chen2020_cycle.csv",
                [0.0, 0.0, 3.427016791372134, 0.0],
            ),
            (
                "spme_chen2020_2C_lumped.csv",
                "spm_chen2020_1C.csv",
                [
                    432.8403930090595,
                    656.8471499999999,
                    1.0657520275475527,
                    0.0328760104399532,
                ],
            ),
            (
                "dfn_marquis2019_1C.csv",
                "dfn_chen2020_1C.csv",
                [
                    232.50477787452496,
                    500.7542299999996,
                    0.017286175734560278,
                    6.219297111391759,
                ],
            ),
        ];
        for (a, b, want) in cases {
            let (Some(ra), Some(rb)) = (reference(a), reference(b)) else {
                panic!("reference files not found");
            };
            let c = compare_csv(&ra, &rb).unwrap();
            let got = [c.rmse_mv, c.p95_mv, c.end_time_rel, c.capacity_rel];
            for (g, w) in got.iter().zip(want) {
                assert!(
                    (g - w).abs() <= 1e-9 * w.abs().max(1.0),
                    "{a} vs {b}: {got:?} != {want:?}"
                );
            }
        }
    }

    #[test]
    fn missing_column_is_an_error() {
        assert!(matches!(
            compare_csv("a,b\n1,2\n", "a,b\n1,2\n"),
            Err(CompareError::MissingColumn(_))
        ));
    }
}
