//! The meshes: points per electrode, separator and particle, the default and cycling meshes,
//! and the mesh a spec asks for.

use super::{models, SimSpec};

/// Points per domain of the meshes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mesh {
    pub x_n: usize,
    /// Separator cells; 0: as many as give them the electrodes' mean cell width (see
    /// `Mesh::for_spec`).
    pub x_s: usize,
    pub x_p: usize,
    /// Finite-volume shells per particle radius, for particles whose diffusivity varies with
    /// stoichiometry (see `models::sphere`); 0 (the default mesh): chosen per model by
    /// `Mesh::particles_for`.
    pub r_n: usize,
    pub r_p: usize,
    /// Width of the centre shell over that of the surface shell (geometric grading towards
    /// the surface, integral-mean edge diffusivities; 1: PyBaMM's uniform shells and harmonic
    /// means). See `models::sphere::Sphere::graded`.
    pub r_grading: f64,
    /// Of the shells, the outer ones laid as PyBaMM's `SINGLE_PARTICLE_SHELLS` uniform shells
    /// (their width, harmonic means, surface extrapolation), the others then growing towards
    /// the centre with integral means, `r_grading` unused (`models::sphere::Sphere::hybrid`);
    /// 0: none (graded or uniform shells by `r_grading`).
    pub r_outer: usize,
    /// Nodes of the particles' polynomial (constant diffusivity, see `models::sphere`).
    pub particle_nodes: usize,
}

impl Default for Mesh {
    /// 40 points per electrode and separator, and in the particles 8 polynomial nodes, or
    /// where the diffusivity varies with stoichiometry the model's shells
    /// (`Mesh::particles_for`). With PyBaMM's finite volumes reproduced (uniform meshes,
    /// harmonic-mean fluxes, extrapolated surface values, its regularisations; `r_grading` 1
    /// in the particles) battsim agrees with PyBaMM's 40-point solutions to ~0.01 mV. The
    /// 8-node particles are closer to the converged solution than PyBaMM's 40 shells (which
    /// leave 0.17 mV at 1C and ~1 mV at 3C on Chen2020). Coarser meshes leave a
    /// discretisation error of 1-20 mV at high C-rates, in the cold and with
    /// stoichiometry-dependent diffusivities (ORegan2022), which converge slowly under
    /// harmonic means.
    fn default() -> Self {
        Mesh {
            x_n: 40,
            x_s: 40,
            x_p: 40,
            r_n: 0,
            r_p: 0,
            r_grading: SHELL_GRADING,
            r_outer: 0,
            particle_nodes: 8,
        }
    }
}

/// The grading of graded finite-volume shells: the centre shell 10× as wide as the surface
/// shell, with integral-mean edge diffusivities (`models::sphere::Sphere::graded`). Chosen by
/// the convergence study in the README: on ORegan2022's SPM at 2C, 40 and 80 shells graded
/// 10× land 2.2 and 0.67 mV from PyBaMM's 480 where 3× and 30× land 4.8/1.5 and 2.4/0.85 mV.
pub const SHELL_GRADING: f64 = 10.0;

/// Shells per particle radius of the single-particle models (SPM, SPMe) where the
/// diffusivity varies with stoichiometry: PyBaMM's uniform shells and harmonic means at its
/// reference resolution, 480. Two particles of tridiagonal blocks keep that cheap (the SPM
/// ORegan2022 at 2C: ~0.23 s of CPU; within 0.006 mV of PyBaMM's 480, which is itself
/// 0.22 mV from 1920 shells).
pub const SINGLE_PARTICLE_SHELLS: usize = 480;

/// Shells per particle radius of the DFN where the diffusivity varies with stoichiometry:
/// `DFN_OUTER_SHELLS` of them PyBaMM's 480 uniform shells under the surface (its width, harmonic
/// means and surface extrapolation), the other 80 growing geometrically over the inner two
/// thirds of the radius towards the centre, with integral means (`Sphere::hybrid`). PyBaMM's
/// 480 are 0.22 mV from the converged solution (1920 shells) on ORegan2022 at 2C, so a mesh
/// that converges (120 graded 10×: 0.32 mV from PyBaMM's 480, 240: 0.215 mV) cannot come
/// close to it; this one reproduces PyBaMM's scheme where the fronts and the diffusivity's
/// dips pass most steeply and is coarse at the centre, where PyBaMM's tiny shells cost most
/// of its steps: the DFN ORegan2022 at 2C lands 0.072 mV from PyBaMM's 480 in 5.8 s of CPU
/// (PyBaMM's scheme on all 480: 0.006 mV in 16.4 s; 120 graded: 0.32 mV in 2.7 s). See the
/// README's particle-mesh study.
pub const DFN_SHELLS: usize = 240;

/// The outer shells of `DFN_SHELLS` laid as PyBaMM's 480 (a third of the radius).
pub const DFN_OUTER_SHELLS: usize = 160;

/// Polynomial particle nodes for `n` points per domain: 6 at PyBaMM's default 20 (~10× closer
/// to the converged surface concentration than its 20 shells), 8 at 40.
pub const fn particle_nodes_for(n: usize) -> usize {
    let k = 4 + n / 10;
    if k > 24 {
        24
    } else {
        k
    }
}

/// Experiments of at least this many cycles are built for cycling: on `Mesh::cycling()`,
/// with relative tolerance `CYCLING_RTOL`.
pub const CYCLING_MESH_MIN_CYCLES: u32 = 10;

/// The integrator's relative tolerance for long experiments. On the degradation references
/// it keeps the loss of lithium inventory within ~1 % of PyBaMM's (its default 1e-4 lets it
/// wander by ~2-3 %) and each cycle's capacity within ~0.02 % of the capacity, at 70 % of
/// the steps of 1e-5.
pub const CYCLING_RTOL: f64 = 5e-5;

impl Mesh {
    /// The mesh of long experiments (degradation studies over tens to hundreds of cycles):
    /// 10 points per electrode, 5 in the separator, 6 polynomial nodes (or 15 shells) per
    /// particle. What such runs report is the per-cycle summary; on the SEI and plating
    /// references it keeps each cycle's discharge capacity within ~0.02 % of the capacity
    /// (≤ 1 % of the fade over 100 cycles) of PyBaMM's 40-point solution, at a fraction of the
    /// cost of the default mesh. The voltage curve itself is then within a few mV, not the
    /// default mesh's ~0.1 mV.
    pub fn cycling() -> Mesh {
        Mesh {
            x_n: 10,
            x_s: 5,
            x_p: 10,
            r_n: 15,
            r_p: 15,
            r_grading: SHELL_GRADING,
            r_outer: 0,
            particle_nodes: 6,
        }
    }

    /// The mesh `Simulation::build` uses for `spec`: its `points_per_domain` N in each
    /// electrode (N shells or 4 + N/10 polynomial nodes in the particles) and a separator of
    /// cells as wide as the electrodes' on average, else `Mesh::cycling()` for experiments of
    /// `CYCLING_MESH_MIN_CYCLES` cycles or more, the default mesh otherwise.
    ///
    /// Why the separator follows the electrodes' cell width: the finite volumes are first
    /// order where the cell width jumps (the gradient between two cell centres is not centred
    /// on the edge between them), and N cells in a separator 7× thinner than the electrodes
    /// (Chen2020) make that jump 7×. On the DFN Chen2020 1C, 10 + 2 + 10 cells land 0.38 mV
    /// from a 160-cell solution where 10 + 10 + 10 land 0.94 mV, in less time. Coarse
    /// meshes suit moderate rates only: at 3C, 20 points per electrode are 5–7 mV off either
    /// way (a resolved separator does a little better there); the default mesh is 0.1 mV off.
    pub fn for_spec(spec: &SimSpec) -> Mesh {
        if let Some(n) = spec.points_per_domain {
            Mesh {
                x_n: n,
                x_s: 0,
                x_p: n,
                r_n: n,
                r_p: n,
                r_grading: SHELL_GRADING,
                r_outer: 0,
                particle_nodes: particle_nodes_for(n),
            }
        } else if spec.cycles.unwrap_or(1) >= CYCLING_MESH_MIN_CYCLES {
            Mesh::cycling()
        } else {
            Mesh::default()
        }
    }

    /// The particles' shells for `model` ("spm", "spme" or "dfn") when `r_n` and `r_p` are 0
    /// (the default mesh): `SINGLE_PARTICLE_SHELLS` uniform ones on the single-particle models
    /// and `DFN_SHELLS` (`DFN_OUTER_SHELLS` of them PyBaMM's) on the DFN when `varies` (a particle diffusivity depends on
    /// stoichiometry, so the particles are finite volumes), else 40 (unused by the
    /// polynomial particles; stress-induced diffusion puts the SPM's and SPMe's on 40 uniform
    /// shells, the DFN keeps its polynomial, see `dfn::polynomial_under_stress`).
    pub(super) fn particles_for(self, model: &str, varies: bool) -> Mesh {
        if self.r_n != 0 || self.r_p != 0 {
            return self;
        }
        let (shells, grading, outer) = match (varies, model) {
            (false, _) => (40, self.r_grading, 0),
            (true, "dfn") => (DFN_SHELLS, SHELL_GRADING, DFN_OUTER_SHELLS),
            (true, _) => (SINGLE_PARTICLE_SHELLS, 1.0, 0),
        };
        Mesh {
            r_n: shells,
            r_p: shells,
            r_grading: grading,
            r_outer: outer,
            ..self
        }
    }

    /// The separator cells for `cell` when `x_s` is 0: its thickness over the electrodes'
    /// mean cell width, rounded up.
    pub(super) fn resolved(self, cell: &models::Cell) -> Mesh {
        if self.x_s > 0 {
            return self;
        }
        let width =
            0.5 * (cell.neg.l / self.x_n.max(1) as f64 + cell.pos.l / self.x_p.max(1) as f64);
        let x_s = (cell.l_sep / width).ceil().max(1.0) as usize;
        Mesh { x_s, ..self }
    }
}
