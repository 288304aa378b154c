//! The multi-panel PNG figure: still layer plus every run's full curves, PNG-encoded and
//! kept under the platform's size limit.

use super::raster::Canvas;
use super::scene::{draw_data, draw_still};
use super::{Figure, Limits, RenderError};

/// Size of the PNG.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

impl PngOptions {
    /// The default size, taller when the figure has more than two rows of panels.
    pub fn for_figure(fig: &super::Figure) -> PngOptions {
        let rows = super::layout::panels_for(fig).len().div_ceil(3);
        let d = PngOptions::default();
        PngOptions {
            height: d.height.max(300 * rows as u32 + 200),
            ..d
        }
    }
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

/// Renders the figure as PNG bytes within the default platform limits.
pub fn render_png(fig: &Figure, opts: &PngOptions) -> Result<Vec<u8>, RenderError> {
    render_png_within(fig, opts, &Limits::default())
}

/// Renders the figure as PNG bytes no larger than `limits.max_png_bytes`, shrinking the
/// image (down to 320 px wide) until it fits.
pub fn render_png_within(
    fig: &Figure,
    opts: &PngOptions,
    limits: &Limits,
) -> Result<Vec<u8>, RenderError> {
    fig.validate()?;
    let (mut width, mut height) = (
        opts.width.clamp(MIN_WIDTH, MAX_SIDE),
        opts.height.clamp(MIN_HEIGHT, MAX_SIDE),
    );
    loop {
        let mut canvas = Canvas::new(width, height);
        let scene = draw_still(&mut canvas, fig, false)?;
        draw_data(&mut canvas, fig, &scene, f64::INFINITY, false);
        let png = encode_png(&canvas.rgb, width, height)?;
        if png.len() <= limits.max_png_bytes {
            return Ok(png);
        }
        if width <= MIN_WIDTH || height <= MIN_HEIGHT {
            return Err(RenderError::TooLarge {
                bytes: png.len(),
                limit: limits.max_png_bytes,
            });
        }
        width = (width * 3 / 4).max(MIN_WIDTH);
        height = (height * 3 / 4).max(MIN_HEIGHT);
    }
}

/// The smallest and largest sizes drawn (smaller text would not read).
pub(crate) const MIN_WIDTH: u32 = 320;
pub(crate) const MIN_HEIGHT: u32 = 200;
pub(crate) const MAX_SIDE: u32 = 4000;
