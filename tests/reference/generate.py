"""Generate reference solutions with PyBaMM for validating the battbot solver.

Usage: python3 generate.py OUTDIR            (the cases in shared/reference)
       python3 generate.py OUTDIR SPEC.json  (one battbot spec with an "id")
Each case writes CASE.csv (time series sampled every `period`) and a line in
manifest.json describing the case in battbot-neutral terms. What it shares with the other
PyBaMM scripts is in pybamm_common.py.
"""
import os

import pybamm_common as common

# points per particle radius: PyBaMM's 40 finite volumes leave up to ~1 mV of particle
# discretisation error at 2-3C (0.17 mV at 1C); the references are converged in r instead
FINE_R = int(os.environ.get("FINE_R", "120"))
# a case may ask for more: the sets whose particle diffusivity varies with stoichiometry
# (Ecker2015, ORegan2022) converge slowly in r (ORegan2022 SPM at 2C: 40 shells 104 mV off
# 480, 120 shells 6.2 mV, 240 shells 0.87 mV), so their cases carry
# "reference_particle_points": 480


def run(case, outdir):
    opts = common.options(case, tuples=False)  # degradation options, e.g. {"SEI": "reaction limited"}
    pv = common.parameter_values(case, outdir)
    var_pts = {k: common.FINE for k in ["x_n", "x_s", "x_p"]}
    fine_r = int(case.get("reference_particle_points", FINE_R))
    var_pts.update(r_n=fine_r, r_p=fine_r)
    exp = common.experiment(case)
    # RTOL/ATOL: the DFN cases at 480 shells take an hour or more at 1e-8 on the shared
    # cores; their manifest entries record the tolerance they were made with
    rtol, atol = float(os.environ.get("RTOL", "1e-8")), float(os.environ.get("ATOL", "1e-10"))
    _, data, wall = common.solve_reference(case, opts, pv, exp, var_pts, rtol, atol, outdir)
    # Also time the default-mesh solve for performance anchoring.
    resolve_s = common.default_mesh_resolve_s(case, opts, pv, exp)
    meta = common.manifest_entry(case, data, resolve_s, f"PyBaMM IDAKLU rtol={rtol:g} atol={atol:g}",
                                 mesh=dict(reference_particle_points=fine_r))
    common.report(case, data, wall, resolve_s)
    return meta


if __name__ == "__main__":
    common.main(run)
