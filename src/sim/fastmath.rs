//! sinh and tanh by one exponential each: libm's go through expm1 and are ~3× slower, and the
//! Butler–Volmer kinetics and the open-circuit potentials call them at every node of every
//! residual. Near zero, where the exponentials' difference would cancel, their Taylor series.

/// sinh by one exponential (libm's goes through expm1, ~3× slower); its Taylor series below
/// 0.1, where the difference of exponentials would cancel (relative error ~1e-15 either way).
#[inline]
pub fn sinh(x: f64) -> f64 {
    if x.abs() < 0.1 {
        let x2 = x * x;
        x * (1.0 + x2 / 6.0 * (1.0 + x2 / 20.0 * (1.0 + x2 / 42.0 * (1.0 + x2 / 72.0))))
    } else {
        let e = x.exp();
        0.5 * (e - 1.0 / e)
    }
}

/// tanh by one exponential (libm's goes through expm1, ~3× slower; the open-circuit potentials
/// call it several times per node and residual); its Taylor series below 0.05, where the
/// quotient of exponentials would cancel (relative error ~1e-15 either way).
#[inline]
pub fn tanh(x: f64) -> f64 {
    let a = x.abs();
    if a < 0.05 {
        let x2 = x * x;
        x * (1.0
            - x2 * (1.0 / 3.0 - x2 * (2.0 / 15.0 - x2 * (17.0 / 315.0 - x2 * (62.0 / 2835.0)))))
    } else if a > 20.0 {
        1.0f64.copysign(x)
    } else {
        let e = (2.0 * a).exp();
        ((e - 1.0) / (e + 1.0)).copysign(x)
    }
}

#[cfg(test)]
mod tests {
    /// Relative agreement with libm over [-span, span] (offset off the grid's zeros).
    fn matches_libm(f: fn(f64) -> f64, g: fn(f64) -> f64, span: i32) {
        for i in -span * 100..=span * 100 {
            let x = i as f64 * 1e-2 + 3e-6;
            let (a, b) = (f(x), g(x));
            assert!((a - b).abs() <= 4e-15 * b.abs(), "{x}: {a} vs {b}");
        }
    }

    #[test]
    fn sinh_and_tanh_match_libm() {
        matches_libm(super::sinh, f64::sinh, 40);
        matches_libm(super::tanh, f64::tanh, 30);
    }
}
