//! The reports index's thumbnail of a plot: the full-size PNG decoded, box-averaged down to
//! `WIDTH` pixels wide and stored as a palette PNG of a few kB.

use std::collections::HashMap;

use super::RenderError;

/// Width of a thumbnail (the index shows it at half that on a phone).
pub const WIDTH: u32 = 240;
/// Colours of a thumbnail's palette: enough for the curves, few enough to compress well.
const COLOURS: usize = 48;
/// Largest image decoded (a plot is at most 4000 × 4000 RGB).
const MAX_DECODE_BYTES: usize = 64 * 1024 * 1024;

fn err(e: impl std::fmt::Display) -> RenderError {
    RenderError::Encode(format!("thumbnail: {e}"))
}

/// Decodes a PNG to RGB rows.
fn decode_rgb(png: &[u8]) -> Result<(Vec<u8>, u32, u32), RenderError> {
    let mut decoder = ::png::Decoder::new_with_limits(
        std::io::Cursor::new(png),
        ::png::Limits {
            bytes: MAX_DECODE_BYTES,
        },
    );
    decoder.set_transformations(::png::Transformations::EXPAND | ::png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(err)?;
    let mut buf = vec![
        0;
        reader
            .output_buffer_size()
            .ok_or_else(|| err("too large"))?
    ];
    let info = reader.next_frame(&mut buf).map_err(err)?;
    let channels = match info.color_type {
        ::png::ColorType::Rgb => 3,
        ::png::ColorType::Rgba => 4,
        ::png::ColorType::Grayscale => 1,
        ::png::ColorType::GrayscaleAlpha => 2,
        ::png::ColorType::Indexed => return Err(err("palette not expanded")),
    };
    let (w, h) = (info.width, info.height);
    let mut rgb = Vec::with_capacity(w as usize * h as usize * 3);
    for row in buf.chunks(info.line_size).take(h as usize) {
        for px in row.chunks(channels).take(w as usize) {
            match channels {
                1 | 2 => rgb.extend_from_slice(&[px[0]; 3]),
                _ => rgb.extend_from_slice(&px[..3]),
            }
        }
    }
    Ok((rgb, w, h))
}

/// Box-averages an RGB image by `f` in each direction.
fn shrink(rgb: &[u8], w: u32, h: u32, f: u32) -> (Vec<u8>, u32, u32) {
    let (tw, th) = ((w / f).max(1), (h / f).max(1));
    let mut out = Vec::with_capacity(tw as usize * th as usize * 3);
    for ty in 0..th {
        for tx in 0..tw {
            let mut sum = [0u32; 3];
            let mut n = 0;
            for y in ty * f..((ty + 1) * f).min(h) {
                for x in tx * f..((tx + 1) * f).min(w) {
                    let i = (y as usize * w as usize + x as usize) * 3;
                    for (s, v) in sum.iter_mut().zip(&rgb[i..i + 3]) {
                        *s += u32::from(*v);
                    }
                    n += 1;
                }
            }
            for s in sum {
                out.push((s / n.max(1)) as u8);
            }
        }
    }
    (out, tw, th)
}

/// The most frequent colours (to 4 bits a channel) and each pixel's nearest one.
fn quantise(rgb: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let key = |p: &[u8]| (p[0] >> 4, p[1] >> 4, p[2] >> 4);
    let mut counts: HashMap<(u8, u8, u8), (u32, [u32; 3])> = HashMap::new();
    for p in rgb.chunks(3) {
        let e = counts.entry(key(p)).or_default();
        e.0 += 1;
        for (sum, v) in e.1.iter_mut().zip(p) {
            *sum += u32::from(*v);
        }
    }
    let mut common: Vec<_> = counts.into_values().collect();
    common.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let palette: Vec<[u8; 3]> = common
        .iter()
        .take(COLOURS)
        .map(|(n, s)| [0, 1, 2].map(|c| (s[c] / n) as u8))
        .collect();
    let mut cache: HashMap<[u8; 3], u8> = HashMap::new();
    let indices = rgb
        .chunks(3)
        .map(|p| {
            let px = [p[0], p[1], p[2]];
            *cache.entry(px).or_insert_with(|| {
                let d = |q: &[u8; 3]| -> i32 {
                    (0..3)
                        .map(|c| (i32::from(q[c]) - i32::from(px[c])).pow(2))
                        .sum()
                };
                (0..palette.len())
                    .min_by_key(|&i| d(&palette[i]))
                    .unwrap_or(0) as u8
            })
        })
        .collect();
    (palette.concat(), indices)
}

/// A thumbnail of a PNG plot: `WIDTH` px wide (narrower plots keep their size), a palette
/// PNG of a few kB.
pub fn thumbnail(png: &[u8]) -> Result<Vec<u8>, RenderError> {
    let (rgb, w, h) = decode_rgb(png)?;
    let f = w.div_ceil(WIDTH).max(1);
    let (small, tw, th) = shrink(&rgb, w, h, f);
    let (palette, indices) = quantise(&small);
    let mut out = Vec::new();
    {
        let mut enc = ::png::Encoder::new(&mut out, tw, th);
        enc.set_color(::png::ColorType::Indexed);
        enc.set_depth(::png::BitDepth::Eight);
        enc.set_palette(palette);
        enc.set_compression(::png::Compression::High);
        let mut w = enc.write_header().map_err(err)?;
        w.write_image_data(&indices).map_err(err)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plot_shrinks_to_a_few_kilobytes() {
        // White with a few coloured diagonal lines, as a plot is.
        let (w, h) = (1200u32, 800u32);
        let mut rgb = vec![255u8; (w * h * 3) as usize];
        for x in 0..w {
            for (k, colour) in [[31u8, 119, 180], [255, 127, 14], [44, 160, 44]]
                .iter()
                .enumerate()
            {
                let y = (x * 2 / 3 + k as u32 * 100) % h;
                let i = ((y * w + x) * 3) as usize;
                rgb[i..i + 3].copy_from_slice(colour);
            }
        }
        let png = super::super::png::encode_png(&rgb, w, h).unwrap();
        let thumb = thumbnail(&png).unwrap();
        assert!(thumb.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(thumb.len() < 12 * 1024, "{} bytes", thumb.len());
        let (_, tw, th) = decode_rgb(&thumb).unwrap();
        assert_eq!((tw, th), (240, 160));
        assert!(thumbnail(b"not a png").is_err());
    }
}
