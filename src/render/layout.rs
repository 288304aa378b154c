//! What a figure shows and where: the panels a figure gets, their data (cut at a time for
//! animation frames), fixed axis ranges, and the title / legend / panels / footer rectangles.

use super::raster::Rect;
use super::style::scaled;
use super::{variables, Figure};

/// What one panel plots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    VoltageTime,
    VoltageCapacity,
    CurrentTime,
    PowerTime,
    TemperatureTime,
    CapacityCycle,
    /// The figure's k-th requested variable (`variables::names`), a scalar against time.
    Variable(usize),
    /// The figure's k-th requested variable, distributed: one line per time snapshot.
    Profile(usize),
    /// Where run i's capacity went, per cycle (`modes`).
    Modes(usize),
}

impl Panel {
    /// Axis titles with units.
    pub fn labels(self, fig: &Figure) -> (String, String) {
        let (x, y) = match self {
            Panel::VoltageTime => ("Time [h]", "Voltage [V]"),
            Panel::VoltageCapacity => ("Discharge capacity [A.h]", "Voltage [V]"),
            Panel::CurrentTime => ("Time [h]", "Current [A]"),
            Panel::PowerTime => ("Time [h]", "Power [W]"),
            Panel::TemperatureTime => ("Time [h]", "Cell temperature [°C]"),
            Panel::CapacityCycle => ("Cycle", "Discharge capacity [A.h]"),
            Panel::Modes(_) => ("Cycle", "Lost since the start [A.h]"),
            Panel::Variable(_) | Panel::Profile(_) => {
                let name = self.variable(fig).unwrap_or_default();
                let x = match self {
                    Panel::Profile(_) => variables::position_label(fig, name),
                    _ => "Time [h]".to_string(),
                };
                return (x, variables::unit(name));
            }
        };
        (x.to_string(), y.to_string())
    }

    /// The name of the variable a variable panel plots.
    pub fn variable(self, fig: &Figure) -> Option<&str> {
        match self {
            Panel::Variable(k) | Panel::Profile(k) => variables::names(fig).get(k).copied(),
            _ => None,
        }
    }

    /// The title drawn above the panel: a variable's name, or whose capacity a modes panel
    /// splits.
    pub fn caption(self, fig: &Figure) -> Option<String> {
        match self {
            Panel::Modes(i) => {
                let label = fig.runs.get(i).map_or("", |r| r.label.as_str());
                Some(if fig.runs.len() > 1 {
                    format!("Where the capacity went: {label}")
                } else {
                    "Where the capacity went".to_string()
                })
            }
            _ => self.variable(fig).map(str::to_string),
        }
    }

    /// Whether the x axis is time (step boundaries are marked on those).
    pub fn is_time(self) -> bool {
        !matches!(
            self,
            Panel::VoltageCapacity | Panel::CapacityCycle | Panel::Profile(_) | Panel::Modes(_)
        )
    }
}

/// The panels a figure gets, in reading order: voltage against time and capacity, current,
/// temperature and capacity per cycle when present; power fills an odd cell.
pub fn panels_for(fig: &Figure) -> Vec<Panel> {
    let mut p = vec![
        Panel::VoltageTime,
        Panel::VoltageCapacity,
        Panel::CurrentTime,
    ];
    if fig.has_temperature() {
        p.push(Panel::TemperatureTime);
    }
    if fig.has_cycles() {
        p.push(Panel::CapacityCycle);
    }
    p.extend(
        super::modes::runs_with_modes(fig)
            .into_iter()
            .map(Panel::Modes),
    );
    for (k, name) in variables::names(fig).into_iter().enumerate() {
        p.push(if variables::is_distributed(fig, name) {
            Panel::Profile(k)
        } else {
            Panel::Variable(k)
        });
    }
    if p.len() % 2 == 1 {
        p.push(Panel::PowerTime);
    }
    p
}

/// Share of its slot a cycle's curve fills on a cycle axis (the rest is the gap).
pub const SLOT_FILL: f64 = 0.9;

/// The kept cycles of long runs side by side: slot j holds cycle `cycles[j]`, as wide as the
/// longest of the runs' curves of that cycle (`durations[j]`, s).
#[derive(Clone, Debug, PartialEq)]
pub struct CycleAxis {
    pub cycles: Vec<usize>,
    pub durations: Vec<f64>,
}

impl CycleAxis {
    /// The x of a point `t_rel` seconds into cycle `cycle`.
    pub fn x(&self, cycle: usize, t_rel: f64) -> f64 {
        let j = self.cycles.iter().position(|&c| c == cycle).unwrap_or(0);
        let d = self.durations[j];
        j as f64 + SLOT_FILL * if d > 0.0 { t_rel / d } else { 0.0 }
    }
}

/// The lines of run `r`: (first row, end row, cycle) of each, when they are cycles.
fn cycle_lines(r: &super::RunSeries) -> Vec<(usize, usize, usize)> {
    if r.segment_cycles.len() != r.breaks.len() + 1 {
        return Vec::new();
    }
    let mut starts = vec![0];
    starts.extend(&r.breaks);
    let mut ends: Vec<usize> = r.breaks.clone();
    ends.push(r.time_s.len());
    starts
        .into_iter()
        .zip(ends)
        .zip(&r.segment_cycles)
        .map(|((a, b), &c)| (a, b, c))
        .collect()
}

/// The cycle axis of a figure whose runs keep a few cycles of many, or `None`.
pub fn cycle_axis(fig: &Figure) -> Option<CycleAxis> {
    let mut slots: Vec<(usize, f64)> = Vec::new();
    for r in &fig.runs {
        for (a, b, c) in cycle_lines(r) {
            if b <= a {
                continue;
            }
            let d = r.time_s[b - 1] - r.time_s[a];
            match slots.iter_mut().find(|(sc, _)| *sc == c) {
                Some(s) => s.1 = s.1.max(d),
                None => slots.push((c, d)),
            }
        }
    }
    if slots.len() < 2 {
        return None;
    }
    slots.sort_by_key(|s| s.0);
    Some(CycleAxis {
        cycles: slots.iter().map(|s| s.0).collect(),
        durations: slots.iter().map(|s| s.1).collect(),
    })
}

/// The (x, y) values of `panel` for run `i` up to time `upto` [s], ending exactly at `upto`
/// (interpolated) so animated curves grow smoothly.
#[cfg(test)]
pub fn series(fig: &Figure, panel: Panel, i: usize, upto: f64) -> Vec<(f64, f64)> {
    series_on(fig, panel, i, upto, cycle_axis(fig).as_ref())
}

/// [`series`] given the figure's cycle axis (time panels then map time into cycle slots).
pub fn series_on(
    fig: &Figure,
    panel: Panel,
    i: usize,
    upto: f64,
    axis: Option<&CycleAxis>,
) -> Vec<(f64, f64)> {
    let r = &fig.runs[i];
    let t = &r.time_s;
    let lines = if axis.is_some() {
        cycle_lines(r)
    } else {
        Vec::new()
    };
    // the x of row k on a time panel: hours, or its place in its cycle's slot
    let tx = |k: usize| -> f64 {
        match axis {
            Some(ax) if !lines.is_empty() => {
                let s = lines.partition_point(|l| l.0 <= k).saturating_sub(1);
                let (a, _, c) = lines[s];
                ax.x(c, t[k] - t[a])
            }
            _ => t[k] / 3600.0,
        }
    };
    if panel == Panel::CapacityCycle {
        let Some(c) = &r.cycle_capacity_ah else {
            return Vec::new();
        };
        // Cycles complete in proportion to elapsed time.
        let end = t.last().copied().unwrap_or(0.0);
        let frac = if end > 0.0 {
            (upto / end).min(1.0)
        } else {
            1.0
        };
        let n = ((c.len() as f64 * frac).floor() as usize).min(c.len());
        return c
            .iter()
            .take(n)
            .enumerate()
            .map(|(k, q)| ((k + 1) as f64, *q))
            .collect();
    }
    if matches!(panel, Panel::Profile(_) | Panel::Modes(_)) {
        return Vec::new(); // see `variables::profiles`, `modes`
    }
    let var = panel.variable(fig).and_then(|n| variables::of(r, n));
    let at = |k: usize| -> Option<(f64, f64)> {
        let th = tx(k);
        Some(match panel {
            Panel::VoltageTime => (th, r.voltage_v[k]),
            Panel::VoltageCapacity => (r.capacity_ah[k], r.voltage_v[k]),
            Panel::CurrentTime => (th, r.current_a[k]),
            Panel::PowerTime => (th, r.current_a[k] * r.voltage_v[k]),
            Panel::TemperatureTime => (th, r.temperature_k.as_ref()?[k] - 273.15),
            Panel::Variable(_) => (th, *var?.values.get(k)?.first()?),
            Panel::CapacityCycle | Panel::Profile(_) | Panel::Modes(_) => return None,
        })
    };
    let take = t.partition_point(|&x| x <= upto);
    let mut out: Vec<(f64, f64)> = (0..take).filter_map(at).collect();
    if take > 0 && take < t.len() && t[take] > t[take - 1] {
        let f = (upto - t[take - 1]) / (t[take] - t[take - 1]);
        if let (Some(a), Some(b)) = (at(take - 1), at(take)) {
            out.push((a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1)));
        }
    }
    out
}

/// [`series`] cut into the lines to draw: a new one starts at each of the run's `breaks`.
#[cfg(test)]
pub fn segments(fig: &Figure, panel: Panel, i: usize, upto: f64) -> Vec<Vec<(f64, f64)>> {
    segments_on(fig, panel, i, upto, cycle_axis(fig).as_ref())
}

/// [`segments`] given the figure's cycle axis.
pub fn segments_on(
    fig: &Figure,
    panel: Panel,
    i: usize,
    upto: f64,
    axis: Option<&CycleAxis>,
) -> Vec<Vec<(f64, f64)>> {
    if let (Panel::Profile(_), Some(name)) = (panel, panel.variable(fig)) {
        return variables::profiles(fig, &fig.runs[i], name, upto)
            .into_iter()
            .map(|(_, line)| line)
            .collect();
    }
    let pts = series_on(fig, panel, i, upto, axis);
    let breaks = &fig.runs[i].breaks;
    if panel == Panel::CapacityCycle || breaks.is_empty() {
        return vec![pts];
    }
    // Up to `upto`, series gives one point per row (plus one interpolated), in row order.
    let mut out = Vec::new();
    let mut line = Vec::new();
    for (k, p) in pts.into_iter().enumerate() {
        if k > 0 && breaks.binary_search(&k).is_ok() {
            out.push(std::mem::take(&mut line));
        }
        line.push(p);
    }
    out.push(line);
    out
}

fn padded(lo: f64, hi: f64, share: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    let pad = if span.abs() < 1e-9 {
        lo.abs().max(1.0) * 0.05
    } else {
        span * share
    };
    (lo - pad, hi + pad)
}

/// Axis ranges from all the data, so animation frames keep still axes.
pub fn ranges(fig: &Figure, panel: Panel) -> ((f64, f64), (f64, f64)) {
    if let Panel::Modes(i) = panel {
        return super::modes::ranges(fig, i);
    }
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    let axis = cycle_axis(fig);
    for i in 0..fig.runs.len() {
        let pts = match panel {
            Panel::Profile(_) => segments_on(fig, panel, i, f64::INFINITY, axis.as_ref())
                .into_iter()
                .flatten()
                .collect(),
            _ => series_on(fig, panel, i, f64::INFINITY, axis.as_ref()),
        };
        for (x, y) in pts {
            if x.is_finite() && y.is_finite() {
                x0 = x0.min(x);
                x1 = x1.max(x);
                y0 = y0.min(y);
                y1 = y1.max(y);
            }
        }
    }
    let xr = match (panel, &axis) {
        (Panel::CapacityCycle, _) => (0.5, x1.max(1.0) + 0.5),
        (Panel::Profile(_), _) if x0 <= x1 => (x0.min(0.0), x1.max(x0.min(0.0) + 1e-6)),
        (p, Some(ax)) if p.is_time() => (0.0, ax.cycles.len() as f64 - (1.0 - SLOT_FILL)),
        _ if x0 > x1 => (0.0, 1.0),
        _ => {
            let (lo, hi) = padded(x0.min(0.0), x1, 0.02);
            (x0.min(0.0), hi.max(lo + 1e-6))
        }
    };
    (xr, padded(y0, y1, 0.06))
}

/// Where the parts of a figure go, in pixels.
#[derive(Clone, Debug)]
pub struct Layout {
    pub pad: i32,
    pub title_size: f64,
    pub title_y: i32,
    pub legend_size: f64,
    pub legend_y: i32,
    pub footer_size: f64,
    pub footer_y: i32,
    pub cells: Vec<Rect>,
}

/// Outer padding [px].
pub fn pad(scale: f64) -> i32 {
    scaled(scale, 16.0, 4.0) as i32
}

/// Legend text size [px].
pub fn legend_size(scale: f64) -> f64 {
    scaled(scale, 18.0, 9.0)
}

/// Lays out `panels` on a `width` × `height` figure whose legend needs `legend_rows` rows.
pub fn layout(width: u32, height: u32, panels: usize, legend_rows: usize, scale: f64) -> Layout {
    let (w, h) = (width as i32, height as i32);
    let pad = pad(scale);
    let title_size = scaled(scale, 24.0, 11.0);
    let legend_size = legend_size(scale);
    let footer_size = scaled(scale, 13.0, 8.0);
    let title_y = pad * 3 / 4;
    let legend_y = title_y + (title_size * 1.45) as i32;
    let top = legend_y + (legend_size * 1.5) as i32 * legend_rows.max(1) as i32;
    let footer_y = h - (footer_size * 1.7) as i32;
    let cols = match panels {
        0..=2 => panels.max(1),
        3 | 4 => 2,
        _ => 3,
    };
    let rows = panels.div_ceil(cols).max(1);
    let (aw, ah) = (
        (w - pad).max(cols as i32),
        (footer_y - (footer_size * 0.4) as i32 - top).max(rows as i32),
    );
    let cells = (0..panels)
        .map(|k| {
            let (r, c) = ((k / cols) as i32, (k % cols) as i32);
            let x = |c: i32| pad / 2 + aw * c / cols as i32;
            let y = |r: i32| top + ah * r / rows as i32;
            Rect {
                x0: x(c),
                y0: y(r),
                x1: x(c + 1),
                y1: y(r + 1),
            }
        })
        .collect();
    Layout {
        pad,
        title_size,
        title_y,
        legend_size,
        legend_y,
        footer_size,
        footer_y,
        cells,
    }
}

/// A tick label without trailing zeros: 1, 1.5, 0.25.
pub fn tick(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::RunSeries;

    fn fig() -> Figure {
        Figure {
            runs: vec![RunSeries {
                label: "a".into(),
                time_s: vec![0.0, 3600.0, 7200.0],
                voltage_v: vec![4.0, 3.5, 3.0],
                current_a: vec![1.0, 1.0, 1.0],
                capacity_ah: vec![0.0, 1.0, 2.0],
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn breaks_cut_the_line() {
        let mut f = fig();
        f.runs[0].breaks = vec![2];
        let segs = segments(&f, Panel::VoltageTime, 0, f64::INFINITY);
        assert_eq!(segs, vec![vec![(0.0, 4.0), (1.0, 3.5)], vec![(2.0, 3.0)]]);
        assert_eq!(
            segments(&fig(), Panel::VoltageTime, 0, f64::INFINITY).len(),
            1
        );
    }

    #[test]
    fn series_end_exactly_at_the_cut_time() {
        let s = series(&fig(), Panel::VoltageTime, 0, 5400.0);
        assert_eq!(s.len(), 3);
        assert!((s[2].0 - 1.5).abs() < 1e-12 && (s[2].1 - 3.25).abs() < 1e-12);
        assert_eq!(
            series(&fig(), Panel::VoltageCapacity, 0, f64::INFINITY).len(),
            3
        );
        assert!(series(&fig(), Panel::TemperatureTime, 0, 1e9).is_empty());
    }

    #[test]
    fn kept_cycles_sit_side_by_side_in_slots() {
        let mut f = fig();
        // two cycles kept of many: rows 0..2 are cycle 1, row 2 is cycle 50
        f.runs[0].time_s = vec![0.0, 100.0, 9000.0];
        f.runs[0].breaks = vec![2];
        f.runs[0].segment_cycles = vec![1, 50];
        let ax = cycle_axis(&f).unwrap();
        assert_eq!(ax.cycles, vec![1, 50]);
        let s = series(&f, Panel::VoltageTime, 0, f64::INFINITY);
        assert_eq!(s[0].0, 0.0);
        assert!((s[1].0 - SLOT_FILL).abs() < 1e-12);
        assert_eq!(s[2].0, 1.0);
        let ((x0, x1), _) = ranges(&f, Panel::VoltageTime);
        assert!(x0 == 0.0 && x1 > 1.0 && x1 < 2.0);
        assert!(cycle_axis(&fig()).is_none());
    }

    #[test]
    fn ticks_drop_trailing_zeros() {
        assert_eq!(tick(1.0), "1");
        assert_eq!(tick(2.50), "2.5");
        assert_eq!(tick(-0.0001), "0");
    }

    #[test]
    fn cells_tile_the_body_without_overlap() {
        let l = layout(1200, 800, 4, 1, 1.0);
        assert_eq!(l.cells.len(), 4);
        assert_eq!(l.cells[0].x1, l.cells[1].x0);
        assert_eq!(l.cells[0].y1, l.cells[2].y0);
        assert!(l.cells[3].y1 <= l.footer_y);
    }
}
