"""Per-cycle cost of the DFN OKane2022, fully coupled (SEI + porosity change, partially
reversible plating + porosity change, cracking, SEI on cracks, stress-driven LAM) against the
SEI-only DFN, battbot and PyBaMM in the same run (issue #25's speed targets).

Usage: /work/venv/bin/python bench/okane_dfn_vs_pybamm.py [BATTBOT] [REPEAT]
PyBaMM: IDAKLU re-solve at its default mesh after a warm-up solve; battbot: `battbot bench`
(re-solve of the built model) at its default mesh. Prints one Markdown table row per case.
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


def pybamm_resolve(opts):
    o = {k: tuple(v) if isinstance(v, list) else v for k, v in opts.items()}
    exp = pybamm.Experiment([tuple(EXP)] * CYCLES)
    sim = pybamm.Simulation(pybamm.lithium_ion.DFN(options=o),
                            parameter_values=pybamm.ParameterValues("OKane2022"), experiment=exp)
    sim.solve()
    ts = []
    for _ in range(REPEAT):
        t0 = time.perf_counter(); sim.solve(); ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def battbot_resolve(opts):
    spec = {"model": "DFN", "parameter_set": "OKane2022", "cycles": CYCLES,
            "experiment": EXP, "options": opts}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(spec, f)
    out = subprocess.run([BATTBOT, "bench", "--spec", f.name, "--repeat", str(REPEAT)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["solve_s_median"]


rows = {}
for name, opts in CASES.items():
    rows[name] = (battbot_resolve(opts), pybamm_resolve(opts))
base = rows["SEI only (solvent-diffusion limited)"][0]
print("| DFN OKane2022, 5 cycles | battbot per cycle | PyBaMM per cycle | battbot vs PyBaMM | battbot vs its SEI-only |")
print("|---|---|---|---|---|")
for name, (b, p) in rows.items():
    print(f"| {name} | {b / CYCLES:.3f} s | {p / CYCLES:.3f} s | {p / b:.1f}x | {b / base:.2f}x |")
