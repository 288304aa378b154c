//! Anti-aliased strokes drawn straight into an RGB buffer: wide polylines without the
//! jagged joints of per-segment polygons, dots, and dashed markers, clipped to a panel.

/// A pixel rectangle, `x0..x1` × `y0..y1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub x0: i32,
    pub y0: i32,
    pub x1: i32,
    pub y1: i32,
}

impl Rect {
    pub fn width(&self) -> i32 {
        self.x1 - self.x0
    }

    pub fn height(&self) -> i32 {
        self.y1 - self.y0
    }
}

/// An RGB image with a reusable coverage buffer, so a stroke blends once per pixel even
/// where its segments overlap.
pub struct Canvas {
    pub rgb: Vec<u8>,
    pub width: usize,
    pub height: usize,
    coverage: Vec<u8>,
    touched: Vec<u32>,
}

impl Canvas {
    pub fn new(width: u32, height: u32) -> Canvas {
        let (w, h) = (width as usize, height as usize);
        Canvas {
            rgb: vec![255; w * h * 3],
            width: w,
            height: h,
            coverage: vec![0; w * h],
            touched: Vec::new(),
        }
    }

    /// Paints pixel (x, y) `colour` (nothing outside the canvas).
    pub fn set(&mut self, x: i32, y: i32, colour: [u8; 3]) {
        if x < 0 || y < 0 || x as usize >= self.width || y as usize >= self.height {
            return;
        }
        let i = (y as usize * self.width + x as usize) * 3;
        self.rgb[i..i + 3].copy_from_slice(&colour);
    }

    /// Raises the coverage of pixel (x, y) to `a` (0–255).
    fn cover(&mut self, x: i32, y: i32, a: u8) {
        let i = y as usize * self.width + x as usize;
        let c = &mut self.coverage[i];
        if *c == 0 {
            self.touched.push(i as u32);
        }
        if a > *c {
            *c = a;
        }
    }

    /// Blends `colour` into every covered pixel and clears the coverage.
    fn composite(&mut self, colour: [u8; 3]) {
        for &i in &self.touched {
            let i = i as usize;
            let a = self.coverage[i] as u32;
            self.coverage[i] = 0;
            let px = &mut self.rgb[i * 3..i * 3 + 3];
            for (p, c) in px.iter_mut().zip(colour) {
                *p = ((*p as u32 * (255 - a) + c as u32 * a + 127) / 255) as u8;
            }
        }
        self.touched.clear();
    }

    fn clip(&self, clip: Rect) -> Rect {
        Rect {
            x0: clip.x0.max(0),
            y0: clip.y0.max(0),
            x1: clip.x1.min(self.width as i32),
            y1: clip.y1.min(self.height as i32),
        }
    }

    fn segment(&mut self, (ax, ay): (f32, f32), (bx, by): (f32, f32), half: f32, clip: Rect) {
        let r = half + 1.0;
        let x0 = ((ax.min(bx) - r).floor() as i32).max(clip.x0);
        let x1 = ((ax.max(bx) + r).ceil() as i32).min(clip.x1 - 1);
        let y0 = ((ay.min(by) - r).floor() as i32).max(clip.y0);
        let y1 = ((ay.max(by) + r).ceil() as i32).min(clip.y1 - 1);
        let (dx, dy) = (bx - ax, by - ay);
        let len2 = dx * dx + dy * dy;
        for y in y0..=y1 {
            let py = y as f32 + 0.5;
            for x in x0..=x1 {
                let px = x as f32 + 0.5;
                let t = if len2 > 0.0 {
                    (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let (qx, qy) = (ax + t * dx - px, ay + t * dy - py);
                let d = (qx * qx + qy * qy).sqrt();
                let a = (half + 0.5 - d).clamp(0.0, 1.0);
                if a > 0.0 {
                    self.cover(x, y, (a * 255.0).round() as u8);
                }
            }
        }
    }

    /// A polyline of `width` pixels; non-finite points break the line.
    pub fn polyline(&mut self, pts: &[(f32, f32)], colour: [u8; 3], width: f32, clip: Rect) {
        let clip = self.clip(clip);
        let half = width / 2.0;
        let mut last: Option<(f32, f32)> = None;
        let n = pts.len();
        for (k, &p) in pts.iter().enumerate() {
            if !(p.0.is_finite() && p.1.is_finite()) {
                last = None;
                continue;
            }
            match last {
                None => {
                    self.segment(p, p, half, clip);
                    last = Some(p);
                }
                Some(q) => {
                    // Sub-pixel steps add nothing but time; keep the last point regardless.
                    let far = (p.0 - q.0).abs() + (p.1 - q.1).abs() >= 1.0;
                    if far || k + 1 == n {
                        self.segment(q, p, half, clip);
                        last = Some(p);
                    }
                }
            }
        }
        self.composite(colour);
    }

    /// A polyline dashed by `pattern` (lengths in pixels along the line: on, off, on, …; empty
    /// or all-zero draws it solid), so that curves lying on each other stay distinguishable.
    pub fn dashed_polyline(
        &mut self,
        pts: &[(f32, f32)],
        colour: [u8; 3],
        width: f32,
        clip: Rect,
        pattern: &[f32],
    ) {
        let period: f32 = pattern.iter().sum();
        if pattern.len() < 2 || period <= 0.0 {
            return self.polyline(pts, colour, width, clip);
        }
        let clip = self.clip(clip);
        let half = width / 2.0;
        // phase: index in the pattern and length left in it
        let (mut idx, mut left) = (0usize, pattern[0]);
        let mut last: Option<(f32, f32)> = None;
        for &p in pts {
            if !(p.0.is_finite() && p.1.is_finite()) {
                last = None;
                continue;
            }
            let Some(q) = last else {
                last = Some(p);
                continue;
            };
            let (dx, dy) = (p.0 - q.0, p.1 - q.1);
            let len = (dx * dx + dy * dy).sqrt();
            let mut done = 0.0f32;
            while done < len {
                let step = left.min(len - done);
                if idx % 2 == 0 && step > 0.0 {
                    let a = (q.0 + dx * done / len, q.1 + dy * done / len);
                    let e = done + step;
                    let b = (q.0 + dx * e / len, q.1 + dy * e / len);
                    self.segment(a, b, half, clip);
                }
                done += step;
                left -= step;
                if left <= 0.0 {
                    idx = (idx + 1) % pattern.len();
                    left = pattern[idx];
                }
            }
            last = Some(p);
        }
        self.composite(colour);
    }

    /// A filled dot of `radius` pixels.
    pub fn dot(&mut self, p: (f32, f32), radius: f32, colour: [u8; 3], clip: Rect) {
        let clip = self.clip(clip);
        if p.0.is_finite() && p.1.is_finite() {
            self.segment(p, p, radius, clip);
            self.composite(colour);
        }
    }

    /// A dashed vertical line at `x` from `y0` to `y1`, one pixel wide.
    pub fn dashed_vline(&mut self, x: f32, y0: i32, y1: i32, colour: [u8; 3], clip: Rect) {
        let clip = self.clip(clip);
        let xi = x.floor() as i32;
        if !x.is_finite() || xi < clip.x0 || xi >= clip.x1 {
            return;
        }
        for y in y0.max(clip.y0)..y1.min(clip.y1) {
            if (y - y0).rem_euclid(8) < 5 {
                let i = (y as usize * self.width + xi as usize) * 3;
                self.rgb[i..i + 3].copy_from_slice(&colour);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wide_line_is_solid_in_the_middle_and_soft_at_the_edge() {
        let mut c = Canvas::new(40, 20);
        let clip = Rect {
            x0: 0,
            y0: 0,
            x1: 40,
            y1: 20,
        };
        c.polyline(&[(5.0, 10.0), (35.0, 10.0)], [0, 0, 0], 3.0, clip);
        let px = |x: usize, y: usize| c.rgb[(y * 40 + x) * 3];
        assert_eq!(px(20, 9), 0, "centre row is fully covered");
        assert_eq!(px(20, 10), 0);
        assert!(px(20, 11) > 0 && px(20, 11) < 255, "edge row is blended");
        assert_eq!(px(20, 14), 255, "far from the line stays white");
    }

    #[test]
    fn strokes_stay_inside_the_clip() {
        let mut c = Canvas::new(40, 20);
        let clip = Rect {
            x0: 10,
            y0: 0,
            x1: 30,
            y1: 20,
        };
        c.polyline(&[(0.0, 10.0), (40.0, 10.0)], [0, 0, 0], 4.0, clip);
        assert_eq!(c.rgb[(10 * 40 + 5) * 3], 255);
        assert_eq!(c.rgb[(10 * 40 + 15) * 3], 0);
        c.dashed_vline(f32::NAN, 0, 20, [0, 0, 0], clip);
    }
}
