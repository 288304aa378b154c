"""PyBaMM reference `spme_mohtat2020_voltage_profile.csv` (a drive cycle of voltage on a nearly
empty Mohtat2020 cell; `tests/it/sim_rehearsal.rs`): the profile is the manifest entry's
`drive_cycles.profile9`; rows at its time points. Run from this folder with PyBaMM 26.10."""
import json, numpy as np, pybamm
c = [x for x in json.load(open("manifest.json")) if x["id"] == "spme_mohtat2020_voltage_profile"][0]
data = np.array(c["drive_cycles"]["profile9"])
pv = pybamm.ParameterValues("Mohtat2020")
m = pybamm.lithium_ion.SPMe()
exp = pybamm.Experiment([pybamm.step.voltage(data)])
var_pts = {"x_n": 40, "x_s": 40, "x_p": 40, "r_n": 120, "r_p": 120}
sim = pybamm.Simulation(m, parameter_values=pv, experiment=exp, var_pts=var_pts,
                        solver=pybamm.IDAKLUSolver(rtol=1e-8, atol=1e-10))
sol = sim.solve()
t = data[:, 0]
out = np.column_stack([t] + [sol[n](t=t) for n in ["Current [A]", "Voltage [V]", "Discharge capacity [A.h]"]])
import sys
with open("spme_mohtat2020_voltage_profile.csv", "w") as f:
    f.write("Time [s],Current [A],Voltage [V],Discharge capacity [A.h]\n")
    for r in out: f.write(",".join(f"{v:.9g}" for v in r) + "\n")
print(len(t), t[:3], out[-1])
