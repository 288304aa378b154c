//! Reaction-driven porosity change on the SPMe (PyBaMM's `porosity.ReactionDriven` with its
//! `electrolyte_diffusion.Full`): the electrolyte states are then `eps c_e`, each negative
//! node's porosity drops by the volume of its films (see `models::porosity`), the electrolyte
//! diffuses with that node's Bruggeman `eps^b`, and the composite potentials use PyBaMM's
//! x-averages of the transport efficiencies and of `c_e` itself.

use super::super::porosity::negative_delta;
use super::Spme;

/// The electrolyte of one state with porosity change, kept between calls (`Scratch`).
pub(super) struct Porous {
    /// Porosity, electrolyte transport efficiency `eps^b_e` and concentration
    /// `(eps c_e) / eps` [mol.m-3] at each node.
    pub eps: Vec<f64>,
    pub tor: Vec<f64>,
    pub ce: Vec<f64>,
}

/// The x-averages the composite potentials read: `c_e` over the cell, and the negative
/// electrode's electrolyte and solid transport efficiencies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Means {
    pub ce_av: f64,
    pub tor_n: f64,
    pub tor_s_n: f64,
}

impl Porous {
    fn new(nx: usize) -> Porous {
        Porous {
            eps: vec![0.0; nx],
            tor: vec![0.0; nx],
            ce: vec![0.0; nx],
        }
    }
}

impl Spme {
    /// Runs `f` with the electrolyte concentration at each node [mol.m-3] and, with porosity
    /// change, the porosities behind it (`None`: the states are `c_e` themselves).
    pub(super) fn with_ce<R>(&self, y: &[f64], f: impl FnOnce(&[f64], Option<&Porous>) -> R) -> R {
        let nr = self.sph.len();
        let nx = self.xm.len();
        let Some(d) = self.deg.as_ref().filter(|_| self.porosity) else {
            return f(&y[2 * nr..2 * nr + nx], None);
        };
        self.porous.with(
            || Porous::new(nx),
            |p| {
                let c = &self.cell;
                let xm = &self.xm;
                let g = self.areas(y).2;
                let o = self.idx_deg();
                let m = d.n_states();
                for k in 0..nx {
                    let (eps0, tor0) = xm.eps_tor(c, k);
                    let (eps, tor) = if k < xm.nn {
                        // one set of side-reaction states per node, or one shared
                        let b = if d.opts.x_average { o } else { o + k * m };
                        let eps = eps0 + negative_delta(d, &y[b..b + m], g);
                        (eps, eps.max(0.0).powf(c.neg.b_e))
                    } else {
                        (eps0, tor0)
                    };
                    p.eps[k] = eps;
                    p.tor[k] = tor;
                    p.ce[k] = y[2 * nr + k] / eps;
                }
                f(&p.ce, Some(p))
            },
        )
    }

    /// The x-averages of `c_e` and of the negative electrode's transport efficiencies. With
    /// fixed porosities, PyBaMM 26 simplifies the average of `(eps c_e) / eps` to
    /// `avg(eps c_e) avg(1 / eps)` (the weights `w_ce_av`); with porosity change the porosity
    /// varies in x and the average is the plain one.
    pub(super) fn means(&self, ce: &[f64], por: Option<&Porous>) -> Means {
        let c = &self.cell;
        let xm = &self.xm;
        let Some(p) = por else {
            return Means {
                ce_av: self.w_ce_av.iter().zip(ce).map(|(w, v)| w * v).sum(),
                tor_n: xm.eps_tor(c, 0).1,
                tor_s_n: (1.0 - c.neg.eps).powf(c.neg.b_s),
            };
        };
        let (mut ce_av, mut lx) = (0.0, 0.0);
        for k in 0..xm.len() {
            ce_av += ce[k] * xm.dx[k];
            lx += xm.dx[k];
        }
        let (mut tor_n, mut tor_s_n, mut ln) = (0.0, 0.0, 0.0);
        for k in 0..xm.nn {
            tor_n += p.tor[k] * xm.dx[k];
            tor_s_n += (1.0 - p.eps[k]).max(0.0).powf(c.neg.b_s) * xm.dx[k];
            ln += xm.dx[k];
        }
        Means {
            ce_av: ce_av / lx,
            tor_n: tor_n / ln,
            tor_s_n: tor_s_n / ln,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::degradation::{parse_options, Degradation};
    use super::super::super::{Cell, Model};
    use super::Spme;
    use crate::sim::{params, Mesh};

    /// An SPMe on OKane2022 with solvent-diffusion limited SEI and `"SEI porosity change"`
    /// (or not), and a state whose SEI grew unevenly (more beside the separator), with a graded
    /// electrolyte, discharging at 5 A.
    fn model_and_state(porosity: bool) -> (Spme, Vec<f64>) {
        let p = params::okane2022::parameter_values();
        let cell = Cell::new(&p).unwrap();
        let mut o = serde_json::json!({"SEI": "solvent-diffusion limited"});
        if porosity {
            o["SEI porosity change"] = "true".into();
        }
        let opts = parse_options(&serde_json::from_value(o).unwrap(), "spme").unwrap();
        let d = Degradation::new(opts, &p, &cell).unwrap();
        let m = Spme::with_degradation(cell, Mesh::cycling(), false, Some(d));
        let mut y = m.initial_state();
        let (nr, nx, o) = (m.sph.len(), m.xm.len(), m.idx_deg());
        for k in 0..nx {
            y[2 * nr + k] *= 1.0 + 0.2 * (k as f64 / nx as f64 - 0.5);
        }
        for k in 0..m.nd {
            y[o + k] *= 1.0 + 0.5 * k as f64;
        }
        y[m.idx_i()] = 5.0;
        (m, y)
    }

    #[test]
    fn films_fill_each_nodes_pores_and_the_electrolyte_keeps_its_lithium() {
        let (m, y) = model_and_state(true);
        let (nr, nx, nn) = (m.sph.len(), m.xm.len(), m.xm.nn);
        let d = m.deg.as_ref().unwrap();
        let eps0 = m.cell.neg.eps;
        m.with_ce(y.as_slice(), |ce, por| {
            let p = por.expect("porosity change solves eps c_e");
            for k in 0..nn {
                // each node's pores lose the volume of the SEI grown there: V_bar (c - c0)
                let grown = (y[m.idx_deg() + k] - d.c_sei0()) * d.v_bar_sei;
                assert!(grown > 0.0 || k == 0);
                assert!((p.eps[k] - (eps0 - grown)).abs() < 1e-12, "node {k}");
                assert!((ce[k] - y[2 * nr + k] / p.eps[k]).abs() < 1e-9 * ce[k]);
            }
            assert!(p.eps[nn - 1] < p.eps[0]);
            // the separator and the positive electrode keep theirs
            for k in nn..nx {
                assert_eq!(p.eps[k], m.xm.eps_tor(&m.cell, k).0);
            }
        });
        // d(eps c_e)/dt: the fluxes move lithium between nodes and the main reactions'
        // sources cancel, so the electrolyte's lithium sum_k dx_k (eps c_e)_k is constant
        let mut out = vec![0.0; y.len()];
        m.rhs(&y, &mut out);
        let (mut total, mut scale) = (0.0, 0.0);
        for k in 0..nx {
            total += m.xm.dx[k] * out[2 * nr + k];
            scale += m.xm.dx[k] * out[2 * nr + k].abs();
        }
        assert!(scale > 0.0);
        assert!(total.abs() < 1e-10 * scale, "{total} vs {scale}");
    }
}
