"""Generate reference solutions with PyBaMM for validating the battbot solver.

Usage: python3 generate.py OUTDIR            (the cases in shared/reference)
       python3 generate.py OUTDIR SPEC.json  (one battbot spec with an "id")
Each case writes CASE.csv (time series sampled every `period`) and a line in
manifest.json describing the case in battbot-neutral terms. What it shares with the other
PyBaMM scripts is in tests/reference/pybamm_common.py.
"""
import os, sys

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "reference"))
import pybamm_common as common  # noqa: E402

# PyBaMM's degradation-mode summary variables, in battbot's --summary column order
MODES = [
    "Loss of active material in negative electrode [%]",
    "Loss of active material in positive electrode [%]",
    "Loss of lithium to negative SEI [mol]",
    "Loss of lithium to negative SEI on cracks [mol]",
    "Loss of lithium to negative lithium plating [mol]",
]


def write_summary(case, sol, outdir):
    """Writes CASE_summary.csv and returns its rows (cycle, capacity, LLI, [modes]).

    Per-cycle summary, as battbot's --summary: capacity discharged in each cycle (sum over
    its steps of the net discharge), PyBaMM's "Loss of lithium inventory [%]" at its end;
    cases with "degradation_modes": also PyBaMM's degradation-mode summary variables
    (battbot's --summary columns after the first three). Also used by bench/rehearse_hidden.py.
    """
    lli = sol.summary_variables["Loss of lithium inventory [%]"]
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
    return rows


def run(case, outdir):
    # degradation options, e.g. {"SEI": "reaction limited"}; a 2-list [negative, positive] is
    # PyBaMM's tuple
    opts = common.options(case)
    # with parameter overrides by PyBaMM name (battbot's spec key "parameters")
    pv = common.parameter_values(case, outdir, overrides=True)
    var_pts = {k: common.FINE for k in ["x_n", "x_s", "x_p", "r_n", "r_p"]}
    exp = common.experiment(case)
    sol, data, wall = common.solve_reference(case, opts, pv, exp, var_pts, 1e-8, 1e-10, outdir)
    rows = write_summary(case, sol, outdir)
    extra = {}
    # the porosity at the end (cases with porosity change: how far the pores filled)
    for name in ["Loss of lithium to negative SEI [mol]", "Loss of lithium to negative lithium plating [mol]"] + MODES + [
            "X-averaged negative electrode porosity"]:
        try:
            extra[name] = float(sol[name].entries[-1])
        except Exception:
            pass
    # Also time the default-mesh solve for performance anchoring.
    resolve_s = common.default_mesh_resolve_s(case, opts, pv, exp, case.get("timing_repeats", 3))
    meta = common.manifest_entry(
        case, data, resolve_s, "PyBaMM IDAKLU rtol=1e-8 atol=1e-10",
        found=dict(reference_solve_s=wall, cycle_capacity_Ah_first=rows[0][1],
                   cycle_capacity_Ah_last=rows[-1][1], lli_percent_last=rows[-1][2], **extra))
    common.report(case, data, wall, resolve_s)
    return meta


if __name__ == "__main__":
    common.main(run)
