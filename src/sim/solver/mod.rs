//! Runs an experiment on a cell model: implicit time steps (BDF2, restarted with implicit
//! Euler at each step change), output sampling, and step terminations located by bisection
//! on the step size (not "first sample past").

use super::experiment::{Control as StepControl, Step, Termination};
use super::{CycleSummary, SimError, Solution, SolveOptions, SolverStats};

/// What a step imposes, resolved to SI units (current positive on discharge).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Control {
    Current(f64),
    Power(f64),
    Voltage(f64),
}

/// Terminal voltage and current of a state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Output {
    pub voltage: f64,
    pub current: f64,
}

/// A cell model the solver can integrate.
pub trait Cell {
    type State: Clone;
    fn initial_state(&self) -> Self::State;
    /// Solves the algebraic part (current, voltage) of `state` under a new control.
    fn consistent(
        &self,
        state: &Self::State,
        control: Control,
    ) -> Result<(Self::State, Output), String>;
    /// One implicit step of size `dt` from `cur`; `prev` (state, previous dt) enables BDF2.
    fn step(
        &self,
        prev: Option<(&Self::State, f64)>,
        cur: &Self::State,
        dt: f64,
        control: Control,
    ) -> Result<(Self::State, Output), String>;
    /// Nominal capacity [A.h] (for C-rates).
    fn nominal_capacity_ah(&self) -> f64;
    /// Lower and upper voltage cut-offs of the parameter set.
    fn voltage_limits(&self) -> (f64, f64);
    /// Cyclable lithium in the electrodes [mol].
    fn lithium_mol(&self, state: &Self::State) -> f64;
    /// Largest step the accuracy allows [s].
    fn max_dt(&self) -> f64;
}

/// Values whose sign change ends the step (positive while the step may continue).
fn event_values(
    step: &Step,
    control: Control,
    out: Output,
    start: Output,
    limits: (f64, f64),
    capacity: f64,
) -> Vec<f64> {
    let mut g = Vec::with_capacity(step.terminations.len() + 2);
    for t in &step.terminations {
        match *t {
            Termination::Voltage(v) => {
                // The side the step started on decides the direction.
                let up = match control {
                    Control::Current(i) | Control::Power(i) => i < 0.0,
                    Control::Voltage(_) => start.voltage < v,
                };
                g.push(if up { v - out.voltage } else { out.voltage - v });
            }
            Termination::Current(c) => {
                g.push(out.current.abs() - c.amps(capacity).abs());
            }
        }
    }
    if !matches!(control, Control::Voltage(_)) {
        g.push(out.voltage - limits.0);
        g.push(limits.1 - out.voltage);
    }
    g
}

struct Recorder<'a> {
    sol: &'a mut Solution,
}

impl Recorder<'_> {
    fn push(&mut self, t: f64, out: Output, q: f64, step: usize, cycle: usize) {
        let s = &mut self.sol;
        s.time_s.push(t);
        s.current_a.push(out.current);
        s.voltage_v.push(out.voltage);
        s.discharge_capacity_ah.push(q);
        s.step_index.push(step);
        s.cycle_index.push(cycle);
    }
}

fn resolve(control: StepControl, capacity: f64) -> Control {
    match control {
        StepControl::Current(c) => Control::Current(c.amps(capacity)),
        StepControl::Power(w) => Control::Power(w),
        StepControl::Voltage(v) => Control::Voltage(v),
    }
}

/// Runs `steps` (the experiment, cycles expanded) on `cell`.
pub fn run<C: Cell>(
    cell: &C,
    steps: &[Step],
    cycle_len: usize,
    opts: &SolveOptions,
) -> Result<Solution, SimError> {
    let capacity = cell.nominal_capacity_ah();
    let limits = cell.voltage_limits();
    let mut sol = Solution::default();
    let mut stats = SolverStats::default();
    let mut state = cell.initial_state();
    let lithium0 = cell.lithium_mol(&state);
    let (mut t, mut q) = (0.0_f64, 0.0_f64);
    let mut cycle_discharged = 0.0;
    let cycle_len = cycle_len.max(1);
    for (k, step) in steps.iter().enumerate() {
        let cycle = k / cycle_len;
        let control = resolve(step.control, capacity);
        let fail = |time_s: f64, reason: String| SimError::StepFailed {
            step: k + 1,
            text: step.text.clone(),
            time_s,
            reason,
        };
        let (s0, start) = cell.consistent(&state, control).map_err(|r| fail(t, r))?;
        state = s0;
        let g0 = event_values(step, control, start, start, limits, capacity);
        if let Some(i) = g0.iter().position(|&g| g <= 0.0) {
            let reason = if i < step.terminations.len() {
                format!(
                    "its end condition already holds (V = {:.4} V, I = {:.4} A)",
                    start.voltage, start.current
                )
            } else {
                format!(
                    "the cell is already past the set's voltage limits ({:.3}–{:.3} V) at {:.4} V",
                    limits.0, limits.1, start.voltage
                )
            };
            return Err(SimError::StepEndsImmediately {
                step: k + 1,
                text: step.text.clone(),
                reason,
            });
        }
        let mut rec = Recorder { sol: &mut sol };
        rec.push(t, start, q, k, cycle);
        let t_start = t;
        let duration = step.duration_s.unwrap_or(f64::INFINITY);
        let mut next_sample = opts.period_s;
        let mut prev: Option<(C::State, f64)> = None;
        let mut out_prev = start;
        loop {
            let elapsed = t - t_start;
            let target = next_sample.min(duration);
            let dt = (target - elapsed).min(cell.max_dt());
            if dt <= 1e-12 {
                break;
            }
            let prev_ref = prev.as_ref().map(|(s, h)| (s, *h));
            let (new, out) = cell
                .step(prev_ref, &state, dt, control)
                .map_err(|r| fail(t, r))?;
            stats.steps += 1;
            stats.linear_solves += 1;
            let g = event_values(step, control, out, start, limits, capacity);
            if g.iter().any(|&v| v <= 0.0) {
                // Locate the first crossing by bisection on the step size.
                let (mut lo, mut hi) = (0.0, dt);
                let mut best = (new, out);
                for _ in 0..60 {
                    let mid = 0.5 * (lo + hi);
                    let prev_ref = prev.as_ref().map(|(s, h)| (s, *h));
                    let (s_mid, o_mid) = cell
                        .step(prev_ref, &state, mid, control)
                        .map_err(|r| fail(t, r))?;
                    stats.event_iterations += 1;
                    let g_mid = event_values(step, control, o_mid, start, limits, capacity);
                    if g_mid.iter().any(|&v| v <= 0.0) {
                        hi = mid;
                        best = (s_mid, o_mid);
                    } else {
                        lo = mid;
                    }
                    if hi - lo < 1e-9 {
                        break;
                    }
                }
                let dq = 0.5 * (out_prev.current + best.1.current) * hi / 3600.0;
                q += dq;
                cycle_discharged += dq.max(0.0);
                t += hi;
                state = best.0;
                Recorder { sol: &mut sol }.push(t, best.1, q, k, cycle);
                break;
            }
            let dq = 0.5 * (out_prev.current + out.current) * dt / 3600.0;
            q += dq;
            cycle_discharged += dq.max(0.0);
            t += dt;
            let old = std::mem::replace(&mut state, new);
            prev = Some((old, dt));
            out_prev = out;
            let elapsed = t - t_start;
            if (elapsed - next_sample).abs() < 1e-9 || (elapsed - duration).abs() < 1e-9 {
                Recorder { sol: &mut sol }.push(t, out, q, k, cycle);
                if (elapsed - duration).abs() < 1e-9 {
                    break;
                }
                next_sample += opts.period_s;
            }
        }
        if (k + 1) % cycle_len == 0 || k + 1 == steps.len() {
            let lithium = cell.lithium_mol(&state);
            sol.cycles.push(CycleSummary {
                cycle: cycle + 1,
                discharge_capacity_ah: cycle_discharged,
                loss_of_lithium_inventory_percent: (1.0 - lithium / lithium0) * 100.0,
            });
            cycle_discharged = 0.0;
        }
    }
    sol.stats = stats;
    Ok(sol)
}
