//! Doyle–Fuller–Newman model (PyBaMM's `DFN`, default options): a particle at every
//! electrode node, electrolyte diffusion and conduction (concentrated solution theory),
//! solid-phase conduction, symmetric Butler–Volmer kinetics; solved as an index-1 DAE with the
//! unknowns interleaved node by node so the Jacobian is banded. With degradation options, the
//! side reactions, particle mechanics, loss of active material and porosity change at every
//! node (see `dfn::aging`).

#![allow(clippy::needless_range_loop)]

mod aging;
mod diffusivity;
#[cfg(test)]
mod tests;
mod variables;

use super::super::solver::Condensation;
use super::super::Mesh;
use super::degradation::{Degradation, Film, Geo, Side};
use super::sphere::ShellCache;
use super::{
    bv, electrolyte_rhs, particle_rhs, thermal, Cell, Layout, Model, Scratch, Sphere, XMesh, F,
};
use diffusivity::DiffTable;

/// Relative tolerance of DFN runs with stress-driven degradation (LAM, cracking) on the
/// default mesh (long runs keep `mechanics::STRESS_RTOL`). On the four DFN O'Kane 2022
/// references (`tests/it/sim_okane_dfn.rs`, PyBaMM at rtol 1e-8) every degradation mode stays
/// within 0.07 % of PyBaMM's at 1e-5 (0.025 % at 1e-6), in half the time steps.
pub const DFN_STRESS_RTOL: f64 = 1e-5;

/// The discretised DFN.
pub struct Dfn {
    pub cell: Cell,
    sph: Sphere,
    pub xm: XMesh,
    lumped: bool,
    mass: Vec<f64>,
    rho_cp: f64,
    /// Offset of each x-node's block.
    off: Vec<usize>,
    n_model: usize,
    lx2: f64,
    /// Degradation hook: side reactions at each negative-electrode node, their states after
    /// the node's phi_s.
    deg: Option<Degradation>,
    nd: usize,
    /// Mechanics/LAM states per node of each electrode (after the side reactions' states).
    na: [usize; 2],
    /// Reaction-driven porosity change: the electrolyte state is then eps c_e.
    porosity: bool,
    /// `rhs`'s fields, kept between calls. Every entry `fields` writes it writes on each
    /// call; the others keep their initial values.
    scratch: Scratch<Fields>,
}

/// Per-node quantities computed once per residual evaluation.
struct Fields {
    ce: Vec<f64>,
    phie: Vec<f64>,
    phis: Vec<f64>, // NaN in the separator
    csurf: Vec<f64>,
    aj: Vec<f64>,
    eta: Vec<f64>,
    u: Vec<f64>,
    ie: Vec<f64>,  // edges
    is_: Vec<f64>, // edges (electrode-local, see rhs)
    sig: Vec<f64>, // effective solid conductivity at electrode nodes
    /// Main-reaction interfacial current density (what the particles exchange) [A.m-2].
    jm: Vec<f64>,
    /// Side-reaction current densities (SEI, plating, SEI on cracks) at negative nodes.
    side: Vec<Side>,
    /// Surface area per volume of each electrode node [m-1] (follows LAM).
    a: Vec<f64>,
    /// The negative nodes' geometry (surface and crack areas).
    geo: Vec<Geo>,
    /// Porosity and Bruggeman transport efficiency of each node (vary with porosity change).
    eps: Vec<f64>,
    tor: Vec<f64>,
    // work space of `rhs`
    kt: Vec<f64>,
    chi: Vec<f64>,
    temp: Vec<f64>,
    work: Vec<f64>,
    dce: Vec<f64>,
    /// grad phi_e on the edges (heat)
    gpe: Vec<f64>,
    /// Each node's particle's last diffusivity evaluations (see `DiffMemo`).
    memo: Vec<DiffMemo>,
    /// The electrodes' tabulated diffusivities of isothermal runs with finite-volume
    /// particles (see `Dfn::diff_tables`), and the temperature they were tried at.
    tables: [Option<DiffTable>; 2],
    tables_t: f64,
    /// Each node's last kinetics and transport properties (see `NodeMemo`).
    node: Vec<NodeMemo>,
}

/// A node's kinetics and transport properties of the last residual, with the inputs they
/// were computed from. The finite-difference Jacobian evaluates the residual once per colour,
/// and a colour moves the inputs of a third of the nodes at most (of none, for a particle's
/// interior nodes): the others take their open-circuit potential, exchange and side-reaction
/// currents (the distributed film's current is an iterative solve per node) and their
/// electrolyte and solid conductivities from here, bit for bit what they would recompute.
#[derive(Clone, Copy, Default)]
struct NodeMemo {
    /// csurf, c_e, phi_s - phi_e, T, a, crack area, j_tot_av, l_sei_av, side states (4 at most).
    kin_key: Option<[u64; 12]>,
    u: f64,
    eta: f64,
    aj: f64,
    jm: f64,
    side: Side,
    /// c_e, T -> kappa_e, chi.
    el_key: Option<[u64; 2]>,
    kappa: f64,
    chi: f64,
    /// csurf, T, eps -> sigma.
    sig_key: Option<[u64; 3]>,
    sig: f64,
    /// The total interfacial current density of the last evaluation with a distributed SEI
    /// film, where the next film solve starts (see `degradation::film`); None after
    /// `initial_state`, so every solve starts alike.
    film: Option<f64>,
    /// stress, a j_sei, T, mechanics/LAM states -> their rates (see `Dfn::aging_rates`).
    aging_key: Option<[u64; 5]>,
    aging: [f64; 2],
    /// porosity -> Bruggeman transport efficiency (with porosity change).
    tor_key: Option<u64>,
    tor: f64,
}

/// The bits of `v` (NaN and signed zeros compare as different inputs).
fn bits<const N: usize>(v: [f64; N]) -> [u64; N] {
    v.map(f64::to_bits)
}

/// A particle's rows of the last residual, with what they were computed from. The
/// finite-difference Jacobian evaluates the residual once per colour, and most colours move no
/// particle node, or a third of one particle's shells: rows at the same concentrations and
/// temperature are taken from here, bit for bit the same. A stoichiometry-dependent
/// diffusivity (ORegan2022's sums of exponentials) at every shell of every particle is
/// otherwise most of the DFN's residual. Finite-volume shells keep their last concentrations,
/// diffusivities and rows (`Sphere::rhs_cached`, at temperature `t`), and recompute only the
/// rows next to the shells that moved; polynomial particles keep their rows without the
/// surface flux, keyed on the bits of their concentrations and temperature.
#[derive(Default)]
struct DiffMemo {
    t: f64,
    shells: ShellCache,
    rows_key: Vec<u64>,
    rows: Vec<f64>,
}

/// The particle diffusivity of `el` at concentration `v` and temperature `t`, as
/// `particle_rhs` takes it: stress-induced diffusion (see `mechanics`) on the diffusivity,
/// which is constant where it does not vary.
/// `table`, when given, stands for `el.diff` (see `Dfn::diff_tables`).
fn particle_d<'a>(
    el: &'a super::Electrode,
    t: f64,
    table: Option<&'a DiffTable>,
) -> impl Fn(f64) -> f64 + 'a {
    let d0 = (!el.d_varies).then(|| el.diff(0.5, t));
    move |v: f64| {
        let d = match (d0, table) {
            (Some(d), _) => d,
            (None, Some(tb)) => tb.at(v),
            (None, None) => el.diff(v / el.c_max, t),
        };
        el.stressed(v, d, t)
    }
}

/// `particle_rhs` by way of the particle's `memo`.
#[allow(clippy::too_many_arguments)]
fn particle_rhs_memo(
    sph: &Sphere,
    el: &super::Electrode,
    c: &[f64],
    flux: f64,
    t: f64,
    dcdt: &mut [f64],
    memo: &mut DiffMemo,
    table: Option<&DiffTable>,
) {
    if sph.is_fv() {
        // shells: only the rows next to the shells that moved are recomputed
        let fresh = memo.t != t;
        memo.t = t;
        let d = particle_d(el, t, table);
        return sph.rhs_cached(d, el.rad, c, flux, dcdt, &mut memo.shells, fresh);
    }
    // polynomial particles: the rows without the surface flux, kept with the concentrations
    // and temperature they were computed from (most colours move neither), then the flux
    let tail = [t];
    let inputs = || c.iter().chain(&tail).map(|v| v.to_bits());
    if memo.rows_key.len() != c.len() + 1 || !inputs().eq(memo.rows_key.iter().copied()) {
        memo.rows.resize(c.len(), 0.0);
        particle_rhs(sph, el, c, 0.0, t, &mut memo.rows);
        memo.rows_key.clear();
        memo.rows_key.extend(inputs());
    }
    dcdt.copy_from_slice(&memo.rows);
    sph.add_surface_flux(el.rad, flux, dcdt);
}

impl Fields {
    fn new(nx: usize, nn: usize) -> Fields {
        Fields {
            ce: vec![0.0; nx],
            phie: vec![0.0; nx],
            phis: vec![f64::NAN; nx],
            csurf: vec![0.0; nx],
            aj: vec![0.0; nx],
            eta: vec![0.0; nx],
            u: vec![0.0; nx],
            ie: vec![0.0; nx + 1],
            is_: vec![0.0; nx + 1],
            sig: vec![1.0; nx],
            jm: vec![0.0; nx],
            side: vec![Side::default(); nn],
            a: vec![0.0; nx],
            geo: vec![Geo { a: 0.0, a_cr: 0.0 }; nn],
            eps: vec![0.0; nx],
            tor: vec![0.0; nx],
            kt: vec![0.0; nx],
            chi: vec![0.0; nx],
            temp: vec![0.0; nx],
            work: vec![0.0; nx],
            dce: vec![0.0; nx],
            gpe: vec![0.0; nx + 1],
            memo: (0..nx).map(|_| DiffMemo::default()).collect(),
            tables: [None, None],
            tables_t: f64::NAN,
            node: vec![NodeMemo::default(); nx],
        }
    }
}

impl Dfn {
    pub fn new(cell: Cell, mesh: Mesh, lumped: bool) -> Dfn {
        Dfn::with_degradation(cell, mesh, lumped, None)
    }

    /// A DFN with side reactions (degradation hook; `None` is the plain DFN).
    pub fn with_degradation(cell: Cell, mesh: Mesh, lumped: bool, deg: Option<Degradation>) -> Dfn {
        let nd = deg.as_ref().map_or(0, |d| d.n_states());
        let na = deg.as_ref().map_or([0, 0], |d| d.aging.n_states());
        let porosity = deg
            .as_ref()
            .is_some_and(|d| d.opts.sei_porosity || d.opts.plating_porosity);
        let sph = if polynomial_under_stress(&cell) {
            Sphere::spectral(mesh.particle_nodes.clamp(2, super::sphere::MAX_NODES))
        } else {
            super::particle_scheme(&cell, &mesh)
        };
        let nr = sph.len();
        let xm = XMesh::new(&cell, mesh.x_n, mesh.x_s, mesh.x_p);
        let nx = xm.len();
        let mut off = Vec::with_capacity(nx + 1);
        let mut o = 0;
        let mut mass = Vec::new();
        for k in 0..nx {
            off.push(o);
            if self_is_sep(&xm, k) {
                mass.extend_from_slice(&[1.0, 0.0]);
                o += 2;
            } else {
                mass.extend(std::iter::repeat_n(1.0, nr));
                mass.extend_from_slice(&[1.0, 0.0, 0.0]);
                o += nr + 3;
                let ext = if k < xm.nn { nd + na[0] } else { na[1] };
                mass.extend(std::iter::repeat_n(1.0, ext));
                o += ext;
            }
        }
        off.push(o);
        let n_model = o;
        mass.push(1.0); // Q
        mass.push(0.0); // I
        if lumped {
            mass.push(1.0);
        }
        let rho_cp = thermal::rho_cp_eff(&cell);
        let lx = cell.l_x();
        Dfn {
            cell,
            sph,
            xm,
            lumped,
            mass,
            rho_cp,
            off,
            n_model,
            lx2: lx * lx,
            deg,
            nd,
            na,
            porosity,
            scratch: Scratch::default(),
        }
    }

    /// Range of node k's side-reaction states (empty outside the negative electrode).
    fn deg_range(&self, k: usize) -> std::ops::Range<usize> {
        if k < self.xm.nn && self.nd > 0 {
            let b = self.off[k] + self.sph.len() + 3;
            b..b + self.nd
        } else {
            0..0
        }
    }

    fn idx_i(&self) -> usize {
        self.n_model + 1
    }

    fn temperature(&self, y: &[f64]) -> f64 {
        if self.lumped {
            y[self.n_model + 2]
        } else {
            self.cell.t_amb
        }
    }

    fn is_sep(&self, k: usize) -> bool {
        self_is_sep(&self.xm, k)
    }

    /// Index of c_e, phi_e, phi_s at node k.
    fn ic(&self, k: usize) -> (usize, usize, usize) {
        if self.is_sep(k) {
            (self.off[k], self.off[k] + 1, usize::MAX)
        } else {
            let b = self.off[k] + self.sph.len();
            (b, b + 1, b + 2)
        }
    }

    fn electrode(&self, k: usize) -> Option<&super::Electrode> {
        if k < self.xm.nn {
            Some(&self.cell.neg)
        } else if k < self.xm.nn + self.xm.ns {
            None
        } else {
            Some(&self.cell.pos)
        }
    }

    fn fields(&self, y: &[f64], t: f64, f: &mut Fields) {
        let xm = &self.xm;
        let c = &self.cell;
        let nx = xm.len();
        let (nn, ns) = (xm.nn, xm.ns);
        // degradation hook: surface areas, crack areas and porosities of the nodes
        self.geometry(y, f);
        // x-averaged SEI thickness (the "average" film resistance) and surface area
        let (l_sei_av, a_av) = match &self.deg {
            Some(d) if d.opts.film == Film::Average => (
                (0..nn)
                    .map(|k| d.l_sei(&y[self.deg_range(k)], f.a[k]))
                    .sum::<f64>()
                    / nn as f64,
                f.a[..nn].iter().sum::<f64>() / nn as f64,
            ),
            _ => (0.0, c.neg.a),
        };
        let i_cc = y[self.idx_i()] / c.area;
        for k in 0..nx {
            let (ice, ipe, ips) = self.ic(k);
            f.ce[k] = if self.porosity {
                y[ice] / f.eps[k]
            } else {
                y[ice]
            };
            f.phie[k] = y[ipe];
            if let Some(el) = self.electrode(k) {
                f.phis[k] = y[ips];
                let cs = &y[self.off[k]..self.off[k] + self.sph.len()];
                let csurf = self.sph.surface(cs);
                f.csurf[k] = csurf;
                let dphi = f.phis[k] - f.phie[k];
                let j_tot_av = i_cc / (a_av * el.l);
                let key = self.kinetics_key(y, k, [csurf, f.ce[k], dphi, t, j_tot_av, l_sei_av], f);
                let m = &f.node[k];
                if m.kin_key == Some(key) {
                    (f.u[k], f.eta[k], f.aj[k], f.jm[k]) = (m.u, m.eta, m.aj, m.jm);
                    if k < nn {
                        f.side[k] = m.side;
                    }
                    continue;
                }
                let u = el.u(csurf / el.c_max, t, c.t_ref);
                let eta = f.phis[k] - f.phie[k] - u;
                let j0 = el.j0(f.ce[k], csurf, t);
                f.u[k] = u;
                f.eta[k] = eta;
                f.aj[k] = f.a[k] * bv(j0, eta, t);
                f.jm[k] = f.aj[k] / f.a[k];
                if let (Some(d), true) = (&self.deg, k < nn) {
                    // degradation hook: side reactions and the SEI film at this node
                    let s = &y[self.deg_range(k)];
                    let g = f.geo[k];
                    // PyBaMM's forward kinetics; the distributed film's total current is
                    // solved on its physical branch (`degradation::film`)
                    let (jm, eta_r, side) = d.node_currents(
                        s,
                        g,
                        f.phis[k] - f.phie[k],
                        u,
                        j0,
                        f.ce[k],
                        t,
                        j_tot_av,
                        l_sei_av,
                        f.node[k].film,
                    );
                    f.eta[k] = eta_r;
                    f.jm[k] = jm;
                    f.aj[k] = g.a * (jm + side.total(g));
                    f.side[k] = side;
                    f.node[k].film = Some(jm + side.total(g));
                }
                let side = if k < nn { f.side[k] } else { Side::default() };
                f.node[k] = NodeMemo {
                    kin_key: Some(key),
                    u: f.u[k],
                    eta: f.eta[k],
                    aj: f.aj[k],
                    jm: f.jm[k],
                    side,
                    ..f.node[k]
                };
            }
        }
        // electrolyte current on interior edges
        for k in 0..nx {
            let key = bits([f.ce[k], t]);
            let m = &mut f.node[k];
            if m.el_key != Some(key) {
                (m.kappa, m.chi) = (c.kappa_e(f.ce[k], t), c.chi_rt_over_fc(f.ce[k], t));
                m.el_key = Some(key);
            }
            f.kt[k] = m.kappa * f.tor[k];
            f.chi[k] = m.chi;
        }
        for e in 1..nx {
            let d = xm.x[e] - xm.x[e - 1];
            let kap = xm.arith(&f.kt, e);
            let ch = xm.harm(&f.chi, e);
            f.ie[e] = kap * (ch * (f.ce[e] - f.ce[e - 1]) / d - (f.phie[e] - f.phie[e - 1]) / d);
        }
        // solid current: negative edges 0..=nn, positive edges nn+ns..=nx
        let i = i_cc;
        // nodal effective conductivities (functions of the local surface stoichiometry),
        // harmonic means on interior edges, linear extrapolation at the Dirichlet boundary
        for k in 0..nx {
            if let Some(el) = self.electrode(k) {
                let key = bits([f.csurf[k], t, f.eps[k]]);
                if f.node[k].sig_key != Some(key) {
                    f.node[k].sig = if self.porosity {
                        // Bruggeman on the solid fraction 1 - eps of the current porosity
                        el.sigma(f.csurf[k] / el.c_max, t) * (1.0 - f.eps[k]).powf(el.b_s)
                    } else {
                        el.sigma_eff(f.csurf[k] / el.c_max, t)
                    };
                    f.node[k].sig_key = Some(key);
                }
                f.sig[k] = f.node[k].sig;
            }
        }
        let dxn = xm.dx[0];
        let s_left = if nn > 1 {
            1.5 * f.sig[0] - 0.5 * f.sig[1]
        } else {
            f.sig[0]
        };
        f.is_[0] = -s_left * (f.phis[0] - 0.0) / (0.5 * dxn);
        for e in 1..nn {
            let s = xm.harm(&f.sig, e);
            f.is_[e] = -s * (f.phis[e] - f.phis[e - 1]) / (xm.x[e] - xm.x[e - 1]);
        }
        f.is_[nn] = 0.0;
        let p0 = nn + ns;
        f.is_[p0] = 0.0;
        for e in p0 + 1..nx {
            let s = xm.harm(&f.sig, e);
            f.is_[e] = -s * (f.phis[e] - f.phis[e - 1]) / (xm.x[e] - xm.x[e - 1]);
        }
        f.is_[nx] = i;
    }

    /// What node k's kinetics read (see `NodeMemo`).
    /// `v`: csurf, c_e, phi_s - phi_e, T, j_tot_av, l_sei_av.
    fn kinetics_key(&self, y: &[f64], k: usize, v: [f64; 6], f: &Fields) -> [u64; 12] {
        let mut key = [0u64; 12];
        let g = if k < self.xm.nn { f.geo[k].a_cr } else { 0.0 };
        key[..6].copy_from_slice(&bits(v));
        key[6..8].copy_from_slice(&bits([f.a[k], g]));
        // (at most 4 side-reaction states: SEI, plated and dead lithium, SEI on cracks)
        debug_assert!(self.nd <= 4);
        if k < self.xm.nn {
            for (q, v) in key[8..].iter_mut().zip(&y[self.deg_range(k)]) {
                *q = v.to_bits();
            }
        }
        key
    }

    fn rhs_with(&self, y: &[f64], out: &mut [f64], f: &mut Fields) {
        let t = self.temperature(y);
        self.fields(y, t, f);
        let xm = &self.xm;
        let nx = xm.len();
        let c = &self.cell;
        // particles
        self.diff_tables(t, f);
        for k in 0..nx {
            if let Some(el) = self.electrode(k) {
                let j = f.jm[k];
                let table = f.tables[usize::from(k >= xm.nn)].as_ref();
                particle_rhs_memo(
                    &self.sph,
                    el,
                    &y[self.off[k]..self.off[k] + self.sph.len()],
                    j / F,
                    t,
                    &mut out[self.off[k]..self.off[k] + self.sph.len()],
                    &mut f.memo[k],
                    table,
                );
                if let (Some(d), true) = (&self.deg, k < xm.nn) {
                    let r = self.deg_range(k);
                    d.rates(&y[r.clone()], f.geo[k], f.side[k], &mut out[r]);
                }
                // particle mechanics and LAM of this node
                self.aging_rates(y, k, t, f, out);
            }
        }
        // electrolyte concentration (times the porosity where it varies)
        f.temp.iter_mut().for_each(|v| *v = t);
        if self.porosity {
            super::porosity::electrolyte_eps_rhs(
                c,
                xm,
                &f.ce,
                &f.tor,
                &f.temp,
                &f.ie,
                &f.aj,
                &mut f.work,
                &mut f.dce,
            );
        } else {
            electrolyte_rhs(c, xm, &f.ce, &f.temp, &f.ie, &f.aj, &mut f.work, &mut f.dce);
        }
        for k in 0..nx {
            let (ice, ipe, ips) = self.ic(k);
            out[ice] = f.dce[k];
            // charge conservation in the electrolyte: div(i_e) = a j
            out[ipe] = ((f.ie[k + 1] - f.ie[k]) / xm.dx[k] - f.aj[k]) * self.lx2;
            if self.electrode(k).is_some() {
                // charge conservation in the solid: div(i_s) + a j = 0
                out[ips] = ((f.is_[k + 1] - f.is_[k]) / xm.dx[k] + f.aj[k]) * self.lx2;
            }
        }
        if self.lumped {
            let i = y[self.idx_i()] / c.area;
            let q = self.heat(f, t);
            out[self.n_model + 2] = thermal::lumped_dtdt(c, self.rho_cp, t, q, i);
        }
    }

    /// Tabulates the electrodes' stoichiometry-dependent diffusivities at `t` for
    /// finite-volume particles of isothermal runs, once (`DiffTable`: cubic Hermite within
    /// 1e-9 of the function; a diffusivity it cannot follow keeps the direct evaluation).
    /// ORegan2022's take five exponentials per evaluation, and the DFN on 480 shells makes
    /// 38 400 per residual. A lumped temperature moves at every residual: no tables.
    fn diff_tables(&self, t: f64, f: &mut Fields) {
        if self.lumped || !self.sph.is_fv() {
            return;
        }
        if f.tables_t == t {
            return;
        }
        f.tables_t = t;
        for (e, el) in [&self.cell.neg, &self.cell.pos].into_iter().enumerate() {
            f.tables[e] = if el.d_varies {
                DiffTable::build(el, t)
            } else {
                None
            };
        }
    }

    fn heat(&self, f: &mut Fields, t: f64) -> f64 {
        let xm = &self.xm;
        let nx = xm.len();
        let mut q = 0.0;
        // gradients on edges
        let grad = |v: &[f64], e: usize| (v[e] - v[e - 1]) / (xm.x[e] - xm.x[e - 1]);
        for e in 1..nx {
            f.gpe[e] = grad(&f.phie, e);
        }
        let gpe = &f.gpe;
        for k in 0..nx {
            // electrolyte Ohmic heat: -<i_e> <grad phi_e>
            let ie_n = 0.5 * (f.ie[k] + f.ie[k + 1]);
            let g_n = 0.5 * (gpe[k] + gpe[k + 1]);
            let mut qk = -ie_n * g_n;
            if let Some(el) = self.electrode(k) {
                let s = f.sig[k];
                // solid Ohmic heat: -i_s . grad phi_s = i_s^2 / sigma
                let is_n = 0.5 * (f.is_[k] + f.is_[k + 1]);
                qk += is_n * is_n / s;
                let sto = f.csurf[k] / el.c_max;
                // the main reaction's heat (PyBaMM leaves the side reactions out)
                let aj = if self.deg.is_some() {
                    f.a[k] * f.jm[k]
                } else {
                    f.aj[k]
                };
                qk += aj * f.eta[k] + aj * t * el.dudt(sto);
            }
            q += qk * xm.dx[k];
        }
        q
    }
}

/// Whether the DFN keeps the polynomial particle although the diffusivity varies: when only
/// stress-induced diffusion makes it vary. It varies smoothly (`D (1 + theta (c - c_0))`),
/// which the polynomial's few nodes resolve; finite volumes stay for diffusivities that
/// depend on stoichiometry themselves. On the DFN O'Kane 2022 references (PyBaMM on 40
/// shells) every degradation mode stays within 0.12 % of PyBaMM's with the 8 nodes of the
/// default mesh (0.07 % on 40 shells), at a third of the unknowns: the fully coupled DFN then
/// costs ~2× the SEI-only one per cycle (4.2× on 40 shells at rtol 1e-6).
pub fn polynomial_under_stress(cell: &Cell) -> bool {
    !cell.neg.d_depends_on_sto()
        && !cell.pos.d_depends_on_sto()
        && (cell.neg.stress_theta_k != 0.0 || cell.pos.stress_theta_k != 0.0)
}

fn self_is_sep(xm: &XMesh, k: usize) -> bool {
    k >= xm.nn && k < xm.nn + xm.ns
}

impl Model for Dfn {
    fn variables(&self, y: &[f64]) -> Vec<crate::sim::variables::VarValue> {
        self.variable_values(y)
    }

    fn n_unknowns(&self) -> usize {
        self.mass.len()
    }

    fn mass(&self) -> &[f64] {
        &self.mass
    }

    fn initial_state(&self) -> Vec<f64> {
        let c = &self.cell;
        let mut y = vec![0.0; self.n_unknowns()];
        let t = c.t_init;
        let un = c.neg.u(c.neg.c0 / c.neg.c_max, t, c.t_ref);
        let up = c.pos.u(c.pos.c0 / c.pos.c_max, t, c.t_ref);
        for k in 0..self.xm.len() {
            let (ice, ipe, ips) = self.ic(k);
            // PyBaMM's eps c_e starts at eps_init c_e0 (the porosity's parameter value)
            y[ice] = if self.porosity {
                self.xm.eps_tor(c, k).0 * c.c_e0
            } else {
                c.c_e0
            };
            y[ipe] = -un;
            if let Some(el) = self.electrode(k) {
                y[self.off[k]..self.off[k] + self.sph.len()]
                    .iter_mut()
                    .for_each(|v| *v = el.c0);
                y[ips] = if k < self.xm.nn { 0.0 } else { up - un };
            }
            if let Some(d) = &self.deg {
                let r = self.deg_range(k);
                if !r.is_empty() {
                    y[r].copy_from_slice(&d.initial());
                }
                if let Some(e) = self.electrode_index(k) {
                    y[self.aging_range(k)].copy_from_slice(&d.aging.el[e].initial());
                }
            }
        }
        if self.lumped {
            y[self.n_model + 2] = t;
        }
        // a solve starts without the last one's film currents (see `NodeMemo::film`)
        let (nx, nn) = (self.xm.len(), self.xm.nn);
        self.scratch.with(
            || Fields::new(nx, nn),
            |f| f.node.iter_mut().for_each(|m| *m = NodeMemo::default()),
        );
        y
    }

    fn rhs(&self, y: &[f64], out: &mut [f64]) {
        let (nx, nn) = (self.xm.len(), self.xm.nn);
        self.scratch
            .with(|| Fields::new(nx, nn), |f| self.rhs_with(y, out, f));
    }
    fn voltage(&self, y: &[f64]) -> f64 {
        let nx = self.xm.len();
        let (_, _, a) = self.ic(nx - 1);
        let (_, _, b) = self.ic(nx - 2);
        1.5 * y[a] - 0.5 * y[b] - self.cell.contact_resistance * y[self.idx_i()]
    }

    fn voltage_unknowns(&self) -> Option<Vec<usize>> {
        // the border columns are the solid potentials `voltage` extrapolates
        let mut v = self.border_columns();
        v.push(self.idx_i());
        Some(v)
    }

    fn structure(&self) -> (usize, usize, usize) {
        let bw = self.sph.len() + 6 + self.ext_band();
        (bw, bw, 2 + usize::from(self.lumped))
    }

    fn border_columns(&self) -> Vec<usize> {
        let nx = self.xm.len();
        vec![self.ic(nx - 1).2, self.ic(nx - 2).2]
    }

    fn layout(&self) -> Layout {
        Layout {
            q: self.n_model,
            i: self.n_model + 1,
            t: self.lumped.then_some(self.n_model + 2),
        }
    }

    fn atol_scales(&self) -> Option<Vec<f64>> {
        let d = self.deg.as_ref()?;
        let mut s = vec![1.0; self.n_unknowns()];
        let scales = d.state_scales();
        for k in 0..self.xm.nn {
            s[self.deg_range(k)].copy_from_slice(&scales);
        }
        Some(s)
    }

    fn condensation(&self) -> Option<Condensation> {
        let groups = (0..self.xm.len())
            .filter(|&k| self.electrode(k).is_some())
            .map(|k| {
                let (a, b, c) = self.ic(k);
                let mut cpl = vec![a, b, c];
                cpl.extend(self.ext_range(k));
                (self.off[k], self.sph.len(), cpl)
            })
            .collect();
        Some((groups, 6 + self.ext_band()))
    }

    fn exact_columns(&self) -> Vec<usize> {
        // the particle's nodes below those the surface value reads (the two outer shells, a
        // polynomial's surface node): they enter their particle's rows alone, and left to the
        // finite differences they took a colour each (a third of the coupled DFN OKane2022's
        // colours on its polynomial particles)
        let interior = self.sph.surface_nodes(0).start;
        (0..self.xm.len())
            .filter(|&k| self.electrode(k).is_some())
            .flat_map(|k| self.off[k]..self.off[k] + interior)
            .collect()
    }

    fn column_jacobian(&self, y: &[f64], set: &mut dyn FnMut(usize, usize, f64)) {
        let t = self.temperature(y);
        let nr = self.sph.len();
        let (nx, nn) = (self.xm.len(), self.xm.nn);
        self.scratch.with(
            || Fields::new(nx, nn),
            |f| {
                self.diff_tables(t, f);
                for k in 0..nx {
                    if let Some(el) = self.electrode(k) {
                        let o = self.off[k];
                        let d = particle_d(el, t, f.tables[usize::from(k >= nn)].as_ref());
                        self.sph
                            .interior_jacobian(d, el.rad, &y[o..o + nr], |i, j, v| {
                                set(o + i, o + j, v)
                            });
                    }
                }
            },
        );
    }

    fn sparsity(&self) -> Option<Vec<Vec<usize>>> {
        let n = self.n_unknowns();
        let nx = self.xm.len();
        let nr = self.sph.len();
        let l = self.layout();
        let mut pat: Vec<Vec<usize>> = vec![Vec::new(); n];
        // rows of node k's macro equations
        let macro_rows = |k: usize| -> Vec<usize> {
            let (a, b, c) = self.ic(k);
            if self.is_sep(k) {
                vec![a, b]
            } else {
                vec![a, b, c]
            }
        };
        let v_cols = [self.ic(nx - 1).2, self.ic(nx - 2).2];
        for k in 0..nx {
            let (ice, ipe, ips) = self.ic(k);
            let el = self.electrode(k).is_some();
            let surf_row = self.off[k] + nr - 1;
            // particle columns
            if el {
                let mut surface_rows = vec![ice, ipe, ips];
                surface_rows.extend(self.ext_range(k));
                // (the stresses also read the particle's average, which the mechanics rows'
                // Jacobian leaves out: those rates are slow, and declaring every shell would
                // give the finite differences a colour per shell)
                self.sph.pattern(&mut pat, self.off[k], &surface_rows);
            }
            // macro columns: own node's rows and particle neighbours' macro rows
            let mut rows: Vec<usize> = Vec::new();
            for m in k.saturating_sub(1)..=(k + 1).min(nx - 1) {
                rows.extend(macro_rows(m));
            }
            if el {
                rows.push(surf_row);
            }
            // degradation hook: the node's side reactions, mechanics and their states (with
            // porosity change they set the porosity, which the neighbours' fluxes read)
            let dr = self.ext_range(k);
            rows.extend(dr.clone());
            for col in dr.clone() {
                pat[col] = if self.porosity {
                    rows.clone()
                } else {
                    let mut r = vec![ice, ipe, ips, surf_row];
                    r.extend(dr.clone());
                    r
                };
            }
            pat[ice] = rows.clone();
            pat[ipe] = rows.clone();
            if el {
                let mut r = rows;
                if v_cols.contains(&ips) {
                    r.push(l.i);
                }
                pat[ips] = r;
            }
        }
        // global unknowns are perturbed alone (empty list)
        Some(pat)
    }

    fn lithium_in_particles(&self, y: &[f64]) -> f64 {
        let mut s = 0.0;
        for k in 0..self.xm.len() {
            if self.electrode(k).is_some() {
                let cs = &y[self.off[k]..self.off[k] + self.sph.len()];
                // with LAM the lithium leaves with the active material
                s += self.sph.average(cs) * self.eps_s(y, k) * self.xm.dx[k] * self.cell.area;
            }
        }
        s
    }

    fn active_material_left(&self, y: &[f64]) -> [f64; 2] {
        self.active_fraction(y)
    }

    fn lithium_to_sei_on_cracks(&self, y: &[f64]) -> f64 {
        let Some(d) = &self.deg else {
            return 0.0;
        };
        (0..self.xm.nn)
            .map(|k| d.lithium_lost_cracks(&y[self.deg_range(k)]) * self.xm.dx[k] * self.cell.area)
            .sum()
    }

    fn lithium_in_side_reactions(&self, y: &[f64]) -> (f64, f64) {
        let Some(d) = &self.deg else {
            return (0.0, 0.0);
        };
        let (mut a, mut b) = (0.0, 0.0);
        for k in 0..self.xm.nn {
            let (sa, sb) = d.lithium_lost_split(&y[self.deg_range(k)]);
            a += sa * self.xm.dx[k] * self.cell.area;
            b += sb * self.xm.dx[k] * self.cell.area;
        }
        (a, b)
    }

    fn sei_thickness(&self, y: &[f64]) -> Option<f64> {
        let d = self.deg.as_ref()?;
        d.opts.sei?;
        let nn = self.xm.nn;
        Some(
            (0..nn)
                .map(|k| d.l_sei(&y[self.deg_range(k)], self.area(y, k)) * self.xm.dx[k])
                .sum::<f64>()
                / self.cell.neg.l,
        )
    }
}
