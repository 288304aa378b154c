//! Chen2020 (LG M50): C.-H. Chen, F. Brosa Planella, K. O'Regan, D. Gastol, W. D. Widanage,
//! E. Kendrick, "Development of Experimental Techniques for Parameterization of Multi-scale
//! Lithium-ion Battery Models", J. Electrochem. Soc. 167 (8) 080534 (2020).

use super::common::{
    arrhenius_rounded as arrhenius, graphite_lgm50_ocp_chen2020, nmc_lgm50_ocp_chen2020,
};
use super::{FnArgs, ParameterValues, Value::Func, Value::Scalar};

fn graphite_lgm50_j0_chen2020(a: &FnArgs) -> f64 {
    6.48e-7
        * arrhenius(35000.0, a.t)
        * a.c_e.sqrt()
        * a.c_s_surf.sqrt()
        * (a.c_s_max - a.c_s_surf).sqrt()
}

fn nmc_lgm50_j0_chen2020(a: &FnArgs) -> f64 {
    3.42e-6
        * arrhenius(17800.0, a.t)
        * a.c_e.sqrt()
        * a.c_s_surf.sqrt()
        * (a.c_s_max - a.c_s_surf).sqrt()
}

/// Electrolyte diffusivity (Nyman 2008).
pub(crate) fn electrolyte_diffusivity_nyman2008(a: &FnArgs) -> f64 {
    let c = a.c_e / 1000.0;
    8.794e-11 * c * c - 3.972e-10 * c + 4.862e-10
}

/// Electrolyte conductivity (Nyman 2008).
pub(crate) fn electrolyte_conductivity_nyman2008(a: &FnArgs) -> f64 {
    let c = a.c_e / 1000.0;
    0.1297 * c * c * c - 2.51 * (c * c.sqrt()) + 3.329 * c
}

/// The Chen2020 parameter set.
pub fn parameter_values() -> ParameterValues {
    ParameterValues::new(
        "Chen2020",
        "Chen, C.-H., Brosa Planella, F., O'Regan, K., Gastol, D., Widanage, W. D., Kendrick, E. (2020). Development of Experimental Techniques for Parameterization of Multi-scale Lithium-ion Battery Models. J. Electrochem. Soc. 167(8), 080534.",
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
        ("Negative current collector thickness [m]", Scalar(1.2e-05)),
        ("Negative electrode thickness [m]", Scalar(8.52e-05)),
        ("Separator thickness [m]", Scalar(1.2e-05)),
        ("Positive electrode thickness [m]", Scalar(7.56e-05)),
        ("Positive current collector thickness [m]", Scalar(1.6e-05)),
        ("Electrode height [m]", Scalar(0.065)),
        ("Electrode width [m]", Scalar(1.58)),
        ("Cell cooling surface area [m2]", Scalar(0.00531)),
        ("Cell volume [m3]", Scalar(2.42e-05)),
        ("Cell thermal expansion coefficient [m.K-1]", Scalar(1.1e-06)),
        ("Negative current collector conductivity [S.m-1]", Scalar(58411000.0)),
        ("Positive current collector conductivity [S.m-1]", Scalar(36914000.0)),
        ("Negative current collector density [kg.m-3]", Scalar(8960.0)),
        ("Positive current collector density [kg.m-3]", Scalar(2700.0)),
        ("Negative current collector specific heat capacity [J.kg-1.K-1]", Scalar(385.0)),
        ("Positive current collector specific heat capacity [J.kg-1.K-1]", Scalar(897.0)),
        ("Negative current collector thermal conductivity [W.m-1.K-1]", Scalar(401.0)),
        ("Positive current collector thermal conductivity [W.m-1.K-1]", Scalar(237.0)),
        ("Nominal cell capacity [A.h]", Scalar(5.0)),
        ("Current function [A]", Scalar(5.0)),
        ("Contact resistance [Ohm]", Scalar(0.0)),
        ("Negative electrode conductivity [S.m-1]", Scalar(215.0)),
        ("Maximum concentration in negative electrode [mol.m-3]", Scalar(33133.0)),
        ("Negative particle diffusivity [m2.s-1]", Scalar(3.3e-14)),
        ("Negative electrode OCP [V]", Func(graphite_lgm50_ocp_chen2020)),
        ("Negative electrode porosity", Scalar(0.25)),
        ("Negative electrode active material volume fraction", Scalar(0.75)),
        ("Negative particle radius [m]", Scalar(5.86e-06)),
        ("Negative electrode Bruggeman coefficient (electrolyte)", Scalar(1.5)),
        ("Negative electrode Bruggeman coefficient (electrode)", Scalar(0.0)),
        ("Negative electrode charge transfer coefficient", Scalar(0.5)),
        ("Negative electrode double-layer capacity [F.m-2]", Scalar(0.2)),
        ("Negative electrode exchange-current density [A.m-2]", Func(graphite_lgm50_j0_chen2020)),
        ("Negative electrode density [kg.m-3]", Scalar(1657.0)),
        ("Negative electrode specific heat capacity [J.kg-1.K-1]", Scalar(700.0)),
        ("Negative electrode thermal conductivity [W.m-1.K-1]", Scalar(1.7)),
        ("Negative electrode OCP entropic change [V.K-1]", Scalar(0.0)),
        ("Positive electrode conductivity [S.m-1]", Scalar(0.18)),
        ("Maximum concentration in positive electrode [mol.m-3]", Scalar(63104.0)),
        ("Positive particle diffusivity [m2.s-1]", Scalar(4e-15)),
        ("Positive electrode OCP [V]", Func(nmc_lgm50_ocp_chen2020)),
        ("Positive electrode porosity", Scalar(0.335)),
        ("Positive electrode active material volume fraction", Scalar(0.665)),
        ("Positive particle radius [m]", Scalar(5.22e-06)),
        ("Positive electrode Bruggeman coefficient (electrolyte)", Scalar(1.5)),
        ("Positive electrode Bruggeman coefficient (electrode)", Scalar(0.0)),
        ("Positive electrode charge transfer coefficient", Scalar(0.5)),
        ("Positive electrode double-layer capacity [F.m-2]", Scalar(0.2)),
        ("Positive electrode exchange-current density [A.m-2]", Func(nmc_lgm50_j0_chen2020)),
        ("Positive electrode density [kg.m-3]", Scalar(3262.0)),
        ("Positive electrode specific heat capacity [J.kg-1.K-1]", Scalar(700.0)),
        ("Positive electrode thermal conductivity [W.m-1.K-1]", Scalar(2.1)),
        ("Positive electrode OCP entropic change [V.K-1]", Scalar(0.0)),
        ("Separator porosity", Scalar(0.47)),
        ("Separator Bruggeman coefficient (electrolyte)", Scalar(1.5)),
        ("Separator density [kg.m-3]", Scalar(397.0)),
        ("Separator specific heat capacity [J.kg-1.K-1]", Scalar(700.0)),
        ("Separator thermal conductivity [W.m-1.K-1]", Scalar(0.16)),
        ("Initial concentration in electrolyte [mol.m-3]", Scalar(1000.0)),
        ("Cation transference number", Scalar(0.2594)),
        ("Thermodynamic factor", Scalar(1.0)),
        ("Electrolyte diffusivity [m2.s-1]", Func(electrolyte_diffusivity_nyman2008)),
        ("Electrolyte conductivity [S.m-1]", Func(electrolyte_conductivity_nyman2008)),
        ("Reference temperature [K]", Scalar(298.15)),
        ("Total heat transfer coefficient [W.m-2.K-1]", Scalar(10.0)),
        ("Ambient temperature [K]", Scalar(298.15)),
        ("Number of electrodes connected in parallel to make a cell", Scalar(1.0)),
        ("Number of cells connected in series to make a battery", Scalar(1.0)),
        ("Lower voltage cut-off [V]", Scalar(2.5)),
        ("Upper voltage cut-off [V]", Scalar(4.2)),
        ("Open-circuit voltage at 0% SOC [V]", Scalar(2.5)),
        ("Open-circuit voltage at 100% SOC [V]", Scalar(4.2)),
        ("Initial concentration in negative electrode [mol.m-3]", Scalar(29866.0)),
        ("Initial concentration in positive electrode [mol.m-3]", Scalar(17038.0)),
        ("Initial temperature [K]", Scalar(298.15)),
        ],
    )
}
