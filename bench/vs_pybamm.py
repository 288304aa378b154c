"""battbot vs PyBaMM on the cases of bench/suite.json; see vs_pybamm.sh."""
import argparse, json, os, platform, subprocess, sys, tempfile

import pybamm

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "data", "reference"))
from compare import compare  # the acceptance comparison (tests/data/reference/compare.py)
sys.path.append(os.path.join(HERE, "..", "tests", "reference"))
from pybamm_common import MODELS, median_time  # shared with degradation.py and the generators


def pybamm_sim(spec, fine, points=None):
    """PyBaMM's simulation of a spec: at its default mesh, at `points` per domain, or the
    fine reference (40 points per electrode and separator, 120 per particle radius, rtol
    1e-8: PyBaMM's 40 particle shells alone leave 0.17 mV at 1C, ~1 mV at 3C)."""
    options = {"thermal": "lumped"} if spec.get("thermal") == "lumped" else {}
    model = MODELS[spec["model"]](options)
    pv = pybamm.ParameterValues(spec["parameter_set"])
    exp = pybamm.Experiment(spec["experiment"], period="10 seconds")
    kw = {}
    if fine or points:
        kw["var_pts"] = {k: points or 40 for k in ["x_n", "x_s", "x_p", "r_n", "r_p"]}
    if fine:
        kw["var_pts"].update(r_n=120, r_p=120)
    if fine:
        kw["solver"] = pybamm.IDAKLUSolver(rtol=1e-8, atol=1e-10)
    return pybamm.Simulation(model, parameter_values=pv, experiment=exp, **kw)


def write_csv(sol, path):
    t = sol["Time [s]"].entries
    cols = [t, sol["Current [A]"].entries, sol["Voltage [V]"].entries, sol["Discharge capacity [A.h]"].entries]
    with open(path, "w") as f:
        f.write("Time [s],Current [A],Voltage [V],Discharge capacity [A.h]\n")
        for row in zip(*cols):
            f.write(",".join(f"{x:.10g}" for x in row) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--battbot", required=True)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    suite = json.load(open(os.path.join(HERE, "suite.json")))["cases"]
    tmp = tempfile.mkdtemp(prefix="vs-pybamm-")
    rows = []
    for case in suite:
        name, spec = case["name"], case["spec"]
        spec_path = os.path.join(tmp, f"{name}.json")
        json.dump(spec, open(spec_path, "w"))
        # Fine reference and PyBaMM at its default mesh.
        ref_csv = os.path.join(tmp, f"{name}.ref.csv")
        write_csv(pybamm_sim(spec, fine=True).solve(), ref_csv)
        sim = pybamm_sim(spec, fine=False)
        sim.solve()  # warm-up: builds and compiles the model
        py_csv = os.path.join(tmp, f"{name}.pybamm.csv")
        write_csv(sim.solve(), py_csv)
        py_s = median_time(sim.solve, args.repeat)
        # PyBaMM on battbot's default mesh (40 points per domain): the same discretisation.
        sim40 = pybamm_sim(spec, fine=False, points=40)
        sim40.solve()
        py40_s = median_time(sim40.solve, max(3, args.repeat // 4))
        # battbot: re-solve timing, and its CSV for the accuracy check.
        bench = json.loads(subprocess.check_output([args.battbot, "bench", "--spec", spec_path, "--repeat", str(args.repeat)]))
        bb_csv = os.path.join(tmp, f"{name}.battbot.csv")
        subprocess.check_call([args.battbot, "solve", "--spec", spec_path, "--csv", bb_csv])
        # battbot on PyBaMM's default mesh (20 points per domain).
        spec20_path = os.path.join(tmp, f"{name}.20.json")
        json.dump(dict(spec, points_per_domain=20), open(spec20_path, "w"))
        bench20 = json.loads(subprocess.check_output([args.battbot, "bench", "--spec", spec20_path, "--repeat", str(args.repeat)]))
        bb20_csv = os.path.join(tmp, f"{name}.battbot20.csv")
        subprocess.check_call([args.battbot, "solve", "--spec", spec20_path, "--csv", bb20_csv])
        py_rmse = compare(ref_csv, py_csv)[0]
        bb_rmse = compare(ref_csv, bb_csv)[0]
        bb20_rmse = compare(ref_csv, bb20_csv)[0]
        # At the same accuracy: the coarsest `points_per_domain` whose voltage is at least as
        # close to the fine reference as PyBaMM's at its default mesh (a work-precision match).
        iso = None
        for pts in [4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40]:
            p_path = os.path.join(tmp, f"{name}.{pts}.json")
            json.dump(dict(spec, points_per_domain=pts), open(p_path, "w"))
            p_csv = os.path.join(tmp, f"{name}.battbot{pts}.csv")
            subprocess.check_call([args.battbot, "solve", "--spec", p_path, "--csv", p_csv])
            r = compare(ref_csv, p_csv)[0]
            if r <= py_rmse:
                b = json.loads(subprocess.check_output([args.battbot, "bench", "--spec", p_path, "--repeat", str(args.repeat)]))
                iso = (pts, r, b["solve_s_median"])
                break
        rows.append((name, py_s, py40_s, bench["solve_s_median"], py_rmse, bb_rmse, bench20["solve_s_median"], bb20_rmse, iso))
        print(f"{name}: pybamm {py_s*1e3:.2f} ms ({py_rmse:.3f} mV), battbot {bench['solve_s_median']*1e3:.2f} ms ({bb_rmse:.3f} mV), "
              f"battbot 20 pts {bench20['solve_s_median']*1e3:.2f} ms ({bb20_rmse:.3f} mV), at PyBaMM's accuracy {iso}", file=sys.stderr, flush=True)

    # Cold start: one whole process each, DFN Chen2020 1C.
    dfn = os.path.join(tmp, "dfn_chen2020_1C.json")
    cold_bb = median_time(lambda: subprocess.check_call([args.battbot, "solve", "--spec", dfn, "--csv", os.devnull]), 5)
    script = ("import pybamm; pybamm.Simulation(pybamm.lithium_ion.DFN(), parameter_values=pybamm.ParameterValues('Chen2020'), "
              "experiment=pybamm.Experiment(['Discharge at 1C until 2.5 V'], period='10 seconds')).solve()")
    cold_py = median_time(lambda: subprocess.check_call([sys.executable, "-c", script]), 3)

    print(f"\nMachine: {platform.node()} ({os.cpu_count()} cores), PyBaMM {pybamm.__version__}, "
          f"{subprocess.check_output([args.battbot, '--version']).decode().strip()}; median of {args.repeat} re-solves.\n")
    print("| case | PyBaMM re-solve (default mesh, 20 pts) | battbot re-solve (20 pts) | battbot 20 vs PyBaMM 20 | PyBaMM re-solve (40 pts) | battbot re-solve (default, 40 pts) | battbot 40 vs PyBaMM 40 | battbot 40 vs PyBaMM default | RMSE vs fine: PyBaMM 20 / battbot 20 / battbot 40 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, py_s, py40_s, bb_s, py_r, bb_r, bb20_s, bb20_r, iso in rows:
        print(f"| {name} | {py_s*1e3:.2f} ms | {bb20_s*1e3:.2f} ms | {py_s/bb20_s:.1f}× | {py40_s*1e3:.2f} ms | {bb_s*1e3:.2f} ms | {py40_s/bb_s:.1f}× | {py_s/bb_s:.1f}× | {py_r:.3f} / {bb20_r:.3f} / {bb_r:.3f} mV |")
    print(f"| cold `solve` DFN Chen2020 1C (whole process) | {cold_py:.2f} s | | | | {cold_bb:.3f} s | | {cold_py/cold_bb:.0f}× | |")
    print("\nAt the same accuracy: battbot on the coarsest mesh (`points_per_domain`) whose voltage RMSE from the fine reference is at most PyBaMM's at its default mesh.\n")
    print("| case | PyBaMM default mesh: re-solve, RMSE | battbot: points per domain, re-solve, RMSE | battbot vs PyBaMM |")
    print("|---|---|---|---|")
    for name, py_s, py40_s, bb_s, py_r, bb_r, bb20_s, bb20_r, iso in rows:
        if iso is None:
            print(f"| {name} | {py_s*1e3:.2f} ms, {py_r:.3f} mV | none up to 40 points | |")
        else:
            pts, r, t = iso
            print(f"| {name} | {py_s*1e3:.2f} ms, {py_r:.3f} mV | {pts}, {t*1e3:.2f} ms, {r:.3f} mV | {py_s/t:.1f}× |")


if __name__ == "__main__":
    main()
