"""Runs the PyBaMM script battbot generates (`battbot pybamm-script`) for each case of
tests/data/reference/manifest.json and compares its CSV with `battbot solve`'s.

Usage: /work/venv/bin/python bench/pybamm_scripts.py [--battbot target/release/battbot]
Prints one line per case: voltage RMSE and 95th percentile [mV] between the two runs
(tests/data/reference/compare.py, the acceptance comparison), relative differences of end
time and capacity, and the two wall times. Exit 1 if a case is off by more than 1 mV RMSE.
"""
import argparse, json, os, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "..", "tests", "data", "reference")
sys.path.insert(0, REF)
from compare import compare  # noqa: E402

SPEC_KEYS = ["model", "parameter_set", "experiment", "thermal", "ambient_temperature_C",
             "parameters", "cycles", "options", "points_per_domain", "variables"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--battbot", default=os.path.join(HERE, "..", "target", "release", "battbot"))
    ap.add_argument("--only", default=None, help="run only the case with this id")
    a = ap.parse_args()
    cases = json.load(open(os.path.join(REF, "manifest.json")))
    worst = 0.0
    print("%-26s %8s %8s %10s %10s %9s %9s" % ("case", "rmse_mV", "p95_mV", "end_rel", "cap_rel", "battbot_s", "pybamm_s"))
    for case in cases:
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
        worst = max(worst, rmse)
        print("%-26s %8.3f %8.3f %10.2e %10.2e %9.2f %9.2f" % (case["id"], rmse, p95, end_rel, cap_rel, t1 - t0, t2 - t1), flush=True)
    print("worst RMSE %.3f mV (target <= 1 mV)" % worst)
    sys.exit(0 if worst <= 1.0 else 1)


if __name__ == "__main__":
    main()
