//! The DFN's degradation geometry, as PyBaMM's DFN with O'Kane 2022's options: at every
//! electrode node its own particle stresses (from that node's particle), crack length,
//! active material volume fraction (LAM) and so surface area `3 eps_s / R`, and, with porosity
//! change, its porosity (see `porosity`) and Bruggeman transport efficiency.

use super::{Dfn, Fields};
use crate::sim::models::degradation::Geo;

impl Dfn {
    /// 0 for a negative-electrode node, 1 for a positive one, None in the separator.
    pub(super) fn electrode_index(&self, k: usize) -> Option<usize> {
        if k < self.xm.nn {
            Some(0)
        } else if k < self.xm.nn + self.xm.ns {
            None
        } else {
            Some(1)
        }
    }

    /// Range of node k's degradation states: side reactions (negative electrode), then
    /// mechanics/LAM (empty in the separator or without them).
    pub(super) fn ext_range(&self, k: usize) -> std::ops::Range<usize> {
        match self.electrode_index(k) {
            None => 0..0,
            Some(e) => {
                let b = self.off[k] + self.sph.len() + 3;
                let n = if e == 0 { self.nd } else { 0 } + self.na[e];
                if n == 0 {
                    0..0
                } else {
                    b..b + n
                }
            }
        }
    }

    /// Range of node k's mechanics/LAM states (`mechanics::ElectrodeAging`).
    pub(super) fn aging_range(&self, k: usize) -> std::ops::Range<usize> {
        match self.electrode_index(k) {
            Some(e) if self.na[e] > 0 => {
                let r = self.ext_range(k);
                r.end - self.na[e]..r.end
            }
            _ => 0..0,
        }
    }

    /// Largest number of degradation states at a node (widens the Jacobian's band; twice with
    /// porosity change, whose porosities the neighbours' electrolyte fluxes read).
    pub(super) fn ext_band(&self) -> usize {
        let m = (self.nd + self.na[0]).max(self.na[1]);
        if self.porosity {
            2 * m
        } else {
            m
        }
    }

    /// Active material volume fraction at electrode node k.
    pub(super) fn eps_s(&self, y: &[f64], k: usize) -> f64 {
        match (&self.deg, self.electrode_index(k)) {
            (Some(d), Some(e)) => d.aging.el[e].eps_s(&y[self.aging_range(k)]),
            (None, Some(0)) => self.cell.neg.eps_s,
            (None, Some(_)) => self.cell.pos.eps_s,
            _ => 0.0,
        }
    }

    /// Surface area per volume at electrode node k [m-1].
    pub(super) fn area(&self, y: &[f64], k: usize) -> f64 {
        match (&self.deg, self.electrode_index(k)) {
            (Some(d), Some(e)) if self.na[e] > 0 => d.aging.el[e].a(&y[self.aging_range(k)]),
            (_, Some(0)) => self.cell.neg.a,
            (_, Some(_)) => self.cell.pos.a,
            _ => 0.0,
        }
    }

    /// Fraction of each electrode's active material left (PyBaMM's "Loss of active material
    /// in ... electrode [%]" is 100 (1 - this)).
    pub(super) fn active_fraction(&self, y: &[f64]) -> [f64; 2] {
        let xm = &self.xm;
        let mut v = [0.0; 2];
        let mut v0 = [0.0; 2];
        for k in 0..xm.len() {
            if let Some(e) = self.electrode_index(k) {
                v[e] += self.eps_s(y, k) * xm.dx[k];
                let el = if e == 0 {
                    &self.cell.neg
                } else {
                    &self.cell.pos
                };
                v0[e] += el.eps_s * xm.dx[k];
            }
        }
        [v[0] / v0[0], v[1] / v0[1]]
    }

    /// Fills the nodes' surface areas, the negative nodes' crack areas, and the porosities
    /// and transport efficiencies.
    pub(super) fn geometry(&self, y: &[f64], f: &mut Fields) {
        let xm = &self.xm;
        let c = &self.cell;
        for k in 0..xm.len() {
            let (eps0, tor0) = xm.eps_tor(c, k);
            f.eps[k] = eps0;
            f.tor[k] = tor0;
            let Some(e) = self.electrode_index(k) else {
                continue;
            };
            f.a[k] = self.area(y, k);
            let Some(d) = &self.deg else {
                continue;
            };
            if e != 0 {
                continue;
            }
            let ag = &d.aging.el[0];
            let crack_ratio = if self.na[0] > 0 {
                ag.crack_ratio(&y[self.aging_range(k)])
            } else {
                ag.crack_ratio(&ag.initial())
            };
            let g = Geo {
                a: f.a[k],
                a_cr: f.a[k] * crack_ratio,
            };
            f.geo[k] = g;
            if self.porosity {
                let eps = eps0
                    + crate::sim::models::porosity::negative_delta(d, &y[self.deg_range(k)], g);
                f.eps[k] = eps;
                let m = &mut f.node[k];
                if m.tor_key != Some(eps.to_bits()) {
                    m.tor = eps.max(0.0).powf(c.neg.b_e);
                    m.tor_key = Some(eps.to_bits());
                }
                f.tor[k] = m.tor;
            }
        }
    }

    /// Rates of node k's mechanics/LAM states: its particle's surface tangential stress and
    /// (reaction-driven LAM) its SEI's volumetric current.
    pub(super) fn aging_rates(&self, y: &[f64], k: usize, t: f64, f: &mut Fields, out: &mut [f64]) {
        let (Some(d), Some(e)) = (&self.deg, self.electrode_index(k)) else {
            return;
        };
        if self.na[e] == 0 {
            return;
        }
        let ag = &d.aging.el[e];
        let cs = &y[self.off[k]..self.off[k] + self.sph.len()];
        let stress = ag.stress_t(self.sph.average(cs), self.sph.surface(cs));
        let a_j_sei = if e == 0 {
            f.a[k] * f.side[k].j_sei
        } else {
            0.0
        };
        let r = self.aging_range(k);
        // the rates of the last evaluation when they read the same inputs (see `NodeMemo`):
        // the finite differences' colours leave most nodes' as they were
        debug_assert!(r.len() <= 2);
        let mut key = [0u64; 5];
        key[0] = stress.to_bits();
        key[1] = a_j_sei.to_bits();
        key[2] = t.to_bits();
        for (q, v) in key[3..].iter_mut().zip(&y[r.clone()]) {
            *q = v.to_bits();
        }
        let m = &mut f.node[k];
        if m.aging_key != Some(key) {
            ag.rates(&y[r.clone()], stress, a_j_sei, t, &mut m.aging[..r.len()]);
            m.aging_key = Some(key);
        }
        out[r.clone()].copy_from_slice(&m.aging[..r.len()]);
    }
}
