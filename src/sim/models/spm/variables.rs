//! Output hook of the SPM: its variables by PyBaMM's names (x-averaged particle surface and
//! radial concentrations, overpotentials, open-circuit potentials, the lumped model's heat source).

use super::super::super::variables::VarValue;
use super::super::single_particle_variables;
use super::super::thermal;
use super::Spm;

impl Spm {
    /// The variables at state `y` (see `sim::variables`).
    pub(super) fn variable_values(&self, y: &[f64]) -> Vec<VarValue> {
        let c = &self.cell;
        let t = self.temperature(y);
        let i = y[self.idx_i()] / c.area;
        let (eta_n, eta_p, _, _, cn, cp) = self.kinetics(y);
        let q_rxn = i * eta_n - i * eta_p;
        let q_rev = i * t * (c.neg.dudt(cn / c.neg.c_max) - c.pos.dudt(cp / c.pos.c_max));
        single_particle_variables(
            c,
            &self.sph,
            y,
            (eta_n, eta_p),
            t,
            self.lumped
                .then(|| q_rxn + q_rev + thermal::current_collector_heat(c, i)),
        )
    }
}
