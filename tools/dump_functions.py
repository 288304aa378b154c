"""Dump a PyBaMM parameter set for the battbot tests: every scalar, and every function
parameter evaluated by PyBaMM itself at sample points (the pybamm expression is processed
with the set's ParameterValues and evaluated numerically).

Usage: python dump_functions.py SETNAME OUT.json
       python dump_functions.py bpx:FILE.json OUT.json   (ParameterValues.create_from_bpx)

Each sample records the battbot `FnArgs` fields it maps to: sto, c_e, c_s_surf, c_s_max,
t; PyBaMM arguments battbot's FnArgs lacks are carried as: c_Li -> c_s_surf,
L_sei -> sto (see STATUS.md).
"""
import inspect
import json
import sys

import numpy as np
import pybamm

FIELD = {"sto": "sto", "c_e": "c_e", "c_s_surf": "c_s_surf", "c_s_max": "c_s_max",
         "T": "t", "T_dim": "t", "c_Li": "c_s_surf", "L_sei": "sto"}
N = 20


def electrode(name):
    return "negative" if name.startswith("Negative") else "positive"


def ranges(name, args, pv):
    """Sample range and nominal value of each argument."""
    el = electrode(name)
    cmax = pv[f"Maximum concentration in {el} electrode [mol.m-3]"] if name.startswith(("Negative", "Positive")) else None
    r = {}
    for a in args:
        if a == "sto":
            r[a] = (0.02, 0.98, 0.5)
        elif a in ("T", "T_dim"):
            r[a] = (263.15, 333.15, 298.15)
        elif a == "c_e":
            r[a] = (50.0, 3000.0, 1000.0)
        elif a == "c_s_max":
            r[a] = (0.8 * cmax, 1.2 * cmax, cmax)
        elif a == "c_s_surf":
            r[a] = None  # a fraction of c_s_max, set below
        elif a == "c_Li":
            r[a] = (0.0, 2000.0, 500.0)
        elif a == "L_sei":
            r[a] = (1e-9, 1e-7, 5e-9)
        else:
            raise SystemExit(f"{name}: unknown argument {a}")
    return r, cmax


def main():
    set_name, out = sys.argv[1], sys.argv[2]
    if set_name.startswith("bpx:"):
        pv = pybamm.ParameterValues.create_from_bpx(set_name[4:])
    else:
        pv = pybamm.ParameterValues(set_name)
    rng = np.random.default_rng(0)
    result = {"set": set_name, "pybamm_version": pybamm.__version__, "scalars": {}, "functions": {}}
    for name, v in pv.items():
        if name in ("chemistry", "citations"):
            continue
        if v is None:  # PyBaMM keeps a BPX "description" as a None-valued entry
            continue
        if not callable(v):
            result["scalars"][name] = float(v.value if isinstance(v, pybamm.Scalar) else v)
            continue
        sig = inspect.signature(v)
        args = [p.name for p in sig.parameters.values() if p.default is inspect.Parameter.empty]
        # BPX functions: one-argument expressions in x, and PyBaMM's electrolyte wrappers
        # whose first argument is named sto but is the electrolyte concentration.
        if name.startswith("Electrolyte") and args and args[0] in ("sto", "x", "var"):
            args[0] = "c_e"
        elif args in (["x"], ["var"]):
            args = ["sto"]
        inputs = {a: pybamm.InputParameter(a) for a in args}
        sym = pv.process_symbol(pybamm.FunctionParameter(name, inputs))
        if not isinstance(sym, pybamm.Symbol):
            sym = pybamm.Scalar(sym)
        interps = [s for s in sym.pre_order() if isinstance(s, pybamm.Interpolant)]
        r, cmax = ranges(name, args, pv)
        if interps and "sto" in args:
            lo, hi = interps[0].x[0][0], interps[0].x[0][-1]
            r["sto"] = (max(0.02, lo), min(0.98, hi), 0.5 * (max(0.02, lo) + min(0.98, hi)))
        points = []
        nominal = {a: (r[a][2] if r[a] else None) for a in args}
        for a in args:
            for k in range(N):
                p = dict(nominal)
                if a == "c_s_surf":
                    p[a] = ("frac", 0.02 + 0.96 * k / (N - 1))
                else:
                    lo, hi, _ = r[a]
                    p[a] = lo + (hi - lo) * k / (N - 1)
                points.append(p)
        for _ in range(N):
            p = {}
            for a in args:
                p[a] = ("frac", rng.uniform(0.02, 0.98)) if a == "c_s_surf" else rng.uniform(r[a][0], r[a][1])
            points.append(p)
        samples = []
        for p in points:
            cs_max = p.get("c_s_max") or cmax
            vals = {}
            for a in args:
                x = p[a]
                if x is None or isinstance(x, tuple):
                    frac = x[1] if isinstance(x, tuple) else 0.5
                    x = frac * cs_max
                vals[a] = float(x)
            y = sym.evaluate(inputs=vals)
            y = float(np.asarray(y).reshape(-1)[0])
            fn = {"sto": 0.0, "c_e": 0.0, "c_s_surf": 0.0, "c_s_max": 0.0, "t": 0.0}
            for a, x in vals.items():
                fn[FIELD[a]] = x
            samples.append({"args": fn, "value": y})
        result["functions"][name] = {
            "pybamm_function": getattr(v, "__name__", None) or getattr(getattr(v, "func", None), "__name__", repr(v)),
            "arguments": args,
            "interpolant": interps[0].interpolator if interps else None,
            "samples": samples,
        }
    with open(out, "w") as f:
        json.dump(result, f, indent=0)
    print(set_name, len(result["scalars"]), "scalars,", len(result["functions"]), "functions")


if __name__ == "__main__":
    main()
