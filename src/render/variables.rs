//! Panels of requested variables: a scalar against time like the voltage, a distributed one
//! (through the cell in x, or along a particle's radius r) as one line per time snapshot,
//! coloured by time on a sequential scale that a colour bar beside the panel explains.

use super::{Figure, RunSeries, VarSeries};

/// Variable panels one figure draws at most (a request asks for at most 4).
pub const MAX_VARIABLE_PANELS: usize = 4;
/// Snapshots of a distributed variable: evenly spaced in time from 0 to the longest run's end.
pub const SNAPSHOTS: usize = 6;

/// The names of the variables the figure plots, in the order the runs list them.
pub fn names(fig: &Figure) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for v in fig.runs.iter().flat_map(|r| &r.variables) {
        if !out.contains(&v.name.as_str()) && out.len() < MAX_VARIABLE_PANELS {
            out.push(&v.name);
        }
    }
    out
}

/// Run `r`'s series of the variable `name`, if it has it.
pub fn of<'a>(r: &'a RunSeries, name: &str) -> Option<&'a VarSeries> {
    r.variables.iter().find(|v| v.name == name)
}

/// Whether the figure's variable `name` is distributed.
pub fn is_distributed(fig: &Figure, name: &str) -> bool {
    fig.runs
        .iter()
        .filter_map(|r| of(r, name))
        .any(|v| v.positions.is_some())
}

/// The unit of a PyBaMM name (its last bracket, "[mol.m-3]"), or "value".
pub fn unit(name: &str) -> String {
    match (name.rfind('['), name.ends_with(']')) {
        (Some(i), true) => name[i..].to_string(),
        _ => "value".to_string(),
    }
}

/// The x-axis title of a distributed variable: "x [μm]" or "r [μm]".
pub fn position_label(fig: &Figure, name: &str) -> String {
    let axis = fig
        .runs
        .iter()
        .filter_map(|r| of(r, name)?.positions.as_ref())
        .map(|p| p.axis.as_str())
        .next()
        .unwrap_or("x");
    let what = if axis == "r" {
        "Particle radius"
    } else {
        "Through the cell"
    };
    format!("{what}, {axis} [μm]")
}

/// The end time of the longest run [s].
pub fn end_time(fig: &Figure) -> f64 {
    fig.runs
        .iter()
        .filter_map(|r| r.time_s.last().copied())
        .fold(0.0, f64::max)
}

/// The snapshot times [s]: 0, T/5, …, T for the longest run's end T.
pub fn snapshot_times(fig: &Figure) -> Vec<f64> {
    let end = end_time(fig);
    (0..SNAPSHOTS)
        .map(|k| end * k as f64 / (SNAPSHOTS - 1) as f64)
        .collect()
}

/// The rows of run `r` drawn as snapshots, with their times: the row nearest each snapshot
/// time the run reaches, and its last row when it ends before the longest run.
pub fn snapshot_rows(fig: &Figure, r: &RunSeries) -> Vec<(usize, f64)> {
    let Some(&end) = r.time_s.last() else {
        return Vec::new();
    };
    let mut rows: Vec<(usize, f64)> = Vec::new();
    for t in snapshot_times(fig) {
        if t > end * (1.0 + 1e-9) {
            continue;
        }
        let k = r.time_s.partition_point(|&x| x < t).min(r.time_s.len() - 1);
        let k = if k > 0 && (t - r.time_s[k - 1]) < (r.time_s[k] - t) {
            k - 1
        } else {
            k
        };
        if rows.last().is_none_or(|(last, _)| *last != k) {
            rows.push((k, r.time_s[k]));
        }
    }
    let last = r.time_s.len() - 1;
    if rows.last().is_none_or(|(k, _)| *k != last) {
        rows.push((last, end));
    }
    rows
}

/// The lines of a distributed variable for run `r` up to time `upto`: (time, points) per
/// snapshot, x in μm.
pub fn profiles(fig: &Figure, r: &RunSeries, name: &str, upto: f64) -> Vec<(f64, Vec<(f64, f64)>)> {
    let Some(v) = of(r, name) else {
        return Vec::new();
    };
    let Some(pos) = &v.positions else {
        return Vec::new();
    };
    snapshot_rows(fig, r)
        .into_iter()
        .filter(|(_, t)| *t <= upto)
        .filter_map(|(k, t)| {
            let row = v.values.get(k)?;
            let pts = pos
                .metres
                .iter()
                .zip(row)
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .map(|(x, y)| (x * 1e6, *y))
                .collect();
            Some((t, pts))
        })
        .collect()
}

/// Viridis at `f` in 0–1 (dark purple early, yellow-green late): ordered in lightness, so
/// the order of the snapshots reads in grey too.
pub fn time_colour(f: f64) -> [u8; 3] {
    const STOPS: [[f64; 3]; 6] = [
        [68.0, 1.0, 84.0],
        [65.0, 68.0, 135.0],
        [42.0, 120.0, 142.0],
        [34.0, 168.0, 132.0],
        [122.0, 209.0, 81.0],
        [200.0, 215.0, 40.0],
    ];
    let f = if f.is_finite() {
        f.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = f * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let u = x - i as f64;
    let mut c = [0u8; 3];
    for (k, out) in c.iter_mut().enumerate() {
        *out = (STOPS[i][k] + u * (STOPS[i + 1][k] - STOPS[i][k])).round() as u8;
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Positions;

    fn run(end: f64) -> RunSeries {
        let time_s: Vec<f64> = (0..=10).map(|k| end * k as f64 / 10.0).collect();
        let n = time_s.len();
        RunSeries {
            label: "a".into(),
            voltage_v: vec![4.0; n],
            current_a: vec![1.0; n],
            capacity_ah: vec![0.0; n],
            variables: vec![VarSeries {
                name: "Electrolyte concentration [mol.m-3]".into(),
                positions: Some(Positions {
                    axis: "x".into(),
                    metres: vec![0.0, 1e-5, 2e-5],
                }),
                values: time_s.iter().map(|t| vec![1000.0 + t; 3]).collect(),
            }],
            time_s,
            ..Default::default()
        }
    }

    #[test]
    fn snapshots_span_the_longest_run_and_keep_a_shorter_runs_end() {
        let fig = Figure {
            runs: vec![run(3600.0), run(1800.0)],
            ..Default::default()
        };
        assert_eq!(snapshot_times(&fig).len(), SNAPSHOTS);
        let long = snapshot_rows(&fig, &fig.runs[0]);
        assert_eq!(long.len(), SNAPSHOTS);
        assert_eq!(long.last().unwrap().1, 3600.0);
        let short = snapshot_rows(&fig, &fig.runs[1]);
        // 0, 720, 1440 s, then its own end at 1800 s
        assert_eq!(short.len(), 4);
        assert_eq!(short.last().unwrap().1, 1800.0);
        let lines = profiles(&fig, &fig.runs[0], &fig.runs[0].variables[0].name, 1000.0);
        assert_eq!(lines.len(), 2, "only the snapshots up to t = 1000 s");
        assert_eq!(lines[0].1[1], (10.0, 1000.0), "x in μm");
    }

    #[test]
    fn time_colours_darken_to_light_in_order() {
        let lum = |c: [u8; 3]| 0.3 * c[0] as f64 + 0.59 * c[1] as f64 + 0.11 * c[2] as f64;
        let cs: Vec<f64> = (0..6).map(|k| lum(time_colour(k as f64 / 5.0))).collect();
        assert!(cs.windows(2).all(|w| w[0] < w[1]), "{cs:?}");
        assert_eq!(time_colour(f64::NAN), time_colour(0.0));
    }

    #[test]
    fn units_are_the_last_bracket() {
        assert_eq!(unit("Electrolyte concentration [mol.m-3]"), "[mol.m-3]");
        assert_eq!(unit("no unit"), "value");
    }
}
