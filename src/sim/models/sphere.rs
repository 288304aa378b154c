//! Spherical particles: Fickian diffusion by a Galerkin method on even polynomials of the radius.
//!
//! The concentration is a polynomial of degree n-1 in x = (r/R)^2 (so smooth at the centre),
//! held at its values on the n Gauss–Radau nodes for the weight sqrt(x) (the last node is the
//! surface). The weak form of dc/dt = r^-2 d/dr(r^2 D dc/dr) with the outward flux N at r = R,
//!
//!   ∫ v c_t sqrt(x) dx = -(4/R^2) ∫ x^{3/2} D v_x c_x dx - (2/R) N v(1),
//!
//! integrated by the same Radau rule, which is exact for it (constant D), gives a diagonal
//! mass matrix: each node's rate is an explicit row. The scheme conserves lithium exactly
//! (the weights give the volume average) and converges spectrally: 6–8 nodes leave a surface
//! concentration error 10–100× below 20 finite volumes (PyBaMM's default), so the particles,
//! which hold most of the unknowns of the DFN, shrink threefold. The surface value is a node
//! (no extrapolation), and at a uniform start it is the uniform value, as in PyBaMM.
//!
//! A polynomial cannot follow the steep fronts of a diffusivity that changes by orders of
//! magnitude with stoichiometry (ORegan2022, Ecker2015): there the particles are finite
//! volumes. PyBaMM's (uniform shells, harmonic-mean edge diffusivities, surface extrapolated
//! linearly from the last two shells) are reproduced to round-off, but converge slowly there
//! (ORegan2022 SPM at 2C: 40 shells 104 mV from 480, 11 % early). The single-particle models
//! use them at 480 shells (PyBaMM's reference resolution, cheap on two particles); the DFN,
//! with a particle per electrode cell, grades the shells towards the surface (geometric
//! widths) and takes integral-mean edge diffusivities (the exact steady flux whatever the
//! diffusivity does between two shells), which converge at second order (see `Mesh` and the
//! README's convergence study).

use crate::sim::solver::linalg::dot;

/// The discretisation of a particle of radius 1 with `n` nodes.
#[derive(Clone, Debug)]
pub struct Sphere {
    n: usize,
    /// Volume fractions of the nodes (sum 1): the volume average is sum(vf c).
    vf: Vec<f64>,
    scheme: Scheme,
}

#[derive(Clone, Debug)]
enum Scheme {
    /// Finite volumes on shells (PyBaMM's uniform ones, or graded towards the surface).
    FiniteVolume(Shells),
    Polynomial {
        /// Node positions (r/R)^2, increasing, the last 1 (the operators below hold them;
        /// the tests check the quadrature on them).
        #[cfg_attr(not(test), allow(dead_code))]
        x: Vec<f64>,
        /// Constant diffusivity: dc/dt = (D/R^2) L c (row-major n × n).
        l: Vec<f64>,
        /// Varying diffusivity: g = A c (dc/dx at the nodes), dc/dt = (1/R^2) B (D g).
        a: Vec<f64>,
        b: Vec<f64>,
        /// The surface node's rate from the flux: -(s / R) N.
        s: f64,
    },
}

impl Sphere {
    /// PyBaMM's finite volumes: `n` uniform shells (at least 2).
    pub fn finite_volume(n: usize) -> Sphere {
        Sphere::graded(n, 1.0)
    }

    /// Finite volumes on `n` shells (at least 2) whose widths grow geometrically from the
    /// surface inwards, the centre shell `ratio` times as wide as the surface shell, with
    /// integral-mean edge diffusivities (ratio 1: PyBaMM's uniform shells and harmonic
    /// means, reproduced exactly).
    pub fn graded(n: usize, ratio: f64) -> Sphere {
        assert!(n >= 2, "a particle needs at least two shells");
        let shells = Shells::graded(n, ratio);
        Sphere {
            n,
            vf: shells.vf.clone(),
            scheme: Scheme::FiniteVolume(shells),
        }
    }

    /// Finite volumes on `n` shells whose `outer` ones (below the surface) are PyBaMM's
    /// uniform shells of width 1/`of` with its harmonic means and surface extrapolation, and
    /// whose other `n - outer` grow geometrically from that width towards the centre, with
    /// integral means. PyBaMM's `of` shells where their discretisation error arises (near
    /// the surface), at a fraction of their cost (see `Mesh::particles_for`).
    pub fn hybrid(n: usize, outer: usize, of: usize) -> Sphere {
        assert!(
            outer >= 2 && outer < n && outer < of,
            "a hybrid particle needs 2 <= outer < n shells and outer < of"
        );
        let shells = Shells::hybrid(n, outer, of);
        Sphere {
            n,
            vf: shells.vf.clone(),
            scheme: Scheme::FiniteVolume(shells),
        }
    }

    /// The Galerkin polynomial on `n` nodes (at least 2).
    pub fn spectral(n: usize) -> Sphere {
        assert!(n >= 2, "a particle needs at least two nodes");
        // free nodes: zeros of the Jacobi polynomial P_{n-1}^{(1, 1/2)} on [0, 1]
        let mut x: Vec<f64> = jacobi_zeros(n - 1, 1.0, 0.5)
            .into_iter()
            .map(|u| 0.5 * (u + 1.0))
            .collect();
        x.push(1.0);
        let lam = barycentric_weights(&x);
        // weights w_i = ∫_0^1 l_i(x) sqrt(x) dx = ∫_0^1 2 s^2 l_i(s^2) ds, exact by Gauss–Legendre
        let (gs, gw) = gauss_legendre(n + 1);
        let mut w = vec![0.0; n];
        for (&u, &wq) in gs.iter().zip(&gw) {
            let s = 0.5 * (u + 1.0);
            let basis = lagrange_at(&x, &lam, s * s);
            for (wi, li) in w.iter_mut().zip(&basis) {
                *wi += 0.5 * wq * 2.0 * s * s * li;
            }
        }
        // differentiation matrix A[q][k] = l_k'(x_q)
        let mut a = vec![0.0; n * n];
        for q in 0..n {
            let mut diag = 0.0;
            for k in 0..n {
                if k != q {
                    let v = lam[k] / lam[q] / (x[q] - x[k]);
                    a[q * n + k] = v;
                    diag -= v;
                }
            }
            a[q * n + q] = diag;
        }
        // B[i][q] = -4 w_q x_q A[q][i] / w_i, L = B A
        let mut b = vec![0.0; n * n];
        for i in 0..n {
            for q in 0..n {
                b[i * n + q] = -4.0 * w[q] * x[q] * a[q * n + i] / w[i];
            }
        }
        let mut l = vec![0.0; n * n];
        for i in 0..n {
            for k in 0..n {
                l[i * n + k] = (0..n).map(|q| b[i * n + q] * a[q * n + k]).sum();
            }
        }
        let total: f64 = w.iter().sum(); // 2/3
        Sphere {
            n,
            vf: w.iter().map(|v| v / total).collect(),
            scheme: Scheme::Polynomial {
                s: 2.0 / w[n - 1],
                x,
                l,
                a,
                b,
            },
        }
    }

    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Surface value of the nodal values `c`.
    #[inline]
    pub fn surface(&self, c: &[f64]) -> f64 {
        let n = self.n;
        match &self.scheme {
            Scheme::FiniteVolume(sh) => c[n - 1] + sh.extrapolate * (c[n - 1] - c[n - 2]),
            Scheme::Polynomial { .. } => c[n - 1],
        }
    }

    /// The unknowns `surface` reads, for a particle whose nodes start at `start`.
    pub fn surface_nodes(&self, start: usize) -> std::ops::Range<usize> {
        let first = if self.is_fv() { self.n - 2 } else { self.n - 1 };
        start + first..start + self.n
    }

    /// Sparsity of the particle's columns (`pat[col]`: the rows a column enters) for a particle
    /// whose nodes start at `start`: shells couple to their neighbours, polynomial nodes to
    /// every node; the nodes `surface` reads also enter `surface_rows`.
    pub fn pattern(&self, pat: &mut [Vec<usize>], start: usize, surface_rows: &[usize]) {
        let n = self.n;
        let band = self.bandwidth();
        for i in 0..n {
            let mut rows: Vec<usize> =
                (start + i.saturating_sub(band)..start + (i + band + 1).min(n)).collect();
            if self.surface_nodes(0).contains(&i) {
                rows.extend_from_slice(surface_rows);
            }
            pat[start + i] = rows;
        }
    }

    /// Half-bandwidth of the particle's block of the Jacobian.
    pub fn bandwidth(&self) -> usize {
        if self.is_fv() {
            1
        } else {
            self.n - 1
        }
    }

    /// Volume average of the nodal values `c`.
    pub fn average(&self, c: &[f64]) -> f64 {
        self.vf.iter().zip(c).map(|(w, v)| w * v).sum()
    }

    /// dc/dt for constant diffusivity `d` [m2/s], radius `rad` [m] and outward surface molar
    /// flux `flux` [mol/m2/s].
    pub fn rhs_constant(&self, d: f64, rad: f64, c: &[f64], flux: f64, dcdt: &mut [f64]) {
        let n = self.n;
        let (l, s) = match &self.scheme {
            Scheme::FiniteVolume(sh) => return sh.rhs(|_| d, rad, c, flux, dcdt),
            Scheme::Polynomial { l, s, .. } => (l, s),
        };
        let k = d / (rad * rad);
        for (i, out) in dcdt.iter_mut().enumerate().take(n) {
            *out = k * dot(&l[i * n..(i + 1) * n], c);
        }
        dcdt[n - 1] -= s * flux / rad;
    }

    /// Adds a polynomial particle's outward surface molar `flux` [mol/m2/s] to its rows
    /// `dcdt`, as `rhs_constant` and `rhs_varying` do: rows computed with no flux then take it
    /// bit for bit as they would have. Shells take their flux inside their surface row.
    pub fn add_surface_flux(&self, rad: f64, flux: f64, dcdt: &mut [f64]) {
        let Scheme::Polynomial { s, .. } = &self.scheme else {
            unreachable!("finite-volume shells take their surface flux in `rhs`");
        };
        dcdt[self.n - 1] -= s * flux / rad;
    }

    /// dc/dt for a diffusivity `d(c)` evaluated at each node.
    pub fn rhs_varying(
        &self,
        d: impl Fn(f64) -> f64,
        rad: f64,
        c: &[f64],
        flux: f64,
        dcdt: &mut [f64],
    ) {
        let n = self.n;
        let (a, b, s) = match &self.scheme {
            Scheme::FiniteVolume(sh) => return sh.rhs(d, rad, c, flux, dcdt),
            Scheme::Polynomial { a, b, s, .. } => (a, b, s),
        };
        let mut g = [0.0f64; MAX_NODES];
        for q in 0..n {
            g[q] = d(c[q]) * dot(&a[q * n..(q + 1) * n], c);
        }
        let k = 1.0 / (rad * rad);
        for (i, out) in dcdt.iter_mut().enumerate().take(n) {
            *out = k * dot(&b[i * n..(i + 1) * n], &g[..n]);
        }
        dcdt[n - 1] -= s * flux / rad;
    }

    /// Whether the particle is finite-volume shells (tridiagonal in r).
    pub fn is_fv(&self) -> bool {
        matches!(self.scheme, Scheme::FiniteVolume(_))
    }

    /// `rhs_varying` on finite-volume shells, recomputing only the rows next to the shells
    /// whose concentration differs from the last call's (kept in `cache`, which `fresh`
    /// invalidates, e.g. a new temperature): the same rows, bit for bit, as a full evaluation
    /// at `c`. The Jacobian's finite differences move the surface shells or no shell of most
    /// particles, so a residual of the DFN on hundreds of shells costs a few shells per
    /// particle instead of every shell's diffusivity. Polynomial particles: `rhs_varying`.
    #[allow(clippy::too_many_arguments)]
    pub fn rhs_cached(
        &self,
        d: impl Fn(f64) -> f64,
        rad: f64,
        c: &[f64],
        flux: f64,
        dcdt: &mut [f64],
        cache: &mut ShellCache,
        fresh: bool,
    ) {
        match &self.scheme {
            Scheme::FiniteVolume(sh) => sh.rhs_cached(d, rad, c, flux, dcdt, cache, fresh),
            Scheme::Polynomial { .. } => self.rhs_varying(d, rad, c, flux, dcdt),
        }
    }

    /// The exact Jacobian of `rhs_varying` with respect to the interior nodes (the columns
    /// that enter no row but the particle's own; the nodes `surface_nodes` lists also enter
    /// the surface value): `set(row, col, value)` with the particle's local indices, every
    /// entry of those columns' pattern (tridiagonal for shells, every row for a polynomial).
    /// The derivative of the diffusivity is a forward difference of `d` (relative step 1e-6).
    pub fn interior_jacobian(
        &self,
        d: impl Fn(f64) -> f64,
        rad: f64,
        c: &[f64],
        mut set: impl FnMut(usize, usize, f64),
    ) {
        let (a, b) = match &self.scheme {
            Scheme::FiniteVolume(sh) => return sh.interior_jacobian(d, rad, c, set),
            Scheme::Polynomial { a, b, .. } => (a, b),
        };
        // dc_i/dt = k sum_q B_iq D(c_q) (A c)_q: d/dc_j = k (sum_q B_iq D(c_q) A_qj
        // + B_ij D'(c_j) (A c)_j)
        let n = self.n;
        let k = 1.0 / (rad * rad);
        let mut dq = [0.0f64; MAX_NODES];
        let mut slope = [0.0f64; MAX_NODES];
        for q in 0..n {
            let ac = dot(&a[q * n..(q + 1) * n], c);
            let h = 1e-6 * c[q].abs().max(1.0);
            dq[q] = d(c[q]);
            slope[q] = (d(c[q] + h) - dq[q]) / h * ac;
        }
        for j in 0..n - 1 {
            for i in 0..n {
                let mut v = b[i * n + j] * slope[j];
                for q in 0..n {
                    v += b[i * n + q] * dq[q] * a[q * n + j];
                }
                set(i, j, k * v);
            }
        }
    }
}

/// A particle's last concentrations, diffusivities, edge fluxes and rows (without the surface
/// flux) for `Sphere::rhs_cached`.
#[derive(Clone, Debug, Default)]
pub struct ShellCache {
    c: Vec<f64>,
    d: Vec<f64>,
    flux: Vec<f64>,
    rows: Vec<f64>,
}

/// Shells of a particle of radius 1 (cell-centred finite volumes).
#[derive(Clone, Debug)]
struct Shells {
    /// Volume fractions (sum 1).
    vf: Vec<f64>,
    /// Squared radii of the inner edges 1..n (the edge between shells i-1 and i).
    e2: Vec<f64>,
    /// 1 / distance between the centres of shells i-1 and i, for the inner edges 1..n.
    inv_dist: Vec<f64>,
    /// Weight of the inner shell in the edge's harmonic mean: the share of the distance
    /// between the centres that lies in it (1/2 on a uniform mesh).
    beta: Vec<f64>,
    /// Surface value c[n-1] + extrapolate (c[n-1] - c[n-2]): linear through the centres of
    /// the last two shells (1/2 on a uniform mesh).
    extrapolate: f64,
    /// Edge diffusivities by integral means (graded shells) instead of PyBaMM's harmonic
    /// ones (see `Shells::rhs`) on the inner edges below `integral_upto` (all of them on
    /// graded shells, the coarse part's on `Sphere::hybrid` ones).
    integral_mean: bool,
    integral_upto: usize,
}

impl Shells {
    fn graded(n: usize, ratio: f64) -> Shells {
        // widths from the surface inwards: w0 q^k, k = 0..n
        let q = if n > 1 {
            ratio.max(1e-12).powf(1.0 / (n - 1) as f64)
        } else {
            1.0
        };
        let mut w: Vec<f64> = (0..n).map(|k| q.powi(k as i32)).collect();
        w.reverse(); // centre first
        let total: f64 = w.iter().sum();
        let mut edges = vec![0.0; n + 1];
        for i in 0..n {
            edges[i + 1] = edges[i] + w[i] / total;
        }
        if ratio == 1.0 {
            // exactly PyBaMM's uniform edges
            edges = (0..=n).map(|i| i as f64 / n as f64).collect();
        }
        Shells::on_edges(edges, ratio != 1.0, n)
    }

    /// `outer` shells of width 1/`of` under the surface (PyBaMM's `of` uniform shells there,
    /// harmonic means), then `n - outer` shells over the rest of the radius whose widths grow
    /// geometrically from 1/`of` towards the centre, with integral means.
    fn hybrid(n: usize, outer: usize, of: usize) -> Shells {
        let w0 = 1.0 / of as f64;
        let inner = n - outer;
        let len = 1.0 - outer as f64 * w0;
        // the ratio q of the inner widths w0 q^k, k = 1..=inner, that fill `len`
        let fill = |q: f64| (1..=inner).map(|k| w0 * q.powi(k as i32)).sum::<f64>();
        let (mut lo, mut hi) = (0.0, 2.0);
        while fill(hi) < len {
            hi *= 2.0;
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if fill(mid) < len {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let q = 0.5 * (lo + hi);
        let mut edges = vec![0.0; n + 1];
        for i in 0..inner {
            // centre first: the innermost shell is the widest
            edges[i + 1] = edges[i] + w0 * q.powi((inner - i) as i32);
        }
        for j in 0..=outer {
            // the outer edges exactly PyBaMM's, (of - j) / of
            edges[n - j] = (of - j) as f64 / of as f64;
        }
        Shells::on_edges(edges, true, inner)
    }

    /// The shells between `edges` (0 = edges[0] < … < edges[n] = 1), with integral means on
    /// the inner edges below `integral_upto` when `integral_mean`.
    fn on_edges(mut edges: Vec<f64>, integral_mean: bool, integral_upto: usize) -> Shells {
        let n = edges.len() - 1;
        edges[n] = 1.0;
        let centre: Vec<f64> = (0..n).map(|i| 0.5 * (edges[i] + edges[i + 1])).collect();
        let vf = (0..n)
            .map(|i| edges[i + 1].powi(3) - edges[i].powi(3))
            .collect();
        let inner = 1..n;
        Shells {
            vf,
            e2: inner.clone().map(|j| edges[j] * edges[j]).collect(),
            inv_dist: inner
                .clone()
                .map(|j| 1.0 / (centre[j] - centre[j - 1]))
                .collect(),
            beta: inner
                .map(|j| (edges[j] - centre[j - 1]) / (centre[j] - centre[j - 1]))
                .collect(),
            extrapolate: (1.0 - centre[n - 1]) / (centre[n - 1] - centre[n - 2]),
            integral_mean,
            integral_upto,
        }
    }

    /// Whether inner edge `e` takes the integral mean.
    #[inline]
    fn integral_at(&self, e: usize) -> bool {
        self.integral_mean && e < self.integral_upto
    }

    /// The diffusivity on inner edge `e` (between shells e and e + 1) from the shells' `dl`,
    /// `dr` and, for integral means, the midpoint's `mid()` (see `rhs`).
    #[inline]
    fn edge_d(&self, e: usize, dl: f64, dr: f64, mid: impl FnOnce() -> f64) -> f64 {
        if dl == dr {
            dl
        } else if self.integral_at(e) {
            (dl + 4.0 * mid() + dr) / 6.0
        } else {
            let b = self.beta[e];
            dl * dr / (b * dr + (1.0 - b) * dl)
        }
    }

    /// `rhs` by way of `cache` (see `Sphere::rhs_cached`).
    #[allow(clippy::too_many_arguments)]
    fn rhs_cached(
        &self,
        d: impl Fn(f64) -> f64,
        rad: f64,
        c: &[f64],
        flux: f64,
        dcdt: &mut [f64],
        cache: &mut ShellCache,
        fresh: bool,
    ) {
        let n = self.vf.len();
        let k = 1.0 / (rad * rad);
        let (lo, hi) = if fresh || cache.c.len() != n {
            cache.c.clear();
            cache.c.extend_from_slice(c);
            cache.d.clear();
            cache.d.extend(c.iter().map(|&v| d(v)));
            cache.flux.resize(n - 1, 0.0);
            cache.rows.resize(n, 0.0);
            (0, n - 1)
        } else {
            let changed = |i: &usize| c[*i] != cache.c[*i] || c[*i].is_nan();
            match (0..n).find(changed) {
                None => (n, n),
                Some(lo) => {
                    let hi = (lo..n).rev().find(changed).unwrap_or(lo);
                    for i in lo..=hi {
                        if c[i] != cache.c[i] || c[i].is_nan() {
                            cache.c[i] = c[i];
                            cache.d[i] = d(c[i]);
                        }
                    }
                    (lo, hi)
                }
            }
        };
        if lo < n {
            // the edges next to a changed shell, then the rows next to those edges
            for e in lo.saturating_sub(1)..=hi.min(n - 2) {
                let (cl, cr) = (cache.c[e], cache.c[e + 1]);
                let de = self.edge_d(e, cache.d[e], cache.d[e + 1], || d(0.5 * (cl + cr)));
                cache.flux[e] = -k * de * (cr - cl) * self.inv_dist[e] * self.e2[e];
            }
            for i in lo.saturating_sub(1)..=(hi + 1).min(n - 1) {
                let left = if i == 0 { 0.0 } else { cache.flux[i - 1] };
                let right = if i + 1 < n { cache.flux[i] } else { 0.0 };
                cache.rows[i] = -(right - left) * 3.0 / self.vf[i];
            }
        }
        dcdt.copy_from_slice(&cache.rows);
        // the surface row as `rhs` rounds it: the surface flux minus the inner edge's
        let left = if n > 1 { cache.flux[n - 2] } else { 0.0 };
        dcdt[n - 1] = -(flux / rad - left) * 3.0 / self.vf[n - 1];
    }

    /// See `Sphere::interior_jacobian`.
    fn interior_jacobian(
        &self,
        d: impl Fn(f64) -> f64,
        rad: f64,
        c: &[f64],
        mut set: impl FnMut(usize, usize, f64),
    ) {
        let n = self.vf.len();
        if n < 3 {
            return;
        }
        let k = 1.0 / (rad * rad);
        let step = |v: f64| 1e-6 * v.abs().max(1.0);
        // D and dD/dc at the shells
        let dv: Vec<f64> = c.iter().map(|&v| d(v)).collect();
        let dp: Vec<f64> = c
            .iter()
            .zip(&dv)
            .map(|(&v, &dd)| {
                let h = step(v);
                (d(v + h) - dd) / h
            })
            .collect();
        // (dF_e/dc_e, dF_e/dc_{e+1}) of the inner edges' fluxes F_e
        let dflux = |e: usize| -> (f64, f64) {
            let (cl, cr, dl, dr) = (c[e], c[e + 1], dv[e], dv[e + 1]);
            let de = self.edge_d(e, dl, dr, || d(0.5 * (cl + cr)));
            let (gl, gr) = if self.integral_at(e) {
                let m = 0.5 * (cl + cr);
                let h = step(m);
                let dm = (d(m + h) - d(m)) / h;
                ((dp[e] + 2.0 * dm) / 6.0, (dp[e + 1] + 2.0 * dm) / 6.0)
            } else {
                let b = self.beta[e];
                let den = b * dr + (1.0 - b) * dl;
                (
                    b * dr * dr / (den * den) * dp[e],
                    (1.0 - b) * dl * dl / (den * den) * dp[e + 1],
                )
            };
            let g = -k * self.inv_dist[e] * self.e2[e];
            let delta = cr - cl;
            (g * (gl * delta - de), g * (gr * delta + de))
        };
        // dcdt_i = -(F_i - F_{i-1}) 3 / vf_i (F_{-1} = 0; F_{n-1} the surface flux)
        let mut prev = (0.0, 0.0); // edge j - 1
        for j in 0..n - 2 {
            let cur = dflux(j);
            if j > 0 {
                set(j - 1, j, -prev.1 * 3.0 / self.vf[j - 1]);
            }
            set(j, j, -(cur.0 - prev.1) * 3.0 / self.vf[j]);
            set(j + 1, j, cur.0 * 3.0 / self.vf[j + 1]);
            prev = cur;
        }
    }

    /// dc/dt: fluxes at the shell edges, with harmonic means of the shells' diffusivities on
    /// PyBaMM's uniform shells and integral means on graded ones: the mean of D(c) over the
    /// concentrations of the two shells, (1 / (c2 - c1)) ∫ D dc, by Simpson's rule (one more
    /// evaluation per edge). It makes the flux -(Φ(c2) - Φ(c1)) / Δr for the Kirchhoff
    /// potential Φ' = D, the exact steady flux between two points whatever D does between
    /// them: the scheme then follows Φ(r), which stays smooth where a dip of the diffusivity
    /// (ORegan2022's graphite) puts a kink into c(r). On the SPM ORegan2022 at 2C it converges
    /// at second order (80/120/240 shells: 0.56/0.20/0.04 mV from 1920 uniform shells) where
    /// logarithmic means converged at first order (40/80/120: 4.1/1.7/1.1 mV).
    fn rhs(&self, d: impl Fn(f64) -> f64, rad: f64, c: &[f64], flux: f64, dcdt: &mut [f64]) {
        let n = self.vf.len();
        let k = 1.0 / (rad * rad);
        let mut left = 0.0; // dimensionless r^2 N at the left edge
        let mut d_left = d(c[0]);
        for i in 0..n {
            let right = if i + 1 < n {
                let d_right = d(c[i + 1]);
                let d_edge = self.edge_d(i, d_left, d_right, || d(0.5 * (c[i] + c[i + 1])));
                d_left = d_right;
                -k * d_edge * (c[i + 1] - c[i]) * self.inv_dist[i] * self.e2[i]
            } else {
                flux / rad
            };
            // 1 / volume of the unit shell = 1 / (vf / 3)
            dcdt[i] = -(right - left) * 3.0 / self.vf[i];
            left = right;
        }
    }
}

/// The most nodes a particle may have (the varying-diffusivity residual keeps its work on the
/// stack; beyond ~30 nodes the polynomial gains nothing).
pub const MAX_NODES: usize = 64;

/// Zeros of the Jacobi polynomial P_m^{(alpha, beta)} on [-1, 1], increasing: the eigenvalues
/// of its Jacobi matrix, by bisection on Sturm sequences (robust, and exact to round-off).
fn jacobi_zeros(m: usize, alpha: f64, beta: f64) -> Vec<f64> {
    let ab = alpha + beta;
    let diag: Vec<f64> = (0..m)
        .map(|k| {
            let s = 2.0 * k as f64 + ab;
            if s == 0.0 {
                (beta - alpha) / (ab + 2.0)
            } else {
                (beta * beta - alpha * alpha) / (s * (s + 2.0))
            }
        })
        .collect();
    let off2: Vec<f64> = (1..m)
        .map(|k| {
            let k = k as f64;
            let s = 2.0 * k + ab;
            4.0 * k * (k + alpha) * (k + beta) * (k + ab) / (s * s * (s + 1.0) * (s - 1.0))
        })
        .collect();
    tridiagonal_eigenvalues(&diag, &off2)
}

/// Eigenvalues (increasing) of the symmetric tridiagonal matrix with diagonal `diag` and
/// squared off-diagonal `off2`, all within [-1, 1] here.
fn tridiagonal_eigenvalues(diag: &[f64], off2: &[f64]) -> Vec<f64> {
    let m = diag.len();
    // eigenvalues below `lam`
    let count = |lam: f64| -> usize {
        let mut c = 0;
        let mut d = 1.0;
        for i in 0..m {
            let o = if i == 0 { 0.0 } else { off2[i - 1] };
            d = diag[i] - lam - if i == 0 { 0.0 } else { o / d };
            if d == 0.0 {
                d = -f64::EPSILON;
            }
            if d < 0.0 {
                c += 1;
            }
        }
        c
    };
    // Gershgorin bounds
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for i in 0..m {
        let r = if i > 0 { off2[i - 1].sqrt() } else { 0.0 }
            + if i + 1 < m { off2[i].sqrt() } else { 0.0 };
        lo = lo.min(diag[i] - r);
        hi = hi.max(diag[i] + r);
    }
    (0..m)
        .map(|k| {
            let (mut a, mut b) = (lo, hi);
            for _ in 0..200 {
                let mid = 0.5 * (a + b);
                if mid <= a || mid >= b {
                    break;
                }
                if count(mid) > k {
                    b = mid;
                } else {
                    a = mid;
                }
            }
            0.5 * (a + b)
        })
        .collect()
}

/// Gauss–Legendre nodes and weights on [-1, 1].
fn gauss_legendre(m: usize) -> (Vec<f64>, Vec<f64>) {
    let off2: Vec<f64> = (1..m)
        .map(|k| {
            let k = k as f64;
            k * k / (4.0 * k * k - 1.0)
        })
        .collect();
    let nodes = tridiagonal_eigenvalues(&vec![0.0; m], &off2);
    let weights = nodes
        .iter()
        .map(|&u| {
            // P_m'(u) by the recurrence
            let (mut p0, mut p1) = (1.0, u);
            for k in 2..=m {
                let k = k as f64;
                let p2 = ((2.0 * k - 1.0) * u * p1 - (k - 1.0) * p0) / k;
                p0 = p1;
                p1 = p2;
            }
            let (p, pm1) = if m == 1 { (u, 1.0) } else { (p1, p0) };
            let dp = m as f64 * (u * p - pm1) / (u * u - 1.0);
            2.0 / ((1.0 - u * u) * dp * dp)
        })
        .collect();
    (nodes, weights)
}

fn barycentric_weights(x: &[f64]) -> Vec<f64> {
    (0..x.len())
        .map(|j| {
            1.0 / (0..x.len())
                .filter(|&k| k != j)
                .map(|k| x[j] - x[k])
                .product::<f64>()
        })
        .collect()
}

/// The Lagrange basis on nodes `x` (barycentric weights `lam`) at `t`.
fn lagrange_at(x: &[f64], lam: &[f64], t: f64) -> Vec<f64> {
    if let Some(j) = x.iter().position(|&v| v == t) {
        let mut e = vec![0.0; x.len()];
        e[j] = 1.0;
        return e;
    }
    let terms: Vec<f64> = x.iter().zip(lam).map(|(&v, &l)| l / (t - v)).collect();
    let s: f64 = terms.iter().sum();
    terms.iter().map(|v| v / s).collect()
}

/// Output hook (`sim::variables`): where the nodal values sit.
impl Sphere {
    /// Radii of the nodes over the particle radius: the shells' centres (PyBaMM's finite-volume
    /// nodes) or the polynomial's nodes.
    pub fn node_radii(&self) -> Vec<f64> {
        match &self.scheme {
            Scheme::FiniteVolume { .. } => (0..self.n)
                .map(|i| (i as f64 + 0.5) / self.n as f64)
                .collect(),
            Scheme::Polynomial { x, .. } => x.iter().map(|v| v.sqrt()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(s: &Sphere) -> &[f64] {
        match &s.scheme {
            Scheme::Polynomial { x, .. } => x,
            Scheme::FiniteVolume(_) => panic!("finite volumes"),
        }
    }

    #[test]
    fn radau_rule_integrates_polynomials_against_sqrt_x_exactly() {
        for n in [2, 3, 6, 10, 20, 40] {
            let s = Sphere::spectral(n);
            let x = nodes(&s);
            assert_eq!(x.len(), n);
            assert!(x.windows(2).all(|w| w[0] < w[1]) && x[0] > 0.0);
            // sum vf x^p = (3/2) / (p + 3/2) for p <= 2n - 2
            for p in 0..=(2 * n - 2) {
                let q: f64 = x.iter().zip(&s.vf).map(|(x, w)| w * x.powi(p as i32)).sum();
                let exact = 1.5 / (p as f64 + 1.5);
                assert!((q - exact).abs() < 1e-11, "n={n} p={p}: {q} vs {exact}");
            }
        }
    }

    #[test]
    fn gauss_legendre_weights_sum_to_two() {
        for m in [1, 2, 5, 17] {
            let (u, w) = gauss_legendre(m);
            assert!((w.iter().sum::<f64>() - 2.0).abs() < 1e-13);
            // exact for u^(2m-2)
            let q: f64 = u
                .iter()
                .zip(&w)
                .map(|(u, w)| w * u.powi(2 * m as i32 - 2))
                .sum();
            assert!((q - 2.0 / (2 * m - 1) as f64).abs() < 1e-13);
        }
    }

    #[test]
    fn lithium_is_conserved_and_a_parabola_is_steady_under_its_flux() {
        let (rad, d) = (5e-6, 1e-14);
        for n in [3, 8, 15] {
            let s = Sphere::spectral(n);
            // c = 1000 + 500 (r/R)^2 is a polynomial the scheme holds exactly: its diffusion
            // rate is the uniform 6 D 500 / R^2, fed by an inward flux -D dc/dr(R) = -1000 D/R
            let c: Vec<f64> = nodes(&s).iter().map(|x| 1000.0 + 500.0 * x).collect();
            let mut out = vec![0.0; n];
            s.rhs_constant(d, rad, &c, 0.0, &mut out);
            // no flux: the average does not change
            assert!(s.average(&out).abs() < 1e-9 * 6.0 * d * 500.0 / (rad * rad));
            let flux = -1000.0 * d / rad;
            s.rhs_constant(d, rad, &c, flux, &mut out);
            let rate = 6.0 * d * 500.0 / (rad * rad);
            for v in &out {
                assert!((v - rate).abs() < 1e-9 * rate, "n={n}: {v} vs {rate}");
            }
            // the same through the varying-diffusivity form
            let mut out2 = vec![0.0; n];
            s.rhs_varying(|_| d, rad, &c, flux, &mut out2);
            for (a, b) in out.iter().zip(&out2) {
                assert!((a - b).abs() < 1e-9 * rate);
            }
            // the average's rate is the flux's: -3 N / R
            let mut out3 = vec![0.0; n];
            s.rhs_constant(d, rad, &vec![700.0; n], 2e-5, &mut out3);
            assert!((s.average(&out3) + 3.0 * 2e-5 / rad).abs() < 1e-9 * 3.0 * 2e-5 / rad);
        }
    }

    #[test]
    fn graded_shells_conserve_lithium_and_extrapolate_through_the_last_two_centres() {
        let s = Sphere::graded(12, 10.0);
        let sh = match &s.scheme {
            Scheme::FiniteVolume(sh) => sh.clone(),
            Scheme::Polynomial { .. } => panic!("polynomial"),
        };
        assert!((s.vf.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // the surface shell is the thinnest, the centre one 10x as wide
        let width = |e2: f64| e2.sqrt();
        let w_surface = 1.0 - width(sh.e2[10]);
        let w_centre = width(sh.e2[0]);
        assert!(
            (w_centre / w_surface - 10.0).abs() < 1e-9,
            "{w_centre} {w_surface}"
        );
        let c: Vec<f64> = (0..12).map(|i| 1000.0 + 30.0 * (i * i) as f64).collect();
        let mut out = vec![0.0; 12];
        let d = |v: f64| 1e-14 * (v / 400.0).exp();
        s.rhs_varying(d, 5e-6, &c, 3e-5, &mut out);
        assert!((s.average(&out) + 3.0 * 3e-5 / 5e-6).abs() < 1e-9 * 3.0 * 3e-5 / 5e-6);
        // a linear profile is extrapolated exactly
        let centres: Vec<f64> = (0..12)
            .map(|i| {
                let lo = if i == 0 { 0.0 } else { width(sh.e2[i - 1]) };
                let hi = if i == 11 { 1.0 } else { width(sh.e2[i]) };
                0.5 * (lo + hi)
            })
            .collect();
        let lin: Vec<f64> = centres.iter().map(|r| 500.0 + 700.0 * r).collect();
        assert!((s.surface(&lin) - 1200.0).abs() < 1e-9);
        // uniform shells keep PyBaMM's harmonic means
        assert!(!match &Sphere::finite_volume(8).scheme {
            Scheme::FiniteVolume(sh) => sh.integral_mean,
            Scheme::Polynomial { .. } => true,
        });
    }

    #[test]
    fn graded_shells_carry_the_steady_flux_of_a_diffusivity_with_a_dip() {
        // two shells whose diffusivity has a dip between their concentrations: the flux
        // across their edge is the integral mean of D times the gradient (Simpson's rule is
        // exact for a cubic D), not a mean of the two shells' values
        let s = Sphere::graded(2, 2.0);
        let sh = match &s.scheme {
            Scheme::FiniteVolume(sh) => sh.clone(),
            Scheme::Polynomial { .. } => panic!("polynomial"),
        };
        let d = |v: f64| 1e-14 * (1.0 + (v - 1.0) * (v - 1.0) * (v - 1.0) - (v - 1.0) * 0.9);
        let c = [0.0, 2.0];
        let mut out = [0.0; 2];
        s.rhs_varying(d, 1.0, &c, 0.0, &mut out);
        // mean of D over [0, 2]: 1e-14 (1 + 0 - 0) by symmetry of the odd terms about 1
        let flux = -1e-14 * (c[1] - c[0]) * sh.inv_dist[0] * sh.e2[0];
        assert!((out[0] + flux * 3.0 / sh.vf[0]).abs() < 1e-9 * out[0].abs());
        assert!((out[1] - flux * 3.0 / sh.vf[1]).abs() < 1e-9 * out[1].abs());
    }

    /// A diffusivity with a steep drop (ORegan2022's graphite falls 40x over 5 % of
    /// stoichiometry) for the cached residual and the exact Jacobian below.
    fn steep_d(v: f64) -> f64 {
        1e-14 * (0.05 + 1.0 / (1.0 + ((v - 18_500.0) / 300.0).exp()))
    }

    #[test]
    fn hybrid_shells_are_pybamms_under_the_surface_and_coarse_at_the_centre() {
        // 40 shells, the outer 20 PyBaMM's of 60 uniform ones
        let (h, u) = (Sphere::hybrid(40, 20, 60), Sphere::finite_volume(60));
        let sh = match &h.scheme {
            Scheme::FiniteVolume(sh) => sh.clone(),
            Scheme::Polynomial { .. } => panic!("polynomial"),
        };
        assert!((h.vf.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((h.vf[39] - u.vf[59]).abs() < 1e-15);
        // the inner widths grow from 1/60 towards the centre
        let r: Vec<f64> = std::iter::once(0.0)
            .chain(sh.e2.iter().map(|e| e.sqrt()))
            .chain(std::iter::once(1.0))
            .collect();
        let w: Vec<f64> = r.windows(2).map(|p| p[1] - p[0]).collect();
        assert!((0..19).all(|i| w[i] > w[i + 1]), "{w:?}");
        assert!(w[19] > 1.0 / 60.0 && w[0] > 3.0 / 60.0, "{w:?}");
        // the same concentrations on the outer shells give PyBaMM's rows and surface
        let profile = |i: usize| 20_000.0 - 9.0 * (i * i) as f64;
        let ch: Vec<f64> = (0..40).map(|i| profile(i + 20)).collect();
        let cu: Vec<f64> = (0..60).map(profile).collect();
        let (mut oh, mut ou) = (vec![0.0; 40], vec![0.0; 60]);
        h.rhs_varying(steep_d, 5.86e-6, &ch, 2e-5, &mut oh);
        u.rhs_varying(steep_d, 5.86e-6, &cu, 2e-5, &mut ou);
        for i in 21..40 {
            let rel = (oh[i] - ou[i + 20]).abs() / ou[i + 20].abs().max(1e-300);
            assert!(rel < 1e-9, "shell {i}: {} {}", oh[i], ou[i + 20]);
        }
        assert_eq!(h.surface(&ch), u.surface(&cu));
        // conservation
        assert!((h.average(&oh) + 3.0 * 2e-5 / 5.86e-6).abs() < 1e-9 * 3.0 * 2e-5 / 5.86e-6);
        // harmonic means under the surface, integral means in the coarse part
        assert!(sh.integral_at(18) && !sh.integral_at(20) && !sh.integral_at(38));
    }

    #[test]
    fn cached_shell_rows_equal_a_full_evaluation_bit_for_bit() {
        for s in [
            Sphere::finite_volume(30),
            Sphere::graded(30, 10.0),
            Sphere::hybrid(30, 20, 60),
        ] {
            let mut c: Vec<f64> = (0..30).map(|i| 22_000.0 - 150.0 * i as f64).collect();
            let mut cache = ShellCache::default();
            let (mut full, mut cached) = (vec![0.0; 30], vec![0.0; 30]);
            s.rhs_cached(steep_d, 5.86e-6, &c, 2e-5, &mut cached, &mut cache, true);
            // moves of one shell, of the two surface shells, of none, then of every shell
            for (step, moved) in [vec![7], vec![28, 29], vec![], (0..30).collect()]
                .into_iter()
                .enumerate()
            {
                for &i in &moved {
                    c[i] += 37.0 * (step + 1) as f64;
                }
                s.rhs_varying(steep_d, 5.86e-6, &c, 2e-5, &mut full);
                s.rhs_cached(steep_d, 5.86e-6, &c, 2e-5, &mut cached, &mut cache, false);
                assert_eq!(full, cached, "{moved:?}");
            }
        }
    }

    /// Forward differences of `rhs_varying` (radius 5.86 µm, surface flux 2e-5) with step `h`,
    /// as `[row][column]`, and the right-hand side at `c` they start from.
    fn fd_jacobian(
        s: &Sphere,
        d: &dyn Fn(f64) -> f64,
        c: &[f64],
        h: f64,
    ) -> (Vec<Vec<f64>>, Vec<f64>) {
        let n = c.len();
        let (mut f0, mut f1) = (vec![0.0; n], vec![0.0; n]);
        s.rhs_varying(d, 5.86e-6, c, 2e-5, &mut f0);
        let mut jac = vec![vec![0.0; n]; n];
        for j in 0..n {
            let mut cp = c.to_vec();
            cp[j] += h;
            s.rhs_varying(d, 5.86e-6, &cp, 2e-5, &mut f1);
            for i in 0..n {
                jac[i][j] = (f1[i] - f0[i]) / h;
            }
        }
        (jac, f0)
    }

    #[test]
    fn interior_shell_jacobian_matches_finite_differences() {
        for s in [
            Sphere::finite_volume(12),
            Sphere::graded(12, 10.0),
            Sphere::hybrid(12, 6, 20),
        ] {
            let n = 12;
            let c: Vec<f64> = (0..n).map(|i| 20_000.0 - 250.0 * i as f64).collect();
            let mut jac = vec![vec![0.0; n]; n];
            let mut written = vec![vec![false; n]; n];
            s.interior_jacobian(steep_d, 5.86e-6, &c, |i, j, v| {
                jac[i][j] = v;
                written[i][j] = true;
            });
            let (fdj, f0) = fd_jacobian(&s, &steep_d, &c, 1e-4);
            for j in 0..n {
                for i in 0..n {
                    let fd = fdj[i][j];
                    // the interior columns, every entry of their tridiagonal pattern
                    let interior = j < n - 2 && i.abs_diff(j) <= 1;
                    assert_eq!(written[i][j], interior, "({i}, {j})");
                    if interior {
                        let tol = 1e-4
                            * fd.abs()
                                .max(1e-3 * f0.iter().fold(0.0f64, |a, v| a.max(v.abs())) / 250.0);
                        assert!(
                            (jac[i][j] - fd).abs() <= tol,
                            "({i}, {j}): {} vs {fd}",
                            jac[i][j]
                        );
                    }
                }
            }
        }
    }

    /// A polynomial particle's interior columns: every row, as finite differences of
    /// `rhs_varying` give them, with a stress-like linear diffusivity and a constant one.
    #[test]
    fn interior_polynomial_jacobian_matches_finite_differences() {
        let stressed = |v: f64| 3.3e-14 * (1.0 + 2.0e-5 * (v - 15_000.0));
        let constant = |_: f64| 3.3e-14;
        for n in [3, 6, 8] {
            let s = Sphere::spectral(n);
            for d in [&stressed as &dyn Fn(f64) -> f64, &constant] {
                let c: Vec<f64> = (0..n).map(|i| 20_000.0 - 900.0 * (i * i) as f64).collect();
                let mut jac = vec![vec![f64::NAN; n]; n];
                s.interior_jacobian(d, 5.86e-6, &c, |i, j, v| jac[i][j] = v);
                let (fdj, f0) = fd_jacobian(&s, d, &c, 1e-3);
                let scale = f0.iter().fold(0.0f64, |a, v| a.max(v.abs())) / 900.0;
                for j in 0..n {
                    for i in 0..n {
                        let fd = fdj[i][j];
                        // the surface node's column is the finite differences'
                        if j == n - 1 {
                            assert!(jac[i][j].is_nan(), "({i}, {j}) written");
                            continue;
                        }
                        assert!(
                            (jac[i][j] - fd).abs() <= 1e-5 * fd.abs().max(1e-3 * scale),
                            "n {n} ({i}, {j}): {} vs {fd}",
                            jac[i][j]
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn finite_volumes_conserve_lithium_and_read_the_surface_from_two_shells() {
        let s = Sphere::finite_volume(10);
        let c: Vec<f64> = (0..10).map(|i| 1000.0 + 10.0 * (i * i) as f64).collect();
        let mut out = vec![0.0; 10];
        s.rhs_varying(|v| 1e-14 * (1.0 + v / 1000.0), 5e-6, &c, 3e-5, &mut out);
        assert!((s.average(&out) + 3.0 * 3e-5 / 5e-6).abs() < 1e-9 * 3.0 * 3e-5 / 5e-6);
        assert!((s.surface(&c) - (1.5 * c[9] - 0.5 * c[8])).abs() < 1e-12 * c[9]);
        assert_eq!(s.surface_nodes(20), 28..30);
        assert_eq!(Sphere::spectral(6).surface_nodes(20), 25..26);
        let mut pat = vec![Vec::new(); 10];
        s.pattern(&mut pat, 0, &[99]);
        assert_eq!(pat[0], vec![0, 1]);
        assert_eq!(pat[8], vec![7, 8, 9, 99]);
    }
}
