//! The DFN's declared Jacobian structure against finite differences of its residual: the
//! sparsity (what the colouring of the finite-difference Jacobian trusts), the band and the
//! condensed particle blocks must hold every nonzero, with every degradation option on.

use super::*;
use crate::sim::models::degradation::parse_options;
use crate::sim::models::mechanics::apply_stress_diffusion;
use crate::sim::params;

/// A DFN on OKane2022 with `options` (PyBaMM's names and values) on a small mesh.
fn okane_dfn(options: serde_json::Value, lumped: bool, shells: usize) -> Dfn {
    let p = params::okane2022::parameter_values();
    let mut cell = Cell::new(&p).unwrap();
    let opts = serde_json::from_value(options).unwrap();
    let d = Degradation::new(parse_options(&opts, "dfn").unwrap(), &p, &cell).unwrap();
    apply_stress_diffusion(&mut cell, &d.aging);
    let mesh = Mesh {
        x_n: 5,
        x_s: 3,
        x_p: 4,
        r_n: shells,
        r_p: shells,
        r_grading: 1.0,
        r_outer: 0,
        particle_nodes: 6,
    };
    Dfn::with_degradation(cell, mesh, lumped, Some(d))
}

/// A state away from equilibrium: graded particles (stresses), electrolyte and potentials, a
/// discharge current, grown films and cracks, a little active material lost.
fn state(m: &Dfn) -> Vec<f64> {
    let mut y = m.initial_state();
    let nr = m.sph.len();
    let nx = m.xm.len();
    for k in 0..nx {
        let (ice, ipe, _) = m.ic(k);
        y[ice] *= 1.0 + 0.2 * ((k as f64) / nx as f64 - 0.5);
        y[ipe] += 1e-3 * k as f64;
        if m.electrode(k).is_some() {
            let sign = if k < m.xm.nn { 1.0 } else { -1.0 };
            for i in 0..nr {
                y[m.off[k] + i] *= 1.0 + sign * 0.01 * (i as f64 / nr as f64).powi(2);
            }
            for (q, j) in m.ext_range(k).enumerate() {
                y[j] *= 1.0 + 0.01 * (q + 1) as f64;
                if y[j] == 0.0 {
                    y[j] = 1e-3 * (q + 1) as f64;
                }
            }
        }
    }
    y[m.idx_i()] = 5.0;
    y
}

/// Nonzeros (row, column) of the Jacobian at `y` by central differences, relative to each
/// row's largest entry.
fn nonzeros(m: &Dfn, y: &[f64]) -> Vec<(usize, usize)> {
    let n = y.len();
    let mut jac = vec![vec![0.0; n]; n]; // jac[col][row]
    let (mut fp, mut fm) = (vec![0.0; n], vec![0.0; n]);
    let mut yp = y.to_vec();
    for j in 0..n {
        let h = 1e-6 * y[j].abs().max(1e-3);
        yp[j] = y[j] + h;
        m.rhs(&yp, &mut fp);
        yp[j] = y[j] - h;
        m.rhs(&yp, &mut fm);
        yp[j] = y[j];
        for i in 0..n {
            jac[j][i] = (fp[i] - fm[i]) / (2.0 * h);
        }
    }
    let row_max: Vec<f64> = (0..n)
        .map(|i| (0..n).fold(0.0f64, |a, j| a.max(jac[j][i].abs())))
        .collect();
    let mut nz = Vec::new();
    for (j, col) in jac.iter().enumerate() {
        for (i, &v) in col.iter().enumerate() {
            assert!(v.is_finite(), "({i}, {j}) not finite");
            if v.abs() > 1e-9 * row_max[i] {
                nz.push((i, j));
            }
        }
    }
    nz
}

/// Whether (row, column) is the one coupling the sparsity leaves out on purpose: a
/// mechanics/LAM state's rate reads its particle's average (the stress), i.e. every shell;
/// declared, it would give the finite differences a colour per shell (see `sparsity`).
fn stress_average(m: &Dfn, i: usize, j: usize) -> bool {
    (0..m.xm.len()).any(|k| {
        m.electrode(k).is_some()
            && m.aging_range(k).contains(&i)
            && (m.off[k]..m.off[k] + m.sph.len()).contains(&j)
            && !m.sph.surface_nodes(m.off[k]).contains(&j)
    })
}

fn check_structure(m: &Dfn) {
    let y = state(m);
    let n = y.len();
    let pat = m.sparsity().expect("the DFN declares its sparsity");
    let (kl, ku, border) = m.structure();
    let nb = n - border;
    let (groups, _) = m.condensation().expect("the DFN condenses its particles");
    let nz = nonzeros(m, &y);
    assert!(nz.len() > n, "too few nonzeros: {}", nz.len());
    for &(i, j) in &nz {
        if i < nb && j < nb {
            assert!(
                i <= j + kl && j <= i + ku,
                "({i}, {j}) outside the band ({kl}, {ku})"
            );
        }
        // (the lumped temperature's row reads every unknown: declared in every column it
        // would give each column a colour of its own; its band part is left out, as the
        // stresses' average is)
        let heat_row = m.layout().t == Some(i);
        if !pat[j].is_empty() && !stress_average(m, i, j) && !heat_row {
            assert!(
                pat[j].contains(&i),
                "column {j} enters row {i}, which its sparsity leaves out"
            );
        }
        // a particle's rows read only its own nodes, its coupled unknowns and the border
        for (start, len, cpl) in &groups {
            if (*start..start + len).contains(&i) {
                assert!(
                    (*start..start + len).contains(&j) || cpl.contains(&j) || j >= nb,
                    "particle row {i} reads column {j}, outside its block and couplings"
                );
            }
        }
    }
}

#[test]
fn sparsity_band_and_particle_blocks_hold_every_nonzero_of_the_fully_coupled_dfn() {
    // the coupled model of issue #25: SEI and plating with porosity change, cracking, SEI on
    // cracks, stress-driven LAM (stress-induced diffusion puts the particles on shells)
    let m = okane_dfn(
        serde_json::json!({"SEI": "solvent-diffusion limited", "SEI porosity change": "true",
            "lithium plating": "partially reversible",
            "lithium plating porosity change": "true",
            "particle mechanics": ["swelling and cracking", "swelling only"],
            "SEI on cracks": "true", "loss of active material": "stress-driven"}),
        false,
        7,
    );
    check_structure(&m);
}

#[test]
fn sparsity_band_and_particle_blocks_hold_every_nonzero_with_each_option_and_thermal() {
    for (options, lumped) in [
        (serde_json::json!({"SEI": "reaction limited"}), true),
        (
            serde_json::json!({"SEI": "ec reaction limited", "lithium plating": "irreversible",
                "SEI porosity change": "true", "loss of active material": ["reaction-driven", "none"]}),
            false,
        ),
        (
            serde_json::json!({"SEI": "interstitial-diffusion limited",
                "particle mechanics": "swelling and cracking", "SEI on cracks": "true",
                "loss of active material": ["stress and reaction-driven", "stress-driven"]}),
            true,
        ),
    ] {
        check_structure(&okane_dfn(options, lumped, 6));
    }
}

#[test]
fn sparsity_band_and_particle_blocks_hold_every_nonzero_of_finite_volume_particles() {
    // ORegan2022's diffusivities depend on stoichiometry: the particles are shells (and
    // OKane2022's stress-induced diffusion alone keeps the polynomial, tested above)
    let p = params::oregan2022::parameter_values();
    let cell = Cell::new(&p).unwrap();
    let mesh = Mesh {
        x_n: 4,
        x_s: 2,
        x_p: 4,
        r_n: 9,
        r_p: 9,
        r_grading: 10.0,
        r_outer: 0,
        particle_nodes: 6,
    };
    for lumped in [false, true] {
        let m = Dfn::new(cell.clone(), mesh, lumped);
        assert!(m.sph.len() == 9, "finite volumes expected");
        check_structure(&m);
    }
}
