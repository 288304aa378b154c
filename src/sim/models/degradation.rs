//! Degradation side reactions on the negative electrode, as PyBaMM's submodels
//! (`pybamm.sei.SEIGrowth`, `pybamm.lithium_plating.Plating`, the SEI film resistance of the
//! kinetics), selected by PyBaMM's model options:
//!
//! - `"SEI"`: `"none"`, `"constant"`, `"reaction limited"`, `"reaction limited (asymmetric)"`,
//!   `"solvent-diffusion limited"`, `"electron-migration limited"`,
//!   `"interstitial-diffusion limited"`, `"ec reaction limited"`,
//!   `"ec reaction limited (asymmetric)"`;
//! - `"SEI film resistance"`: `"none"`, `"distributed"`, `"average"` (default: `"distributed"`
//!   when `"SEI"` is given and not `"none"`);
//! - `"lithium plating"`: `"none"`, `"irreversible"`, `"reversible"`, `"partially reversible"`
//!   (the last makes the default `"SEI"` `"constant"`, as PyBaMM does).
//!
//! The side reactions consume lithium: the total interfacial current density of the negative
//! electrode is `j_tot = j + j_sei + j_pl`, the particles exchange only the main-reaction `j`.
//! States (all bulk concentrations, mol.m-3 of electrode): the SEI concentration `c_sei`
//! (thickness `L = c_sei V_bar / a`), the plated and dead lithium concentrations.

mod film;

pub use super::degradation_options::{
    parse_options, Options, BOOL_VALUES, PLATING_VALUES, SEI_VALUES,
};
use super::mechanics::{Aging, ElectrodeAging};
use super::{Cell, F, R_GAS};
use crate::sim::params::{FnArgs, ParameterValues, Value};
use crate::sim::SimError;

/// SEI growth mechanism (PyBaMM's `"SEI"` option).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeiKind {
    Constant,
    ReactionLimited,
    SolventDiffusionLimited,
    ElectronMigrationLimited,
    InterstitialDiffusionLimited,
    EcReactionLimited,
}

/// Lithium plating model (PyBaMM's `"lithium plating"` option).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlatingKind {
    Irreversible,
    Reversible,
    PartiallyReversible,
}

/// How the SEI film resistance enters the main reaction overpotential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Film {
    None,
    /// `-R_sei L_sei(x) j_tot(x)` with the local total current (DFN: solved for locally).
    Distributed,
    /// `-R_sei <L_sei> I / (a L)`.
    Average,
}

/// Resolved parameters of the negative electrode's side reactions.
#[derive(Clone, Debug)]
pub struct Degradation {
    pub opts: Options,
    // SEI
    pub v_bar_sei: f64,
    pub j0_sei: f64,
    pub r_sei: f64,
    pub d_sol: f64,
    pub c_sol: f64,
    pub u_sei: f64,
    pub kappa_inner: f64,
    pub d_li: f64,
    pub c_li0: f64,
    pub l_sei0: f64,
    pub e_sei: f64,
    pub alpha_sei: f64,
    pub z_sei: f64,
    pub c_ec0: f64,
    pub d_ec: f64,
    pub k_sei: f64,
    // plating
    pub alpha_plating: f64,
    pub c_plated0: f64,
    pub j0_plating: Value,
    pub j0_stripping: Value,
    pub dead_decay: Value,
    /// Negative electrode surface area to volume ratio [m-1] (initial).
    pub a: f64,
    pub t_ref: f64,
    /// SEI on cracks: initial thickness [m].
    pub l_sei_cr0: f64,
    /// Particle mechanics and loss of active material of both electrodes.
    pub aging: Aging,
    /// Lithium metal partial molar volume [m3.mol-1] (porosity change with plating).
    pub v_bar_li: f64,
    /// PyBaMM's scale of the plated and dead lithium concentrations [mol.m-3] (its
    /// "Typical plated lithium concentration"; 1 where the set has none).
    pub c_li_typ: f64,
}

/// The geometry of the negative electrode at a location: particle surface area and crack
/// area per unit volume [m-1] (they change with LAM and cracking).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Geo {
    pub a: f64,
    pub a_cr: f64,
}

/// Side-reaction current densities at a location [A.m-2] (negative: lithium consumed): SEI
/// and plating per unit particle surface, SEI on cracks per unit crack surface.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Side {
    pub j_sei: f64,
    pub j_pl: f64,
    pub j_cr: f64,
}

impl Side {
    /// All side reactions per unit particle surface (what the main reaction gives up).
    pub fn total(&self, g: Geo) -> f64 {
        self.j_sei
            + self.j_pl
            + if g.a > 0.0 {
                g.a_cr / g.a * self.j_cr
            } else {
                0.0
            }
    }
}

fn need(p: &ParameterValues, name: &str, what: &str) -> Result<f64, SimError> {
    p.scalar(name)
        .map_err(|e| missing(e, name, what, "all degradation parameters"))
}

fn need_fn(p: &ParameterValues, name: &str, what: &str) -> Result<Value, SimError> {
    p.value(name)
        .map_err(|e| missing(e, name, what, "all degradation parameters"))
}

/// A parameter the option `what` needs and the set lacks: an unsupported option that names
/// it, and says that OKane2022 carries `carries`.
pub(super) fn missing(e: SimError, name: &str, what: &str, carries: &str) -> SimError {
    match e {
        SimError::UnknownParameter { .. } => SimError::UnsupportedOption {
            name: what.into(),
            value: name.into(),
            reason: format!("the parameter set has no {name:?} (OKane2022 carries {carries})"),
        },
        e => e,
    }
}

impl Degradation {
    /// Resolves the parameters the options need (an error names a missing one).
    pub fn new(opts: Options, p: &ParameterValues, cell: &Cell) -> Result<Degradation, SimError> {
        let mut d = Degradation {
            opts: opts.clone(),
            v_bar_sei: 1.0,
            j0_sei: 0.0,
            r_sei: 0.0,
            d_sol: 0.0,
            c_sol: 0.0,
            u_sei: 0.0,
            kappa_inner: 0.0,
            d_li: 0.0,
            c_li0: 0.0,
            l_sei0: 0.0,
            e_sei: 0.0,
            alpha_sei: 0.5,
            z_sei: 1.0,
            c_ec0: 0.0,
            d_ec: 1.0,
            k_sei: 0.0,
            alpha_plating: 0.5,
            c_plated0: 0.0,
            j0_plating: Value::Scalar(0.0),
            j0_stripping: Value::Scalar(0.0),
            dead_decay: Value::Scalar(0.0),
            a: cell.neg.a,
            t_ref: cell.t_ref,
            l_sei_cr0: 0.0,
            c_li_typ: 1.0,
            aging: Aging {
                el: [
                    ElectrodeAging::new(
                        p,
                        "Negative",
                        opts.mech[0],
                        opts.lam[0],
                        opts.stress_diffusion[0],
                        &cell.neg,
                    )?,
                    ElectrodeAging::new(
                        p,
                        "Positive",
                        opts.mech[1],
                        opts.lam[1],
                        opts.stress_diffusion[1],
                        &cell.pos,
                    )?,
                ],
            },
            v_bar_li: 0.0,
        };
        if opts.sei_on_cracks {
            d.l_sei_cr0 = need(p, "Initial SEI on cracks thickness [m]", "SEI on cracks")?;
        }
        if let Some((kind, asym)) = opts.sei {
            let w = "SEI";
            d.v_bar_sei = need(p, "SEI partial molar volume [m3.mol-1]", w)?;
            d.l_sei0 = need(p, "Initial SEI thickness [m]", w)?;
            d.z_sei = need(p, "Ratio of lithium moles to SEI moles", w)?;
            d.e_sei = p.scalar_or("SEI growth activation energy [J.mol-1]", 0.0)?;
            if opts.film != Film::None {
                d.r_sei = need(p, "SEI resistivity [Ohm.m]", w)?;
            }
            if asym {
                d.alpha_sei = need(p, "SEI growth transfer coefficient", w)?;
            }
            match kind {
                SeiKind::Constant => {}
                SeiKind::ReactionLimited => {
                    d.j0_sei = need(p, "SEI reaction exchange current density [A.m-2]", w)?;
                    d.u_sei = need(p, "SEI open-circuit potential [V]", w)?;
                    d.r_sei = need(p, "SEI resistivity [Ohm.m]", w)?;
                }
                SeiKind::SolventDiffusionLimited => {
                    d.d_sol = need(p, "SEI solvent diffusivity [m2.s-1]", w)?;
                    d.c_sol = need(p, "Bulk solvent concentration [mol.m-3]", w)?;
                }
                SeiKind::ElectronMigrationLimited => {
                    d.kappa_inner = need(p, "SEI electron conductivity [S.m-1]", w)?;
                    d.u_sei = need(p, "SEI open-circuit potential [V]", w)?;
                }
                SeiKind::InterstitialDiffusionLimited => {
                    d.d_li = need(p, "SEI lithium interstitial diffusivity [m2.s-1]", w)?;
                    d.c_li0 = need(
                        p,
                        "Lithium interstitial reference concentration [mol.m-3]",
                        w,
                    )?;
                }
                SeiKind::EcReactionLimited => {
                    d.c_ec0 = need(p, "EC initial concentration in electrolyte [mol.m-3]", w)?;
                    d.d_ec = need(p, "EC diffusivity [m2.s-1]", w)?;
                    d.k_sei = need(p, "SEI kinetic rate constant [m.s-1]", w)?;
                    d.u_sei = need(p, "SEI open-circuit potential [V]", w)?;
                    d.r_sei = need(p, "SEI resistivity [Ohm.m]", w)?;
                }
            }
        }
        if let Some(kind) = opts.plating {
            let w = "lithium plating";
            d.alpha_plating = need(p, "Lithium plating transfer coefficient", w)?;
            d.c_plated0 = need(p, "Initial plated lithium concentration [mol.m-3]", w)?;
            // (a solver scale only: the tolerances of sets without it stay absolute)
            d.c_li_typ = p
                .scalar("Typical plated lithium concentration [mol.m-3]")
                .unwrap_or(1.0);
            d.j0_plating = need_fn(p, "Exchange-current density for plating [A.m-2]", w)?;
            if kind != PlatingKind::Irreversible {
                d.j0_stripping = need_fn(p, "Exchange-current density for stripping [A.m-2]", w)?;
            }
            if kind == PlatingKind::PartiallyReversible {
                d.dead_decay = need_fn(p, "Dead lithium decay rate [s-1]", w)?;
                if d.l_sei0 == 0.0 {
                    d.l_sei0 = need(p, "Initial SEI thickness [m]", w)?;
                    d.v_bar_sei = need(p, "SEI partial molar volume [m3.mol-1]", w)?;
                }
            }
        }
        if (opts.sei_porosity || opts.plating_porosity) && opts.plating.is_some() {
            d.v_bar_li = need(
                p,
                "Lithium metal partial molar volume [m3.mol-1]",
                "lithium plating porosity change",
            )?;
        }
        Ok(d)
    }

    /// Number of side-reaction states at each location: [c_sei], [c_plated, c_dead] and
    /// [c_sei_cracks].
    pub fn n_states(&self) -> usize {
        usize::from(self.opts.sei.is_some())
            + 2 * usize::from(self.opts.plating.is_some())
            + usize::from(self.opts.sei_on_cracks)
    }

    /// Index of the SEI-on-cracks state within a location's states.
    fn cr_index(&self) -> usize {
        usize::from(self.opts.sei.is_some()) + 2 * usize::from(self.opts.plating.is_some())
    }

    /// Initial values of the states.
    pub fn initial(&self) -> Vec<f64> {
        let mut v = Vec::new();
        if self.opts.sei.is_some() {
            v.push(self.c_sei0());
        }
        if self.opts.plating.is_some() {
            v.push(self.c_plated0);
            v.push(0.0);
        }
        if self.opts.sei_on_cracks {
            v.push(self.c_sei_cr0());
        }
        v
    }

    /// PyBaMM's scales of the states (`initial`'s order), which scale their absolute
    /// tolerances: L_sei_0 a / V_bar for the SEI and the SEI on cracks (PyBaMM scales both
    /// by the SEI's), the typical plated lithium concentration for plated and dead lithium.
    /// In mol.m-3 under an absolute tolerance of 1e-6, plated lithium (0 at the start) and
    /// SEI on cracks (5e-13 m thick) would otherwise set the error test and the Newton
    /// iterations on amounts a million times below what they change the cell by.
    pub fn state_scales(&self) -> Vec<f64> {
        let sei = if self.v_bar_sei > 0.0 && self.l_sei0 > 0.0 {
            self.l_sei0 * self.a / self.v_bar_sei
        } else {
            1.0
        };
        let mut v = Vec::new();
        if self.opts.sei.is_some() {
            v.push(sei);
        }
        if self.opts.plating.is_some() {
            v.extend([self.c_li_typ, self.c_li_typ]);
        }
        if self.opts.sei_on_cracks {
            v.push(sei);
        }
        v
    }

    /// The geometry before any LAM or cracking.
    pub fn geo0(&self) -> Geo {
        let el = &self.aging.el[0];
        Geo {
            a: self.a,
            a_cr: self.a * el.crack_ratio(&el.initial()),
        }
    }

    /// Initial SEI concentration L_sei_0 a / V_bar [mol.m-3].
    pub fn c_sei0(&self) -> f64 {
        if self.opts.sei.is_some() {
            self.l_sei0 * self.a / self.v_bar_sei
        } else {
            0.0
        }
    }

    /// Initial SEI-on-cracks concentration L_sei_cr0 a / V_bar [mol.m-3] (PyBaMM's, with
    /// the particle surface's `a`).
    pub fn c_sei_cr0(&self) -> f64 {
        self.l_sei_cr0 * self.a / self.v_bar_sei
    }

    /// SEI thickness [m] of states `s` on a particle surface of `a` [m-1].
    pub fn l_sei(&self, s: &[f64], a: f64) -> f64 {
        if self.opts.sei.is_some() {
            s[0] * self.v_bar_sei / a
        } else {
            self.l_sei0
        }
    }

    /// SEI-on-cracks thickness [m].
    pub fn l_sei_cr(&self, s: &[f64], g: Geo) -> f64 {
        s[self.cr_index()] * self.v_bar_sei / g.a_cr
    }

    fn plated(&self, s: &[f64]) -> (f64, f64) {
        let o = usize::from(self.opts.sei.is_some());
        (s[o], s[o + 1])
    }

    /// Film overpotential eta_film = -R_sei L j_tot [V] (0 without film).
    pub fn film(&self, l_sei: f64, j_tot: f64) -> f64 {
        if self.opts.film == Film::None {
            0.0
        } else {
            -j_tot * l_sei * self.r_sei
        }
    }

    /// SEI interfacial current density [A.m-2] (negative: lithium consumed), PyBaMM's
    /// `SEIGrowth` with `delta_phi = phi_s - phi_e` and `j` the main (or, in the inverse
    /// kinetics of the SPM/SPMe, the total) interfacial current density.
    pub fn j_sei(&self, s: &[f64], a: f64, delta_phi: f64, j: f64, t: f64) -> f64 {
        self.j_sei_of(self.l_sei(s, a), delta_phi, j, t)
    }

    /// SEI current density on the cracks [A.m-2 of crack surface] (0 without SEI on cracks).
    pub fn j_sei_cracks(&self, s: &[f64], g: Geo, delta_phi: f64, j: f64, t: f64) -> f64 {
        if !self.opts.sei_on_cracks {
            return 0.0;
        }
        self.j_sei_of(self.l_sei_cr(s, g), delta_phi, j, t)
    }

    /// The SEI growth law for a film of thickness `l`.
    fn j_sei_of(&self, l: f64, delta_phi: f64, j: f64, t: f64) -> f64 {
        let Some((kind, _)) = self.opts.sei else {
            return 0.0;
        };
        let f_rt = F / (R_GAS * t);
        let eta_sei = delta_phi - self.u_sei - j * l * self.r_sei;
        let js = match kind {
            SeiKind::Constant => return 0.0,
            SeiKind::ReactionLimited => -self.j0_sei * (-self.alpha_sei * f_rt * eta_sei).exp(),
            SeiKind::ElectronMigrationLimited => {
                let eta_inner = delta_phi - self.u_sei;
                if eta_inner < 0.0 {
                    self.kappa_inner * eta_inner / l
                } else {
                    0.0
                }
            }
            SeiKind::InterstitialDiffusionLimited => {
                -(self.d_li * self.c_li0 * F / l) * (-f_rt * delta_phi).exp()
            }
            SeiKind::SolventDiffusionLimited => -self.d_sol * self.c_sol * F / l,
            SeiKind::EcReactionLimited => {
                let k_exp = self.k_sei * (-self.alpha_sei * f_rt * eta_sei).exp();
                -F * self.c_ec0 * k_exp / (1.0 + l / self.d_ec * k_exp)
            }
        };
        if t == self.t_ref || self.e_sei == 0.0 {
            js // the Arrhenius factor is exactly 1
        } else {
            js * (self.e_sei / R_GAS * (1.0 / self.t_ref - 1.0 / t)).exp()
        }
    }

    /// Lithium plating interfacial current density [A.m-2] (negative: plating) for the
    /// stripping overpotential `eta = delta_phi + eta_film`, electrolyte concentration `c_e`.
    pub fn j_plating(&self, s: &[f64], eta: f64, c_e: f64, t: f64) -> f64 {
        let Some(kind) = self.opts.plating else {
            return 0.0;
        };
        let (c_pl, _) = self.plated(s);
        let args = FnArgs {
            sto: 0.0,
            c_e: c_e.max(0.0),
            c_s_surf: c_pl.max(0.0),
            c_s_max: 0.0,
            t,
        };
        let f_rt = F / (R_GAS * t);
        let ap = self.alpha_plating;
        let plating = self.j0_plating.eval(&args) * (-f_rt * ap * eta).exp();
        match kind {
            PlatingKind::Irreversible => -plating,
            _ => self.j0_stripping.eval(&args) * (f_rt * (1.0 - ap) * eta).exp() - plating,
        }
    }

    /// Time derivatives of the states for side-reaction currents `side` on geometry `g`.
    pub fn rates(&self, s: &[f64], g: Geo, side: Side, out: &mut [f64]) {
        let mut o = 0;
        if self.opts.sei.is_some() {
            out[0] = -g.a * side.j_sei / (F * self.z_sei);
            o = 1;
        }
        if let Some(kind) = self.opts.plating {
            let src = -g.a * side.j_pl / F;
            let (c_pl, _) = self.plated(s);
            match kind {
                PlatingKind::Reversible => {
                    out[o] = src;
                    out[o + 1] = 0.0;
                }
                PlatingKind::Irreversible => {
                    out[o] = 0.0;
                    out[o + 1] = src;
                }
                PlatingKind::PartiallyReversible => {
                    let args = FnArgs {
                        sto: self.l_sei(s, g.a),
                        ..FnArgs::default()
                    };
                    let coupling = self.dead_decay.eval(&args) * c_pl;
                    out[o] = src - coupling;
                    out[o + 1] = coupling;
                }
            }
        }
        if self.opts.sei_on_cracks {
            out[self.cr_index()] = -g.a_cr * side.j_cr / (F * self.z_sei);
        }
    }

    /// Lithium held by the side reactions beyond their initial state, per unit electrode
    /// volume [mol.m-3]: z (c_sei - c_sei_0) + c_plated + c_dead - c_plated_0 (+ the SEI on
    /// cracks).
    pub fn lithium_lost(&self, s: &[f64]) -> f64 {
        let (a, b) = self.lithium_lost_split(s);
        a + b + self.lithium_lost_cracks(s)
    }

    /// Split of the lithium lost to the SEI and to plating [mol.m-3] (without the cracks').
    pub fn lithium_lost_split(&self, s: &[f64]) -> (f64, f64) {
        let sei = if self.opts.sei.is_some() {
            self.z_sei * (s[0] - self.c_sei0())
        } else {
            0.0
        };
        let pl = if self.opts.plating.is_some() {
            let (c_pl, c_dead) = self.plated(s);
            c_pl + c_dead - self.c_plated0
        } else {
            0.0
        };
        (sei, pl)
    }

    /// Lithium lost to the SEI on cracks [mol.m-3].
    pub fn lithium_lost_cracks(&self, s: &[f64]) -> f64 {
        if self.opts.sei_on_cracks {
            self.z_sei * (s[self.cr_index()] - self.c_sei_cr0())
        } else {
            0.0
        }
    }
}

impl Degradation {
    /// Width-weighted mean SEI thickness over nodes whose states (`n_states()` each) are
    /// stacked in `s`, on a particle surface of `a` [m-1].
    pub fn l_sei_mean(&self, s: &[f64], w: &[f64], a: f64) -> f64 {
        let nd = self.n_states();
        if self.opts.x_average {
            return self.l_sei(&s[..nd], a);
        }
        let mut l = 0.0;
        for (k, wk) in w.iter().enumerate() {
            l += self.l_sei(&s[k * nd..(k + 1) * nd], a) * wk;
        }
        l / w.iter().sum::<f64>()
    }

    /// Side reactions at nodes across the electrode with the x-averaged kinetics of the
    /// SPMe (PyBaMM's inverse kinetics with `"x-average side reactions": "false"`): the
    /// local surface potential difference `delta_phi[k]` (phi_s - phi_e of the composite
    /// potentials), `j_tot` the x-averaged total current, the film overpotential `eta_film`
    /// of the x-averaged thickness, the (x-averaged) geometry `g`. Writes the states' rates
    /// to `out` and the SEI on cracks' volumetric current `a_cr j_cr` [A.m-3] at each node to
    /// `crack_aj` when given, and returns the width-weighted means of the currents.
    #[allow(clippy::too_many_arguments)]
    pub fn nodes(
        &self,
        s: &[f64],
        g: Geo,
        delta_phi: impl Fn(usize) -> f64,
        j_tot: f64,
        eta_film: f64,
        c_e: &[f64],
        w: &[f64],
        t: f64,
        mut out: Option<&mut [f64]>,
        mut crack_aj: Option<&mut [f64]>,
    ) -> Side {
        let nd = self.n_states();
        // with "x-average side reactions" all nodes share one set of states, which grow with
        // the x-averaged currents
        let shared = self.opts.x_average;
        let (mut a, mut b, mut c, mut wsum) = (0.0, 0.0, 0.0, 0.0);
        for k in 0..w.len() {
            let sk = if shared {
                &s[..nd]
            } else {
                &s[k * nd..(k + 1) * nd]
            };
            let dphi = delta_phi(k);
            let side = Side {
                j_sei: self.j_sei(sk, g.a, dphi, j_tot, t),
                j_pl: self.j_plating(sk, dphi + eta_film, c_e[k], t),
                j_cr: self.j_sei_cracks(sk, g, dphi, j_tot, t),
            };
            if let (false, Some(o)) = (shared, out.as_deref_mut()) {
                self.rates(sk, g, side, &mut o[k * nd..(k + 1) * nd]);
            }
            if let Some(cr) = crack_aj.as_deref_mut() {
                cr[k] = g.a_cr * side.j_cr;
            }
            a += side.j_sei * w[k];
            b += side.j_pl * w[k];
            c += side.j_cr * w[k];
            wsum += w[k];
        }
        let mean = Side {
            j_sei: a / wsum,
            j_pl: b / wsum,
            j_cr: c / wsum,
        };
        if let (true, Some(o)) = (shared, out) {
            self.rates(&s[..nd], g, mean, &mut o[..nd]);
        }
        if let (true, Some(cr)) = (shared, crack_aj) {
            // shared states: the x-averaged current everywhere
            cr.iter_mut().for_each(|v| *v = g.a_cr * mean.j_cr);
        }
        mean
    }
}

/// Side-reaction currents of x-averaged (SPM, SPMe) kinetics, PyBaMM's inverse-kinetics
/// formulation: `eta_r` from inverting Butler–Volmer with the total current `j_tot`, the SEI
/// driven by `delta_phi = eta_r + U - eta_film` with `j = j_tot`, the main reaction
/// `j = j_tot - j_sei - j_pl - (a_cr / a) j_cr`.
#[derive(Clone, Copy, Debug, Default)]
pub struct XAvgSide {
    pub side: Side,
    /// Film overpotential (added to the voltage: V -= -eta_film).
    pub eta_film: f64,
}

impl Degradation {
    /// `eta_r` and `u` are the x-averaged reaction overpotential and OCP of the negative
    /// electrode, `j_tot` = I / (a L), `c_e` the electrolyte concentration the plating sees
    /// (one value per node of the negative electrode, averaged: plating rates are linear
    /// in their exchange-current densities), `g` the geometry.
    #[allow(clippy::too_many_arguments)]
    pub fn x_averaged(
        &self,
        s: &[f64],
        g: Geo,
        eta_r: f64,
        u: f64,
        j_tot: f64,
        c_e: &[f64],
        t: f64,
    ) -> XAvgSide {
        let l = self.l_sei(s, g.a);
        let eta_film = self.film(l, j_tot);
        let delta_phi = eta_r + u - eta_film;
        let j_sei = self.j_sei(s, g.a, delta_phi, j_tot, t);
        let j_pl = if self.opts.plating.is_some() {
            let eta = delta_phi + eta_film;
            c_e.iter()
                .map(|&c| self.j_plating(s, eta, c, t))
                .sum::<f64>()
                / c_e.len() as f64
        } else {
            0.0
        };
        let j_cr = self.j_sei_cracks(s, g, delta_phi, j_tot, t);
        XAvgSide {
            side: Side { j_sei, j_pl, j_cr },
            eta_film,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::OptionValue;
    use std::collections::BTreeMap;

    fn opts(pairs: &[(&str, &str)], model: &str) -> Result<Options, SimError> {
        let m: BTreeMap<String, OptionValue> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), (*v).into()))
            .collect();
        parse_options(&m, model)
    }

    #[test]
    fn defaults_follow_pybamm() {
        // no options: nothing
        assert!(opts(&[], "spme").unwrap().is_none());
        // an SEI brings the distributed film resistance
        let o = opts(&[("SEI", "reaction limited")], "dfn").unwrap();
        assert_eq!(o.sei, Some((SeiKind::ReactionLimited, false)));
        assert_eq!(o.film, Film::Distributed);
        assert!(!o.x_average);
        // plating alone: no SEI, no film
        let o = opts(&[("lithium plating", "irreversible")], "spm").unwrap();
        assert_eq!(o.sei, None);
        assert_eq!(o.film, Film::None);
        assert!(o.x_average);
        // partially reversible plating: a constant SEI (the dead-lithium decay reads its
        // thickness), still no film since "SEI" was not given
        let o = opts(&[("lithium plating", "partially reversible")], "dfn").unwrap();
        assert_eq!(o.sei, Some((SeiKind::Constant, false)));
        assert_eq!(o.film, Film::None);
        // case-insensitive values, explicit film
        let o = opts(
            &[
                ("SEI", "EC Reaction Limited"),
                ("SEI film resistance", "Average"),
            ],
            "spme",
        )
        .unwrap();
        assert_eq!(o.sei, Some((SeiKind::EcReactionLimited, false)));
        assert_eq!(o.film, Film::Average);
    }

    #[test]
    fn sei_currents_have_pybamm_signs_and_limits() {
        let p = crate::sim::params::okane2022::parameter_values();
        let cell = crate::sim::models::Cell::new(&p).unwrap();
        let t = 298.15;
        for kind in [
            "reaction limited",
            "solvent-diffusion limited",
            "electron-migration limited",
            "interstitial-diffusion limited",
            "ec reaction limited",
        ] {
            let o = opts(&[("SEI", kind)], "spm").unwrap();
            let d = Degradation::new(o, &p, &cell).unwrap();
            let s = d.initial();
            assert!((d.l_sei(&s, d.a) - 5e-9).abs() < 1e-20, "{kind}");
            // at a low electrode potential the SEI grows: negative current, positive rate
            let j = d.j_sei(&s, d.a, 0.1, 0.0, t);
            assert!(j < 0.0, "{kind}: {j}");
            let mut r = vec![0.0; 1];
            d.rates(
                &s,
                d.geo0(),
                Side {
                    j_sei: j,
                    ..Side::default()
                },
                &mut r,
            );
            assert!(r[0] > 0.0, "{kind}");
            // a thicker film grows more slowly
            let thick = [s[0] * 4.0];
            assert!(d.j_sei(&thick, d.a, 0.1, 0.0, t).abs() <= j.abs(), "{kind}");
        }
        // the electron-migration limit stops above the SEI's open-circuit potential
        let o = opts(&[("SEI", "electron-migration limited")], "spm").unwrap();
        let d = Degradation::new(o, &p, &cell).unwrap();
        assert_eq!(d.j_sei(&d.initial(), d.a, 0.5, 0.0, t), 0.0);
    }

    #[test]
    fn plating_is_a_cathodic_reaction() {
        let p = crate::sim::params::okane2022::parameter_values();
        let cell = crate::sim::models::Cell::new(&p).unwrap();
        let t = 278.15;
        let irr = Degradation::new(
            opts(&[("lithium plating", "irreversible")], "dfn").unwrap(),
            &p,
            &cell,
        )
        .unwrap();
        let s = irr.initial();
        // irreversible: always plating, faster below 0 V vs Li
        assert!(irr.j_plating(&s, -0.01, 1000.0, t) < irr.j_plating(&s, 0.05, 1000.0, t));
        assert!(irr.j_plating(&s, 0.05, 1000.0, t) < 0.0);
        let rev = Degradation::new(
            opts(&[("lithium plating", "reversible")], "dfn").unwrap(),
            &p,
            &cell,
        )
        .unwrap();
        // reversible: plated lithium is stripped well above 0 V; without plated lithium
        // there is nothing to strip
        let plated = [100.0, 0.0];
        let j = rev.j_plating(&plated, 0.15, 1000.0, t);
        assert!(j > 0.0, "{j}");
        assert!(rev.j_plating(&[0.0, 0.0], 0.15, 1000.0, t) < 0.0);
        let mut r = [0.0; 2];
        rev.rates(
            &plated,
            rev.geo0(),
            Side {
                j_pl: j,
                ..Side::default()
            },
            &mut r,
        );
        // stripping lowers the plated lithium; the reversible model has no dead lithium
        assert!(r[0] < 0.0 && r[1] == 0.0);
    }
}
