"""Emit a PyBaMM data CSV (as `pybamm.parameters.process_1D_data` reads it) as two Rust
static arrays.  Usage: python gen_table.py FILE.csv RUST_PREFIX [DOC]"""
import os
import sys

import pybamm


def main():
    fname, prefix = sys.argv[1], sys.argv[2]
    doc = sys.argv[3] if len(sys.argv) > 3 else f"Data of PyBaMM's `{fname}`."
    path = os.path.join(os.path.dirname(pybamm.__file__), "input/parameters/lithium_ion/data")
    _, (x, y) = pybamm.parameters.process_1D_data(fname, path=path)
    x, y = x[0], y
    for suffix, arr, what in (("X", x, "abscissa"), ("Y", y, "values")):
        print(f"/// {doc} ({what})")
        print("#[rustfmt::skip]")
        print(f"pub static {prefix}_{suffix}: [f64; {len(arr)}] = [")
        for i in range(0, len(arr), 4):
            print("    " + " ".join(repr(float(v)) + "," for v in arr[i:i + 4]))
        print("];")


if __name__ == "__main__":
    main()
