//! ORegan2022: LG M50 thermal-electrochemical parameters. K. O'Regan, F. Brosa Planella,
//! W. D. Widanage, E. Kendrick, "Thermal-electrochemical parameters of a high energy lithium-ion
//! cylindrical battery", Electrochimica Acta 425, 140700 (2022), doi:10.1016/j.electacta.2022.140700.

use super::common::{arrhenius, graphite_lgm50_ocp_chen2020, nmc_lgm50_ocp_chen2020};
use super::constants::R;
use super::tanh;
use super::{FnArgs, ParameterValues, Value};

/// 10^x by the exponential (libm's pow is several times slower than exp).
fn exp10(x: f64) -> f64 {
    (x * std::f64::consts::LN_10).exp()
}

/// Gaussian bump exp(-(s - b)^2 / c). Beyond 45 (its exponent) it is below 3e-20 and is
/// returned as 0 without the call: the diffusivities add the bumps, times coefficients of at
/// most ~10, to exponents of order 10, so the result is the same to round-off, and the
/// particles' finite volumes evaluate them per shell (480 per particle on the SPM).
#[inline]
fn bump(s: f64, b: f64, c: f64) -> f64 {
    let x = (s - b).powi(2) / c;
    if x > 45.0 {
        0.0
    } else {
        (-x).exp()
    }
}

/// The set's "Initial concentration in electrolyte [mol.m-3]", the exchange-current
/// densities' reference concentration.
const C_E_REF: f64 = 1000.0;

/// Landesfeind 2019 electrolyte conductivity [S.m-1] with fit coefficients `p`.
fn conductivity_landesfeind2019(c_e: f64, t: f64, p: [f64; 6]) -> f64 {
    let c = c_e / 1000.0;
    let a = p[0] * (1.0 + (t - p[1]));
    let b = 1.0 + p[2] * c.sqrt() + p[3] * (1.0 + p[4] * (1000.0 / t).exp()) * c;
    let cc = 1.0 + c.powi(4) * (p[5] * (1000.0 / t).exp());
    a * c * b / cc / 10.0
}

/// Landesfeind 2019 quadratic-in-(c, T) fit used for t+ and the thermodynamic factor.
fn poly_landesfeind2019(c_e: f64, t: f64, p: [f64; 9]) -> f64 {
    let c = c_e / 1000.0;
    p[0] + p[1] * c
        + p[2] * t
        + p[3] * c.powi(2)
        + p[4] * c * t
        + p[5] * t.powi(2)
        + p[6] * c.powi(3)
        + p[7] * c.powi(2) * t
        + p[8] * c * t.powi(2)
}

/// Copper specific heat capacity [J.kg-1.K-1] f(T) (CRC handbook fit).
pub fn copper_heat_capacity_crc(a: &FnArgs) -> f64 {
    let t = a.t;
    1.445e-6 * t.powi(3) - 1.946e-3 * t.powi(2) + 0.9633 * t + 236.0
}

/// Aluminium specific heat capacity [J.kg-1.K-1] f(T) (CRC handbook fit).
pub fn aluminium_heat_capacity_crc(a: &FnArgs) -> f64 {
    let t = a.t;
    4.503e-6 * t.powi(3) - 6.256e-3 * t.powi(2) + 3.281 * t + 355.7
}

/// Copper thermal conductivity [W.m-1.K-1] f(T) (CRC handbook fit).
pub fn copper_thermal_conductivity_crc(a: &FnArgs) -> f64 {
    let t = a.t;
    -5.409e-7 * t.powi(3) + 7.054e-4 * t.powi(2) - 0.3727 * t + 463.6
}

/// Graphite-SiOx particle diffusivity [m2.s-1] f(sto, T) (O'Regan 2022).
pub fn graphite_lgm50_diffusivity_oregan2022(a: &FnArgs) -> f64 {
    let s = a.sto;
    let d_ref = exp10(
        11.17 * s
            - 15.11
            - 1.553 * bump(s, 0.2031, 0.0006091)
            - 6.136 * bump(s, 0.5375, 0.06438)
            - 9.725 * bump(s, 0.9144, 0.0578)
            + 1.85 * bump(s, 0.5953, 0.001356),
    ) * 3.0321;
    d_ref * arrhenius(2092.0 * R, a.t)
}

fn j0_oregan2022(a: &FnArgs, i_ref: f64, alpha: f64, e_r: f64) -> f64 {
    let x = a.c_s_surf / a.c_s_max;
    i_ref
        * arrhenius(e_r, a.t)
        * (a.c_e / C_E_REF).max(0.0).powf(1.0 - alpha)
        * x.max(0.0).powf(alpha)
        * (1.0 - x).max(0.0).powf(1.0 - alpha)
}

/// Graphite-SiOx exchange-current density [A.m-2] f(c_e, c_s_surf, c_s_max, T) (O'Regan 2022).
pub fn graphite_lgm50_electrolyte_exchange_current_density_oregan2022(a: &FnArgs) -> f64 {
    j0_oregan2022(a, 2.668, 0.792, 4e4)
}

/// Wet-electrode specific heat capacity from the dry material's and the electrolyte's.
fn wet_heat_capacity(cp_dry: f64, rho_dry: f64, eps_e: f64) -> f64 {
    let (rho_e, cp_e) = (1280.0, 229.0);
    let theta_wet = rho_dry * cp_dry + rho_e * cp_e * eps_e;
    let rho_wet = rho_dry + rho_e * eps_e;
    theta_wet / rho_wet
}

/// Negative electrode specific heat capacity [J.kg-1.K-1] f(T), wetted at the set's
/// negative electrode porosity (0.25).
pub fn graphite_lgm50_heat_capacity_oregan2022(a: &FnArgs) -> f64 {
    let t = a.t;
    let cp_dry = 4.932e-4 * t.powi(3) - 0.491 * t.powi(2) + 169.4 * t - 1.897e4;
    wet_heat_capacity(cp_dry, 1740.0, 0.25)
}

/// Negative electrode thermal conductivity [W.m-1.K-1] f(T) (O'Regan 2022).
pub fn graphite_lgm50_thermal_conductivity_oregan2022(a: &FnArgs) -> f64 {
    -2.61e-4 * a.t.powi(2) + 0.1726 * a.t - 24.49
}

/// Graphite-SiOx OCP entropic change [V.K-1] f(sto) (O'Regan 2022; the tanh term has a
/// zero coefficient in PyBaMM's set).
pub fn graphite_lgm50_entropic_change_oregan2022(a: &FnArgs) -> f64 {
    let s = a.sto;
    let a1 = -0.09002 * 0.0;
    let (b1, c1, d1) = (0.4955, 0.1122, 63.9);
    (-0.1112 * s
        + 0.02914
        + 0.3561 * bump(s, 0.08309, 0.004616)
        + a1 * (tanh(d1 * (s - (b1 - c1))) - tanh(d1 * (s - (b1 + c1)))))
        / 1000.0
}

/// NMC811 electronic conductivity [S.m-1] f(sto, T) (O'Regan 2022).
pub fn nmc_lgm50_electronic_conductivity_oregan2022(a: &FnArgs) -> f64 {
    0.8473 * arrhenius(3500.0, a.t)
}

/// NMC811 particle diffusivity [m2.s-1] f(sto, T) (O'Regan 2022).
pub fn nmc_lgm50_diffusivity_oregan2022(a: &FnArgs) -> f64 {
    let s = a.sto;
    let d_ref = exp10(
        -13.96
            - 0.9231 * bump(s, 0.3216, 0.002534)
            - 0.4066 * bump(s, 0.4532, 0.003926)
            - 0.993 * bump(s, 0.8098, 0.09924),
    ) * 2.7;
    d_ref * arrhenius(1449.0 * R, a.t)
}

/// NMC811 exchange-current density [A.m-2] f(c_e, c_s_surf, c_s_max, T) (O'Regan 2022).
pub fn nmc_lgm50_electrolyte_exchange_current_density_oregan2022(a: &FnArgs) -> f64 {
    j0_oregan2022(a, 5.028, 0.43, 24010.0)
}

/// Positive electrode specific heat capacity [J.kg-1.K-1] f(T), wetted at the set's
/// positive electrode porosity (0.335).
pub fn nmc_lgm50_heat_capacity_oregan2022(a: &FnArgs) -> f64 {
    let t = a.t;
    let cp_dry = -8.414e-4 * t.powi(3) + 0.7892 * t.powi(2) - 241.3 * t + 2.508e4;
    wet_heat_capacity(cp_dry, 3270.0, 0.335)
}

/// Positive electrode thermal conductivity [W.m-1.K-1] f(T) (O'Regan 2022).
pub fn nmc_lgm50_thermal_conductivity_oregan2022(a: &FnArgs) -> f64 {
    2.063e-5 * a.t.powi(2) - 0.01127 * a.t + 2.331
}

/// NMC811 OCP entropic change [V.K-1] f(sto) (O'Regan 2022).
pub fn nmc_lgm50_entropic_change_oregan2022(a: &FnArgs) -> f64 {
    let s = a.sto;
    (0.04006 * bump(s, 0.2828, 0.0009855) - 0.06656 * bump(s, 0.8032, 0.02179)) / 1000.0
}

/// Separator specific heat capacity [J.kg-1.K-1] f(T), wetted at the set's separator
/// porosity (0.47).
pub fn separator_lgm50_heat_capacity_oregan2022(a: &FnArgs) -> f64 {
    let t = a.t;
    let cp_dry = 1.494e-3 * t.powi(3) - 1.444 * t.powi(2) + 475.5 * t - 5.13e4;
    wet_heat_capacity(cp_dry, 946.0, 0.47)
}

/// Cation transference number f(c_e, T), LiPF6 in EC:EMC 3:7 (Landesfeind 2019).
pub fn electrolyte_transference_number_ec_emc_3_7_landesfeind2019(a: &FnArgs) -> f64 {
    poly_landesfeind2019(
        a.c_e,
        a.t,
        [
            -12.8, -6.12, 0.0821, 0.904, 0.0318, -1.27e-4, 0.0175, -3.12e-3, -3.96e-5,
        ],
    )
}

/// Thermodynamic factor f(c_e, T), LiPF6 in EC:EMC 3:7 (Landesfeind 2019).
pub fn electrolyte_tdf_ec_emc_3_7_landesfeind2019(a: &FnArgs) -> f64 {
    poly_landesfeind2019(
        a.c_e,
        a.t,
        [
            25.7, -45.1, -0.177, 1.94, 0.295, 3.08e-4, 0.259, -9.46e-3, -4.54e-4,
        ],
    )
}

/// Electrolyte diffusivity [m2.s-1] f(c_e, T), LiPF6 in EC:EMC 3:7 (Landesfeind 2019).
pub fn electrolyte_diffusivity_ec_emc_3_7_landesfeind2019(a: &FnArgs) -> f64 {
    let c = a.c_e / 1000.0;
    let (p1, p2, p3, p4) = (1010.0, 1.01, -1560.0, -487.0);
    p1 * (p2 * c).exp() * (p3 / a.t).exp() * (p4 * c / a.t).exp() * 1e-10
}

/// Electrolyte conductivity [S.m-1] f(c_e, T), LiPF6 in EC:EMC 3:7 (Landesfeind 2019).
pub fn electrolyte_conductivity_ec_emc_3_7_landesfeind2019(a: &FnArgs) -> f64 {
    conductivity_landesfeind2019(a.c_e, a.t, [0.521, 228.0, -1.06, 0.353, -3.59e-3, 1.48e-3])
}

/// PyBaMM's ORegan2022 parameter set, by PyBaMM parameter name.
pub fn parameter_values() -> ParameterValues {
    use Value::{Func, Scalar};
    ParameterValues::new(
        "ORegan2022",
        "O'Regan, K., Brosa Planella, F., Widanage, W. D., Kendrick, E. (2022). Thermal-electrochemical parameters of a high energy lithium-ion cylindrical battery. Electrochimica Acta 425, 140700. doi:10.1016/j.electacta.2022.140700",
        vec![
            ("Negative current collector thickness [m]", Scalar(1.2e-05)),
            ("Negative electrode thickness [m]", Scalar(8.52e-05)),
            ("Separator thickness [m]", Scalar(1.2e-05)),
            ("Positive electrode thickness [m]", Scalar(7.56e-05)),
            ("Positive current collector thickness [m]", Scalar(1.6e-05)),
            ("Electrode height [m]", Scalar(0.065)),
            ("Electrode width [m]", Scalar(1.58)),
            ("Cell cooling surface area [m2]", Scalar(0.00531)),
            ("Cell volume [m3]", Scalar(2.42e-05)),
            ("Negative current collector conductivity [S.m-1]", Scalar(58411000.0)),
            ("Positive current collector conductivity [S.m-1]", Scalar(36914000.0)),
            ("Negative current collector density [kg.m-3]", Scalar(8933.0)),
            ("Positive current collector density [kg.m-3]", Scalar(2702.0)),
            ("Negative current collector specific heat capacity [J.kg-1.K-1]", Func(copper_heat_capacity_crc)),
            ("Positive current collector specific heat capacity [J.kg-1.K-1]", Func(aluminium_heat_capacity_crc)),
            ("Negative current collector thermal conductivity [W.m-1.K-1]", Func(copper_thermal_conductivity_crc)),
            ("Positive current collector thermal conductivity [W.m-1.K-1]", Scalar(237.0)),
            ("Nominal cell capacity [A.h]", Scalar(5.0)),
            ("Current function [A]", Scalar(5.0)),
            ("Contact resistance [Ohm]", Scalar(0.0)),
            ("Negative electrode conductivity [S.m-1]", Scalar(215.0)),
            ("Maximum concentration in negative electrode [mol.m-3]", Scalar(29583.0)),
            ("Negative particle diffusivity [m2.s-1]", Func(graphite_lgm50_diffusivity_oregan2022)),
            ("Negative electrode OCP [V]", Func(graphite_lgm50_ocp_chen2020)),
            ("Negative electrode porosity", Scalar(0.25)),
            ("Negative electrode active material volume fraction", Scalar(0.75)),
            ("Negative particle radius [m]", Scalar(5.86e-06)),
            ("Negative electrode Bruggeman coefficient (electrolyte)", Scalar(1.5)),
            ("Negative electrode Bruggeman coefficient (electrode)", Scalar(0.0)),
            ("Negative electrode charge transfer coefficient", Scalar(0.5)),
            ("Negative electrode double-layer capacity [F.m-2]", Scalar(0.2)),
            ("Negative electrode exchange-current density [A.m-2]", Func(graphite_lgm50_electrolyte_exchange_current_density_oregan2022)),
            ("Negative electrode density [kg.m-3]", Scalar(2060.0)),
            ("Negative electrode specific heat capacity [J.kg-1.K-1]", Func(graphite_lgm50_heat_capacity_oregan2022)),
            ("Negative electrode thermal conductivity [W.m-1.K-1]", Func(graphite_lgm50_thermal_conductivity_oregan2022)),
            ("Negative electrode OCP entropic change [V.K-1]", Func(graphite_lgm50_entropic_change_oregan2022)),
            ("Positive electrode conductivity [S.m-1]", Func(nmc_lgm50_electronic_conductivity_oregan2022)),
            ("Maximum concentration in positive electrode [mol.m-3]", Scalar(51765.0)),
            ("Positive particle diffusivity [m2.s-1]", Func(nmc_lgm50_diffusivity_oregan2022)),
            ("Positive electrode OCP [V]", Func(nmc_lgm50_ocp_chen2020)),
            ("Positive electrode porosity", Scalar(0.335)),
            ("Positive electrode active material volume fraction", Scalar(0.665)),
            ("Positive particle radius [m]", Scalar(5.22e-06)),
            ("Positive electrode Bruggeman coefficient (electrolyte)", Scalar(1.5)),
            ("Positive electrode Bruggeman coefficient (electrode)", Scalar(0.0)),
            ("Positive electrode charge transfer coefficient", Scalar(0.5)),
            ("Positive electrode double-layer capacity [F.m-2]", Scalar(0.2)),
            ("Positive electrode exchange-current density [A.m-2]", Func(nmc_lgm50_electrolyte_exchange_current_density_oregan2022)),
            ("Positive electrode density [kg.m-3]", Scalar(3699.0)),
            ("Positive electrode specific heat capacity [J.kg-1.K-1]", Func(nmc_lgm50_heat_capacity_oregan2022)),
            ("Positive electrode thermal conductivity [W.m-1.K-1]", Func(nmc_lgm50_thermal_conductivity_oregan2022)),
            ("Positive electrode OCP entropic change [V.K-1]", Func(nmc_lgm50_entropic_change_oregan2022)),
            ("Separator porosity", Scalar(0.47)),
            ("Separator Bruggeman coefficient (electrolyte)", Scalar(1.5)),
            ("Separator Bruggeman coefficient (electrode)", Scalar(1.5)),
            ("Separator density [kg.m-3]", Scalar(1548.0)),
            ("Separator specific heat capacity [J.kg-1.K-1]", Func(separator_lgm50_heat_capacity_oregan2022)),
            ("Separator thermal conductivity [W.m-1.K-1]", Scalar(0.3344)),
            ("Initial concentration in electrolyte [mol.m-3]", Scalar(1000.0)),
            ("Cation transference number", Func(electrolyte_transference_number_ec_emc_3_7_landesfeind2019)),
            ("Thermodynamic factor", Func(electrolyte_tdf_ec_emc_3_7_landesfeind2019)),
            ("Electrolyte diffusivity [m2.s-1]", Func(electrolyte_diffusivity_ec_emc_3_7_landesfeind2019)),
            ("Electrolyte conductivity [S.m-1]", Func(electrolyte_conductivity_ec_emc_3_7_landesfeind2019)),
            ("Reference temperature [K]", Scalar(298.15)),
            ("Total heat transfer coefficient [W.m-2.K-1]", Scalar(10.0)),
            ("Ambient temperature [K]", Scalar(298.15)),
            ("Number of electrodes connected in parallel to make a cell", Scalar(1.0)),
            ("Number of cells connected in series to make a battery", Scalar(1.0)),
            ("Lower voltage cut-off [V]", Scalar(2.5)),
            ("Upper voltage cut-off [V]", Scalar(4.4)),
            ("Open-circuit voltage at 0% SOC [V]", Scalar(2.5)),
            ("Open-circuit voltage at 100% SOC [V]", Scalar(4.4)),
            ("Initial concentration in negative electrode [mol.m-3]", Scalar(28866.0)),
            ("Initial concentration in positive electrode [mol.m-3]", Scalar(13975.0)),
            ("Initial temperature [K]", Scalar(298.15)),
        ],
    )
}
