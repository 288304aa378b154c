//! NCA_Kim2011: NCA/graphite cell. G.-H. Kim, K. Smith, K.-J. Lee, S. Santhanagopalan,
//! A. Pesaran, "Multi-domain modeling of lithium-ion batteries encompassing multi-physics in
//! varied length scales", J. Electrochem. Soc. 158(8), A955 (2011), doi:10.1149/1.3597614.

use super::common::arrhenius;
use super::tanh;
use super::{FnArgs, ParameterValues, Value};

/// The set's "Initial concentration in electrolyte [mol.m-3]", the exchange-current
/// densities' reference concentration.
const C_E_REF: f64 = 1200.0;

fn j0_kim2011(a: &FnArgs, i0_ref: f64, sto_ref: f64) -> f64 {
    let alpha = 0.5;
    let c_s_ref = sto_ref * a.c_s_max;
    let m_ref =
        i0_ref / (C_E_REF.powf(alpha) * (a.c_s_max - c_s_ref).powf(alpha) * c_s_ref.powf(alpha));
    m_ref
        * arrhenius(30000.0, a.t)
        * a.c_e.max(0.0).powf(alpha)
        * a.c_s_surf.max(0.0).powf(alpha)
        * (a.c_s_max - a.c_s_surf).max(0.0).powf(alpha)
}

/// Graphite particle diffusivity [m2.s-1] f(sto, T) (Kim 2011).
pub fn graphite_diffusivity_kim2011(a: &FnArgs) -> f64 {
    9e-14 * arrhenius(4000.0, a.t)
}

/// Graphite OCP [V] f(sto) (Kim 2011).
pub fn graphite_ocp_kim2011(a: &FnArgs) -> f64 {
    let s = a.sto;
    0.124 + 1.5 * (-70.0 * s).exp()
        - 0.0351 * tanh((s - 0.286) / 0.083)
        - 0.0045 * tanh((s - 0.9) / 0.119)
        - 0.035 * tanh((s - 0.99) / 0.05)
        - 0.0147 * tanh((s - 0.5) / 0.034)
        - 0.102 * tanh((s - 0.194) / 0.142)
        - 0.022 * tanh((s - 0.98) / 0.0164)
        - 0.011 * tanh((s - 0.124) / 0.0226)
        + 0.0155 * tanh((s - 0.105) / 0.029)
}

/// Graphite exchange-current density [A.m-2] f(c_e, c_s_surf, c_s_max, T) (Kim 2011:
/// 36 A/m2 at sto 0.36 and the initial electrolyte concentration).
pub fn graphite_electrolyte_exchange_current_density_kim2011(a: &FnArgs) -> f64 {
    j0_kim2011(a, 36.0, 0.36)
}

/// NCA particle diffusivity [m2.s-1] f(sto, T) (Kim 2011).
pub fn nca_diffusivity_kim2011(a: &FnArgs) -> f64 {
    3e-15 * arrhenius(20000.0, a.t)
}

/// NCA exchange-current density [A.m-2] f(c_e, c_s_surf, c_s_max, T) (Kim 2011: 4 A/m2 at
/// sto 0.41 and the initial electrolyte concentration).
pub fn nca_electrolyte_exchange_current_density_kim2011(a: &FnArgs) -> f64 {
    j0_kim2011(a, 4.0, 0.41)
}

/// Electrolyte diffusivity [m2.s-1] f(c_e, T) (Kim 2011).
pub fn electrolyte_diffusivity_kim2011(a: &FnArgs) -> f64 {
    let (c, t) = (a.c_e / 1000.0, a.t);
    5.84e-7 * (-2870.0 / t).exp() * c.powi(2) - 33.9e-7 * (-2920.0 / t).exp() * c
        + 129e-7 * (-3200.0 / t).exp()
}

/// Electrolyte conductivity [S.m-1] f(c_e, T) (Kim 2011).
pub fn electrolyte_conductivity_kim2011(a: &FnArgs) -> f64 {
    let (c, t) = (a.c_e / 1000.0, a.t);
    3.45 * (-798.0 / t).exp() * c.powi(3) - 48.5 * (-1080.0 / t).exp() * c.powi(2)
        + 244.0 * (-1440.0 / t).exp() * c
}

/// NCA OCP [V] f(sto) (Kim 2011 polynomial).
pub fn nca_ocp_kim2011(a: &FnArgs) -> f64 {
    let s = a.sto;
    1.638 * s.powi(10) - 2.222 * s.powi(9) + 15.056 * s.powi(8) - 23.488 * s.powi(7)
        + 81.246 * s.powi(6)
        - 344.566 * s.powi(5)
        + 621.3475 * s.powi(4)
        - 554.774 * s.powi(3)
        + 264.427 * s.powi(2)
        - 66.3691 * s
        + 11.8058
        - 0.61386 * (5.8201 * s.powf(136.4)).exp()
}

/// PyBaMM's NCA_Kim2011 parameter set, by PyBaMM parameter name.
pub fn parameter_values() -> ParameterValues {
    use Value::{Func, Scalar};
    ParameterValues::new(
        "NCA_Kim2011",
        "Kim, G.-H., Smith, K., Lee, K.-J., Santhanagopalan, S., Pesaran, A. (2011). Multi-domain modeling of lithium-ion batteries encompassing multi-physics in varied length scales. J. Electrochem. Soc. 158(8), A955-A969. doi:10.1149/1.3597614",
        vec![
            ("Ratio of lithium moles to SEI moles", Scalar(2.0)),
            ("SEI partial molar volume [m3.mol-1]", Scalar(9.585e-05)),
            ("SEI reaction exchange current density [A.m-2]", Scalar(1.5e-07)),
            ("SEI resistivity [Ohm.m]", Scalar(200000.0)),
            ("SEI solvent diffusivity [m2.s-1]", Scalar(2.5e-22)),
            ("Bulk solvent concentration [mol.m-3]", Scalar(2636.0)),
            ("SEI open-circuit potential [V]", Scalar(0.4)),
            ("SEI electron conductivity [S.m-1]", Scalar(8.95e-14)),
            ("SEI lithium interstitial diffusivity [m2.s-1]", Scalar(1e-20)),
            ("Lithium interstitial reference concentration [mol.m-3]", Scalar(15.0)),
            ("Initial SEI thickness [m]", Scalar(5e-09)),
            ("EC initial concentration in electrolyte [mol.m-3]", Scalar(4541.0)),
            ("EC diffusivity [m2.s-1]", Scalar(2e-18)),
            ("SEI kinetic rate constant [m.s-1]", Scalar(1e-12)),
            ("SEI growth activation energy [J.mol-1]", Scalar(0.0)),
            ("Negative electrode reaction-driven LAM factor [m3.mol-1]", Scalar(0.0)),
            ("Positive electrode reaction-driven LAM factor [m3.mol-1]", Scalar(0.0)),
            ("Negative current collector thickness [m]", Scalar(1e-05)),
            ("Negative electrode thickness [m]", Scalar(7e-05)),
            ("Separator thickness [m]", Scalar(2.5e-05)),
            ("Positive electrode thickness [m]", Scalar(5e-05)),
            ("Positive current collector thickness [m]", Scalar(1e-05)),
            ("Electrode height [m]", Scalar(0.2)),
            ("Electrode width [m]", Scalar(0.14)),
            ("Negative tab width [m]", Scalar(0.044)),
            ("Negative tab centre y-coordinate [m]", Scalar(0.013)),
            ("Negative tab centre z-coordinate [m]", Scalar(0.2)),
            ("Positive tab width [m]", Scalar(0.044)),
            ("Positive tab centre y-coordinate [m]", Scalar(0.137)),
            ("Positive tab centre z-coordinate [m]", Scalar(0.2)),
            ("Cell cooling surface area [m2]", Scalar(0.0561)),
            ("Cell volume [m3]", Scalar(4.62e-06)),
            ("Negative current collector conductivity [S.m-1]", Scalar(59600000.0)),
            ("Positive current collector conductivity [S.m-1]", Scalar(37800000.0)),
            ("Negative current collector density [kg.m-3]", Scalar(11544.75)),
            ("Positive current collector density [kg.m-3]", Scalar(3490.24338)),
            ("Negative current collector specific heat capacity [J.kg-1.K-1]", Scalar(385.0)),
            ("Positive current collector specific heat capacity [J.kg-1.K-1]", Scalar(897.0)),
            ("Negative current collector thermal conductivity [W.m-1.K-1]", Scalar(267.467)),
            ("Positive current collector thermal conductivity [W.m-1.K-1]", Scalar(158.079)),
            ("Nominal cell capacity [A.h]", Scalar(0.43)),
            ("Current function [A]", Scalar(0.43)),
            ("Contact resistance [Ohm]", Scalar(0.0)),
            ("Negative electrode conductivity [S.m-1]", Scalar(100.0)),
            ("Maximum concentration in negative electrode [mol.m-3]", Scalar(28700.0)),
            ("Negative particle diffusivity [m2.s-1]", Func(graphite_diffusivity_kim2011)),
            ("Negative electrode OCP [V]", Func(graphite_ocp_kim2011)),
            ("Negative electrode porosity", Scalar(0.4)),
            ("Negative electrode active material volume fraction", Scalar(0.51)),
            ("Negative particle radius [m]", Scalar(5.083e-07)),
            ("Negative electrode Bruggeman coefficient (electrolyte)", Scalar(2.0)),
            ("Negative electrode Bruggeman coefficient (electrode)", Scalar(2.0)),
            ("Negative electrode charge transfer coefficient", Scalar(0.5)),
            ("Negative electrode double-layer capacity [F.m-2]", Scalar(0.2)),
            ("Negative electrode exchange-current density [A.m-2]", Func(graphite_electrolyte_exchange_current_density_kim2011)),
            ("Negative electrode density [kg.m-3]", Scalar(2136.43638)),
            ("Negative electrode specific heat capacity [J.kg-1.K-1]", Scalar(700.0)),
            ("Negative electrode thermal conductivity [W.m-1.K-1]", Scalar(1.1339)),
            ("Negative electrode OCP entropic change [V.K-1]", Scalar(0.0)),
            ("Positive electrode conductivity [S.m-1]", Scalar(10.0)),
            ("Maximum concentration in positive electrode [mol.m-3]", Scalar(49000.0)),
            ("Positive particle diffusivity [m2.s-1]", Func(nca_diffusivity_kim2011)),
            ("Positive electrode OCP [V]", Func(nca_ocp_kim2011)),
            ("Positive electrode porosity", Scalar(0.4)),
            ("Positive electrode active material volume fraction", Scalar(0.41)),
            ("Positive particle radius [m]", Scalar(1.633e-06)),
            ("Positive electrode Bruggeman coefficient (electrolyte)", Scalar(2.0)),
            ("Positive electrode Bruggeman coefficient (electrode)", Scalar(2.0)),
            ("Positive electrode charge transfer coefficient", Scalar(0.5)),
            ("Positive electrode double-layer capacity [F.m-2]", Scalar(0.2)),
            ("Positive electrode exchange-current density [A.m-2]", Func(nca_electrolyte_exchange_current_density_kim2011)),
            ("Positive electrode density [kg.m-3]", Scalar(4205.82708)),
            ("Positive electrode specific heat capacity [J.kg-1.K-1]", Scalar(700.0)),
            ("Positive electrode thermal conductivity [W.m-1.K-1]", Scalar(1.4007)),
            ("Positive electrode OCP entropic change [V.K-1]", Scalar(0.0)),
            ("Separator porosity", Scalar(0.4)),
            ("Separator Bruggeman coefficient (electrolyte)", Scalar(2.0)),
            ("Separator density [kg.m-3]", Scalar(511.86798)),
            ("Separator specific heat capacity [J.kg-1.K-1]", Scalar(700.0)),
            ("Separator thermal conductivity [W.m-1.K-1]", Scalar(0.10672)),
            ("Initial concentration in electrolyte [mol.m-3]", Scalar(1200.0)),
            ("Cation transference number", Scalar(0.4)),
            ("Thermodynamic factor", Scalar(1.0)),
            ("Electrolyte diffusivity [m2.s-1]", Func(electrolyte_diffusivity_kim2011)),
            ("Electrolyte conductivity [S.m-1]", Func(electrolyte_conductivity_kim2011)),
            ("Reference temperature [K]", Scalar(298.15)),
            ("Negative current collector surface heat transfer coefficient [W.m-2.K-1]", Scalar(0.0)),
            ("Positive current collector surface heat transfer coefficient [W.m-2.K-1]", Scalar(0.0)),
            ("Negative tab heat transfer coefficient [W.m-2.K-1]", Scalar(25.0)),
            ("Positive tab heat transfer coefficient [W.m-2.K-1]", Scalar(25.0)),
            ("Edge heat transfer coefficient [W.m-2.K-1]", Scalar(0.3)),
            ("Total heat transfer coefficient [W.m-2.K-1]", Scalar(25.0)),
            ("Ambient temperature [K]", Scalar(298.15)),
            ("Number of electrodes connected in parallel to make a cell", Scalar(1.0)),
            ("Number of cells connected in series to make a battery", Scalar(1.0)),
            ("Lower voltage cut-off [V]", Scalar(2.7)),
            ("Upper voltage cut-off [V]", Scalar(4.2)),
            ("Open-circuit voltage at 0% SOC [V]", Scalar(2.7)),
            ("Open-circuit voltage at 100% SOC [V]", Scalar(4.2)),
            ("Initial concentration in negative electrode [mol.m-3]", Scalar(18081.0)),
            ("Initial concentration in positive electrode [mol.m-3]", Scalar(20090.0)),
            ("Initial temperature [K]", Scalar(298.15)),
        ],
    )
}
