//! PyBaMM's lumped thermal model: one cell temperature, heated by the volume-averaged
//! reaction, reversible (entropic) and Ohmic heat (current collectors included) and cooled
//! through the cell's surface to ambient.

use super::Cell;
use crate::sim::params::FnArgs;

/// Effective volumetric heat capacity of the stack [J.m-3.K-1] (thickness-weighted).
pub fn rho_cp_eff(cell: &Cell) -> f64 {
    let l = cell.l_cn + cell.l_x() + cell.l_cp;
    (cell.rho_cp_cn * cell.l_cn
        + cell.neg.rho * cell.neg.cp * cell.neg.l
        + cell.rho_cp_sep * cell.l_sep
        + cell.pos.rho * cell.pos.cp * cell.pos.l
        + cell.rho_cp_cp * cell.l_cp)
        / l
}

/// The stack's heat capacity at cell temperature `t` [J.m-3.K-1]: `rho_cp` (the constant one
/// of `rho_cp_eff`) unless the set gives heat capacities as functions of temperature, which
/// PyBaMM evaluates at the volume-averaged cell temperature (`rho_c_p_eff(T_vol_av)`).
pub fn rho_cp_at(cell: &Cell, rho_cp: f64, t: f64) -> f64 {
    let Some(terms) = &cell.rho_cp_of_t else {
        return rho_cp;
    };
    let args = FnArgs {
        t,
        ..FnArgs::default()
    };
    terms.iter().map(|(w, cp)| w * cp.eval(&args)).sum::<f64>() / cell_thickness(cell)
}

/// dT/dt of the lumped model. `q_stack` is the heat generated in the electrode stack per unit
/// electrode area [W.m-2] (L_x times its x-average), `i` the current density [A.m-2].
pub fn lumped_dtdt(cell: &Cell, rho_cp: f64, t: f64, q_stack: f64, i: f64) -> f64 {
    let q_cc = current_collector_heat(cell, i);
    let q_w = (q_stack + q_cc) * cell.area;
    let cool_w = -cell.h_total * (t - cell.t_amb) * cell.a_cool;
    (q_w + cool_w) / cell.v_cell / rho_cp_at(cell, rho_cp, t)
}

/// Ohmic heat of the current collectors per unit electrode area [W.m-2] at current density `i`.
pub fn current_collector_heat(cell: &Cell, i: f64) -> f64 {
    cell.l_cn * i * i / cell.sigma_cn + cell.l_cp * i * i / cell.sigma_cp
}

/// Thickness of the cell with its current collectors [m]: PyBaMM's x-averaged heat sources
/// are per unit of it.
pub fn cell_thickness(cell: &Cell) -> f64 {
    cell.l_cn + cell.l_x() + cell.l_cp
}
