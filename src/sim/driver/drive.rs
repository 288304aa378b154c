//! The drive-cycle steps of the driver (`Run NAME (A|W|V)`): their profiles resolved and
//! checked when the run is built, and their stepping from data point to data point, with an
//! output row at each (PyBaMM's IDAKLU stops and restarts at a drive cycle's data times).

use super::{
    root, Bdf, Control, Ctrl, DriveCycleError, DriveKind, Event, Profile, SimError, SimSpec,
    Simulation, Solution, Step, Sys, Termination, MAX_STEPS_PER_EXPERIMENT_STEP,
};
use crate::sim::drive_cycle;
use crate::sim::solver::System;

/// The control of a drive cycle of `kind` at `value`.
pub(super) fn drive_ctrl(kind: DriveKind, value: f64) -> Ctrl {
    match kind {
        DriveKind::Current => Ctrl::Current(value),
        DriveKind::Power => Ctrl::Power(value),
        DriveKind::Voltage => Ctrl::Voltage(value),
    }
}

/// Each step's drive cycle: looked up in the spec's `drive_cycles` or the built-ins,
/// validated, cut or repeated to the step's `for` duration. A voltage termination needs a
/// direction, which PyBaMM takes from the sign of the cycle's first current or power (and
/// ignores otherwise): such a step is refused rather than guessed.
pub(super) fn drive_profiles(
    spec: &SimSpec,
    steps: &[Step],
) -> Result<Vec<Option<Profile>>, SimError> {
    let mut out = Vec::with_capacity(steps.len());
    for step in steps {
        let Control::Drive { name, kind } = &step.control else {
            out.push(None);
            continue;
        };
        let rows = drive_cycle::lookup(name, &spec.drive_cycles)?;
        drive_cycle::validate(name, *kind, &rows)?;
        let profile = Profile::new(*kind, &rows, step.duration_s);
        if profile.times.len() > drive_cycle::MAX_ROWS {
            return Err(DriveCycleError {
                name: name.clone(),
                reason: format!(
                    "step {:?} repeats it to more than {} rows; shorten its \"for\" duration",
                    step.text,
                    drive_cycle::MAX_ROWS
                ),
            }
            .into());
        }
        let has_voltage_end = step
            .terminations
            .iter()
            .any(|t| matches!(t, Termination::Voltage(_)));
        if has_voltage_end && (*kind == DriveKind::Voltage || profile.values[0] == 0.0) {
            return Err(DriveCycleError {
                name: name.clone(),
                reason: format!(
                    "step {:?} ends on a voltage, whose direction PyBaMM takes from the sign of the cycle's first current or power; {} — end it on a current (\"until 50 mA\") or a duration instead",
                    step.text,
                    if *kind == DriveKind::Voltage {
                        "this cycle imposes the voltage".to_string()
                    } else {
                        "this cycle starts at 0".to_string()
                    }
                ),
            }
            .into());
        }
        out.push(Some(profile));
    }
    Ok(out)
}

/// What a drive step advances: the system, the integrator, the state, the time, the output.
pub(super) struct DriveRun<'r, 'a> {
    pub sys: &'r mut Sys<'a>,
    pub bdf: &'r mut Bdf,
    pub y: &'r mut Vec<f64>,
    pub t: &'r mut f64,
    pub sol: &'r mut Solution,
    pub interp: &'r dyn Fn(&Bdf, f64, &mut [f64]),
}

impl Simulation {
    /// Points the system at the drive cycle of the step starting at `t` (or at none).
    pub(super) fn start_drive<'a>(&self, sys: &mut Sys<'a>, profile: Option<&'a Profile>, t: f64)
    where
        Self: 'a,
    {
        sys.drive = profile.map(|p| (p, t));
        sys.time.set(t);
    }

    /// Solves one drive-cycle step from `*run.t` (its start, already recorded) interval by
    /// interval of its data, restarting the integrator at each data time (where the forcing's
    /// slope changes), recording a row at each data time but the last (the caller records the
    /// step's end), and stopping at the first event. Returns whether the experiment ends
    /// early: the step stopped on the set's cut-off alone.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn drive_step(
        &self,
        profile: &Profile,
        step: &Step,
        (k, cycle): (usize, usize),
        full: bool,
        events: &[Event],
        n_explicit: usize,
        run: &mut DriveRun<'_, '_>,
    ) -> Result<bool, SimError> {
        let t0 = *run.t;
        let mut yi = vec![0.0; run.y.len()];
        let mut gvals: Vec<f64> = events.iter().map(|e| e.eval(run.sys, run.y)).collect();
        let budget = run.bdf.stats.steps + MAX_STEPS_PER_EXPERIMENT_STEP;
        // a step that cannot go on keeps what was solved, as in constant steps
        let failed = |run: &mut DriveRun<'_, '_>, time_s: f64, reason: String| {
            super::stopped(run.sol.clone(), run.bdf, cycle, k, step, time_s, reason)
        };
        let n = profile.times.len();
        for j in 1..n {
            let (ta, tb) = (t0 + profile.times[j - 1], t0 + profile.times[j]);
            run.sys.set_time(ta);
            run.bdf
                .restart(&*run.sys, ta, run.y, (1e-3f64).min((tb - ta) * 1e-3));
            run.bdf.max_step = tb - ta;
            let mut recoveries = 0;
            loop {
                if run.bdf.stats.steps > budget {
                    let t = run.bdf.t;
                    return Err(failed(
                        run,
                        t,
                        format!("the solver needed more than {MAX_STEPS_PER_EXPERIMENT_STEP} time steps (the cell is near a limit it cannot resolve)"),
                    ));
                }
                let t_old = run.bdf.t;
                let t_new = match run.bdf.step(&*run.sys, tb) {
                    Ok(t) => t,
                    Err(e) => {
                        // as in constant steps: put the algebraic unknowns back on their
                        // equations and restart, a few times at most
                        let mut yr = run.bdf.y.clone();
                        run.sys.set_time(t_old);
                        if recoveries < 3 && run.bdf.consistent_init(&*run.sys, &mut yr).is_ok() {
                            recoveries += 1;
                            let h0 = (1e-6 * t_old.abs().max(1.0)).min(1e-3);
                            run.bdf.restart(&*run.sys, t_old, &yr, h0);
                            continue;
                        }
                        return Err(failed(run, t_old, e.to_string()));
                    }
                };
                let mut t_stop: Option<f64> = None;
                let mut t_stop_explicit = f64::INFINITY;
                let v_new = run.sys.model.voltage(&run.bdf.y);
                for (e, ev) in events.iter().enumerate() {
                    let g_new = ev.eval_at(run.sys, &run.bdf.y, v_new);
                    if (g_new.is_nan() || g_new <= 0.0) && gvals[e] > 0.0 {
                        let bdf = &*run.bdf;
                        let interp = run.interp;
                        let te = root(
                            run.sys,
                            ev,
                            t_old,
                            t_new,
                            gvals[e],
                            g_new,
                            &mut yi,
                            &|t, o| interp(bdf, t, o),
                        );
                        t_stop = Some(t_stop.map_or(te, |s| s.min(te)));
                        if e < n_explicit {
                            t_stop_explicit = t_stop_explicit.min(te);
                        }
                    }
                    gvals[e] = g_new;
                }
                if let Some(ts) = t_stop {
                    run.bdf.interpolate(ts, &mut yi);
                    run.y.copy_from_slice(&yi);
                    run.sys.set_time(ts);
                    if run.bdf.consistent_init(&*run.sys, run.y).is_err() {
                        run.y.copy_from_slice(&yi);
                    }
                    *run.t = ts;
                    return Ok(t_stop_explicit > ts + 1e-9 * ts.abs().max(1.0));
                }
                if t_new >= tb {
                    run.y.copy_from_slice(&run.bdf.y);
                    *run.t = tb;
                    break;
                }
            }
            if j + 1 < n && full {
                self.record(run.sol, run.sys, tb, run.y, k, cycle);
            }
        }
        Ok(false)
    }
}
