//! The animated GIF (BattBot style): curves grow frame by frame under a clock label, the
//! last frame holds; a fixed palette from the figure's colours keeps lines crisp, frames
//! store only the changed rectangle, and platform limits are enforced by shrinking.

use plotters::prelude::*;

use super::png::{draw_err, draw_frame, Panel};
use super::style::{colour, BACKGROUND, GRID, INK, MUTED, PALETTE, STEP_LINE};
use super::{font, Figure, Limits, RenderError};

/// Size and pace of the animation.
#[derive(Clone, Copy, Debug)]
pub struct GifOptions {
    pub width: u32,
    pub height: u32,
    /// Frames of growth (the held last frame included).
    pub frames: u32,
    /// Delay between frames in hundredths of a second.
    pub frame_delay_cs: u16,
    /// How long the last frame holds, in hundredths of a second.
    pub hold_cs: u16,
}

impl Default for GifOptions {
    fn default() -> Self {
        GifOptions {
            width: 960,
            height: 540,
            frames: 60,
            frame_delay_cs: 8,
            hold_cs: 300,
        }
    }
}

/// The encoded GIF and what was reduced to fit the limits.
#[derive(Clone, Debug)]
pub struct GifOutput {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub frames: u32,
    pub adjustments: Vec<String>,
}

/// A palette of the figure's colours and their blends with white (antialiasing), plus greys.
struct Quantizer {
    palette: Vec<[u8; 3]>,
    /// 5 bits per channel → palette index.
    lut: Vec<u8>,
}

impl Quantizer {
    fn new(series: usize) -> Quantizer {
        let mut palette: Vec<[u8; 3]> = Vec::new();
        let mut add = |c: [u8; 3]| {
            if !palette.contains(&c) {
                palette.push(c);
            }
        };
        for c in [BACKGROUND, INK, MUTED, GRID, STEP_LINE] {
            add([c.0, c.1, c.2]);
        }
        for g in 0..24 {
            let v = (g * 255 / 23) as u8;
            add([v, v, v]);
        }
        for i in 0..series.min(PALETTE.len()) {
            let c = colour(i);
            for k in 0..14 {
                let t = k as f64 / 13.0;
                let mix = |a: u8| (a as f64 * t + 255.0 * (1.0 - t)).round() as u8;
                add([mix(c.0), mix(c.1), mix(c.2)]);
            }
        }
        let mut lut = vec![0u8; 32 * 32 * 32];
        for (idx, slot) in lut.iter_mut().enumerate() {
            let (r, g, b) = (
                ((idx >> 10) & 31) * 8 + 4,
                ((idx >> 5) & 31) * 8 + 4,
                (idx & 31) * 8 + 4,
            );
            let mut best = (u32::MAX, 0usize);
            for (j, p) in palette.iter().enumerate() {
                let d = (r as i32 - p[0] as i32).pow(2)
                    + (g as i32 - p[1] as i32).pow(2)
                    + (b as i32 - p[2] as i32).pow(2);
                if (d as u32) < best.0 {
                    best = (d as u32, j);
                }
            }
            *slot = best.1 as u8;
        }
        Quantizer { palette, lut }
    }

    fn index(&self, rgb: &[u8]) -> Vec<u8> {
        rgb.chunks_exact(3)
            .map(|p| {
                self.lut[((p[0] as usize >> 3) << 10)
                    | ((p[1] as usize >> 3) << 5)
                    | (p[2] as usize >> 3)]
            })
            .collect()
    }

    fn flat_palette(&self) -> Vec<u8> {
        self.palette.iter().flatten().copied().collect()
    }
}

fn clock_label(t: f64) -> String {
    if t >= 3600.0 {
        format!("t = {:.2} h", t / 3600.0)
    } else {
        format!("t = {:.1} min", t / 60.0)
    }
}

/// Smallest rectangle where two frames differ: (left, top, width, height).
fn changed_rect(a: &[u8], b: &[u8], w: usize, h: usize) -> Option<(usize, usize, usize, usize)> {
    let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
    for y in 0..h {
        let row = y * w;
        if a[row..row + w] == b[row..row + w] {
            continue;
        }
        y0 = y0.min(y);
        y1 = y1.max(y);
        for x in 0..w {
            if a[row + x] != b[row + x] {
                x0 = x0.min(x);
                x1 = x1.max(x);
            }
        }
    }
    (x1 >= x0 && y1 >= y0).then(|| (x0, y0, x1 - x0 + 1, y1 - y0 + 1))
}

fn encode(
    fig: &Figure,
    width: u32,
    height: u32,
    frames: u32,
    opts: &GifOptions,
) -> Result<Vec<u8>, RenderError> {
    let panels = [Panel::VoltageTime, Panel::VoltageCapacity];
    let t_end = fig
        .runs
        .iter()
        .filter_map(|r| r.time_s.last().copied())
        .fold(0.0, f64::max);
    let q = Quantizer::new(fig.runs.len());
    let (w, h) = (width as usize, height as usize);
    let mut out = Vec::new();
    {
        let mut enc = ::gif::Encoder::new(&mut out, width as u16, height as u16, &q.flat_palette())
            .map_err(|e| RenderError::Encode(e.to_string()))?;
        enc.set_repeat(::gif::Repeat::Infinite)
            .map_err(|e| RenderError::Encode(e.to_string()))?;
        let mut rgb = vec![0u8; w * h * 3];
        let mut previous: Option<Vec<u8>> = None;
        for k in 1..=frames {
            let upto = t_end * k as f64 / frames as f64;
            {
                let root =
                    BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
                draw_frame(
                    &root,
                    fig,
                    &panels,
                    upto,
                    Some(&clock_label(upto)),
                    (width, height),
                )?;
                root.present().map_err(draw_err)?;
            }
            let indexed = q.index(&rgb);
            let delay = if k == frames {
                opts.hold_cs
            } else {
                opts.frame_delay_cs
            };
            let (left, top, fw, fh) = match &previous {
                None => (0, 0, w, h),
                Some(prev) => changed_rect(prev, &indexed, w, h).unwrap_or((0, 0, 1, 1)),
            };
            let mut buf = Vec::with_capacity(fw * fh);
            for y in top..top + fh {
                buf.extend_from_slice(&indexed[y * w + left..y * w + left + fw]);
            }
            let frame = ::gif::Frame {
                left: left as u16,
                top: top as u16,
                width: fw as u16,
                height: fh as u16,
                delay,
                dispose: ::gif::DisposalMethod::Keep,
                buffer: std::borrow::Cow::Owned(buf),
                ..Default::default()
            };
            enc.write_frame(&frame)
                .map_err(|e| RenderError::Encode(e.to_string()))?;
            previous = Some(indexed);
        }
    }
    Ok(out)
}

/// Renders the animation within the platform limits, reducing size or frames if needed.
pub fn render_gif(fig: &Figure, opts: &GifOptions) -> Result<GifOutput, RenderError> {
    fig.validate()?;
    font::ensure();
    let limits = Limits::default();
    let mut adjustments = Vec::new();
    let (mut width, mut height) = (opts.width.max(320), opts.height.max(240));
    if width > limits.max_gif_width || height > limits.max_gif_height {
        let s = (limits.max_gif_width as f64 / width as f64)
            .min(limits.max_gif_height as f64 / height as f64);
        let (nw, nh) = ((width as f64 * s) as u32, (height as f64 * s) as u32);
        adjustments.push(format!(
            "size {width}×{height} reduced to {nw}×{nh} (max {}×{})",
            limits.max_gif_width, limits.max_gif_height
        ));
        (width, height) = (nw, nh);
    }
    let mut frames = opts.frames.max(2);
    if frames > limits.max_gif_frames {
        adjustments.push(format!(
            "{frames} frames reduced to {}",
            limits.max_gif_frames
        ));
        frames = limits.max_gif_frames;
    }
    let pixels = |w: u32, h: u32, f: u32| w as u64 * h as u64 * f as u64;
    if pixels(width, height, frames) > limits.max_gif_pixels {
        let f = (limits.max_gif_pixels / (width as u64 * height as u64)).max(2) as u32;
        adjustments.push(format!(
            "{frames} frames reduced to {f} (width × height × frames ≤ {})",
            limits.max_gif_pixels
        ));
        frames = f;
    }
    loop {
        let bytes = encode(fig, width, height, frames, opts)?;
        if bytes.len() <= limits.max_gif_bytes || (frames <= 8 && width <= 400) {
            for a in &adjustments {
                tracing::info!("gif: {a}");
            }
            return Ok(GifOutput {
                bytes,
                width,
                height,
                frames,
                adjustments,
            });
        }
        let (nf, nw, nh) = ((frames / 2).max(8), width * 3 / 4, height * 3 / 4);
        adjustments.push(format!(
            "{} bytes over {}: {frames} frames at {width}×{height} reduced to {nf} at {nw}×{nh}",
            bytes.len(),
            limits.max_gif_bytes
        ));
        (frames, width, height) = (nf, nw, nh);
    }
}
