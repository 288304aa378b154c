//! Battery models discretised through the cell by finite volumes as PyBaMM does (uniform
//! meshes in each layer, harmonic means of diffusivities at faces) and in the particles by a
//! polynomial or PyBaMM's finite volumes (see `sphere`): SPM, SPMe, DFN, with the lumped
//! thermal model. The cell's parameters are resolved once from a `ParameterValues`.

#![allow(clippy::needless_range_loop)]

pub mod degradation;
pub mod degradation_options;
pub mod dfn;
pub mod mechanics;
pub mod porosity;
pub mod sphere;
pub mod spm;
pub mod spme;
pub mod thermal;

use super::fastmath::sinh;
use super::params::{FnArgs, ParameterValues, Value};
use super::solver::Condensation;
use super::SimError;
pub use sphere::Sphere;

pub const F: f64 = 96485.33212;
pub const R_GAS: f64 = 8.314462618;

/// The control imposed during a step (currents and powers positive on discharge).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ctrl {
    Current(f64),
    Voltage(f64),
    Power(f64),
}

/// A number the set may give as a constant or as a function of temperature (thermal
/// properties), evaluated at the reference temperature.
fn num(p: &ParameterValues, name: &str, default: f64) -> f64 {
    let t = p
        .scalar_or("Reference temperature [K]", 298.15)
        .unwrap_or(298.15);
    let args = FnArgs {
        sto: 0.5,
        c_e: 1000.0,
        c_s_surf: 0.0,
        c_s_max: 1.0,
        t,
    };
    p.value_or(name, Value::Scalar(default)).eval(&args)
}

/// The stack's layers (negative collector, negative electrode, separator, positive
/// electrode, positive collector) as (density x thickness, specific heat capacity) when any
/// heat capacity is a function (of temperature); `None` when all are constants.
fn heat_capacities_of_t(p: &ParameterValues) -> Result<Option<Vec<(f64, Value)>>, SimError> {
    let layers = [
        (
            "Negative current collector",
            "Negative current collector thickness [m]",
        ),
        ("Negative electrode", "Negative electrode thickness [m]"),
        ("Separator", "Separator thickness [m]"),
        ("Positive electrode", "Positive electrode thickness [m]"),
        (
            "Positive current collector",
            "Positive current collector thickness [m]",
        ),
    ];
    let mut terms = Vec::new();
    let mut varies = false;
    for (layer, thickness) in layers {
        let cp = p.value_or(
            &format!("{layer} specific heat capacity [J.kg-1.K-1]"),
            Value::Scalar(0.0),
        );
        varies |= !matches!(cp, Value::Scalar(_));
        let rho = num(p, &format!("{layer} density [kg.m-3]"), 0.0);
        terms.push((rho * p.scalar_or(thickness, 0.0)?, cp));
    }
    Ok(varies.then_some(terms))
}

/// One electrode's resolved parameters.
#[derive(Clone, Debug)]
pub struct Electrode {
    pub l: f64,
    pub eps: f64,
    pub eps_s: f64,
    pub rad: f64,
    pub a: f64,
    pub c_max: f64,
    pub c0: f64,
    pub b_e: f64,
    pub b_s: f64,
    pub sigma: Value,
    pub d: Value,
    pub ocp: Value,
    pub dudt: Value,
    pub j0: Value,
    pub rho: f64,
    pub cp: f64,
    pub lambda: f64,
    pub sign: f64,
    /// Electrolyte concentration scale of the exchange-current regularisation.
    pub c_e_scale: f64,
    /// Whether the particle diffusivity varies with stoichiometry.
    pub d_varies: bool,
    /// Stress-induced diffusion (see `mechanics`): D (1 + theta (c - c_0)) with theta =
    /// `stress_theta_k` / T; 0 without.
    pub stress_theta_k: f64,
    pub stress_c0: f64,
}

fn softplus_asymptote(sto: f64) -> f64 {
    let a = 205.0568621937484;
    let b = 6910.192179565431;
    let c = -7.7e-4;
    let z = -b * (sto - c);
    let out = if z > 36.0 {
        z + (-z).exp().ln_1p()
    } else if z < -60.0 {
        // ln(1 + e^z) = e^z (1 + O(e^z)) < 9e-27: the barrier is < 2e-24 V, far below
        // anything the voltage resolves (and skipping exp/ln_1p here matters: the OCP is
        // evaluated at every electrode node of every residual)
        0.0
    } else {
        z.exp().ln_1p()
    };
    a * out
}

impl Electrode {
    fn new(p: &ParameterValues, dom: &str, sign: f64) -> Result<Electrode, SimError> {
        let s = |n: &str| p.scalar(&format!("{dom} {n}"));
        let eps_s = s("electrode active material volume fraction")?;
        let rad = p.scalar(&format!("{dom} particle radius [m]"))?;
        let lower = dom.to_lowercase();
        Ok(Electrode {
            l: s("electrode thickness [m]")?,
            eps: s("electrode porosity")?,
            eps_s,
            rad,
            a: 3.0 * eps_s / rad,
            c_max: p.scalar(&format!(
                "Maximum concentration in {lower} electrode [mol.m-3]"
            ))?,
            c0: p.scalar(&format!(
                "Initial concentration in {lower} electrode [mol.m-3]"
            ))?,
            b_e: s("electrode Bruggeman coefficient (electrolyte)")?,
            b_s: p.scalar_or(
                &format!("{dom} electrode Bruggeman coefficient (electrode)"),
                0.0,
            )?,
            sigma: p.value(&format!("{dom} electrode conductivity [S.m-1]"))?,
            d: p.value(&format!("{dom} particle diffusivity [m2.s-1]"))?,
            ocp: p.value(&format!("{dom} electrode OCP [V]"))?,
            dudt: p.value_or(
                &format!("{dom} electrode OCP entropic change [V.K-1]"),
                Value::Scalar(0.0),
            ),
            j0: p.value(&format!("{dom} electrode exchange-current density [A.m-2]"))?,
            rho: num(p, &format!("{dom} electrode density [kg.m-3]"), 0.0),
            cp: num(
                p,
                &format!("{dom} electrode specific heat capacity [J.kg-1.K-1]"),
                0.0,
            ),
            lambda: num(
                p,
                &format!("{dom} electrode thermal conductivity [W.m-1.K-1]"),
                0.0,
            ),
            sign,
            c_e_scale: p.scalar("Initial concentration in electrolyte [mol.m-3]")?,
            d_varies: false,
            stress_theta_k: 0.0,
            stress_c0: 0.0,
        })
        .map(|mut e| {
            e.d_varies = e.d_depends_on_sto();
            e
        })
    }

    /// Open-circuit potential at surface stoichiometry `sto` and temperature `t`.
    pub fn u(&self, sto: f64, t: f64, t_ref: f64) -> f64 {
        let tol = 1e-10;
        let sc = sto.clamp(tol, 1.0 - tol);
        let args = FnArgs {
            sto: sc,
            c_e: 0.0,
            c_s_surf: sc * self.c_max,
            c_s_max: self.c_max,
            t,
        };
        let mut u = self.ocp.eval(&args);
        if t != t_ref {
            u += (t - t_ref) * self.dudt.eval(&args);
        }
        u + softplus_asymptote(sto) - softplus_asymptote(1.0 - sto)
    }

    /// Entropic change dU/dT at `sto`.
    pub fn dudt(&self, sto: f64) -> f64 {
        let sc = sto.clamp(1e-10, 1.0 - 1e-10);
        let args = FnArgs {
            sto: sc,
            c_e: 0.0,
            c_s_surf: sc * self.c_max,
            c_s_max: self.c_max,
            t: 298.15,
        };
        self.dudt.eval(&args)
    }

    /// Exchange-current density as PyBaMM 26 evaluates it: c_e floored at 0 and c_s_surf
    /// clipped to [0, c_max] (tolerances `j0__c_e`, `j0__c_s` = 0), then the concentrations
    /// enter through regularised square roots (x -> x (x^2 + d^2)^(-1/4) in scaled units,
    /// d = 1e-3: `RegPower`). A depleted electrolyte therefore gives j0 = 0.
    pub fn j0(&self, c_e: f64, c_surf: f64, t: f64) -> f64 {
        self.j0_at(c_e, self.j0_surface(c_surf), t)
    }

    /// The regularised surface concentration `j0` hands the parameter function (computed
    /// once where many nodes share a surface, as the SPMe's).
    #[inline]
    pub fn j0_surface(&self, c_surf: f64) -> f64 {
        self.j0_surface_at_scale(c_surf, self.c_max)
    }

    /// `j0_surface` as PyBaMM's SPMe takes it: its regulariser does not recognise the
    /// x-averaged surface concentration as the registered `c_s_surf`, so the square roots of
    /// `c_s_surf` and `c_max - c_s_surf` are regularised at scale 1 (mol.m-3), not at c_max
    /// as in its SPM and DFN. Only a nearly empty or full surface tells them apart:
    /// Mohtat2020's negative at stoichiometry 0.0017 has a 7.7 % larger j0 in the SPMe.
    #[inline]
    pub fn j0_surface_spme(&self, c_surf: f64) -> f64 {
        self.j0_surface_at_scale(c_surf, 1.0)
    }

    /// The clipped surface concentration through `reg2` at `scale` (from the nearer end).
    #[inline]
    fn j0_surface_at_scale(&self, c_surf: f64, scale: f64) -> f64 {
        let c_surf = c_surf.clamp(0.0, self.c_max);
        if c_surf < 0.5 * self.c_max {
            reg2(c_surf, scale)
        } else {
            self.c_max - reg2(self.c_max - c_surf, scale)
        }
    }

    /// `j0` given `cs = j0_surface(c_surf)` (or `j0_surface_spme`).
    #[inline]
    pub fn j0_at(&self, c_e: f64, cs: f64, t: f64) -> f64 {
        let ce = reg2(c_e.max(0.0), self.c_e_scale);
        let args = FnArgs {
            sto: cs / self.c_max,
            c_e: ce,
            c_s_surf: cs,
            c_s_max: self.c_max,
            t,
        };
        self.j0.eval(&args)
    }

    /// Particle diffusivity (stoichiometry clipped to [1e-10, 1 - 1e-10] as PyBaMM's `D__c_s`).
    pub fn diff(&self, sto: f64, t: f64) -> f64 {
        let sto = sto.clamp(1e-10, 1.0 - 1e-10);
        let args = FnArgs {
            sto,
            c_e: 0.0,
            c_s_surf: sto * self.c_max,
            c_s_max: self.c_max,
            t,
        };
        self.d.eval(&args)
    }

    /// Effective solid conductivity at surface stoichiometry `sto`: Bruggeman on the solid
    /// fraction 1 - porosity (PyBaMM).
    pub fn sigma_eff(&self, sto: f64, t: f64) -> f64 {
        self.sigma(sto, t) * (1.0 - self.eps).powf(self.b_s)
    }

    /// Solid conductivity (some sets make it a function of surface stoichiometry and T;
    /// stoichiometry clipped to [1e-10, 1 - 1e-10] as PyBaMM's `sigma__c_s`).
    pub fn sigma(&self, sto: f64, t: f64) -> f64 {
        let sto = sto.clamp(1e-10, 1.0 - 1e-10);
        let args = FnArgs {
            sto,
            c_e: 0.0,
            c_s_surf: sto * self.c_max,
            c_s_max: self.c_max,
            t,
        };
        self.sigma.eval(&args)
    }
}

/// The whole cell's resolved parameters.
#[derive(Clone, Debug)]
pub struct Cell {
    pub neg: Electrode,
    pub pos: Electrode,
    pub l_sep: f64,
    pub eps_sep: f64,
    pub b_sep: f64,
    pub c_e0: f64,
    pub t_plus: Value,
    pub tdf: Value,
    pub d_e: Value,
    pub kappa_e: Value,
    /// Electrode area times the number of electrodes in parallel [m2].
    pub area: f64,
    pub n_series: f64,
    pub t_ref: f64,
    pub t_amb: f64,
    pub t_init: f64,
    pub capacity: f64,
    pub v_min: f64,
    pub v_max: f64,
    pub contact_resistance: f64,
    // thermal
    pub h_total: f64,
    pub a_cool: f64,
    pub v_cell: f64,
    pub l_cn: f64,
    pub l_cp: f64,
    pub rho_cp_cn: f64,
    pub rho_cp_cp: f64,
    pub rho_cp_sep: f64,
    /// Where the set gives a heat capacity as a function of temperature (ORegan2022): each
    /// layer's density times thickness [kg.m-2] and specific heat capacity, for the lumped
    /// model's heat capacity at the cell temperature (`thermal::rho_cp_at`), as PyBaMM's
    /// `rho_c_p_eff(T)`; `None` where all are constants (the `rho_cp` fields then hold).
    pub rho_cp_of_t: Option<Vec<(f64, Value)>>,
    pub l_y: f64,
    pub l_z: f64,
    pub sigma_cn: f64,
    pub sigma_cp: f64,
}

impl Cell {
    /// Resolves a cell from a parameter set with ambient temperature `t_amb` [K].
    pub fn new(p: &ParameterValues) -> Result<Cell, SimError> {
        let l_y = p.scalar("Electrode width [m]")?;
        let l_z = p.scalar("Electrode height [m]")?;
        let n_par = p.scalar_or(
            "Number of electrodes connected in parallel to make a cell",
            1.0,
        )?;
        let sep_rho = num(p, "Separator density [kg.m-3]", 0.0);
        let sep_cp = num(p, "Separator specific heat capacity [J.kg-1.K-1]", 0.0);
        let rho_cp_of_t = heat_capacities_of_t(p)?;
        Ok(Cell {
            neg: Electrode::new(p, "Negative", 1.0)?,
            pos: Electrode::new(p, "Positive", -1.0)?,
            l_sep: p.scalar("Separator thickness [m]")?,
            eps_sep: p.scalar("Separator porosity")?,
            b_sep: p.scalar("Separator Bruggeman coefficient (electrolyte)")?,
            c_e0: p.scalar("Initial concentration in electrolyte [mol.m-3]")?,
            t_plus: p.value("Cation transference number")?,
            tdf: p.value_or("Thermodynamic factor", Value::Scalar(1.0)),
            d_e: p.value("Electrolyte diffusivity [m2.s-1]")?,
            kappa_e: p.value("Electrolyte conductivity [S.m-1]")?,
            area: l_y * l_z * n_par,
            n_series: p.scalar_or("Number of cells connected in series to make a battery", 1.0)?,
            t_ref: p.scalar_or("Reference temperature [K]", 298.15)?,
            t_amb: p.scalar_or("Ambient temperature [K]", 298.15)?,
            t_init: p.scalar_or("Initial temperature [K]", 298.15)?,
            capacity: p.scalar("Nominal cell capacity [A.h]")?,
            v_min: p.scalar("Lower voltage cut-off [V]")?,
            v_max: p.scalar("Upper voltage cut-off [V]")?,
            contact_resistance: p.scalar_or("Contact resistance [Ohm]", 0.0)?,
            h_total: p.scalar_or("Total heat transfer coefficient [W.m-2.K-1]", 10.0)?,
            a_cool: p.scalar_or("Cell cooling surface area [m2]", 0.0)?,
            v_cell: p.scalar_or("Cell volume [m3]", 0.0)?,
            l_cn: p.scalar_or("Negative current collector thickness [m]", 0.0)?,
            l_cp: p.scalar_or("Positive current collector thickness [m]", 0.0)?,
            rho_cp_cn: num(p, "Negative current collector density [kg.m-3]", 0.0)
                * num(
                    p,
                    "Negative current collector specific heat capacity [J.kg-1.K-1]",
                    0.0,
                ),
            rho_cp_cp: num(p, "Positive current collector density [kg.m-3]", 0.0)
                * num(
                    p,
                    "Positive current collector specific heat capacity [J.kg-1.K-1]",
                    0.0,
                ),
            rho_cp_sep: sep_rho * sep_cp,
            rho_cp_of_t,
            l_y,
            l_z,
            sigma_cn: p.scalar_or(
                "Negative current collector conductivity [S.m-1]",
                f64::INFINITY,
            )?,
            sigma_cp: p.scalar_or(
                "Positive current collector conductivity [S.m-1]",
                f64::INFINITY,
            )?,
        })
    }

    fn el_args(c_e: f64, t: f64) -> FnArgs {
        FnArgs {
            sto: 0.0,
            c_e,
            c_s_surf: 0.0,
            c_s_max: 0.0,
            t,
        }
    }

    /// Electrolyte diffusivity, its concentration floored at 10 mol.m-3 (PyBaMM's `D_e__c_e`).
    pub fn d_e(&self, c_e: f64, t: f64) -> f64 {
        self.d_e.eval(&Self::el_args(c_e.max(10.0), t))
    }

    /// Electrolyte conductivity, its concentration floored at 10 mol.m-3 (PyBaMM's
    /// `kappa_e__c_e`): keeps the electrolyte-potential equations well-posed through local
    /// depletion at high C-rates.
    pub fn kappa_e(&self, c_e: f64, t: f64) -> f64 {
        self.kappa_e.eval(&Self::el_args(c_e.max(10.0), t))
    }

    pub fn t_plus(&self, c_e: f64, t: f64) -> f64 {
        self.t_plus.eval(&Self::el_args(c_e, t))
    }

    /// chi * R T / (F c_e) as in PyBaMM's electrolyte potential equation.
    pub fn chi_rt_over_fc(&self, c_e: f64, t: f64) -> f64 {
        let c = c_e.max(1e-2);
        let a = Self::el_args(c, t);
        let chi = 2.0 * (1.0 - self.t_plus.eval(&a)) * self.tdf.eval(&a);
        R_GAS * t / F * chi / c
    }

    /// Total thickness of the three layers [m].
    pub fn l_x(&self) -> f64 {
        self.neg.l + self.l_sep + self.pos.l
    }
}

/// Overpotential of symmetric Butler–Volmer kinetics for interfacial current density `j`:
/// PyBaMM's `arcsinh2(j, 2 j0)`, the denominator regularised as sign(b) hypot(b, 1e-16) so a
/// vanishing exchange current (depleted electrolyte) gives a large, finite overpotential.
#[inline]
pub fn inverse_bv(j: f64, j0: f64, t: f64) -> f64 {
    let b = 2.0 * j0;
    // sqrt(b^2 + eps^2) = hypot(b, eps) (b^2 underflowing to 0 only where hypot = eps)
    let b_eff = if b >= 0.0 { 1.0 } else { -1.0 } * (b * b + 1e-32).sqrt();
    2.0 * R_GAS * t / F * asinh(j / b_eff)
}

/// dx * sum_k of `inverse_bv(j, j0_k, t)` over nodes of equal width `dx`: the asinh of each
/// node as the logarithm of a product over eight nodes (all terms share the sign of j, and
/// each factor |x| + sqrt(x^2 + 1) >= 1), one logarithm per eight nodes instead of one each.
pub fn inverse_bv_sum(j: f64, j0: impl Iterator<Item = f64>, t: f64, dx: f64) -> f64 {
    let mut buf = [0.0f64; 8];
    let mut n = 0;
    let mut s = 0.0;
    let flush = |buf: &[f64]| -> f64 {
        let p: f64 = buf
            .iter()
            .map(|&x| {
                let a = x.abs();
                a + (a * a + 1.0).sqrt()
            })
            .product();
        if p.is_finite() {
            p.ln()
        } else {
            buf.iter().map(|&x| asinh(x.abs())).sum()
        }
    };
    for j0k in j0 {
        let b = 2.0 * j0k;
        // sqrt(b^2 + 1e-32) is |b| to the last bit once b^2 > 1e-16 (the 1e-32 falls below
        // half an ulp, and sqrt of a rounded square is exact): no square root then
        let b_eff = if b * b > 1e-16 {
            b
        } else {
            (b * b + 1e-32)
                .sqrt()
                .copysign(if b >= 0.0 { 1.0 } else { -1.0 })
        };
        let x = j / b_eff;
        if b < 0.0 {
            // a negative exchange current (never from the regularised j0): node by node
            s += asinh(x) * j.signum();
            continue;
        }
        buf[n] = x;
        n += 1;
        if n == 8 {
            s += flush(&buf);
            n = 0;
        }
    }
    s += flush(&buf[..n]);
    2.0 * R_GAS * t / F * s * j.signum() * dx
}

/// asinh by its logarithmic form (absolute error ~1e-16; faster than libm's hypot/log1p path).
#[inline]
fn asinh(x: f64) -> f64 {
    let a = x.abs();
    let r = if a > 1e8 {
        (2.0 * a).ln()
    } else {
        (a + (a * a + 1.0).sqrt()).ln()
    };
    r.copysign(x)
}

/// The functions of the exchange current take square roots of their arguments; handing them
/// s * reg_power(x / s, 1/2)^2 reproduces PyBaMM's reg_power for x >= 0.
#[inline]
fn reg2(x: f64, s: f64) -> f64 {
    let u = x / s;
    s * u * u / (u * u + 1e-6).sqrt()
}

/// Symmetric Butler–Volmer interfacial current density.
#[inline]
pub fn bv(j0: f64, eta: f64, t: f64) -> f64 {
    2.0 * j0 * sinh(0.5 * F * eta / (R_GAS * t))
}

/// Spherical particle diffusion (see `sphere`): writes dc/dt for an outward surface molar
/// flux `flux` [mol.m-2.s-1].
pub fn particle_rhs(sph: &Sphere, el: &Electrode, c: &[f64], flux: f64, t: f64, dcdt: &mut [f64]) {
    if el.stress_theta_k != 0.0 || el.d_varies {
        sph.rhs_varying(
            |v| el.stressed(v, el.diff(v / el.c_max, t), t),
            el.rad,
            c,
            flux,
            dcdt,
        );
    } else {
        sph.rhs_constant(el.diff(0.5, t), el.rad, c, flux, dcdt);
    }
}

impl Electrode {
    /// The particle diffusivity `d` at concentration `v` [mol.m-3] and temperature `t` with
    /// stress-induced diffusion (see `mechanics`): `d (1 + theta (v - c_0))`, `d` without it.
    #[inline]
    pub fn stressed(&self, v: f64, d: f64, t: f64) -> f64 {
        if self.stress_theta_k != 0.0 {
            d * (1.0 + self.stress_theta_k / t * (v - self.stress_c0))
        } else {
            d
        }
    }

    fn d_depends_on_sto(&self) -> bool {
        match &self.d {
            Value::Scalar(_) => false,
            Value::Table { arg, .. } => matches!(arg, super::params::Arg::Sto),
            other => {
                let a = |sto| FnArgs {
                    sto,
                    c_e: 0.0,
                    c_s_surf: sto * self.c_max,
                    c_s_max: self.c_max,
                    t: 298.15,
                };
                other.eval(&a(0.3)) != other.eval(&a(0.7))
            }
        }
    }
}

/// The particles' discretisation for `cell` on `mesh`: the polynomial where both electrodes'
/// diffusivities are constant, PyBaMM's finite volumes otherwise (see `sphere`).
pub fn particle_scheme(cell: &Cell, mesh: &super::Mesh) -> Sphere {
    if (cell.neg.d_varies || cell.pos.d_varies) && mesh.r_outer > 0 {
        Sphere::hybrid(
            mesh.r_n.max(mesh.r_p),
            mesh.r_outer,
            super::mesh::SINGLE_PARTICLE_SHELLS,
        )
    } else if cell.neg.d_varies || cell.pos.d_varies {
        Sphere::graded(mesh.r_n.max(mesh.r_p).max(2), mesh.r_grading)
    } else {
        Sphere::spectral(mesh.particle_nodes.clamp(2, sphere::MAX_NODES))
    }
}

/// Lithium in the particles of the single-particle models (SPM, SPMe), whose unknowns start
/// with the negative particle's nodes, then the positive's [mol].
pub fn single_particles_lithium(cell: &Cell, sph: &Sphere, y: &[f64]) -> f64 {
    let nr = sph.len();
    let vn = cell.neg.eps_s * cell.neg.l * cell.area;
    let vp = cell.pos.eps_s * cell.pos.l * cell.area;
    sph.average(&y[..nr]) * vn + sph.average(&y[nr..2 * nr]) * vp
}

/// The unknowns a single-particle model's voltage reads besides the electrolyte: the nodes
/// both surfaces read, the current `i` and (lumped) the temperature after it.
pub fn single_particles_voltage_unknowns(sph: &Sphere, i: usize, lumped: bool) -> Vec<usize> {
    let mut v: Vec<usize> = sph
        .surface_nodes(0)
        .chain(sph.surface_nodes(sph.len()))
        .collect();
    v.push(i);
    if lumped {
        v.push(i + 1);
    }
    v
}

/// Work space a model keeps between residual evaluations, so that they allocate nothing; a
/// second thread evaluating the same model at the same time gets a fresh one.
pub struct Scratch<T>(std::sync::Mutex<Option<T>>);

impl<T> Default for Scratch<T> {
    fn default() -> Self {
        Scratch(std::sync::Mutex::new(None))
    }
}

impl<T> Scratch<T> {
    /// Runs `f` on the kept work space (made by `make` the first time).
    pub fn with<R>(&self, make: impl FnOnce() -> T, f: impl FnOnce(&mut T) -> R) -> R {
        match self.0.try_lock() {
            Ok(mut kept) => f(kept.get_or_insert_with(make)),
            Err(_) => f(&mut make()),
        }
    }
}

/// A discretised model: fixed unknown layout [model unknowns…, Q, I, (T)].
pub trait Model: Send + Sync {
    fn n_unknowns(&self) -> usize;
    fn mass(&self) -> &[f64];
    fn initial_state(&self) -> Vec<f64>;
    /// Equations of the model unknowns and the temperature (the I and Q rows are filled by
    /// the caller's `Layout`).
    fn rhs(&self, y: &[f64], out: &mut [f64]);
    fn voltage(&self, y: &[f64]) -> f64;
    /// The unknowns `voltage` reads, when they are few (outputs then interpolate only these).
    fn voltage_unknowns(&self) -> Option<Vec<usize>> {
        None
    }
    /// Whether `voltage_gradient` is available (for every state).
    fn has_voltage_gradient(&self) -> bool {
        false
    }
    /// The gradient of `voltage` with respect to every unknown, for models whose voltage
    /// depends on many unknowns (the SPMe's on every electrolyte node): it lets the
    /// Jacobian's finite differences group those columns. False when not available.
    fn voltage_gradient(&self, _y: &[f64], _grad: &mut [f64]) -> bool {
        false
    }
    /// Rows of the model's own equations that depend on many unknowns and whose gradient
    /// `row_gradient` gives (the SPMe's lumped temperature).
    fn exact_rows(&self) -> Vec<usize> {
        Vec::new()
    }
    /// The gradient of row `row` of `rhs` at `y`; false when not available.
    fn row_gradient(&self, _row: usize, _y: &[f64], _grad: &mut [f64]) -> bool {
        false
    }
    /// Columns of the model's unknowns whose Jacobian `column_jacobian` writes exactly (see
    /// `solver::System::exact_columns`).
    fn exact_columns(&self) -> Vec<usize> {
        Vec::new()
    }
    /// Writes every entry of the `exact_columns` at `y` by `set(row, column, value)`.
    fn column_jacobian(&self, _y: &[f64], _set: &mut dyn FnMut(usize, usize, f64)) {}
    fn structure(&self) -> (usize, usize, usize);
    fn border_columns(&self) -> Vec<usize>;
    fn layout(&self) -> Layout;
    /// Total cyclable lithium in the particles [mol].
    fn lithium_in_particles(&self, y: &[f64]) -> f64;
    /// Degradation hook: lithium held by the side reactions beyond their initial state
    /// (SEI, plated and dead lithium) [mol].
    fn lithium_in_side_reactions(&self, _y: &[f64]) -> (f64, f64) {
        (0.0, 0.0)
    }
    /// Degradation hook: lithium held by the SEI on cracks beyond its initial state [mol].
    fn lithium_to_sei_on_cracks(&self, _y: &[f64]) -> f64 {
        0.0
    }
    /// Degradation hook: the fraction of each electrode's active material left
    /// `[negative, positive]` (1 without loss of active material).
    fn active_material_left(&self, _y: &[f64]) -> [f64; 2] {
        [1.0, 1.0]
    }
    /// Degradation hook: x-averaged SEI thickness [m], when the SEI grows.
    fn sei_thickness(&self, _y: &[f64]) -> Option<f64> {
        None
    }
    /// Rows each unknown enters (see `solver::System::sparsity`).
    fn sparsity(&self) -> Option<Vec<Vec<usize>>> {
        None
    }
    /// Local blocks for static condensation (see `solver::System::condensation`).
    fn condensation(&self) -> Option<Condensation> {
        None
    }
    /// Scales of the unknowns' absolute tolerances (see `solver::System::atol_scales`).
    fn atol_scales(&self) -> Option<Vec<f64>> {
        None
    }
    /// Output hook: the model's variables at `y` by PyBaMM's names (see `sim::variables`).
    fn variables(&self, _y: &[f64]) -> Vec<super::variables::VarValue> {
        Vec::new()
    }
}

/// Indices of the global unknowns.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    pub q: usize,
    pub i: usize,
    pub t: Option<usize>,
}

/// The through-cell finite-volume mesh: uniform within each of the three layers.
#[derive(Clone, Debug)]
pub struct XMesh {
    pub nn: usize,
    pub ns: usize,
    pub np: usize,
    /// Node (cell-centre) positions [m].
    pub x: Vec<f64>,
    /// Cell widths [m].
    pub dx: Vec<f64>,
    /// Edge positions [m] (len = cells + 1).
    pub edges: Vec<f64>,
    /// Porosity and Bruggeman transport efficiency eps^b of each node.
    eps: Vec<f64>,
    tor: Vec<f64>,
}

impl XMesh {
    pub fn new(cell: &Cell, nn: usize, ns: usize, np: usize) -> XMesh {
        let mut edges = Vec::with_capacity(nn + ns + np + 1);
        let mut push = |x0: f64, l: f64, n: usize, first: bool| {
            for k in 0..=n {
                if k == 0 && !first {
                    continue;
                }
                edges.push(x0 + l * k as f64 / n as f64);
            }
        };
        push(0.0, cell.neg.l, nn, true);
        push(cell.neg.l, cell.l_sep, ns, false);
        push(cell.neg.l + cell.l_sep, cell.pos.l, np, false);
        let x = edges.windows(2).map(|w| 0.5 * (w[0] + w[1])).collect();
        let dx = edges.windows(2).map(|w| w[1] - w[0]).collect();
        let mut xm = XMesh {
            nn,
            ns,
            np,
            x,
            dx,
            edges,
            eps: Vec::new(),
            tor: Vec::new(),
        };
        for k in 0..xm.len() {
            let (eps, b) = if k < nn {
                (cell.neg.eps, cell.neg.b_e)
            } else if k < nn + ns {
                (cell.eps_sep, cell.b_sep)
            } else {
                (cell.pos.eps, cell.pos.b_e)
            };
            xm.eps.push(eps);
            xm.tor.push(eps.powf(b));
        }
        xm
    }

    pub fn len(&self) -> usize {
        self.x.len()
    }

    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// Porosity and Bruggeman transport efficiency of node k.
    pub fn eps_tor(&self, _cell: &Cell, k: usize) -> (f64, f64) {
        (self.eps[k], self.tor[k])
    }

    /// Arithmetic (distance-weighted) mean of nodal values onto interior edge k (1..len).
    #[inline]
    pub fn arith(&self, v: &[f64], k: usize) -> f64 {
        let w = self.dx[k - 1] / (self.dx[k - 1] + self.dx[k]);
        (1.0 - w) * v[k - 1] + w * v[k]
    }

    /// Harmonic mean (PyBaMM's) of nodal values onto interior edge k.
    #[inline]
    pub fn harm(&self, v: &[f64], k: usize) -> f64 {
        let beta = self.dx[k - 1] / (self.dx[k - 1] + self.dx[k]);
        1.0 / (beta / v[k - 1] + (1.0 - beta) / v[k])
    }

    /// Mean of nodal values over nodes lo..hi weighted by cell widths.
    pub fn average(&self, v: &[f64], lo: usize, hi: usize) -> f64 {
        let mut s = 0.0;
        let mut l = 0.0;
        for k in lo..hi {
            s += v[k] * self.dx[k];
            l += self.dx[k];
        }
        s / l
    }
}

/// Electrolyte mass conservation eps dc/dt = -div(N) + a j / F with
/// N = -tor D_e grad c + t+ i_e / F. `i_e` is given on all edges, `aj` per node [A.m-3].
#[allow(clippy::too_many_arguments)]
pub fn electrolyte_rhs(
    cell: &Cell,
    xm: &XMesh,
    c: &[f64],
    temp: &[f64],
    i_e: &[f64],
    aj: &[f64],
    work: &mut [f64],
    out: &mut [f64],
) {
    // the balance of eps c at the mesh's fixed porosity, divided by it
    porosity::electrolyte_eps_rhs(cell, xm, c, &xm.tor, temp, i_e, aj, work, out);
    for (o, eps) in out.iter_mut().zip(&xm.eps) {
        *o /= eps;
    }
}

/// `-div(N) + a j / F` per node with N = -`work` grad c + t+ i_e / F, `work` holding the
/// effective diffusivity tor D_e at the nodes: the electrolyte's balance before it is divided
/// by a fixed porosity (`electrolyte_rhs`) or solved for eps c (`porosity`).
#[allow(clippy::too_many_arguments)]
pub(super) fn electrolyte_balance(
    cell: &Cell,
    xm: &XMesh,
    c: &[f64],
    temp: &[f64],
    i_e: &[f64],
    aj: &[f64],
    work: &[f64],
    out: &mut [f64],
) {
    let nx = xm.len();
    let tp_const = matches!(cell.t_plus, Value::Scalar(_));
    let tp0 = if tp_const {
        cell.t_plus(cell.c_e0, cell.t_ref)
    } else {
        0.0
    };
    let mut n_left = if tp_const {
        tp0 * i_e[0] / F
    } else {
        cell.t_plus(c[0], temp[0]) * i_e[0] / F
    };
    for k in 0..nx {
        let n_right = if k + 1 < nx {
            let d = xm.harm(work, k + 1);
            let tp = if tp_const {
                tp0
            } else {
                let a = cell.t_plus(c[k], temp[k]);
                let b = cell.t_plus(c[k + 1], temp[k + 1]);
                let w = xm.dx[k] / (xm.dx[k] + xm.dx[k + 1]);
                (1.0 - w) * a + w * b
            };
            -d * (c[k + 1] - c[k]) / (xm.x[k + 1] - xm.x[k]) + tp * i_e[k + 1] / F
        } else {
            let tp = if tp_const {
                tp0
            } else {
                cell.t_plus(c[k], temp[k])
            };
            tp * i_e[nx] / F
        };
        out[k] = -(n_right - n_left) / xm.dx[k] + aj[k] / F;
        n_left = n_right;
    }
}

/// Output hook of the single-particle models (SPM, SPMe), whose unknowns start with the
/// negative particle's nodes, then the positive's: their x-averaged particle variables given
/// the x-averaged overpotentials `eta`, and the heat source `q_stack` [W.m-2] of a lumped
/// thermal model, current collectors included (PyBaMM's isothermal models have none).
pub fn single_particle_variables(
    cell: &Cell,
    sph: &Sphere,
    y: &[f64],
    eta: (f64, f64),
    t: f64,
    q_stack: Option<f64>,
) -> Vec<super::variables::VarValue> {
    use super::variables::VarValue;
    let nr = sph.len();
    let (cn, cp) = (sph.surface(&y[..nr]), sph.surface(&y[nr..2 * nr]));
    let un = cell.neg.u(cn / cell.neg.c_max, t, cell.t_ref);
    let up = cell.pos.u(cp / cell.pos.c_max, t, cell.t_ref);
    let radii = sph.node_radii();
    let at = |rad: f64| radii.iter().map(|r| r * rad).collect::<Vec<f64>>();
    let mut out = vec![
        VarValue::scalar(
            "X-averaged negative particle surface concentration [mol.m-3]",
            cn,
        ),
        VarValue::scalar(
            "X-averaged positive particle surface concentration [mol.m-3]",
            cp,
        ),
        VarValue::scalar(
            "X-averaged negative electrode reaction overpotential [V]",
            eta.0,
        ),
        VarValue::scalar(
            "X-averaged positive electrode reaction overpotential [V]",
            eta.1,
        ),
        VarValue::scalar(
            "X-averaged negative electrode open-circuit potential [V]",
            un,
        ),
        VarValue::scalar(
            "X-averaged positive electrode open-circuit potential [V]",
            up,
        ),
        VarValue::r(
            "X-averaged negative particle concentration [mol.m-3]",
            at(cell.neg.rad),
            y[..nr].to_vec(),
        ),
        VarValue::r(
            "X-averaged positive particle concentration [mol.m-3]",
            at(cell.pos.rad),
            y[nr..2 * nr].to_vec(),
        ),
    ];
    if let Some(q) = q_stack {
        // over the whole cell, current collectors included, as PyBaMM
        out.push(VarValue::scalar(
            "X-averaged total heating [W.m-3]",
            q / thermal::cell_thickness(cell),
        ));
    }
    out
}
