//! The acceptance comparison of shared/reference/compare.py, ported exactly: voltage RMSE
//! and 95th percentile on the reference's times up to 97 % of the shorter run (leaving out
//! step-change instants), and relative errors of end time and maximum discharge capacity.

/// How a candidate CSV compares with a reference.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub rmse_mv: f64,
    pub p95_mv: f64,
    pub end_time_rel: f64,
    pub capacity_rel: f64,
}

/// Columns of a CSV by header name.
fn load(text: &str) -> Result<Vec<(String, Vec<f64>)>, String> {
    let mut lines = text.lines();
    let head: Vec<String> = lines
        .next()
        .ok_or("empty CSV")?
        .split(',')
        .map(|h| h.trim().to_string())
        .collect();
    let mut cols: Vec<Vec<f64>> = vec![Vec::new(); head.len()];
    for (n, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        for (i, cell) in line.split(',').enumerate() {
            let v: f64 = cell
                .trim()
                .parse()
                .map_err(|_| format!("line {}: {cell:?} is not a number", n + 2))?;
            if let Some(c) = cols.get_mut(i) {
                c.push(v);
            }
        }
    }
    Ok(head.into_iter().zip(cols).collect())
}

fn col<'a>(cols: &'a [(String, Vec<f64>)], name: &str) -> Result<&'a [f64], String> {
    cols.iter()
        .find(|(h, _)| h.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_slice())
        .ok_or_else(|| format!("missing column {name}"))
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

/// Compares `candidate` with `reference` (both CSV texts).
pub fn compare_csv(reference: &str, candidate: &str) -> Result<Comparison, String> {
    let (r, o) = (load(reference)?, load(candidate)?);
    let (tr, vr) = (col(&r, "Time [s]")?, col(&r, "Voltage [V]")?);
    let (to, vo) = (col(&o, "Time [s]")?, col(&o, "Voltage [V]")?);
    if tr.is_empty() || to.is_empty() {
        return Err("no rows".into());
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
    let near = |t: f64| dup.iter().any(|d| (t - d).abs() < 1e-6);
    let errs: Vec<f64> = tr
        .iter()
        .zip(vr)
        .filter(|(t, _)| **t <= tend && !near(**t))
        .map(|(t, v)| (interp(*t, to, vo) - v).abs())
        .collect();
    if errs.is_empty() {
        return Err("no comparable points".into());
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
            let mr = qr.iter().copied().fold(f64::MIN, f64::max);
            let mo = qo.iter().copied().fold(f64::MIN, f64::max);
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
