"""The ``sim`` command: run, sweep, report, validate.

Bad input exits with code 2 and one line on stderr naming key, value and
allowed range; nothing is written to stdout in that case.
"""

from __future__ import annotations

import argparse
import sys

from .errors import SimInputError

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump
        raise SimInputError(f"{self.prog}: {message}")


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="sim", description="L4-L5 nerve-root compression simulator "
                "(research and teaching model, not a diagnostic device)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="simulate one scenario in every posture")
    run.add_argument("scenario")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE")
    run.add_argument("--posture", dest="postures", action="append", default=[])
    run.add_argument("--format", choices=("table", "json", "csv"), default="table")
    run.add_argument("--report", metavar="DIR")
    run.add_argument("--engine", choices=("numba", "reference"), default="numba")

    sw = sub.add_parser("sweep", help="run a parameter sweep into a zarr store")
    sw.add_argument("sweep_file")
    sw.add_argument("--out", metavar="STORE")
    sw.add_argument("--resume", action="store_true")
    sw.add_argument("--workers", type=int)
    sw.add_argument("--scheduler", metavar="ADDRESS")
    sw.add_argument("--quiet", action="store_true")
    sw.add_argument("--yes", action="store_true", help="run a sweep of more than 1e8 configurations")

    rep = sub.add_parser("report", help="figures and HTML/PDF report of a scenario or a sweep store")
    rep.add_argument("source", metavar="STORE_OR_SCENARIO")
    rep.add_argument("--out", required=True, metavar="DIR")
    rep.add_argument("--set", dest="overrides", action="append", default=[])
    rep.add_argument("--allow-partial", action="store_true",
                     help="report an incomplete sweep store (every figure says how much it covers)")

    sub.add_parser("validate", help="compare the model with the published measurements")
    return p


def _run(args) -> int:
    from . import records
    from .model import simulate
    from .scenario import load_scenario

    scenario = load_scenario(args.scenario, args.overrides)
    twice = [p for p in dict.fromkeys(args.postures) if args.postures.count(p) > 1]
    if twice:
        raise SimInputError(f"--posture {twice[0]} is given twice; give each posture once")
    frame = simulate(scenario, postures=args.postures or None, engine=args.engine)
    if args.report:
        from .report import scenario_report

        scenario_report(scenario, frame, args.report)
    if args.format == "json":
        text = records.to_json(frame)
    elif args.format == "csv":
        text = records.to_csv(frame)
    else:
        text = _table_text(scenario, frame)
    sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))
    return 0


def _table_text(scenario, frame) -> str:
    from . import DISCLAIMER, records

    head = [f"scenario: {scenario.name}" + (f" - {scenario.description}" if scenario.description else "")]
    changed = scenario.changed()
    if changed:
        head.append("differs from default: " + ", ".join(f"{k}={v}" for k, v in changed.items()))
    parts = ["\n".join(head), records.to_table(frame)]
    try:
        from .referral import presentation_summary
    except ImportError:
        presentation_summary = None
    if presentation_summary is not None:
        parts.append(presentation_summary(frame))
    parts.append(DISCLAIMER)
    return "\n\n".join(parts)


def _sweep(args) -> int:
    """``sim sweep SWEEP.toml [--out STORE] [--resume] [--workers N] [--scheduler ADDRESS] [--quiet]``."""
    from pathlib import Path

    from .sweep import load_sweep, run_sweep

    path = Path(args.sweep_file)
    out = Path(args.out) if args.out else Path.cwd() / f"{path.stem}.zarr"
    spec = load_sweep(path)
    try:
        run = run_sweep(spec, out=out, resume=bool(args.resume), workers=args.workers, scheduler=args.scheduler,
                        progress=not args.quiet, confirm=bool(args.yes))
    except KeyboardInterrupt:
        sys.stderr.write(f"sim: interrupted; chunks already written are kept: resume with "
                         f"sim sweep {args.sweep_file} --out {out} --resume\n")
        return EXIT_INTERRUPTED
    rate = run.computed_configs / run.seconds if run.seconds > 0 else float("nan")
    resumed = f", resumed: {run.computed_chunks} of {run.chunks} chunks computed" if args.resume else ""
    sys.stdout.write(f"{out}: {run.n_configs} configurations ({spec.name}) in {run.seconds:.1f} s, "
                     f"{rate:.3g} configurations/s{resumed}\n")
    return 0


def _report(args) -> int:
    """``sim report STORE_OR_SCENARIO --out DIR [--set k=v ...]``."""
    from pathlib import Path

    from .report import write_report

    write_report(args.source, args.out, args.overrides, allow_partial=args.allow_partial)
    sys.stdout.write(f"report written to {Path(args.out) / 'report.html'} and report.pdf\n")
    return 0


def _validate(args) -> int:
    from .validation import run_validation, format_table

    rows = run_validation()
    sys.stdout.write(format_table(rows) + "\n")
    return 0 if all(r.passed for r in rows) else 1


def main(argv=None) -> int:
    try:
        args = _build_parser().parse_args(argv)
        handler = {"run": _run, "sweep": _sweep, "report": _report, "validate": _validate}[args.command]
        return handler(args)
    except SimInputError as exc:
        sys.stderr.write(f"sim: error: {exc}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("sim: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - users never see a traceback
        sys.stderr.write(f"sim: internal error: {type(exc).__name__}: {exc} (please report)\n")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
