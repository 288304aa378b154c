"""PyBaMM references of battbot's own for drive cycles (issue #24): a power profile, a voltage
profile, a drive cycle ended by `until` terminations and a drive cycle longer than its data.

Usage: /work/venv/bin/python generate.py [OUTDIR]   (PyBaMM 26, IDAKLU; default: beside it)

Each case is a battbot spec (its profiles inline under "drive_cycles", US06 read from
tests/data/drive_cycles/US06.csv) applied as PyBaMM applies 2-column data (`pybamm.step.current/power/voltage`,
linear interpolation in time, termination strings as PyBaMM parses them); the mesh is the
shared references' fine one (40 points per domain, 120 per particle radius; IDAKLU rtol 1e-8),
and the output is sampled at the data's time points (every profile is on a uniform grid, so the
step's `period` is the grid spacing) plus each step's end. Writes CASE.csv and manifest.json.
"""
import json, os, sys, time
import numpy as np
import pybamm

HERE = os.path.dirname(os.path.abspath(__file__))
US06 = np.loadtxt(os.path.join(HERE, "..", "..", "data", "drive_cycles", "US06.csv"),
                  comments="#", delimiter=",")


def ramp(points, dt):
    """A profile on a uniform grid of `dt` seconds through the (t, value) corners."""
    t = np.arange(0.0, points[-1][0] + dt / 2, dt)
    v = np.interp(t, [p[0] for p in points], [p[1] for p in points])
    return [[float(a), float(round(b, 6))] for a, b in zip(t, v)]


CASES = [
    dict(id="dfn_chen2020_power_profile", model="DFN", parameter_set="Chen2020",
         experiment=["Run power_profile (W)"],
         drive_cycles={"power_profile": ramp(
             [(0, 2), (60, 12), (240, 12), (250, 30), (400, 30), (410, -8), (500, -8),
              (520, 5), (600, 5)], 5.0)}),
    # voltages relative to the cell's initial voltage (filled in by `voltage_profile`)
    dict(id="spme_chen2020_voltage_profile", model="SPMe", parameter_set="Chen2020",
         experiment=["Run voltage_profile (V)"], drive_cycles={"voltage_profile": None}),
    dict(id="dfn_marquis2019_us06_until", model="DFN", parameter_set="Marquis2019",
         experiment=["Run US06 (A) until < 3.5 V", "Rest for 5 minutes",
                     "Run US06 (A) until < 3.45 V or until > 8 A"]),
    dict(id="spme_chen2020_us06_1000s", model="SPMe", parameter_set="Chen2020",
         experiment=["Run US06 (A) for 1000 seconds"]),
]
MODELS = {"SPM": pybamm.lithium_ion.SPM, "SPMe": pybamm.lithium_ion.SPMe, "DFN": pybamm.lithium_ion.DFN}
FINE = 40
PARTICLE = 120


def voltage_profile(case):
    """Starts at the cell's initial open-circuit voltage (so that the first current is
    finite), down by 0.25 V in ramps and holds, then back up."""
    model = MODELS[case["model"]]()
    pv = pybamm.ParameterValues(case["parameter_set"])
    sim = pybamm.Simulation(model, parameter_values=pv)
    v0 = float(sim.solve([0, 1])["Voltage [V]"].entries[0])
    v0 = round(v0, 4)
    return ramp([(0, v0), (60, v0 - 0.1), (180, v0 - 0.1), (240, v0 - 0.25), (420, v0 - 0.25),
                 (480, v0 - 0.05), (600, v0 - 0.05)], 5.0)


def step_of(text, cycles):
    """A battbot step string -> a PyBaMM step (drive cycles as 2-column data)."""
    if not text.startswith("Run "):
        return text
    rest = text[4:]
    name, rest = rest.split(" ", 1)
    kind, rest = rest[:3], rest[3:].strip()
    data = US06 if name == "US06" else np.array(cycles[name], dtype=float)
    duration = None
    terms = []
    if rest.startswith("for "):
        d = rest[4:].split(" or ")[0]
        duration = float(d.split()[0])
        rest = rest[4 + len(d):].strip()
        rest = rest[3:] if rest.startswith("or ") else rest
    for part in rest.split(" or "):
        part = part.strip()
        if part.startswith("until "):
            terms.append(part[6:])
    fn = {"(A)": pybamm.step.current, "(W)": pybamm.step.power, "(V)": pybamm.step.voltage}[kind]
    period = float(np.diff(data[:, 0]).min())
    return fn(data, duration=duration, termination=terms or None, period=period)


def run(case, outdir):
    if case.get("drive_cycles", {}).get("voltage_profile", 0) is None:
        case["drive_cycles"]["voltage_profile"] = voltage_profile(case)
    model = MODELS[case["model"]]()
    pv = pybamm.ParameterValues(case["parameter_set"])
    var_pts = {"x_n": FINE, "x_s": FINE, "x_p": FINE, "r_n": PARTICLE, "r_p": PARTICLE}
    steps = [step_of(s, case.get("drive_cycles", {})) for s in case["experiment"]]
    exp = pybamm.Experiment(steps, period="10 seconds")
    solver = pybamm.IDAKLUSolver(rtol=1e-8, atol=1e-10)
    sim = pybamm.Simulation(model, parameter_values=pv, experiment=exp, var_pts=var_pts, solver=solver)
    t0 = time.perf_counter()
    sol = sim.solve()
    wall = time.perf_counter() - t0
    names = ["Time [s]", "Current [A]", "Voltage [V]", "Discharge capacity [A.h]"]
    data = np.column_stack([sol[n].entries for n in names])
    np.savetxt(f"{outdir}/{case['id']}.csv", data, delimiter=",", header=",".join(names),
               comments="", fmt="%.9g")
    meta = dict(case)
    meta.update(rows=int(data.shape[0]), reference_mesh_points_per_domain=FINE,
                reference_particle_points=PARTICLE,
                reference_solver="PyBaMM IDAKLU rtol=1e-8 atol=1e-10",
                pybamm_version=pybamm.__version__,
                final_voltage_V=float(data[-1, 2]), final_time_s=float(data[-1, 0]),
                discharge_capacity_Ah_max=float(np.max(data[:, 3])))
    print(case["id"], data.shape, "%.1fs" % wall, "end %.3f s %.4f V" % (data[-1, 0], data[-1, 2]),
          flush=True)
    return meta


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else HERE
    manifest = [run(c, outdir) for c in CASES]
    with open(f"{outdir}/manifest.json", "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
