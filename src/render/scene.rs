//! Draws a figure into a canvas in two layers: the still parts (title, legend, axes, grid,
//! footer) with plotters, and the data (curves up to a time, step marks, a clock) on top.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::layout::{
    self, cycle_axis, layout, panels_for, ranges, segments_on, tick, Layout, Panel, SLOT_FILL,
};
use super::raster::{Canvas, Rect};
use super::style::{
    colour, dash_pattern, scale_of, scaled, AXIS, BACKGROUND, GRID, INK, MUTED, STEP_MARK, TICK,
};
use super::{font, variables, Figure, RenderError};

/// Step marks are left out when a run has more step changes than this (long cycling).
const MAX_STEP_MARKS: usize = 40;

/// One panel's plot area and the data range it maps.
#[derive(Clone, Debug)]
pub struct PanelGeom {
    pub panel: Panel,
    pub plot: Rect,
    pub x: (f64, f64),
    pub y: (f64, f64),
}

impl PanelGeom {
    fn to_pixel(&self, (x, y): (f64, f64)) -> (f32, f32) {
        let fx = (x - self.x.0) / (self.x.1 - self.x.0);
        let fy = (y - self.y.0) / (self.y.1 - self.y.0);
        (
            (self.plot.x0 as f64 + fx * (self.plot.width() - 1) as f64 + 0.5) as f32,
            (self.plot.y1 as f64 - 0.5 - fy * (self.plot.height() - 1) as f64) as f32,
        )
    }
}

/// The geometry of a drawn still layer, for drawing data onto it.
#[derive(Clone, Debug)]
pub struct Scene {
    pub width: u32,
    pub height: u32,
    pub layout: Layout,
    pub panels: Vec<PanelGeom>,
    pub line_width: f32,
}

pub(crate) fn draw_err<E: std::fmt::Debug>(e: E) -> RenderError {
    RenderError::Draw(format!("{e:?}"))
}

fn text_style(size: f64, colour: &RGBColor, pos: Pos) -> TextStyle<'static> {
    (font::FAMILY, size).into_font().color(colour).pos(pos)
}

/// One legend entry: its row, x offset and the (possibly shortened) label.
struct LegendItem {
    row: usize,
    x: i32,
    label: String,
}

/// Legend items laid out left to right, wrapping, in at most `max_rows` rows: when they do
/// not fit, a grid of equal columns with labels shortened to the column ("…").
fn legend_flow<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    size: f64,
    width: i32,
    max_rows: usize,
) -> Result<(Vec<LegendItem>, usize), RenderError> {
    let style = text_style(size, &INK, Pos::new(HPos::Left, VPos::Center));
    let swatch = (size * 1.6) as i32 + (size * 0.5) as i32;
    let gap = (size * 1.4) as i32;
    let text_width = |s: &str| -> Result<i32, RenderError> {
        Ok(root.estimate_text_size(s, &style).map_err(draw_err)?.0 as i32)
    };
    let (mut row, mut x, mut out) = (0, 0, Vec::new());
    for run in &fig.runs {
        let item = swatch + text_width(&run.label)?;
        if x > 0 && x + item > width {
            row += 1;
            x = 0;
        }
        out.push(LegendItem {
            row,
            x,
            label: run.label.clone(),
        });
        x += item + gap;
    }
    let max_rows = max_rows.max(1);
    if row < max_rows {
        return Ok((out, row + 1));
    }
    let n = fig.runs.len();
    let cols = n.div_ceil(max_rows);
    let col_w = width / cols as i32;
    let room = col_w - gap - swatch;
    let mut grid = Vec::with_capacity(n);
    for (k, run) in fig.runs.iter().enumerate() {
        let label = fit(root, &run.label, &style, room)?;
        grid.push(LegendItem {
            row: k / cols,
            x: (k % cols) as i32 * col_w,
            label,
        });
    }
    Ok((grid, n.div_ceil(cols)))
}

/// `text` in at most `max_lines` lines of at most `room` pixels, broken between words; the
/// last line shortened with "…" if the text does not fit.
fn wrap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    room: i32,
    max_lines: usize,
) -> Result<Vec<String>, RenderError> {
    let width = |s: &str| -> Result<i32, RenderError> {
        Ok(root.estimate_text_size(s, style).map_err(draw_err)?.0 as i32)
    };
    let mut lines: Vec<String> = Vec::new();
    let mut words = text.split(' ').peekable();
    while words.peek().is_some() {
        if lines.len() + 1 == max_lines.max(1) {
            let rest: Vec<&str> = words.collect();
            lines.push(fit(root, &rest.join(" "), style, room)?);
            break;
        }
        let mut line = String::new();
        while let Some(w) = words.peek() {
            let candidate = if line.is_empty() {
                w.to_string()
            } else {
                format!("{line} {w}")
            };
            if !line.is_empty() && width(&candidate)? > room {
                break;
            }
            line = candidate;
            words.next();
        }
        lines.push(line);
    }
    Ok(lines)
}

/// `text` shortened with "…" until it is at most `room` pixels wide in `style`.
fn fit<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    room: i32,
) -> Result<String, RenderError> {
    let width = |s: &str| -> Result<i32, RenderError> {
        Ok(root.estimate_text_size(s, style).map_err(draw_err)?.0 as i32)
    };
    if width(text)? <= room {
        return Ok(text.to_string());
    }
    let mut chars: Vec<char> = text.chars().collect();
    loop {
        chars.pop();
        let cut = format!("{}…", chars.iter().collect::<String>().trim_end());
        if chars.is_empty() || width(&cut)? <= room {
            return Ok(cut);
        }
    }
}

/// Draws the still layer of `fig` on a white canvas and returns where the data goes;
/// `clock` keeps the right of the title row free for an animation's clock.
pub fn draw_still(canvas: &mut Canvas, fig: &Figure, clock: bool) -> Result<Scene, RenderError> {
    font::ensure()?;
    let (width, height) = (canvas.width as u32, canvas.height as u32);
    let scale = scale_of(width, height);
    let panels = panels_for(fig);
    let root = BitMapBackend::with_buffer(&mut canvas.rgb, (width, height)).into_drawing_area();
    root.fill(&BACKGROUND).map_err(draw_err)?;
    let (legend_size, pad) = (layout::legend_size(scale), layout::pad(scale));
    // The legend gets at most a fifth of the height.
    let max_rows = (height as f64 * 0.2 / (legend_size * 1.5)) as usize;
    let (flow, rows) = legend_flow(&root, fig, legend_size, width as i32 - 2 * pad, max_rows)?;
    let lay = layout(width, height, panels.len(), rows, scale);

    let left = Pos::new(HPos::Left, VPos::Top);
    let mut room = width as i32 - 2 * lay.pad;
    if clock {
        room -= clock_width(lay.title_size) + lay.pad;
    }
    // A long title first gets a smaller face, then an ellipsis.
    let mut title_style = (font::FAMILY, lay.title_size, FontStyle::Bold)
        .into_font()
        .color(&INK)
        .pos(left);
    let full = root
        .estimate_text_size(&fig.title, &title_style)
        .map_err(draw_err)?
        .0 as i32;
    if full > room {
        let size = (lay.title_size * room as f64 / full as f64).max(lay.title_size * 0.75);
        title_style = (font::FAMILY, size, FontStyle::Bold)
            .into_font()
            .color(&INK)
            .pos(left);
    }
    let title = fit(&root, &fig.title, &title_style, room)?;
    root.draw(&Text::new(title, (lay.pad, lay.title_y), title_style))
        .map_err(draw_err)?;
    let row_h = (lay.legend_size * 1.5) as i32;
    let swatch = (lay.legend_size * 1.6) as i32;
    for (i, item) in flow.into_iter().enumerate() {
        let (row, x) = (item.row, item.x);
        let y = lay.legend_y + row as i32 * row_h + row_h / 2;
        let x = lay.pad + x;
        let thick = scaled(scale, 4.0, 2.0) as i32;
        // the run's dash pattern, as its curves have it
        let pattern = dash_pattern(i, thick as f32);
        let mut x_on = x;
        let mut k = 0;
        while x_on < x + swatch {
            let (on, off) = match pattern.len() {
                0 => (swatch, 0),
                n => (
                    pattern[k % n].max(1.0) as i32,
                    pattern[(k + 1) % n].max(1.0) as i32,
                ),
            };
            let end = (x_on + on).min(x + swatch);
            root.draw(&Rectangle::new(
                [(x_on, y - thick / 2), (end, y - thick / 2 + thick)],
                colour(i).filled(),
            ))
            .map_err(draw_err)?;
            x_on = end + off;
            k += 2;
        }
        root.draw(&Text::new(
            item.label,
            (x + swatch + (lay.legend_size * 0.5) as i32, y),
            text_style(lay.legend_size, &INK, Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(draw_err)?;
    }
    // a long command is shortened to the width ("…") rather than cut by the edge
    let footer_style = text_style(lay.footer_size, &MUTED, left);
    let footer = fit(
        &root,
        &fig.footer,
        &footer_style,
        width as i32 - 2 * lay.pad,
    )?;
    root.draw(&Text::new(
        footer,
        (lay.pad, lay.footer_y + (lay.footer_size * 0.3) as i32),
        footer_style,
    ))
    .map_err(draw_err)?;

    let (label_size, tick_size) = (scaled(scale, 18.0, 10.0), scaled(scale, 17.0, 10.0));
    let label_font = text_style(label_size, &INK, left);
    let tick_font = text_style(tick_size, &TICK, left);
    let axis = cycle_axis(fig);
    let x_area = (1.35 * (tick_size + label_size) + 5.0 * scale) as i32;
    // Variable panels are titled by the variable's name above the plot; every panel keeps
    // the same room there so the plots of a row line up.
    let caption_size = label_size * 0.9;
    let caption_font = text_style(caption_size, &INK, Pos::new(HPos::Left, VPos::Bottom));
    let mut caption_lines: usize = 0;
    for (cell, p) in lay.cells.iter().zip(&panels) {
        if let Some(c) = p.caption(fig) {
            let (w, _) = root
                .estimate_text_size(&c, &caption_font)
                .map_err(draw_err)?;
            let lines = if (w as i32) > cell.width() * 3 / 4 {
                2
            } else {
                1
            };
            caption_lines = caption_lines.max(lines);
        }
    }
    let caption_room =
        (caption_size * 1.25) as i32 * caption_lines as i32 + (caption_size * 0.2) as i32;
    let mut geoms = Vec::with_capacity(panels.len());
    for (cell, &panel) in lay.cells.iter().zip(&panels) {
        let area = root.clone().shrink(
            (cell.x0, cell.y0),
            (cell.width().max(1) as u32, cell.height().max(1) as u32),
        );
        let ((x0, x1), (y0, y1)) = ranges(fig, panel);
        let (mut xd, yd) = panel.labels(fig);
        let on_cycles = axis.is_some() && panel.is_time();
        if on_cycles {
            xd = "Cycle (time within each)".to_string();
        }
        let profile = matches!(panel, Panel::Profile(_));
        // Room for the widest tick label plus the axis title.
        let mut widest = 0;
        for v in [
            y0,
            y1,
            0.5 * (y0 + y1),
            y0 + 0.1 * (y1 - y0),
            y1 - 0.1 * (y1 - y0),
        ] {
            let (w, _) = root
                .estimate_text_size(&format!("{}0", tick(v)), &tick_font)
                .map_err(draw_err)?;
            widest = widest.max(w as i32);
        }
        let y_area = widest + (1.6 * label_size + 6.0 * scale) as i32;
        let margin_right = if profile {
            colour_bar_room(scale)
        } else {
            scaled(scale, 18.0, 4.0) as i32
        };
        let mut chart = ChartBuilder::on(&area)
            .margin_top(scaled(scale, 10.0, 3.0) as i32 + caption_room)
            .margin_right(margin_right)
            .margin_left(scaled(scale, 4.0, 1.0) as i32)
            .x_label_area_size(x_area)
            .y_label_area_size(y_area)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(draw_err)?;
        let fmt = |v: &f64| tick(*v);
        let xticks = if on_cycles {
            0
        } else if matches!(panel, Panel::CapacityCycle | Panel::Modes(_)) {
            ((x1 - x0).round() as usize).clamp(1, 8)
        } else {
            6
        };
        chart
            .configure_mesh()
            .x_desc(xd)
            .y_desc(yd)
            .axis_desc_style(label_font.clone())
            .label_style(tick_font.clone())
            .x_label_formatter(&fmt)
            .y_label_formatter(&fmt)
            .bold_line_style(GRID)
            .max_light_lines(0)
            .axis_style(AXIS)
            .x_labels(xticks)
            .y_labels(6)
            .draw()
            .map_err(draw_err)?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        if let Some(name) = panel.caption(fig) {
            let right = if profile {
                px.end
            } else {
                cell.x1 - lay.pad / 2
            };
            let lines = wrap(&root, &name, &caption_font, right - px.start, caption_lines)?;
            let line_h = (caption_size * 1.25) as i32;
            let bottom = py.start - (0.3 * caption_size) as i32;
            for (k, line) in lines.iter().enumerate() {
                let y = bottom - (lines.len() - 1 - k) as i32 * line_h;
                root.draw(&Text::new(
                    line.clone(),
                    (px.start, y),
                    caption_font.clone(),
                ))
                .map_err(draw_err)?;
            }
        }
        if profile {
            draw_colour_bar(&root, fig, (px.end, py.start, py.end), tick_size, scale)?;
        }
        if let Panel::Modes(i) = panel {
            draw_modes_key(&root, &fig.runs[i], (px.start, py.start), tick_size, scale)?;
        }
        if let (true, Some(ax)) = (on_cycles, &axis) {
            // the cycle number under the middle of each slot
            let centred = text_style(tick_size, &TICK, Pos::new(HPos::Center, VPos::Top));
            for (j, c) in ax.cycles.iter().enumerate() {
                let fx = (j as f64 + 0.5 * SLOT_FILL - x0) / (x1 - x0);
                let x = px.start + (fx * (px.end - px.start) as f64) as i32;
                let y = py.end + (0.4 * tick_size) as i32;
                root.draw(&Text::new(c.to_string(), (x, y), centred.clone()))
                    .map_err(draw_err)?;
            }
        }
        geoms.push(PanelGeom {
            panel,
            plot: Rect {
                x0: px.start,
                y0: py.start,
                x1: px.end,
                y1: py.end,
            },
            x: (x0, x1),
            y: (y0, y1),
        });
    }
    root.present().map_err(draw_err)?;
    drop(root);
    Ok(Scene {
        width,
        height,
        layout: lay,
        panels: geoms,
        line_width: scaled(scale, 2.4, 1.3) as f32,
    })
}

/// The key of a modes panel, top left inside the plot (the bands grow towards the right):
/// a swatch per band the run has, bottom band last as in the stack, and the fade line.
fn draw_modes_key<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    run: &super::RunSeries,
    (x, y): (i32, i32),
    tick_size: f64,
    scale: f64,
) -> Result<(), RenderError> {
    let size = tick_size * 0.8;
    let style = text_style(size, &INK, Pos::new(HPos::Left, VPos::Center));
    let row = (size * 1.35) as i32;
    let sw = (size * 0.9) as i32;
    let (x, mut y) = (x + scaled(scale, 8.0, 3.0) as i32, y + row / 2 + 2);
    let fade = super::modes::FADE;
    root.draw(&PathElement::new(
        vec![(x, y), (x + sw, y)],
        RGBColor(fade[0], fade[1], fade[2]).stroke_width(2),
    ))
    .map_err(draw_err)?;
    root.draw(&Text::new("capacity fade", (x + sw + 4, y), style.clone()))
        .map_err(draw_err)?;
    for b in super::modes::bands_present(run).into_iter().rev() {
        y += row;
        let [r, g, bl] = super::modes::BAND_COLOURS[b];
        root.draw(&Rectangle::new(
            [(x, y - sw / 2), (x + sw, y + sw / 2)],
            RGBColor(r, g, bl).filled(),
        ))
        .map_err(draw_err)?;
        root.draw(&Text::new(
            super::modes::BANDS[b].to_string(),
            (x + sw + 4, y),
            style.clone(),
        ))
        .map_err(draw_err)?;
    }
    Ok(())
}

/// Width kept right of a profile panel for its colour bar and labels [px].
fn colour_bar_room(scale: f64) -> i32 {
    scaled(scale, 78.0, 34.0) as i32
}

/// The time scale of a profile panel: a vertical bar from 0 (bottom) to the longest run's
/// end (top) right of the plot, the snapshot times marked, "t [h]" above it.
fn draw_colour_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    (x_plot, y_top, y_bottom): (i32, i32, i32),
    tick_size: f64,
    scale: f64,
) -> Result<(), RenderError> {
    let end = variables::end_time(fig);
    let x0 = x_plot + scaled(scale, 10.0, 4.0) as i32;
    let w = scaled(scale, 12.0, 5.0) as i32;
    let span = (y_bottom - y_top).max(1);
    for y in y_top..y_bottom {
        let f = (y_bottom - y) as f64 / span as f64;
        let [r, g, b] = variables::time_colour(f);
        root.draw(&Rectangle::new(
            [(x0, y), (x0 + w, y + 1)],
            RGBColor(r, g, b).filled(),
        ))
        .map_err(draw_err)?;
    }
    let small = tick_size * 0.85;
    let label = text_style(small, &TICK, Pos::new(HPos::Left, VPos::Center));
    // round hours (0, 0.2, 0.4 …) up to the end
    let hours = end / 3600.0;
    let raw = (hours / 4.0).max(1e-9);
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let count = (hours / step + 1e-9).floor() as usize;
    for t in (0..=count.min(10)).map(|k| k as f64 * step * 3600.0) {
        let f = if end > 0.0 { t / end } else { 0.0 };
        let y = y_bottom - (f * span as f64) as i32;
        root.draw(&PathElement::new(
            vec![(x0 + w, y), (x0 + w + 3, y)],
            TICK.stroke_width(1),
        ))
        .map_err(draw_err)?;
        root.draw(&Text::new(tick(t / 3600.0), (x0 + w + 5, y), label.clone()))
            .map_err(draw_err)?;
    }
    let title = text_style(small, &INK, Pos::new(HPos::Left, VPos::Bottom));
    root.draw(&Text::new(
        "t [h]".to_string(),
        (x0, y_top - (0.3 * small) as i32),
        title,
    ))
    .map_err(draw_err)?;
    Ok(())
}

/// Draws every run's data up to `upto` seconds; `heads` marks the moving ends.
pub fn draw_data(canvas: &mut Canvas, fig: &Figure, scene: &Scene, upto: f64, heads: bool) {
    let axis = cycle_axis(fig);
    for g in &scene.panels {
        if let (true, Some(ax)) = (g.panel.is_time(), &axis) {
            // slots of a cycle axis are parted by marks instead of the step starts
            for j in 1..ax.cycles.len() {
                let (x, _) = g.to_pixel((j as f64 - 0.5 * (1.0 - SLOT_FILL), g.y.0));
                canvas.dashed_vline(x, g.plot.y0, g.plot.y1, STEP_MARK, g.plot);
            }
        } else if g.panel.is_time() {
            for run in &fig.runs {
                if run.step_starts_s.len() > MAX_STEP_MARKS {
                    continue;
                }
                for &s in run.step_starts_s.iter().filter(|&&s| s <= upto) {
                    let (x, _) = g.to_pixel((s / 3600.0, g.y.0));
                    canvas.dashed_vline(x, g.plot.y0, g.plot.y1, STEP_MARK, g.plot);
                }
            }
        }
        if let Panel::Modes(i) = g.panel {
            draw_modes(canvas, fig, g, i, upto, scene.line_width);
            continue;
        }
        if let (Panel::Profile(_), Some(name)) = (g.panel, g.panel.variable(fig)) {
            // one line per snapshot, coloured by its time; runs apart by their dashes
            let end = variables::end_time(fig);
            for (i, run) in fig.runs.iter().enumerate() {
                let pattern = dash_pattern(i, scene.line_width);
                for (t, line) in variables::profiles(fig, run, name, upto) {
                    let f = if end > 0.0 { t / end } else { 0.0 };
                    let pts: Vec<(f32, f32)> = line.into_iter().map(|p| g.to_pixel(p)).collect();
                    let c = variables::time_colour(f);
                    canvas.dashed_polyline(&pts, c, scene.line_width, g.plot, &pattern);
                }
            }
            continue;
        }
        for (i, run) in fig.runs.iter().enumerate() {
            let lines: Vec<Vec<(f32, f32)>> = segments_on(fig, g.panel, i, upto, axis.as_ref())
                .into_iter()
                .map(|l| l.into_iter().map(|p| g.to_pixel(p)).collect())
                .collect();
            let c = colour(i);
            let rgb = [c.0, c.1, c.2];
            let pattern = dash_pattern(i, scene.line_width);
            for line in &lines {
                canvas.dashed_polyline(line, rgb, scene.line_width, g.plot, &pattern);
            }
            let pts: Vec<(f32, f32)> = lines.into_iter().flatten().collect();
            if g.panel == Panel::CapacityCycle {
                for &p in &pts {
                    canvas.dot(p, scene.line_width * 1.4, rgb, g.plot);
                }
            } else if heads && run.time_s.last().is_some_and(|&end| upto < end) {
                if let Some(&p) = pts.last() {
                    canvas.dot(p, scene.line_width * 1.8, rgb, g.plot);
                }
            }
        }
    }
}

/// Run `i`'s stacked bands up to the cycles reached at `upto`, and its fade line on top.
fn draw_modes(canvas: &mut Canvas, fig: &Figure, g: &PanelGeom, i: usize, upto: f64, lw: f32) {
    let run = &fig.runs[i];
    let n = super::modes::cycles_shown(run, upto);
    if n < 2 {
        return;
    }
    let tops = super::modes::stacked(run);
    let xs: Vec<f32> = (0..n)
        .map(|k| g.to_pixel(((k + 1) as f64, 0.0)).0)
        .collect();
    let px_y = |v: f64| g.to_pixel((1.0, v)).1;
    let mut below: Vec<f32> = vec![px_y(0.0); n];
    for (b, top) in tops.iter().enumerate() {
        let above: Vec<f32> = top.iter().take(n).map(|&v| px_y(v)).collect();
        if super::modes::bands_present(run).contains(&b) {
            super::modes::fill_between(
                canvas,
                &xs,
                &below,
                &above,
                super::modes::BAND_COLOURS[b],
                g.plot,
            );
        }
        below = above;
    }
    let fade: Vec<(f32, f32)> = super::modes::fade(run)
        .into_iter()
        .take(n)
        .enumerate()
        .map(|(k, v)| g.to_pixel(((k + 1) as f64, v)))
        .collect();
    let pattern = [lw * 3.0, lw * 2.0];
    canvas.dashed_polyline(&fade, super::modes::FADE, lw, g.plot, &pattern);
}

/// The clock box at the right of the title row (cleared, then `text`).
pub fn clock_rect(scene: &Scene) -> Rect {
    let l = &scene.layout;
    let w = clock_width(l.title_size);
    Rect {
        x0: scene.width as i32 - l.pad - w,
        y0: l.title_y,
        x1: scene.width as i32 - l.pad,
        y1: l.title_y + (l.title_size * 1.35) as i32,
    }
}

/// Width kept for the clock ("t = 10.00 h").
fn clock_width(title_size: f64) -> i32 {
    (title_size * 7.0) as i32
}

/// Writes the clock label right-aligned in the title row.
pub fn draw_clock(canvas: &mut Canvas, scene: &Scene, text: &str) -> Result<(), RenderError> {
    let r = clock_rect(scene);
    for y in r.y0.max(0)..r.y1.min(scene.height as i32) {
        let row = (y as usize * canvas.width + r.x0.max(0) as usize) * 3;
        let end = (y as usize * canvas.width + r.x1.min(scene.width as i32) as usize) * 3;
        canvas.rgb[row..end].fill(255);
    }
    let root = BitMapBackend::with_buffer(&mut canvas.rgb, (scene.width, scene.height))
        .into_drawing_area();
    root.draw(&Text::new(
        text.to_string(),
        (r.x1, r.y0),
        text_style(
            scene.layout.title_size,
            &INK,
            Pos::new(HPos::Right, VPos::Top),
        ),
    ))
    .map_err(draw_err)?;
    root.present().map_err(draw_err)?;
    Ok(())
}
