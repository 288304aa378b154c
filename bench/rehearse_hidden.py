"""Rehearsal of the hidden PyBaMM cases of issues #25 and #24: N seeded random cases like
theirs, each solved by PyBaMM and by battbot and compared with the issues' bounds.

Usage: /work/venv/bin/python bench/rehearse_hidden.py --battbot target/release/battbot
           [--seed S] [--n25 N] [--n24 N] [--out DIR] [--timeout SECONDS] [--only ID,...]
           [--list] [--rtol R] [--cases CASES.json] [--overrides] [--drive N]

Classes drawn (`draw25`, `draw24`; the same seed draws the same cases):
- #25 (per-cycle degradation; OKane2022, and Ai2020, the other PyBaMM set with mechanics
  parameters): stress-driven (or stress-and-reaction) LAM on the SPM, per electrode as a 2-list
  too, with or without SEI; cracking + SEI on cracks on the SPMe (2-list mechanics, SEI
  models, plating, porosity change, LAM); the fully coupled DFN (PyBaMM's O'Kane 2022 example
  options). Experiments: discharge 0.5-2C to 2.5-3.0 V, optional rest, charge 0.3-1C, CV hold
  to C/50, C/20 or 50 mA; 0-45 °C, isothermal or lumped; 2-30 cycles.
  Bounds: each cycle's capacity within 2 % of PyBaMM's total fade + 0.5 % of its first
  cycle's capacity; the loss of lithium inventory and each degradation mode within 5 % of
  PyBaMM's (+ floors of 1e-5 % and 1e-8 mol, as tests/it/sim_okane.rs).
- #24 (time series; all nine sets): SPM / SPMe (a few DFN, not on Ecker2015 / ORegan2022),
  currents in C, A and mA, constant power, CC-CV holds, rests, repeats, 0-45 °C, lumped
  thermal, parameter overrides (geometry scaled ±20 %), US06 drive cycles.
  `--drive N` adds N drive cycles (bench/rehearse_drive.py): current, power and voltage
  profiles of the spec's own and US06, with `until` terminations, on any set and model.
  Bounds (tests/data/reference/compare.py, the project's acceptance comparison): voltage RMSE
  ≤ 1 mV away from step changes (up to 97 % of the run), end time and capacity within 0.5 %.

PyBaMM (26.10): IDAKLU at `--rtol` (default 1e-6, atol 100× smaller; the committed references
use 1e-8 and take 10× longer) on 40 points per domain; for #24 120 points per particle radius
(480 for Ecker2015 / ORegan2022, whose diffusivity varies), for #25 40 as the references of
tests/data/degradation. Each PyBaMM run is a subprocess under `nice -n 5`, killed after
`--timeout` s (reported as "pybamm timeout", not counted). Outputs in `--out` (default
/tmp/rehearse-SEED): CASE.json (the battbot spec), CASE.csv / CASE_summary.csv (PyBaMM),
CASE.battbot.csv / .summary.csv, results.jsonl. PyBaMM's results are kept and reused, so a
re-run after a fix re-solves battbot only. The per-cycle summaries are generate.py's
(tests/data/degradation), the spec -> PyBaMM translation tests/reference/pybamm_common.py's.
"""
import argparse, json, math, os, random, resource, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, os.path.join(ROOT, "tests", "data", "reference"))
sys.path.append(os.path.join(ROOT, "tests", "reference"))

# PyBaMM 26's cut-offs and nominal capacities of the nine sets (lower V, upper V, A.h)
SETS = {
    "Chen2020": (2.5, 4.2, 5.0), "Marquis2019": (3.105, 4.1, 0.680616), "Ai2020": (3.0, 4.2, 2.28),
    "Ecker2015": (2.5, 4.2, 0.15625), "Mohtat2020": (2.8, 4.2, 5.0), "Prada2013": (2.0, 3.6, 2.3),
    "OKane2022": (2.5, 4.2, 5.0), "ORegan2022": (2.5, 4.4, 5.0), "NCA_Kim2011": (2.7, 4.2, 0.43),
}
# keys of a case that are the rehearsal's / the generators', not battbot's spec
BENCH_KEYS = {"id", "degradation_modes", "period_s", "reference_particle_points"}
VARYING_D = {"Ecker2015", "ORegan2022"}
MODE_NAMES = ["Loss of lithium inventory [%]",
              "Loss of active material in negative electrode [%]",
              "Loss of active material in positive electrode [%]",
              "Loss of lithium to negative SEI [mol]",
              "Loss of lithium to negative SEI on cracks [mol]",
              "Loss of lithium to negative lithium plating [mol]"]
# PyBaMM's O'Kane 2022 example options (the coupled DFN of tests/data/degradation)
COUPLED = {"SEI": "solvent-diffusion limited", "SEI porosity change": "true",
           "lithium plating": "partially reversible", "lithium plating porosity change": "true",
           "particle mechanics": ["swelling and cracking", "swelling only"], "SEI on cracks": "true",
           "loss of active material": "stress-driven"}


def cycle_steps(rng, lo, up, cap, fast=False):
    """Discharge 0.5-2C (or in A) to a cut-off, optional rest, charge, CV hold."""
    dc = rng.choice([0.5, 1, 1, 2] if not fast else [1, 2])
    cut = rng.choice([lo, lo, round(lo + 0.2, 2), round(lo + 0.5, 2)])
    d = f"Discharge at {dc:g}C until {cut:g} V" if rng.random() < 0.7 else \
        f"Discharge at {dc * cap:.3g} A until {cut:g} V"
    steps = [d]
    if rng.random() < 0.3:
        steps.append(f"Rest for {rng.choice([5, 10, 30])} minutes")
    cc = rng.choice([0.3, 0.5, 1])
    vmax = rng.choice([up, up, round(up - 0.1, 2)])
    steps.append(f"Charge at {cc:g}C until {vmax:g} V")
    steps.append(f"Hold at {vmax:g} V until " + rng.choice(["C/50", "C/20", "50 mA"]))
    return steps


def temperature(rng, case):
    t = rng.choice([25, 25, 0, 10, 35, 45])
    if t != 25:
        case["ambient_temperature_C"] = t
    if rng.random() < 0.25:
        case["thermal"] = "lumped"


# mechanics and degradation parameters a #25 case may override (x a factor, by PyBaMM name),
# with the options each needs
OVERRIDES25 = [
    ("Negative electrode LAM constant proportional term [s-1]", [0.3, 3, 10], "lam"),
    ("Positive electrode LAM constant proportional term [s-1]", [0.3, 3, 10], "lam"),
    ("Negative electrode reaction-driven LAM factor [m3.mol-1]", None, "reaction"),
    ("Negative electrode Paris' law constant m", [0.9, 1.1], "cracks"),
    ("Negative electrode number of cracks per unit area [m-2]", [0.5, 2, 5], "cracks"),
    ("Negative electrode Young's modulus [Pa]", [0.7, 1.3], "mech"),
    ("Negative electrode partial molar volume [m3.mol-1]", [0.7, 1.3], "mech"),
    ("SEI solvent diffusivity [m2.s-1]", [3, 30], "SEI"),
    ("SEI kinetic rate constant [m.s-1]", [0.3, 3], "SEI"),
    ("SEI reaction exchange current density [A.m-2]", [0.3, 3], "SEI"),
]


def override25(rng, case, pv_of):
    """Overrides one parameter the case's options use (a factor on the set's value; the
    reaction-driven LAM factor, zero in the sets, set to 1e-3..1e-2)."""
    opts = json.dumps(case["options"])
    fits = [o for o in OVERRIDES25 if (o[2] == "lam" and "stress" in opts) or
            (o[2] == "reaction" and "reaction-driven" in opts) or
            (o[2] == "cracks" and "cracking" in opts) or
            (o[2] == "mech" and ("swelling" in opts or "stress" in opts)) or
            (o[2] == "SEI" and "SEI" in case["options"])]
    if not fits:
        return
    name, factors, _ = rng.choice(fits)
    if factors is None:
        value = rng.choice([1e-3, 1e-2])
    else:
        pv = pv_of(case["parameter_set"])
        base = pv[name] if name in pv.keys() else None
        if not isinstance(base, (int, float)):
            return
        value = round(float(base) * rng.choice(factors), 15)
    case["parameters"] = {name: value}


def draw25(rng, k, pv_of=None):
    """One #25 case: the three hidden classes, in the proportions 2 : 2 : 1."""
    kind = rng.choice(["spm_lam", "spm_lam", "spme_cracks", "spme_cracks", "dfn_coupled"])
    ps = "OKane2022" if kind == "dfn_coupled" or rng.random() < 0.75 else "Ai2020"
    lo, up, cap = SETS[ps]
    case = dict(parameter_set=ps, degradation_modes=True, period_s=60)
    if kind == "spm_lam":
        case["model"] = "SPM"
        lam = rng.choice(["stress-driven", "stress-driven", ["stress-driven", "none"],
                          ["none", "stress-driven"], "stress and reaction-driven"])
        opts = {"loss of active material": lam}
        if rng.random() < 0.5:
            opts["SEI"] = rng.choice(["reaction limited", "solvent-diffusion limited"])
        if rng.random() < 0.3:
            opts["particle mechanics"] = rng.choice(["swelling only", ["swelling only", "none"]
                                                     if lam != ["none", "stress-driven"] else "swelling only"])
        case["cycles"] = rng.choice([10, 20, 30])
    elif kind == "spme_cracks":
        case["model"] = "SPMe"
        opts = {"SEI": rng.choice(["reaction limited", "solvent-diffusion limited", "ec reaction limited"]),
                "particle mechanics": rng.choice([["swelling and cracking", "swelling only"],
                                                  ["swelling and cracking", "none"], "swelling and cracking"]),
                "SEI on cracks": "true"}
        extra = rng.choice(["", "", "plating", "lam", "porosity"])
        if extra == "plating":
            opts["lithium plating"] = rng.choice(["irreversible", "partially reversible"])
        elif extra == "lam":
            opts["loss of active material"] = rng.choice(["stress-driven", ["stress-driven", "none"]])
        elif extra == "porosity":
            opts["SEI porosity change"] = "true"
        case["cycles"] = rng.choice([5, 8, 10])
    else:
        case["model"] = "DFN"
        opts = dict(COUPLED)
        case["cycles"] = rng.choice([2, 3])
    case["options"] = opts
    case["experiment"] = cycle_steps(rng, lo, up, cap)
    temperature(rng, case)
    if pv_of is not None and rng.random() < 0.4:
        override25(rng, case, pv_of)
    case["id"] = f"h25_{k:02d}_{kind}_{ps.lower()}"
    return case


OVERRIDES = ["Electrode height [m]", "Electrode width [m]", "Negative electrode thickness [m]",
             "Positive electrode thickness [m]", "Separator porosity"]


def draw24(rng, k, pv_of):
    """One #24 case: a set, a model, an experiment of one of six kinds."""
    ps = rng.choice(list(SETS))
    model = rng.choice(["SPM", "SPMe", "SPMe", "DFN"] if ps not in VARYING_D else ["SPM", "SPMe"])
    lo, up, cap = SETS[ps]
    kind = rng.choice(["cc", "amps", "ma", "power", "cccv", "repeat", "drive"])
    if kind == "drive" and ps not in ("Marquis2019", "Chen2020", "OKane2022"):
        kind = "cc"
    c = rng.choice([0.5, 1, 2])
    if kind == "cc":
        exp = [f"Discharge at {c:g}C until {lo:g} V"]
    elif kind == "amps":
        exp = [f"Discharge at {0.4 * cap:.3g} A for {rng.choice([5, 10, 20])} minutes",
               "Rest for 10 minutes", f"Discharge at {c * cap:.3g} A until {lo:g} V",
               f"Charge at {0.6 * cap:.3g} A until {up:g} V"]
    elif kind == "ma":
        exp = [f"Discharge at {1000 * c * cap:.0f} mA until {lo + 0.2:g} V", "Rest for 5 minutes",
               f"Charge at {500 * cap:.0f} mA for 20 minutes"]
    elif kind == "power":
        v_nom = 3.7 if ps != "Prada2013" else 3.3
        exp = [f"Discharge at {c * cap * v_nom:.3g} W until {lo:g} V"]
    elif kind == "cccv":
        exp = [f"Discharge at {c:g}C until {lo:g} V", "Rest for 20 minutes",
               f"Charge at {rng.choice([0.5, 1]):g}C until {up - 0.05:g} V",
               f"Hold at {up - 0.05:g} V until C/20"]
    elif kind == "repeat":
        exp = [f"Discharge at {c:g}C until {lo:g} V", f"Charge at 0.5C until {up:g} V",
               f"Hold at {up:g} V until C/10"]
    else:
        exp = ["Run US06 (A)" + rng.choice(["", f" until < {lo + 0.8:g} V"])]
    case = dict(model=model, parameter_set=ps, experiment=exp, period_s=10)
    if kind == "repeat":
        case["cycles"] = 2
    temperature(rng, case)
    if rng.random() < 0.3 and kind != "drive":
        name = rng.choice(OVERRIDES)
        case["parameters"] = {name: round(float(pv_of(ps)[name]) * rng.uniform(0.8, 1.2), 9)}
    if ps in VARYING_D:
        case["reference_particle_points"] = 480
    case["id"] = f"h24_{k:02d}_{model.lower()}_{ps.lower()}_{kind}"
    return case


# --- PyBaMM (in a niced subprocess) ---------------------------------------------------------

def pybamm_one(case, outdir, rtol):
    import numpy as np
    import pybamm
    import pybamm_common as common
    opts = common.options(case)
    pv = common.parameter_values(case, outdir, overrides=True)
    if case.get("degradation_modes"):
        var_pts = {k: common.FINE for k in ["x_n", "x_s", "x_p", "r_n", "r_p"]}
    else:
        r = int(case.get("reference_particle_points", 120))
        var_pts = {"x_n": 40, "x_s": 40, "x_p": 40, "r_n": r, "r_p": r}
    if any(s.startswith("Run ") for s in case["experiment"]):
        import importlib.util
        spec = importlib.util.spec_from_file_location(
            "drive_gen", os.path.join(ROOT, "tests", "reference", "drive_cycles", "generate.py"))
        drive = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(drive)
        steps = [drive.step_of(s, case.get("drive_cycles", {})) for s in case["experiment"]]
        exp = pybamm.Experiment(steps, period=f"{case.get('period_s', 10)} seconds")
    else:
        exp = common.experiment(case)
    sol, data, wall = common.solve_reference(case, opts, pv, exp, var_pts, rtol, rtol / 100, outdir)
    if case.get("degradation_modes"):
        import importlib.util  # tests/data/degradation/generate.py (not tests/reference's)
        spec = importlib.util.spec_from_file_location(
            "degradation_gen", os.path.join(ROOT, "tests", "data", "degradation", "generate.py"))
        gen = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(gen)
        gen.write_summary(case, sol, outdir)
    json.dump(dict(wall_s=wall, rtol=rtol, var_pts=var_pts, rows=int(data.shape[0])),
              open(f"{outdir}/{case['id']}.pybamm.json", "w"))


# --- comparison -------------------------------------------------------------------------------

def read_csv(path):
    lines = [l for l in open(path).read().splitlines() if l.strip()]
    head = lines[0].split(",")
    return head, [[float(x) for x in l.split(",")] for l in lines[1:]]


def compare25(ref_path, out_path):
    """Worst capacity error / bound and worst mode error / bound over the cycles."""
    hr, rr = read_csv(ref_path)
    ho, ro = read_csv(out_path)
    if len(ro) != len(rr):
        return dict(note=f"cycles: battbot {len(ro)} vs PyBaMM {len(rr)}", cap=math.inf, mode=math.inf)
    q = [r[1] for r in rr]
    tol = 0.02 * (max(q) - min(q)) + 0.005 * q[0]
    cap = max(abs(o[1] - r[1]) / tol for o, r in zip(ro, rr))
    worst, which = 0.0, ""
    for name in MODE_NAMES:
        if name not in hr:
            continue
        if name not in ho:
            return dict(note=f"battbot has no {name}", cap=cap, mode=math.inf)
        i, j = hr.index(name), ho.index(name)
        floor = 1e-5 if name.endswith("[%]") else 1e-8
        for k, (o, r) in enumerate(zip(ro, rr)):
            e = abs(o[j] - r[i]) / (0.05 * abs(r[i]) + floor)
            if e > worst:
                worst, which = e, f"{name.split(' [')[0]} c{k + 1}: {o[j]:.4g} vs {r[i]:.4g}"
    return dict(cap=cap, mode=worst, note=which)


def compare24(ref_path, out_path):
    from compare import compare
    rmse, p95, end_rel, cap_rel = compare(ref_path, out_path)
    worst = max(rmse / 1.0, end_rel / 0.005, cap_rel / 0.005 if cap_rel == cap_rel else 0)
    return dict(cap=worst, mode=math.nan, note=f"rmse {rmse:.3f} mV p95 {p95:.3f} end {end_rel:.2e} cap {cap_rel:.2e}")


def run_case(case, args):
    out, cid = args.out, case["id"]
    spec_path = f"{out}/{cid}.json"
    json.dump(case, open(spec_path, "w"), indent=1)
    res = dict(id=cid)
    if not os.path.exists(f"{out}/{cid}.pybamm.json"):
        cmd = ["nice", "-n", "5", sys.executable, os.path.abspath(__file__), "--pybamm", spec_path,
               "--out", out, "--rtol", str(args.rtol)]
        t0 = time.time()
        try:
            timeout = args.timeout * (3 if case["model"] == "DFN" else 1)
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
            if p.returncode != 0:
                res.update(status="pybamm error", note=p.stderr.strip().splitlines()[-1][:150] if p.stderr.strip() else "")
                return res
        except subprocess.TimeoutExpired:
            res.update(status="pybamm timeout", note=f"> {timeout} s")
            return res
        res["pybamm_s"] = time.time() - t0
    else:
        res["pybamm_s"] = json.load(open(f"{out}/{cid}.pybamm.json"))["wall_s"]
    bcsv, bsum = f"{out}/{cid}.battbot.csv", f"{out}/{cid}.battbot_summary.csv"
    bspec = f"{out}/{cid}.battbot.json"  # the spec without the generators' keys
    json.dump({k: v for k, v in case.items() if k not in BENCH_KEYS}, open(bspec, "w"), indent=1)
    cmd = [args.battbot, "solve", "--spec", bspec, "--csv", bcsv, "--summary", bsum,
           "--period", str(case.get("period_s", 10))]
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(cmd, capture_output=True, text=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    res["battbot_cpu_s"] = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
    if p.returncode != 0 and not case.get("degradation_modes"):
        res.update(status=f"battbot exit {p.returncode}", note=p.stderr.strip()[-200:].replace("\n", " "))
        return res
    if case.get("degradation_modes"):
        n_ref = len([l for l in open(f"{out}/{cid}_summary.csv").read().splitlines() if l.strip()]) - 1
        if n_ref < case.get("cycles", 1):  # PyBaMM stopped (it keeps what it solved)
            res.update(status="pybamm partial", note=f"PyBaMM solved {n_ref} of {case.get('cycles', 1)} cycles; "
                       + f"battbot exit {p.returncode}")
            return res
        if p.returncode != 0:
            res.update(status=f"battbot exit {p.returncode}", note=p.stderr.strip()[-200:].replace("\n", " "))
            return res
        res.update(compare25(f"{out}/{cid}_summary.csv", bsum))
    else:
        res.update(compare24(f"{out}/{cid}.csv", bcsv))
    ok = res["cap"] <= 1 and not (res["mode"] > 1)
    res["status"] = "pass" if ok else "FAIL"
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--battbot", default=os.path.join(ROOT, "target", "release", "battbot"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n25", type=int, default=25)
    ap.add_argument("--n24", type=int, default=20)
    ap.add_argument("--out")
    ap.add_argument("--timeout", type=float, default=180)
    ap.add_argument("--rtol", type=float, default=1e-6)
    ap.add_argument("--only", default="")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--cases", help="a JSON list of cases (ids starting h25 or with "
                    "degradation_modes compare per cycle) instead of the drawn ones")
    ap.add_argument("--overrides", action="store_true",
                    help="#25 cases override mechanics / degradation parameters too")
    ap.add_argument("--drive", type=int, default=0,
                    help="N drive-cycle cases (A, W, V profiles, until) after the others")
    ap.add_argument("--pybamm")
    args = ap.parse_args()
    args.out = args.out or f"/tmp/rehearse-{args.seed}"
    os.makedirs(args.out, exist_ok=True)
    if args.pybamm:
        return pybamm_one(json.load(open(args.pybamm)), args.out, args.rtol)
    rng = random.Random(args.seed)
    pvs = {}

    def pv_of(ps):
        if ps not in pvs:
            import pybamm
            pvs[ps] = pybamm.ParameterValues(ps)
        return pvs[ps]

    # --overrides: #25 cases may override mechanics / degradation parameters (seed 1's
    # round was drawn without)
    cases = [draw25(rng, k, pv_of if args.overrides else None) for k in range(args.n25)]
    cases += [draw24(rng, k, pv_of) for k in range(args.n24)]
    if args.drive:
        from rehearse_drive import draw_drive
        cases += [draw_drive(rng, k, SETS, VARYING_D, temperature, pv_of) for k in range(args.drive)]
    if args.cases:
        cases = json.load(open(args.cases))
    if args.only:
        cases = [c for c in cases if any(c["id"].startswith(o) for o in args.only.split(","))]
    if args.list:
        for c in cases:
            print(json.dumps(c))
        return
    print(f"{'case':44} {'cap/bound':>9} {'mode/bound':>10} {'status':14} pybamm_s battbot_cpu_s  note", flush=True)
    with open(f"{args.out}/results.jsonl", "a") as log:
        for c in cases:
            r = run_case(c, args)
            log.write(json.dumps(r) + "\n")
            log.flush()
            f = lambda x: "" if x is None or x != x else f"{x:.3f}"
            print(f"{r['id']:44} {f(r.get('cap')):>9} {f(r.get('mode')):>10} {r['status']:14} "
                  f"{f(r.get('pybamm_s')):>8} {f(r.get('battbot_cpu_s')):>8}  {r.get('note', '')}", flush=True)


if __name__ == "__main__":
    main()
