//! The side reactions at one location of the DFN's negative electrode, with the SEI film's
//! Ohmic drop: with the distributed film the total interfacial current `j_tot`, the film
//! overpotential `-R_sei L j_tot` and the reactions it drives are solved for locally, on the
//! film's physical branch.
//!
//! Why a branch: the SEI's own overpotential reads the main reaction's current through the film
//! (PyBaMM's `eta_SEI = delta_phi - U_sei - j L R_sei`), so where the film overpotential
//! drives the main reaction hard anodic the SEI current grows exponentially and
//! `j_tot - (j + j_side)` turns over. With a thick film (~200 nm beside the separator after
//! ~200 cycles of 1C CC-CV on OKane2022) that spurious branch begins within the film-free
//! current, which the earlier bracket `[j_free, 0]` assumed to enclose the root only: its
//! widening then ran away to overflowing currents and left the node's residual non-finite
//! (the 500-cycle run stopped in cycle 198, "time step became too small").

use super::{Degradation, Film, Geo, Side};
use crate::sim::models::{bv, F, R_GAS};

impl Degradation {
    /// The main-reaction current density, the reaction overpotential and the side-reaction
    /// currents at a location of the negative electrode: states `s`, geometry `geo`,
    /// `delta_phi = phi_s - phi_e`, open-circuit potential `u`, exchange current density
    /// `j0`, electrolyte concentration `c_e`, temperature `t`; the "average" film reads the
    /// x-averaged total current `j_tot_av` and thickness `l_sei_av`. The distributed film's
    /// `j_tot` (an algebraic state in PyBaMM) is solved for here. The total current includes
    /// the SEI on cracks' (per unit particle surface, `a_cr / a` j_cr), as PyBaMM's "Sum of
    /// negative electrode volumetric interfacial current densities". `guess`: the total
    /// current of this location at a nearby state (the DFN's last residual), from which the
    /// distributed film's solve starts (see `film_current`).
    #[allow(clippy::too_many_arguments)]
    pub fn node_currents(
        &self,
        s: &[f64],
        geo: Geo,
        delta_phi: f64,
        u: f64,
        j0: f64,
        c_e: f64,
        t: f64,
        j_tot_av: f64,
        l_sei_av: f64,
        guess: Option<f64>,
    ) -> (f64, f64, Side) {
        let main = |eta_film: f64| {
            let eta_r = delta_phi - u + eta_film;
            (bv(j0, eta_r, t), eta_r)
        };
        let side = |eta_film: f64, jm: f64| Side {
            j_sei: self.j_sei(s, geo.a, delta_phi, jm, t),
            j_pl: self.j_plating(s, delta_phi + eta_film, c_e, t),
            j_cr: self.j_sei_cracks(s, geo, delta_phi, jm, t),
        };
        let currents = |eta_film: f64| {
            let (jm, eta_r) = main(eta_film);
            (jm, eta_r, side(eta_film, jm))
        };
        match self.opts.film {
            Film::None => currents(0.0),
            Film::Average => currents(self.film(l_sei_av, j_tot_av)),
            Film::Distributed => {
                let lr = self.l_sei(s, geo.a) * self.r_sei;
                let jt = film_current(lr, j0, t, main, |ef, jm| side(ef, jm).total(geo), guess);
                currents(-jt * lr)
            }
        }
    }
}

/// The total current `x` with `x = j(eta_f) + j_side(eta_f, j)`, `eta_f = -lr x`: `main(eta_f)`
/// gives the main reaction's current and overpotential, `side(eta_f, j)` the side reactions'
/// total.
///
/// Without side reactions, `g_m(x) = x - j(-lr x)` increases (the film opposes the current)
/// from 0 at a root between 0 and the film-free current: solved first. The side reactions
/// only lower g's slope below 1 where the SEI current is comparable to `1 / (alpha F/RT lr)`
/// (~1 A/m2 with a 200 nm film), far beyond any physical state, so the root with them lies
/// within `|g(x_m)|` of the main reaction's root `x_m`: that bracket, twice as wide, holds the
/// physical root and not the spurious one. If it does not bracket a root (a state far outside
/// the physical domain, such as a long step's prediction), the side reactions are taken at
/// `x_m`: finite, so the solver can shorten its step.
///
/// `guess`, the root at a nearby state (the same location's last residual: the next Newton
/// iterate, or a finite-difference column's perturbation), is where Newton's method starts
/// first; a root it reaches within `WARM_START_REACH` of the guess is on the guess's branch
/// (the branches meet only where both roots vanish), in 3 evaluations on average on the DFN
/// OKane2022's cycles, where the bracketed solve takes two Newton solves and a bracket check
/// (it was 23 % of that run's time, 12 % after). Anything else falls back to the bracketed
/// solve.
fn film_current(
    lr: f64,
    j0: f64,
    t: f64,
    main: impl Fn(f64) -> (f64, f64),
    side: impl Fn(f64, f64) -> f64,
    guess: Option<f64>,
) -> f64 {
    let h = 0.5 * F / (R_GAS * t);
    // d(bv)/d(eta) = j0 F/(RT) cosh(F eta / 2RT); the side reactions' share of the slope is
    // small on the physical branch and left out (the bisection safeguard keeps the bracket)
    let slope = |eta_r: f64| 1.0 + lr * 2.0 * j0 * h * (h * eta_r).cosh();
    let g = |x: f64| {
        let eta_f = -x * lr;
        let (jm, eta_r) = main(eta_f);
        (x - jm - side(eta_f, jm), slope(eta_r))
    };
    if let Some(x) = guess.and_then(|x0| warm_newton(x0, g)) {
        return x;
    }
    let (j_free, _) = main(0.0);
    let x_m = bracketed_newton(j_free.min(0.0), j_free.max(0.0), 0.0, |x| {
        let (jm, eta_r) = main(-x * lr);
        (x - jm, slope(eta_r))
    });
    let (g_m, _) = g(x_m);
    if !g_m.is_finite() || g_m.abs() <= 1e-15 * x_m.abs().max(1e-12) {
        return x_m;
    }
    let other = x_m - 2.0 * g_m;
    let (lo, hi) = if g_m > 0.0 {
        (other, x_m)
    } else {
        (x_m, other)
    };
    let (g_lo, g_hi) = (g(lo).0, g(hi).0);
    if !(g_lo <= 0.0 && g_hi >= 0.0) {
        return x_m;
    }
    bracketed_newton(lo, hi, x_m, g)
}

/// How far from its guess `film_current`'s warm start may land: 10 % of the guess (and 1 nA/m2
/// at rest). A step's states move the current by far less; a jump (a new experiment step, a
/// long step's prediction) takes the bracketed solve.
const WARM_START_REACH: f64 = 0.1;

/// Newton's method on `f` (value, slope) from `x0`, converged as `bracketed_newton`; None
/// when it does not converge in a few iterations, leaves `WARM_START_REACH` of `x0`, or
/// finds `f` decreasing between two iterates (the spurious branch, where the side reactions
/// turn `g` over: the slope `f` gives leaves them out).
fn warm_newton(x0: f64, f: impl Fn(f64) -> (f64, f64)) -> Option<f64> {
    if !x0.is_finite() {
        return None;
    }
    let reach = WARM_START_REACH * x0.abs() + 1e-9;
    let mut x = x0;
    let mut last: Option<(f64, f64)> = None;
    for _ in 0..6 {
        let (v, dv) = f(x);
        if let Some((xl, vl)) = last {
            if (v - vl) * (x - xl) <= 0.0 && v != vl {
                return None;
            }
        }
        if v == 0.0 {
            return Some(x);
        }
        // the secant through the last iterate where it is well resolved: `f`'s slope leaves
        // the side reactions out, and Newton's method then converges only linearly
        let slope = match last {
            Some((xl, vl)) if (x - xl).abs() > 1e-9 * x.abs() => (v - vl) / (x - xl),
            _ => dv,
        };
        let dx = -v / slope;
        if !dx.is_finite() || (x + dx - x0).abs() > reach {
            return None;
        }
        // (the secant's steps contract superlinearly: the last one taken, 1e-12 of x, leaves
        // x within round-off of the root)
        if dx.abs() <= 1e-12 * x.abs().max(1e-12) {
            return Some(x + dx);
        }
        last = Some((x, v));
        x += dx;
    }
    None
}

/// Root of an increasing `f` (value, slope) on `[lo, hi]` with `f(lo) <= 0 <= f(hi)`, from
/// `x0`: Newton's steps, a bisection where one would leave the bracket.
fn bracketed_newton(mut lo: f64, mut hi: f64, x0: f64, f: impl Fn(f64) -> (f64, f64)) -> f64 {
    let mut x = x0.clamp(lo, hi);
    for _ in 0..100 {
        let (v, dv) = f(x);
        if v == 0.0 {
            break;
        }
        if v > 0.0 {
            hi = x;
        } else {
            lo = x;
        }
        let dx = -v / dv;
        // converged: a Newton step below the tolerance (one below half an ulp leaves x where it
        // is, which must not read as leaving the bracket and restart a bisection)
        if dv.is_finite() && dx.abs() <= 1e-15 * x.abs().max(1e-12) {
            return x + dx;
        }
        let next = x + dx;
        x = if dv.is_finite() && next > lo && next < hi {
            next
        } else {
            0.5 * (lo + hi)
        };
        if hi - lo <= 1e-15 * x.abs().max(1e-12) {
            break;
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::models::Cell;
    use crate::sim::{params, OptionValue};
    use std::collections::BTreeMap;

    const T: f64 = 298.15;

    fn okane(options: &[(&str, &str)]) -> (Cell, Degradation) {
        let p = params::okane2022::parameter_values();
        let cell = Cell::new(&p).unwrap();
        let m: BTreeMap<String, OptionValue> = options
            .iter()
            .map(|(k, v)| (k.to_string(), (*v).into()))
            .collect();
        let opts = super::super::parse_options(&m, "dfn").unwrap();
        let d = Degradation::new(opts, &p, &cell).unwrap();
        (cell, d)
    }

    /// The physical root by a scan: g(x) = x - j - j_side is positive for large x (the
    /// film-free current and beyond) and, towards smaller x, crosses 0 upwards at the physical
    /// root before the SEI's growth with the main current turns it back up (the spurious root
    /// further on): the largest root, found by scanning down from the right and bisecting.
    /// Independent of `film_current`.
    fn scanned_root(d: &Degradation, s: &[f64], dphi: f64, u: f64, j0: f64, c_e: f64) -> f64 {
        let geo = d.geo0();
        let lr = d.l_sei(s, geo.a) * d.r_sei;
        let g = |x: f64| {
            let ef = -x * lr;
            let jm = bv(j0, dphi - u + ef, T);
            let side = Side {
                j_sei: d.j_sei(s, geo.a, dphi, jm, T),
                j_pl: d.j_plating(s, dphi + ef, c_e, T),
                j_cr: d.j_sei_cracks(s, geo, dphi, jm, T),
            };
            x - jm - side.total(geo)
        };
        let j_free = bv(j0, dphi - u, T);
        let mut hi = j_free.max(0.0) + 1.0;
        while g(hi) <= 0.0 {
            hi = 2.0 * hi + 1.0;
        }
        let lo = 2.0 * j_free.min(0.0) - 1.0;
        let n = 20_000;
        let mut prev = hi;
        for i in 1..=n {
            let x = hi + (lo - hi) * i as f64 / n as f64;
            if g(x) <= 0.0 {
                let (mut a, mut b) = (x, prev);
                for _ in 0..200 {
                    let m = 0.5 * (a + b);
                    if g(m) > 0.0 {
                        b = m;
                    } else {
                        a = m;
                    }
                }
                return 0.5 * (a + b);
            }
            prev = x;
        }
        panic!("no root between {lo} and {hi}");
    }

    /// The node of `cycle_198_charge_time_step_too_small_thick_film_keeps_the_physical_root`:
    /// its degradation, SEI state, phi_s - phi_e, OCP, exchange current and c_e.
    fn cycle_198_state() -> (Degradation, [f64; 1], f64, f64, f64, f64) {
        let (cell, d) = okane(&[("SEI", "reaction limited")]);
        let (c_e, c_surf) = (857.1269139836181, 15535.09361012247);
        let dphi = 1.5899987453600554e-5 - 0.03678195509237595;
        let u = cell.neg.u(c_surf / cell.neg.c_max, T, cell.t_ref);
        let j0 = cell.neg.j0(c_e, c_surf, T);
        (d, [833.8247267527564], dphi, u, j0, c_e)
    }

    /// The state at which the 500-cycle DFN OKane2022 run with reaction-limited SEI and a CV
    /// hold stopped ("time step became too small" in the 1C charge of cycle 198): the last
    /// negative node beside the separator, with a 208 nm film (c_sei 834 mol/m3), at the
    /// prediction whose residual was not finite. The film-free current (-8.8 A/m2) lies beyond
    /// where the SEI current turns g over (-8.4 A/m2): the earlier bracket [j_free, 0] failed
    /// there and its widening ran to an overflowing overpotential of 36.5 V.
    #[test]
    fn cycle_198_charge_time_step_too_small_thick_film_keeps_the_physical_root() {
        let (d, s, dphi, u, j0, c_e) = cycle_198_state();
        let geo = d.geo0();
        assert!((d.l_sei(&s, geo.a) - 2.08e-7).abs() < 1e-9);
        let (jm, eta_r, side) = d.node_currents(&s, geo, dphi, u, j0, c_e, T, 0.0, 0.0, None);
        assert!(jm.is_finite() && eta_r.is_finite() && side.j_sei.is_finite());
        // the film overpotential is that of the total current it carries
        let jt = jm + side.total(geo);
        let lr = d.l_sei(&s, geo.a) * d.r_sei;
        assert!((eta_r - (dphi - u - jt * lr)).abs() < 1e-12, "{eta_r}");
        // ... and it is the physical root: a charging current, a small SEI current
        let want = scanned_root(&d, &s, dphi, u, j0, c_e);
        assert!((jt - want).abs() < 1e-9 * want.abs(), "{jt} vs {want}");
        assert!((-2.0..-1.7).contains(&jt), "{jt}");
        assert!(eta_r.abs() < 0.2, "{eta_r}");
        assert!(side.j_sei < 0.0 && side.j_sei > -1e-3, "{}", side.j_sei);
    }

    /// Across charge and discharge overpotentials, film thicknesses from the initial 5 nm to
    /// 400 nm, exchange currents and side reactions (SEI alone, with plating, electron-migration
    /// SEI), the local solve returns the physical root, finite.
    #[test]
    fn the_film_current_is_the_physical_root_across_states() {
        let cases = [
            vec![("SEI", "reaction limited")],
            vec![
                ("SEI", "reaction limited"),
                ("lithium plating", "irreversible"),
            ],
            vec![
                ("SEI", "ec reaction limited"),
                ("lithium plating", "reversible"),
            ],
            vec![("SEI", "electron-migration limited")],
        ];
        let mut n = 0;
        for opts in &cases {
            let (_, d) = okane(opts);
            let mut s = d.initial();
            for c_sei in [d.c_sei0(), 120.0, 400.0, 834.0, 1600.0] {
                s[0] = c_sei;
                for over in [-0.3, -0.17, -0.05, -1e-4, 0.0, 1e-4, 0.05, 0.17, 0.3] {
                    for j0 in [0.05, 0.31, 2.0] {
                        let (dphi, u) = (over + 0.1, 0.1);
                        let (jm, eta_r, side) =
                            d.node_currents(&s, d.geo0(), dphi, u, j0, 1000.0, T, 0.0, 0.0, None);
                        let jt = jm + side.total(d.geo0());
                        assert!(
                            jt.is_finite() && eta_r.is_finite(),
                            "{opts:?} {c_sei} {over}"
                        );
                        let want = scanned_root(&d, &s, dphi, u, j0, 1000.0);
                        let tol = 1e-9 * want.abs().max(1e-6);
                        assert!(
                            (jt - want).abs() < tol,
                            "{opts:?} {c_sei} {over} {j0}: {jt} vs {want}"
                        );
                        n += 1;
                    }
                }
            }
        }
        assert_eq!(n, 4 * 5 * 9 * 3);
    }

    /// Started from a nearby root (the last residual's), the solve lands on the cold solve's
    /// root; from a guess far off (another state's current, the spurious branch of the
    /// cycle-198 state, a non-finite value) it falls back to the bracketed solve and still
    /// returns the physical root.
    #[test]
    fn a_warm_start_far_from_the_root_or_on_the_spurious_branch_returns_the_physical_root() {
        let (d, s, dphi, u, j0, c_e) = cycle_198_state();
        let geo = d.geo0();
        let total = |guess: Option<f64>| {
            let (jm, _, side) = d.node_currents(&s, geo, dphi, u, j0, c_e, T, 0.0, 0.0, guess);
            jm + side.total(geo)
        };
        let cold = total(None);
        let want = scanned_root(&d, &s, dphi, u, j0, c_e);
        assert!((cold - want).abs() < 1e-9 * want.abs(), "{cold} vs {want}");
        // the spurious root: below where the SEI current turns g over (-8.4 A/m2)
        let lr = d.l_sei(&s, geo.a) * d.r_sei;
        let g = |x: f64| {
            let (jm, _) = (bv(j0, dphi - u - x * lr, T), 0.0);
            let side = Side {
                j_sei: d.j_sei(&s, geo.a, dphi, jm, T),
                j_pl: 0.0,
                j_cr: 0.0,
            };
            x - jm - side.total(geo)
        };
        let (mut a, mut b) = (-8.4, -40.0);
        assert!(g(a) * g(b) < 0.0, "{} {}", g(a), g(b));
        for _ in 0..200 {
            let m = 0.5 * (a + b);
            if g(m) * g(a) > 0.0 {
                a = m;
            } else {
                b = m;
            }
        }
        let spurious = 0.5 * (a + b);
        for guess in [
            cold * (1.0 + 1e-6),
            cold * 0.97,
            0.0,
            -8.8,
            spurious * (1.0 + 1e-3),
            spurious * (1.0 + 1e-9),
            3.0,
            f64::NAN,
        ] {
            let got = total(Some(guess));
            assert!(
                (got - cold).abs() < 1e-12 * cold.abs(),
                "from {guess}: {got} vs {cold}"
            );
        }
    }

    /// Far outside the physical domain (a long step's prediction: potentials volts away, a
    /// micrometre film) the currents stay finite, so the solver can shorten the step.
    #[test]
    fn far_off_predictions_give_finite_currents() {
        let (_, d) = okane(&[("SEI", "reaction limited")]);
        let mut s = d.initial();
        for c_sei in [d.c_sei0(), 834.0, 4000.0] {
            s[0] = c_sei;
            for over in [-3.0, -1.0, -0.5, 0.5, 1.0, 3.0] {
                let (jm, eta_r, side) =
                    d.node_currents(&s, d.geo0(), over, 0.1, 0.31, 900.0, T, 0.0, 0.0, None);
                assert!(
                    jm.is_finite() && eta_r.is_finite() && side.j_sei.is_finite(),
                    "{c_sei} {over}: {jm} {eta_r} {side:?}"
                );
            }
        }
    }
}
