"""Emit the `parameter_values()` body of a battbot parameter set from PyBaMM's own set.

Usage: python gen_params.py SETNAME RUSTNAME > fragment.rs
Scalars are written with Python's shortest round-trip repr; a function-valued parameter
becomes `Func(<python name, lower-cased>)`, which the hand-written part of the file must
define (the functions themselves are transcribed by hand and verified by tests/params.rs).
"""
import json
import sys

import pybamm


def rust_f64(v):
    s = repr(float(v))
    if s in ("inf", "-inf", "nan"):
        raise SystemExit(f"non-finite value {v}")
    return s


def main():
    name, rust_name = sys.argv[1], sys.argv[2]
    pv = pybamm.ParameterValues(name)
    citation = sys.argv[3] if len(sys.argv) > 3 else name
    lines = []
    for k, v in pv.items():
        if k in ("chemistry", "citations"):
            continue
        if callable(v):
            lines.append(f'            ("{k}", Func({v.__name__.lower()})),')
        elif isinstance(v, (int, float)):
            lines.append(f'            ("{k}", Scalar({rust_f64(v)})),')
        else:
            raise SystemExit(f"unhandled value for {k}: {v!r}")
    print("/// PyBaMM's " + name + " parameter set, by PyBaMM parameter name.")
    print("pub fn parameter_values() -> ParameterValues {")
    print("    use Value::{Func, Scalar};")
    print("    ParameterValues::new(")
    print(f'        "{rust_name}",')
    print(f"        {json.dumps(citation, ensure_ascii=False)},")
    print("        vec![")
    print("\n".join(lines))
    print("        ],")
    print("    )")
    print("}")


if __name__ == "__main__":
    main()
