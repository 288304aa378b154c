//! The step driver: builds a `Simulation` from a spec (model, mesh, steps) and solves it step
//! by step with the BDF integrator, locating each step's terminations as events.

mod drive;

use std::cell::Cell;

use super::drive_cycle::{DriveCycleError, DriveKind, Profile};
use super::experiment::{self, Control, Step, Termination};
use super::models::mechanics::STRESS_RTOL;
use super::models::{self, Ctrl, Layout, Model};
use super::solver::{Bdf, Condensation, SolverStats, System};
use super::spec::check_thermal_parameters;
use super::{
    model_names, resolve_parameters, CycleSummary, DegradationModes, Mesh, SimError, SimSpec,
    Solution, SolveOptions, Stopped, CYCLING_MESH_MIN_CYCLES, CYCLING_RTOL,
    MAX_STEPS_PER_EXPERIMENT_STEP, POINTS_PER_DOMAIN,
};
use drive::{drive_ctrl, drive_profiles, DriveRun};

/// A built model: parameters resolved, mesh, experiment parsed.
pub struct Simulation {
    model: Box<dyn Model>,
    steps: Vec<Step>,
    /// The drive cycle of each step that runs one (`Run NAME (…)`), resolved and validated.
    profiles: Vec<Option<Profile>>,
    cycles: usize,
    capacity: f64,
    v_min: f64,
    v_max: f64,
    lumped: bool,
    pub rtol: f64,
    pub atol: f64,
    /// Cycles (1-based) whose full curves the sampled output holds; `None` (the default)
    /// holds every cycle. Other cycles contribute each step's start and end points only; the
    /// per-cycle summary always covers every cycle. For long degradation runs. (A field of
    /// the simulation rather than of `SolveOptions`, which callers build as a literal.)
    pub output_cycles: Option<Vec<usize>>,
    /// The spec's `variables`, checked against the model (see `sim::variables`).
    variables: Vec<String>,
    /// The mesh the model is discretised on.
    mesh: Mesh,
    /// Whether the particles are finite volumes (else the polynomial).
    fv_particles: bool,
    /// Whether the run has degradation options (the summary then carries the modes).
    degradation: bool,
    /// Electrode pairs in parallel (PyBaMM's "Number of electrodes connected in parallel to
    /// make a cell"): the degradation modes in mol are per pair, as PyBaMM's.
    electrode_pairs: f64,
    /// Stops the run (as a solver failure, keeping what was solved) once the integrator has
    /// taken this many time steps in all; `None` (the default): no such budget. Bounds the
    /// work of one run, and makes a failure late in a run reproducible in tests.
    pub max_total_steps: Option<usize>,
    /// Whether the run has stress-driven degradation (its tolerances, see `STRESS_RTOL`).
    stressed: bool,
}

impl std::fmt::Debug for Simulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulation")
            .field("steps", &self.steps)
            .field("cycles", &self.cycles)
            .finish()
    }
}

impl Simulation {
    /// Builds with the default mesh.
    /// Builds with `Mesh::for_spec(spec)`: the default mesh, or for long experiments
    /// (`CYCLING_MESH_MIN_CYCLES` cycles or more) the cycling mesh and `CYCLING_RTOL`.
    pub fn build(spec: &SimSpec) -> Result<Simulation, SimError> {
        if let Some(n) = spec.points_per_domain {
            if !POINTS_PER_DOMAIN.contains(&n) {
                return Err(SimError::BadPoints { got: n });
            }
        }
        let mut sim = Simulation::build_with_mesh(spec, Mesh::for_spec(spec))?;
        // (stress-driven degradation keeps its tighter tolerance, see `mechanics`)
        if spec.cycles.unwrap_or(1) >= CYCLING_MESH_MIN_CYCLES {
            sim.rtol = if sim.stressed {
                STRESS_RTOL
            } else {
                CYCLING_RTOL
            };
        }
        Ok(sim)
    }

    /// Builds with a given mesh.
    pub fn build_with_mesh(spec: &SimSpec, mesh: Mesh) -> Result<Simulation, SimError> {
        let model_name = spec.model.trim().to_ascii_lowercase();
        if !["spm", "spme", "dfn"].contains(&model_name.as_str()) {
            return Err(SimError::UnknownModel {
                name: spec.model.clone(),
                valid: model_names().iter().map(|s| s.to_string()).collect(),
            });
        }
        // the thermal model may also come as a PyBaMM option {"thermal": "lumped"}
        let thermal = spec
            .thermal
            .clone()
            .or_else(|| spec.options.get("thermal").map(|v| v.to_string()));
        let lumped = match thermal.as_deref().map(|s| s.trim().to_ascii_lowercase()) {
            None => false,
            Some(s) if s == "isothermal" => false,
            Some(s) if s == "lumped" => true,
            Some(_) => {
                return Err(SimError::UnknownThermal {
                    name: thermal.unwrap_or_default(),
                })
            }
        };
        // degradation options (SEI, lithium plating): validated here, resolved below
        let deg_opts = models::degradation::parse_options(&spec.options, &model_name)?;
        if spec.experiment.is_empty() {
            return Err(SimError::EmptyExperiment);
        }
        let steps = spec
            .experiment
            .iter()
            .map(|s| experiment::parse_step(s.trim()))
            .collect::<Result<Vec<_>, _>>()?;
        let profiles = drive_profiles(spec, &steps)?;
        let p = resolve_parameters(spec)?;
        if lumped {
            check_thermal_parameters(&p)?;
        }
        let cell = models::Cell::new(&p)?;
        let varies = cell.neg.d_varies || cell.pos.d_varies;
        let mut mesh = mesh.resolved(&cell).particles_for(&model_name, varies);
        // Stress-induced diffusion puts the particles on finite volumes (the single-particle
        // models'; the DFN keeps its polynomial, `dfn::polynomial_under_stress`); their stresses are
        // PyBaMM's on its uniform shells (the grading is for the sets whose diffusivity
        // itself varies, `SHELL_GRADING`).
        if !(cell.neg.d_varies || cell.pos.d_varies) && deg_opts.stress_diffusion.iter().any(|s| *s)
        {
            mesh.r_grading = 1.0;
        }
        let out_mesh = mesh;
        let capacity = cell.capacity;
        let (v_min, v_max) = (cell.v_min, cell.v_max);
        let degradation = !deg_opts.is_none();
        let stressed = deg_opts.lam.iter().any(|l| l.stress)
            || deg_opts
                .mech
                .contains(&models::mechanics::Mech::SwellingAndCracking);
        let deg = if deg_opts.is_none() {
            None
        } else {
            Some(models::degradation::Degradation::new(deg_opts, &p, &cell)?)
        };
        // PyBaMM's "Loss of lithium to ... [mol]" modes are per electrode pair (L_y L_z)
        let electrode_pairs = cell.area / (cell.l_y * cell.l_z);
        // particle mechanics: the stresses speed up the particles' diffusion
        let mut cell = cell;
        if let Some(d) = &deg {
            models::mechanics::apply_stress_diffusion(&mut cell, &d.aging);
        }
        let fv_particles = (cell.neg.d_varies || cell.pos.d_varies)
            && !(model_name == "dfn" && models::dfn::polynomial_under_stress(&cell));
        let model: Box<dyn Model> = match model_name.as_str() {
            "spm" => Box::new(models::spm::Spm::with_degradation(cell, mesh, lumped, deg)),
            "spme" => Box::new(models::spme::Spme::with_degradation(
                cell, mesh, lumped, deg,
            )),
            _ => Box::new(models::dfn::Dfn::with_degradation(cell, mesh, lumped, deg)),
        };
        let variables = super::variables::check(&spec.variables, model.as_ref())?;
        Ok(Simulation {
            model,
            steps,
            profiles,
            cycles: spec.cycles.unwrap_or(1).max(1) as usize,
            capacity,
            v_min,
            v_max,
            lumped,
            rtol: match (stressed, model_name.as_str()) {
                (true, "dfn") => models::dfn::DFN_STRESS_RTOL,
                (true, _) => STRESS_RTOL,
                _ => 1e-5,
            },
            stressed,
            atol: 1e-6,
            output_cycles: None,
            variables,
            mesh: out_mesh,
            fv_particles,
            degradation,
            electrode_pairs,
            max_total_steps: None,
        })
    }

    /// The parsed steps of one cycle.
    /// Number of unknowns of the discretised model.
    pub fn unknowns(&self) -> usize {
        self.model.n_unknowns()
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    fn ctrl(&self, step: &Step) -> Ctrl {
        match step.control {
            Control::Current(a) => Ctrl::Current(a),
            Control::CRate(c) => Ctrl::Current(c * self.capacity),
            Control::Voltage(v) => Ctrl::Voltage(v),
            Control::Power(w) => Ctrl::Power(w),
            // the value at the step's start; `Sys::control` follows the profile in time
            Control::Drive { kind, .. } => drive_ctrl(kind, 0.0),
        }
    }

    /// Solves from the initial state to the end of the experiment.
    pub fn solve(&self, opts: &SolveOptions) -> Result<Solution, SimError> {
        if !(opts.period_s > 0.0 && opts.period_s.is_finite()) {
            return Err(SimError::BadOptions(format!(
                "period must be positive, got {}",
                opts.period_s
            )));
        }
        let layout = self.model.layout();
        let mut sys = Sys {
            model: self.model.as_ref(),
            ctrl: Ctrl::Current(0.0),
            layout,
            drive: None,
            time: Cell::new(0.0),
        };
        let mut y = self.model.initial_state();
        let li0 = self.model.lithium_in_particles(&y);
        let mut sol = Solution {
            time_s: Vec::new(),
            current_a: Vec::new(),
            voltage_v: Vec::new(),
            discharge_capacity_ah: Vec::new(),
            temperature_k: self.lumped.then(Vec::new),
            step_index: Vec::new(),
            cycle_index: Vec::new(),
            cycles: Vec::new(),
            stats: SolverStats::default(),
            variables: Vec::new(),
        };
        let mut bdf = Bdf::new(&sys, 0.0, &y, self.rtol, self.atol);
        // what the outputs and the events read: with a model whose voltage reads a few
        // unknowns, only those are interpolated
        // (requested variables read every unknown)
        let few = self.variables.is_empty();
        let partial: Option<Vec<usize>> =
            self.model.voltage_unknowns().filter(|_| few).map(|mut v| {
                v.extend([layout.i, layout.q]);
                v.extend(layout.t);
                v.sort_unstable();
                v.dedup();
                v
            });
        let interp = |bdf: &Bdf, t: f64, out: &mut [f64]| match &partial {
            Some(ix) => bdf.interpolate_at(t, ix, out),
            None => bdf.interpolate(t, out),
        };
        let mut t = 0.0;
        let n = y.len();
        let mut yi = vec![0.0; n];
        let mut k = 0;
        // PyBaMM's experiment semantics: a step whose own termination already holds at its
        // start is skipped (an error only if nothing at all is solved, or, with repeated
        // cycles, if every step of a cycle is skipped); the experiment ends early, keeping
        // what it solved, when a step stops on the set's cut-off voltage instead of its own
        // terminations, or runs its default duration without meeting them.
        let mut first_skip: Option<SimError> = None;
        let mut solved_any = false;
        let mut ended_early = false;
        for cycle in 0..self.cycles {
            let mut discharged = 0.0;
            let mut skipped_in_cycle = 0usize;
            for (j, step) in self.steps.iter().enumerate() {
                sys.ctrl = self.ctrl(step);
                self.start_drive(&mut sys, self.profiles[j].as_ref(), t);
                // consistent initial current / algebraic unknowns for the new control
                if let Ctrl::Current(a) = sys.ctrl {
                    y[layout.i] = a;
                }
                if let Err(e) = bdf.consistent_init(&sys, &mut y) {
                    let reason = format!("cannot find a consistent initial state: {e}");
                    return Err(stopped(sol, &bdf, cycle, k, step, t, reason));
                }
                let (mut events, n_explicit) = self.events(step, &sys, &y);
                if let Some(ev) = events[..n_explicit]
                    .iter()
                    .find(|ev| ev.eval(&sys, &y) <= 0.0)
                {
                    first_skip.get_or_insert(SimError::StepEndsImmediately {
                        step: step.text.clone(),
                        index: k,
                        reason: ev.describe(&sys, &y),
                    });
                    skipped_in_cycle += 1;
                    k += 1;
                    continue;
                }
                // The set's safety cut-offs end a step when the voltage crosses them; one the
                // step starts beyond is not a crossing, and is left out.
                let mut e = n_explicit;
                while e < events.len() {
                    if events[e].eval(&sys, &y) <= 0.0 {
                        events.remove(e);
                    } else {
                        e += 1;
                    }
                }
                if let Some(profile) = self.profiles[j].as_ref() {
                    let q0 = y[layout.q];
                    let full = self
                        .output_cycles
                        .as_ref()
                        .is_none_or(|c| c.contains(&(cycle + 1)));
                    self.record(&mut sol, &sys, t, &y, k, cycle);
                    let mut run = DriveRun {
                        sys: &mut sys,
                        bdf: &mut bdf,
                        y: &mut y,
                        t: &mut t,
                        sol: &mut sol,
                        interp: &interp,
                    };
                    ended_early |= self.drive_step(
                        profile,
                        step,
                        (k, cycle),
                        full,
                        &events,
                        n_explicit,
                        &mut run,
                    )?;
                    self.record(&mut sol, &sys, t, &y, k, cycle);
                    solved_any = true;
                    discharged += (y[layout.q] - q0).max(0.0);
                    k += 1;
                    if ended_early {
                        break;
                    }
                    continue;
                }
                let t0 = t;
                let q0 = y[layout.q];
                let dur = step.duration();
                let t_end = t0 + dur;
                let npts = ((dur / opts.period_s).round() as usize).max(1);
                let dt_out = dur / npts as f64;
                // cycles left out of `output_cycles` sample no interior points
                let full = self
                    .output_cycles
                    .as_ref()
                    .is_none_or(|c| c.contains(&(cycle + 1)));
                let mut next_out = if full { 1usize } else { npts };
                self.record(&mut sol, &sys, t0, &y, k, cycle);
                bdf.restart(&sys, t0, &y, (1e-3f64).min(dur * 1e-3));
                bdf.max_step = dur.max(1.0);
                let mut gvals: Vec<f64> = events.iter().map(|e| e.eval(&sys, &y)).collect();
                // A step budget: a solver that crawls (steps far below the output period)
                // fails the step with a clear error instead of hanging a runner.
                let budget = bdf.stats.steps + MAX_STEPS_PER_EXPERIMENT_STEP;
                let mut recoveries = 0usize;
                let mut recovered_at: Option<f64> = None;
                loop {
                    if bdf.stats.steps > budget {
                        let reason = format!(
                            "the solver needed more than {MAX_STEPS_PER_EXPERIMENT_STEP} time steps (the cell is near a limit it cannot resolve)"
                        );
                        self.record_last(&mut sol, &sys, &bdf, k, cycle);
                        return Err(stopped(sol, &bdf, cycle, k, step, bdf.t, reason));
                    }
                    if self.max_total_steps.is_some_and(|m| bdf.stats.steps >= m) {
                        let reason = format!(
                            "the run's budget of {} solver time steps is spent",
                            bdf.stats.steps
                        );
                        self.record_last(&mut sol, &sys, &bdf, k, cycle);
                        return Err(stopped(sol, &bdf, cycle, k, step, bdf.t, reason));
                    }
                    let t_old = bdf.t;
                    let t_new = match bdf.step(&sys, t_end) {
                        Ok(t) => t,
                        Err(e) => {
                            // The step size collapsed: the algebraic unknowns of the last
                            // accepted state may have drifted from their equations (Newton
                            // stops at a tolerance, and the error test covers only the
                            // differential unknowns). Put them back on the constraints with
                            // the damped Newton of the initialisation and restart the
                            // integrator there, a few times at most for one failure time.
                            let fresh = recovered_at.is_none_or(|tr| t_old > tr);
                            if fresh {
                                recoveries = 0;
                            }
                            let mut yr = bdf.y.clone();
                            if recoveries < 3 && bdf.consistent_init(&sys, &mut yr).is_ok() {
                                recoveries += 1;
                                recovered_at = Some(t_old);
                                let h0 = (1e-6 * t_old.abs().max(1.0)).min(1e-3);
                                bdf.restart(&sys, t_old, &yr, h0);
                                continue;
                            }
                            self.record_last(&mut sol, &sys, &bdf, k, cycle);
                            return Err(stopped(sol, &bdf, cycle, k, step, t_old, e.to_string()));
                        }
                    };
                    // events
                    let mut t_stop = None;
                    let mut t_stop_explicit = f64::INFINITY;
                    // one voltage evaluation serves every event of the step
                    let v_new = sys.model.voltage(&bdf.y);
                    for (e, ev) in events.iter().enumerate() {
                        let g_new = ev.eval_at(&sys, &bdf.y, v_new);
                        if (g_new.is_nan() || g_new <= 0.0) && gvals[e] > 0.0 {
                            let te =
                                root(&sys, ev, t_old, t_new, gvals[e], g_new, &mut yi, &|t, o| {
                                    interp(&bdf, t, o)
                                });
                            t_stop = Some(t_stop.map_or(te, |s: f64| s.min(te)));
                            if e < n_explicit {
                                t_stop_explicit = t_stop_explicit.min(te);
                            }
                        }
                        gvals[e] = g_new;
                    }
                    if let Some(ts) = t_stop {
                        // stopped by the set's cut-off alone (not also by a termination of
                        // the step at the same instant)
                        if t_stop_explicit > ts + 1e-9 * ts.abs().max(1.0) {
                            ended_early = true;
                        }
                    }
                    let t_last = t_stop.unwrap_or(t_new);
                    while next_out < npts {
                        let ts = t0 + next_out as f64 * dt_out;
                        if ts > t_last || (t_stop.is_some() && ts >= t_last) {
                            break;
                        }
                        interp(&bdf, ts, &mut yi);
                        self.record(&mut sol, &sys, ts, &yi, k, cycle);
                        next_out += 1;
                    }
                    if let Some(ts) = t_stop {
                        bdf.interpolate(ts, &mut yi);
                        y.copy_from_slice(&yi);
                        // put the interpolated state back on the algebraic constraints
                        if bdf.consistent_init(&sys, &mut y).is_err() {
                            y.copy_from_slice(&yi);
                        }
                        t = ts;
                        break;
                    }
                    if t_new >= t_end {
                        y.copy_from_slice(&bdf.y);
                        t = t_end;
                        if step.duration_s.is_none() && !step.terminations.is_empty() {
                            ended_early = true; // its terminations never came
                        }
                        break;
                    }
                }
                self.record(&mut sol, &sys, t, &y, k, cycle);
                solved_any = true;
                // capacity discharged in this cycle: the steps' net discharge
                discharged += (y[layout.q] - q0).max(0.0);
                k += 1;
                if ended_early {
                    break;
                }
            }
            if self.cycles > 1 && self.steps.len() > 1 && skipped_in_cycle == self.steps.len() {
                // PyBaMM: "All steps in the cycle ... are infeasible"
                if let Some(e) = first_skip.take() {
                    return Err(e);
                }
            }
            let li = self.model.lithium_in_particles(&y);
            let (lost_sei, lost_plating) = self.model.lithium_in_side_reactions(&y);
            sol.cycles.push(CycleSummary {
                cycle: cycle + 1,
                discharge_capacity_ah: discharged,
                loss_of_lithium_inventory_percent: (1.0 - li / li0) * 100.0,
                lithium_in_particles_mol: li,
                lithium_lost_to_sei_mol: lost_sei,
                lithium_lost_to_plating_mol: lost_plating,
                sei_thickness_m: self.model.sei_thickness(&y),
                modes: self.degradation.then(|| {
                    let lam = self.model.active_material_left(&y);
                    DegradationModes {
                        lam_negative_percent: (1.0 - lam[0]) * 100.0,
                        lam_positive_percent: (1.0 - lam[1]) * 100.0,
                        lithium_to_sei_mol: lost_sei / self.electrode_pairs,
                        lithium_to_sei_on_cracks_mol: self.model.lithium_to_sei_on_cracks(&y)
                            / self.electrode_pairs,
                        lithium_to_plating_mol: lost_plating / self.electrode_pairs,
                    }
                }),
            });
            if ended_early {
                break;
            }
        }
        if !solved_any {
            if let Some(e) = first_skip {
                return Err(e);
            }
        }
        sol.stats = bdf.stats.clone();
        Ok(sol)
    }

    fn record(
        &self,
        sol: &mut Solution,
        sys: &Sys<'_>,
        t: f64,
        y: &[f64],
        step: usize,
        cycle: usize,
    ) {
        let l = sys.layout;
        sol.time_s.push(t);
        sol.current_a.push(y[l.i]);
        sol.voltage_v.push(self.model.voltage(y));
        sol.discharge_capacity_ah.push(y[l.q]);
        if let (Some(ts), Some(ti)) = (sol.temperature_k.as_mut(), l.t) {
            ts.push(y[ti]);
        }
        sol.step_index.push(step);
        sol.cycle_index.push(cycle);
        super::variables::record(&mut sol.variables, &self.variables, self.model.as_ref(), y);
    }

    /// The mesh the model is discretised on (separator cells resolved).
    pub fn mesh(&self) -> &Mesh {
        &self.mesh
    }

    /// Whether the particles are PyBaMM's finite volumes (`mesh().r_n`, `r_p` shells) rather
    /// than the polynomial (`mesh().particle_nodes` nodes); see `models::particle_scheme`.
    pub fn finite_volume_particles(&self) -> bool {
        self.fv_particles
    }

    /// Whether the model's variable `name` is distributed (in x or r).
    pub fn variable_is_distributed(&self, name: &str) -> bool {
        self.model
            .variables(&self.model.initial_state())
            .iter()
            .any(|v| v.name == name && v.coord.is_some())
    }

    /// The names of the model's variables (besides the CSV's columns).
    pub fn variable_names(&self) -> Vec<&'static str> {
        super::variables::names(self.model.as_ref())
    }

    /// The variables each output point records.
    pub fn variables(&self) -> &[String] {
        &self.variables
    }

    /// Records the integrator's last accepted state, when it is later than the last row.
    fn record_last(&self, sol: &mut Solution, sys: &Sys<'_>, bdf: &Bdf, k: usize, cycle: usize) {
        if sol.time_s.last().is_none_or(|&last| bdf.t > last) {
            self.record(sol, sys, bdf.t, &bdf.y, k, cycle);
        }
    }

    /// The events ending a step: its own terminations first (their count is returned), then
    /// the set's voltage cut-offs widened by 1 V as PyBaMM's experiments do.
    fn events(&self, step: &Step, sys: &Sys<'_>, y: &[f64]) -> (Vec<Event>, usize) {
        let mut ev = Vec::new();
        let discharge = match sys.ctrl {
            Ctrl::Current(a) => Some(a > 0.0),
            Ctrl::Power(w) => Some(w > 0.0),
            Ctrl::Voltage(_) => None,
        };
        let rest = matches!(sys.ctrl, Ctrl::Current(a) if a == 0.0);
        for term in &step.terminations {
            match *term {
                Termination::Voltage(v) => match discharge {
                    Some(true) => ev.push(Event::VoltageBelow(v)),
                    Some(false) if !rest => ev.push(Event::VoltageAbove(v)),
                    _ => {
                        // rest or hold: the direction the voltage must travel
                        let v0 = sys.model.voltage(y);
                        if v0 > v {
                            ev.push(Event::VoltageBelow(v))
                        } else {
                            ev.push(Event::VoltageAbove(v))
                        }
                    }
                },
                Termination::Current(a) => ev.push(Event::CurrentBelow(a)),
                Termination::CRate(c) => ev.push(Event::CurrentBelow(c * self.capacity)),
                Termination::VoltageBelow(v) => ev.push(Event::VoltageBelow(v)),
                Termination::VoltageAbove(v) => ev.push(Event::VoltageAbove(v)),
                Termination::CurrentBelow(a) => ev.push(Event::SignedCurrentBelow(a)),
                Termination::CurrentAbove(a) => ev.push(Event::SignedCurrentAbove(a)),
            }
        }
        let n_explicit = ev.len();
        if !matches!(sys.ctrl, Ctrl::Voltage(_)) {
            // PyBaMM keeps the set's cut-offs in experiments as safeguards 1 V beyond the
            // limits (`update_voltage_safety_events`), so that they do not pre-empt the steps'
            // own voltage terminations
            ev.push(Event::VoltageBelow(self.v_min - 1.0));
            ev.push(Event::VoltageAbove(self.v_max + 1.0));
        }
        (ev, n_explicit)
    }
}

/// The error of a run that cannot continue: where it stopped (cycle, step, time) and the
/// solution up to there, ending with the last state the integrator accepted.
fn stopped(
    mut sol: Solution,
    bdf: &Bdf,
    cycle: usize,
    k: usize,
    step: &Step,
    time_s: f64,
    reason: String,
) -> SimError {
    sol.stats = bdf.stats.clone();
    SimError::Stopped(Box::new(Stopped {
        cycle: cycle + 1,
        step: k,
        text: step.text.clone(),
        time_s,
        reason,
        partial: sol,
    }))
}

/// A condition ending a step: it happens when `eval` falls to zero.
#[derive(Clone, Copy, Debug)]
enum Event {
    VoltageBelow(f64),
    VoltageAbove(f64),
    CurrentBelow(f64),
    /// PyBaMM's `until < X A` / `until > X A`: the signed current crosses X.
    SignedCurrentBelow(f64),
    SignedCurrentAbove(f64),
}

impl Event {
    fn eval(&self, sys: &Sys<'_>, y: &[f64]) -> f64 {
        match *self {
            Event::CurrentBelow(a) => y[sys.layout.i].abs() - a,
            Event::SignedCurrentBelow(a) => y[sys.layout.i] - a,
            Event::SignedCurrentAbove(a) => a - y[sys.layout.i],
            _ => self.eval_at(sys, y, sys.model.voltage(y)),
        }
    }

    /// The event function given the terminal voltage `volts` at `y`.
    fn eval_at(&self, sys: &Sys<'_>, y: &[f64], volts: f64) -> f64 {
        match *self {
            Event::VoltageBelow(v) => volts - v,
            Event::VoltageAbove(v) => v - volts,
            Event::CurrentBelow(a) => y[sys.layout.i].abs() - a,
            Event::SignedCurrentBelow(a) => y[sys.layout.i] - a,
            Event::SignedCurrentAbove(a) => a - y[sys.layout.i],
        }
    }

    fn describe(&self, sys: &Sys<'_>, y: &[f64]) -> String {
        match *self {
            Event::VoltageBelow(v) => format!(
                "the voltage {:.4} V is already at or below {v} V",
                sys.model.voltage(y)
            ),
            Event::VoltageAbove(v) => format!(
                "the voltage {:.4} V is already at or above {v} V",
                sys.model.voltage(y)
            ),
            Event::CurrentBelow(a) => format!(
                "the current {:.4} A is already at or below {a} A",
                y[sys.layout.i].abs()
            ),
            Event::SignedCurrentBelow(a) => format!(
                "the current {:.4} A is already at or below {a} A",
                y[sys.layout.i]
            ),
            Event::SignedCurrentAbove(a) => format!(
                "the current {:.4} A is already at or above {a} A",
                y[sys.layout.i]
            ),
        }
    }
}

/// Locates an event in (t0, t1] on the step's interpolant (Illinois method).
#[allow(clippy::too_many_arguments)]
fn root(
    sys: &Sys<'_>,
    ev: &Event,
    t0: f64,
    t1: f64,
    g0: f64,
    g1: f64,
    yi: &mut [f64],
    interpolate: &dyn Fn(f64, &mut [f64]),
) -> f64 {
    let (mut a, mut b, mut ga, mut gb) = (t0, t1, g0, g1);
    let mut side = 0;
    for _ in 0..100 {
        let m = if ga.is_finite() && gb.is_finite() && (ga - gb).abs() > 0.0 {
            b - gb * (b - a) / (gb - ga)
        } else {
            0.5 * (a + b)
        };
        let m = if m.is_finite() && m > a && m < b {
            m
        } else {
            0.5 * (a + b)
        };
        interpolate(m, yi);
        let gm = ev.eval(sys, yi);
        if gm > 0.0 {
            a = m;
            ga = gm;
            if side == -1 {
                gb *= 0.5;
            }
            side = -1;
        } else {
            b = m;
            gb = gm;
            if side == 1 {
                ga *= 0.5;
            }
            side = 1;
        }
        if (b - a) <= 1e-10 * t1.abs().max(1.0) || gm == 0.0 {
            break;
        }
    }
    b
}

/// The model plus the step's control, as the integrator's system.
struct Sys<'a> {
    model: &'a dyn Model,
    ctrl: Ctrl,
    layout: Layout,
    /// A drive cycle's profile and start time: the control's value follows it in time.
    drive: Option<(&'a Profile, f64)>,
    /// The time of the next `rhs` evaluations (`System::set_time`).
    time: Cell<f64>,
}

impl Sys<'_> {
    /// The control at the time set: the step's constant, or the drive cycle's value.
    fn control(&self) -> Ctrl {
        match self.drive {
            Some((p, t0)) => drive_ctrl(p.kind, p.value_at(self.time.get() - t0)),
            None => self.ctrl,
        }
    }
}

impl System for Sys<'_> {
    fn n_unknowns(&self) -> usize {
        self.model.n_unknowns()
    }

    fn mass(&self) -> &[f64] {
        self.model.mass()
    }

    fn rhs(&self, y: &[f64], out: &mut [f64]) {
        self.model.rhs(y, out);
        let i = y[self.layout.i];
        out[self.layout.q] = i / 3600.0;
        out[self.layout.i] = match self.control() {
            Ctrl::Current(a) => i - a,
            Ctrl::Voltage(v) => self.model.voltage(y) - v,
            Ctrl::Power(w) => i * self.model.voltage(y) - w,
        };
    }

    fn structure(&self) -> (usize, usize, usize) {
        self.model.structure()
    }

    fn border_columns(&self) -> Vec<usize> {
        self.model.border_columns()
    }

    fn sparsity(&self) -> Option<Vec<Vec<usize>>> {
        self.model.sparsity()
    }

    fn condensation(&self) -> Option<Condensation> {
        self.model.condensation()
    }

    fn atol_scales(&self) -> Option<Vec<f64>> {
        self.model.atol_scales()
    }

    fn error_weights(&self) -> Vec<f64> {
        let mut w = self.model.mass().to_vec();
        w[self.layout.i] = 1.0;
        w
    }

    fn exact_rows(&self) -> Vec<usize> {
        let mut rows = self.model.exact_rows();
        if self.model.has_voltage_gradient() {
            rows.push(self.layout.i);
        }
        rows
    }

    fn set_time(&self, t: f64) {
        self.time.set(t);
    }

    fn exact_columns(&self) -> Vec<usize> {
        self.model.exact_columns()
    }

    fn column_jacobian(&self, y: &[f64], set: &mut dyn FnMut(usize, usize, f64)) {
        self.model.column_jacobian(y, set)
    }

    fn row_jacobian(&self, row: usize, y: &[f64], grad: &mut [f64]) -> bool {
        let i = self.layout.i;
        if row != i {
            return self.model.row_gradient(row, y, grad);
        }
        match self.ctrl {
            Ctrl::Current(_) => {
                grad.iter_mut().for_each(|g| *g = 0.0);
                grad[i] = 1.0;
                true
            }
            Ctrl::Voltage(_) => self.model.voltage_gradient(y, grad),
            Ctrl::Power(_) => {
                if !self.model.voltage_gradient(y, grad) {
                    return false;
                }
                // d(I V)/dy = I dV/dy + V e_I
                let (cur, v) = (y[i], self.model.voltage(y));
                grad.iter_mut().for_each(|g| *g *= cur);
                grad[i] += v;
                true
            }
        }
    }
}
