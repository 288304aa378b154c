"""What battbot's PyBaMM scripts share: a battbot spec as a PyBaMM simulation, the reference
time series and its manifest entry, the merge into manifest.json, and timings.

Imported by tests/reference/generate.py, tests/data/degradation/generate.py,
bench/vs_pybamm.py and bench/degradation.py (tests/data/reference/generate.py is a verbatim
copy of shared/reference's and stays as it is). The importers outside this folder append it
to sys.path (appended, so that this folder's bpx/ cannot shadow the bpx package).
"""
import json, os, statistics, sys, time
import numpy as np
import pybamm

# The cases of shared/reference (the generators' default when given no spec file).
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
# The time series every reference holds (and the cell temperature with a thermal model).
COLUMNS = ["Time [s]", "Current [A]", "Voltage [V]", "Discharge capacity [A.h]"]


def options(case, tuples=True):
    """PyBaMM model options of a case: its degradation options (e.g. {"SEI": "reaction
    limited"}; with `tuples`, a 2-list [negative, positive] is PyBaMM's tuple) and its
    thermal model."""
    opts = dict(case.get("options", {}))
    if tuples:
        opts = {k: tuple(v) if isinstance(v, list) else v for k, v in opts.items()}
    if case.get("thermal"):
        opts["thermal"] = case["thermal"]
    return opts


def parameter_values(case, outdir, overrides=False):
    """The case's parameter set (a `.json` one is a BPX file relative to `outdir`), with its
    parameter overrides by PyBaMM name (battbot's spec key "parameters") when `overrides`,
    and its ambient temperature."""
    ps = case["parameter_set"]
    if ps.lower().endswith(".json"):
        pv = pybamm.ParameterValues.create_from_bpx(os.path.join(outdir, ps))
    else:
        pv = pybamm.ParameterValues(ps)
    if overrides:
        for name, value in case.get("parameters", {}).items():
            pv[name] = value
    if "ambient_temperature_C" in case:
        T = 273.15 + case["ambient_temperature_C"]
        pv["Ambient temperature [K]"] = T
        pv["Initial temperature [K]"] = T
    return pv


def experiment(case):
    """The case's steps (one cycle, repeated `cycles` times) sampled every `period_s`."""
    period = case.get("period_s", 10)
    steps = case["experiment"]
    if case.get("cycles", 1) > 1:  # the step list is one cycle, repeated
        steps = [tuple(steps)] * case["cycles"]
    return pybamm.Experiment(steps, period=f"{period} seconds")


def solve_reference(case, opts, pv, exp, var_pts, rtol, atol, outdir):
    """Solves the case on `var_pts` with IDAKLU at `rtol`/`atol` and writes CASE.csv; returns
    the solution, its time series and the solve's wall time."""
    model = MODELS[case["model"]](options=opts)
    solver = pybamm.IDAKLUSolver(rtol=rtol, atol=atol)
    sim = pybamm.Simulation(model, parameter_values=pv, experiment=exp, var_pts=var_pts, solver=solver)
    t0 = time.perf_counter()
    sol = sim.solve()
    wall = time.perf_counter() - t0
    names = list(COLUMNS)
    if case.get("thermal"):
        names.append("X-averaged cell temperature [K]")
    data = np.column_stack([sol[n].entries for n in names])
    header = ",".join(names)
    np.savetxt(f"{outdir}/{case['id']}.csv", data, delimiter=",", header=header, comments="", fmt="%.9g")
    return sol, data, wall


def default_mesh_resolve_s(case, opts, pv, exp, repeats=3):
    """PyBaMM's median re-solve time at its default mesh, after one solve (performance
    anchoring)."""
    sim = pybamm.Simulation(MODELS[case["model"]](options=opts), parameter_values=pv, experiment=exp)
    sim.solve()
    return median_time(sim.solve, repeats)


def manifest_entry(case, data, resolve_s, solver, mesh={}, found={}):
    """The case's manifest entry: the spec; the reference's mesh (`mesh`: any beyond the
    points per domain), solver and PyBaMM; then what it found (`found`: any beyond the end
    state)."""
    meta = dict(case)
    meta.update(rows=int(data.shape[0]), reference_mesh_points_per_domain=FINE, **mesh)
    meta.update(reference_solver=solver,
                pybamm_version=pybamm.__version__,
                pybamm_default_mesh_resolve_s=resolve_s,
                final_voltage_V=float(data[-1, 2]), final_time_s=float(data[-1, 0]),
                discharge_capacity_Ah_max=float(np.max(data[:, 3])), **found)
    return meta


def report(case, data, wall, resolve_s):
    print(case["id"], data.shape, "ref %.2fs" % wall, "pybamm default-mesh resolve %.4fs" % resolve_s, flush=True)


def main(run, argv=None):
    """`generate.py OUTDIR [SPEC.json]`: runs `run(case, outdir)` for each case (the shared
    ones, one spec, or a JSON list of specs) and merges its entry into OUTDIR/manifest.json:
    cases already present are kept, not re-run; a failing case is logged and skipped."""
    argv = sys.argv if argv is None else argv
    outdir = argv[1]
    cases = [json.load(open(argv[2]))] if len(argv) > 2 else SHARED
    if isinstance(cases[0], list):  # a JSON list of specs
        cases = cases[0]
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


def median_time(fn, n):
    """The median wall time of `n` calls of `fn`."""
    ts = []
    for _ in range(n):
        a = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - a)
    return statistics.median(ts)
