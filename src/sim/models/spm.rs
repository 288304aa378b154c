//! Single particle model (PyBaMM's `SPM`, default options): one spherical particle per
//! electrode (Fickian diffusion, finite volumes), symmetric Butler–Volmer kinetics, no
//! electrolyte or solid-phase potential drops.

#![allow(clippy::needless_range_loop)]

use super::super::solver::Condensation;
use super::{inverse_bv, particle_average, particle_rhs, surface, thermal, Cell, Layout, Model};

/// The discretised SPM.
pub struct Spm {
    pub cell: Cell,
    pub nr: usize,
    lumped: bool,
    mass: Vec<f64>,
    rho_cp: f64,
}

impl Spm {
    pub fn new(cell: Cell, nr: usize, lumped: bool) -> Spm {
        let n = 2 * nr + 2 + usize::from(lumped);
        let mut mass = vec![1.0; n];
        mass[2 * nr + 1] = 0.0; // current
        let rho_cp = thermal::rho_cp_eff(&cell);
        Spm {
            cell,
            nr,
            lumped,
            mass,
            rho_cp,
        }
    }

    fn temperature(&self, y: &[f64]) -> f64 {
        if self.lumped {
            y[2 * self.nr + 2]
        } else {
            self.cell.t_amb
        }
    }

    /// (eta_n, eta_p, U_n, U_p) at state y.
    fn kinetics(&self, y: &[f64]) -> (f64, f64, f64, f64, f64, f64) {
        let nr = self.nr;
        let c = &self.cell;
        let t = self.temperature(y);
        let i = y[2 * nr + 1] / c.area;
        let cn = surface(&y[..nr]);
        let cp = surface(&y[nr..2 * nr]);
        let jn = i / (c.neg.a * c.neg.l);
        let jp = -i / (c.pos.a * c.pos.l);
        let eta_n = inverse_bv(jn, c.neg.j0(c.c_e0, cn, t), t);
        let eta_p = inverse_bv(jp, c.pos.j0(c.c_e0, cp, t), t);
        let un = c.neg.u(cn / c.neg.c_max, t, c.t_ref);
        let up = c.pos.u(cp / c.pos.c_max, t, c.t_ref);
        (eta_n, eta_p, un, up, cn, cp)
    }
}

impl Model for Spm {
    fn n_unknowns(&self) -> usize {
        self.mass.len()
    }

    fn mass(&self) -> &[f64] {
        &self.mass
    }

    fn initial_state(&self) -> Vec<f64> {
        let nr = self.nr;
        let mut y = vec![0.0; self.n_unknowns()];
        y[..nr].iter_mut().for_each(|v| *v = self.cell.neg.c0);
        y[nr..2 * nr].iter_mut().for_each(|v| *v = self.cell.pos.c0);
        if self.lumped {
            y[2 * nr + 2] = self.cell.t_init;
        }
        y
    }

    fn rhs(&self, y: &[f64], out: &mut [f64]) {
        let nr = self.nr;
        let c = &self.cell;
        let t = self.temperature(y);
        let i = y[2 * nr + 1] / c.area;
        let jn = i / (c.neg.a * c.neg.l);
        let jp = -i / (c.pos.a * c.pos.l);
        let (a, b) = out.split_at_mut(nr);
        particle_rhs(&c.neg, &y[..nr], jn / super::F, t, a);
        particle_rhs(&c.pos, &y[nr..2 * nr], jp / super::F, t, &mut b[..nr]);
        if self.lumped {
            let (eta_n, eta_p, _, _, cn, cp) = self.kinetics(y);
            let q_rxn = i * eta_n - i * eta_p;
            let q_rev = i * t * (c.neg.dudt(cn / c.neg.c_max) - c.pos.dudt(cp / c.pos.c_max));
            out[2 * nr + 2] = thermal::lumped_dtdt(c, self.rho_cp, t, q_rxn + q_rev, i);
        }
    }

    fn voltage(&self, y: &[f64]) -> f64 {
        let (eta_n, eta_p, un, up, _, _) = self.kinetics(y);
        up - un + eta_p - eta_n - self.cell.contact_resistance * y[2 * self.nr + 1]
    }

    fn structure(&self) -> (usize, usize, usize) {
        (self.nr, self.nr, 2 + usize::from(self.lumped))
    }

    fn border_columns(&self) -> Vec<usize> {
        (0..2 * self.nr).collect()
    }

    fn layout(&self) -> Layout {
        Layout {
            q: 2 * self.nr,
            i: 2 * self.nr + 1,
            t: self.lumped.then_some(2 * self.nr + 2),
        }
    }

    fn sparsity(&self) -> Option<Vec<Vec<usize>>> {
        // particle cells couple to their neighbours; the surface cells also enter the
        // voltage (current row); the temperature row (lumped) is left to the lone columns
        let nr = self.nr;
        let i_row = 2 * nr + 1;
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
}
