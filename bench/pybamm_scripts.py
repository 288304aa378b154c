"""Runs the PyBaMM script battbot generates (`battbot pybamm-script`) for each case of
tests/data/reference/manifest.json (and, with --suite drive_cycles or all, of the drive-cycle
cases in tests/data/drive_cycles/reference/ and tests/reference/drive_cycles/: US06 current, a power profile, US06
with `until`, a voltage profile) and compares its CSV with `battbot solve`'s, at the same mesh.

Usage: /work/venv/bin/python bench/pybamm_scripts.py [--battbot target/release/battbot]
           [--suite reference|drive_cycles|all] [--only ID]
Prints one line per case: voltage RMSE and 95th percentile [mV] between the two runs
(tests/data/reference/compare.py, the acceptance comparison), relative differences of end
time and capacity, and the two wall times; a voltage profile (`Run NAME (V)`) imposes the
voltage, so its current is compared instead (RMSE in mA, printed in the current column).
Exit 1 if a case is off by more than 1 mV RMSE.
"""
import argparse, json, os, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "..", "tests", "data", "reference")
sys.path.insert(0, REF)
from compare import compare  # noqa: E402

DRIVE = [os.path.join(HERE, "..", "tests", "data", "drive_cycles", "reference"),
         os.path.join(HERE, "..", "tests", "reference", "drive_cycles")]
SPEC_KEYS = ["model", "parameter_set", "experiment", "thermal", "ambient_temperature_C",
             "parameters", "cycles", "options", "points_per_domain", "variables", "drive_cycles"]


def current_rmse_ma(ref_csv, out_csv):
    """RMSE of the current [mA] on the reference's times up to the shorter run's end."""
    import csv

    def load(path):
        with open(path) as f:
            r = csv.reader(f)
            head = [h.strip() for h in next(r)]
            rows = [[float(x) for x in row] for row in r if row]
        return [row[head.index("Time [s]")] for row in rows], [row[head.index("Current [A]")] for row in rows]

    tr, ir = load(ref_csv)
    to, io = load(out_csv)
    end = min(tr[-1], to[-1])
    err = []
    for t, i in zip(tr, ir):
        if t > end:
            break
        k = max(1, min(len(to) - 1, next((j for j, x in enumerate(to) if x >= t), len(to) - 1)))
        f = 0.0 if to[k] == to[k - 1] else (t - to[k - 1]) / (to[k] - to[k - 1])
        err.append(i - (io[k - 1] + f * (io[k] - io[k - 1])))
    return 1e3 * (sum(e * e for e in err) / max(1, len(err))) ** 0.5


def cases(suite):
    out = []
    if suite in ("reference", "all"):
        out += json.load(open(os.path.join(REF, "manifest.json")))
    if suite in ("drive_cycles", "all"):
        for d in DRIVE:
            out += json.load(open(os.path.join(d, "manifest.json")))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--battbot", default=os.path.join(HERE, "..", "target", "release", "battbot"))
    ap.add_argument("--only", default=None, help="run only the case with this id")
    ap.add_argument("--suite", default="reference", choices=["reference", "drive_cycles", "all"])
    a = ap.parse_args()
    worst = 0.0
    print("%-30s %8s %8s %10s %10s %9s %9s %10s" % ("case", "rmse_mV", "p95_mV", "end_rel", "cap_rel", "battbot_s", "pybamm_s", "I_rmse_mA"))
    for case in cases(a.suite):
        if a.only and case["id"] != a.only:
            continue
        spec = {k: v for k, v in case.items() if k in SPEC_KEYS}
        with tempfile.TemporaryDirectory() as d:
            sp = os.path.join(d, "spec.json")
            json.dump(spec, open(sp, "w"))
            script = subprocess.run([a.battbot, "pybamm-script", "--spec", sp], check=True,
                                    capture_output=True, text=True).stdout
            py = os.path.join(d, "reproduce.py")
            open(py, "w").write(script)
            t0 = time.perf_counter()
            subprocess.run([a.battbot, "solve", "--spec", sp, "--csv", os.path.join(d, "battbot.csv")], check=True)
            t1 = time.perf_counter()
            subprocess.run([sys.executable, py, os.path.join(d, "pybamm.csv")], check=True, capture_output=True)
            t2 = time.perf_counter()
            rmse, p95, end_rel, cap_rel = compare(os.path.join(d, "pybamm.csv"), os.path.join(d, "battbot.csv"))
            voltage_profile = any(s.strip().endswith("(V)") for s in spec["experiment"])
            i_rmse = current_rmse_ma(os.path.join(d, "pybamm.csv"), os.path.join(d, "battbot.csv")) if voltage_profile else float("nan")
        worst = max(worst, rmse)
        print("%-30s %8.3f %8.3f %10.2e %10.2e %9.2f %9.2f %10.3f" % (case["id"], rmse, p95, end_rel, cap_rel, t1 - t0, t2 - t1, i_rmse), flush=True)
    print("worst RMSE %.3f mV (target <= 1 mV)" % worst)
    sys.exit(0 if worst <= 1.0 else 1)


if __name__ == "__main__":
    main()
