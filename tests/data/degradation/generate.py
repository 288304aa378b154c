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

# PyBaMM's degradation-mode summary variables, in battbot's --summary column order
MODES = [
    "Loss of active material in negative electrode [%]",
    "Loss of active material in positive electrode [%]",
    "Loss of lithium to negative SEI [mol]",
    "Loss of lithium to negative SEI on cracks [mol]",
    "Loss of lithium to negative lithium plating [mol]",
]

MODELS = {"SPM": pybamm.lithium_ion.SPM, "SPMe": pybamm.lithium_ion.SPMe, "DFN": pybamm.lithium_ion.DFN}
FINE = 40  # finite-volume points per domain for the reference


def run(case, outdir):
    # degradation options, e.g. {"SEI": "reaction limited"}; a 2-list [negative, positive] is
    # PyBaMM's tuple
    opts = {k: tuple(v) if isinstance(v, list) else v for k, v in case.get("options", {}).items()}
    if case.get("thermal"):
        opts["thermal"] = case["thermal"]
    model = MODELS[case["model"]](options=opts)
    ps = case["parameter_set"]
    if ps.lower().endswith(".json"):  # a BPX file, relative to OUTDIR
        pv = pybamm.ParameterValues.create_from_bpx(os.path.join(outdir, ps))
    else:
        pv = pybamm.ParameterValues(ps)
    # parameter overrides by PyBaMM name (battbot's spec key "parameters")
    for name, value in case.get("parameters", {}).items():
        pv[name] = value
    if "ambient_temperature_C" in case:
        T = 273.15 + case["ambient_temperature_C"]
        pv["Ambient temperature [K]"] = T
        pv["Initial temperature [K]"] = T
    var_pts = {k: FINE for k in ["x_n", "x_s", "x_p", "r_n", "r_p"]}
    period = case.get("period_s", 10)
    steps = case["experiment"]
    if case.get("cycles", 1) > 1:  # the step list is one cycle, repeated
        steps = [tuple(steps)] * case["cycles"]
    exp = pybamm.Experiment(steps, period=f"{period} seconds")
    solver = pybamm.IDAKLUSolver(rtol=1e-8, atol=1e-10)
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
    # Per-cycle summary, as battbot's --summary: capacity discharged in each cycle (sum over
    # its steps of the net discharge), PyBaMM's "Loss of lithium inventory [%]" at its end.
    lli = sol.summary_variables["Loss of lithium inventory [%]"]
    # cases with "degradation_modes": the summary also carries PyBaMM's degradation-mode
    # summary variables (battbot's --summary columns after the first three)
    modes = MODES if case.get("degradation_modes") else []
    rows = []
    for k, cyc in enumerate(sol.cycles):
        q = 0.0
        for st in cyc.steps:
            dq = st["Discharge capacity [A.h]"].entries
            q += max(dq[-1] - dq[0], 0.0)
        rows.append((k + 1, q, lli[k], [float(sol.summary_variables[m][k]) for m in modes]))
    with open(f"{outdir}/{case['id']}_summary.csv", "w") as f:
        f.write(",".join(["Cycle", "Discharge capacity [A.h]", "Loss of lithium inventory [%]"] + modes) + "\n")
        for c, q, l, extra_modes in rows:
            f.write(",".join([str(c), f"{q:.9g}", f"{l:.9g}"] + [f"{v:.9g}" for v in extra_modes]) + "\n")
    extra = {}
    # the porosity at the end (cases with porosity change: how far the pores filled)
    for name in ["Loss of lithium to negative SEI [mol]", "Loss of lithium to negative lithium plating [mol]"] + MODES + [
            "X-averaged negative electrode porosity"]:
        try:
            extra[name] = float(sol[name].entries[-1])
        except Exception:
            pass
    # Also time the default-mesh solve for performance anchoring.
    sim2 = pybamm.Simulation(MODELS[case["model"]](options=opts), parameter_values=pv, experiment=exp)
    sim2.solve()
    ts = []
    for _ in range(case.get("timing_repeats", 3)):
        a = time.perf_counter(); sim2.solve(); ts.append(time.perf_counter() - a)
    meta = dict(case)
    meta.update(rows=int(data.shape[0]), reference_mesh_points_per_domain=FINE,
                reference_solver="PyBaMM IDAKLU rtol=1e-8 atol=1e-10",
                pybamm_version=pybamm.__version__,
                pybamm_default_mesh_resolve_s=float(np.median(ts)),
                final_voltage_V=float(data[-1, 2]), final_time_s=float(data[-1, 0]),
                discharge_capacity_Ah_max=float(np.max(data[:, 3])),
                reference_solve_s=wall, cycle_capacity_Ah_first=rows[0][1],
                cycle_capacity_Ah_last=rows[-1][1], lli_percent_last=rows[-1][2], **extra)
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
