"""Drive-cycle cases of #24's hidden kind for bench/rehearse_hidden.py (`--drive N`): "Run NAME
(A|W|V)" steps on profiles of the spec's own `drive_cycles` (current, power or voltage on a 5 s
grid, scaled to the set's capacity) or the built-in US06, with `until` terminations, rests and
a second run; any of the nine sets, SPM / SPMe / DFN (no DFN on Ecker2015 / ORegan2022), 0-45 °C,
isothermal or lumped. Drawn after the other classes, so the seeds' earlier draws stay the same.
"""


def ramp(points, dt=5.0):
    """A profile on a uniform grid of `dt` seconds through the (t, value) corners."""
    import numpy as np
    t = np.arange(0.0, points[-1][0] + dt / 2, dt)
    v = np.interp(t, [p[0] for p in points], [p[1] for p in points])
    return [[float(a), float(round(b, 6))] for a, b in zip(t, v)]


def corners(rng, lo, hi, n, sign=1.0):
    """n random (t, value) corners: holds and ramps of 10-120 s between lo and hi, times
    `sign` (-1: a charge-first profile)."""
    pts, t = [], 0.0
    for j in range(n):
        # the cell starts full: the first corner discharges (or, for voltages, is lowest)
        v = round(rng.uniform(lo, hi) if j else rng.uniform(max(lo, 0.0), hi), 4)
        pts.append((t, sign * v))
        t += rng.choice([10, 20, 60, 120])
        pts.append((t, sign * v))
        t += rng.choice([5, 10, 30])
    return pts


def initial_voltage(case, pv_of):
    """The cell's open-circuit voltage at the start (PyBaMM's SPM at the case's temperature)."""
    import pybamm
    pv = pv_of(case["parameter_set"]).copy()
    t_k = 273.15 + case.get("ambient_temperature_C", 25)
    pv.update({"Ambient temperature [K]": t_k, "Initial temperature [K]": t_k,
               "Current function [A]": 0.0})
    model = pybamm.lithium_ion.SPM()
    model.events = []  # some sets start below their lower cut-off when cold (Mohtat2020)
    sol = pybamm.Simulation(model, parameter_values=pv).solve([0, 1])
    return round(float(sol["Voltage [V]"].entries[0]), 4)


def draw_drive(rng, k, sets, varying_d, temperature, pv_of):
    """One drive-cycle case."""
    ps = rng.choice(list(sets))
    lo, up, cap = sets[ps]
    model = rng.choice(["SPM", "SPMe", "SPMe", "DFN"] if ps not in varying_d else ["SPM", "SPMe"])
    case = dict(model=model, parameter_set=ps, period_s=5)
    temperature(rng, case)
    kind = rng.choice(["A", "W", "V", "US06"] if ps in ("Marquis2019", "Chen2020", "OKane2022")
                      else ["A", "W", "V"])
    v_nom = 3.7 if ps != "Prada2013" else 3.3
    v0 = initial_voltage(case, pv_of)
    # a set that starts nearer empty than full (Mohtat2020) is charged first, not discharged
    sign = 1.0 if v0 > 0.5 * (lo + up) else -1.0
    until = ""
    if kind == "A":
        prof = ramp(corners(rng, -1.0 * cap, 2.5 * cap, rng.choice([4, 6, 8]), sign))
        until = rng.choice(["", f" until < {lo + 0.6:g} V", f" until < {lo + 0.8:g} V or until > {up - 0.1:g} V"])
    elif kind == "W":
        prof = ramp(corners(rng, -0.8 * cap * v_nom, 2.5 * cap * v_nom, rng.choice([4, 6, 8]), sign))
        until = rng.choice(["", f" until < {lo + 0.6:g} V", f" until > {2 * cap:.3g} A"])
    elif kind == "V":
        # down by up to 0.35 V from the start (up, towards the upper cut-off, when charged first)
        pts = [(0, v0)] + [(t + 30, min(up, v0 - sign * (v0 - v))) for t, v in
                           corners(rng, v0 - 0.35, v0 - 0.02, rng.choice([3, 5]))]
        prof = ramp(pts)
        until = rng.choice(["", f" until > {1.5 * cap:.3g} A"])
    if kind == "US06":
        name, unit = "US06", "A"
        until = rng.choice(["", f" until < {lo + 0.8:g} V"])
    else:
        name, unit = f"profile{k}", kind
        case["drive_cycles"] = {name: prof}
    run = f"Run {name} ({unit}){until}"
    case["experiment"] = [run] + (["Rest for 5 minutes", run] if rng.random() < 0.4 else [])
    if ps in varying_d:
        case["reference_particle_points"] = 480
    case["id"] = f"h24d_{k:02d}_{model.lower()}_{ps.lower()}_{kind.lower()}"
    return case
