//! Marquis2019 (Kokam SLPB 75106100, graphite/LCO; Dualfoil data): S. G. Marquis, V. Sulzer,
//! R. Timms, C. P. Please, S. J. Chapman, "An asymptotic derivation of a single particle model
//! with electrolyte", J. Electrochem. Soc. 166 (15) A3693–A3706 (2019).

use super::common::arrhenius_rounded as arrhenius;
use super::tanh;
use super::{FnArgs, ParameterValues, Value::Func, Value::Scalar};

fn sech2(x: f64) -> f64 {
    let c = x.cosh();
    1.0 / (c * c)
}

fn graphite_mcmb2528_diffusivity_dualfoil1998(a: &FnArgs) -> f64 {
    3.9e-14 * arrhenius(42770.0, a.t)
}

fn graphite_mcmb2528_ocp_dualfoil1998(a: &FnArgs) -> f64 {
    let sto = a.sto;
    0.194 + 1.5 * (-120.0 * sto).exp() + 0.0351 * tanh((sto - 0.286) / 0.083)
        - 0.0045 * tanh((sto - 0.849) / 0.119)
        - 0.035 * tanh((sto - 0.9233) / 0.05)
        - 0.0147 * tanh((sto - 0.5) / 0.034)
        - 0.102 * tanh((sto - 0.194) / 0.142)
        - 0.022 * tanh((sto - 0.9) / 0.0164)
        - 0.011 * tanh((sto - 0.124) / 0.0226)
        + 0.0155 * tanh((sto - 0.105) / 0.029)
}

fn graphite_j0_dualfoil1998(a: &FnArgs) -> f64 {
    2e-5 * arrhenius(37480.0, a.t)
        * a.c_e.sqrt()
        * a.c_s_surf.sqrt()
        * (a.c_s_max - a.c_s_surf).sqrt()
}

fn graphite_entropic_change_moura2016(a: &FnArgs) -> f64 {
    let sto = a.sto;
    let c = 24983.2619938437;
    -1.5 * (120.0 / c) * (-120.0 * sto).exp() + 0.0351 / (0.083 * c) * sech2((sto - 0.286) / 0.083)
        - 0.0045 / (0.119 * c) * sech2((sto - 0.849) / 0.119)
        - 0.035 / (0.05 * c) * sech2((sto - 0.9233) / 0.05)
        - 0.0147 / (0.034 * c) * sech2((sto - 0.5) / 0.034)
        - 0.102 / (0.142 * c) * sech2((sto - 0.194) / 0.142)
        - 0.022 / (0.0164 * c) * sech2((sto - 0.9) / 0.0164)
        - 0.011 / (0.0226 * c) * sech2((sto - 0.124) / 0.0226)
        + 0.0155 / (0.029 * c) * sech2((sto - 0.105) / 0.029)
}

fn lico2_diffusivity_dualfoil1998(a: &FnArgs) -> f64 {
    1e-13 * arrhenius(18550.0, a.t)
}

fn lico2_ocp_dualfoil1998(a: &FnArgs) -> f64 {
    let sto = 1.062 * a.sto;
    2.16216 + 0.07645 * tanh(30.834 - 54.4806 * sto) + 2.1581 * tanh(52.294 - 50.294 * sto)
        - 0.14169 * tanh(11.0923 - 19.8543 * sto)
        + 0.2051 * tanh(1.4684 - 5.4888 * sto)
        + 0.2531 * tanh((-sto + 0.56478) / 0.1316)
        - 0.02167 * tanh((sto - 0.525) / 0.006)
}

fn lico2_j0_dualfoil1998(a: &FnArgs) -> f64 {
    6e-7 * arrhenius(39570.0, a.t)
        * a.c_e.sqrt()
        * a.c_s_surf.sqrt()
        * (a.c_s_max - a.c_s_surf).sqrt()
}

fn lico2_entropic_change_moura2016(a: &FnArgs) -> f64 {
    let sto = 1.062 * a.sto;
    let c = 51217.9257309275;
    0.07645 * (-54.4806 / c) * sech2(30.834 - 54.4806 * sto)
        + 2.1581 * (-50.294 / c) * sech2(52.294 - 50.294 * sto)
        + 0.14169 * (19.854 / c) * sech2(11.0923 - 19.8543 * sto)
        - 0.2051 * (5.4888 / c) * sech2(1.4684 - 5.4888 * sto)
        - 0.2531 / 0.1316 / c * sech2((-sto + 0.56478) / 0.1316)
        - 0.02167 / 0.006 / c * sech2((sto - 0.525) / 0.006)
}

fn electrolyte_diffusivity_capiglia1999(a: &FnArgs) -> f64 {
    5.34e-10 * (-0.65 * a.c_e / 1000.0).exp() * arrhenius(37040.0, a.t)
}

fn electrolyte_conductivity_capiglia1999(a: &FnArgs) -> f64 {
    let c = a.c_e / 1000.0;
    (0.0911 + 1.9101 * c - 1.052 * c * c + 0.1554 * c * c * c) * arrhenius(34700.0, a.t)
}

/// The Marquis2019 parameter set.
pub fn parameter_values() -> ParameterValues {
    ParameterValues::new(
        "Marquis2019",
        "Marquis, S. G., Sulzer, V., Timms, R., Please, C. P., Chapman, S. J. (2019). An asymptotic derivation of a single particle model with electrolyte. J. Electrochem. Soc. 166(15), A3693-A3706.",
        vec![
        ("Ratio of lithium moles to SEI moles", Scalar(2.0)),
        ("SEI partial molar volume [m3.mol-1]", Scalar(9.585e-05)),
        ("SEI growth transfer coefficient", Scalar(0.5)),
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
        ("Negative electrode thickness [m]", Scalar(0.0001)),
        ("Separator thickness [m]", Scalar(2.5e-05)),
        ("Positive electrode thickness [m]", Scalar(0.0001)),
        ("Positive current collector thickness [m]", Scalar(2.5e-05)),
        ("Electrode height [m]", Scalar(0.137)),
        ("Electrode width [m]", Scalar(0.207)),
        ("Negative tab width [m]", Scalar(0.04)),
        ("Negative tab centre y-coordinate [m]", Scalar(0.06)),
        ("Negative tab centre z-coordinate [m]", Scalar(0.137)),
        ("Positive tab width [m]", Scalar(0.04)),
        ("Positive tab centre y-coordinate [m]", Scalar(0.147)),
        ("Positive tab centre z-coordinate [m]", Scalar(0.137)),
        ("Cell cooling surface area [m2]", Scalar(0.0569)),
        ("Cell volume [m3]", Scalar(7.8e-06)),
        ("Negative current collector conductivity [S.m-1]", Scalar(59600000.0)),
        ("Positive current collector conductivity [S.m-1]", Scalar(35500000.0)),
        ("Negative current collector density [kg.m-3]", Scalar(8954.0)),
        ("Positive current collector density [kg.m-3]", Scalar(2707.0)),
        ("Negative current collector specific heat capacity [J.kg-1.K-1]", Scalar(385.0)),
        ("Positive current collector specific heat capacity [J.kg-1.K-1]", Scalar(897.0)),
        ("Negative current collector thermal conductivity [W.m-1.K-1]", Scalar(401.0)),
        ("Positive current collector thermal conductivity [W.m-1.K-1]", Scalar(237.0)),
        ("Nominal cell capacity [A.h]", Scalar(0.680616)),
        ("Current function [A]", Scalar(0.680616)),
        ("Contact resistance [Ohm]", Scalar(0.0)),
        ("Negative electrode conductivity [S.m-1]", Scalar(100.0)),
        ("Maximum concentration in negative electrode [mol.m-3]", Scalar(24983.2619938437)),
        ("Negative particle diffusivity [m2.s-1]", Func(graphite_mcmb2528_diffusivity_dualfoil1998)),
        ("Negative electrode OCP [V]", Func(graphite_mcmb2528_ocp_dualfoil1998)),
        ("Negative electrode porosity", Scalar(0.3)),
        ("Negative electrode active material volume fraction", Scalar(0.6)),
        ("Negative particle radius [m]", Scalar(1e-05)),
        ("Negative electrode Bruggeman coefficient (electrolyte)", Scalar(1.5)),
        ("Negative electrode Bruggeman coefficient (electrode)", Scalar(1.5)),
        ("Negative electrode charge transfer coefficient", Scalar(0.5)),
        ("Negative electrode double-layer capacity [F.m-2]", Scalar(0.2)),
        ("Negative electrode exchange-current density [A.m-2]", Func(graphite_j0_dualfoil1998)),
        ("Negative electrode density [kg.m-3]", Scalar(1657.0)),
        ("Negative electrode specific heat capacity [J.kg-1.K-1]", Scalar(700.0)),
        ("Negative electrode thermal conductivity [W.m-1.K-1]", Scalar(1.7)),
        ("Negative electrode OCP entropic change [V.K-1]", Func(graphite_entropic_change_moura2016)),
        ("Positive electrode conductivity [S.m-1]", Scalar(10.0)),
        ("Maximum concentration in positive electrode [mol.m-3]", Scalar(51217.9257309275)),
        ("Positive particle diffusivity [m2.s-1]", Func(lico2_diffusivity_dualfoil1998)),
        ("Positive electrode OCP [V]", Func(lico2_ocp_dualfoil1998)),
        ("Positive electrode porosity", Scalar(0.3)),
        ("Positive electrode active material volume fraction", Scalar(0.5)),
        ("Positive particle radius [m]", Scalar(1e-05)),
        ("Positive electrode Bruggeman coefficient (electrolyte)", Scalar(1.5)),
        ("Positive electrode Bruggeman coefficient (electrode)", Scalar(1.5)),
        ("Positive electrode charge transfer coefficient", Scalar(0.5)),
        ("Positive electrode double-layer capacity [F.m-2]", Scalar(0.2)),
        ("Positive electrode exchange-current density [A.m-2]", Func(lico2_j0_dualfoil1998)),
        ("Positive electrode density [kg.m-3]", Scalar(3262.0)),
        ("Positive electrode specific heat capacity [J.kg-1.K-1]", Scalar(700.0)),
        ("Positive electrode thermal conductivity [W.m-1.K-1]", Scalar(2.1)),
        ("Positive electrode OCP entropic change [V.K-1]", Func(lico2_entropic_change_moura2016)),
        ("Separator porosity", Scalar(1.0)),
        ("Separator Bruggeman coefficient (electrolyte)", Scalar(1.5)),
        ("Separator density [kg.m-3]", Scalar(397.0)),
        ("Separator specific heat capacity [J.kg-1.K-1]", Scalar(700.0)),
        ("Separator thermal conductivity [W.m-1.K-1]", Scalar(0.16)),
        ("Initial concentration in electrolyte [mol.m-3]", Scalar(1000.0)),
        ("Cation transference number", Scalar(0.4)),
        ("Thermodynamic factor", Scalar(1.0)),
        ("Electrolyte diffusivity [m2.s-1]", Func(electrolyte_diffusivity_capiglia1999)),
        ("Electrolyte conductivity [S.m-1]", Func(electrolyte_conductivity_capiglia1999)),
        ("Reference temperature [K]", Scalar(298.15)),
        ("Ambient temperature [K]", Scalar(298.15)),
        ("Negative current collector surface heat transfer coefficient [W.m-2.K-1]", Scalar(0.0)),
        ("Positive current collector surface heat transfer coefficient [W.m-2.K-1]", Scalar(0.0)),
        ("Negative tab heat transfer coefficient [W.m-2.K-1]", Scalar(10.0)),
        ("Positive tab heat transfer coefficient [W.m-2.K-1]", Scalar(10.0)),
        ("Edge heat transfer coefficient [W.m-2.K-1]", Scalar(0.3)),
        ("Total heat transfer coefficient [W.m-2.K-1]", Scalar(10.0)),
        ("Number of electrodes connected in parallel to make a cell", Scalar(1.0)),
        ("Number of cells connected in series to make a battery", Scalar(1.0)),
        ("Lower voltage cut-off [V]", Scalar(3.105)),
        ("Upper voltage cut-off [V]", Scalar(4.1)),
        ("Open-circuit voltage at 0% SOC [V]", Scalar(3.105)),
        ("Open-circuit voltage at 100% SOC [V]", Scalar(4.1)),
        ("Initial concentration in negative electrode [mol.m-3]", Scalar(19986.609595075)),
        ("Initial concentration in positive electrode [mol.m-3]", Scalar(30730.7554385565)),
        ("Initial temperature [K]", Scalar(298.15)),
        ],
    )
}
