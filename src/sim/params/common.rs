//! Functions several parameter sets share, as PyBaMM's sets share them: the Arrhenius factor,
//! the square root clipped at zero, Chen 2020's LG M50 fits (which OKane2022, ORegan2022 and
//! Prada2013 take from Chen2020) and O'Kane 2022's dead-lithium decay (OKane2022, Ecker2015).

use super::constants::R;
use super::{tanh, FnArgs};

/// √x, 0 below 0 (a concentration a Newton iterate pushed negative).
pub(super) fn sqrt0(x: f64) -> f64 {
    x.max(0.0).sqrt()
}

/// The Arrhenius factor exp(E/R (1/298.15 − 1/T)) with the gas constant `r`: Chen2020 and
/// Marquis2019 take PyBaMM's older rounded 8.314462618, the others `constants::R`.
pub(super) fn arrhenius_with(r: f64, e: f64, t: f64) -> f64 {
    if t == 298.15 {
        return 1.0; // exp(0), without the call (the diffusivities run per particle cell)
    }
    (e / r * (1.0 / 298.15 - 1.0 / t)).exp()
}

/// PyBaMM's older rounded gas constant, which Chen2020 and Marquis2019 were transcribed with.
const R_ROUNDED: f64 = 8.314462618;

/// The Arrhenius factor with the rounded gas constant (Chen2020, Marquis2019).
pub(super) fn arrhenius_rounded(e: f64, t: f64) -> f64 {
    arrhenius_with(R_ROUNDED, e, t)
}

/// The Arrhenius factor with `constants::R`.
pub(super) fn arrhenius(e: f64, t: f64) -> f64 {
    arrhenius_with(R, e, t)
}

/// Graphite OCP [V] f(sto) (Chen 2020 fit for the LG M50 anode; Chen2020, Prada2013 and
/// ORegan2022 use it, OKane2022 PyBaMM's interpolant of the data instead).
pub fn graphite_lgm50_ocp_chen2020(a: &FnArgs) -> f64 {
    let s = a.sto;
    1.9793 * (-39.3631 * s).exp() + 0.2482
        - 0.0909 * tanh(29.8538 * (s - 0.1234))
        - 0.04478 * tanh(14.9159 * (s - 0.2769))
        - 0.0205 * tanh(30.4444 * (s - 0.6103))
}

/// NMC811 OCP [V] f(sto) (Chen 2020 fit; Chen2020, OKane2022 and ORegan2022).
pub fn nmc_lgm50_ocp_chen2020(a: &FnArgs) -> f64 {
    let s = a.sto;
    -0.809 * s + 4.4875
        - 0.0428 * tanh(18.5138 * (s - 0.5542))
        - 17.7326 * tanh(15.789 * (s - 0.3117))
        + 17.5842 * tanh(15.9308 * (s - 0.312))
}

/// Graphite exchange-current density [A.m-2] f(c_e, c_s_surf, c_s_max, T) (Chen 2020),
/// clipped at zero concentrations (OKane2022, Prada2013; Chen2020's own takes plain roots).
pub fn graphite_lgm50_electrolyte_exchange_current_density_chen2020(a: &FnArgs) -> f64 {
    6.48e-7
        * arrhenius(35000.0, a.t)
        * sqrt0(a.c_e)
        * sqrt0(a.c_s_surf)
        * sqrt0(a.c_s_max - a.c_s_surf)
}

/// Dead lithium decay rate [s-1] f(L_sei) = gamma_0 L_sei_0 / L_sei (O'Kane 2022) with the
/// sets' decay constant (1e-6 s-1) and initial SEI thickness (5 nm); L_sei is passed in `sto`.
pub fn sei_limited_dead_lithium_okane2022(a: &FnArgs) -> f64 {
    1e-06 * 5e-09 / a.sto
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(sto: f64, t: f64) -> FnArgs {
        FnArgs {
            sto,
            t,
            c_e: 1000.0 * (1.0 - sto) - 50.0,
            c_s_surf: 30000.0 * sto - 100.0,
            c_s_max: 29000.0,
        }
    }

    /// The shared functions give, to the bit, what each set's own copy gave (the copies as
    /// they stood, written out here), over and beyond the stoichiometry range.
    #[test]
    fn shared_functions_are_bit_identical_to_the_sets_former_copies() {
        const R_CHEN: f64 = 8.314462618;
        let old_arrhenius = |r: f64, e: f64, t: f64| -> f64 {
            if t == 298.15 {
                return 1.0;
            }
            (e / r * (1.0 / 298.15 - 1.0 / t)).exp()
        };
        // ai2020.rs wrote it inline, without the shortcut at 298.15 K.
        let ai_inline = |e: f64, t: f64| (e / R * (1.0 / 298.15 - 1.0 / t)).exp();
        let old_graphite_ocp = |sto: f64| {
            1.9793 * (-39.3631 * sto).exp() + 0.2482
                - 0.0909 * tanh(29.8538 * (sto - 0.1234))
                - 0.04478 * tanh(14.9159 * (sto - 0.2769))
                - 0.0205 * tanh(30.4444 * (sto - 0.6103))
        };
        let old_nmc_ocp = |sto: f64| {
            -0.809 * sto + 4.4875
                - 0.0428 * tanh(18.5138 * (sto - 0.5542))
                - 17.7326 * tanh(15.789 * (sto - 0.3117))
                + 17.5842 * tanh(15.9308 * (sto - 0.312))
        };
        let old_j0 = |a: &FnArgs| {
            let sqrt0 = |x: f64| x.max(0.0).sqrt();
            6.48e-7
                * old_arrhenius(R, 35000.0, a.t)
                * sqrt0(a.c_e)
                * sqrt0(a.c_s_surf)
                * sqrt0(a.c_s_max - a.c_s_surf)
        };
        let mut n = 0;
        for i in 0..=240 {
            let sto = -0.1 + 1.2 * i as f64 / 240.0;
            for t in [263.15, 273.15, 298.15, 310.0, 318.15] {
                let a = args(sto, t);
                for e in [0.0, 5000.0, 17800.0, 35000.0, 42770.0] {
                    let same = |x: f64, y: f64| x.to_bits() == y.to_bits();
                    assert!(same(arrhenius(e, t), old_arrhenius(R, e, t)));
                    assert!(same(arrhenius(e, t), ai_inline(e, t)), "{e} {t}");
                    assert!(same(arrhenius_rounded(e, t), old_arrhenius(R_CHEN, e, t)));
                }
                assert_eq!(
                    graphite_lgm50_ocp_chen2020(&a).to_bits(),
                    old_graphite_ocp(sto).to_bits()
                );
                assert_eq!(
                    nmc_lgm50_ocp_chen2020(&a).to_bits(),
                    old_nmc_ocp(sto).to_bits()
                );
                assert_eq!(
                    graphite_lgm50_electrolyte_exchange_current_density_chen2020(&a).to_bits(),
                    old_j0(&a).to_bits()
                );
                n += 1;
            }
        }
        assert_eq!(n, 241 * 5);
        assert_eq!(sqrt0(-1.0), 0.0);
    }
}
