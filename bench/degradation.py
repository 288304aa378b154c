"""battbot vs PyBaMM on degradation runs (O'Kane 2022, issue #25), in one run on this machine.

For each case: the whole multi-cycle solve, timed as a re-solve of the built model (battbot
`bench --spec`, PyBaMM's IDAKLU `sim.solve()` after a warm-up solve), each at its own default
mesh for the case (battbot: the cycling mesh from 10 cycles on; PyBaMM: 20 points per domain),
the cost per cycle, and the cost per cycle of each coupled case over the SEI-only case of the
same model (`baseline`). Prints a markdown table (the README's degradation bench table).

Usage: /work/venv/bin/python bench/degradation.py --battbot target/release/battbot [--repeat N]
       [--cycles N] [--only NAME,...]
The DFN rows come from `dfn_cases()` (issue #25's DFN work adds them there).
"""
import argparse, json, os, platform, subprocess, sys, tempfile

import pybamm

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "reference"))
from pybamm_common import MODELS, median_time, options  # noqa: E402  (shared with vs_pybamm.py and the generators)

CYCLE = ["Discharge at 1C until 2.5 V", "Charge at 1C until 4.2 V", "Hold at 4.2 V until C/50"]
SEI = {"SEI": "reaction limited"}
CRACKS = {"particle mechanics": ["swelling and cracking", "swelling only"], "SEI on cracks": "true"}
LAM = {"loss of active material": "stress-driven"}


def case(name, model, options, baseline=None):
    return dict(name=name, baseline=baseline,
                spec={"model": model, "parameter_set": "OKane2022", "experiment": CYCLE, "options": options})


def spm_spme_cases():
    """SPM and SPMe: SEI only, and SEI coupled with stress-driven LAM / cracking and SEI on cracks."""
    return [
        case("spm_sei", "SPM", SEI),
        case("spm_sei_lam_stress", "SPM", {**SEI, **LAM}, baseline="spm_sei"),
        case("spme_sei", "SPMe", SEI),
        case("spme_sei_cracking_sei_on_cracks", "SPMe", {**SEI, **CRACKS}, baseline="spme_sei"),
        case("spme_sei_cracking_lam", "SPMe", {**SEI, **CRACKS, **LAM}, baseline="spme_sei"),
    ]


def dfn_cases():
    """The DFN rows: SEI only and the fully coupled model (added with the DFN's mechanics)."""
    return []


def pybamm_sim(spec, cycles):
    opts = options(spec)  # a 2-list option is PyBaMM's tuple
    model = MODELS[spec["model"]](options=opts)
    exp = pybamm.Experiment([tuple(spec["experiment"])] * cycles)
    return pybamm.Simulation(model, parameter_values=pybamm.ParameterValues(spec["parameter_set"]),
                             experiment=exp, solver=pybamm.IDAKLUSolver())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--battbot", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cycles", type=int, default=10)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    cases = spm_spme_cases() + dfn_cases()
    if args.only:
        keep = set(args.only.split(","))
        cases = [c for c in cases if c["name"] in keep or c["name"] in {k["baseline"] for k in cases if k["name"] in keep}]
    tmp = tempfile.mkdtemp(prefix="bench-degradation-")
    rows = {}
    for c in cases:
        spec = dict(c["spec"], cycles=args.cycles)
        path = os.path.join(tmp, c["name"] + ".json")
        json.dump(spec, open(path, "w"))
        bench = json.loads(subprocess.check_output(
            [args.battbot, "bench", "--spec", path, "--repeat", str(args.repeat)]))
        sim = pybamm_sim(spec, args.cycles)
        sim.solve()  # warm-up: builds and compiles the model
        py_s = median_time(sim.solve, args.repeat)
        rows[c["name"]] = (c, bench["solve_s_median"], py_s)
        print(f"{c['name']}: battbot {bench['solve_s_median']:.3f} s, PyBaMM {py_s:.2f} s",
              file=sys.stderr, flush=True)
    version = subprocess.check_output([args.battbot, "--version"]).decode().strip()
    print(f"\nMachine: {platform.node()} ({os.cpu_count()} cores), PyBaMM {pybamm.__version__}, {version}; "
          f"OKane2022, {args.cycles} cycles of 1C discharge / 1C charge / 4.2 V hold to C/50; "
          f"median of {args.repeat} re-solves.\n")
    print("| case | model | PyBaMM re-solve | battbot re-solve | battbot vs PyBaMM | battbot per cycle | per cycle vs SEI only |")
    print("|---|---|---|---|---|---|---|")
    for name, (c, bb, py) in rows.items():
        per = bb / args.cycles
        base = rows.get(c["baseline"]) if c["baseline"] else None
        ratio = f"{bb / base[1]:.2f}×" if base else "(baseline)"
        print(f"| {name} | {c['spec']['model']} | {py:.2f} s | {bb * 1e3:.0f} ms | {py / bb:.0f}× | "
              f"{per * 1e3:.1f} ms | {ratio} |")


if __name__ == "__main__":
    main()
