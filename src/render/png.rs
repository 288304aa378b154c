//! The multi-panel figure: voltage against time and against discharged capacity, current,
//! and temperature or capacity per cycle when the runs have them; PNG-encoded.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{colour, scaled, BACKGROUND, GRID, INK, MUTED, STEP_LINE};
use super::{font, Figure, Limits, RenderError};

/// Size of the PNG.
#[derive(Clone, Copy, Debug)]
pub struct PngOptions {
    pub width: u32,
    pub height: u32,
}

impl Default for PngOptions {
    fn default() -> Self {
        PngOptions {
            width: 1200,
            height: 800,
        }
    }
}

/// What one panel plots.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Panel {
    VoltageTime,
    VoltageCapacity,
    CurrentTime,
    TemperatureTime,
    CapacityCycle,
    PowerTime,
}

/// The panels a figure gets, in reading order.
pub fn panels_for(fig: &Figure) -> Vec<Panel> {
    let mut p = vec![Panel::VoltageTime, Panel::VoltageCapacity];
    if fig.has_cycles() {
        p.push(Panel::CapacityCycle);
    }
    p.push(Panel::CurrentTime);
    if fig.has_temperature() {
        p.push(Panel::TemperatureTime);
    }
    if p.len() < 4 {
        p.push(Panel::PowerTime);
    }
    p.truncate(4);
    p
}

pub(crate) fn draw_err<E: std::fmt::Debug>(e: E) -> RenderError {
    RenderError::Draw(format!("{e:?}"))
}

/// The x/y values of a panel for run `i`, up to time `upto` (seconds).
fn series(fig: &Figure, panel: Panel, i: usize, upto: f64) -> Vec<(f64, f64)> {
    let r = &fig.runs[i];
    let take = r.time_s.iter().take_while(|&&t| t <= upto).count();
    let t_h = |k: usize| r.time_s[k] / 3600.0;
    match panel {
        Panel::VoltageTime => (0..take).map(|k| (t_h(k), r.voltage_v[k])).collect(),
        Panel::VoltageCapacity => (0..take)
            .map(|k| (r.capacity_ah[k], r.voltage_v[k]))
            .collect(),
        Panel::CurrentTime => (0..take).map(|k| (t_h(k), r.current_a[k])).collect(),
        Panel::PowerTime => (0..take)
            .map(|k| (t_h(k), r.current_a[k] * r.voltage_v[k]))
            .collect(),
        Panel::TemperatureTime => match &r.temperature_k {
            Some(t) => (0..take).map(|k| (t_h(k), t[k] - 273.15)).collect(),
            None => Vec::new(),
        },
        Panel::CapacityCycle => match &r.cycle_capacity_ah {
            Some(c) => {
                // Cycles complete in proportion to elapsed time.
                let frac = if r.time_s.is_empty() {
                    1.0
                } else {
                    (upto / r.time_s[r.time_s.len() - 1]).min(1.0)
                };
                let n = ((c.len() as f64 * frac).ceil() as usize).min(c.len());
                c.iter()
                    .take(n)
                    .enumerate()
                    .map(|(k, q)| ((k + 1) as f64, *q))
                    .collect()
            }
            None => Vec::new(),
        },
    }
}

fn labels(panel: Panel) -> (&'static str, &'static str) {
    match panel {
        Panel::VoltageTime => ("Time [h]", "Voltage [V]"),
        Panel::VoltageCapacity => ("Discharged capacity [A.h]", "Voltage [V]"),
        Panel::CurrentTime => ("Time [h]", "Current [A]"),
        Panel::PowerTime => ("Time [h]", "Power [W]"),
        Panel::TemperatureTime => ("Time [h]", "Cell temperature [°C]"),
        Panel::CapacityCycle => ("Cycle", "Discharge capacity [A.h]"),
    }
}

fn padded(lo: f64, hi: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    let pad = if span.abs() < 1e-9 {
        lo.abs().max(1.0) * 0.05
    } else {
        span * 0.05
    };
    (lo - pad, hi + pad)
}

/// Axis ranges from all the data, so animation frames keep still axes.
fn ranges(fig: &Figure, panel: Panel) -> ((f64, f64), (f64, f64)) {
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for i in 0..fig.runs.len() {
        for (x, y) in series(fig, panel, i, f64::INFINITY) {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
    }
    let xr = match panel {
        Panel::CapacityCycle => (0.5, x1.max(1.0) + 0.5),
        _ => (x0.min(0.0), padded(x0, x1).1),
    };
    (xr, padded(y0, y1))
}

/// Draws the panels of `fig` into `area`, with curves up to `upto` seconds.
pub(crate) fn draw_panels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fig: &Figure,
    panels: &[Panel],
    upto: f64,
    height: u32,
) -> Result<(), RenderError> {
    let cols = if panels.len() <= 2 {
        panels.len().max(1)
    } else {
        2
    };
    let rows = panels.len().div_ceil(cols);
    let cells = area.split_evenly((rows, cols));
    let label_font = (font::FAMILY, scaled(height, 15.0)).into_font().color(&INK);
    let tick_font = (font::FAMILY, scaled(height, 13.0))
        .into_font()
        .color(&MUTED);
    for (cell, &panel) in cells.iter().zip(panels) {
        let ((x0, x1), (y0, y1)) = ranges(fig, panel);
        let (xd, yd) = labels(panel);
        let mut chart = ChartBuilder::on(cell)
            .margin(scaled(height, 12.0) as i32)
            .x_label_area_size(scaled(height, 42.0) as i32)
            .y_label_area_size(scaled(height, 62.0) as i32)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_desc(xd)
            .y_desc(yd)
            .axis_desc_style(label_font.clone())
            .label_style(tick_font.clone())
            .bold_line_style(GRID)
            .light_line_style(BACKGROUND)
            .axis_style(MUTED)
            .x_labels(6)
            .y_labels(6)
            .draw()
            .map_err(draw_err)?;
        // Step changes of the first run, faintly, on time axes.
        if matches!(
            panel,
            Panel::VoltageTime | Panel::CurrentTime | Panel::TemperatureTime | Panel::PowerTime
        ) {
            let starts = &fig.runs[0].step_starts_s;
            if starts.len() <= 60 {
                for &s in starts.iter().filter(|&&s| s <= upto) {
                    let x = s / 3600.0;
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(x, y0), (x, y1)],
                            STEP_LINE.stroke_width(1),
                        )))
                        .map_err(draw_err)?;
                }
            }
        }
        for i in 0..fig.runs.len() {
            let pts = series(fig, panel, i, upto);
            let c = colour(i);
            let stroke = c.stroke_width((scaled(height, 2.0) as u32).clamp(1, 3));
            if panel == Panel::CapacityCycle {
                chart
                    .draw_series(LineSeries::new(pts.clone(), stroke))
                    .map_err(draw_err)?;
                chart
                    .draw_series(pts.iter().map(|&p| Circle::new(p, 3, c.filled())))
                    .map_err(draw_err)?;
                continue;
            }
            let drawn = chart
                .draw_series(LineSeries::new(pts, stroke))
                .map_err(draw_err)?;
            if panel == Panel::VoltageTime {
                let label = fig.runs[i].label.clone();
                let w = scaled(height, 22.0) as i32;
                drawn.label(label).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + w, y)], c.stroke_width(4))
                });
            }
        }
        if panel == Panel::VoltageTime {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::LowerLeft)
                .background_style(BACKGROUND.mix(0.85))
                .border_style(GRID)
                .label_font((font::FAMILY, scaled(height, 14.0)).into_font().color(&INK))
                .draw()
                .map_err(draw_err)?;
        }
    }
    Ok(())
}

/// Title above, footer below, panels between.
pub(crate) fn draw_frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    panels: &[Panel],
    upto: f64,
    clock: Option<&str>,
    (width, height): (u32, u32),
) -> Result<(), RenderError> {
    root.fill(&BACKGROUND).map_err(draw_err)?;
    let title_h = scaled(height, 52.0) as u32;
    let footer_h = scaled(height, 30.0) as u32;
    let title_font = (font::FAMILY, scaled(height, 24.0))
        .into_font()
        .style(FontStyle::Bold)
        .color(&INK);
    root.draw(&Text::new(
        fig.title.clone(),
        (scaled(height, 18.0) as i32, scaled(height, 14.0) as i32),
        title_font,
    ))
    .map_err(draw_err)?;
    if let Some(clock) = clock {
        let f = (font::FAMILY, scaled(height, 22.0)).into_font().color(&INK);
        let x = width as i32 - scaled(height, 190.0) as i32;
        root.draw(&Text::new(
            clock.to_string(),
            (x, scaled(height, 14.0) as i32),
            f,
        ))
        .map_err(draw_err)?;
    }
    let footer_font = (font::FAMILY, scaled(height, 12.0))
        .into_font()
        .color(&MUTED);
    root.draw(&Text::new(
        fig.footer.clone(),
        (
            scaled(height, 18.0) as i32,
            height as i32 - footer_h as i32 + 6,
        ),
        footer_font,
    ))
    .map_err(draw_err)?;
    let body = root.margin(title_h, footer_h, 0, 0);
    draw_panels(&body, fig, panels, upto, height)
}

/// Encodes an RGB buffer as PNG.
pub(crate) fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, RenderError> {
    let mut out = Vec::new();
    {
        let mut enc = ::png::Encoder::new(&mut out, width, height);
        enc.set_color(::png::ColorType::Rgb);
        enc.set_depth(::png::BitDepth::Eight);
        enc.set_compression(::png::Compression::Balanced);
        let mut w = enc
            .write_header()
            .map_err(|e| RenderError::Encode(e.to_string()))?;
        w.write_image_data(rgb)
            .map_err(|e| RenderError::Encode(e.to_string()))?;
    }
    Ok(out)
}

/// Renders the figure as a PNG.
pub fn render_png(fig: &Figure, opts: &PngOptions) -> Result<Vec<u8>, RenderError> {
    fig.validate()?;
    font::ensure();
    let limits = Limits::default();
    let (mut width, mut height) = (opts.width.clamp(320, 4000), opts.height.clamp(240, 4000));
    loop {
        let mut rgb = vec![0u8; (width * height * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
            draw_frame(
                &root,
                fig,
                &panels_for(fig),
                f64::INFINITY,
                None,
                (width, height),
            )?;
            root.present().map_err(draw_err)?;
        }
        let png = encode_png(&rgb, width, height)?;
        if png.len() <= limits.max_png_bytes || width <= 480 {
            return Ok(png);
        }
        width = width * 3 / 4;
        height = height * 3 / 4;
    }
}
