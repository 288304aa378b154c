//! Particle mechanics and loss of active material, as PyBaMM's submodels
//! (`particle_mechanics.SwellingOnly`, `particle_mechanics.CrackPropagation`,
//! `active_material.LossActiveMaterial`, the "stress-induced diffusion" of the particles),
//! selected per electrode by the options `"particle mechanics"` (`"swelling only"`,
//! `"swelling and cracking"`) and `"loss of active material"` (`"stress-driven"`,
//! `"reaction-driven"`, `"stress and reaction-driven"`).
//!
//! - Surface stresses (Ai 2019): radial 0, tangential `Omega E (c_rav - c_surf) / (3 (1 - nu))`.
//! - Cracks (Paris' law): `dl_cr/dt = k_cr(T) (sigma_t b_cr sqrt(pi l_cr))^m_cr / 3600` while
//!   the tangential stress is tensile; roughness `1 + 2 l_cr rho_cr w_cr`, crack area
//!   `(roughness - 1) a`.
//! - LAM: `deps_s/dt = -beta (max(sigma_h, 0) / sigma_c)^m + beta_sei a j_sei / F`, with
//!   `sigma_h = 2 sigma_t / 3`; the surface area `a = 3 eps_s / R` follows `eps_s`.
//! - Stress-induced diffusion: `D (1 + theta (c - c_0))`, `theta = Omega / (R T) 2 Omega E /
//!   (9 (1 - nu))` (PyBaMM's default whenever a particle mechanics model is on).
//!
//! States per location (x-averaged in the SPM and SPMe, as PyBaMM): `[eps_s]` with LAM,
//! then `[l_cr / l_cr0]` with cracking. The crack length is held relative to its initial value
//! (PyBaMM scales it so too): in metres (2e-8 m) it would sit far below the integrator's
//! absolute tolerance (1e-6), which would then neither control its error nor converge its
//! Newton iterations, and the cracks (and the SEI on them) would follow the step sizes.

use super::degradation::{Degradation, Geo};
use super::{Cell, Sphere, F, R_GAS};
use crate::sim::params::{FnArgs, ParameterValues, Value};
use crate::sim::SimError;

/// Relative tolerance of runs with stress-driven degradation (LAM, cracking): their rates
/// follow the stresses, differences of particle concentrations (c_rav - c_surf: a few
/// mol.m-3 out of ~40 000 in an NMC whose stress-induced diffusion flattens its profile),
/// which the default tolerances blur by ~8 % (measured against PyBaMM at rtol 1e-8).
pub const STRESS_RTOL: f64 = 1e-6;

/// The particle mechanics model of one electrode (PyBaMM's `"particle mechanics"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mech {
    None,
    SwellingOnly,
    SwellingAndCracking,
}

/// The loss-of-active-material drivers of one electrode (PyBaMM's
/// `"loss of active material"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LamKind {
    pub stress: bool,
    pub reaction: bool,
}

impl LamKind {
    pub fn is_none(&self) -> bool {
        !self.stress && !self.reaction
    }
}

/// PyBaMM's values of `"particle mechanics"`.
pub const MECHANICS_VALUES: &[&str] = &["none", "swelling only", "swelling and cracking"];
/// PyBaMM's values of `"loss of active material"` that battbot solves.
pub const LAM_VALUES: &[&str] = &[
    "none",
    "stress-driven",
    "reaction-driven",
    "stress and reaction-driven",
];

impl Mech {
    pub fn from_index(i: usize) -> Mech {
        [Mech::None, Mech::SwellingOnly, Mech::SwellingAndCracking][i]
    }
}

impl LamKind {
    pub fn from_index(i: usize) -> LamKind {
        LamKind {
            stress: i == 1 || i == 3,
            reaction: i == 2 || i == 3,
        }
    }
}

/// One electrode's resolved mechanics and LAM parameters.
#[derive(Clone, Debug)]
pub struct ElectrodeAging {
    pub mech: Mech,
    pub lam: LamKind,
    /// Stress-induced diffusion in this electrode's particles.
    pub stress_diffusion: bool,
    /// Omega E / (3 (1 - nu)) [Pa.m3.mol-1].
    pub stress_k: f64,
    /// Omega 2 Omega E / (9 (1 - nu) R) [K.m3.mol-1]: theta = this / T.
    pub theta_k: f64,
    /// Reference concentration for free of deformation [mol.m-3].
    pub c_0: f64,
    pub l_cr0: f64,
    pub w_cr: f64,
    pub rho_cr: f64,
    pub b_cr: f64,
    pub m_cr: f64,
    pub k_cr: Value,
    pub beta_lam: Value,
    pub m_lam: f64,
    pub stress_critical: f64,
    pub beta_lam_sei: f64,
    /// Initial active material volume fraction and particle radius [m].
    pub eps_s0: f64,
    pub rad: f64,
}

/// What OKane2022 carries, for the error naming a missing parameter.
const CARRIES: &str = "the mechanics and LAM parameters";

fn need(p: &ParameterValues, name: &str, what: &str) -> Result<f64, SimError> {
    p.scalar(name)
        .map_err(|e| super::degradation::missing(e, name, what, CARRIES))
}

fn need_fn(p: &ParameterValues, name: &str, what: &str) -> Result<Value, SimError> {
    p.value(name)
        .map_err(|e| super::degradation::missing(e, name, what, CARRIES))
}

impl ElectrodeAging {
    /// Resolves the parameters of electrode `dom` ("Negative" or "Positive").
    pub fn new(
        p: &ParameterValues,
        dom: &str,
        mech: Mech,
        lam: LamKind,
        stress_diffusion: bool,
        el: &super::Electrode,
    ) -> Result<ElectrodeAging, SimError> {
        let mut a = ElectrodeAging {
            mech,
            lam,
            stress_diffusion,
            stress_k: 0.0,
            theta_k: 0.0,
            c_0: 0.0,
            l_cr0: 0.0,
            w_cr: 0.0,
            rho_cr: 0.0,
            b_cr: 0.0,
            m_cr: 0.0,
            k_cr: Value::Scalar(0.0),
            beta_lam: Value::Scalar(0.0),
            m_lam: 0.0,
            stress_critical: 1.0,
            beta_lam_sei: 0.0,
            eps_s0: el.eps_s,
            rad: el.rad,
        };
        let n = |s: &str| format!("{dom} electrode {s}");
        let w = if lam.stress || mech != Mech::None || stress_diffusion {
            "particle mechanics"
        } else {
            "loss of active material"
        };
        if mech != Mech::None || lam.stress || stress_diffusion {
            let omega = need(p, &n("partial molar volume [m3.mol-1]"), w)?;
            let e = need(p, &n("Young's modulus [Pa]"), w)?;
            let nu = need(p, &n("Poisson's ratio"), w)?;
            a.c_0 = need(
                p,
                &n("reference concentration for free of deformation [mol.m-3]"),
                w,
            )?;
            a.stress_k = omega * e / (3.0 * (1.0 - nu));
            a.theta_k = omega / R_GAS * (2.0 * omega * e) / (9.0 * (1.0 - nu));
        }
        if mech == Mech::SwellingAndCracking {
            let w = "particle mechanics";
            a.l_cr0 = need(p, &n("initial crack length [m]"), w)?;
            if !(a.l_cr0 > 0.0 && a.l_cr0.is_finite()) {
                // Paris' law grows a crack from its length: none would never grow
                return Err(SimError::BadParameterValue {
                    name: n("initial crack length [m]"),
                    value: a.l_cr0,
                });
            }
            a.w_cr = need(p, &n("initial crack width [m]"), w)?;
            a.rho_cr = need(p, &n("number of cracks per unit area [m-2]"), w)?;
            a.b_cr = need(p, &n("Paris' law constant b"), w)?;
            a.m_cr = need(p, &n("Paris' law constant m"), w)?;
            a.k_cr = need_fn(p, &n("cracking rate"), w)?;
        }
        if lam.stress {
            let w = "loss of active material";
            a.beta_lam = need_fn(p, &n("LAM constant proportional term [s-1]"), w)?;
            a.m_lam = need(p, &n("LAM constant exponential term"), w)?;
            a.stress_critical = need(p, &n("critical stress [Pa]"), w)?;
        }
        if lam.reaction {
            a.beta_lam_sei = need(
                p,
                &n("reaction-driven LAM factor [m3.mol-1]"),
                "loss of active material",
            )?;
        }
        Ok(a)
    }

    /// Number of states at a location: eps_s (LAM), l_cr / l_cr0 (cracking).
    pub fn n_states(&self) -> usize {
        usize::from(!self.lam.is_none()) + usize::from(self.mech == Mech::SwellingAndCracking)
    }

    pub fn initial(&self) -> Vec<f64> {
        let mut v = Vec::new();
        if !self.lam.is_none() {
            v.push(self.eps_s0);
        }
        if self.mech == Mech::SwellingAndCracking {
            v.push(1.0); // l_cr / l_cr0
        }
        v
    }

    /// Active material volume fraction of states `s`.
    pub fn eps_s(&self, s: &[f64]) -> f64 {
        if self.lam.is_none() {
            self.eps_s0
        } else {
            s[0]
        }
    }

    /// Surface area to volume ratio 3 eps_s / R [m-1].
    pub fn a(&self, s: &[f64]) -> f64 {
        3.0 * self.eps_s(s) / self.rad
    }

    /// Crack length [m] (the initial one without cracking).
    pub fn l_cr(&self, s: &[f64]) -> f64 {
        if self.mech == Mech::SwellingAndCracking {
            s[usize::from(!self.lam.is_none())] * self.l_cr0
        } else {
            self.l_cr0
        }
    }

    /// Roughness ratio minus one: crack area / particle surface area.
    pub fn crack_ratio(&self, s: &[f64]) -> f64 {
        if self.mech == Mech::SwellingAndCracking {
            2.0 * self.l_cr(s) * self.rho_cr * self.w_cr
        } else {
            0.0
        }
    }

    /// Tangential stress at the particle surface [Pa] from the particle's volume-averaged
    /// and surface concentrations.
    pub fn stress_t(&self, c_rav: f64, c_surf: f64) -> f64 {
        self.stress_k * (c_rav - c_surf)
    }

    /// The stress-induced diffusion factor 1 + theta (c - c_0) at temperature `t`.
    #[inline]
    pub fn diffusion_factor(&self, c: f64, t: f64) -> f64 {
        if self.stress_diffusion {
            1.0 + self.theta_k / t * (c - self.c_0)
        } else {
            1.0
        }
    }

    /// Rates of the states for surface tangential stress `stress_t`, volumetric SEI current
    /// `a_j_sei` [A.m-3] (negative: lithium consumed) and temperature `t`.
    pub fn rates(&self, s: &[f64], stress_t: f64, a_j_sei: f64, t: f64, out: &mut [f64]) {
        let mut o = 0;
        if !self.lam.is_none() {
            let mut d = 0.0;
            if self.lam.stress {
                let args = FnArgs {
                    t,
                    ..FnArgs::default()
                };
                let sh = (2.0 * stress_t / 3.0).max(0.0);
                d -= self.beta_lam.eval(&args) * (sh / self.stress_critical).powf(self.m_lam);
            }
            if self.lam.reaction {
                d += self.beta_lam_sei * a_j_sei / F;
            }
            out[0] = d;
            o = 1;
        }
        if self.mech == Mech::SwellingAndCracking {
            let l = self.l_cr(s);
            out[o] = if stress_t >= 0.0 {
                let args = FnArgs {
                    t,
                    ..FnArgs::default()
                };
                let dk = stress_t * self.b_cr * (std::f64::consts::PI * l.max(0.0)).sqrt();
                // d(l_cr / l_cr0)/dt
                self.k_cr.eval(&args) * dk.powf(self.m_cr) / 3600.0 / self.l_cr0
            } else {
                0.0
            };
        }
    }
}

/// Both electrodes' mechanics and LAM (`[negative, positive]`).
#[derive(Clone, Debug)]
pub struct Aging {
    pub el: [ElectrodeAging; 2],
}

impl Aging {
    /// Number of states of one location of each electrode.
    pub fn n_states(&self) -> [usize; 2] {
        [self.el[0].n_states(), self.el[1].n_states()]
    }

    pub fn is_none(&self) -> bool {
        self.el
            .iter()
            .all(|e| e.mech == Mech::None && e.lam.is_none() && !e.stress_diffusion)
    }

    /// Whether any electrode has a state (LAM or cracks).
    pub fn has_states(&self) -> bool {
        self.n_states().iter().sum::<usize>() > 0
    }
}

/// Marks the particles whose diffusion the stresses modify (stress-induced diffusion): their
/// diffusivity then depends on the concentration (`particle_rhs`).
pub fn apply_stress_diffusion(cell: &mut Cell, aging: &Aging) {
    for (el, ag) in [(&mut cell.neg, &aging.el[0]), (&mut cell.pos, &aging.el[1])] {
        if ag.stress_diffusion {
            el.stress_theta_k = ag.theta_k;
            el.stress_c0 = ag.c_0;
            el.d_varies = true;
        }
    }
}

/// The x-averaged mechanics/LAM states of the single-particle models (SPM, SPMe, as PyBaMM's
/// x-averaged submodels): where they sit among the unknowns (the negative electrode's, then
/// the positive's) and what they drive, the surface areas, the active material left, the
/// lithium in the particles, and their rates from the particles' stresses. The particles are
/// the first unknowns: the negative's `sph.len()` nodes, then the positive's.
#[derive(Clone, Copy, Debug, Default)]
pub struct XAvgAging {
    /// Index of the negative electrode's first state.
    offset: usize,
    /// Number of states of each electrode.
    n: [usize; 2],
}

impl XAvgAging {
    /// The states of `deg`'s mechanics and LAM, from unknown `offset` on.
    pub fn new(deg: Option<&Degradation>, offset: usize) -> XAvgAging {
        XAvgAging {
            offset,
            n: deg.map_or([0, 0], |d| d.aging.n_states()),
        }
    }

    /// Number of states of both electrodes.
    pub fn n_states(&self) -> usize {
        self.n[0] + self.n[1]
    }

    /// The states of electrode `e` (0 negative, 1 positive).
    pub fn range(&self, e: usize) -> std::ops::Range<usize> {
        let o = self.offset + if e == 1 { self.n[0] } else { 0 };
        o..o + self.n[e]
    }

    /// Writes the states' initial values into the state vector `y`.
    pub fn initial(&self, d: &Degradation, y: &mut [f64]) {
        for e in 0..2 {
            y[self.range(e)].copy_from_slice(&d.aging.el[e].initial());
        }
    }

    /// Surface areas per volume (a_n, a_p) [m-1] and the negative electrode's geometry: they
    /// follow the active material with LAM, the cracks with cracking.
    pub fn areas(&self, cell: &Cell, deg: Option<&Degradation>, y: &[f64]) -> (f64, f64, Geo) {
        match deg {
            Some(d) if d.aging.has_states() => {
                let (sn, sp) = (&y[self.range(0)], &y[self.range(1)]);
                let an = d.aging.el[0].a(sn);
                let g = Geo {
                    a: an,
                    a_cr: an * d.aging.el[0].crack_ratio(sn),
                };
                (an, d.aging.el[1].a(sp), g)
            }
            Some(d) => (cell.neg.a, cell.pos.a, d.geo0()),
            None => (
                cell.neg.a,
                cell.pos.a,
                Geo {
                    a: cell.neg.a,
                    a_cr: 0.0,
                },
            ),
        }
    }

    /// Fraction of each electrode's active material left (1 without LAM).
    pub fn active_fraction(&self, deg: Option<&Degradation>, y: &[f64]) -> [f64; 2] {
        match deg {
            Some(d) => [0, 1].map(|e| {
                let ag = &d.aging.el[e];
                ag.eps_s(&y[self.range(e)]) / ag.eps_s0
            }),
            None => [1.0, 1.0],
        }
    }

    /// Lithium in both particles [mol]: with LAM it leaves with the active material.
    pub fn lithium_in_particles(
        &self,
        cell: &Cell,
        sph: &Sphere,
        deg: Option<&Degradation>,
        y: &[f64],
    ) -> f64 {
        let [fn_, fp] = self.active_fraction(deg, y);
        if fn_ == 1.0 && fp == 1.0 {
            return super::single_particles_lithium(cell, sph, y);
        }
        let nr = sph.len();
        let vn = cell.neg.eps_s * fn_ * cell.neg.l * cell.area;
        let vp = cell.pos.eps_s * fp * cell.pos.l * cell.area;
        sph.average(&y[..nr]) * vn + sph.average(&y[nr..2 * nr]) * vp
    }

    /// Writes the states' rates into `out` (the whole rate vector): each electrode's
    /// mechanics and LAM driven by its x-averaged particle's surface stress, reaction-driven
    /// LAM in the negative electrode by the volumetric SEI current `a_j_sei_n` [A.m-3].
    pub fn rates(
        &self,
        d: &Degradation,
        sph: &Sphere,
        y: &[f64],
        a_j_sei_n: f64,
        t: f64,
        out: &mut [f64],
    ) {
        let nr = sph.len();
        for (e, cs) in [(0, &y[..nr]), (1, &y[nr..2 * nr])] {
            let ag = &d.aging.el[e];
            if ag.n_states() == 0 {
                continue;
            }
            let stress = ag.stress_t(sph.average(cs), sph.surface(cs));
            let a_j_sei = if e == 0 { a_j_sei_n } else { 0.0 };
            let r = self.range(e);
            ag.rates(&y[r.clone()], stress, a_j_sei, t, &mut out[r]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aging(mech: Mech, lam: LamKind) -> ElectrodeAging {
        let p = crate::sim::params::okane2022::parameter_values();
        let cell = Cell::new(&p).unwrap();
        ElectrodeAging::new(&p, "Negative", mech, lam, true, &cell.neg).unwrap()
    }

    #[test]
    fn stresses_follow_ai2019() {
        let a = aging(Mech::SwellingOnly, LamKind::default());
        // Omega E / (3 (1 - nu)) for graphite: 3.1e-6 * 15e9 / 2.1
        assert!((a.stress_k - 3.1e-6 * 15e9 / 2.1).abs() < 1e-6);
        // a particle whose surface is emptier than its bulk is in tension
        assert!(a.stress_t(20000.0, 18000.0) > 0.0);
        // stress-induced diffusion raises the diffusivity with the concentration
        assert!(a.diffusion_factor(20000.0, 298.15) > a.diffusion_factor(10000.0, 298.15));
        assert_eq!(a.n_states(), 0);
    }

    #[test]
    fn tension_cracks_and_removes_active_material_compression_does_not() {
        let a = aging(
            Mech::SwellingAndCracking,
            LamKind {
                stress: true,
                reaction: false,
            },
        );
        let s = a.initial();
        assert_eq!(s.len(), 2);
        assert!((a.crack_ratio(&s) - 2.0 * 2e-8 * 3.18e15 * 1.5e-8).abs() < 1e-12);
        let mut r = [0.0; 2];
        a.rates(&s, 5e7, 0.0, 298.15, &mut r);
        assert!(r[0] < 0.0 && r[1] > 0.0, "{r:?}");
        a.rates(&s, -5e7, 0.0, 298.15, &mut r);
        assert_eq!(r, [0.0, 0.0]);
    }
}
