//! Output hook of the DFN: its variables by PyBaMM's names (electrolyte, potentials, particle
//! surface and radial concentrations, overpotentials, interfacial currents, and the heat
//! sources of the lumped thermal model),
//! evaluated from one state with the residual's own field computation.

use super::super::super::variables::VarValue;
use super::super::thermal;
use super::{Dfn, Fields};

/// Per-node heat sources [W.m-3]: Ohmic (solid + electrolyte), irreversible and reversible
/// electrochemical, as `Dfn::heat` sums them.
struct Heat {
    ohmic: Vec<f64>,
    irreversible: Vec<f64>,
    reversible: Vec<f64>,
}

impl Dfn {
    /// The variables at state `y` (see `sim::variables`).
    pub(super) fn variable_values(&self, y: &[f64]) -> Vec<VarValue> {
        let xm = &self.xm;
        let (nx, nn, ns) = (xm.len(), xm.nn, xm.ns);
        let t = self.temperature(y);
        let mut f = Fields::new(nx, nn);
        self.fields(y, t, &mut f);
        let heat = self.heat_parts(&f, t);
        let neg = 0..nn;
        let pos = nn + ns..nx;
        let xn = &xm.x[neg.clone()];
        let xp = &xm.x[pos.clone()];
        let avg = |v: &[f64], r: std::ops::Range<usize>| xm.average(v, r.start, r.end);
        let part = |v: &[f64], r: std::ops::Range<usize>| v[r].to_vec();
        let mut out = vec![
            VarValue::x("Electrolyte concentration [mol.m-3]", &xm.x, f.ce.clone()),
            VarValue::x("Electrolyte potential [V]", &xm.x, f.phie.clone()),
            VarValue::x(
                "Negative electrode potential [V]",
                xn,
                part(&f.phis, neg.clone()),
            ),
            VarValue::x(
                "Positive electrode potential [V]",
                xp,
                part(&f.phis, pos.clone()),
            ),
            VarValue::x(
                "Negative particle surface concentration [mol.m-3]",
                xn,
                part(&f.csurf, neg.clone()),
            ),
            VarValue::x(
                "Positive particle surface concentration [mol.m-3]",
                xp,
                part(&f.csurf, pos.clone()),
            ),
            VarValue::scalar(
                "X-averaged negative particle surface concentration [mol.m-3]",
                avg(&f.csurf, neg.clone()),
            ),
            VarValue::scalar(
                "X-averaged positive particle surface concentration [mol.m-3]",
                avg(&f.csurf, pos.clone()),
            ),
            VarValue::x(
                "Negative electrode reaction overpotential [V]",
                xn,
                part(&f.eta, neg.clone()),
            ),
            VarValue::x(
                "Positive electrode reaction overpotential [V]",
                xp,
                part(&f.eta, pos.clone()),
            ),
            VarValue::scalar(
                "X-averaged negative electrode reaction overpotential [V]",
                avg(&f.eta, neg.clone()),
            ),
            VarValue::scalar(
                "X-averaged positive electrode reaction overpotential [V]",
                avg(&f.eta, pos.clone()),
            ),
            VarValue::x(
                "Negative electrode open-circuit potential [V]",
                xn,
                part(&f.u, neg.clone()),
            ),
            VarValue::x(
                "Positive electrode open-circuit potential [V]",
                xp,
                part(&f.u, pos.clone()),
            ),
            VarValue::scalar(
                "X-averaged negative electrode open-circuit potential [V]",
                avg(&f.u, neg.clone()),
            ),
            VarValue::scalar(
                "X-averaged positive electrode open-circuit potential [V]",
                avg(&f.u, pos.clone()),
            ),
            VarValue::x(
                "Negative electrode interfacial current density [A.m-2]",
                xn,
                part(&f.jm, neg.clone()),
            ),
            VarValue::x(
                "Positive electrode interfacial current density [A.m-2]",
                xp,
                part(&f.jm, pos.clone()),
            ),
        ];
        // x-averaged particles along the radius
        let radii = self.sph.node_radii();
        let nr = self.sph.len();
        for (name, range, rad) in [
            (
                "X-averaged negative particle concentration [mol.m-3]",
                neg.clone(),
                self.cell.neg.rad,
            ),
            (
                "X-averaged positive particle concentration [mol.m-3]",
                pos.clone(),
                self.cell.pos.rad,
            ),
        ] {
            let l: f64 = range.clone().map(|k| xm.dx[k]).sum();
            let mut c = vec![0.0; nr];
            for k in range {
                for (ci, v) in c.iter_mut().zip(&y[self.off[k]..self.off[k] + nr]) {
                    *ci += v * xm.dx[k] / l;
                }
            }
            out.push(VarValue::r(
                name,
                radii.iter().map(|r| r * rad).collect(),
                c,
            ));
        }
        if !self.lumped {
            // PyBaMM's isothermal models have no heat sources
            return out;
        }
        // PyBaMM averages over the whole cell, current collectors (and their Ohmic heat)
        // included
        let lx = thermal::cell_thickness(&self.cell);
        let q_cc = thermal::current_collector_heat(&self.cell, y[self.idx_i()] / self.cell.area);
        let total: Vec<f64> = (0..nx)
            .map(|k| heat.ohmic[k] + heat.irreversible[k] + heat.reversible[k])
            .collect();
        let integral = |v: &[f64]| (0..nx).map(|k| v[k] * xm.dx[k]).sum::<f64>();
        out.extend([
            VarValue::x("Total heating [W.m-3]", &xm.x, total.clone()),
            VarValue::scalar(
                "X-averaged total heating [W.m-3]",
                (integral(&total) + q_cc) / lx,
            ),
            VarValue::scalar(
                "Total heating per unit electrode-pair area [W.m-2]",
                integral(&total) + q_cc,
            ),
            VarValue::scalar(
                "X-averaged Ohmic heating [W.m-3]",
                (integral(&heat.ohmic) + q_cc) / lx,
            ),
            VarValue::scalar(
                "X-averaged irreversible electrochemical heating [W.m-3]",
                integral(&heat.irreversible) / lx,
            ),
            VarValue::scalar(
                "X-averaged reversible heating [W.m-3]",
                integral(&heat.reversible) / lx,
            ),
        ]);
        out
    }

    /// The terms of `Dfn::heat` node by node.
    fn heat_parts(&self, f: &Fields, t: f64) -> Heat {
        let xm = &self.xm;
        let nx = xm.len();
        let mut gpe = vec![0.0; nx + 1];
        for e in 1..nx {
            gpe[e] = (f.phie[e] - f.phie[e - 1]) / (xm.x[e] - xm.x[e - 1]);
        }
        let mut h = Heat {
            ohmic: vec![0.0; nx],
            irreversible: vec![0.0; nx],
            reversible: vec![0.0; nx],
        };
        for k in 0..nx {
            let ie_n = 0.5 * (f.ie[k] + f.ie[k + 1]);
            let g_n = 0.5 * (gpe[k] + gpe[k + 1]);
            h.ohmic[k] = -ie_n * g_n;
            if let Some(el) = self.electrode(k) {
                let is_n = 0.5 * (f.is_[k] + f.is_[k + 1]);
                h.ohmic[k] += is_n * is_n / f.sig[k];
                let aj = f.a[k] * f.jm[k];
                h.irreversible[k] = aj * f.eta[k];
                h.reversible[k] = aj * t * el.dudt(f.csurf[k] / el.c_max);
            }
        }
        h
    }
}
