//! Ecker2015: Kokam SLPB 75106100 NCO/graphite pouch cell. M. Ecker, T. K. D. Tran, P. Dechent,
//! S. Käbitz, A. Warnecke, D. U. Sauer, "Parameterization of a Physico-Chemical Model of a Lithium-Ion
//! Battery: I. Determination of Parameters", J. Electrochem. Soc. 162(9), A1836 (2015), doi:10.1149/2.0551509jes.

use super::common::{sei_limited_dead_lithium_okane2022, sqrt0};
use super::constants::{F, K_B, Q_E, R};
use super::tanh;
use super::{FnArgs, ParameterValues, Value};

/// Graphite particle diffusivity [m2.s-1] f(sto, T) (Ecker 2015, Arrhenius from 296 K).
pub fn graphite_diffusivity_ecker2015(a: &FnArgs) -> f64 {
    let d_ref = 8.4e-13 * (-11.3 * a.sto).exp() + 8.2e-15;
    let e_d_s = 30300.0;
    let arrhenius = (-e_d_s / (R * a.t)).exp() * (e_d_s / (R * 296.0)).exp();
    d_ref * arrhenius
}

/// Graphite OCP [V] f(sto) (Ecker 2015 fit, as in PyBaMM).
pub fn graphite_ocp_ecker2015(a: &FnArgs) -> f64 {
    let sto = a.sto;
    let (a_, b, c, d, e) = (0.716502, 369.028, 0.12193, 35.6478, 0.0530947);
    let (g, h, i, j, k) = (0.0169644, 27.1365, 0.312832, 0.0199313, 28.5697);
    let (m, n, o, p, q) = (0.614221, 0.931153, 36.328, 1.10743, 0.140031);
    let (r, s, t) = (0.0189193, 21.1967, 0.196176);
    a_ * (-b * sto).exp() + c * (-d * (sto - e)).exp()
        - r * tanh(s * (sto - t))
        - g * tanh(h * (sto - i))
        - j * tanh(k * (sto - m))
        - n * (o * (sto - p)).exp()
        + q
}

/// Graphite exchange-current density [A.m-2] f(c_e, c_s_surf, c_s_max, T) (Ecker 2015).
pub fn graphite_electrolyte_exchange_current_density_ecker2015(a: &FnArgs) -> f64 {
    let m_ref = F * (1.11 * 1e-10);
    let e_r = 53400.0;
    let arrhenius = (-e_r / (R * a.t)).exp() * (e_r / (R * 296.15)).exp();
    m_ref * arrhenius * sqrt0(a.c_e) * sqrt0(a.c_s_surf) * sqrt0(a.c_s_max - a.c_s_surf)
}

/// NCO particle diffusivity [m2.s-1] f(sto, T) (Ecker 2015).
pub fn nco_diffusivity_ecker2015(a: &FnArgs) -> f64 {
    let d_ref = 3.7e-13 - 3.4e-13 * (-12.0 * (a.sto - 0.62) * (a.sto - 0.62)).exp();
    let e_d_s = 80600.0;
    let arrhenius = (-e_d_s / (R * a.t)).exp() * (e_d_s / (R * 296.15)).exp();
    d_ref * arrhenius
}

/// NCO OCP [V] f(sto) (Ecker 2015 fit, as in PyBaMM).
pub fn nco_ocp_ecker2015(a: &FnArgs) -> f64 {
    let sto = a.sto;
    let (a_, c, d, e) = (-2.35211, 0.0747061, 31.886, 0.0219921);
    let (g, h, i, j, k) = (0.640243, 5.48623, 0.439245, 3.82383, 4.12167);
    let (m, n, o, p, q) = (0.176187, 0.0542123, 18.2919, 0.762272, 4.23285);
    let (r, s, t) = (-6.34984, 2.66395, 0.174352);
    a_ * sto
        - c * tanh(d * (sto - e))
        - r * tanh(s * (sto - t))
        - g * tanh(h * (sto - i))
        - j * tanh(k * (sto - m))
        - n * tanh(o * (sto - p))
        + q
}

/// NCO exchange-current density [A.m-2] f(c_e, c_s_surf, c_s_max, T) (Ecker 2015).
pub fn nco_electrolyte_exchange_current_density_ecker2015(a: &FnArgs) -> f64 {
    let m_ref = F * 3.01e-11;
    let e_r = 43600.0;
    let arrhenius = (-e_r / (R * a.t)).exp() * (e_r / (R * 296.15)).exp();
    m_ref * arrhenius * sqrt0(a.c_e) * sqrt0(a.c_s_surf) * sqrt0(a.c_s_max - a.c_s_surf)
}

/// Lithium plating exchange-current density [A.m-2] f(c_e, c_Li, T) = F k c_e (O'Kane 2020),
/// with the set's "Lithium plating kinetic rate constant [m.s-1]" (1e-10).
pub fn plating_exchange_current_density_okane2020(a: &FnArgs) -> f64 {
    F * 1e-10 * a.c_e
}

/// Lithium stripping exchange-current density [A.m-2] f(c_e, c_Li, T) = F k c_Li
/// (O'Kane 2020); c_Li, the plated lithium concentration, is passed in `c_s_surf`.
pub fn stripping_exchange_current_density_okane2020(a: &FnArgs) -> f64 {
    F * 1e-10 * a.c_s_surf
}

/// Electrolyte diffusivity [m2.s-1] f(c_e, T) from the conductivity by the Nernst-Einstein
/// relation (Ecker 2015).
pub fn electrolyte_diffusivity_ecker2015(a: &FnArgs) -> f64 {
    let sigma_e = electrolyte_conductivity_ecker2015(a);
    K_B / (F * Q_E) * sigma_e * a.t / a.c_e
}

/// Electrolyte conductivity [S.m-1] f(c_e, T) (Ecker 2015, Arrhenius 17.1 kJ/mol).
pub fn electrolyte_conductivity_ecker2015(a: &FnArgs) -> f64 {
    let cm = 1e-3 * a.c_e;
    let sigma_e_296 = 0.2667 * cm.powi(3) - 1.2983 * cm.powi(2) + 1.7919 * cm + 0.1726;
    let e_k_e = 17100.0;
    let c = 296.0 * (e_k_e / (R * 296.0)).exp();
    c * sigma_e_296 * (-e_k_e / (R * a.t)).exp() / a.t
}

/// PyBaMM's Ecker2015 parameter set, by PyBaMM parameter name.
pub fn parameter_values() -> ParameterValues {
    use Value::{Func, Scalar};
    ParameterValues::new(
        "Ecker2015",
        "Ecker, M., Tran, T. K. D., Dechent, P., Käbitz, S., Warnecke, A., Sauer, D. U. (2015). Parameterization of a Physico-Chemical Model of a Lithium-Ion Battery: I. Determination of Parameters. J. Electrochem. Soc. 162(9), A1836-A1848. doi:10.1149/2.0551509jes; Ecker, M., Käbitz, S., Laresgoiti, I., Sauer, D. U. (2015). II. Model Validation. J. Electrochem. Soc. 162(9), A1849-A1857. doi:10.1149/2.0541509jes",
        vec![
            ("Lithium metal partial molar volume [m3.mol-1]", Scalar(1.3e-05)),
            ("Lithium plating kinetic rate constant [m.s-1]", Scalar(1e-10)),
            ("Exchange-current density for plating [A.m-2]", Func(plating_exchange_current_density_okane2020)),
            ("Exchange-current density for stripping [A.m-2]", Func(stripping_exchange_current_density_okane2020)),
            ("Initial plated lithium concentration [mol.m-3]", Scalar(0.0)),
            ("Typical plated lithium concentration [mol.m-3]", Scalar(1000.0)),
            ("Lithium plating transfer coefficient", Scalar(0.5)),
            ("Dead lithium decay constant [s-1]", Scalar(1e-06)),
            ("Dead lithium decay rate [s-1]", Func(sei_limited_dead_lithium_okane2022)),
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
            ("Negative current collector thickness [m]", Scalar(1.4e-05)),
            ("Negative electrode thickness [m]", Scalar(7.4e-05)),
            ("Separator thickness [m]", Scalar(2e-05)),
            ("Positive electrode thickness [m]", Scalar(5.4e-05)),
            ("Positive current collector thickness [m]", Scalar(1.5e-05)),
            ("Electrode height [m]", Scalar(0.101)),
            ("Electrode width [m]", Scalar(0.085)),
            ("Negative tab width [m]", Scalar(0.007)),
            ("Negative tab centre y-coordinate [m]", Scalar(0.0045)),
            ("Negative tab centre z-coordinate [m]", Scalar(0.101)),
            ("Positive tab width [m]", Scalar(0.0069)),
            ("Positive tab centre y-coordinate [m]", Scalar(0.0309)),
            ("Positive tab centre z-coordinate [m]", Scalar(0.101)),
            ("Cell cooling surface area [m2]", Scalar(0.0172)),
            ("Cell volume [m3]", Scalar(1.52e-06)),
            ("Negative current collector conductivity [S.m-1]", Scalar(58411000.0)),
            ("Positive current collector conductivity [S.m-1]", Scalar(36914000.0)),
            ("Negative current collector density [kg.m-3]", Scalar(8933.0)),
            ("Positive current collector density [kg.m-3]", Scalar(2702.0)),
            ("Negative current collector specific heat capacity [J.kg-1.K-1]", Scalar(385.0)),
            ("Positive current collector specific heat capacity [J.kg-1.K-1]", Scalar(903.0)),
            ("Negative current collector thermal conductivity [W.m-1.K-1]", Scalar(398.0)),
            ("Positive current collector thermal conductivity [W.m-1.K-1]", Scalar(238.0)),
            ("Nominal cell capacity [A.h]", Scalar(0.15625)),
            ("Current function [A]", Scalar(0.15652)),
            ("Contact resistance [Ohm]", Scalar(0.0)),
            ("Negative electrode conductivity [S.m-1]", Scalar(14.0)),
            ("Maximum concentration in negative electrode [mol.m-3]", Scalar(31920.0)),
            ("Negative particle diffusivity [m2.s-1]", Func(graphite_diffusivity_ecker2015)),
            ("Negative electrode OCP [V]", Func(graphite_ocp_ecker2015)),
            ("Negative electrode porosity", Scalar(0.329)),
            ("Negative electrode active material volume fraction", Scalar(0.372403)),
            ("Negative particle radius [m]", Scalar(1.37e-05)),
            ("Negative electrode Bruggeman coefficient (electrolyte)", Scalar(1.6372789338386007)),
            ("Negative electrode Bruggeman coefficient (electrode)", Scalar(0.0)),
            ("Negative electrode exchange-current density [A.m-2]", Func(graphite_electrolyte_exchange_current_density_ecker2015)),
            ("Negative electrode density [kg.m-3]", Scalar(1555.0)),
            ("Negative electrode specific heat capacity [J.kg-1.K-1]", Scalar(1437.0)),
            ("Negative electrode thermal conductivity [W.m-1.K-1]", Scalar(1.58)),
            ("Negative electrode OCP entropic change [V.K-1]", Scalar(0.0)),
            ("Positive electrode conductivity [S.m-1]", Scalar(68.1)),
            ("Maximum concentration in positive electrode [mol.m-3]", Scalar(48580.0)),
            ("Positive particle diffusivity [m2.s-1]", Func(nco_diffusivity_ecker2015)),
            ("Positive electrode OCP [V]", Func(nco_ocp_ecker2015)),
            ("Positive electrode porosity", Scalar(0.296)),
            ("Positive electrode active material volume fraction", Scalar(0.40832)),
            ("Positive particle radius [m]", Scalar(6.5e-06)),
            ("Positive electrode Bruggeman coefficient (electrolyte)", Scalar(1.5442267190786427)),
            ("Positive electrode Bruggeman coefficient (electrode)", Scalar(0.0)),
            ("Positive electrode exchange-current density [A.m-2]", Func(nco_electrolyte_exchange_current_density_ecker2015)),
            ("Positive electrode density [kg.m-3]", Scalar(2895.0)),
            ("Positive electrode specific heat capacity [J.kg-1.K-1]", Scalar(1270.0)),
            ("Positive electrode thermal conductivity [W.m-1.K-1]", Scalar(1.04)),
            ("Positive electrode OCP entropic change [V.K-1]", Scalar(0.0)),
            ("Separator porosity", Scalar(0.508)),
            ("Separator Bruggeman coefficient (electrolyte)", Scalar(1.9804586773134945)),
            ("Separator density [kg.m-3]", Scalar(1017.0)),
            ("Separator specific heat capacity [J.kg-1.K-1]", Scalar(1978.0)),
            ("Separator thermal conductivity [W.m-1.K-1]", Scalar(0.34)),
            ("Initial concentration in electrolyte [mol.m-3]", Scalar(1000.0)),
            ("Cation transference number", Scalar(0.26)),
            ("Thermodynamic factor", Scalar(1.0)),
            ("Electrolyte diffusivity [m2.s-1]", Func(electrolyte_diffusivity_ecker2015)),
            ("Electrolyte conductivity [S.m-1]", Func(electrolyte_conductivity_ecker2015)),
            ("Reference temperature [K]", Scalar(296.15)),
            ("Negative current collector surface heat transfer coefficient [W.m-2.K-1]", Scalar(10.0)),
            ("Positive current collector surface heat transfer coefficient [W.m-2.K-1]", Scalar(10.0)),
            ("Negative tab heat transfer coefficient [W.m-2.K-1]", Scalar(10.0)),
            ("Positive tab heat transfer coefficient [W.m-2.K-1]", Scalar(10.0)),
            ("Edge heat transfer coefficient [W.m-2.K-1]", Scalar(10.0)),
            ("Total heat transfer coefficient [W.m-2.K-1]", Scalar(10.0)),
            ("Ambient temperature [K]", Scalar(298.15)),
            ("Number of electrodes connected in parallel to make a cell", Scalar(1.0)),
            ("Number of cells connected in series to make a battery", Scalar(1.0)),
            ("Lower voltage cut-off [V]", Scalar(2.5)),
            ("Upper voltage cut-off [V]", Scalar(4.2)),
            ("Open-circuit voltage at 0% SOC [V]", Scalar(2.5)),
            ("Open-circuit voltage at 100% SOC [V]", Scalar(4.2)),
            ("Initial concentration in negative electrode [mol.m-3]", Scalar(26120.05)),
            ("Initial concentration in positive electrode [mol.m-3]", Scalar(12630.8)),
            ("Initial temperature [K]", Scalar(298.15)),
        ],
    )
}
