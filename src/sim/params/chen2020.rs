//! Chen2020: LG M50 cell (NMC811 / graphite-SiOx). Chang-Hui Chen, Ferran Brosa Planella,
//! Kieran O'Regan, Dominika Gastol, W. Dhammika Widanage, and Emma Kendrick. "Development of
//! Experimental Techniques for Parameterization of Multi-scale Lithium-ion Battery Models."
//! Journal of The Electrochemical Society 167 (2020): 080534. doi:10.1149/1945-7111/ab9050.

use super::{FnArgs, ParameterValues, Value};

const R_GAS: f64 = 8.314462618;

/// Graphite-SiOx OCP [V] (Chen2020, eq. for LG M50 negative electrode).
pub fn graphite_ocp(a: &FnArgs) -> f64 {
    let x = a.sto;
    1.9793 * (-39.3631 * x).exp() + 0.2482
        - 0.0909 * (29.8538 * (x - 0.1234)).tanh()
        - 0.04478 * (14.9159 * (x - 0.2769)).tanh()
        - 0.0205 * (30.4444 * (x - 0.6103)).tanh()
}

/// NMC811 OCP [V] (Chen2020, LG M50 positive electrode).
pub fn nmc_ocp(a: &FnArgs) -> f64 {
    let x = a.sto;
    -0.8090 * x + 4.4875
        - 0.0428 * (18.5138 * (x - 0.5542)).tanh()
        - 17.7326 * (15.7890 * (x - 0.3117)).tanh()
        + 17.5842 * (15.9308 * (x - 0.3120)).tanh()
}

fn arrhenius(e_r: f64, t: f64) -> f64 {
    (e_r / R_GAS * (1.0 / 298.15 - 1.0 / t)).exp()
}

fn sqrt0(x: f64) -> f64 {
    x.max(0.0).sqrt()
}

/// Graphite exchange-current density [A.m-2].
pub fn graphite_j0(a: &FnArgs) -> f64 {
    6.48e-7
        * arrhenius(35000.0, a.t)
        * sqrt0(a.c_e)
        * sqrt0(a.c_s_surf)
        * sqrt0(a.c_s_max - a.c_s_surf)
}

/// NMC811 exchange-current density [A.m-2].
pub fn nmc_j0(a: &FnArgs) -> f64 {
    3.42e-6
        * arrhenius(17800.0, a.t)
        * sqrt0(a.c_e)
        * sqrt0(a.c_s_surf)
        * sqrt0(a.c_s_max - a.c_s_surf)
}

/// Electrolyte (LiPF6 in EC:EMC 3:7) diffusivity [m2.s-1] (Nyman 2008).
pub fn electrolyte_diffusivity(a: &FnArgs) -> f64 {
    let c = a.c_e / 1000.0;
    8.794e-11 * c * c - 3.972e-10 * c + 4.862e-10
}

/// Electrolyte conductivity [S.m-1] (Nyman 2008).
pub fn electrolyte_conductivity(a: &FnArgs) -> f64 {
    let c = a.c_e / 1000.0;
    0.1297 * c.powi(3) - 2.51 * c.powf(1.5) + 3.329 * c
}

pub fn parameter_values() -> ParameterValues {
    use Value::{Func, Scalar};
    ParameterValues::new(
        "Chen2020",
        "Chen, C.-H., Brosa Planella, F., O'Regan, K., Gastol, D., Widanage, W. D., Kendrick, E. (2020). J. Electrochem. Soc. 167, 080534",
        vec![
            ("Negative electrode thickness [m]", Scalar(85.2e-6)),
            ("Separator thickness [m]", Scalar(12e-6)),
            ("Positive electrode thickness [m]", Scalar(75.6e-6)),
            ("Electrode height [m]", Scalar(0.065)),
            ("Electrode width [m]", Scalar(1.58)),
            ("Nominal cell capacity [A.h]", Scalar(5.0)),
            ("Current function [A]", Scalar(5.0)),
            ("Number of electrodes connected in parallel to make a cell", Scalar(1.0)),
            ("Number of cells connected in series to make a battery", Scalar(1.0)),
            ("Negative particle radius [m]", Scalar(5.86e-6)),
            ("Positive particle radius [m]", Scalar(5.22e-6)),
            ("Negative electrode active material volume fraction", Scalar(0.75)),
            ("Positive electrode active material volume fraction", Scalar(0.665)),
            ("Negative electrode porosity", Scalar(0.25)),
            ("Separator porosity", Scalar(0.47)),
            ("Positive electrode porosity", Scalar(0.335)),
            ("Maximum concentration in negative electrode [mol.m-3]", Scalar(33133.0)),
            ("Maximum concentration in positive electrode [mol.m-3]", Scalar(63104.0)),
            ("Initial concentration in negative electrode [mol.m-3]", Scalar(29866.0)),
            ("Initial concentration in positive electrode [mol.m-3]", Scalar(17038.0)),
            ("Negative particle diffusivity [m2.s-1]", Scalar(3.3e-14)),
            ("Positive particle diffusivity [m2.s-1]", Scalar(4e-15)),
            ("Negative electrode OCP [V]", Func(graphite_ocp)),
            ("Positive electrode OCP [V]", Func(nmc_ocp)),
            ("Negative electrode OCP entropic change [V.K-1]", Scalar(0.0)),
            ("Positive electrode OCP entropic change [V.K-1]", Scalar(0.0)),
            ("Negative electrode exchange-current density [A.m-2]", Func(graphite_j0)),
            ("Positive electrode exchange-current density [A.m-2]", Func(nmc_j0)),
            ("Negative electrode charge transfer coefficient", Scalar(0.5)),
            ("Positive electrode charge transfer coefficient", Scalar(0.5)),
            ("Negative electrode conductivity [S.m-1]", Scalar(215.0)),
            ("Positive electrode conductivity [S.m-1]", Scalar(0.18)),
            ("Initial concentration in electrolyte [mol.m-3]", Scalar(1000.0)),
            ("Electrolyte diffusivity [m2.s-1]", Func(electrolyte_diffusivity)),
            ("Electrolyte conductivity [S.m-1]", Func(electrolyte_conductivity)),
            ("Cation transference number", Scalar(0.2594)),
            ("Thermodynamic factor", Scalar(1.0)),
            ("Negative electrode Bruggeman coefficient (electrolyte)", Scalar(1.5)),
            ("Separator Bruggeman coefficient (electrolyte)", Scalar(1.5)),
            ("Positive electrode Bruggeman coefficient (electrolyte)", Scalar(1.5)),
            ("Reference temperature [K]", Scalar(298.15)),
            ("Ambient temperature [K]", Scalar(298.15)),
            ("Initial temperature [K]", Scalar(298.15)),
            ("Lower voltage cut-off [V]", Scalar(2.5)),
            ("Upper voltage cut-off [V]", Scalar(4.2)),
            ("Open-circuit voltage at 0% SOC [V]", Scalar(2.5)),
            ("Open-circuit voltage at 100% SOC [V]", Scalar(4.2)),
        ],
    )
}
