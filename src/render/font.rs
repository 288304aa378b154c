//! Registers the embedded DejaVu Sans (licence in assets/fonts/) so text renders on a
//! machine without system fonts.

use std::sync::Once;

use plotters::style::{register_font, FontStyle};

const DEJAVU_SANS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans.ttf"
));

/// The family name figures use.
pub const FAMILY: &str = "battbot-sans";

/// Registers the font once per process.
pub fn ensure() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_err() {
            panic!("the embedded DejaVu Sans font is invalid");
        }
        let _ = register_font(FAMILY, FontStyle::Bold, DEJAVU_SANS);
    });
}
