//! Time integration of the semi-explicit index-1 DAE `M y' = f(y)` (M diagonal, 1 or 0):
//! variable-order (1–5), variable-step BDF in the fixed-leading-coefficient NDF form, with a
//! finite-difference banded Jacobian reused across steps and a dense-output polynomial for
//! output sampling and root finding of events.

#![allow(clippy::needless_range_loop)]

pub mod linalg;
pub mod sparse;

use linalg::{BorderedBand, Condensed};
use sparse::{Jac, SparseJac, SPARSE_JACOBIAN_MIN_BAND_ENTRIES};

/// Local tridiagonal blocks (start, length, macro unknowns they couple to) and a bound on the
/// band of the reduced system left after eliminating them.
pub type Condensation = (Vec<(usize, usize, Vec<usize>)>, usize);

/// A discretised model as the integrator sees it.
pub trait System {
    /// Number of unknowns.
    fn n_unknowns(&self) -> usize;
    /// 1.0 for differential unknowns, 0.0 for algebraic ones.
    fn mass(&self) -> &[f64];
    /// Right-hand side (differential rows) and residuals (algebraic rows).
    fn rhs(&self, y: &[f64], out: &mut [f64]);
    /// (sub-diagonals, super-diagonals, border) of the Jacobian: the last `border` unknowns
    /// and equations couple to everything.
    fn structure(&self) -> (usize, usize, usize);
    /// Columns whose effect on the border rows must be exact in the Jacobian.
    fn border_columns(&self) -> Vec<usize>;
    /// For each unknown, the equations it enters (the rows of its Jacobian column), when the
    /// model knows them; columns are then grouped by colouring for the finite differences.
    /// Rows left out of a column's list are taken as zero unless the column is perturbed alone.
    fn sparsity(&self) -> Option<Vec<Vec<usize>>> {
        None
    }
    /// Independent tridiagonal local blocks (start, length, macro unknowns they couple to)
    /// and the band of the reduced system, for static condensation in the linear solves.
    fn condensation(&self) -> Option<Condensation> {
        None
    }
    /// 1.0 for the unknowns whose local error the step-size control bounds: the
    /// differential ones, and algebraic ones the outputs depend on (the current, whose
    /// decay ends a CV hold).
    fn error_weights(&self) -> Vec<f64> {
        self.mass().to_vec()
    }
    /// Rows whose Jacobian `row_jacobian` computes exactly: they are left out of the
    /// colouring of the finite differences (a dense row would otherwise force every column
    /// it touches into a group of its own).
    fn exact_rows(&self) -> Vec<usize> {
        Vec::new()
    }
    /// Writes row `row` of the Jacobian at `y` (over all unknowns) into `grad`; false when
    /// it cannot, and the finite differences then fill it alone.
    fn row_jacobian(&self, _row: usize, _y: &[f64], _grad: &mut [f64]) -> bool {
        false
    }
    /// Columns whose Jacobian `column_jacobian` writes exactly, every entry of their
    /// sparsity pattern: with a pattern they are left out of the finite differences (the
    /// DFN's interior particle shells, whose colours would each cost a residual).
    fn exact_columns(&self) -> Vec<usize> {
        Vec::new()
    }
    /// Writes every entry of the `exact_columns` at `y` by `set(row, column, value)`.
    fn column_jacobian(&self, _y: &[f64], _set: &mut dyn FnMut(usize, usize, f64)) {}
    /// Each unknown's scale (PyBaMM's variable `scale`): its absolute tolerance is `atol`
    /// times it. `None`: `atol` for every unknown.
    fn atol_scales(&self) -> Option<Vec<f64>> {
        None
    }
    /// The time of the `rhs` evaluations that follow (a time-dependent control, e.g. a drive
    /// cycle, reads it); the integrator sets each step's target time before solving it.
    fn set_time(&self, _t: f64) {}
}

/// Counters of the work done.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SolverStats {
    pub steps: usize,
    pub rejected_steps: usize,
    pub residual_evaluations: usize,
    pub jacobian_evaluations: usize,
    pub factorisations: usize,
}

/// Why the integrator failed.
#[derive(Clone, Debug, PartialEq)]
pub enum StepFailure {
    StepTooSmall,
    Singular,
    NotFinite,
}

impl std::fmt::Display for StepFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StepFailure::StepTooSmall => write!(f, "time step became too small (Newton iterations did not converge or errors too large)"),
            StepFailure::Singular => write!(f, "singular Jacobian"),
            StepFailure::NotFinite => write!(f, "the model produced non-finite values"),
        }
    }
}

const MAX_ORDER: usize = 5;
/// Relative increment of the finite-difference Jacobian. The solid-potential rows of the DFN
/// are a large Ohmic part (sigma / dx^2, cancelling in a uniform shift of the potential) plus
/// a small kinetic part that alone fixes the potential level; with increments of 1e-7 the
/// round-off of the Ohmic part swamps the kinetic part and Newton stalls (DFN Mohtat2020 1C
/// charge at 40 points per domain). 1e-5 keeps the truncation error of the kinetics ~1e-3.
const FD_REL_INCREMENT: f64 = 1e-5;
const NEWTON_MAXITER: usize = 4;
/// Ratios of c = h / alpha to the factorised one within which a step reuses the factorisation
/// of M - cJ, its Newton increments rescaled as IDA's. A step-size or order change used to
/// refactorise every time: a third of the steps of the DFN OKane2022 cycles did. IDA's own
/// window, [0.6, 1.67], refactorises a fifth as often but rejects 4× as many steps (the
/// slower Newton iterations blur the error estimate); [0.8, 1.25] keeps the rejections where
/// they were and the same saving (DFN OKane2022 5 cycles, `examples/solver_profile.rs`:
/// factorisations 1 987 → 664, Jacobians 285 → 167, CPU −25 %).
const LU_REUSE_WINDOW: (f64, f64) = (0.8, 1.25);
const KAPPA: [f64; 6] = [0.0, -0.1850, -1.0 / 9.0, -0.0823, -0.0415, 0.0];

fn gamma(k: usize) -> f64 {
    (1..=k).map(|j| 1.0 / j as f64).sum()
}

fn alpha(k: usize) -> f64 {
    (1.0 - KAPPA[k]) * gamma(k)
}

fn error_const(k: usize) -> f64 {
    KAPPA[k] * gamma(k) + 1.0 / (k as f64 + 1.0)
}

/// Integrator state.
pub struct Bdf {
    pub t: f64,
    pub y: Vec<f64>,
    pub rtol: f64,
    pub atol: f64,
    pub max_step: f64,
    /// Absolute tolerance of each unknown (`atol` times `System::atol_scales`).
    atols: Vec<f64>,
    n: usize,
    d: Vec<Vec<f64>>,
    order: usize,
    h_abs: f64,
    n_equal_steps: usize,
    jac: Jac,
    lu: BorderedBand,
    lu_c: f64,
    lu_valid: bool,
    jac_current: bool,
    jac_valid: bool,
    pending_adapt: Option<(f64, f64)>, // (safety, error_norm)
    last_h: f64,
    last_order: usize,
    // work
    f: Vec<f64>,
    f0: Vec<f64>,
    dy: Vec<f64>,
    dd: Vec<f64>,
    ypred: Vec<f64>,
    psi: Vec<f64>,
    scale: Vec<f64>,
    ytmp: Vec<f64>,
    groups: Vec<Vec<usize>>,
    pattern: Option<Vec<Vec<usize>>>,
    /// Rows the system differentiates itself (see `System::exact_rows`), with a gradient buffer.
    exact_rows: Vec<usize>,
    grad: Vec<f64>,
    /// Whether the system writes some columns itself (`System::exact_columns`).
    exact_columns: bool,
    /// Row scalings and diagonal shifts of the matrices factorised (see `Condensed::factor`).
    alpha: Vec<f64>,
    beta: Vec<f64>,
    /// `System::error_weights`.
    err_w: Vec<f64>,
    cond: Option<Condensed>,
    /// Magnitude below which an unknown's finite-difference perturbation stops shrinking.
    typ: Vec<f64>,
    dscratch: Vec<Vec<f64>>,
    /// Newton contraction estimate rate / (1 - rate), reset with each factorisation.
    ss: f64,
    hs: Vec<f64>,
    pub stats: SolverStats,
}

impl Bdf {
    /// A new integrator for `sys` starting at (t0, y0) (y0 must be consistent).
    pub fn new<S: System>(sys: &S, t0: f64, y0: &[f64], rtol: f64, atol: f64) -> Bdf {
        let n = sys.n_unknowns();
        let (kl, ku, k) = sys.structure();
        let nb = n - k;
        let pattern = sys.sparsity();
        let condensation = sys.condensation();
        // a wide band (the DFN with hundreds of shells per particle) is stored on the pattern
        let (kl, ku) = (kl.min(nb.saturating_sub(1)), ku.min(nb.saturating_sub(1)));
        let sparse = match (&pattern, &condensation) {
            (Some(p), Some(_)) if nb * (2 * kl + ku + 1) > SPARSE_JACOBIAN_MIN_BAND_ENTRIES => {
                SparseJac::new(nb, k, p)
            }
            _ => None,
        };
        let jac = match sparse {
            Some(s) => Jac::Sparse(s),
            None => Jac::Band(BorderedBand::new(nb, k, kl, ku)),
        };
        // the condensed solver reads M - cJ from `jac` directly; `lu` is only for the plain path
        let lu = match &jac {
            Jac::Band(b) if condensation.is_none() => b.clone(),
            _ => BorderedBand::new(0, 0, 0, 0),
        };
        // column groups for the finite-difference Jacobian
        let special: std::collections::BTreeSet<usize> = sys.border_columns().into_iter().collect();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let w = (kl + ku + 1).max(1);
        let dense = nb <= 150;
        let exact_rows = sys.exact_rows();
        let mut exact_cols = vec![false; n];
        if pattern.is_some() {
            sys.exact_columns()
                .into_iter()
                .for_each(|j| exact_cols[j] = true);
        }
        if let Some(pat) = &pattern {
            // greedy colouring: columns sharing a row get different colours
            let mut used: Vec<Vec<bool>> = Vec::new();
            let mut colour_cols: Vec<Vec<usize>> = Vec::new();
            for (j, rows) in pat.iter().enumerate() {
                if exact_cols[j] {
                    continue;
                }
                if rows.is_empty() || j >= nb {
                    groups.push(vec![j]);
                    continue;
                }
                // exact rows are filled separately: they do not separate columns
                let rows: Vec<usize> = rows
                    .iter()
                    .copied()
                    .filter(|r| !exact_rows.contains(r))
                    .collect();
                let c = (0..used.len()).find(|&c| rows.iter().all(|&r| !used[c][r]));
                let c = match c {
                    Some(c) => c,
                    None => {
                        used.push(vec![false; n]);
                        colour_cols.push(Vec::new());
                        used.len() - 1
                    }
                };
                for &r in &rows {
                    used[c][r] = true;
                }
                colour_cols[c].push(j);
            }
            groups.extend(colour_cols);
        } else if dense {
            for j in 0..n {
                groups.push(vec![j]);
            }
        } else {
            let mut g: Vec<Vec<usize>> = vec![Vec::new(); w];
            for j in 0..nb {
                if special.contains(&j) {
                    groups.push(vec![j]);
                } else {
                    g[j % w].push(j);
                }
            }
            groups.extend(g.into_iter().filter(|v| !v.is_empty()));
            for j in nb..n {
                groups.push(vec![j]);
            }
        }
        let cond =
            condensation.map(|(g, bw)| Condensed::new(n, k, &g, bw, pattern.as_deref(), &jac));
        let mut b = Bdf {
            t: t0,
            y: y0.to_vec(),
            rtol,
            atol,
            max_step: f64::INFINITY,
            atols: match sys.atol_scales() {
                Some(s) => s.iter().map(|v| atol * v).collect(),
                None => vec![atol; n],
            },
            n,
            d: vec![vec![0.0; n]; MAX_ORDER + 3],
            order: 1,
            h_abs: 0.0,
            n_equal_steps: 0,
            jac,
            lu,
            lu_c: 0.0,
            lu_valid: false,
            jac_current: false,
            jac_valid: false,
            pending_adapt: None,
            last_h: 0.0,
            last_order: 1,
            f: vec![0.0; n],
            f0: vec![0.0; n],
            dy: vec![0.0; n],
            dd: vec![0.0; n],
            ypred: vec![0.0; n],
            psi: vec![0.0; n],
            scale: vec![0.0; n],
            ytmp: vec![0.0; n],
            groups,
            pattern,
            grad: if exact_rows.is_empty() {
                Vec::new()
            } else {
                vec![0.0; n]
            },
            exact_rows,
            exact_columns: exact_cols.contains(&true),
            alpha: vec![0.0; n],
            beta: vec![0.0; n],
            err_w: sys.error_weights(),
            cond,
            // unknowns that pass through zero (potentials near the reference electrode, the
            // capacity) keep a finite-difference increment of at least 1e-7 in their units:
            // an increment scaled by a near-zero value drowns the difference in round-off
            typ: y0.iter().map(|v| (1e-3 * v.abs()).max(1e-2)).collect(),
            dscratch: Vec::new(),
            ss: 20.0,
            hs: Vec::new(),
            stats: SolverStats::default(),
        };
        b.restart(sys, t0, y0, 1e-3);
        b
    }

    /// Restarts at (t0, y0) — a consistent state — with first step `h0`, keeping the Jacobian.
    pub fn restart<S: System>(&mut self, sys: &S, t0: f64, y0: &[f64], h0: f64) {
        self.t = t0;
        self.y.copy_from_slice(y0);
        sys.rhs(y0, &mut self.f);
        self.stats.residual_evaluations += 1;
        let mass = sys.mass();
        for row in self.d.iter_mut() {
            row.iter_mut().for_each(|v| *v = 0.0);
        }
        self.d[0].copy_from_slice(y0);
        for i in 0..self.n {
            self.d[1][i] = h0 * self.f[i] * mass[i];
        }
        self.order = 1;
        self.h_abs = h0;
        self.n_equal_steps = 0;
        self.lu_valid = false;
        self.jac_current = false;
        self.pending_adapt = None;
    }

    fn change_d(&mut self, factor: f64) {
        let order = self.order;
        let r = compute_r(order, factor);
        let u = compute_r(order, 1.0);
        // RU = R U; D[:order+1] = RU^T D[:order+1]
        let m = order + 1;
        let mut ru = [0.0; (MAX_ORDER + 1) * (MAX_ORDER + 1)];
        for i in 0..m {
            for j in 0..m {
                let mut s = 0.0;
                for l in 0..m {
                    s += r[i * m + l] * u[l * m + j];
                }
                ru[i * m + j] = s;
            }
        }
        let mut newd = std::mem::take(&mut self.dscratch);
        // grown, never shrunk: the spare rows stay allocated for the next change
        if newd.len() < m {
            newd.resize_with(m, Vec::new);
        }
        for (j, nd) in newd.iter_mut().enumerate().take(m) {
            nd.clear();
            nd.resize(self.n, 0.0);
            for i in 0..m {
                let c = ru[i * m + j];
                if c != 0.0 {
                    for (v, &x) in nd.iter_mut().zip(&self.d[i]) {
                        *v += c * x;
                    }
                }
            }
        }
        for j in 0..m {
            std::mem::swap(&mut self.d[j], &mut newd[j]);
        }
        self.dscratch = newd;
        // the factorisation stays while c = h / alpha stays within `LU_REUSE_WINDOW` of its
        // own (see `step`)
    }

    /// Weighted RMS norm (`scale` holds the reciprocal weights).
    fn norm(&self, v: &[f64]) -> f64 {
        let s: f64 = v
            .iter()
            .zip(&self.scale)
            .map(|(a, w)| (a * w) * (a * w))
            .sum();
        (s / v.len() as f64).sqrt()
    }

    fn compute_jacobian<S: System>(&mut self, sys: &S, y: &[f64]) {
        self.stats.jacobian_evaluations += 1;
        sys.rhs(y, &mut self.f0);
        self.stats.residual_evaluations += 1;
        // with a sparsity pattern every stored entry is rewritten below (zeros included), so
        // the (large) band need not be cleared
        if self.pattern.is_none() || !self.jac_valid {
            self.jac.clear();
        }
        self.ytmp.copy_from_slice(y);
        let groups = std::mem::take(&mut self.groups);
        let mut hs = std::mem::take(&mut self.hs);
        hs.resize(self.n, 0.0);
        for g in &groups {
            for &j in g {
                let h = FD_REL_INCREMENT * y[j].abs().max(self.typ[j]);
                hs[j] = h;
                self.ytmp[j] = y[j] + h;
            }
            sys.rhs(&self.ytmp, &mut self.f);
            self.stats.residual_evaluations += 1;
            for &j in g {
                self.ytmp[j] = y[j];
            }
            let single = g.len() == 1;
            for &j in g {
                let h = hs[j];
                let nb = self.jac.n();
                if single {
                    for i in 0..self.n {
                        if self.jac.in_pattern(i, j) {
                            let v = (self.f[i] - self.f0[i]) / h;
                            self.jac.set(i, j, v);
                        }
                    }
                } else if let Some(pat) = &self.pattern {
                    for &i in &pat[j] {
                        let v = (self.f[i] - self.f0[i]) / h;
                        self.jac.set(i, j, v);
                    }
                } else if let Jac::Band(b) = &mut self.jac {
                    let lo = j.saturating_sub(b.ku);
                    let hi = (j + b.kl).min(nb - 1);
                    for i in lo..=hi {
                        let v = (self.f[i] - self.f0[i]) / h;
                        if v != 0.0 {
                            b.set(i, j, v);
                        }
                    }
                }
            }
        }
        self.groups = groups;
        self.hs = hs;
        if self.exact_columns {
            let jac = &mut self.jac;
            sys.column_jacobian(y, &mut |i, j, v| jac.set(i, j, v));
        }
        // rows differentiated by the system: overwrite what the grouped differences wrote
        if !self.exact_rows.is_empty() {
            let mut grad = std::mem::take(&mut self.grad);
            for r in self.exact_rows.clone() {
                if sys.row_jacobian(r, y, &mut grad) {
                    for (j, &g) in grad.iter().enumerate() {
                        if self.jac.in_pattern(r, j) {
                            self.jac.set(r, j, g);
                        }
                    }
                } else {
                    // not available here: differences of each column the row touches
                    self.fd_row(sys, r, y, &mut grad);
                }
            }
            self.grad = grad;
        }
        self.jac_valid = true;
        self.jac_current = true;
        self.lu_valid = false;
    }

    /// Row `r` of the Jacobian by perturbing each column its pattern lists, one at a time.
    fn fd_row<S: System>(&mut self, sys: &S, r: usize, y: &[f64], scratch: &mut [f64]) {
        let cols: Vec<usize> = match &self.pattern {
            Some(p) => (0..self.n).filter(|&j| p[j].contains(&r)).collect(),
            None => (0..self.n).collect(),
        };
        self.ytmp.copy_from_slice(y);
        for j in cols {
            let h = FD_REL_INCREMENT * y[j].abs().max(self.typ[j]);
            self.ytmp[j] = y[j] + h;
            sys.rhs(&self.ytmp, scratch);
            self.stats.residual_evaluations += 1;
            self.ytmp[j] = y[j];
            self.jac.set(r, j, (scratch[r] - self.f0[r]) / h);
        }
    }

    fn lin_solve(&mut self, x: &mut [f64]) {
        match &mut self.cond {
            Some(c) => c.solve(x),
            None => self.lu.solve(x),
        }
    }

    fn form_lu(&mut self, mass: &[f64], c: f64) -> Result<(), StepFailure> {
        self.stats.factorisations += 1;
        self.ss = 20.0;
        if let Some(cond) = &mut self.cond {
            // M - cJ straight from the Jacobian
            self.alpha.iter_mut().for_each(|a| *a = -c);
            let ok = cond.factor(&self.jac, &self.alpha, mass);
            if !ok {
                return Err(StepFailure::Singular);
            }
            self.lu_c = c;
            self.lu_valid = true;
            return Ok(());
        }
        // (the pattern's storage comes with condensation only)
        let Jac::Band(jac) = &self.jac else {
            return Err(StepFailure::Singular);
        };
        self.lu.assign_scaled(jac, -c);
        for (i, &m) in mass.iter().enumerate() {
            if m != 0.0 {
                self.lu.add_diag(i, m);
            }
        }
        if !self.lu.factor() {
            return Err(StepFailure::Singular);
        }
        self.lu_c = c;
        self.lu_valid = true;
        Ok(())
    }

    /// The last step's interpolant at `t` is d[0] + sum_j coef[j] d[j + 1] over its order.
    fn interpolation_coefficients(&self, t: f64) -> [f64; MAX_ORDER + 1] {
        let h = self.last_h;
        let mut coef = [0.0; MAX_ORDER + 1];
        let mut p = 1.0;
        for j in 0..self.last_order {
            let t_shift = self.t - h * j as f64;
            p *= (t - t_shift) / (h * (1 + j) as f64);
            coef[j] = p;
        }
        coef
    }

    /// Interpolates the solution of the last step at `t` (between the previous and current time).
    pub fn interpolate(&self, t: f64, out: &mut [f64]) {
        let coef = self.interpolation_coefficients(t);
        out.copy_from_slice(&self.d[0]);
        for (dj, &p) in self.d[1..=self.last_order].iter().zip(&coef) {
            for (o, &v) in out.iter_mut().zip(dj) {
                *o += v * p;
            }
        }
    }

    /// `interpolate` for the unknowns `idx` alone (the others of `out` are left as they are).
    pub fn interpolate_at(&self, t: f64, idx: &[usize], out: &mut [f64]) {
        let order = self.last_order;
        let coef = self.interpolation_coefficients(t);
        for &i in idx {
            let mut v = self.d[0][i];
            for j in 0..order {
                v += self.d[j + 1][i] * coef[j];
            }
            out[i] = v;
        }
    }

    /// Takes one step, not beyond `t_bound`. Returns the new time.
    pub fn step<S: System>(&mut self, sys: &S, t_bound: f64) -> Result<f64, StepFailure> {
        let mass = sys.mass();
        if let Some((safety, error_norm)) = self.pending_adapt.take() {
            self.adapt_order(safety, error_norm);
        }
        let t = self.t;
        let min_step = 10.0 * f64::EPSILON * t.abs().max(1.0);
        if self.h_abs > self.max_step {
            let f = self.max_step / self.h_abs;
            self.h_abs = self.max_step;
            self.change_d(f);
            self.n_equal_steps = 0;
        }
        let n = self.n;
        // IDA-like: the error test, not Newton, governs accuracy
        let newton_tol = 0.33;
        loop {
            if self.h_abs < min_step {
                return Err(StepFailure::StepTooSmall);
            }
            let mut t_new = t + self.h_abs;
            if t_new >= t_bound {
                let f = (t_bound - t) / self.h_abs;
                t_new = t_bound;
                self.change_d(f);
                self.n_equal_steps = 0;
            }
            let h = t_new - t;
            self.h_abs = h;
            sys.set_time(t_new);
            let order = self.order;
            self.ypred.copy_from_slice(&self.d[0]);
            for row in &self.d[1..=order] {
                for (p, v) in self.ypred.iter_mut().zip(row) {
                    *p += v;
                }
            }
            let rtol = self.rtol;
            for ((w, y), a) in self.scale.iter_mut().zip(&self.ypred).zip(&self.atols) {
                *w = 1.0 / (a + rtol * y.abs());
            }
            let a = alpha(order);
            self.psi.iter_mut().for_each(|v| *v = 0.0);
            for j in 1..=order {
                let g = gamma(j) / a;
                for (p, v) in self.psi.iter_mut().zip(&self.d[j]) {
                    *p += v * g;
                }
            }
            let c = h / a;
            if !self.jac_valid {
                let yp = std::mem::take(&mut self.ypred);
                self.compute_jacobian(sys, &yp);
                self.ypred = yp;
            }
            let mut converged = false;
            let mut n_iter = NEWTON_MAXITER;
            loop {
                // reuse the factorisation while c stays within `LU_REUSE_WINDOW` of the one
                // factorised (the Newton increment is rescaled as in IDA); otherwise
                // refactorise
                let ratio = c / self.lu_c;
                let (lo, hi) = LU_REUSE_WINDOW;
                let stale = !self.lu_valid || !(lo..=hi).contains(&ratio);
                if stale && self.form_lu(mass, c).is_err() {
                    // singular: refresh the Jacobian once, then shrink the step. A current
                    // Jacobian that is singular was evaluated at this prediction, which may
                    // lie where the residual is not finite (a long step's extrapolation):
                    // the shorter step re-evaluates it at its own prediction, as reusing it
                    // would fail every step down to the minimum
                    if self.jac_current {
                        self.jac_valid = false;
                        break;
                    }
                    let yp = std::mem::take(&mut self.ypred);
                    self.compute_jacobian(sys, &yp);
                    self.ypred = yp;
                    continue;
                }
                let (conv, it) = self.newton(sys, c, newton_tol);
                n_iter = it;
                if conv {
                    converged = true;
                    break;
                }
                if self.jac_current {
                    break;
                }
                let yp = std::mem::take(&mut self.ypred);
                self.compute_jacobian(sys, &yp);
                self.ypred = yp;
            }
            if !converged {
                self.stats.rejected_steps += 1;
                self.h_abs *= 0.5;
                self.change_d(0.5);
                self.n_equal_steps = 0;
                continue;
            }
            let safety =
                0.9 * (2 * NEWTON_MAXITER + 1) as f64 / (2 * NEWTON_MAXITER + n_iter) as f64;
            let rtol = self.rtol;
            for ((w, y), a) in self.scale.iter_mut().zip(&self.ytmp).zip(&self.atols) {
                *w = 1.0 / (a + rtol * y.abs());
            }
            let ec = error_const(order);
            let mut acc = 0.0;
            for ((d, m), w) in self.dd.iter().zip(&self.err_w).zip(&self.scale) {
                let e = ec * d * m * w;
                acc += e * e;
            }
            let error_norm = (acc / n as f64).sqrt();
            if error_norm.is_nan() || error_norm > 1.0 {
                self.stats.rejected_steps += 1;
                let factor = (safety * error_norm.powf(-1.0 / (order as f64 + 1.0))).max(0.2);
                self.h_abs *= factor;
                self.change_d(factor);
                self.n_equal_steps = 0;
                continue;
            }
            // accepted
            self.stats.steps += 1;
            self.n_equal_steps += 1;
            self.t = t_new;
            self.y.copy_from_slice(&self.ytmp);
            self.jac_current = false;
            let d = std::mem::take(&mut self.dd);
            for i in 0..n {
                self.d[order + 2][i] = d[i] - self.d[order + 1][i];
                self.d[order + 1][i] = d[i];
            }
            self.dd = d;
            for k in (0..=order).rev() {
                let (lo, hi) = self.d.split_at_mut(k + 1);
                for (a, b) in lo[k].iter_mut().zip(&hi[0]) {
                    *a += b;
                }
            }
            self.last_h = h;
            self.last_order = order;
            if self.n_equal_steps > order {
                self.pending_adapt = Some((safety, error_norm));
            }
            return Ok(t_new);
        }
    }

    fn adapt_order(&mut self, safety: f64, error_norm: f64) {
        let order = self.order;
        let mass_err = |b: &Bdf, k: usize, row: usize| -> f64 {
            let ec = error_const(k);
            ec.abs() * b.norm(&b.d[row])
        };
        let e_m = if order > 1 {
            mass_err(self, order - 1, order)
        } else {
            f64::INFINITY
        };
        let e_p = if order < MAX_ORDER {
            mass_err(self, order + 1, order + 2)
        } else {
            f64::INFINITY
        };
        let norms = [e_m, error_norm, e_p];
        let mut best = 0;
        let mut best_f = 0.0;
        for (i, e) in norms.iter().enumerate() {
            let f = if *e == 0.0 {
                f64::INFINITY
            } else {
                e.powf(-1.0 / (order + i) as f64)
            };
            if f > best_f {
                best_f = f;
                best = i;
            }
        }
        let new_order = (order + best).saturating_sub(1).clamp(1, MAX_ORDER);
        self.order = new_order;
        let factor = (safety * best_f).min(10.0);
        self.h_abs *= factor;
        self.change_d(factor);
        self.n_equal_steps = 0;
    }

    fn newton<S: System>(&mut self, sys: &S, c: f64, tol: f64) -> (bool, usize) {
        let mass = sys.mass();
        self.dd.iter_mut().for_each(|v| *v = 0.0);
        self.ytmp.copy_from_slice(&self.ypred);
        let mut dy_norm_old: Option<f64> = None;
        for k in 0..NEWTON_MAXITER {
            sys.rhs(&self.ytmp, &mut self.f);
            self.stats.residual_evaluations += 1;
            if !self.f.iter().all(|v| v.is_finite()) {
                return (false, k + 1);
            }
            for ((((dy, f), m), p), d) in self
                .dy
                .iter_mut()
                .zip(&self.f)
                .zip(mass)
                .zip(&self.psi)
                .zip(&self.dd)
            {
                *dy = c * f - m * (p + d);
            }
            let mut dy = std::mem::take(&mut self.dy);
            self.lin_solve(&mut dy);
            if self.lu_c != c {
                let scale = 2.0 * self.lu_c / (c + self.lu_c);
                // differential rows scale with c; algebraic rows are unaffected by c in M - cJ
                dy.iter_mut().for_each(|v| *v *= scale);
            }
            let dy_norm = self.norm(&dy);
            if !dy_norm.is_finite() {
                self.dy = dy;
                return (false, k + 1);
            }
            let rate = dy_norm_old.map(|o| dy_norm / o);
            if let Some(r) = rate {
                if r >= 1.0 || r.powi((NEWTON_MAXITER - k) as i32) / (1.0 - r) * dy_norm > tol {
                    self.dy = dy;
                    return (false, k + 1);
                }
            }
            for ((y, d), v) in self.ytmp.iter_mut().zip(self.dd.iter_mut()).zip(&dy) {
                *y += v;
                *d += v;
            }
            self.dy = dy;
            // IDA's test: the contraction factor carries over from earlier steps while the
            // factorisation is reused, so a good prediction converges in one iteration
            if let Some(r) = rate {
                self.ss = r / (1.0 - r);
            }
            if dy_norm == 0.0 || self.ss * dy_norm < tol {
                return (true, k + 1);
            }
            dy_norm_old = Some(dy_norm);
        }
        (false, NEWTON_MAXITER)
    }

    /// Current Jacobian validity (for re-use across restarts).
    pub fn invalidate_jacobian(&mut self) {
        self.jac_valid = false;
        self.lu_valid = false;
    }

    /// Solves the algebraic equations for the algebraic unknowns of `y` (differential ones held),
    /// by damped Newton iterations with a freshly computed Jacobian.
    pub fn consistent_init<S: System>(
        &mut self,
        sys: &S,
        y: &mut [f64],
    ) -> Result<(), StepFailure> {
        // the natural-monotonicity iteration converges in fewer residuals; the residual-norm
        // line search is the fallback for the hard starts where it fails (e.g. a CV hold on
        // a depleted electrolyte)
        let mut trial = y.to_vec();
        match self.consistent_init_with(sys, &mut trial, true) {
            Ok(()) => {
                y.copy_from_slice(&trial);
                Ok(())
            }
            Err(_) => self.consistent_init_with(sys, y, false),
        }
    }

    fn consistent_init_with<S: System>(
        &mut self,
        sys: &S,
        y: &mut [f64],
        natural: bool,
    ) -> Result<(), StepFailure> {
        let mass = sys.mass().to_vec();
        let n = self.n;
        let res_norm = |f: &[f64]| -> f64 {
            let mut r = 0.0f64;
            for i in 0..n {
                if mass[i] == 0.0 {
                    r += f[i] * f[i];
                }
            }
            r.sqrt()
        };
        sys.rhs(y, &mut self.f);
        self.stats.residual_evaluations += 1;
        let mut r0 = res_norm(&self.f);
        if !r0.is_finite() {
            return Err(StepFailure::NotFinite);
        }
        let mut trial = vec![0.0; n];
        for iter in 0..50 {
            if iter % 3 == 0 {
                self.compute_jacobian(sys, y);
                self.stats.factorisations += 1;
                // algebraic rows of J; differential rows of the identity (held unknowns)
                let ok = if let Some(cond) = &mut self.cond {
                    for i in 0..n {
                        let alg = mass[i] == 0.0;
                        self.alpha[i] = if alg { 1.0 } else { 0.0 };
                        self.beta[i] = if alg { 0.0 } else { 1.0 };
                    }
                    cond.factor(&self.jac, &self.alpha, &self.beta)
                } else if let Jac::Band(jac) = &self.jac {
                    self.lu.assign_scaled(jac, 1.0);
                    for i in 0..n {
                        if mass[i] != 0.0 {
                            self.lu.zero_row(i);
                            self.lu.set(i, i, 1.0);
                        }
                    }
                    self.lu.factor()
                } else {
                    false
                };
                if !ok {
                    return Err(StepFailure::Singular);
                }
                self.lu_valid = false;
            }
            for i in 0..n {
                self.dy[i] = if mass[i] != 0.0 { 0.0 } else { -self.f[i] };
            }
            let mut dy = std::mem::take(&mut self.dy);
            self.lin_solve(&mut dy);
            let mut big = 0.0f64;
            for i in 0..n {
                if mass[i] == 0.0 {
                    big = big.max(dy[i].abs() / (self.atols[i] + self.rtol * y[i].abs()));
                }
            }
            // Backtracking on Deuflhard's natural monotonicity test: the simplified Newton
            // correction at the trial point (same factorisation) must shrink. Unlike the
            // residual norm it does not depend on the rows' scaling, and it accepts the full
            // steps that overshoot on the exponential kinetics and then converge.
            let mut lambda = 1.0;
            let mut accepted = false;
            let mut dyt = std::mem::take(&mut self.ypred);
            for _ in 0..30 {
                for i in 0..n {
                    trial[i] = y[i] + lambda * dy[i];
                }
                sys.rhs(&trial, &mut self.f);
                self.stats.residual_evaluations += 1;
                if !natural {
                    let r = res_norm(&self.f);
                    if r.is_finite() && (r < r0 || r == 0.0 || lambda * big < 1e-3) {
                        y.copy_from_slice(&trial);
                        r0 = r;
                        accepted = true;
                        break;
                    }
                } else if self.f.iter().all(|v| v.is_finite()) {
                    for i in 0..n {
                        dyt[i] = if mass[i] != 0.0 { 0.0 } else { -self.f[i] };
                    }
                    self.lin_solve(&mut dyt);
                    let mut bt = 0.0f64;
                    for i in 0..n {
                        if mass[i] == 0.0 {
                            bt =
                                bt.max(dyt[i].abs() / (self.atols[i] + self.rtol * trial[i].abs()));
                        }
                    }
                    if bt <= (1.0 - 0.25 * lambda) * big || lambda * big < 1e-3 {
                        y.copy_from_slice(&trial);
                        accepted = true;
                        break;
                    }
                }
                lambda *= 0.5;
            }
            self.ypred = dyt;
            self.dy = dy;
            if !accepted {
                return Err(StepFailure::NotFinite);
            }
            // natural: 1e-2 of the tolerances (the integrator's Newton polishes the rest, and
            // a fresh finite-difference Jacobian's noise floor can lie above 1e-3)
            if lambda == 1.0 && big < if natural { 1e-2 } else { 1e-3 } {
                self.lu_valid = false;
                return Ok(());
            }
        }
        Err(StepFailure::StepTooSmall)
    }
}

/// BDF's R matrix ((order+1)^2, row-major), on the stack: the step loop allocates nothing.
fn compute_r(order: usize, factor: f64) -> [f64; (MAX_ORDER + 1) * (MAX_ORDER + 1)] {
    let m = order + 1;
    let mut mm = [0.0; (MAX_ORDER + 1) * (MAX_ORDER + 1)];
    for j in 0..m {
        mm[j] = 1.0;
    }
    for i in 1..m {
        for j in 1..m {
            mm[i * m + j] = (i as f64 - 1.0 - factor * j as f64) / i as f64;
        }
    }
    // cumulative product down the rows
    for i in 1..m {
        for j in 0..m {
            mm[i * m + j] *= mm[(i - 1) * m + j];
        }
    }
    mm
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Decay {
        mass: Vec<f64>,
    }

    impl System for Decay {
        fn n_unknowns(&self) -> usize {
            2
        }
        fn mass(&self) -> &[f64] {
            &self.mass
        }
        fn rhs(&self, y: &[f64], out: &mut [f64]) {
            out[0] = -y[0];
            out[1] = y[1] - 2.0 * y[0]; // algebraic: y1 = 2 y0
        }
        fn structure(&self) -> (usize, usize, usize) {
            (1, 1, 0)
        }
        fn border_columns(&self) -> Vec<usize> {
            vec![]
        }
    }

    /// `Decay` whose residual is not finite where y0 < 0 (a state outside its domain).
    struct DecayWithDomain(Decay);

    impl System for DecayWithDomain {
        fn n_unknowns(&self) -> usize {
            2
        }
        fn mass(&self) -> &[f64] {
            &self.0.mass
        }
        fn rhs(&self, y: &[f64], out: &mut [f64]) {
            self.0.rhs(y, out);
            if y[0] < 0.0 {
                out.iter_mut().for_each(|v| *v = f64::NAN);
            }
        }
        fn structure(&self) -> (usize, usize, usize) {
            (1, 1, 0)
        }
        fn border_columns(&self) -> Vec<usize> {
            vec![]
        }
    }

    /// A step long enough that its prediction lands below 0, where the residual (and a
    /// Jacobian evaluated there) is not finite: the step is retried shorter with a Jacobian
    /// evaluated at its own prediction, instead of shrinking to the minimum with the singular
    /// one ("time step became too small" at a state far from any limit).
    #[test]
    fn a_jacobian_evaluated_outside_the_domain_is_not_kept_for_shorter_steps() {
        let sys = DecayWithDomain(Decay {
            mass: vec![1.0, 0.0],
        });
        let mut b = Bdf::new(&sys, 0.0, &[1.0, 2.0], 1e-6, 1e-9);
        b.step(&sys, 10.0).unwrap();
        // order 1, next step 10: the prediction y (1 - 10) is outside the domain
        b.pending_adapt = None;
        b.order = 1;
        let f = 10.0 / b.h_abs;
        b.change_d(f);
        b.h_abs = 10.0;
        let t0 = b.t;
        let t = b
            .step(&sys, 100.0)
            .unwrap_or_else(|e| panic!("at t = {}: {e}", b.t));
        assert!(t > t0 && b.y[0] > 0.0 && b.y[0] < 1.0, "{t} {:?}", b.y);
        assert!((b.y[1] - 2.0 * b.y[0]).abs() < 1e-9);
    }

    #[test]
    fn bdf_integrates_exponential_decay_with_algebraic_unknown() {
        let sys = Decay {
            mass: vec![1.0, 0.0],
        };
        let mut b = Bdf::new(&sys, 0.0, &[1.0, 2.0], 1e-8, 1e-10);
        while b.t < 5.0 {
            b.step(&sys, 5.0).unwrap();
        }
        assert!((b.y[0] - (-5.0f64).exp()).abs() < 1e-6, "{}", b.y[0]);
        assert!((b.y[1] - 2.0 * b.y[0]).abs() < 1e-9);
        let mut out = [0.0; 2];
        b.interpolate(b.t, &mut out);
        assert!((out[0] - b.y[0]).abs() < 1e-12);
    }
}
