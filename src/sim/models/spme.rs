//! Single particle model with electrolyte (PyBaMM's `SPMe`, default options): SPM particles,
//! full electrolyte diffusion across the cell, composite electrolyte and electrode potentials
//! (Marquis et al. 2019) with x-averaged kinetics.

#![allow(clippy::needless_range_loop)]

use super::super::solver::Condensation;
use super::super::Mesh;
use super::degradation::Degradation;
use super::{
    electrolyte_rhs, inverse_bv, particle_average, particle_rhs, surface, thermal, Cell, Layout,
    Model, XMesh, F, R_GAS,
};

/// The discretised SPMe.
pub struct Spme {
    pub cell: Cell,
    pub nr: usize,
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
        let nr = mesh.r_n.max(mesh.r_p);
        let xm = XMesh::new(&cell, mesh.x_n, mesh.x_s, mesh.x_p);
        // one set of side-reaction states per negative node, or one for the electrode
        let nd = deg.as_ref().map_or(0, |d| {
            d.n_states() * if d.opts.x_average { 1 } else { xm.nn }
        });
        let nx = xm.len();
        let n = 2 * nr + nx + nd + 2 + usize::from(lumped);
        let mut mass = vec![1.0; n];
        mass[2 * nr + nx + nd + 1] = 0.0;
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
        Spme {
            cell,
            nr,
            xm,
            lumped,
            mass,
            rho_cp,
            ie_unit,
            deg,
            nd,
        }
    }

    fn idx_i(&self) -> usize {
        2 * self.nr + self.xm.len() + self.nd + 1
    }

    /// Index of the first side-reaction state.
    fn idx_deg(&self) -> usize {
        2 * self.nr + self.xm.len()
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
    /// their states' rates written to `rates`; returns the x-averaged (j_sei, j_pl).
    fn side_reactions(&self, d: &Degradation, y: &[f64], rates: &mut [f64]) -> (f64, f64) {
        let c = &self.cell;
        let nr = self.nr;
        let xm = &self.xm;
        let (nn, nx) = (xm.nn, xm.len());
        let ce = &y[2 * nr..2 * nr + nx];
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
        let ce_av = (eps_c / lsum) * (inv_eps / lsum);
        let csn = surface(&y[..nr]);
        let jn = i / (c.neg.a * ln);
        let mut eta_n = 0.0;
        for k in 0..nn {
            eta_n += inverse_bv(jn, c.neg.j0(ce[k], csn, t), t) * xm.dx[k];
        }
        eta_n /= ln;
        let un = c.neg.u(csn / c.neg.c_max, t, c.t_ref);
        let kn = c.kappa_e(ce_av, t) * xm.eps_tor(c, 0).1;
        let chi_rt_f = c.chi_rt_over_fc(ce_av, t) * ce_av.max(1e-2);
        let sig_n = c.neg.sigma_eff(csn / c.neg.c_max, t);
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
        let eta_film = d.film(d.l_sei_mean(s, &xm.dx[..nn]), jn);
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
            dphi,
            jn,
            eta_film,
            &ce[..nn],
            &xm.dx[..nn],
            t,
            Some(rates),
        )
    }

    fn potentials(&self, y: &[f64], with_heat: bool) -> Potentials {
        let c = &self.cell;
        let nr = self.nr;
        let xm = &self.xm;
        let (nn, ns, nx) = (xm.nn, xm.ns, xm.len());
        let ce = &y[2 * nr..2 * nr + nx];
        let t = self.temperature(y);
        let i = y[self.idx_i()] / c.area;
        let (ln, ls, lp) = (c.neg.l, c.l_sep, c.pos.l);
        let lx = ln + ls + lp;
        // PyBaMM 26 x-averages c_e = (eps c_e) / eps as avg(eps c_e) * avg(1 / eps)
        let (mut eps_c, mut inv_eps, mut lsum) = (0.0, 0.0, 0.0);
        for k in 0..nx {
            let (eps, _) = xm.eps_tor(c, k);
            eps_c += eps * ce[k] * xm.dx[k];
            inv_eps += xm.dx[k] / eps;
            lsum += xm.dx[k];
        }
        let ce_av = (eps_c / lsum) * (inv_eps / lsum);
        let csn = surface(&y[..nr]);
        let csp = surface(&y[nr..2 * nr]);
        let jn = i / (c.neg.a * ln);
        let jp = -i / (c.pos.a * lp);
        // PyBaMM inverts Butler–Volmer pointwise (j0 follows c_e(x)) and x-averages the result
        let mut eta_n = 0.0;
        for k in 0..nn {
            eta_n += inverse_bv(jn, c.neg.j0(ce[k], csn, t), t) * xm.dx[k];
        }
        eta_n /= ln;
        let mut eta_p = 0.0;
        for k in nn + ns..nx {
            eta_p += inverse_bv(jp, c.pos.j0(ce[k], csp, t), t) * xm.dx[k];
        }
        eta_p /= lp;
        let un = c.neg.u(csn / c.neg.c_max, t, c.t_ref);
        let up = c.pos.u(csp / c.pos.c_max, t, c.t_ref);
        let kap = c.kappa_e(ce_av, t);
        let kn = kap * xm.eps_tor(c, 0).1;
        let ks = kap * xm.eps_tor(c, nn).1;
        let kp = kap * xm.eps_tor(c, nx - 1).1;
        let chi_rt_f = c.chi_rt_over_fc(ce_av, t) * ce_av.max(1e-2);
        let sig_n = c.neg.sigma_eff(csn / c.neg.c_max, t);
        let sig_p = c.pos.sigma_eff(csp / c.pos.c_max, t);
        // PyBaMM's MacInnes function log(max(x, 1e-15)) (`macinnes__c_e`)
        let ln_ratio = |v: f64| (v / ce_av).max(1e-15).ln();
        // x-averages over the electrodes of the MacInnes terms and geometric terms
        let mut mac_n = 0.0;
        let mut phi_s_n_av = 0.0;
        for k in 0..nn {
            let x = xm.x[k];
            mac_n += ln_ratio(ce[k]) * xm.dx[k];
            phi_s_n_av += (i / sig_n) * (x * (x - 2.0 * ln) / (2.0 * ln)) * xm.dx[k];
        }
        mac_n /= ln;
        phi_s_n_av /= ln;
        let mut mac_p = 0.0;
        let mut geo_p = 0.0;
        for k in nn + ns..nx {
            let x = xm.x[k];
            mac_p += ln_ratio(ce[k]) * xm.dx[k];
            geo_p += (x * (2.0 * lx - x) + lp * lp - lx * lx) / (2.0 * lp) * xm.dx[k];
        }
        mac_p /= lp;
        geo_p /= lp;
        // degradation hook: the SEI film of the x-averaged thickness (PyBaMM's inverse
        // kinetics)
        let o = self.idx_deg();
        let eta_film = match &self.deg {
            Some(d) => d.film(d.l_sei_mean(&y[o..o + self.nd], &xm.dx[..nn]), jn),
            None => 0.0,
        };
        let delta_phi_n = eta_n + un - eta_film;
        let delta_phi_p = eta_p + up;
        let phi_e_const =
            -delta_phi_n + phi_s_n_av - chi_rt_f * mac_n - i * ln * (1.0 / (3.0 * kn) - 1.0 / ks);
        let phi_e_p_av = phi_e_const + chi_rt_f * mac_p - (i / kp) * geo_p - i * (lx - lp) / ks;
        let cst = delta_phi_p + phi_e_p_av + (i / sig_p) * (lx - lp / 3.0);
        let g = |x: f64| x + (x - lx) * (x - lx) / (2.0 * lp);
        let phi_at = |x: f64| cst - (i / sig_p) * g(x);
        let v = 1.5 * phi_at(xm.x[nx - 1]) - 0.5 * phi_at(xm.x[nx - 2]);
        let mut q_stack = 0.0;
        if with_heat {
            let q_rxn = i * eta_n - i * eta_p;
            let q_rev = i * t * (c.neg.dudt(csn / c.neg.c_max) - c.pos.dudt(csp / c.pos.c_max));
            let q_s = i * i * (ln / (3.0 * sig_n) + lp / (3.0 * sig_p));
            let q_e_ohm = i * i * (ln / (3.0 * kn) + ls / ks + lp / (3.0 * kp));
            let mut q_e_conc = 0.0;
            for k in 1..nx {
                q_e_conc -=
                    i * self.ie_unit[k] * chi_rt_f * (ln_ratio(ce[k]) - ln_ratio(ce[k - 1]));
            }
            q_stack = q_rxn + q_rev + q_s + q_e_ohm + q_e_conc;
        }
        Potentials {
            v: v - c.contact_resistance * y[self.idx_i()],
            q_stack,
        }
    }
}

impl Model for Spme {
    fn n_unknowns(&self) -> usize {
        self.mass.len()
    }

    fn mass(&self) -> &[f64] {
        &self.mass
    }

    fn initial_state(&self) -> Vec<f64> {
        let nr = self.nr;
        let nx = self.xm.len();
        let mut y = vec![0.0; self.n_unknowns()];
        y[..nr].iter_mut().for_each(|v| *v = self.cell.neg.c0);
        y[nr..2 * nr].iter_mut().for_each(|v| *v = self.cell.pos.c0);
        y[2 * nr..2 * nr + nx]
            .iter_mut()
            .for_each(|v| *v = self.cell.c_e0);
        if let Some(d) = &self.deg {
            let o = self.idx_deg();
            for (k, v) in d.initial().into_iter().cycle().take(self.nd).enumerate() {
                y[o + k] = v;
            }
        }
        if self.lumped {
            y[self.idx_i() + 1] = self.cell.t_init;
        }
        y
    }

    fn rhs(&self, y: &[f64], out: &mut [f64]) {
        let nr = self.nr;
        let nx = self.xm.len();
        let c = &self.cell;
        let t = self.temperature(y);
        let i = y[self.idx_i()] / c.area;
        let mut jn = i / (c.neg.a * c.neg.l);
        let jp = -i / (c.pos.a * c.pos.l);
        if let Some(d) = &self.deg {
            // degradation hook: the particle exchanges only the main reaction's current
            let o = self.idx_deg();
            let (js, jp) = self.side_reactions(d, y, &mut out[o..o + self.nd]);
            jn -= js + jp;
        }
        let (a, b) = out.split_at_mut(nr);
        particle_rhs(&c.neg, &y[..nr], jn / F, t, a);
        particle_rhs(&c.pos, &y[nr..2 * nr], jp / F, t, &mut b[..nr]);
        let xm = &self.xm;
        let ie: Vec<f64> = self.ie_unit.iter().map(|u| u * i).collect();
        let aj: Vec<f64> = (0..nx)
            .map(|k| {
                if k < xm.nn {
                    i / c.neg.l
                } else if k < xm.nn + xm.ns {
                    0.0
                } else {
                    -i / c.pos.l
                }
            })
            .collect();
        let temp = vec![t; nx];
        let mut work = vec![0.0; nx];
        electrolyte_rhs(
            c,
            xm,
            &y[2 * nr..2 * nr + nx],
            &temp,
            &ie,
            &aj,
            &mut work,
            &mut out[2 * nr..2 * nr + nx],
        );
        if self.lumped {
            let p = self.potentials(y, true);
            out[self.idx_i() + 1] = thermal::lumped_dtdt(c, self.rho_cp, t, p.q_stack, i);
        }
        let _ = R_GAS;
    }

    fn voltage(&self, y: &[f64]) -> f64 {
        self.potentials(y, false).v
    }

    fn structure(&self) -> (usize, usize, usize) {
        // the side-reaction states sit in the band (see `sparsity`), not in the border
        (self.nr, self.nr, 2 + usize::from(self.lumped))
    }

    fn border_columns(&self) -> Vec<usize> {
        (0..2 * self.nr + self.xm.len()).collect()
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
        let nr = self.nr;
        let nx = self.xm.len();
        let i_row = self.idx_i();
        let mut pat = vec![Vec::new(); self.n_unknowns()];
        for b in [0, nr] {
            for i in 0..nr {
                let mut rows: Vec<usize> = (i.saturating_sub(1)..=(i + 1).min(nr - 1))
                    .map(|r| b + r)
                    .collect();
                if i + 2 >= nr {
                    rows.push(i_row);
                }
                pat[b + i] = rows;
            }
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
        for j in self.idx_deg()..self.idx_deg() + self.nd {
            pat[j] = vec![j];
        }
        Some(pat)
    }

    fn condensation(&self) -> Option<Condensation> {
        // the two particles are tridiagonal blocks coupled only through the border
        Some((vec![(0, self.nr, vec![]), (self.nr, self.nr, vec![])], 4))
    }

    fn lithium_in_particles(&self, y: &[f64]) -> f64 {
        let c = &self.cell;
        let nr = self.nr;
        let vn = c.neg.eps_s * c.neg.l * c.area;
        let vp = c.pos.eps_s * c.pos.l * c.area;
        particle_average(&y[..nr], c.neg.rad) * vn
            + particle_average(&y[nr..2 * nr], c.pos.rad) * vp
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
        d.opts
            .sei
            .map(|_| d.l_sei_mean(&y[o..o + self.nd], &self.xm.dx[..self.xm.nn]))
    }
}
