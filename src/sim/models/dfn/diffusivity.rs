//! A particle diffusivity tabulated in stoichiometry at one temperature, for the DFN's
//! finite-volume particles: hundreds of shells in each of 80 particles evaluate a
//! stoichiometry-dependent diffusivity (ORegan2022's sums of exponentials) at every residual,
//! which was most of the 480-shell DFN's cost.

use super::super::Electrode;

/// Intervals of the table over stoichiometry [0, 1].
const INTERVALS: usize = 8192;

/// The stoichiometries `Electrode::diff` clamps to, which the table spans.
const LO: f64 = 1e-10;
const HI: f64 = 1.0 - 1e-10;

/// The largest relative error allowed at the intervals' midpoints (where the cubic's error
/// peaks); a diffusivity the table cannot follow that closely is evaluated directly.
pub const MAX_RELATIVE_ERROR: f64 = 1e-9;

/// `Electrode::diff` at temperature `t` as a cubic Hermite interpolant on `INTERVALS` uniform
/// intervals of stoichiometry [`LO`, `HI`] (slopes by central differences of the function itself), checked
/// against the function at every interval's midpoint when built.
#[derive(Clone, Debug)]
pub struct DiffTable {
    c_max: f64,
    /// D at the nodes and h dD/dsto (the slope times the interval).
    d: Vec<f64>,
    m: Vec<f64>,
}

impl DiffTable {
    /// The table of `el`'s diffusivity at `t`, or None when it does not match the function
    /// within `MAX_RELATIVE_ERROR` at the midpoints (or is not finite and positive).
    pub fn build(el: &Electrode, t: f64) -> Option<DiffTable> {
        let n = INTERVALS;
        let h = (HI - LO) / n as f64;
        let f = |s: f64| el.diff(s, t);
        let d: Vec<f64> = (0..=n).map(|i| f(LO + i as f64 * h)).collect();
        let delta = 1e-6;
        let m: Vec<f64> = (0..=n)
            .map(|i| {
                let s = LO + i as f64 * h;
                // second-order one-sided differences at the ends, beyond which `diff` clamps
                let slope = if i == 0 {
                    (-3.0 * f(s) + 4.0 * f(s + delta) - f(s + 2.0 * delta)) / (2.0 * delta)
                } else if i == n {
                    (3.0 * f(s) - 4.0 * f(s - delta) + f(s - 2.0 * delta)) / (2.0 * delta)
                } else {
                    (f(s + delta) - f(s - delta)) / (2.0 * delta)
                };
                slope * h
            })
            .collect();
        let table = DiffTable {
            c_max: el.c_max,
            d,
            m,
        };
        let ok = (0..n).all(|i| {
            let s = LO + (i as f64 + 0.5) * h;
            let (exact, v) = (f(s), table.at_sto(s));
            exact.is_finite() && exact > 0.0 && (v - exact).abs() <= MAX_RELATIVE_ERROR * exact
        });
        ok.then_some(table)
    }

    /// The diffusivity at concentration `c` (stoichiometry clamped as `Electrode::diff`).
    #[inline]
    pub fn at(&self, c: f64) -> f64 {
        self.at_sto(c / self.c_max)
    }

    #[inline]
    fn at_sto(&self, s: f64) -> f64 {
        let x = (s.clamp(LO, HI) - LO) * (INTERVALS as f64 / (HI - LO));
        let i = (x as usize).min(INTERVALS - 1);
        let u = x - i as f64;
        let (u2, v) = (u * u, 1.0 - u);
        let v2 = v * v;
        (1.0 + 2.0 * u) * v2 * self.d[i] + u * v2 * self.m[i] + u2 * (3.0 - 2.0 * u) * self.d[i + 1]
            - u2 * v * self.m[i + 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::models::Cell;
    use crate::sim::params;

    fn cell(set: &str) -> Cell {
        let pv = match set {
            "ORegan2022" => params::oregan2022::parameter_values(),
            _ => params::ecker2015::parameter_values(),
        };
        Cell::new(&pv).unwrap()
    }

    #[test]
    fn oregan2022_and_ecker2015_diffusivities_are_tabulated_to_1e_9() {
        for set in ["ORegan2022", "Ecker2015"] {
            let c = cell(set);
            for el in [&c.neg, &c.pos] {
                for t in [273.15, 298.15, 318.15] {
                    let tb = DiffTable::build(el, t).unwrap_or_else(|| panic!("{set} {t}"));
                    // off the nodes and midpoints, and beyond the stoichiometry's range
                    for i in 0..=20_000 {
                        let s = -0.01 + 1.02 * i as f64 / 20_000.0 + 1.3e-7;
                        let (a, b) = (tb.at(s * el.c_max), el.diff(s, t));
                        assert!(
                            (a - b).abs() <= 2.0 * MAX_RELATIVE_ERROR * b,
                            "{set} {s}: {a} {b}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_diffusivity_with_a_kink_is_not_tabulated() {
        // a piecewise-linear diffusivity (an interpolant of data): the cubic cannot follow
        // its kinks to 1e-9, so it is evaluated directly
        let mut c = cell("ORegan2022");
        c.neg.d = params::Value::Table {
            arg: params::Arg::Sto,
            x: &[0.0, 0.3001, 1.0],
            y: &[1e-14, 3e-14, 2e-14],
        };
        assert!(DiffTable::build(&c.neg, 298.15).is_none());
    }
}
