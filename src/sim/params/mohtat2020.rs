//! Mohtat2020: NMC532/graphite pouch cell (UMBL). P. Mohtat, S. Lee, V. Sulzer, J. B. Siegel,
//! A. G. Stefanopoulou, "Differential Expansion and Voltage Model for Li-ion Batteries at
//! Practical Charging Rates", J. Electrochem. Soc. 167(11), 110561 (2020), doi:10.1149/1945-7111/aba5d1.

use super::common::{arrhenius, sqrt0};
use super::tanh;
use super::{FnArgs, ParameterValues, Value};

/// Graphite particle diffusivity [m2.s-1] f(sto, T) (Mohtat 2020).
pub fn graphite_diffusivity_peymanmpm(a: &FnArgs) -> f64 {
    5.0e-15 * arrhenius(42770.0, a.t)
}

/// Graphite OCP [V] f(sto) (Mohtat 2020).
pub fn graphite_ocp_peymanmpm(a: &FnArgs) -> f64 {
    let s = a.sto;
    0.063 + 0.8 * (-75.0 * (s + 0.001)).exp()
        - 0.012 * tanh((s - 0.127) / 0.016)
        - 0.0118 * tanh((s - 0.155) / 0.016)
        - 0.0035 * tanh((s - 0.22) / 0.02)
        - 0.0095 * tanh((s - 0.19) / 0.013)
        - 0.0145 * tanh((s - 0.49) / 0.02)
        - 0.08 * tanh((s - 1.03) / 0.055)
}

/// Graphite exchange-current density [A.m-2] f(c_e, c_s_surf, c_s_max, T) (Mohtat 2020).
pub fn graphite_electrolyte_exchange_current_density_peymanmpm(a: &FnArgs) -> f64 {
    1.061e-6
        * arrhenius(37480.0, a.t)
        * sqrt0(a.c_e)
        * sqrt0(a.c_s_surf)
        * sqrt0(a.c_s_max - a.c_s_surf)
}

/// Graphite OCP entropic change [V.K-1] f(sto) (Mohtat 2020).
pub fn graphite_entropic_change_peymanmpm(a: &FnArgs) -> f64 {
    let s = a.sto;
    1e-3 * (0.28 - 1.56 * s - 8.92 * s.powi(2) + 57.21 * s.powi(3) - 110.7 * s.powi(4)
        + 90.71 * s.powi(5)
        - 27.14 * s.powi(6))
}

/// NMC particle diffusivity [m2.s-1] f(sto, T) (Mohtat 2020).
pub fn nmc_diffusivity_peymanmpm(a: &FnArgs) -> f64 {
    8e-15 * arrhenius(18550.0, a.t)
}

/// NMC OCP [V] f(sto) (Mohtat 2020).
pub fn nmc_ocp_peymanmpm(a: &FnArgs) -> f64 {
    let s = a.sto;
    4.3452 - 1.6518 * s + 1.6225 * s.powi(2) - 2.0843 * s.powi(3) + 3.5146 * s.powi(4)
        - 2.2166 * s.powi(5)
        - 5.623e-05 * (109.451 * s - 100.006).exp()
}

/// NMC exchange-current density [A.m-2] f(c_e, c_s_surf, c_s_max, T) (Mohtat 2020).
pub fn nmc_electrolyte_exchange_current_density_peymanmpm(a: &FnArgs) -> f64 {
    4.824e-6
        * arrhenius(39570.0, a.t)
        * sqrt0(a.c_e)
        * sqrt0(a.c_s_surf)
        * sqrt0(a.c_s_max - a.c_s_surf)
}

/// NMC OCP entropic change [V.K-1] f(sto): a polynomial in the OCP fit (Mohtat 2020; note the
/// OCP inside omits the -2.2166 sto^5 term, as PyBaMM's function does).
pub fn nmc_entropic_change_peymanmpm(a: &FnArgs) -> f64 {
    let s = a.sto;
    let u = 4.3452 - 1.6518 * s + 1.6225 * s.powi(2) - 2.0843 * s.powi(3) + 3.5146 * s.powi(4)
        - 0.5623e-4 * (109.451 * s - 100.006).exp();
    (-800.0 + 779.0 * u - 284.0 * u.powi(2) + 46.0 * u.powi(3) - 2.8 * u.powi(4)) * 1e-3
}

/// Electrolyte diffusivity [m2.s-1] f(c_e, T) (constant with Arrhenius, Mohtat 2020).
pub fn electrolyte_diffusivity_peymanmpm(a: &FnArgs) -> f64 {
    5.35e-10 * arrhenius(37040.0, a.t)
}

/// Electrolyte conductivity [S.m-1] f(c_e, T) (constant with Arrhenius, Mohtat 2020).
pub fn electrolyte_conductivity_peymanmpm(a: &FnArgs) -> f64 {
    1.3 * arrhenius(34700.0, a.t)
}

/// PyBaMM's Mohtat2020 parameter set, by PyBaMM parameter name.
pub fn parameter_values() -> ParameterValues {
    use Value::{Func, Scalar};
    ParameterValues::new(
        "Mohtat2020",
        "Mohtat, P., Lee, S., Sulzer, V., Siegel, J. B., Stefanopoulou, A. G. (2020). Differential Expansion and Voltage Model for Li-ion Batteries at Practical Charging Rates. J. Electrochem. Soc. 167(11), 110561. doi:10.1149/1945-7111/aba5d1",
        vec![
            ("Lithium metal partial molar volume [m3.mol-1]", Scalar(1.3e-05)),
            ("Exchange-current density for plating [A.m-2]", Scalar(0.001)),
            ("Initial plated lithium concentration [mol.m-3]", Scalar(0.0)),
            ("Typical plated lithium concentration [mol.m-3]", Scalar(1000.0)),
            ("Lithium plating transfer coefficient", Scalar(0.7)),
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
            ("Negative current collector thickness [m]", Scalar(2.5e-05)),
            ("Negative electrode thickness [m]", Scalar(6.2e-05)),
            ("Separator thickness [m]", Scalar(1.2e-05)),
            ("Positive electrode thickness [m]", Scalar(6.7e-05)),
            ("Positive current collector thickness [m]", Scalar(2.5e-05)),
            ("Electrode height [m]", Scalar(1.0)),
            ("Electrode width [m]", Scalar(0.205)),
            ("Cell cooling surface area [m2]", Scalar(0.41)),
            ("Cell volume [m3]", Scalar(3.92e-05)),
            ("Negative current collector conductivity [S.m-1]", Scalar(59600000.0)),
            ("Positive current collector conductivity [S.m-1]", Scalar(35500000.0)),
            ("Negative current collector density [kg.m-3]", Scalar(8954.0)),
            ("Positive current collector density [kg.m-3]", Scalar(2707.0)),
            ("Negative current collector specific heat capacity [J.kg-1.K-1]", Scalar(385.0)),
            ("Positive current collector specific heat capacity [J.kg-1.K-1]", Scalar(897.0)),
            ("Negative current collector thermal conductivity [W.m-1.K-1]", Scalar(401.0)),
            ("Positive current collector thermal conductivity [W.m-1.K-1]", Scalar(237.0)),
            ("Nominal cell capacity [A.h]", Scalar(5.0)),
            ("Current function [A]", Scalar(5.0)),
            ("Contact resistance [Ohm]", Scalar(0.0)),
            ("Negative electrode conductivity [S.m-1]", Scalar(100.0)),
            ("Maximum concentration in negative electrode [mol.m-3]", Scalar(28746.0)),
            ("Negative particle diffusivity [m2.s-1]", Func(graphite_diffusivity_peymanmpm)),
            ("Negative electrode OCP [V]", Func(graphite_ocp_peymanmpm)),
            ("Negative electrode porosity", Scalar(0.3)),
            ("Negative electrode active material volume fraction", Scalar(0.61)),
            ("Negative particle radius [m]", Scalar(2.5e-06)),
            ("Negative electrode Bruggeman coefficient (electrode)", Scalar(1.5)),
            ("Negative electrode Bruggeman coefficient (electrolyte)", Scalar(1.5)),
            ("Negative electrode transport efficiency", Scalar(0.16)),
            ("Negative electrode reference exchange-current density [A.m-2(m3.mol)1.5]", Scalar(1.061e-06)),
            ("Negative electrode charge transfer coefficient", Scalar(0.5)),
            ("Negative electrode double-layer capacity [F.m-2]", Scalar(0.2)),
            ("Negative electrode exchange-current density [A.m-2]", Func(graphite_electrolyte_exchange_current_density_peymanmpm)),
            ("Negative electrode density [kg.m-3]", Scalar(3100.0)),
            ("Negative electrode specific heat capacity [J.kg-1.K-1]", Scalar(1100.0)),
            ("Negative electrode thermal conductivity [W.m-1.K-1]", Scalar(1.7)),
            ("Negative electrode OCP entropic change [V.K-1]", Func(graphite_entropic_change_peymanmpm)),
            ("Positive electrode conductivity [S.m-1]", Scalar(100.0)),
            ("Maximum concentration in positive electrode [mol.m-3]", Scalar(35380.0)),
            ("Positive particle diffusivity [m2.s-1]", Func(nmc_diffusivity_peymanmpm)),
            ("Positive electrode OCP [V]", Func(nmc_ocp_peymanmpm)),
            ("Positive electrode porosity", Scalar(0.3)),
            ("Positive electrode active material volume fraction", Scalar(0.445)),
            ("Positive particle radius [m]", Scalar(3.5e-06)),
            ("Positive electrode Bruggeman coefficient (electrode)", Scalar(1.5)),
            ("Positive electrode Bruggeman coefficient (electrolyte)", Scalar(1.5)),
            ("Positive electrode transport efficiency", Scalar(0.16)),
            ("Positive electrode reference exchange-current density [A.m-2(m3.mol)1.5]", Scalar(4.824e-06)),
            ("Positive electrode charge transfer coefficient", Scalar(0.5)),
            ("Positive electrode double-layer capacity [F.m-2]", Scalar(0.2)),
            ("Positive electrode exchange-current density [A.m-2]", Func(nmc_electrolyte_exchange_current_density_peymanmpm)),
            ("Positive electrode density [kg.m-3]", Scalar(3100.0)),
            ("Positive electrode specific heat capacity [J.kg-1.K-1]", Scalar(1100.0)),
            ("Positive electrode thermal conductivity [W.m-1.K-1]", Scalar(2.1)),
            ("Positive electrode OCP entropic change [V.K-1]", Func(nmc_entropic_change_peymanmpm)),
            ("Separator porosity", Scalar(0.4)),
            ("Separator Bruggeman coefficient (electrolyte)", Scalar(1.5)),
            ("Separator density [kg.m-3]", Scalar(397.0)),
            ("Separator specific heat capacity [J.kg-1.K-1]", Scalar(700.0)),
            ("Separator thermal conductivity [W.m-1.K-1]", Scalar(0.16)),
            ("Separator transport efficiency ", Scalar(0.25)),
            ("Initial concentration in electrolyte [mol.m-3]", Scalar(1000.0)),
            ("Cation transference number", Scalar(0.38)),
            ("Thermodynamic factor", Scalar(1.0)),
            ("Typical lithium ion diffusivity [m2.s-1]", Scalar(5.34e-10)),
            ("Electrolyte diffusivity [m2.s-1]", Func(electrolyte_diffusivity_peymanmpm)),
            ("Electrolyte conductivity [S.m-1]", Func(electrolyte_conductivity_peymanmpm)),
            ("Reference temperature [K]", Scalar(298.15)),
            ("Negative current collector surface heat transfer coefficient [W.m-2.K-1]", Scalar(0.0)),
            ("Positive current collector surface heat transfer coefficient [W.m-2.K-1]", Scalar(0.0)),
            ("Negative tab heat transfer coefficient [W.m-2.K-1]", Scalar(0.0)),
            ("Positive tab heat transfer coefficient [W.m-2.K-1]", Scalar(0.0)),
            ("Edge heat transfer coefficient [W.m-2.K-1]", Scalar(5.0)),
            ("Total heat transfer coefficient [W.m-2.K-1]", Scalar(5.0)),
            ("Ambient temperature [K]", Scalar(298.15)),
            ("Number of electrodes connected in parallel to make a cell", Scalar(1.0)),
            ("Number of cells connected in series to make a battery", Scalar(1.0)),
            ("Lower voltage cut-off [V]", Scalar(2.8)),
            ("Upper voltage cut-off [V]", Scalar(4.2)),
            ("Open-circuit voltage at 0% SOC [V]", Scalar(2.8)),
            ("Open-circuit voltage at 100% SOC [V]", Scalar(4.2)),
            ("Initial concentration in negative electrode [mol.m-3]", Scalar(48.8682)),
            ("Initial concentration in positive electrode [mol.m-3]", Scalar(31513.0)),
            ("Initial temperature [K]", Scalar(298.15)),
        ],
    )
}
