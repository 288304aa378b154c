//! Colours and sizes shared by the PNG and the GIF, so a run looks the same in both.

use plotters::style::RGBColor;

/// Okabe–Ito: distinguishable with the common colour-vision deficiencies (yellow left out:
/// it vanishes on white).
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
];

pub const BACKGROUND: RGBColor = RGBColor(255, 255, 255);
pub const INK: RGBColor = RGBColor(33, 37, 41);
pub const MUTED: RGBColor = RGBColor(108, 117, 125);
pub const GRID: RGBColor = RGBColor(233, 236, 239);
pub const AXIS: RGBColor = RGBColor(108, 117, 125);
/// Tick labels: as dark as the text, so they read at a glance.
pub const TICK: RGBColor = RGBColor(33, 37, 41);
/// Step boundaries: dashed, lighter than the axes.
pub const STEP_MARK: [u8; 3] = [196, 202, 208];

/// The colour of run `i`.
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// The dash pattern of run `i`, in line widths (on, off, …): the first run solid, the next
/// ones dashed, dotted, dash-dotted, so curves that coincide stay distinguishable.
pub fn dashes(i: usize) -> &'static [f32] {
    const PATTERNS: [&[f32]; 6] = [
        &[],
        &[5.0, 3.0],
        &[1.2, 2.4],
        &[6.0, 2.5, 1.2, 2.5],
        &[9.0, 4.0],
        &[3.0, 2.0],
    ];
    PATTERNS[i % PATTERNS.len()]
}

/// `dashes(i)` for a line `width` pixels wide.
pub fn dash_pattern(i: usize, width: f32) -> Vec<f32> {
    dashes(i).iter().map(|d| d * width).collect()
}

/// `c` blended towards white: `t` = 1 is `c`, 0 is white.
pub fn tint(c: RGBColor, t: f64) -> [u8; 3] {
    let mix = |a: u8| (a as f64 * t + 255.0 * (1.0 - t)).round() as u8;
    [mix(c.0), mix(c.1), mix(c.2)]
}

/// A size scaled to the figure (designed at 1200×800), never below `min`.
pub fn scaled(scale: f64, size: f64, min: f64) -> f64 {
    (size * scale).max(min)
}

/// The figure's scale relative to the 1200×800 design size.
pub fn scale_of(width: u32, height: u32) -> f64 {
    (width as f64 / 1200.0).min(height as f64 / 800.0)
}
