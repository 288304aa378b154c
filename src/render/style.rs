//! Colours and sizes shared by the PNG and the GIF, so a run looks the same in both.

use plotters::style::RGBColor;

/// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(240, 228, 66),  // yellow
];

pub const BACKGROUND: RGBColor = RGBColor(255, 255, 255);
pub const INK: RGBColor = RGBColor(33, 37, 41);
pub const MUTED: RGBColor = RGBColor(108, 117, 125);
pub const GRID: RGBColor = RGBColor(233, 236, 239);
pub const STEP_LINE: RGBColor = RGBColor(206, 212, 218);

pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// A font size scaled to the figure's height (designed at 800 px).
pub fn scaled(height: u32, size: f64) -> f64 {
    (size * height as f64 / 800.0).max(9.0)
}
