//! Fickian diffusion in a spherical particle, finite volumes on a uniform radial mesh
//! (cell-centred, as PyBaMM discretises it), with the surface value extrapolated linearly.

/// The mesh and diffusivity of one particle.
#[derive(Clone, Debug)]
pub struct Particle {
    pub n: usize,
    pub radius: f64,
    /// Diffusivity as a function of stoichiometry [m2.s-1].
    pub diffusivity: fn(f64, &ParticleParams) -> f64,
    pub params: ParticleParams,
    /// Volumes of the shells divided by the particle volume (weights of the average).
    pub weights: Vec<f64>,
}

/// What a diffusivity function may need.
#[derive(Clone, Copy, Debug)]
pub struct ParticleParams {
    pub c_max: f64,
    pub d_ref: f64,
}

/// A constant diffusivity.
pub fn constant_diffusivity(_sto: f64, p: &ParticleParams) -> f64 {
    p.d_ref
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
    pub fn new(
        n: usize,
        radius: f64,
        params: ParticleParams,
        diffusivity: fn(f64, &ParticleParams) -> f64,
    ) -> Particle {
        let dr = radius / n as f64;
        let total = radius.powi(3);
        let weights = (0..n)
            .map(|i| (((i + 1) as f64 * dr).powi(3) - (i as f64 * dr).powi(3)) / total)
            .collect();
        Particle {
            n,
            radius,
            diffusivity,
            params,
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
                let sto = 0.5 * (c_guess[j] + c_guess[j + 1]) / self.params.c_max;
                (self.diffusivity)(sto, &self.params)
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
