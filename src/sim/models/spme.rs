//! Single particle model with electrolyte (PyBaMM's `SPMe`, default options): SPM particles,
//! full electrolyte diffusion across the cell, composite electrolyte and electrode potentials
//! (Marquis et al. 2019) with x-averaged kinetics; with porosity change, see `spme::porosity`.

#![allow(clippy::needless_range_loop)]

mod porosity;
mod variables;

use super::super::solver::Condensation;
use super::super::Mesh;
use super::degradation::{Degradation, Geo, Side};
use super::mechanics::XAvgAging;
use super::{
    electrolyte_rhs, inverse_bv, inverse_bv_sum, particle_rhs, single_particles_voltage_unknowns,
    thermal, Cell, Layout, Model, Scratch, Sphere, XMesh, F, R_GAS,
};

/// The discretised SPMe.
pub struct Spme {
    pub cell: Cell,
    sph: Sphere,
    pub xm: XMesh,
    lumped: bool,
    mass: Vec<f64>,
    rho_cp: f64,
    ie_unit: Vec<f64>, // i_e / i on edges
    /// Degradation hook: side reactions (uniform in x, as the SPMe's kinetics) and their
    /// states after the electrolyte.
    deg: Option<Degradation>,
    /// Number of side-reaction states: `n_states()` at each negative-electrode node.
    nd: usize,
    /// The x-averaged mechanics/LAM states (after the side reactions'; see `mechanics`).
    aging: XAvgAging,
    /// Weights of the nodes in PyBaMM's x-average of c_e: eps_k dx_k avg(1/eps) / L.
    w_ce_av: Vec<f64>,
    /// `rhs`'s work space, kept between calls.
    scratch: Scratch<Work>,
    /// x-averages of the geometric factors of the composite solid potentials.
    geo_n: f64,
    geo_p: f64,
    /// Reaction-driven porosity change: the electrolyte states are then `eps c_e`.
    porosity: bool,
    /// The porosities and concentrations of `with_ce`, kept between calls.
    porous: Scratch<porosity::Porous>,
}

struct Potentials {
    v: f64,
    q_stack: f64,
}

impl Spme {
    pub fn new(cell: Cell, mesh: Mesh, lumped: bool) -> Spme {
        Spme::with_degradation(cell, mesh, lumped, None)
    }

    /// An SPMe with side reactions (degradation hook; `None` is the plain SPMe).
    pub fn with_degradation(
        cell: Cell,
        mesh: Mesh,
        lumped: bool,
        deg: Option<Degradation>,
    ) -> Spme {
        let sph = super::particle_scheme(&cell, &mesh);
        let nr = sph.len();
        let xm = XMesh::new(&cell, mesh.x_n, mesh.x_s, mesh.x_p);
        // one set of side-reaction states per negative node, or one for the electrode
        let nd = deg.as_ref().map_or(0, |d| {
            d.n_states() * if d.opts.x_average { 1 } else { xm.nn }
        });
        let nx = xm.len();
        let aging = XAvgAging::new(deg.as_ref(), 2 * nr + nx + nd);
        let na = aging.n_states();
        let n = 2 * nr + nx + nd + na + 2 + usize::from(lumped);
        let mut mass = vec![1.0; n];
        mass[2 * nr + nx + nd + na + 1] = 0.0;
        // i_e/i at nodes (composite model), then arithmetic means onto edges
        let (ln, ls, lp) = (cell.neg.l, cell.l_sep, cell.pos.l);
        let lx = ln + ls + lp;
        let nodal: Vec<f64> = (0..nx)
            .map(|k| {
                let x = xm.x[k];
                if k < xm.nn {
                    x / ln
                } else if k < xm.nn + xm.ns {
                    1.0
                } else {
                    (lx - x) / lp
                }
            })
            .collect();
        let mut ie_unit = vec![0.0; nx + 1];
        for k in 1..nx {
            ie_unit[k] = xm.arith(&nodal, k);
        }
        // exterior edges: linear extrapolation
        ie_unit[0] = 1.5 * nodal[0] - 0.5 * nodal[1];
        ie_unit[nx] = 1.5 * nodal[nx - 1] - 0.5 * nodal[nx - 2];
        let rho_cp = thermal::rho_cp_eff(&cell);
        let (mut inv_eps, mut lsum) = (0.0, 0.0);
        for k in 0..nx {
            inv_eps += xm.dx[k] / xm.eps_tor(&cell, k).0;
            lsum += xm.dx[k];
        }
        let w_ce_av = (0..nx)
            .map(|k| xm.eps_tor(&cell, k).0 * xm.dx[k] / lsum * (inv_eps / lsum))
            .collect();
        let (mut geo_n, mut geo_p) = (0.0, 0.0);
        for k in 0..xm.nn {
            let x = xm.x[k];
            geo_n += (x * (x - 2.0 * ln) / (2.0 * ln)) * xm.dx[k];
        }
        for k in xm.nn + xm.ns..nx {
            let x = xm.x[k];
            geo_p += (x * (2.0 * lx - x) + lp * lp - lx * lx) / (2.0 * lp) * xm.dx[k];
        }
        geo_n /= ln;
        geo_p /= lp;
        let porosity = deg
            .as_ref()
            .is_some_and(|d| d.opts.sei_porosity || d.opts.plating_porosity);
        Spme {
            cell,
            sph,
            xm,
            lumped,
            mass,
            rho_cp,
            ie_unit,
            deg,
            nd,
            aging,
            w_ce_av,
            scratch: Scratch::default(),
            geo_n,
            geo_p,
            porosity,
            porous: Scratch::default(),
        }
    }

    fn idx_i(&self) -> usize {
        2 * self.sph.len() + self.xm.len() + self.nd + self.aging.n_states() + 1
    }

    /// Surface areas per volume (a_n, a_p) [m-1] and the negative electrode's geometry
    /// (x-averaged, as PyBaMM's SPMe).
    fn areas(&self, y: &[f64]) -> (f64, f64, Geo) {
        self.aging.areas(&self.cell, self.deg.as_ref(), y)
    }

    /// Index of the first side-reaction state.
    fn idx_deg(&self) -> usize {
        2 * self.sph.len() + self.xm.len()
    }

    fn temperature(&self, y: &[f64]) -> f64 {
        if self.lumped {
            y[self.idx_i() + 1]
        } else {
            self.cell.t_amb
        }
    }

    /// Degradation hook: the side reactions at each negative node, driven by the composite
    /// potentials' phi_s - phi_e there (PyBaMM's SPMe with "x-average side reactions" false),
    /// their states' rates written to `rates` and the SEI on cracks' volumetric current
    /// [A.m-3] at each node to `crack_aj`; returns the x-averaged currents.
    #[allow(clippy::too_many_arguments)]
    fn side_reactions(
        &self,
        d: &Degradation,
        y: &[f64],
        ce: &[f64],
        por: Option<&porosity::Porous>,
        rates: &mut [f64],
        crack_aj: &mut [f64],
    ) -> Side {
        let c = &self.cell;
        let nr = self.sph.len();
        let xm = &self.xm;
        let (nn, nx) = (xm.nn, xm.len());
        let t = self.temperature(y);
        let i = y[self.idx_i()] / c.area;
        let ln = c.neg.l;
        let (mut eps_c, mut inv_eps, mut lsum) = (0.0, 0.0, 0.0);
        for k in 0..nx {
            let (eps, _) = xm.eps_tor(c, k);
            eps_c += eps * ce[k] * xm.dx[k];
            inv_eps += xm.dx[k] / eps;
            lsum += xm.dx[k];
        }
        let (mut ce_av, mut tor_n, mut tor_s_n) = (
            (eps_c / lsum) * (inv_eps / lsum),
            xm.eps_tor(c, 0).1,
            (1.0 - c.neg.eps).powf(c.neg.b_s),
        );
        if por.is_some() {
            let m = self.means(ce, por);
            (ce_av, tor_n, tor_s_n) = (m.ce_av, m.tor_n, m.tor_s_n);
        }
        let csn = self.sph.surface(&y[..nr]);
        let (an, _, g) = self.areas(y);
        let jn = i / (an * ln);
        let mut eta_n = 0.0;
        let rsn = c.neg.j0_surface_spme(csn);
        for k in 0..nn {
            eta_n += inverse_bv(jn, c.neg.j0_at(ce[k], rsn, t), t) * xm.dx[k];
        }
        eta_n /= ln;
        let un = c.neg.u(csn / c.neg.c_max, t, c.t_ref);
        let kn = c.kappa_e(ce_av, t) * tor_n;
        let chi_rt_f = c.chi_rt_over_fc(ce_av, t) * ce_av.max(1e-2);
        let sig_n = c.neg.sigma(csn / c.neg.c_max, t) * tor_s_n;
        let ln_ratio = |v: f64| (v / ce_av).max(1e-15).ln();
        let phi_s = |x: f64| (i / sig_n) * (x * (x - 2.0 * ln) / (2.0 * ln));
        let (mut mac_n, mut phi_s_av) = (0.0, 0.0);
        for k in 0..nn {
            mac_n += ln_ratio(ce[k]) * xm.dx[k];
            phi_s_av += phi_s(xm.x[k]) * xm.dx[k];
        }
        mac_n /= ln;
        phi_s_av /= ln;
        let o = self.idx_deg();
        let s = &y[o..o + self.nd];
        let eta_film = d.film(d.l_sei_mean(s, &xm.dx[..nn], an), jn);
        let delta_phi_n = eta_n + un - eta_film;
        // phi_s - phi_e of the composite potentials, with the constants of phi_e written out
        let dphi = |k: usize| {
            let x = xm.x[k];
            delta_phi_n
                + (phi_s(x) - phi_s_av)
                + chi_rt_f * (mac_n - ln_ratio(ce[k]))
                + (i / kn) * (ln / 3.0 + (x * x - ln * ln) / (2.0 * ln))
        };
        d.nodes(
            s,
            g,
            dphi,
            jn,
            eta_film,
            &ce[..nn],
            &xm.dx[..nn],
            t,
            Some(rates),
            Some(&mut crack_aj[..nn]),
        )
    }

    fn potentials(&self, y: &[f64], with_heat: bool) -> Potentials {
        let t = self.temperature(y);
        let i = y[self.idx_i()] / self.cell.area;
        let r = self.reduce(y, t, i, with_heat);
        self.combine(&r, y, t, i, with_heat)
    }

    /// The potentials' sums over the electrolyte nodes (all their O(nodes) work).
    fn reduce(&self, y: &[f64], t: f64, i: f64, with_heat: bool) -> Reduced {
        self.with_ce(y, |ce, por| self.reduce_ce(y, ce, por, t, i, with_heat))
    }

    /// `reduce` with the electrolyte concentrations `ce` (and porosities, see `with_ce`).
    fn reduce_ce(
        &self,
        y: &[f64],
        ce: &[f64],
        por: Option<&porosity::Porous>,
        t: f64,
        i: f64,
        with_heat: bool,
    ) -> Reduced {
        let c = &self.cell;
        let nr = self.sph.len();
        let xm = &self.xm;
        let (nn, ns, nx) = (xm.nn, xm.ns, xm.len());
        let (ln, lp) = (c.neg.l, c.pos.l);
        let means = self.means(ce, por);
        let ce_av = means.ce_av;
        let csn = self.sph.surface(&y[..nr]);
        let csp = self.sph.surface(&y[nr..2 * nr]);
        let (an, ap, _) = self.areas(y);
        let jn = i / (an * ln);
        let jp = -i / (ap * lp);
        // PyBaMM inverts Butler–Volmer pointwise (j0 follows c_e(x)) and x-averages the result
        // (the layers are uniformly meshed: one width per layer)
        let (rsn, rsp) = (c.neg.j0_surface_spme(csn), c.pos.j0_surface_spme(csp));
        let eta_n = inverse_bv_sum(
            jn,
            ce[..nn].iter().map(|&v| c.neg.j0_at(v, rsn, t)),
            t,
            xm.dx[0],
        ) / ln;
        let eta_p = inverse_bv_sum(
            jp,
            ce[nn + ns..].iter().map(|&v| c.pos.j0_at(v, rsp, t)),
            t,
            xm.dx[nx - 1],
        ) / lp;
        // x-averages over the electrodes of the MacInnes terms, PyBaMM's
        // log(max(c_e / avg(c_e), 1e-15)) (`macinnes__c_e`)
        let mac_n = log_ratio_sum(&ce[..nn], &xm.dx[..nn], ce_av) / ln;
        let mac_p = log_ratio_sum(&ce[nn + ns..], &xm.dx[nn + ns..], ce_av) / lp;
        let mut conc = 0.0;
        if with_heat {
            let ln_ratio = |v: f64| (v / ce_av).max(1e-15).ln();
            let mut prev = ln_ratio(ce[0]);
            for k in 1..nx {
                let cur = ln_ratio(ce[k]);
                conc += self.ie_unit[k] * (cur - prev);
                prev = cur;
            }
        }
        Reduced {
            ce_av,
            eta_n,
            eta_p,
            mac_n,
            mac_p,
            conc,
            tor_n: means.tor_n,
            tor_s_n: means.tor_s_n,
        }
    }

    /// The potentials from the sums of `reduce` (O(1) apart from the SEI film).
    fn combine(&self, r: &Reduced, y: &[f64], t: f64, i: f64, with_heat: bool) -> Potentials {
        let c = &self.cell;
        let nr = self.sph.len();
        let xm = &self.xm;
        let (nn, nx) = (xm.nn, xm.len());
        let (ln, ls, lp) = (c.neg.l, c.l_sep, c.pos.l);
        let lx = ln + ls + lp;
        let ce_av = r.ce_av;
        let csn = self.sph.surface(&y[..nr]);
        let csp = self.sph.surface(&y[nr..2 * nr]);
        let (an, _, _) = self.areas(y);
        let jn = i / (an * ln);
        let un = c.neg.u(csn / c.neg.c_max, t, c.t_ref);
        let up = c.pos.u(csp / c.pos.c_max, t, c.t_ref);
        let kap = c.kappa_e(ce_av, t);
        let kn = kap * r.tor_n;
        let ks = kap * xm.eps_tor(c, nn).1;
        let kp = kap * xm.eps_tor(c, nx - 1).1;
        let chi_rt_f = c.chi_rt_over_fc(ce_av, t) * ce_av.max(1e-2);
        let sig_n = c.neg.sigma(csn / c.neg.c_max, t) * r.tor_s_n;
        let sig_p = c.pos.sigma_eff(csp / c.pos.c_max, t);
        let phi_s_n_av = (i / sig_n) * self.geo_n;
        // degradation hook: the SEI film of the x-averaged thickness (PyBaMM's inverse
        // kinetics)
        let o = self.idx_deg();
        let eta_film = match &self.deg {
            Some(d) => d.film(d.l_sei_mean(&y[o..o + self.nd], &xm.dx[..nn], an), jn),
            None => 0.0,
        };
        let delta_phi_n = r.eta_n + un - eta_film;
        let delta_phi_p = r.eta_p + up;
        let phi_e_const =
            -delta_phi_n + phi_s_n_av - chi_rt_f * r.mac_n - i * ln * (1.0 / (3.0 * kn) - 1.0 / ks);
        let phi_e_p_av =
            phi_e_const + chi_rt_f * r.mac_p - (i / kp) * self.geo_p - i * (lx - lp) / ks;
        let cst = delta_phi_p + phi_e_p_av + (i / sig_p) * (lx - lp / 3.0);
        let g = |x: f64| x + (x - lx) * (x - lx) / (2.0 * lp);
        let phi_at = |x: f64| cst - (i / sig_p) * g(x);
        let v = 1.5 * phi_at(xm.x[nx - 1]) - 0.5 * phi_at(xm.x[nx - 2]);
        let mut q_stack = 0.0;
        if with_heat {
            let q_rxn = i * r.eta_n - i * r.eta_p;
            let q_rev = i * t * (c.neg.dudt(csn / c.neg.c_max) - c.pos.dudt(csp / c.pos.c_max));
            let q_s = i * i * (ln / (3.0 * sig_n) + lp / (3.0 * sig_p));
            let q_e_ohm = i * i * (ln / (3.0 * kn) + ls / ks + lp / (3.0 * kp));
            let q_e_conc = -i * chi_rt_f * r.conc;
            q_stack = q_rxn + q_rev + q_s + q_e_ohm + q_e_conc;
        }
        Potentials {
            v: v - c.contact_resistance * y[self.idx_i()],
            q_stack,
        }
    }

    /// The lumped temperature's equation dT/dt (`rhs`'s row) from the potentials.
    fn dtdt(&self, p: &Potentials, t: f64, i: f64) -> f64 {
        thermal::lumped_dtdt(&self.cell, self.rho_cp, t, p.q_stack, i)
    }

    /// The gradient with respect to every unknown of the terminal voltage (`heat` false) or
    /// of the lumped temperature's equation (`heat` true), written into `grad`: on the
    /// electrolyte nodes from the derivatives of the sums of `reduce` (through `combine`) and
    /// of each node's own terms; on the particles' surface nodes, the current and the
    /// temperature by finite differences of the whole. With side reactions the model leaves
    /// its Jacobian to finite differences (returns false).
    fn gradient(&self, y: &[f64], heat: bool, grad: &mut [f64]) -> bool {
        if self.deg.is_some() || (heat && !self.lumped) {
            return false;
        }
        let c = &self.cell;
        let nr = self.sph.len();
        let xm = &self.xm;
        let (nn, ns, nx) = (xm.nn, xm.ns, xm.len());
        grad.iter_mut().for_each(|g| *g = 0.0);
        let t = self.temperature(y);
        let i = y[self.idx_i()] / c.area;
        let out = |p: &Potentials| if heat { self.dtdt(p, t, i) } else { p.v };
        let whole = |y: &[f64]| {
            let t = self.temperature(y);
            let i = y[self.idx_i()] / c.area;
            let p = self.potentials(y, heat);
            if heat {
                self.dtdt(&p, t, i)
            } else {
                p.v
            }
        };
        let r = self.reduce(y, t, i, heat);
        let f0 = out(&self.combine(&r, y, t, i, heat));
        // derivatives with respect to the sums
        let dsum = |f: &dyn Fn(&mut Reduced), h: f64| {
            let mut rp = r;
            f(&mut rp);
            (out(&self.combine(&rp, y, t, i, heat)) - f0) / h
        };
        let ce = &y[2 * nr..2 * nr + nx];
        // nodes whose log(c_e / avg) is not clamped (all but a depleted electrolyte's)
        let free = |k: usize| ce[k] / r.ce_av > 1e-15;
        let weight = |lo: usize, hi: usize, l: f64| -> f64 {
            (lo..hi).filter(|&k| free(k)).map(|k| xm.dx[k] / l).sum()
        };
        let (wn, wp) = (weight(0, nn, c.neg.l), weight(nn + ns, nx, c.pos.l));
        // conc telescopes: only clamped neighbours leave a dependence on avg(c_e)
        let wc: f64 = (1..nx)
            .map(|k| {
                self.ie_unit[k] * (f64::from(u8::from(free(k))) - f64::from(u8::from(free(k - 1))))
            })
            .sum();
        let h_av = 1e-7 * r.ce_av.abs().max(1e-3);
        let shift = ((r.ce_av + h_av) / r.ce_av).ln();
        let d_av = dsum(
            &|rp| {
                rp.ce_av += h_av;
                rp.mac_n -= wn * shift;
                rp.mac_p -= wp * shift;
                rp.conc -= wc * shift;
            },
            h_av,
        );
        let d_macn = dsum(&|rp| rp.mac_n += 1e-6, 1e-6);
        let d_macp = dsum(&|rp| rp.mac_p += 1e-6, 1e-6);
        let d_etan = dsum(&|rp| rp.eta_n += 1e-6, 1e-6);
        let d_etap = dsum(&|rp| rp.eta_p += 1e-6, 1e-6);
        let d_conc = if heat {
            dsum(&|rp| rp.conc += 1e-6, 1e-6)
        } else {
            0.0
        };
        let csn = self.sph.surface(&y[..nr]);
        let csp = self.sph.surface(&y[nr..2 * nr]);
        let jn = i / (c.neg.a * c.neg.l);
        let jp = -i / (c.pos.a * c.pos.l);
        for k in 0..nx {
            let mut g = d_av * self.w_ce_av[k];
            let node = |el: &super::Electrode, cs: f64, j: f64, l: f64, d_eta: f64, d_mac: f64| {
                let h = 1e-7 * ce[k].abs().max(1e-3);
                let rs = el.j0_surface_spme(cs);
                let e0 = inverse_bv(j, el.j0_at(ce[k], rs, t), t);
                let e1 = inverse_bv(j, el.j0_at(ce[k] + h, rs, t), t);
                let mut d = d_eta * (e1 - e0) / h * xm.dx[k] / l;
                if free(k) {
                    d += d_mac * xm.dx[k] / (l * ce[k]);
                }
                d
            };
            if k < nn {
                g += node(&c.neg, csn, jn, c.neg.l, d_etan, d_macn);
            } else if k >= nn + ns {
                g += node(&c.pos, csp, jp, c.pos.l, d_etap, d_macp);
            }
            if heat && free(k) {
                // conc = sum over interior edges e of ie_unit[e] (L_e - L_{e-1})
                let left = if k > 0 { self.ie_unit[k] } else { 0.0 };
                let right = if k + 1 < nx { self.ie_unit[k + 1] } else { 0.0 };
                g += d_conc * (left - right) / ce[k];
            }
            grad[2 * nr + k] = g;
        }
        // the surface nodes, the current and the temperature: differences of the whole
        let mut yp = y.to_vec();
        let cols = single_particles_voltage_unknowns(&self.sph, self.idx_i(), self.lumped);
        for j in cols {
            let h = 1e-7 * y[j].abs().max(1e-3);
            yp[j] = y[j] + h;
            grad[j] = (whole(&yp) - f0) / h;
            yp[j] = y[j];
        }
        true
    }
}

/// Work space of `Spme::rhs`: the electrolyte current on the edges, the reaction per node,
/// the SEI on cracks' volumetric current per node, the temperature per node and the
/// electrolyte's own work vector.
struct Work {
    ie: Vec<f64>,
    aj: Vec<f64>,
    aj_cr: Vec<f64>,
    temp: Vec<f64>,
    work: Vec<f64>,
}

impl Work {
    fn new(nx: usize) -> Work {
        Work {
            ie: vec![0.0; nx + 1],
            aj: vec![0.0; nx],
            aj_cr: vec![0.0; nx],
            temp: vec![0.0; nx],
            work: vec![0.0; nx],
        }
    }
}

/// The electrolyte sums of the potentials.
#[derive(Clone, Copy)]
struct Reduced {
    ce_av: f64,
    eta_n: f64,
    eta_p: f64,
    mac_n: f64,
    mac_p: f64,
    /// sum over interior edges of (i_e / i) * jump of log(c_e / avg(c_e)) (heat only)
    conc: f64,
    /// x-averaged transport efficiencies of the negative electrode's electrolyte and solid
    /// (they vary with porosity change)
    tor_n: f64,
    tor_s_n: f64,
}

/// sum_k dx_k log(max(c_k / c_av, 1e-15)), taking one logarithm per eight nodes (each factor
/// lies in [1e-15, ~1e3], so a product of eight stays within f64's range).
fn log_ratio_sum(c: &[f64], dx: &[f64], c_av: f64) -> f64 {
    let uniform = dx.iter().all(|&d| d == dx[0]);
    if !uniform || c_av.is_nan() || c_av <= 0.0 {
        return c
            .iter()
            .zip(dx)
            .map(|(&v, &d)| (v / c_av).max(1e-15).ln() * d)
            .sum();
    }
    let mut s = 0.0;
    for ch in c.chunks(8) {
        let p: f64 = ch.iter().map(|&v| (v / c_av).max(1e-15)).product();
        if p.is_finite() && p > 0.0 {
            s += p.ln();
        } else {
            s += ch.iter().map(|&v| (v / c_av).max(1e-15).ln()).sum::<f64>();
        }
    }
    s * dx[0]
}

impl Model for Spme {
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
        let nr = self.sph.len();
        let nx = self.xm.len();
        let mut y = vec![0.0; self.n_unknowns()];
        y[..nr].iter_mut().for_each(|v| *v = self.cell.neg.c0);
        y[nr..2 * nr].iter_mut().for_each(|v| *v = self.cell.pos.c0);
        for k in 0..nx {
            // with porosity change the state is eps c_e, from PyBaMM's eps_init c_e0
            let eps = if self.porosity {
                self.xm.eps_tor(&self.cell, k).0
            } else {
                1.0
            };
            y[2 * nr + k] = eps * self.cell.c_e0;
        }
        if let Some(d) = &self.deg {
            let o = self.idx_deg();
            for (k, v) in d.initial().into_iter().cycle().take(self.nd).enumerate() {
                y[o + k] = v;
            }
            self.aging.initial(d, &mut y);
        }
        if self.lumped {
            y[self.idx_i() + 1] = self.cell.t_init;
        }
        y
    }

    fn rhs(&self, y: &[f64], out: &mut [f64]) {
        let nr = self.sph.len();
        let nx = self.xm.len();
        let c = &self.cell;
        let t = self.temperature(y);
        let i = y[self.idx_i()] / c.area;
        let (an, ap, _) = self.areas(y);
        let xm = &self.xm;
        // the negative electrode's (x-averaged) SEI and plating current densities [A.m-2]
        let mut j_side = 0.0;
        self.with_ce(y, |ce, por| {
            self.scratch.with(
                || Work::new(nx),
                |w| {
                    let mut jn = i / (an * c.neg.l);
                    let jp = -i / (ap * c.pos.l);
                    w.aj_cr.iter_mut().for_each(|v| *v = 0.0);
                    if let Some(d) = &self.deg {
                        // degradation hook: the particle exchanges only the main reaction's current
                        let o = self.idx_deg();
                        let side = self.side_reactions(
                            d,
                            y,
                            ce,
                            por,
                            &mut out[o..o + self.nd],
                            &mut w.aj_cr,
                        );
                        // PyBaMM's inverse kinetics (`CurrentForInverseButlerVolmer`) take the SEI
                        // and plating currents from the main reaction, not the SEI on cracks': its
                        // lithium comes from no particle (the LLI does not count it), as PyBaMM
                        jn -= side.j_sei + side.j_pl;
                        j_side = side.j_sei + side.j_pl;
                        // particle mechanics and LAM, driven by the x-averaged particles' stresses
                        self.aging.rates(d, &self.sph, y, an * side.j_sei, t, out);
                    }
                    let (a, b) = out.split_at_mut(nr);
                    particle_rhs(&self.sph, &c.neg, &y[..nr], jn / F, t, a);
                    particle_rhs(&self.sph, &c.pos, &y[nr..2 * nr], jp / F, t, &mut b[..nr]);
                    for (e, u) in w.ie.iter_mut().zip(&self.ie_unit) {
                        *e = u * i;
                    }
                    // The electrolyte's reaction source: the total current (main reaction, SEI and
                    // plating), and the SEI on cracks, which draws its lithium from the
                    // electrolyte alone (PyBaMM's "Sum of electrolyte reaction source terms")
                    for k in 0..nx {
                        w.aj[k] = if k < xm.nn {
                            i / c.neg.l + w.aj_cr[k]
                        } else if k < xm.nn + xm.ns {
                            0.0
                        } else {
                            -i / c.pos.l
                        };
                    }
                    w.temp.iter_mut().for_each(|v| *v = t);
                    let dce = &mut out[2 * nr..2 * nr + nx];
                    match por {
                        // d(eps c_e)/dt with each node's own transport efficiency
                        Some(p) => super::porosity::electrolyte_eps_rhs(
                            c,
                            xm,
                            ce,
                            &p.tor,
                            &w.temp,
                            &w.ie,
                            &w.aj,
                            &mut w.work,
                            dce,
                        ),
                        None => electrolyte_rhs(c, xm, ce, &w.temp, &w.ie, &w.aj, &mut w.work, dce),
                    }
                },
            )
        });
        if self.lumped {
            let r = self.reduce(y, t, i, true);
            let mut p = self.combine(&r, y, t, i, true);
            // PyBaMM's reaction and reversible heats carry the main reaction's current: the
            // total less the SEI and plating currents in the negative electrode
            let csn = self.sph.surface(&y[..nr]);
            p.q_stack -= an * c.neg.l * j_side * (r.eta_n + t * c.neg.dudt(csn / c.neg.c_max));
            out[self.idx_i() + 1] = self.dtdt(&p, t, i);
        }
        let _ = R_GAS;
    }

    fn voltage(&self, y: &[f64]) -> f64 {
        self.potentials(y, false).v
    }

    fn has_voltage_gradient(&self) -> bool {
        self.deg.is_none()
    }

    fn voltage_gradient(&self, y: &[f64], grad: &mut [f64]) -> bool {
        self.gradient(y, false, grad)
    }

    fn exact_rows(&self) -> Vec<usize> {
        if self.deg.is_none() && self.lumped {
            vec![self.idx_i() + 1]
        } else {
            Vec::new()
        }
    }

    fn row_gradient(&self, row: usize, y: &[f64], grad: &mut [f64]) -> bool {
        self.lumped && row == self.idx_i() + 1 && self.gradient(y, true, grad)
    }

    fn structure(&self) -> (usize, usize, usize) {
        // the side-reaction states sit in the band (see `sparsity`), not in the border
        (self.sph.len(), self.sph.len(), 2 + usize::from(self.lumped))
    }

    fn border_columns(&self) -> Vec<usize> {
        (0..2 * self.sph.len() + self.xm.len()).collect()
    }

    fn layout(&self) -> Layout {
        let i = self.idx_i();
        Layout {
            q: i - 1,
            i,
            t: self.lumped.then_some(i + 1),
        }
    }

    fn sparsity(&self) -> Option<Vec<Vec<usize>>> {
        // as the SPM, plus c_e coupling to its neighbours and (through the potentials) to the
        // current row; the surface concentrations do not enter the electrolyte equations
        let nr = self.sph.len();
        let nx = self.xm.len();
        let i_row = self.idx_i();
        let mut pat = vec![Vec::new(); self.n_unknowns()];
        for b in [0, nr] {
            self.sph.pattern(&mut pat, b, &[i_row]);
        }
        let e0 = 2 * nr;
        for k in 0..nx {
            let mut rows: Vec<usize> = (k.saturating_sub(1)..=(k + 1).min(nx - 1))
                .map(|r| e0 + r)
                .collect();
            rows.push(i_row);
            pat[e0 + k] = rows;
        }
        // degradation hook: the side-reaction states are slow and couple weakly (their
        // currents are ~1e-4 of the main reaction's); the Newton iteration keeps only their
        // diagonal, so they neither widen the band nor join the dense border
        for j in self.idx_deg()..self.idx_deg() + self.nd + self.aging.n_states() {
            pat[j] = vec![j];
        }
        Some(pat)
    }

    fn condensation(&self) -> Option<Condensation> {
        // the two particles are blocks coupled only through the border
        Some((
            vec![
                (0, self.sph.len(), vec![]),
                (self.sph.len(), self.sph.len(), vec![]),
            ],
            4,
        ))
    }

    fn lithium_in_particles(&self, y: &[f64]) -> f64 {
        self.aging
            .lithium_in_particles(&self.cell, &self.sph, self.deg.as_ref(), y)
    }

    fn active_material_left(&self, y: &[f64]) -> [f64; 2] {
        self.aging.active_fraction(self.deg.as_ref(), y)
    }

    fn lithium_to_sei_on_cracks(&self, y: &[f64]) -> f64 {
        let Some(d) = &self.deg else {
            return 0.0;
        };
        let o = self.idx_deg();
        let m = d.n_states();
        (0..self.nd / m.max(1))
            .map(|k| {
                let v = if d.opts.x_average {
                    self.cell.neg.l
                } else {
                    self.xm.dx[k]
                };
                d.lithium_lost_cracks(&y[o + k * m..o + (k + 1) * m]) * v * self.cell.area
            })
            .sum()
    }

    fn lithium_in_side_reactions(&self, y: &[f64]) -> (f64, f64) {
        let Some(d) = &self.deg else {
            return (0.0, 0.0);
        };
        let o = self.idx_deg();
        let m = d.n_states();
        let (mut a, mut b) = (0.0, 0.0);
        for k in 0..self.nd / m {
            let (sa, sb) = d.lithium_lost_split(&y[o + k * m..o + (k + 1) * m]);
            let v = if d.opts.x_average {
                self.cell.neg.l
            } else {
                self.xm.dx[k]
            };
            a += sa * v * self.cell.area;
            b += sb * v * self.cell.area;
        }
        (a, b)
    }

    fn sei_thickness(&self, y: &[f64]) -> Option<f64> {
        let d = self.deg.as_ref()?;
        let o = self.idx_deg();
        d.opts.sei.map(|_| {
            d.l_sei_mean(
                &y[o..o + self.nd],
                &self.xm.dx[..self.xm.nn],
                self.areas(y).0,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::params;

    fn spme(lumped: bool) -> Spme {
        let p = params::chen2020::parameter_values();
        let cell = Cell::new(&p).unwrap();
        Spme::new(cell, Mesh::default(), lumped)
    }

    /// A state away from equilibrium: graded electrolyte and particles, a current, warm.
    fn state(m: &Spme) -> Vec<f64> {
        let mut y = m.initial_state();
        let (nr, nx) = (m.sph.len(), m.xm.len());
        for k in 0..nx {
            y[2 * nr + k] *= 1.0 + 0.3 * ((k as f64) / nx as f64 - 0.5);
        }
        for i in 0..nr {
            y[i] *= 1.0 - 0.002 * i as f64;
            y[nr + i] *= 1.0 + 0.001 * i as f64;
        }
        y[m.idx_i()] = 5.0;
        if m.lumped {
            y[m.idx_i() + 1] = 305.0;
        }
        y
    }

    fn check(m: &Spme, heat: bool) {
        let y = state(m);
        let mut grad = vec![0.0; y.len()];
        assert!(m.gradient(&y, heat, &mut grad));
        let f = |y: &[f64]| {
            let mut out = vec![0.0; y.len()];
            if heat {
                m.rhs(y, &mut out);
                out[m.idx_i() + 1]
            } else {
                m.voltage(y)
            }
        };
        let f0 = f(&y);
        let scale = grad.iter().fold(0.0f64, |a, g| a.max(g.abs()));
        let mut yp = y.clone();
        for j in 0..y.len() {
            let h = 1e-6 * y[j].abs().max(1e-2);
            yp[j] = y[j] + h;
            let fp = f(&yp);
            yp[j] = y[j] - h;
            let fd = (fp - f(&yp)) / (2.0 * h);
            yp[j] = y[j];
            assert!(
                (fd - grad[j]).abs() <= 1e-7 * scale + 1e-4 * fd.abs(),
                "heat={heat} column {j}: gradient {} vs differences {fd} (f0 {f0})",
                grad[j]
            );
        }
    }

    #[test]
    fn voltage_gradient_matches_finite_differences() {
        check(&spme(false), false);
        check(&spme(true), false);
    }

    #[test]
    fn lumped_temperature_row_gradient_matches_finite_differences() {
        check(&spme(true), true);
    }

    /// An SPMe on OKane2022 with `options` (PyBaMM's names and values).
    fn okane_spme(options: serde_json::Value) -> Spme {
        let p = params::okane2022::parameter_values();
        let mut cell = Cell::new(&p).unwrap();
        let opts = serde_json::from_value(options).unwrap();
        let opts = super::super::degradation::parse_options(&opts, "spme").unwrap();
        let d = Degradation::new(opts, &p, &cell).unwrap();
        super::super::mechanics::apply_stress_diffusion(&mut cell, &d.aging);
        Spme::with_degradation(cell, Mesh::cycling(), false, Some(d))
    }

    /// The lithium the electrolyte gains per second [mol.s-1] and the lithium the SEI on
    /// cracks takes [mol.s-1] at a state of the model, discharging at 5 A.
    fn electrolyte_and_crack_rates(m: &Spme) -> (f64, f64) {
        let mut y = m.initial_state();
        y[m.idx_i()] = 5.0;
        let mut out = vec![0.0; y.len()];
        m.rhs(&y, &mut out);
        let (nr, nx) = (m.sph.len(), m.xm.len());
        let electrolyte: f64 = (0..nx)
            .map(|k| m.xm.eps_tor(&m.cell, k).0 * m.xm.dx[k] * out[2 * nr + k])
            .sum::<f64>()
            * m.cell.area;
        // the lithium in the SEI on cracks is linear in the states
        let dt = 1.0;
        let mut y1 = y.clone();
        for j in m.idx_deg()..m.idx_deg() + m.nd {
            y1[j] += dt * out[j];
        }
        let cracks = (m.lithium_to_sei_on_cracks(&y1) - m.lithium_to_sei_on_cracks(&y)) / dt;
        (electrolyte, cracks)
    }

    #[test]
    fn sei_on_cracks_draws_its_lithium_from_the_electrolyte() {
        // PyBaMM's SPMe: the inverse kinetics' total current carries the main reaction, the
        // SEI and plating; the SEI on cracks is one more electrolyte source term, so the
        // electrolyte loses exactly the lithium the cracks' SEI gains
        let m = okane_spme(serde_json::json!({"SEI": "reaction limited",
            "particle mechanics": ["swelling and cracking", "swelling only"],
            "SEI on cracks": "true"}));
        let (electrolyte, cracks) = electrolyte_and_crack_rates(&m);
        assert!(cracks > 0.0, "{cracks}");
        assert!(
            (electrolyte + cracks).abs() <= 1e-9 * cracks,
            "electrolyte {electrolyte} mol/s, SEI on cracks {cracks} mol/s"
        );
        // without SEI on cracks the electrolyte keeps its lithium (5 A moves 5e-5 mol/s)
        let m = okane_spme(serde_json::json!({"SEI": "reaction limited"}));
        let (electrolyte, cracks) = electrolyte_and_crack_rates(&m);
        assert_eq!(cracks, 0.0);
        assert!(electrolyte.abs() < 1e-12 * 5.0 / F, "{electrolyte}");
    }

    #[test]
    fn log_sums_equal_the_plain_sums() {
        let c: Vec<f64> = (0..37)
            .map(|k| 1000.0 * (1.0 + 0.4 * (k as f64).sin()))
            .collect();
        let dx = vec![2e-6; c.len()];
        let plain: f64 = c.iter().map(|v| (v / 950.0f64).ln() * 2e-6).sum();
        let fast = log_ratio_sum(&c, &dx, 950.0);
        assert!((plain - fast).abs() < 1e-14, "{plain} vs {fast}");
        // a depleted node is clamped as PyBaMM's log(max(x, 1e-15))
        let mut d = c.clone();
        d[5] = 0.0;
        let plain: f64 = d
            .iter()
            .map(|v| (v / 950.0f64).max(1e-15).ln() * 2e-6)
            .sum();
        assert!((plain - log_ratio_sum(&d, &dx, 950.0)).abs() < 1e-13);
        let t = 298.15;
        for j in [-30.0, 0.0, 1e-3, 12.0] {
            let j0: Vec<f64> = (0..29).map(|k| 0.5 + 0.1 * k as f64).collect();
            let plain: f64 = j0.iter().map(|&j0| inverse_bv(j, j0, t) * 3e-6).sum();
            let fast = super::super::inverse_bv_sum(j, j0.iter().copied(), t, 3e-6);
            assert!(
                (plain - fast).abs() < 1e-12 * (1.0 + plain.abs()),
                "j={j}: {plain} vs {fast}"
            );
        }
    }
}
