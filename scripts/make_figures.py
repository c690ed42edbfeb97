"""Regenerate every figure of the README from files that ship with the project.

    python scripts/make_figures.py              # writes docs/figures/*.png (about a minute)
    python scripts/make_figures.py --list       # only print the commands

Each README figure is a file that a documented ``sim`` command writes; this script runs
those commands (the same ones the README shows, on the shipped scenario and sweep files)
into a scratch directory and copies the figures to ``docs/figures`` under their README
names. Run it from the repository root after a change to the model or the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: The commands, in order ({work} is the scratch directory).
COMMANDS = (
    ("report", "configs/scenarios/spondylolisthesis_grade1.toml", "--out", "{work}/spondylolisthesis"),
    ("run", "configs/scenarios/central_stenosis.toml", "--report", "{work}/stenosis"),
    ("sweep", "configs/sweeps/slip_x_height_loss.toml", "--out", "{work}/slip.zarr", "--quiet"),
    ("report", "{work}/slip.zarr", "--out", "{work}/slip"),
    ("sweep", "configs/sweeps/population_degeneration.toml", "--out", "{work}/population.zarr", "--quiet"),
    ("report", "{work}/population.zarr", "--out", "{work}/population"),
    ("report", "configs/scenarios/stenosis_plus_hip.toml", "--out", "{work}/hip"),
)

#: README figure -> the file a command above writes.
FIGURES = {
    "spondylolisthesis_compression.png": "spondylolisthesis/compression.png",
    "spondylolisthesis_foramen.png": "spondylolisthesis/foramen.png",
    "central_stenosis_referred_pain.png": "stenosis/referred_pain.png",
    "central_stenosis_body_charts.png": "stenosis/body_chart_postures.png",
    "sweep_l5_pressure_map.png": "slip/map_l5_pressure.png",
    "sweep_l4_pressure_map.png": "slip/map_l4_pressure.png",
    "population_distributions.png": "population/distributions.png",
    "population_shares.png": "population/shares.png",
    "population_sensitivity.png": "population/sensitivity.png",
    "central_stenosis_timeline.png": "stenosis/timeline.png",
    "stenosis_plus_hip_differential.png": "hip/differential.png",
}


def command_lines(work: str = "DIR") -> list[str]:
    return ["sim " + " ".join(part.format(work=work) for part in cmd) for cmd in COMMANDS]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "figures"), help="where the README figures go")
    parser.add_argument("--work", help="scratch directory (default: a temporary one, removed afterwards)")
    parser.add_argument("--list", action="store_true", help="print the commands and exit")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(command_lines()))
        return 0
    sys.path.insert(0, str(ROOT))
    from sim.cli import main as sim_main

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        work = Path(args.work) if args.work else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        work.mkdir(parents=True, exist_ok=True)
        for cmd in COMMANDS:
            argv_cmd = [part.format(work=work) for part in cmd]
            print("sim " + " ".join(argv_cmd), file=sys.stderr)
            target = Path(argv_cmd[argv_cmd.index("--out") + 1]) if "--out" in argv_cmd else None
            if cmd[0] == "sweep" and target is not None and target.exists():
                shutil.rmtree(target)  # a fresh store, not a refused resume
            with contextlib.redirect_stdout(io.StringIO()):
                code = sim_main([str(ROOT / a) if a.startswith("configs/") else a for a in argv_cmd])
            if code:
                print(f"make_figures: 'sim {' '.join(argv_cmd)}' exited with {code}", file=sys.stderr)
                return code
        for name, produced in FIGURES.items():
            shutil.copyfile(work / produced, out / name)
            print(f"{out / name} <- {produced}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
