"""Sweep throughput with interventions against a plain sweep of the same size, in one run (issue 14).

The machine is shared, so the runs are interleaved and the ratio of medians is
what counts (target: within 20 %).  Each sweep is the degenerated disc over a
population (``--individuals``) x a grid of four values x four postures:

* plain:        grid over ``pathology.disc_height_loss_mm`` (0-3 mm);
* spacer:       grid over ``intervention.spacer_height_mm`` (0, 8, 10, 12 mm): the stop re-solves the
                postures it holds, the costliest intervention;
* cage:         grid over ``intervention.cage_height_mm`` (0, 8, 10, 12 mm): a fused segment skips the
                segment solve;
* decompression: grid over ``intervention.foraminotomy_left_mm`` (0-3 mm) with a bilateral flavectomy
                (the two sides differ, so both are computed).

    python benchmarks/interventions_throughput.py [--individuals 20000] [--repeats 3]

Writes ``benchmarks/interventions_results.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

POPULATION = ROOT / "configs" / "populations" / "anatomical_variability.toml"
SCENARIO = ROOT / "configs" / "scenarios" / "degenerated_disc.toml"
POSTURES = ["standing", "sitting", "flexion", "extension"]
CASES = {
    "plain": ({}, {"pathology.disc_height_loss_mm": [0.0, 1.0, 2.0, 3.0]}),
    "spacer": ({}, {"intervention.spacer_height_mm": [0.0, 8.0, 10.0, 12.0]}),
    "cage": ({"intervention.cage_lordosis_deg": 8.0}, {"intervention.cage_height_mm": [0.0, 8.0, 10.0, 12.0]}),
    "decompression": ({"intervention.flavectomy_left_fraction": 1.0, "intervention.flavectomy_right_fraction": 1.0},
                      {"intervention.foraminotomy_left_mm": [0.0, 1.0, 2.0, 3.0]}),
}


def sweep_data(name: str, individuals: int) -> dict:
    fixed, grid = CASES[name]
    return {"sweep": {"scenario": str(SCENARIO), "postures": POSTURES, "name": f"bench_{name}"},
            "fixed": dict(fixed), "grid": dict(grid),
            "population": {"file": str(POPULATION), "size": individuals, "seed": 1}}


def main(argv=None) -> int:
    from sim.sweep import run_sweep, spec_from_dict

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--individuals", type=int, default=20_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=str(HERE / "interventions_results.json"))
    args = ap.parse_args(argv)
    specs = {name: spec_from_dict(sweep_data(name, args.individuals)) for name in CASES}
    times: dict = {name: [] for name in CASES}
    with tempfile.TemporaryDirectory() as tmp:
        for name in CASES:  # warm up: compile and touch the kernels once
            run_sweep(spec_from_dict(sweep_data(name, 64)), out=Path(tmp) / f"warm_{name}.zarr", progress=False)
        for i in range(args.repeats):  # interleaved, so the shared machine's load hits every case alike
            for name, spec in specs.items():
                out = Path(tmp) / f"{name}_{i}.zarr"
                run = run_sweep(spec, out=out, progress=False)
                times[name].append(run.seconds)
                shutil.rmtree(out)
    n = args.individuals * 4 * len(POSTURES)
    res = {"configs": n, "repeats": args.repeats, "cases": {}}
    plain = statistics.median(times["plain"])
    for name, ts in times.items():
        t = statistics.median(ts)
        res["cases"][name] = {"seconds": t, "per_s": n / t, "ratio_to_plain": (n / t) / (n / plain),
                              "all_seconds": ts}
    Path(args.out).write_text(json.dumps(res, indent=1) + "\n")
    for name, r in res["cases"].items():
        print(f"{name:14s} {r['per_s']:.3g} configurations/s  ({r['ratio_to_plain']:.2f} x plain)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
