"""PyBaMM references for battbot's output variables (tests/it/variables.rs).

Usage: /work/venv/bin/python generate.py [OUTDIR]   (default: this directory)
Writes references.json: for each case a battbot spec, the scalar variables on PyBaMM's
output times and the distributed ones at a few snapshot times, on PyBaMM's nodes. The mesh
is 40 finite-volume points per domain (x_n, x_s, x_p, r_n, r_p) as battbot's default mesh
through the cell; IDAKLU with rtol 1e-8, atol 1e-10; output every 10 s.
"""
import json, os, sys
import numpy as np
import pybamm

CASES = [
    dict(id="dfn_chen2020_1C", model="DFN", parameter_set="Chen2020",
         experiment=["Discharge at 1C until 2.5 V"],
         scalars=["X-averaged negative particle surface concentration [mol.m-3]",
                  "X-averaged positive particle surface concentration [mol.m-3]",
                  "X-averaged negative electrode reaction overpotential [V]",
                  "X-averaged positive electrode reaction overpotential [V]",
                  "X-averaged negative electrode open-circuit potential [V]",
                  "X-averaged positive electrode open-circuit potential [V]"],
         distributed=["Electrolyte concentration [mol.m-3]",
                      "Electrolyte potential [V]",
                      "Negative electrode potential [V]",
                      "Positive electrode potential [V]",
                      "Negative particle surface concentration [mol.m-3]",
                      "Positive particle surface concentration [mol.m-3]",
                      "Negative electrode reaction overpotential [V]",
                      "Positive electrode reaction overpotential [V]"]),
    dict(id="dfn_chen2020_1C_lumped", model="DFN", parameter_set="Chen2020", thermal="lumped",
         experiment=["Discharge at 1C until 2.5 V"],
         scalars=["X-averaged total heating [W.m-3]",
                  "X-averaged Ohmic heating [W.m-3]",
                  "X-averaged irreversible electrochemical heating [W.m-3]",
                  "X-averaged reversible heating [W.m-3]",
                  "X-averaged negative particle surface concentration [mol.m-3]"],
         distributed=["Total heating [W.m-3]", "Electrolyte concentration [mol.m-3]"]),
    dict(id="spme_chen2020_2C_lumped", model="SPMe", parameter_set="Chen2020", thermal="lumped",
         experiment=["Discharge at 2C until 2.5 V"],
         scalars=["X-averaged negative particle surface concentration [mol.m-3]",
                  "X-averaged positive particle surface concentration [mol.m-3]",
                  "X-averaged negative electrode reaction overpotential [V]",
                  "X-averaged positive electrode reaction overpotential [V]",
                  "X-averaged total heating [W.m-3]"],
         distributed=["Electrolyte concentration [mol.m-3]"]),
]
SNAPSHOTS = [500.0, 1500.0, 3000.0]
MODELS = {"SPM": pybamm.lithium_ion.SPM, "SPMe": pybamm.lithium_ion.SPMe, "DFN": pybamm.lithium_ion.DFN}


def run(case):
    opts = {"thermal": case["thermal"]} if case.get("thermal") else {}
    model = MODELS[case["model"]](options=opts)
    pv = pybamm.ParameterValues(case["parameter_set"])
    var_pts = {k: 40 for k in ["x_n", "x_s", "x_p", "r_n", "r_p"]}
    exp = pybamm.Experiment(case["experiment"], period="10 seconds")
    sim = pybamm.Simulation(model, parameter_values=pv, experiment=exp, var_pts=var_pts,
                            solver=pybamm.IDAKLUSolver(rtol=1e-8, atol=1e-10))
    sol = sim.solve()
    t = sol["Time [s]"].entries
    out = {k: case[k] for k in ["id", "model", "parameter_set", "experiment"] + (["thermal"] if "thermal" in case else [])}
    out["time_s"] = t.tolist()
    out["scalars"] = {n: sol[n].entries.tolist() for n in case["scalars"]}
    dist = {}
    for n in case["distributed"]:
        v = sol[n]
        x = v.mesh.nodes if hasattr(v, "mesh") and v.mesh is not None else None
        e = v.entries  # (points, times)
        snaps = {}
        for ts in SNAPSHOTS:
            if ts > t[-1]:
                continue
            k = int(np.argmin(np.abs(t - ts)))
            snaps["%g" % t[k]] = e[:, k].tolist()
        dist[n] = {"x_m": None if x is None else np.asarray(x).tolist(), "snapshots": snaps}
    out["distributed"] = dist
    out["pybamm_version"] = pybamm.__version__
    return out


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    refs = [run(c) for c in CASES]
    with open(os.path.join(outdir, "references.json"), "w") as f:
        json.dump(refs, f, separators=(",", ":"))
    print("wrote", [r["id"] for r in refs])


if __name__ == "__main__":
    main()
