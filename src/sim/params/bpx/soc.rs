//! The initial stoichiometries of a BPX cell at a state of charge, as PyBaMM's electrode
//! state-of-health model finds them.

use super::BpxError;
use crate::sim::params::{FnArgs, ParameterValues};

/// Stoichiometries (negative x, positive y) at `soc`, as PyBaMM's electrode state-of-health
/// model computes them with the cyclable lithium of the initial concentrations: x_100 and
/// x_0 put the OCV at the 100% and 0% SOC voltages, lithium is conserved, and x, y are
/// interpolated linearly in SOC.
pub(super) fn initial_stoichiometries(
    pv: &ParameterValues,
    soc: f64,
) -> Result<(f64, f64), BpxError> {
    let fail = |reason: String| BpxError::InitialState { soc, reason };
    let s = |n: &str| pv.scalar(n).map_err(|e| fail(e.to_string()));
    // Lithium capacity per unit electrode area [mol.m-2] of each electrode.
    let q_n = s("Negative electrode active material volume fraction")?
        * s("Negative electrode thickness [m]")?
        * s("Maximum concentration in negative electrode [mol.m-3]")?;
    let q_p = s("Positive electrode active material volume fraction")?
        * s("Positive electrode thickness [m]")?
        * s("Maximum concentration in positive electrode [mol.m-3]")?;
    let x_init = s("Initial concentration in negative electrode [mol.m-3]")?
        / s("Maximum concentration in negative electrode [mol.m-3]")?;
    let y_init = s("Initial concentration in positive electrode [mol.m-3]")?
        / s("Maximum concentration in positive electrode [mol.m-3]")?;
    let q_li = x_init * q_n + y_init * q_p;
    let t_ref = s("Reference temperature [K]")?;
    let y_of = |x: f64| (q_li - x * q_n) / q_p;
    let ocv = |x: f64| -> Result<f64, BpxError> {
        let a = |sto| FnArgs {
            sto,
            t: t_ref,
            ..FnArgs::default()
        };
        let up = pv
            .eval("Positive electrode OCP [V]", &a(y_of(x)))
            .map_err(|e| fail(e.to_string()))?;
        let un = pv
            .eval("Negative electrode OCP [V]", &a(x))
            .map_err(|e| fail(e.to_string()))?;
        Ok(up - un)
    };
    // x where both stoichiometries lie in [0, 1].
    let lo = ((q_li - q_p) / q_n).max(0.0);
    let hi = (q_li / q_n).min(1.0);
    if lo >= hi {
        return Err(fail(
            "the electrodes' capacities leave no feasible stoichiometry".into(),
        ));
    }
    let solve = |v: f64| -> Result<f64, BpxError> {
        // OCV(x) rises with x (negative OCP falls, positive stoichiometry falls). PyBaMM's
        // solver is not confined to [0, 1] (the OCPs extrapolate), so widen the bracket
        // when the voltage lies outside the feasible range.
        let (mut a, mut b) = (lo, hi);
        let mut widen = hi - lo;
        loop {
            let (fa, fb) = (ocv(a)? - v, ocv(b)? - v);
            if fa <= 0.0 && fb >= 0.0 {
                break;
            }
            if !fa.is_finite() || !fb.is_finite() || widen > 4.0 {
                return Err(fail(format!(
                    "the OCV does not reach {v} V between x = {a:.6} ({:.4} V) and x = {b:.6} ({:.4} V)",
                    fa + v,
                    fb + v
                )));
            }
            if fa > 0.0 {
                a -= widen;
            }
            if fb < 0.0 {
                b += widen;
            }
            widen *= 2.0;
        }
        for _ in 0..200 {
            let m = 0.5 * (a + b);
            if m <= a || m >= b {
                break;
            }
            if ocv(m)? - v < 0.0 {
                a = m;
            } else {
                b = m;
            }
        }
        Ok(0.5 * (a + b))
    };
    // x = x_0 + soc (x_100 - x_0): at the ends only one limit is needed.
    let x_100 = if soc > 0.0 {
        solve(s("Open-circuit voltage at 100% SOC [V]")?)?
    } else {
        0.0
    };
    let x_0 = if soc < 1.0 {
        solve(s("Open-circuit voltage at 0% SOC [V]")?)?
    } else {
        x_100
    };
    let x = x_0 + soc * (x_100 - x_0);
    let (y_0, y_100) = (y_of(x_0), y_of(x_100));
    let y = y_0 - soc * (y_0 - y_100);
    Ok((x, y))
}
