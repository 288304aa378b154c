//! Prada2013: A123 ANR26650 LFP/graphite cell. E. Prada, D. Di Domenico, Y. Creff, J. Bernard,
//! V. Sauvant-Moynot, F. Huet, "A simplified electrochemical and thermal aging model of
//! LiFePO4-graphite Li-ion batteries", J. Electrochem. Soc. 160(4), A616 (2013), doi:10.1149/2.053304jes.

use super::common::{
    arrhenius, graphite_lgm50_electrolyte_exchange_current_density_chen2020,
    graphite_lgm50_ocp_chen2020, sqrt0,
};
use super::{FnArgs, ParameterValues, Value};

/// LFP OCP [V] f(sto) (Afshar 2017).
pub fn lfp_ocp_afshar2017(a: &FnArgs) -> f64 {
    let s = a.sto;
    let c1 = -150.0 * s;
    let c2 = -30.0 * (1.0 - s);
    3.4077 - 0.020269 * s + 0.5 * c1.exp() - 0.9 * c2.exp()
}

/// LFP exchange-current density [A.m-2] f(c_e, c_s_surf, c_s_max, T) (Kashkooli 2017).
pub fn lfp_electrolyte_exchange_current_density_kashkooli2017(a: &FnArgs) -> f64 {
    6e-7 * arrhenius(39570.0, a.t)
        * sqrt0(a.c_e)
        * sqrt0(a.c_s_surf)
        * sqrt0(a.c_s_max - a.c_s_surf)
}

/// Electrolyte conductivity [S.m-1] f(c_e, T) (Prada 2013 polynomial; no T dependence).
pub fn electrolyte_conductivity_prada2013(a: &FnArgs) -> f64 {
    let c = a.c_e / 1e6;
    (4.1253e-4 + 5.007 * c - 4721.2 * c.powi(2) + 1.5094e6 * c.powi(3) - 1.6018e8 * c.powi(4)) * 1e3
}

/// PyBaMM's Prada2013 parameter set, by PyBaMM parameter name.
pub fn parameter_values() -> ParameterValues {
    use Value::{Func, Scalar};
    ParameterValues::new(
        "Prada2013",
        "Prada, E., Di Domenico, D., Creff, Y., Bernard, J., Sauvant-Moynot, V., Huet, F. (2013). A simplified electrochemical and thermal aging model of LiFePO4-graphite Li-ion batteries: power and capacity fade simulations. J. Electrochem. Soc. 160(4), A616. doi:10.1149/2.053304jes",
        vec![
            ("Negative electrode thickness [m]", Scalar(3.4e-05)),
            ("Separator thickness [m]", Scalar(2.5e-05)),
            ("Positive electrode thickness [m]", Scalar(8e-05)),
            ("Electrode height [m]", Scalar(0.6)),
            ("Electrode width [m]", Scalar(0.3)),
            ("Nominal cell capacity [A.h]", Scalar(2.3)),
            ("Current function [A]", Scalar(2.3)),
            ("Contact resistance [Ohm]", Scalar(0.0)),
            ("Negative electrode conductivity [S.m-1]", Scalar(215.0)),
            ("Maximum concentration in negative electrode [mol.m-3]", Scalar(30555.0)),
            ("Negative particle diffusivity [m2.s-1]", Scalar(3e-15)),
            ("Negative electrode OCP [V]", Func(graphite_lgm50_ocp_chen2020)),
            ("Negative electrode porosity", Scalar(0.36)),
            ("Negative electrode active material volume fraction", Scalar(0.58)),
            ("Negative particle radius [m]", Scalar(5e-06)),
            ("Negative electrode Bruggeman coefficient (electrolyte)", Scalar(1.5)),
            ("Negative electrode Bruggeman coefficient (electrode)", Scalar(1.5)),
            ("Negative electrode charge transfer coefficient", Scalar(0.5)),
            ("Negative electrode double-layer capacity [F.m-2]", Scalar(0.2)),
            ("Negative electrode exchange-current density [A.m-2]", Func(graphite_lgm50_electrolyte_exchange_current_density_chen2020)),
            ("Negative electrode OCP entropic change [V.K-1]", Scalar(0.0)),
            ("Positive electrode conductivity [S.m-1]", Scalar(0.33795074)),
            ("Maximum concentration in positive electrode [mol.m-3]", Scalar(22806.0)),
            ("Positive particle diffusivity [m2.s-1]", Scalar(5.9e-18)),
            ("Positive electrode OCP [V]", Func(lfp_ocp_afshar2017)),
            ("Positive electrode porosity", Scalar(0.426)),
            ("Positive electrode active material volume fraction", Scalar(0.374)),
            ("Positive particle radius [m]", Scalar(5e-08)),
            ("Positive electrode Bruggeman coefficient (electrode)", Scalar(1.5)),
            ("Positive electrode Bruggeman coefficient (electrolyte)", Scalar(1.5)),
            ("Positive electrode charge transfer coefficient", Scalar(0.5)),
            ("Positive electrode double-layer capacity [F.m-2]", Scalar(0.2)),
            ("Positive electrode exchange-current density [A.m-2]", Func(lfp_electrolyte_exchange_current_density_kashkooli2017)),
            ("Positive electrode OCP entropic change [V.K-1]", Scalar(0.0)),
            ("Separator porosity", Scalar(0.45)),
            ("Separator Bruggeman coefficient (electrolyte)", Scalar(1.5)),
            ("Initial concentration in electrolyte [mol.m-3]", Scalar(1200.0)),
            ("Cation transference number", Scalar(0.36)),
            ("Thermodynamic factor", Scalar(1.0)),
            ("Electrolyte diffusivity [m2.s-1]", Scalar(2e-10)),
            ("Electrolyte conductivity [S.m-1]", Func(electrolyte_conductivity_prada2013)),
            ("Reference temperature [K]", Scalar(298.0)),
            ("Ambient temperature [K]", Scalar(298.0)),
            ("Number of electrodes connected in parallel to make a cell", Scalar(1.0)),
            ("Number of cells connected in series to make a battery", Scalar(1.0)),
            ("Lower voltage cut-off [V]", Scalar(2.0)),
            ("Upper voltage cut-off [V]", Scalar(3.6)),
            ("Open-circuit voltage at 0% SOC [V]", Scalar(2.0)),
            ("Open-circuit voltage at 100% SOC [V]", Scalar(3.6)),
            ("Initial concentration in negative electrode [mol.m-3]", Scalar(24749.550000000003)),
            ("Initial concentration in positive electrode [mol.m-3]", Scalar(86.6628)),
            ("Initial temperature [K]", Scalar(298.0)),
        ],
    )
}
