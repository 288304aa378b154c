"""PyBaMM re-solve times of SPM/SPMe/DFN Chen2020 "Discharge at 1C until 2.5 V" (as generate.py
measures them: IDAKLU defaults, median of N re-solves), at PyBaMM's default mesh and at 40 points
per domain. Usage: python time_pybamm.py [N]"""
import sys, time, numpy as np, pybamm
N = int(sys.argv[1]) if len(sys.argv) > 1 else 7
MODELS = {"SPM": pybamm.lithium_ion.SPM, "SPMe": pybamm.lithium_ion.SPMe, "DFN": pybamm.lithium_ion.DFN}
for mesh in [None, 40]:
    for name, cls in MODELS.items():
        pv = pybamm.ParameterValues("Chen2020")
        exp = pybamm.Experiment(["Discharge at 1C until 2.5 V"], period="10 seconds")
        kw = {} if mesh is None else {"var_pts": {k: mesh for k in ["x_n", "x_s", "x_p", "r_n", "r_p"]}}
        sim = pybamm.Simulation(cls(), parameter_values=pv, experiment=exp, **kw)
        sim.solve()
        ts = []
        for _ in range(N):
            a = time.perf_counter(); sim.solve(); ts.append(time.perf_counter() - a)
        print(f"pybamm {name} mesh {mesh or 'default(20)'}: median {np.median(ts)*1e3:.2f} ms, min {min(ts)*1e3:.2f} ms", flush=True)
