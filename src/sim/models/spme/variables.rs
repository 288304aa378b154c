//! Output hook of the SPMe: its variables by PyBaMM's names (electrolyte concentration,
//! x-averaged particle surface and radial concentrations, overpotentials, open-circuit
//! potentials, the lumped model's heat source).

use super::super::super::variables::VarValue;
use super::super::single_particle_variables;
use super::super::thermal;
use super::Spme;

impl Spme {
    /// The variables at state `y` (see `sim::variables`).
    pub(super) fn variable_values(&self, y: &[f64]) -> Vec<VarValue> {
        let t = self.temperature(y);
        let i = y[self.idx_i()] / self.cell.area;
        let r = self.reduce(y, t, i, true);
        let p = self.combine(&r, y, t, i, true);
        // the states, or (eps c_e) / eps with porosity change
        let ce = self.with_ce(y, |ce, _| ce.to_vec());
        let mut out = vec![VarValue::x(
            "Electrolyte concentration [mol.m-3]",
            &self.xm.x,
            ce,
        )];
        out.extend(single_particle_variables(
            &self.cell,
            &self.sph,
            y,
            (r.eta_n, r.eta_p),
            t,
            self.lumped
                .then(|| p.q_stack + thermal::current_collector_heat(&self.cell, i)),
        ));
        out
    }
}
