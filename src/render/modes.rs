//! "Where the capacity went": a run's degradation modes per cycle as stacked areas, in A.h —
//! the lithium lost to SEI, to SEI on cracks and to plating, and the capacity of the active
//! material each electrode lost — with the run's capacity fade as a dashed line over them.

use super::raster::Canvas;
use super::{Figure, RunSeries};

/// The bands, bottom to top.
pub const BANDS: [&str; 5] = [
    "Li to SEI",
    "Li to SEI on cracks",
    "Li to plating",
    "LAM negative",
    "LAM positive",
];

/// Band colours (Okabe–Ito, apart from the runs' line colours' order).
pub const BAND_COLOURS: [[u8; 3]; 5] = [
    [213, 94, 0],
    [230, 159, 0],
    [86, 180, 233],
    [0, 158, 115],
    [204, 121, 167],
];

/// The fade line's colour.
pub const FADE: [u8; 3] = [33, 37, 41];

/// The runs whose modes the figure draws (each gets a panel).
pub fn runs_with_modes(fig: &Figure) -> Vec<usize> {
    fig.runs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.cycle_modes_ah.as_ref().is_some_and(|m| m.len() > 1))
        .map(|(i, _)| i)
        .take(super::variables::MAX_VARIABLE_PANELS)
        .collect()
}

/// The bands that hold anything in run `r` (a run without cracking has no SEI on cracks).
pub fn bands_present(r: &RunSeries) -> Vec<usize> {
    let Some(m) = &r.cycle_modes_ah else {
        return Vec::new();
    };
    (0..BANDS.len())
        .filter(|&b| m.iter().any(|row| row[b].is_finite() && row[b].abs() > 0.0))
        .collect()
}

/// The stacked tops of each band per cycle: `tops[b][k]` = sum of bands ≤ b at cycle k+1.
pub fn stacked(r: &RunSeries) -> Vec<Vec<f64>> {
    let Some(m) = &r.cycle_modes_ah else {
        return Vec::new();
    };
    let mut tops = vec![Vec::with_capacity(m.len()); BANDS.len()];
    for row in m {
        let mut acc = 0.0;
        for (b, top) in tops.iter_mut().enumerate() {
            let v = row[b];
            acc += if v.is_finite() { v.max(0.0) } else { 0.0 };
            top.push(acc);
        }
    }
    tops
}

/// The capacity each cycle lost since the first [A.h] (the fade line).
pub fn fade(r: &RunSeries) -> Vec<f64> {
    match &r.cycle_capacity_ah {
        Some(c) if !c.is_empty() => c.iter().map(|q| c[0] - q).collect(),
        _ => Vec::new(),
    }
}

/// The data range of run `i`'s panel: cycles and A.h.
pub fn ranges(fig: &Figure, i: usize) -> ((f64, f64), (f64, f64)) {
    let r = &fig.runs[i];
    let n = r.cycle_modes_ah.as_ref().map_or(1, Vec::len).max(2);
    let top = stacked(r)
        .last()
        .map_or(0.0, |t| t.iter().cloned().fold(0.0, f64::max));
    let fade_max = fade(r).into_iter().fold(0.0, f64::max);
    let hi = top.max(fade_max).max(1e-9);
    ((1.0, n as f64), (0.0, hi * 1.08))
}

/// How many cycles an animation frame at time `upto` shows (cycles complete in proportion
/// to elapsed time, as in the capacity panel).
pub fn cycles_shown(r: &RunSeries, upto: f64) -> usize {
    let n = r.cycle_modes_ah.as_ref().map_or(0, Vec::len);
    let end = r.time_s.last().copied().unwrap_or(0.0);
    if !upto.is_finite() || end <= 0.0 || upto >= end {
        return n;
    }
    ((n as f64 * upto / end).floor() as usize).min(n)
}

/// Fills the area between two curves given at increasing pixel x (`lo` and `hi` share xs).
pub fn fill_between(
    canvas: &mut Canvas,
    xs: &[f32],
    lo: &[f32],
    hi: &[f32],
    colour: [u8; 3],
    clip: super::raster::Rect,
) {
    for k in 1..xs.len() {
        let (xa, xb) = (xs[k - 1], xs[k]);
        let (c0, c1) = (xa.round() as i32, xb.round() as i32);
        for x in c0.max(clip.x0)..=c1.min(clip.x1 - 1) {
            let f = if xb > xa {
                ((x as f32 - xa) / (xb - xa)).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let y_lo = lo[k - 1] + f * (lo[k] - lo[k - 1]);
            let y_hi = hi[k - 1] + f * (hi[k] - hi[k - 1]);
            // pixel y grows downwards: the top of the band is the smaller y
            let (top, bottom) = (y_hi.min(y_lo), y_hi.max(y_lo));
            let (y0, y1) = (
                (top.round() as i32).max(clip.y0),
                (bottom.round() as i32).min(clip.y1 - 1),
            );
            for y in y0..=y1 {
                canvas.set(x, y, colour);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run() -> RunSeries {
        RunSeries {
            label: "a".into(),
            time_s: vec![0.0, 1.0],
            voltage_v: vec![4.0, 3.0],
            current_a: vec![1.0, 1.0],
            capacity_ah: vec![0.0, 1.0],
            cycle_capacity_ah: Some(vec![5.0, 4.9, 4.7]),
            cycle_modes_ah: Some(vec![
                [0.0, 0.0, 0.0, 0.0, 0.0],
                [0.05, 0.0, 0.0, 0.01, 0.02],
                [0.1, 0.0, 0.0, 0.03, 0.05],
            ]),
            ..Default::default()
        }
    }

    #[test]
    fn bands_stack_and_empty_ones_are_left_out() {
        let r = run();
        let tops = stacked(&r);
        assert_eq!(tops.len(), BANDS.len());
        assert!((tops[4][2] - 0.18).abs() < 1e-12);
        assert_eq!(bands_present(&r), vec![0, 3, 4]);
        let f = fade(&r);
        assert!((f[2] - 0.3).abs() < 1e-12);
        let ((x0, x1), (_, y1)) = ranges(
            &Figure {
                runs: vec![r],
                ..Default::default()
            },
            0,
        );
        assert_eq!((x0, x1), (1.0, 3.0));
        assert!(y1 > 0.3, "the fade line fits");
    }
}
