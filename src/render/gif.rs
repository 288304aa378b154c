//! The animated GIF (BattBot style): curves grow frame by frame under a clock label and the
//! last frame holds; a fixed palette built from the figure's colours keeps lines crisp, and
//! each frame stores only the changed rectangle with unchanged pixels transparent.

use std::borrow::Cow;

use super::png::{MIN_HEIGHT, MIN_WIDTH};
use super::raster::Canvas;
use super::scene::{draw_clock, draw_data, draw_still};
use super::style::{colour, tint, AXIS, BACKGROUND, GRID, INK, MUTED, PALETTE, STEP_MARK};
use super::{Figure, Limits, RenderError};

/// Size and pace of the animation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GifOptions {
    pub width: u32,
    pub height: u32,
    /// Frames of growth, the first at t = 0 and the last (held) at the end.
    pub frames: u32,
    /// Delay between frames in hundredths of a second.
    pub frame_delay_cs: u16,
    /// The last frame stays up this many frame delays longer.
    pub hold_frames: u32,
}

impl Default for GifOptions {
    fn default() -> Self {
        GifOptions {
            width: 1280,
            height: 720,
            frames: 60,
            frame_delay_cs: 8,
            hold_frames: 30,
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

/// A fixed palette: the figure's inks, a grey ramp (text antialiasing) and each run's colour
/// blended with white (line antialiasing); a 15-bit lookup table maps RGB to it.
struct Quantizer {
    palette: Vec<[u8; 3]>,
    transparent: u8,
    lut: Vec<u8>,
}

impl Quantizer {
    fn new(runs: usize) -> Quantizer {
        let mut palette: Vec<[u8; 3]> = Vec::new();
        let mut add = |c: [u8; 3]| {
            if !palette.contains(&c) {
                palette.push(c);
            }
        };
        for c in [BACKGROUND, INK, MUTED, GRID, AXIS] {
            add([c.0, c.1, c.2]);
        }
        add(STEP_MARK);
        for g in 0..32 {
            let v = (g * 255 / 31) as u8;
            add([v, v, v]);
        }
        for i in 0..runs.min(PALETTE.len()) {
            for k in 1..=24 {
                add(tint(colour(i), k as f64 / 24.0));
            }
        }
        let mut lut = vec![0u8; 1 << 15];
        for (idx, slot) in lut.iter_mut().enumerate() {
            let (r, g, b) = (
                ((idx >> 10) & 31) as i32 * 8 + 4,
                ((idx >> 5) & 31) as i32 * 8 + 4,
                (idx & 31) as i32 * 8 + 4,
            );
            let mut best = (i32::MAX, 0usize);
            for (j, p) in palette.iter().enumerate() {
                let d = (r - p[0] as i32).pow(2) * 3
                    + (g - p[1] as i32).pow(2) * 4
                    + (b - p[2] as i32).pow(2) * 2;
                if d < best.0 {
                    best = (d, j);
                }
            }
            *slot = best.1 as u8;
        }
        // An entry no pixel maps to marks "unchanged" in delta frames.
        let transparent = palette.len() as u8;
        palette.push([255, 0, 255]);
        Quantizer {
            palette,
            transparent,
            lut,
        }
    }

    fn index_into(&self, rgb: &[u8], out: &mut [u8]) {
        for (p, o) in rgb.chunks_exact(3).zip(out.iter_mut()) {
            *o = self.lut
                [((p[0] as usize >> 3) << 10) | ((p[1] as usize >> 3) << 5) | (p[2] as usize >> 3)];
        }
    }

    fn flat_palette(&self) -> Vec<u8> {
        self.palette.iter().flatten().copied().collect()
    }
}

/// "t = 1.23 h", or minutes when the whole animation is shorter than an hour.
pub fn clock_label(t_s: f64, end_s: f64) -> String {
    if end_s >= 3600.0 {
        format!("t = {:.2} h", t_s / 3600.0)
    } else {
        format!("t = {:.1} min", t_s / 60.0)
    }
}

/// Smallest rectangle where two frames differ: (left, top, width, height).
fn changed_rect(a: &[u8], b: &[u8], w: usize, h: usize) -> Option<(usize, usize, usize, usize)> {
    let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
    for y in 0..h {
        let (ra, rb) = (&a[y * w..(y + 1) * w], &b[y * w..(y + 1) * w]);
        if ra == rb {
            continue;
        }
        y0 = y0.min(y);
        y1 = y;
        let first = ra.iter().zip(rb).position(|(p, q)| p != q).unwrap_or(0);
        let last = ra.iter().zip(rb).rposition(|(p, q)| p != q).unwrap_or(0);
        x0 = x0.min(first);
        x1 = x1.max(last);
    }
    (y0 <= y1 && x0 <= x1).then(|| (x0, y0, x1 - x0 + 1, y1 - y0 + 1))
}

fn enc_err(e: impl std::fmt::Display) -> RenderError {
    RenderError::Encode(e.to_string())
}

/// Draws and encodes `frames` frames at `width` × `height`.
fn encode(
    fig: &Figure,
    width: u32,
    height: u32,
    frames: u32,
    opts: &GifOptions,
) -> Result<Vec<u8>, RenderError> {
    let t_end = fig
        .runs
        .iter()
        .filter_map(|r| r.time_s.last().copied())
        .fold(0.0, f64::max);
    let q = Quantizer::new(fig.runs.len());
    let (w, h) = (width as usize, height as usize);
    let mut canvas = Canvas::new(width, height);
    let scene = draw_still(&mut canvas, fig, true)?;
    let still = canvas.rgb.clone();
    let mut out = Vec::new();
    {
        let mut enc = ::gif::Encoder::new(&mut out, width as u16, height as u16, &q.flat_palette())
            .map_err(enc_err)?;
        enc.set_repeat(::gif::Repeat::Infinite).map_err(enc_err)?;
        let mut previous = vec![0u8; w * h];
        let mut indexed = vec![0u8; w * h];
        for k in 0..frames {
            let last = k + 1 == frames;
            let upto = if last {
                t_end
            } else {
                t_end * k as f64 / (frames - 1) as f64
            };
            canvas.rgb.copy_from_slice(&still);
            draw_data(&mut canvas, fig, &scene, upto, !last);
            draw_clock(&mut canvas, &scene, &clock_label(upto, t_end))?;
            q.index_into(&canvas.rgb, &mut indexed);
            let delay = if last {
                (opts.frame_delay_cs as u32 * (1 + opts.hold_frames)).min(u16::MAX as u32) as u16
            } else {
                opts.frame_delay_cs
            };
            let (left, top, fw, fh) = if k == 0 {
                (0, 0, w, h)
            } else {
                changed_rect(&previous, &indexed, w, h).unwrap_or((0, 0, 1, 1))
            };
            let mut buf = Vec::with_capacity(fw * fh);
            for y in top..top + fh {
                let row = y * w + left..y * w + left + fw;
                if k == 0 {
                    buf.extend_from_slice(&indexed[row]);
                } else {
                    buf.extend(
                        indexed[row.clone()]
                            .iter()
                            .zip(&previous[row])
                            .map(|(&now, &before)| if now == before { q.transparent } else { now }),
                    );
                }
            }
            let frame = ::gif::Frame {
                left: left as u16,
                top: top as u16,
                width: fw as u16,
                height: fh as u16,
                delay,
                dispose: ::gif::DisposalMethod::Keep,
                transparent: (k > 0).then_some(q.transparent),
                buffer: Cow::Owned(buf),
                ..Default::default()
            };
            enc.write_frame(&frame).map_err(enc_err)?;
            std::mem::swap(&mut previous, &mut indexed);
        }
    }
    Ok(out)
}

/// Renders the animation within the default platform limits.
pub fn render_gif(fig: &Figure, opts: &GifOptions) -> Result<GifOutput, RenderError> {
    render_gif_within(fig, opts, &Limits::default())
}

/// Renders the animation within `limits`: size, frames and pixel budget are reduced before
/// drawing, and size and frames again while the encoded bytes are over the byte limit.
/// Every reduction is described in `adjustments`.
pub fn render_gif_within(
    fig: &Figure,
    opts: &GifOptions,
    limits: &Limits,
) -> Result<GifOutput, RenderError> {
    fig.validate()?;
    let mut adjustments = Vec::new();
    let (mut width, mut height) = (opts.width.max(MIN_WIDTH), opts.height.max(MIN_HEIGHT));
    if (width, height) != (opts.width, opts.height) {
        adjustments.push(format!(
            "size {}×{} raised to the minimum {width}×{height}",
            opts.width, opts.height
        ));
    }
    let (max_w, max_h) = (
        limits.max_gif_width.clamp(MIN_WIDTH, u16::MAX as u32),
        limits.max_gif_height.clamp(MIN_HEIGHT, u16::MAX as u32),
    );
    if width > max_w || height > max_h {
        let s = (max_w as f64 / width as f64).min(max_h as f64 / height as f64);
        let (nw, nh) = (
            ((width as f64 * s) as u32).max(MIN_WIDTH),
            ((height as f64 * s) as u32).max(MIN_HEIGHT),
        );
        adjustments.push(format!(
            "size {width}×{height} reduced to {nw}×{nh} (max {max_w}×{max_h})"
        ));
        (width, height) = (nw, nh);
    }
    let mut frames = opts.frames.max(2);
    if frames != opts.frames {
        adjustments.push(format!("{} frames raised to 2", opts.frames));
    }
    if frames > limits.max_gif_frames.max(2) {
        let f = limits.max_gif_frames.max(2);
        adjustments.push(format!("{frames} frames reduced to {f} (max {f})"));
        frames = f;
    }
    let pixels = width as u64 * height as u64;
    if pixels * frames as u64 > limits.max_gif_pixels {
        let f = (limits.max_gif_pixels / pixels).max(2) as u32;
        adjustments.push(format!(
            "{frames} frames reduced to {f} (width × height × frames ≤ {})",
            limits.max_gif_pixels
        ));
        frames = f;
    }
    loop {
        let bytes = encode(fig, width, height, frames, opts)?;
        if bytes.len() <= limits.max_gif_bytes {
            return Ok(GifOutput {
                bytes,
                width,
                height,
                frames,
                adjustments,
            });
        }
        if frames <= 2 && (width <= MIN_WIDTH || height <= MIN_HEIGHT) {
            return Err(RenderError::TooLarge {
                bytes: bytes.len(),
                limit: limits.max_gif_bytes,
            });
        }
        let (nf, nw, nh) = (
            (frames * 2 / 3).max(2),
            (width * 4 / 5).max(MIN_WIDTH),
            (height * 4 / 5).max(MIN_HEIGHT),
        );
        adjustments.push(format!(
            "{} bytes over the {} byte limit: {frames} frames at {width}×{height} reduced to {nf} at {nw}×{nh}",
            bytes.len(),
            limits.max_gif_bytes
        ));
        (frames, width, height) = (nf, nw, nh);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_rect_bounds_the_difference() {
        let a = vec![0u8; 20];
        let mut b = a.clone();
        b[6] = 1; // (1, 1) in a 5-wide frame
        b[13] = 1; // (3, 2)
        assert_eq!(changed_rect(&a, &b, 5, 4), Some((1, 1, 3, 2)));
        assert_eq!(changed_rect(&a, &a, 5, 4), None);
    }

    #[test]
    fn palette_keeps_run_colours_exact() {
        let q = Quantizer::new(3);
        assert!(q.palette.len() <= 256);
        for i in 0..3 {
            let c = colour(i);
            let mut o = [0u8];
            q.index_into(&[c.0, c.1, c.2], &mut o);
            let p = q.palette[o[0] as usize];
            let err: i32 = [c.0, c.1, c.2]
                .iter()
                .zip(p)
                .map(|(&a, b)| (a as i32 - b as i32).abs())
                .sum();
            assert!(err <= 12, "run {i}: {p:?} for {c:?}");
            assert_ne!(o[0], q.transparent);
        }
    }

    #[test]
    fn clock_uses_hours_for_long_runs() {
        assert_eq!(clock_label(4428.0, 7200.0), "t = 1.23 h");
        assert_eq!(clock_label(600.0, 1800.0), "t = 10.0 min");
    }
}
