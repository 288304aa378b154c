//! Reaction-driven porosity change, as PyBaMM's `porosity.ReactionDriven` (options `"SEI
//! porosity change"` and `"lithium plating porosity change"`, either of which turns on the
//! whole submodel): the films the side reactions grow fill the pores,
//! `eps = eps_init - a (L_sei - L_sei_0 + L_plated + L_dead + L_sei_cr (roughness - 1))`,
//! and the electrolyte then conserves `eps c_e` (its state, as PyBaMM's "Porosity times
//! concentration") with Bruggeman transport `eps^b`.

use super::degradation::{Degradation, Geo};
use super::{Cell, XMesh};

/// Change of porosity [-] at a negative-electrode node with side-reaction states `s` on
/// geometry `g` (surface and crack areas per volume), PyBaMM's thin-film approximation
/// `-a L_tot`. The plated and dead lithium thicknesses use the initial surface area (PyBaMM's
/// `a_typ`), the SEI ones the current surface and crack areas.
pub fn negative_delta(d: &Degradation, s: &[f64], g: Geo) -> f64 {
    let sei = if d.opts.sei.is_some() {
        d.l_sei(s, g.a) - d.l_sei0
    } else {
        0.0
    };
    let plated = if d.opts.plating.is_some() {
        // c_plated + c_dead from the lithium they hold beyond the initial plated lithium
        let (_, pl) = d.lithium_lost_split(s);
        (pl + d.c_plated0) * d.v_bar_li / d.a
    } else {
        0.0
    };
    // L_sei_cr (roughness - 1) = c_sei_cr V_bar / a (the crack area cancels)
    let cracks = if d.opts.sei_on_cracks {
        (d.lithium_lost_cracks(s) / d.z_sei + d.c_sei_cr0()) * d.v_bar_sei / g.a
    } else {
        0.0
    };
    -g.a * (sei + plated + cracks)
}

/// Electrolyte mass conservation in the form `d(eps c)/dt = -div(N) + a j / F`, with
/// `N = -tor D_e grad c + t+ i_e / F` and node values `tor` (Bruggeman `eps^b` of the current
/// porosity); as `super::electrolyte_rhs` but not divided by the porosity, which varies.
#[allow(clippy::too_many_arguments)]
pub fn electrolyte_eps_rhs(
    cell: &Cell,
    xm: &XMesh,
    c: &[f64],
    tor: &[f64],
    temp: &[f64],
    i_e: &[f64],
    aj: &[f64],
    work: &mut [f64],
    out: &mut [f64],
) {
    for k in 0..xm.len() {
        work[k] = tor[k] * cell.d_e(c[k], temp[k]);
    }
    super::electrolyte_balance(cell, xm, c, temp, i_e, aj, work, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::models::degradation::parse_options;
    use crate::sim::models::Cell;
    use crate::sim::OptionValue;
    use std::collections::BTreeMap;

    fn deg(pairs: &[(&str, &str)]) -> Degradation {
        let p = crate::sim::params::okane2022::parameter_values();
        let cell = Cell::new(&p).unwrap();
        let m: BTreeMap<String, OptionValue> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), (*v).into()))
            .collect();
        Degradation::new(parse_options(&m, "dfn").unwrap(), &p, &cell).unwrap()
    }

    #[test]
    fn films_fill_the_pores_by_their_volume() {
        let d = deg(&[
            ("SEI", "solvent-diffusion limited"),
            ("lithium plating", "irreversible"),
            ("SEI porosity change", "true"),
        ]);
        let g = d.geo0();
        let mut s = d.initial();
        // nothing grown: no change
        assert_eq!(negative_delta(&d, &s, g), 0.0);
        // 1 mol.m-3 more SEI takes V_bar of the pores; 1 mol.m-3 of dead lithium V_bar_Li
        s[0] += 1.0;
        assert!((negative_delta(&d, &s, g) + d.v_bar_sei).abs() < 1e-15);
        s[0] -= 1.0;
        s[2] += 1.0;
        assert!((negative_delta(&d, &s, g) + 1.3e-5).abs() < 1e-15);
    }
}
