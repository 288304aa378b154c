"""Per-cycle cost of the DFN OKane2022, fully coupled (SEI + porosity change, partially
reversible plating + porosity change, cracking, SEI on cracks, stress-driven LAM) against the
SEI-only DFN, battbot and PyBaMM in the same run (issue #25's speed targets).

Usage: /work/venv/bin/python bench/okane_dfn_vs_pybamm.py [BATTBOT] [REPEAT]
PyBaMM: IDAKLU, at its default mesh (20 points per domain, 20 shells) and at battbot's
(40 per domain, 40 shells, like with like); "solve" is the median re-solve of the built
simulation after a warm-up, "total" the first solve from the model (discretisation and
compilation included). battbot: `battbot bench` at its default mesh, "solve" the median
re-solve, "total" the setup plus a solve. Wall times, all in this one run. Prints one
Markdown table row per case.
"""
import json, subprocess, sys, tempfile, time
import numpy as np
import pybamm

BATTBOT = sys.argv[1] if len(sys.argv) > 1 else "target/release/battbot"
REPEAT = int(sys.argv[2]) if len(sys.argv) > 2 else 1
EXP = ["Discharge at 1C until 2.5 V", "Charge at 0.3C until 4.2 V", "Hold at 4.2 V until C/100"]
CYCLES = 5
CASES = {
    "SEI only (solvent-diffusion limited)": {"SEI": "solvent-diffusion limited"},
    "fully coupled": {"SEI": "solvent-diffusion limited", "SEI porosity change": "true",
                      "lithium plating": "partially reversible",
                      "lithium plating porosity change": "true",
                      "particle mechanics": ["swelling and cracking", "swelling only"],
                      "SEI on cracks": "true", "loss of active material": "stress-driven"},
}


BATTBOT_MESH = {"x_n": 40, "x_s": 40, "x_p": 40, "r_n": 40, "r_p": 40}


def pybamm_resolve(opts, var_pts=None):
    """(median re-solve, first solve with the build) [s]."""
    o = {k: tuple(v) if isinstance(v, list) else v for k, v in opts.items()}
    exp = pybamm.Experiment([tuple(EXP)] * CYCLES)
    t0 = time.perf_counter()
    sim = pybamm.Simulation(pybamm.lithium_ion.DFN(options=o),
                            parameter_values=pybamm.ParameterValues("OKane2022"), experiment=exp,
                            var_pts=var_pts)
    sim.solve()
    total = time.perf_counter() - t0
    ts = []
    for _ in range(REPEAT):
        t0 = time.perf_counter(); sim.solve(); ts.append(time.perf_counter() - t0)
    return float(np.median(ts)), total


def battbot_resolve(opts):
    spec = {"model": "DFN", "parameter_set": "OKane2022", "cycles": CYCLES,
            "experiment": EXP, "options": opts}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(spec, f)
    out = subprocess.run([BATTBOT, "bench", "--spec", f.name, "--repeat", str(REPEAT)],
                         check=True, capture_output=True, text=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    # battbot compiles nothing at run time: its first solve costs what the others do
    return r["solve_s_median"], r["setup_s"] + r["solve_s_median"]


rows = {}
for name, opts in CASES.items():
    rows[name] = (battbot_resolve(opts), pybamm_resolve(opts), pybamm_resolve(opts, BATTBOT_MESH))
base = rows["SEI only (solvent-diffusion limited)"][0][0]
print("| DFN OKane2022, 5 cycles, per cycle (solve / total) | battbot | PyBaMM, its default mesh | "
      "PyBaMM, battbot's mesh | battbot vs PyBaMM (default mesh; battbot's mesh), solve | "
      "battbot vs its SEI-only |")
print("|---|---|---|---|---|---|")
for name, ((b, bt), (p, pt), (q, qt)) in rows.items():
    print(f"| {name} | {b / CYCLES:.3f} / {bt / CYCLES:.3f} s | {p / CYCLES:.3f} / {pt / CYCLES:.3f} s "
          f"| {q / CYCLES:.3f} / {qt / CYCLES:.3f} s | {p / b:.1f}x; {q / b:.1f}x | {b / base:.2f}x |")
