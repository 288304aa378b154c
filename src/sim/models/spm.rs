//! Single particle model (PyBaMM's `SPM`, default options): one spherical particle per
//! electrode (Fickian diffusion, see `sphere`), symmetric Butler–Volmer kinetics, no
//! electrolyte or solid-phase potential drops. With porosity change the electrolyte keeps its
//! lithium (`eps c_e` constant, PyBaMM's `ConstantConcentration`), so the negative electrode's
//! concentration rises as the films fill its pores.

#![allow(clippy::needless_range_loop)]

mod variables;

use super::super::solver::Condensation;
use super::super::Mesh;
use super::degradation::{Degradation, Geo};
use super::mechanics::XAvgAging;
use super::particle_scheme;
use super::{
    inverse_bv, particle_rhs, single_particles_voltage_unknowns, thermal, Cell, Layout, Model,
    Sphere,
};

/// The discretised SPM.
pub struct Spm {
    pub cell: Cell,
    sph: Sphere,
    lumped: bool,
    mass: Vec<f64>,
    rho_cp: f64,
    /// Degradation hook: x-averaged side reactions and their states after the particles.
    deg: Option<Degradation>,
    /// Number of side-reaction states (0 without degradation).
    nd: usize,
    /// The x-averaged mechanics/LAM states (after the side reactions'; see `mechanics`).
    aging: XAvgAging,
    /// Reaction-driven porosity change (`"SEI porosity change"` or `"lithium plating porosity
    /// change"`): the negative electrode's electrolyte concentration follows its porosity.
    porosity: bool,
}

impl Spm {
    pub fn new(cell: Cell, mesh: Mesh, lumped: bool) -> Spm {
        Spm::with_degradation(cell, mesh, lumped, None)
    }

    /// An SPM with side reactions (degradation hook; `None` is the plain SPM).
    pub fn with_degradation(cell: Cell, mesh: Mesh, lumped: bool, deg: Option<Degradation>) -> Spm {
        let sph = particle_scheme(&cell, &mesh);
        let nr = sph.len();
        let nd = deg.as_ref().map_or(0, |d| d.n_states());
        let aging = XAvgAging::new(deg.as_ref(), 2 * nr + nd);
        let na = aging.n_states();
        let n = 2 * nr + nd + na + 2 + usize::from(lumped);
        let mut mass = vec![1.0; n];
        mass[2 * nr + nd + na + 1] = 0.0; // current
        let rho_cp = thermal::rho_cp_eff(&cell);
        let porosity = deg
            .as_ref()
            .is_some_and(|d| d.opts.sei_porosity || d.opts.plating_porosity);
        Spm {
            cell,
            sph,
            lumped,
            mass,
            rho_cp,
            deg,
            nd,
            aging,
            porosity,
        }
    }

    fn idx_i(&self) -> usize {
        2 * self.sph.len() + self.nd + self.aging.n_states() + 1
    }

    /// The side-reaction states.
    fn side_states<'a>(&self, y: &'a [f64]) -> &'a [f64] {
        let o = 2 * self.sph.len();
        &y[o..o + self.nd]
    }

    /// Surface areas per volume (a_n, a_p) [m-1] and the negative electrode's geometry.
    fn areas(&self, y: &[f64]) -> (f64, f64, Geo) {
        self.aging.areas(&self.cell, self.deg.as_ref(), y)
    }

    /// The negative electrode's porosity (x-averaged, as its side reactions): its initial
    /// value less the volume of the films grown (see `porosity`).
    fn negative_porosity(&self, y: &[f64]) -> f64 {
        let eps0 = self.cell.neg.eps;
        match &self.deg {
            Some(d) if self.porosity => {
                eps0 + super::porosity::negative_delta(d, self.side_states(y), self.areas(y).2)
            }
            _ => eps0,
        }
    }

    /// The negative electrode's electrolyte concentration [mol.m-3]: PyBaMM's SPM holds the
    /// lithium in the electrolyte, `eps c_e = eps_init c_e0`, so `c_e = eps_init c_e0 / eps`.
    fn ce_n(&self, y: &[f64]) -> f64 {
        if self.porosity {
            self.cell.neg.eps * self.cell.c_e0 / self.negative_porosity(y)
        } else {
            self.cell.c_e0
        }
    }

    fn temperature(&self, y: &[f64]) -> f64 {
        if self.lumped {
            y[self.idx_i() + 1]
        } else {
            self.cell.t_amb
        }
    }

    /// Side-reaction currents (degradation hook; zero without degradation).
    fn side(&self, y: &[f64], t: f64) -> super::degradation::XAvgSide {
        let Some(d) = &self.deg else {
            return Default::default();
        };
        let nr = self.sph.len();
        let c = &self.cell;
        let i = y[self.idx_i()] / c.area;
        let (an, _, g) = self.areas(y);
        let jn = i / (an * c.neg.l);
        let cn = self.sph.surface(&y[..nr]);
        let ce_n = self.ce_n(y);
        let eta_n = inverse_bv(jn, c.neg.j0(ce_n, cn, t), t);
        let un = c.neg.u(cn / c.neg.c_max, t, c.t_ref);
        d.x_averaged(self.side_states(y), g, eta_n, un, jn, &[ce_n], t)
    }

    /// (eta_n, eta_p, U_n, U_p) at state y.
    fn kinetics(&self, y: &[f64]) -> (f64, f64, f64, f64, f64, f64) {
        let nr = self.sph.len();
        let c = &self.cell;
        let t = self.temperature(y);
        let i = y[self.idx_i()] / c.area;
        let cn = self.sph.surface(&y[..nr]);
        let cp = self.sph.surface(&y[nr..2 * nr]);
        let (an, ap, _) = self.areas(y);
        let jn = i / (an * c.neg.l);
        let jp = -i / (ap * c.pos.l);
        let eta_n = inverse_bv(jn, c.neg.j0(self.ce_n(y), cn, t), t);
        let eta_p = inverse_bv(jp, c.pos.j0(c.c_e0, cp, t), t);
        let un = c.neg.u(cn / c.neg.c_max, t, c.t_ref);
        let up = c.pos.u(cp / c.pos.c_max, t, c.t_ref);
        (eta_n, eta_p, un, up, cn, cp)
    }
}

impl Model for Spm {
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
        let mut y = vec![0.0; self.n_unknowns()];
        y[..nr].iter_mut().for_each(|v| *v = self.cell.neg.c0);
        y[nr..2 * nr].iter_mut().for_each(|v| *v = self.cell.pos.c0);
        if let Some(d) = &self.deg {
            y[2 * nr..2 * nr + self.nd].copy_from_slice(&d.initial());
            self.aging.initial(d, &mut y);
        }
        if self.lumped {
            y[self.idx_i() + 1] = self.cell.t_init;
        }
        y
    }

    fn rhs(&self, y: &[f64], out: &mut [f64]) {
        let nr = self.sph.len();
        let c = &self.cell;
        let t = self.temperature(y);
        let i = y[self.idx_i()] / c.area;
        let (an, ap, g) = self.areas(y);
        let mut jn = i / (an * c.neg.l);
        let jp = -i / (ap * c.pos.l);
        // the negative electrode's SEI and plating current densities [A.m-2]
        let mut j_side = 0.0;
        if let Some(d) = &self.deg {
            // degradation hook: the particle exchanges only the main reaction's current
            let side = self.side(y, t).side;
            j_side = side.j_sei + side.j_pl;
            d.rates(
                self.side_states(y),
                g,
                side,
                &mut out[2 * nr..2 * nr + self.nd],
            );
            // PyBaMM's inverse kinetics (`CurrentForInverseButlerVolmer`) take the SEI and
            // plating currents from the main reaction, not the SEI on cracks': its lithium
            // comes from no particle (the LLI does not count it), as PyBaMM
            jn -= side.j_sei + side.j_pl;
            // particle mechanics and LAM, driven by the x-averaged particles' stresses
            self.aging.rates(d, &self.sph, y, an * side.j_sei, t, out);
        }
        let (a, b) = out.split_at_mut(nr);
        particle_rhs(&self.sph, &c.neg, &y[..nr], jn / super::F, t, a);
        particle_rhs(
            &self.sph,
            &c.pos,
            &y[nr..2 * nr],
            jp / super::F,
            t,
            &mut b[..nr],
        );
        if self.lumped {
            let (eta_n, eta_p, _, _, cn, cp) = self.kinetics(y);
            // PyBaMM's reaction and reversible heats carry the main reaction's current: the
            // total less the SEI and plating currents in the negative electrode
            let i_n = i - an * c.neg.l * j_side;
            let q_rxn = i_n * eta_n - i * eta_p;
            let q_rev = t * (i_n * c.neg.dudt(cn / c.neg.c_max) - i * c.pos.dudt(cp / c.pos.c_max));
            out[self.idx_i() + 1] = thermal::lumped_dtdt(c, self.rho_cp, t, q_rxn + q_rev, i);
        }
    }

    fn voltage_unknowns(&self) -> Option<Vec<usize>> {
        // the surface values, the current and the temperature (and the SEI's states)
        if self.deg.is_some() {
            return None;
        }
        Some(single_particles_voltage_unknowns(
            &self.sph,
            self.idx_i(),
            self.lumped,
        ))
    }

    fn voltage(&self, y: &[f64]) -> f64 {
        let (eta_n, eta_p, un, up, _, _) = self.kinetics(y);
        // degradation hook: the SEI film's Ohmic drop
        let film = if self.deg.is_some() {
            self.side(y, self.temperature(y)).eta_film
        } else {
            0.0
        };
        up - un + eta_p - eta_n + film - self.cell.contact_resistance * y[self.idx_i()]
    }

    fn structure(&self) -> (usize, usize, usize) {
        (
            self.sph.len(),
            self.sph.len(),
            self.nd + self.aging.n_states() + 2 + usize::from(self.lumped),
        )
    }

    fn border_columns(&self) -> Vec<usize> {
        (0..2 * self.sph.len()).collect()
    }

    fn layout(&self) -> Layout {
        Layout {
            q: self.idx_i() - 1,
            i: self.idx_i(),
            t: self.lumped.then_some(self.idx_i() + 1),
        }
    }

    fn sparsity(&self) -> Option<Vec<Vec<usize>>> {
        // a particle's nodes couple to each other; the surface nodes also enter the
        // voltage (current row); the temperature row (lumped) is left to the lone columns
        let nr = self.sph.len();
        let i_row = self.idx_i();
        let mut pat = vec![Vec::new(); self.n_unknowns()];
        // degradation hook: the surface enters the side-reaction rows
        let surface_rows: Vec<usize> = std::iter::once(i_row)
            .chain(2 * nr..2 * nr + self.nd)
            .collect();
        for b in [0, nr] {
            self.sph.pattern(&mut pat, b, &surface_rows);
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
        self.deg.as_ref().map_or(0.0, |d| {
            d.lithium_lost_cracks(self.side_states(y)) * self.cell.neg.l * self.cell.area
        })
    }

    fn lithium_in_side_reactions(&self, y: &[f64]) -> (f64, f64) {
        let Some(d) = &self.deg else {
            return (0.0, 0.0);
        };
        let v = self.cell.neg.l * self.cell.area;
        let (a, b) = d.lithium_lost_split(self.side_states(y));
        (a * v, b * v)
    }

    fn sei_thickness(&self, y: &[f64]) -> Option<f64> {
        let d = self.deg.as_ref()?;
        let a = self.areas(y).0;
        d.opts.sei.map(|_| d.l_sei(self.side_states(y), a))
    }
}

#[cfg(test)]
mod tests {
    use super::super::degradation::parse_options;
    use super::*;
    use crate::sim::params;

    #[test]
    fn films_raise_the_negative_electrolyte_concentration_by_the_volume_they_take() {
        let p = params::okane2022::parameter_values();
        let cell = Cell::new(&p).unwrap();
        let o = serde_json::json!({"SEI": "solvent-diffusion limited",
            "SEI porosity change": "true"});
        let opts = parse_options(&serde_json::from_value(o).unwrap(), "spm").unwrap();
        let d = Degradation::new(opts, &p, &cell).unwrap();
        let m = Spm::with_degradation(cell, Mesh::cycling(), false, Some(d));
        let mut y = m.initial_state();
        let (eps0, c0) = (m.cell.neg.eps, m.cell.c_e0);
        assert!((m.ce_n(&y) - c0).abs() < 1e-9 * c0);
        // 200 mol.m-3 more SEI takes V_bar 200 of the pores; the electrolyte's lithium stays
        let o = 2 * m.sph.len();
        y[o] += 200.0;
        let eps = eps0 - 200.0 * m.deg.as_ref().unwrap().v_bar_sei;
        assert!((m.negative_porosity(&y) - eps).abs() < 1e-12);
        assert!((m.ce_n(&y) - eps0 * c0 / eps).abs() < 1e-9 * c0);
        assert!(m.ce_n(&y) > 1.05 * c0);
    }
}
