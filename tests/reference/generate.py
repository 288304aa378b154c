"""Generate reference solutions with PyBaMM for validating the battbot solver.

Usage: python3 generate.py OUTDIR            (the cases in shared/reference)
       python3 generate.py OUTDIR SPEC.json  (one battbot spec with an "id")
Each case writes CASE.csv (time series sampled every `period`) and a line in
manifest.json describing the case in battbot-neutral terms.
"""
import json, os, sys, time
import numpy as np
import pybamm

SHARED = [
    dict(id="spm_chen2020_1C", model="SPM", parameter_set="Chen2020", experiment=["Discharge at 1C until 2.5 V"]),
    dict(id="spme_chen2020_1C", model="SPMe", parameter_set="Chen2020", experiment=["Discharge at 1C until 2.5 V"]),
    dict(id="dfn_chen2020_1C", model="DFN", parameter_set="Chen2020", experiment=["Discharge at 1C until 2.5 V"]),
    dict(id="dfn_marquis2019_1C", model="DFN", parameter_set="Marquis2019", experiment=["Discharge at 1C until 3.105 V"]),
    dict(id="dfn_chen2020_cycle", model="DFN", parameter_set="Chen2020",
         experiment=["Discharge at 1C until 2.5 V", "Rest for 30 minutes", "Charge at 0.5C until 4.2 V", "Hold at 4.2 V until 50 mA"]),
    dict(id="spme_chen2020_2C_lumped", model="SPMe", parameter_set="Chen2020", thermal="lumped", experiment=["Discharge at 2C until 2.5 V"]),
]

MODELS = {"SPM": pybamm.lithium_ion.SPM, "SPMe": pybamm.lithium_ion.SPMe, "DFN": pybamm.lithium_ion.DFN}
FINE = 40  # finite-volume points per domain for the reference
# points per particle radius: PyBaMM's 40 finite volumes leave up to ~1 mV of particle
# discretisation error at 2-3C (0.17 mV at 1C); the references are converged in r instead
FINE_R = int(os.environ.get("FINE_R", "120"))
# a case may ask for more: the sets whose particle diffusivity varies with stoichiometry
# (Ecker2015, ORegan2022) converge slowly in r (ORegan2022 SPM at 2C: 40 shells 104 mV off
# 480, 120 shells 6.2 mV, 240 shells 0.87 mV), so their cases carry
# "reference_particle_points": 480


def run(case, outdir):
    opts = dict(case.get("options", {}))  # degradation options, e.g. {"SEI": "reaction limited"}
    if case.get("thermal"):
        opts["thermal"] = case["thermal"]
    model = MODELS[case["model"]](options=opts)
    ps = case["parameter_set"]
    if ps.lower().endswith(".json"):  # a BPX file, relative to OUTDIR
        pv = pybamm.ParameterValues.create_from_bpx(os.path.join(outdir, ps))
    else:
        pv = pybamm.ParameterValues(ps)
    if "ambient_temperature_C" in case:
        T = 273.15 + case["ambient_temperature_C"]
        pv["Ambient temperature [K]"] = T
        pv["Initial temperature [K]"] = T
    var_pts = {k: FINE for k in ["x_n", "x_s", "x_p"]}
    fine_r = int(case.get("reference_particle_points", FINE_R))
    var_pts.update(r_n=fine_r, r_p=fine_r)
    period = case.get("period_s", 10)
    steps = case["experiment"]
    if case.get("cycles", 1) > 1:  # the step list is one cycle, repeated
        steps = [tuple(steps)] * case["cycles"]
    exp = pybamm.Experiment(steps, period=f"{period} seconds")
    # RTOL/ATOL: the DFN cases at 480 shells take an hour or more at 1e-8 on the shared
    # cores; their manifest entries record the tolerance they were made with
    rtol, atol = float(os.environ.get("RTOL", "1e-8")), float(os.environ.get("ATOL", "1e-10"))
    solver = pybamm.IDAKLUSolver(rtol=rtol, atol=atol)
    sim = pybamm.Simulation(model, parameter_values=pv, experiment=exp, var_pts=var_pts, solver=solver)
    t0 = time.perf_counter()
    sol = sim.solve()
    wall = time.perf_counter() - t0
    names = ["Time [s]", "Current [A]", "Voltage [V]", "Discharge capacity [A.h]"]
    if case.get("thermal"):
        names.append("X-averaged cell temperature [K]")
    cols = [sol[n].entries for n in names]
    data = np.column_stack(cols)
    header = ",".join(names)
    np.savetxt(f"{outdir}/{case['id']}.csv", data, delimiter=",", header=header, comments="", fmt="%.9g")
    # Also time the default-mesh solve for performance anchoring.
    sim2 = pybamm.Simulation(MODELS[case["model"]](options=opts), parameter_values=pv, experiment=exp)
    sim2.solve()
    ts = []
    for _ in range(3):
        a = time.perf_counter(); sim2.solve(); ts.append(time.perf_counter() - a)
    meta = dict(case)
    meta.update(rows=int(data.shape[0]), reference_mesh_points_per_domain=FINE, reference_particle_points=fine_r,
                reference_solver=f"PyBaMM IDAKLU rtol={rtol:g} atol={atol:g}",
                pybamm_version=pybamm.__version__,
                pybamm_default_mesh_resolve_s=float(np.median(ts)),
                final_voltage_V=float(data[-1, 2]), final_time_s=float(data[-1, 0]),
                discharge_capacity_Ah_max=float(np.max(data[:, 3])))
    print(case["id"], data.shape, "ref %.2fs" % wall, "pybamm default-mesh resolve %.4fs" % np.median(ts), flush=True)
    return meta


def main():
    outdir = sys.argv[1]
    cases = [json.load(open(sys.argv[2]))] if len(sys.argv) > 2 else SHARED
    if isinstance(cases[0], list):  # a JSON list of specs
        cases = cases[0]
    # Merge into an existing manifest: cases already present are kept, not re-run.
    path = f"{outdir}/manifest.json"
    try:
        manifest = json.load(open(path))
    except (OSError, ValueError):
        manifest = []
    done = {m["id"] for m in manifest}
    for c in cases:
        if c["id"] in done:
            continue
        try:
            manifest.append(run(c, outdir))
        except Exception as e:  # record and go on with the other cases
            print(c["id"], "FAILED", repr(e), flush=True)
            continue
        with open(path, "w") as f:
            json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
