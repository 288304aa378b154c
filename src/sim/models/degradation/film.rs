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
    /// negative electrode volumetric interfacial current densities".
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
                let jt = film_current(lr, j0, t, main, |ef, jm| side(ef, jm).total(geo));
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
/// `x_m`: finite, and continuous wherever a physical root exists.
fn film_current(
    lr: f64,
    j0: f64,
    t: f64,
    main: impl Fn(f64) -> (f64, f64),
    side: impl Fn(f64, f64) -> f64,
) -> f64 {
    let h = 0.5 * F / (R_GAS * t);
    // d(bv)/d(eta) = j0 F/(RT) cosh(F eta / 2RT); the side reactions' share of the slope is
    // small on the physical branch and left out (the bisection safeguard keeps the bracket)
    let slope = |eta_r: f64| 1.0 + lr * 2.0 * j0 * h * (h * eta_r).cosh();
    let (j_free, _) = main(0.0);
    let x_m = bracketed_newton(j_free.min(0.0), j_free.max(0.0), 0.0, |x| {
        let (jm, eta_r) = main(-x * lr);
        (x - jm, slope(eta_r))
    });
    let g = |x: f64| {
        let eta_f = -x * lr;
        let (jm, eta_r) = main(eta_f);
        (x - jm - side(eta_f, jm), slope(eta_r))
    };
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
        let mut next = x - v / dv;
        if !(next > lo && next < hi && next.is_finite()) {
            next = 0.5 * (lo + hi);
        }
        let step = next - x;
        x = next;
        if step.abs() <= 1e-15 * x.abs().max(1e-12) || hi - lo <= 1e-15 * x.abs() {
            break;
        }
    }
    x
}
