//! Interpolants as PyBaMM builds them: linear with linear extrapolation (scipy `interp1d`,
//! `fill_value="extrapolate"`) and the not-a-knot cubic spline of PyBaMM's "cubic" interpolator.

/// PyBaMM's "linear" 1-D interpolant: piecewise linear, extrapolating the end segments.
pub fn linear(x: f64, xs: &[f64], ys: &[f64]) -> f64 {
    let n = xs.len().min(ys.len());
    match n {
        0 => return f64::NAN,
        1 => return ys[0],
        _ => {}
    }
    let i = xs[..n].partition_point(|&v| v <= x).clamp(1, n - 1);
    let t = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
    ys[i - 1] + t * (ys[i] - ys[i - 1])
}

/// A not-a-knot cubic spline (scipy `CubicSpline` / `make_interp_spline(k=3)`, which PyBaMM's
/// "cubic" interpolator uses), extrapolating with the end polynomials.
#[derive(Clone, Debug)]
pub struct CubicSpline {
    x: Vec<f64>,
    /// Per interval: value, first, second and third coefficient in powers of (x - x_i).
    c: Vec<[f64; 4]>,
}

impl CubicSpline {
    /// Builds the spline through `(xs[i], ys[i])`; `xs` must be strictly increasing.
    pub fn not_a_knot(xs: &[f64], ys: &[f64]) -> CubicSpline {
        let n = xs.len().min(ys.len());
        let x = xs[..n].to_vec();
        if n < 2 {
            let v = ys.first().copied().unwrap_or(f64::NAN);
            return CubicSpline {
                x,
                c: vec![[v, 0.0, 0.0, 0.0]],
            };
        }
        let dx: Vec<f64> = (0..n - 1).map(|i| xs[i + 1] - xs[i]).collect();
        let m: Vec<f64> = (0..n - 1).map(|i| (ys[i + 1] - ys[i]) / dx[i]).collect();
        // Slopes s_i at the knots.
        let s: Vec<f64> = if n == 2 {
            vec![m[0], m[0]]
        } else if n == 3 {
            // scipy: not-a-knot with 3 points is the parabola through them.
            let c2 = (m[1] - m[0]) / (xs[2] - xs[0]);
            let s0 = m[0] - c2 * dx[0];
            vec![s0, s0 + 2.0 * c2 * dx[0], s0 + 2.0 * c2 * (xs[2] - xs[0])]
        } else {
            // Tridiagonal system a_i s_{i-1} + b_i s_i + c_i s_{i+1} = r_i (as scipy builds it).
            let mut a = vec![0.0; n];
            let mut b = vec![0.0; n];
            let mut c = vec![0.0; n];
            let mut r = vec![0.0; n];
            for i in 1..n - 1 {
                a[i] = dx[i];
                b[i] = 2.0 * (dx[i - 1] + dx[i]);
                c[i] = dx[i - 1];
                r[i] = 3.0 * (dx[i] * m[i - 1] + dx[i - 1] * m[i]);
            }
            let d = dx[0] + dx[1];
            b[0] = dx[1];
            c[0] = d;
            r[0] = ((dx[0] + 2.0 * d) * dx[1] * m[0] + dx[0] * dx[0] * m[1]) / d;
            let d = dx[n - 2] + dx[n - 3];
            a[n - 1] = d;
            b[n - 1] = dx[n - 3];
            r[n - 1] = (dx[n - 2] * dx[n - 2] * m[n - 3]
                + (2.0 * d + dx[n - 2]) * dx[n - 3] * m[n - 2])
                / d;
            solve_tridiagonal(&a, &mut b, &c, &mut r);
            r
        };
        let c = (0..n - 1)
            .map(|i| {
                let h = dx[i];
                [
                    ys[i],
                    s[i],
                    (3.0 * m[i] - 2.0 * s[i] - s[i + 1]) / h,
                    (s[i] + s[i + 1] - 2.0 * m[i]) / (h * h),
                ]
            })
            .collect();
        CubicSpline { x, c }
    }

    /// The spline's value at `t`.
    pub fn eval(&self, t: f64) -> f64 {
        let n = self.x.len();
        if n < 2 {
            return self.c[0][0];
        }
        let i = self.x.partition_point(|&v| v <= t).clamp(1, n - 1) - 1;
        let h = t - self.x[i];
        let [c0, c1, c2, c3] = self.c[i];
        c0 + h * (c1 + h * (c2 + h * c3))
    }
}

/// Gaussian elimination on a tridiagonal system (sub `a`, diagonal `b`, super `c`), with
/// row swaps where a pivot is smaller than the entry below it; the solution replaces `r`.
fn solve_tridiagonal(a: &[f64], b: &mut [f64], c: &[f64], r: &mut [f64]) {
    let n = b.len();
    // Banded storage with one extra super-diagonal `e` for row swaps.
    let mut diag = b.to_vec();
    let mut up1 = c.to_vec();
    let mut up2 = vec![0.0; n];
    let mut low = a.to_vec();
    for k in 0..n - 1 {
        if low[k + 1].abs() > diag[k].abs() {
            // Swap rows k and k+1.
            std::mem::swap(&mut diag[k], &mut low[k + 1]);
            let (u1k, u2k) = (up1[k], up2[k]);
            up1[k] = diag[k + 1];
            up2[k] = up1[k + 1];
            diag[k + 1] = u1k;
            up1[k + 1] = u2k;
            r.swap(k, k + 1);
        }
        let f = low[k + 1] / diag[k];
        diag[k + 1] -= f * up1[k];
        up1[k + 1] -= f * up2[k];
        r[k + 1] -= f * r[k];
        low[k + 1] = 0.0;
    }
    for k in (0..n).rev() {
        let mut v = r[k];
        if k + 1 < n {
            v -= up1[k] * r[k + 1];
        }
        if k + 2 < n {
            v -= up2[k] * r[k + 2];
        }
        r[k] = v / diag[k];
    }
    b.copy_from_slice(&diag);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_interpolates_and_extrapolates() {
        let xs = [0.0, 1.0, 3.0];
        let ys = [1.0, 3.0, 4.0];
        assert_eq!(linear(0.5, &xs, &ys), 2.0);
        assert_eq!(linear(2.0, &xs, &ys), 3.5);
        assert_eq!(linear(-1.0, &xs, &ys), -1.0);
        assert_eq!(linear(5.0, &xs, &ys), 5.0);
    }

    #[test]
    fn spline_reproduces_cubics_exactly() {
        // Not-a-knot splines reproduce any cubic polynomial, on uneven grids too.
        let f = |x: f64| 2.0 - x + 0.5 * x * x - 0.25 * x * x * x;
        let xs = [0.0, 0.3, 0.7, 1.6, 2.0, 3.1];
        let ys: Vec<f64> = xs.iter().map(|&x| f(x)).collect();
        let s = CubicSpline::not_a_knot(&xs, &ys);
        for t in [-0.5, 0.1, 0.5, 1.0, 1.9, 2.5, 3.5] {
            assert!(
                (s.eval(t) - f(t)).abs() < 1e-12,
                "at {t}: {} vs {}",
                s.eval(t),
                f(t)
            );
        }
    }
}
