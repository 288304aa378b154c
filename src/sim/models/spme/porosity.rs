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
