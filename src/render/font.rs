//! Registers the embedded DejaVu Sans and DejaVu Sans Bold (Debian's fonts-dejavu-core;
//! licence in assets/fonts/) so text renders on a machine without system fonts.

use std::sync::OnceLock;

use plotters::style::{register_font, FontStyle};

use super::RenderError;

const DEJAVU_SANS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans.ttf"
));
const DEJAVU_SANS_BOLD: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans-Bold.ttf"
));

/// The family name figures use.
pub const FAMILY: &str = "battbot-sans";

/// Registers the font once per process.
pub fn ensure() -> Result<(), RenderError> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok()
            && register_font(FAMILY, FontStyle::Bold, DEJAVU_SANS_BOLD).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(RenderError::Font(
            "the embedded DejaVu Sans is not a valid font".into(),
        ))
    }
}
