//! The single particle model (PyBaMM's SPM): one x-averaged particle per electrode,
//! Butler–Volmer kinetics at the electrolyte's initial concentration, no electrolyte or
//! solid-phase potential drops.

use super::particle::Particle;
use crate::sim::params::{FnArgs, ParameterValues};
use crate::sim::solver::{Cell, Control, Output};
use crate::sim::SimError;

const F: f64 = 96485.33212;
const R: f64 = 8.314462618;

/// One electrode of the SPM.
#[derive(Clone, Debug)]
struct Electrode {
    particle: Particle,
    /// Surface area per unit volume × thickness × electrode area [m2].
    reactive_area: f64,
    c_max: f64,
    c0: f64,
    /// Solid volume (for lithium inventory) [m3].
    solid_volume: f64,
    params: std::sync::Arc<ParameterValues>,
    ocp_name: String,
    j0_name: String,
    c_e: f64,
    temperature: f64,
    /// +1 for the negative electrode (de-intercalates on discharge), -1 for the positive.
    sign: f64,
}

impl Electrode {
    fn args(&self, cs: f64) -> FnArgs {
        FnArgs {
            sto: cs / self.c_max,
            c_e: self.c_e,
            c_s_surf: cs,
            c_s_max: self.c_max,
            t: self.temperature,
        }
    }

    fn ocp(&self, cs: f64) -> f64 {
        self.params
            .eval(&self.ocp_name, &self.args(cs))
            .unwrap_or(f64::NAN)
    }

    fn j0(&self, cs: f64) -> f64 {
        self.params
            .eval(&self.j0_name, &self.args(cs))
            .unwrap_or(f64::NAN)
    }
}

/// The SPM of one parameter set.
#[derive(Debug)]
pub struct Spm {
    neg: Electrode,
    pos: Electrode,
    temperature: f64,
    capacity_ah: f64,
    limits: (f64, f64),
}

/// Concentrations of both particles and the present current.
#[derive(Clone, Debug)]
pub struct State {
    c_n: Vec<f64>,
    c_p: Vec<f64>,
    current: f64,
}

fn electrode(
    p: &ParameterValues,
    domain: &str,
    n: usize,
    t: f64,
    sign: f64,
) -> Result<Electrode, SimError> {
    let cap = |s: &str| format!("{domain} {s}");
    let short = if domain == "Negative" {
        "negative"
    } else {
        "positive"
    };
    let radius = p.scalar(&format!("{domain} particle radius [m]"))?;
    let eps = p.scalar(&cap("electrode active material volume fraction"))?;
    let thickness = p.scalar(&cap("electrode thickness [m]"))?;
    // The cell's current divides over its electrode pairs in parallel.
    let area = p.scalar("Electrode height [m]")?
        * p.scalar("Electrode width [m]")?
        * p.scalar_or(
            "Number of electrodes connected in parallel to make a cell",
            1.0,
        )?;
    let c_max = p.scalar(&format!(
        "Maximum concentration in {short} electrode [mol.m-3]"
    ))?;
    let c0 = p.scalar(&format!(
        "Initial concentration in {short} electrode [mol.m-3]"
    ))?;
    let c_e = p.scalar("Initial concentration in electrolyte [mol.m-3]")?;
    let d_name = format!("{domain} particle diffusivity [m2.s-1]");
    let shared = std::sync::Arc::new(p.clone());
    let d_ref = p.eval(
        &d_name,
        &FnArgs {
            sto: c0 / c_max,
            c_e,
            c_s_surf: c0,
            c_s_max: c_max,
            t,
        },
    )?;
    for (what, v) in [
        ("particle radius", radius),
        ("thickness", thickness),
        ("volume fraction", eps),
        ("diffusivity", d_ref),
    ] {
        if v.is_nan() || v <= 0.0 {
            return Err(SimError::InvalidSpec(format!(
                "{domain} electrode {what} must be positive, not {v}"
            )));
        }
    }
    let ocp_name = cap("electrode OCP [V]");
    let j0_name = cap("electrode exchange-current density [A.m-2]");
    p.eval(
        &ocp_name,
        &FnArgs {
            sto: 0.5,
            ..Default::default()
        },
    )?;
    p.eval(
        &j0_name,
        &FnArgs {
            sto: 0.5,
            c_e,
            c_s_surf: 0.5 * c_max,
            c_s_max: c_max,
            t,
        },
    )?;
    Ok(Electrode {
        particle: Particle::new(n, radius, c_max, shared.clone(), &d_name),
        reactive_area: 3.0 * eps / radius * thickness * area,
        c_max,
        c0,
        solid_volume: eps * thickness * area,
        params: shared,
        ocp_name,
        j0_name,
        c_e,
        temperature: t,
        sign,
    })
}

impl Spm {
    /// Builds the SPM with `n` finite volumes per particle.
    pub fn new(p: &ParameterValues, n: usize) -> Result<Spm, SimError> {
        let t = p.scalar("Ambient temperature [K]")?;
        Ok(Spm {
            neg: electrode(p, "Negative", n, t, 1.0)?,
            pos: electrode(p, "Positive", n, t, -1.0)?,
            temperature: t,
            capacity_ah: p.scalar("Nominal cell capacity [A.h]")?,
            limits: (
                p.scalar("Lower voltage cut-off [V]")?,
                p.scalar("Upper voltage cut-off [V]")?,
            ),
        })
    }

    /// Overpotential-inclusive electrode potential for current `i` at surface concentration `cs`.
    fn electrode_potential(&self, e: &Electrode, cs: f64, i: f64) -> f64 {
        let j = e.sign * i / e.reactive_area; // interfacial current density [A.m-2]
        let j0 = e.j0(cs);
        let eta = 2.0 * R * self.temperature / F * (j / (2.0 * j0)).asinh();
        e.ocp(cs) + eta
    }

    fn voltage(&self, cs_n: f64, cs_p: f64, i: f64) -> f64 {
        self.electrode_potential(&self.pos, cs_p, i) - self.electrode_potential(&self.neg, cs_n, i)
    }

    /// Outward molar flux per unit current [mol.m-2.s-1.A-1].
    fn flux_per_amp(e: &Electrode) -> f64 {
        e.sign / (e.reactive_area * F)
    }

    /// Finds the current meeting `control` given surface concentrations linear in it.
    fn solve_current(
        &self,
        control: Control,
        i_guess: f64,
        surf: impl Fn(f64) -> (f64, f64),
    ) -> Result<(f64, f64), String> {
        let v_of = |i: f64| {
            let (n, p) = surf(i);
            self.voltage(n, p, i)
        };
        let residual = |i: f64| match control {
            Control::Current(target) => i - target,
            Control::Voltage(v) => v_of(i) - v,
            Control::Power(w) => i * v_of(i) - w,
        };
        if let Control::Current(i) = control {
            return Ok((i, v_of(i)));
        }
        let mut i = i_guess;
        for _ in 0..50 {
            let r = residual(i);
            let h = 1e-6 * (1.0 + i.abs());
            let d = (residual(i + h) - residual(i - h)) / (2.0 * h);
            if !(d.is_finite() && d != 0.0) {
                break;
            }
            let step = r / d;
            i -= step;
            if step.abs() < 1e-12 * (1.0 + i.abs()) {
                let v = v_of(i);
                return if v.is_finite() {
                    Ok((i, v))
                } else {
                    Err("the voltage is not finite".into())
                };
            }
        }
        // Newton did not converge (steep OCPs near a full or empty electrode): the voltage
        // falls monotonically with the current, so bracket the root and bisect.
        if let Control::Voltage(target) = control {
            let r = |i: f64| {
                let v = v_of(i);
                if v.is_nan() {
                    None
                } else {
                    Some(v - target)
                }
            };
            let scale = i_guess.abs().max(1e-3);
            let (mut lo, mut hi) = (i_guess - scale, i_guess + scale);
            for _ in 0..60 {
                match (r(lo), r(hi)) {
                    (Some(a), Some(b)) if a > 0.0 && b < 0.0 => break,
                    (Some(a), _) if a <= 0.0 => lo -= 2.0 * (hi - lo),
                    (_, Some(b)) if b >= 0.0 => hi += 2.0 * (hi - lo),
                    _ => {
                        let mid = 0.5 * (lo + hi);
                        lo = 0.5 * (lo + mid);
                        hi = 0.5 * (hi + mid);
                    }
                }
            }
            if let (Some(a), Some(b)) = (r(lo), r(hi)) {
                if a > 0.0 && b < 0.0 {
                    for _ in 0..200 {
                        let mid = 0.5 * (lo + hi);
                        match r(mid) {
                            Some(m) if m > 0.0 => lo = mid,
                            Some(_) => hi = mid,
                            None => break,
                        }
                        if hi - lo < 1e-13 * (1.0 + mid.abs()) {
                            break;
                        }
                    }
                    let i = 0.5 * (lo + hi);
                    return Ok((i, v_of(i)));
                }
            }
        }
        Err(format!("no current satisfies {control:?}"))
    }
}

impl Cell for Spm {
    type State = State;

    fn initial_state(&self) -> State {
        State {
            c_n: vec![self.neg.c0; self.neg.particle.n],
            c_p: vec![self.pos.c0; self.pos.particle.n],
            current: 0.0,
        }
    }

    fn consistent(&self, s: &State, control: Control) -> Result<(State, Output), String> {
        let (cs_n, cs_p) = (
            self.neg.particle.surface(&s.c_n),
            self.pos.particle.surface(&s.c_p),
        );
        let (i, v) = self.solve_current(control, s.current, |_| (cs_n, cs_p))?;
        Ok((
            State {
                current: i,
                ..s.clone()
            },
            Output {
                voltage: v,
                current: i,
            },
        ))
    }

    fn step(
        &self,
        prev: Option<(&State, f64)>,
        cur: &State,
        dt: f64,
        control: Control,
    ) -> Result<(State, Output), String> {
        // Variable-step BDF2: alpha c_{n+1} - (1+w) c_n + w^2/(1+w) c_{n-1} = dt f(c_{n+1}).
        let (alpha, hist_n, hist_p) = match prev {
            Some((p, dt_prev)) => {
                let w = dt / dt_prev;
                let a = (1.0 + 2.0 * w) / (1.0 + w);
                let (b0, b1) = (1.0 + w, -w * w / (1.0 + w));
                let h = |c: &[f64], cp: &[f64]| {
                    c.iter()
                        .zip(cp)
                        .map(|(x, y)| b0 * x + b1 * y)
                        .collect::<Vec<_>>()
                };
                (a, h(&cur.c_n, &p.c_n), h(&cur.c_p, &p.c_p))
            }
            None => (1.0, cur.c_n.clone(), cur.c_p.clone()),
        };
        let (base_n, unit_n) =
            self.neg
                .particle
                .implicit_step(&hist_n, alpha, dt, &cur.c_n, self.temperature);
        let (base_p, unit_p) =
            self.pos
                .particle
                .implicit_step(&hist_p, alpha, dt, &cur.c_p, self.temperature);
        let (kn, kp) = (Self::flux_per_amp(&self.neg), Self::flux_per_amp(&self.pos));
        let pn = &self.neg.particle;
        let pp = &self.pos.particle;
        let surf = |i: f64| {
            let cn: Vec<f64> = base_n
                .iter()
                .zip(&unit_n)
                .map(|(b, u)| b + u * kn * i)
                .collect();
            let cp: Vec<f64> = base_p
                .iter()
                .zip(&unit_p)
                .map(|(b, u)| b + u * kp * i)
                .collect();
            (pn.surface(&cn), pp.surface(&cp))
        };
        let (i, v) = self.solve_current(control, cur.current, surf)?;
        let c_n: Vec<f64> = base_n
            .iter()
            .zip(&unit_n)
            .map(|(b, u)| b + u * kn * i)
            .collect();
        let c_p: Vec<f64> = base_p
            .iter()
            .zip(&unit_p)
            .map(|(b, u)| b + u * kp * i)
            .collect();
        let saturated = [(&c_n, &self.neg), (&c_p, &self.pos)]
            .iter()
            .map(|(c, e)| (e.particle.surface(c), e.c_max))
            .find(|(surface, c_max)| !(*surface > 0.0 && surface < c_max));
        if let Some((surface, _)) = saturated {
            {
                // An electrode ran empty or full within the step: the kinetics diverge, so
                // the voltage has crossed any cut-off; report that and let the event
                // location shorten the step. Under a voltage hold there is no such way out.
                if matches!(control, Control::Voltage(_)) || i == 0.0 {
                    return Err(format!("the particle surface concentration left 0…c_max ({surface:.1} mol/m3): the electrode is fully (de)lithiated"));
                }
                let v = if i > 0.0 {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                };
                return Ok((
                    State {
                        c_n,
                        c_p,
                        current: i,
                    },
                    Output {
                        voltage: v,
                        current: i,
                    },
                ));
            }
        }
        Ok((
            State {
                c_n,
                c_p,
                current: i,
            },
            Output {
                voltage: v,
                current: i,
            },
        ))
    }

    fn nominal_capacity_ah(&self) -> f64 {
        self.capacity_ah
    }

    fn voltage_limits(&self) -> (f64, f64) {
        self.limits
    }

    fn lithium_mol(&self, s: &State) -> f64 {
        self.neg.particle.average(&s.c_n) * self.neg.solid_volume
            + self.pos.particle.average(&s.c_p) * self.pos.solid_volume
    }

    fn max_dt(&self) -> f64 {
        1.0
    }
}
