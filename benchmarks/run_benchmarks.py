"""Throughput, scaling and memory of the numba kernel and of whole sweeps, in one run.

Writes ``benchmarks/results.json`` and the table in ``benchmarks/README.md``.
A *configuration* is one parameter set in one posture (both sides).  Every
number is the median of several runs (``--repeats``); peak memory is the
peak RSS of a fresh subprocess that runs only the sweep.

    python benchmarks/run_benchmarks.py            # full run (the 1e7 sweep takes a few minutes)
    python benchmarks/run_benchmarks.py --quick    # smaller sizes, for a smoke test
    python benchmarks/run_benchmarks.py --only parallel   # kernel vs compute-only loop scaling, prints only
    python benchmarks/run_benchmarks.py --only evaluate   # sim.evaluate / bare kernel, prints only
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
POPULATION = ROOT / "configs" / "populations" / "anatomical_variability.toml"
SCENARIO = ROOT / "configs" / "scenarios" / "degenerated_disc.toml"
POSTURES = ["standing", "sitting", "flexion", "extension"]
#: A typical selection for large sweeps: the compression of both roots, the grades and the pain distribution.
SELECTED = ["l4_pressure_kpa", "l4_drg_pressure_kpa", "l5_pressure_kpa", "l4_grade", "l5_grade", "distribution"]


def sweep_data(n_configs: int, chunk_configs: int | None = None, outputs: list | None = None) -> dict:
    """A population sweep of ``n_configs`` configurations (4 postures) on the degenerated disc."""
    head = {"scenario": str(SCENARIO), "postures": POSTURES, "name": f"bench_{n_configs}"}
    if chunk_configs:
        head["chunk_configs"] = chunk_configs
    if outputs:
        head["outputs"] = outputs
    return {"sweep": head, "population": {"file": str(POPULATION), "size": n_configs // len(POSTURES), "seed": 1}}


def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem_gb = round(kb / 2**20, 1)
    except (OSError, ValueError, IndexError):
        pass
    import numba
    import xarray
    import zarr

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem_gb, "platform": platform.platform(),
            "python": platform.python_version(), "numpy": np.__version__, "numba": numba.__version__,
            "xarray": xarray.__version__, "zarr": zarr.__version__, "numba_threads": numba.config.NUMBA_NUM_THREADS}


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def kernel_rates(n: int, n_reference: int, repeats: int) -> dict:
    import numba

    from sim.engine import run_engine
    from sim.sweep import build_matrix, chunk_parameters, make_plan, spec_from_dict

    plan = make_plan(spec_from_dict(sweep_data(n, chunk_configs=n)))
    params, _ = chunk_parameters(plan, 0)
    matrix = build_matrix(plan, params)
    run_engine(matrix[:64], plan.table, coef=plan.coef)  # compile / load cache
    threads = numba.config.NUMBA_NUM_THREADS
    numba.set_num_threads(threads)
    t_all = timed(lambda: run_engine(matrix, plan.table, coef=plan.coef), repeats)
    numba.set_num_threads(1)
    t_one = timed(lambda: run_engine(matrix, plan.table, coef=plan.coef), repeats)
    numba.set_num_threads(threads)
    sub = matrix[:n_reference]
    t_ref = timed(lambda: run_engine(sub, plan.table, engine="reference", coef=plan.coef), max(1, repeats // 2))
    out = run_engine(matrix, plan.table, coef=plan.coef)
    from sim.layout import OUT

    rate_all, rate_one, rate_ref = n / t_all, n / t_one, n_reference / t_ref
    return {"configs": n, "threads": threads, "numba_all_cores_per_s": rate_all, "numba_1_thread_per_s": rate_one,
            "reference_per_s": rate_ref, "reference_configs": n_reference,
            "speedup_vs_reference": rate_all / rate_ref, "speedup_1_thread_vs_reference": rate_one / rate_ref,
            "parallel_efficiency": rate_all / (threads * rate_one),
            "mean_solver_iterations": float(out[:, :, OUT["solver_iterations"]].mean()),
            "microseconds_per_config_1_thread": 1e6 / rate_one}


def _control_loop():
    """A compute-only ``prange`` loop (no memory traffic, no shared state): the machine's own scaling."""
    import math

    from numba import njit, prange

    @njit(parallel=True)
    def control(n, work):
        out = np.empty(n)
        for i in prange(n):
            x = i * 1e-6
            for _ in range(work):
                x = math.sin(x) + 1e-3
            out[i] = x
        return out

    return control


def parallel_control(n: int, repeats: int) -> dict:
    """Parallel efficiency of the kernel and of a compute-only loop, 1 and all threads alternated.

    If the compute-only loop scales no better than the kernel, the bound is the machine
    (virtual cores on shared physical ones, other jobs), not the kernel's memory use or
    scheduling.  The loop's work is about the kernel's per row.
    """
    import numba

    from sim.engine import run_engine
    from sim.sweep import build_matrix, chunk_parameters, make_plan, spec_from_dict

    plan = make_plan(spec_from_dict(sweep_data(n, chunk_configs=n)))
    params, _ = chunk_parameters(plan, 0)
    matrix = build_matrix(plan, params)
    control = _control_loop()
    runs = {"kernel": lambda: run_engine(matrix, plan.table, coef=plan.coef), "control": lambda: control(n, 60)}
    for f in runs.values():
        f()
    threads = numba.config.NUMBA_NUM_THREADS
    times = {(name, t): [] for name in runs for t in (1, threads)}
    for _ in range(repeats):
        for t in (1, threads):
            numba.set_num_threads(t)
            for name, f in runs.items():
                t0 = time.perf_counter()
                f()
                times[name, t].append(time.perf_counter() - t0)
    numba.set_num_threads(threads)
    out = {"configs": n, "threads": threads}
    for name in runs:
        ratios = [a / (threads * b) for a, b in zip(times[name, 1], times[name, threads])]
        out[f"{name}_efficiency"] = statistics.median(ratios)
    return out


def evaluate_overhead(n: int, repeats: int) -> dict:
    """``sim.evaluate`` (labels in, labels out) against the bare kernel on the same configurations.

    ``n`` mixed configurations: every built-in posture but the walking ones, random herniation
    zone, herniation side and side, three numeric parameters drawn in their ranges.  The two are
    run alternately; the ratio is the median of the per-round ratios.
    """
    from sim.engine import evaluate, pack, run_engine
    from sim.layout import HERNIATION_SIDES, HERNIATION_ZONES
    from sim.postures import BUILTIN_POSTURES

    rng = np.random.default_rng(1)
    postures = [p for p in BUILTIN_POSTURES if not p.startswith("walking")]
    batch = {"posture": rng.choice(postures, n), "side": rng.choice(["left", "right"], n),
             "pathology.herniation_zone": rng.choice(HERNIATION_ZONES, n),
             "pathology.herniation_side": rng.choice(HERNIATION_SIDES, n),
             "pathology.disc_height_loss_mm": rng.uniform(0.0, 3.0, n),
             "pathology.herniation_size_mm": rng.uniform(0.0, 3.0, n),
             "anatomy.foraminal_height_mm": rng.uniform(16.0, 24.0, n)}
    matrix, table, *_ = pack(batch)
    evaluate({k: v[:64] for k, v in batch.items()})  # compile / load cache
    run_engine(matrix[:64], table)
    t_kernel, t_eval = [], []
    for _ in range(repeats):
        for store, f in ((t_kernel, lambda: run_engine(matrix, table)), (t_eval, lambda: evaluate(batch))):
            t0 = time.perf_counter()
            f()
            store.append(time.perf_counter() - t0)
    return {"configs": n, "kernel_per_s": n / statistics.median(t_kernel),
            "evaluate_per_s": n / statistics.median(t_eval),
            "ratio": statistics.median([e / k for k, e in zip(t_kernel, t_eval)]),
            "ratio_best": min(t_eval) / min(t_kernel)}


def sweep_rate(n: int, repeats: int, tmp: Path, chunk_configs: int | None = None, outputs=None) -> dict:
    from sim.sweep import run_sweep, spec_from_dict

    spec = spec_from_dict(sweep_data(n, chunk_configs, outputs))
    times = []
    for i in range(repeats):
        out = tmp / f"rate_{n}_{chunk_configs}_{i}.zarr"
        run = run_sweep(spec, out=out, progress=True)
        times.append(run.seconds)
        shutil.rmtree(out)
    t = statistics.median(times)
    return {"configs": n, "chunk_configs": chunk_configs, "seconds": t, "per_s": n / t,
            "outputs": len(spec.outputs), "stored_bytes_per_config": stored_bytes(spec.outputs)}


def stored_bytes(outputs) -> int:
    """Uncompressed bytes stored per configuration (both sides): float64 results, int8 codes."""
    from sim.layout import CATEGORICAL_OUTPUTS

    return sum(2 * (1 if name in CATEGORICAL_OUTPUTS else 8) for name in outputs)


_CHILD = """
import resource, sys, time, json
from sim.sweep import run_sweep, spec_from_dict
sys.path.insert(0, {here!r})
from run_benchmarks import sweep_data
t0 = time.perf_counter()
run_sweep(spec_from_dict(sweep_data(1000, outputs={outputs!r})), out={out!r} + ".warm", progress=False)
startup = time.perf_counter() - t0  # imports, kernel loaded from numba's cache, a 1000-config sweep
spec = spec_from_dict(sweep_data({n}, outputs={outputs!r}))
run = run_sweep(spec, out={out!r}, progress=False)
# VmHWM (peak RSS of this process image) is reset at exec; ru_maxrss keeps the forking parent's peak
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
try:
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
except OSError:
    pass
print(json.dumps({{"seconds": run.seconds, "peak_rss_mb": peak, "startup_seconds": startup}}))
"""


def sweep_memory(n: int, tmp: Path, outputs=None) -> dict:
    out = tmp / f"mem_{n}.zarr"
    code = _CHILD.format(here=str(HERE), n=n, out=str(out), outputs=outputs)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    data = json.loads(res.stdout.strip().splitlines()[-1])
    du = subprocess.run(["du", "-sm", str(out)], capture_output=True, text=True).stdout.split()
    shutil.rmtree(out)
    shutil.rmtree(str(out) + ".warm", ignore_errors=True)
    return {"configs": n, "seconds": data["seconds"], "per_s": n / data["seconds"],
            "startup_seconds": data["startup_seconds"],
            "peak_rss_mb": data["peak_rss_mb"], "store_mb": int(du[0]) if du else None,
            "outputs": "all" if outputs is None else len(outputs)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", default=str(HERE / "results.json"))
    ap.add_argument("--only", choices=("parallel", "evaluate"),
                    help="print one measure (parallel efficiency of the kernel against a compute-only loop, or "
                         "sim.evaluate against the bare kernel) and write nothing")
    args = ap.parse_args(argv)
    if args.only:
        n = 2**15 if args.quick else 2**17
        if args.only == "parallel":
            res = parallel_control(n, 2 * args.repeats)
        else:
            res = evaluate_overhead(10**5, args.repeats)
        print(json.dumps(res, indent=1))
        return 0
    sys.stderr = open(os.devnull, "w") if not sys.stderr.isatty() else sys.stderr  # bars are noise in logs
    tmp = Path(tempfile.mkdtemp(prefix="sim_bench_"))
    try:
        kernel_n = 2**15 if args.quick else 2**18
        res = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M"), "quick": args.quick}
        res["kernel"] = kernel_rates(kernel_n, 100 if args.quick else 400, args.repeats)
        res["parallel_control"] = parallel_control(kernel_n // 4 if args.quick else kernel_n // 2, 2 * args.repeats)
        res["evaluate"] = evaluate_overhead(10**5, args.repeats)
        sweep_n = 2**17 if args.quick else 2**21
        res["sweep"] = sweep_rate(sweep_n, max(3, args.repeats // 2 + 1), tmp)
        res["sweep"]["overhead_vs_kernel"] = res["kernel"]["numba_all_cores_per_s"] / res["sweep"]["per_s"] - 1
        res["sweep_selected"] = sweep_rate(sweep_n, max(3, args.repeats // 2 + 1), tmp, outputs=SELECTED)
        res["sweep_selected"]["overhead_vs_kernel"] = (res["kernel"]["numba_all_cores_per_s"]
                                                       / res["sweep_selected"]["per_s"] - 1)
        chunks = {}
        for c in ([2**14, 2**16] if args.quick else [2**15, 2**16, 2**17, 2**18]):
            r = sweep_rate(sweep_n, 3, tmp, chunk_configs=c)
            chunks[str(c)] = r["per_s"]
        res["sweep_by_chunk_configs_per_s"] = chunks
        sizes = [10**4, 10**5] if args.quick else [10**5, 10**6, 10**7]
        res["memory_and_scaling"] = [sweep_memory(n, tmp) for n in sizes]
        res["memory_and_scaling"].append(sweep_memory(sizes[-1], tmp, SELECTED))
        big = res["memory_and_scaling"][-1]
        big["overhead_vs_kernel"] = res["kernel"]["numba_all_cores_per_s"] / big["per_s"] - 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    Path(args.out).write_text(json.dumps(res, indent=1) + "\n")
    write_readme(res)
    print(table(res))
    return 0


def table(res: dict) -> str:
    k, s, m = res["kernel"], res["sweep"], res["machine"]
    rows = [
        ("numba kernel, all cores", f"{k['numba_all_cores_per_s']:.3g} configs/s",
         f"{k['threads']} threads, {k['configs']} configs"),
        ("numba kernel, 1 thread", f"{k['numba_1_thread_per_s']:.3g} configs/s",
         f"{k['microseconds_per_config_1_thread']:.2f} us/config; {k['mean_solver_iterations']:.1f} Newton iterations"),
        ("reference engine", f"{k['reference_per_s']:.3g} configs/s", f"{k['reference_configs']} configs"),
        ("speed-up numba (all cores) / reference", f"{k['speedup_vs_reference']:.0f}x",
         f"1 thread: {k['speedup_1_thread_vs_reference']:.0f}x"),
        ("parallel efficiency", f"{k['parallel_efficiency']:.0%}", f"rate(all) / ({k['threads']} x rate(1))"),
    ]
    if "parallel_control" in res:
        c = res["parallel_control"]
        rows.append(("parallel efficiency, alternated with a compute-only loop",
                     f"kernel {c['kernel_efficiency']:.0%}, loop {c['control_efficiency']:.0%}",
                     f"{c['configs']} configs; the loop shows what the machine's cores allow"))
    if "evaluate" in res:
        e = res["evaluate"]
        rows.append(("sim.evaluate (labels in and out) / bare kernel", f"{e['ratio']:.2f}x",
                     f"{e['configs']:.0e} mixed configs, alternated; evaluate {e['evaluate_per_s']:.3g} configs/s"))
    rows += [
        ("whole sweep, all results (kernel + chunks + store + bar)", f"{s['per_s']:.3g} configs/s",
         f"{s['configs']} configs, default chunks; {s['outputs']} results, {s['stored_bytes_per_config']} B/config"),
        ("sweep overhead over the bare kernel, all results", f"{s['overhead_vs_kernel']:.0%}",
         "kernel rate / sweep rate - 1"),
    ]
    if "sweep_selected" in res:
        q = res["sweep_selected"]
        rows += [("whole sweep, selected results", f"{q['per_s']:.3g} configs/s",
                  f"{q['outputs']} results ({', '.join(SELECTED)}), {q['stored_bytes_per_config']} B/config"),
                 ("sweep overhead over the bare kernel, selected results", f"{q['overhead_vs_kernel']:.0%}",
                  "kernel rate / sweep rate - 1")]
    for c, rate in res["sweep_by_chunk_configs_per_s"].items():
        rows.append((f"sweep, chunk_configs = {c}", f"{rate:.3g} configs/s", ""))
    for r in res["memory_and_scaling"]:
        extra = f"; overhead over the bare kernel {r['overhead_vs_kernel']:.0%}" if "overhead_vs_kernel" in r else ""
        rows.append((f"sweep of {r['configs']:.0e} configs, {r.get('outputs', 'all')} results",
                     f"{r['seconds']:.1f} s, peak RSS {r['peak_rss_mb']:.0f} MB",
                     f"{r['per_s']:.3g} configs/s; store {r['store_mb']} MB{extra}"))
    if res["memory_and_scaling"]:
        rows.append(("start-up of a fresh process", f"{res['memory_and_scaling'][0]['startup_seconds']:.1f} s",
                     "imports, kernel from numba's cache, a 1000-config sweep; not in the sweep times above"))
    head = (f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; {m['platform']}; Python {m['python']}, "
            f"numba {m['numba']}, numpy {m['numpy']}, xarray {m['xarray']}, zarr {m['zarr']}. "
            f"Run {res['date']}{' (--quick)' if res['quick'] else ''}; medians of repeated runs.")
    lines = [head, "", "| measure | value | notes |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def write_readme(res: dict) -> None:
    path = HERE / "README.md"
    text = path.read_text() if path.exists() else ""
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    block = f"{start}\n{table(res)}\n{end}"
    if start in text and end in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
