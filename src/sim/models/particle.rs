//! Fickian diffusion in a spherical particle, finite volumes on a uniform radial mesh
//! (cell-centred, as PyBaMM discretises it), with the surface value extrapolated linearly.

use std::sync::Arc;

use crate::sim::params::{FnArgs, ParameterValues};

/// The mesh and diffusivity of one particle.
#[derive(Clone, Debug)]
pub struct Particle {
    pub n: usize,
    pub radius: f64,
    pub c_max: f64,
    /// The set's diffusivity, a function of stoichiometry and temperature.
    params: Arc<ParameterValues>,
    diffusivity: String,
    /// Whether the diffusivity is a plain number (then it is evaluated once).
    constant: Option<f64>,
    /// Volumes of the shells divided by the particle volume (weights of the average).
    pub weights: Vec<f64>,
}

/// Solves a tridiagonal system in place (Thomas algorithm): `a` sub-, `b` main, `c` super-diagonal.
fn thomas(a: &[f64], b: &mut [f64], c: &[f64], rhs: &mut [f64]) {
    let n = b.len();
    for i in 1..n {
        let m = a[i] / b[i - 1];
        b[i] -= m * c[i - 1];
        rhs[i] -= m * rhs[i - 1];
    }
    rhs[n - 1] /= b[n - 1];
    for i in (0..n - 1).rev() {
        rhs[i] = (rhs[i] - c[i] * rhs[i + 1]) / b[i];
    }
}

impl Particle {
    /// Diffusivity at stoichiometry `sto` and temperature `t` [m2.s-1].
    pub fn diffusivity(&self, sto: f64, t: f64) -> f64 {
        match self.constant {
            Some(d) => d,
            None => self
                .params
                .eval(
                    &self.diffusivity,
                    &FnArgs {
                        sto,
                        c_s_max: self.c_max,
                        c_s_surf: sto * self.c_max,
                        t,
                        ..Default::default()
                    },
                )
                .unwrap_or(f64::NAN),
        }
    }

    pub fn new(
        n: usize,
        radius: f64,
        c_max: f64,
        params: Arc<ParameterValues>,
        diffusivity: &str,
    ) -> Particle {
        let dr = radius / n as f64;
        let total = radius.powi(3);
        let weights = (0..n)
            .map(|i| (((i + 1) as f64 * dr).powi(3) - (i as f64 * dr).powi(3)) / total)
            .collect();
        let constant = params.scalar(diffusivity).ok();
        Particle {
            n,
            radius,
            c_max,
            params,
            diffusivity: diffusivity.to_string(),
            constant,
            weights,
        }
    }

    /// Surface concentration: linear extrapolation from the two outermost cells.
    pub fn surface(&self, c: &[f64]) -> f64 {
        1.5 * c[self.n - 1] - 0.5 * c[self.n - 2]
    }

    /// Volume-averaged concentration.
    pub fn average(&self, c: &[f64]) -> f64 {
        c.iter().zip(&self.weights).map(|(c, w)| c * w).sum()
    }

    /// One implicit step `alpha c_new - rhs_hist = dt (diffusion(c_new) - flux term)`, linear in
    /// the outward surface flux: returns (c for zero flux, response to unit flux).
    /// `hist` is the BDF history term `sum beta_i c_i`, `alpha` the BDF leading coefficient.
    pub fn implicit_step(
        &self,
        hist: &[f64],
        alpha: f64,
        dt: f64,
        c_guess: &[f64],
        t: f64,
    ) -> (Vec<f64>, Vec<f64>) {
        let n = self.n;
        let dr = self.radius / n as f64;
        let mut a = vec![0.0; n];
        let mut b = vec![0.0; n];
        let mut c = vec![0.0; n];
        let mut rhs = hist.to_vec();
        let mut unit = vec![0.0; n];
        for i in 0..n {
            let rl = i as f64 * dr;
            let rr = (i + 1) as f64 * dr;
            let vol = (rr.powi(3) - rl.powi(3)) / 3.0;
            // Diffusivity at the faces, from the neighbouring cells of the guess.
            let d_face = |j: usize| {
                // PyBaMM evaluates D at the nodes and averages to the faces.
                0.5 * (self.diffusivity(c_guess[j] / self.c_max, t)
                    + self.diffusivity(c_guess[j + 1] / self.c_max, t))
            };
            let gl = if i > 0 {
                rl * rl * d_face(i - 1) / dr / vol
            } else {
                0.0
            };
            let gr = if i + 1 < n {
                rr * rr * d_face(i) / dr / vol
            } else {
                0.0
            };
            b[i] = alpha + dt * (gl + gr);
            if i > 0 {
                a[i] = -dt * gl;
            }
            if i + 1 < n {
                c[i] = -dt * gr;
            }
            if i + 1 == n {
                unit[i] = -dt * rr * rr / vol;
            }
        }
        let mut b2 = b.clone();
        thomas(&a, &mut b, &c, &mut rhs);
        thomas(&a, &mut b2, &c, &mut unit);
        (rhs, unit)
    }
}
