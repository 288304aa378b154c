//! Physical constants exactly as PyBaMM takes them (scipy.constants, CODATA 2018), so the
//! parameter functions reproduce PyBaMM's to rounding.

/// Molar gas constant [J.mol-1.K-1] (`pybamm.constants.R`).
pub const R: f64 = 8.31446261815324;
/// Faraday constant [C.mol-1] (`pybamm.constants.F`).
pub const F: f64 = 96485.33212331001;
/// Boltzmann constant [J.K-1] (`pybamm.constants.k_b`).
pub const K_B: f64 = 1.380649e-23;
/// Elementary charge [C] (`pybamm.constants.q_e`).
pub const Q_E: f64 = 1.602176634e-19;
