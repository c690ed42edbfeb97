"""The ``sim`` command: run, sweep, report, validate.

Bad input exits with code 2 and one line on stderr naming key, value and
allowed range; nothing is written to stdout in that case.
"""

from __future__ import annotations

import argparse
import sys

from .errors import SimInputError

EXIT_BAD_INPUT = 2


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

    rep = sub.add_parser("report", help="figures and HTML/PDF report of a scenario or a sweep store")
    rep.add_argument("source", metavar="STORE_OR_SCENARIO")
    rep.add_argument("--out", required=True, metavar="DIR")
    rep.add_argument("--set", dest="overrides", action="append", default=[])

    val = sub.add_parser("validate", help="compare the model with the published measurements")
    val.add_argument("--format", choices=("table", "json", "csv"), default="table")
    val.add_argument("--kind", choices=("calibration", "independent"), default=None,
                     help="only the targets of this kind")
    return p


def _run(args) -> int:
    from . import records
    from .engine import simulate
    from .scenario import load_scenario

    scenario = load_scenario(args.scenario, args.overrides)
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
    from . import records
    from .about import DISCLAIMER

    head = [f"scenario: {scenario.name}" + (f" - {scenario.description}" if scenario.description else "")]
    changed = scenario.changed()
    if changed:
        head.append("differs from default: " + ", ".join(f"{k}={v}" for k, v in changed.items()))
    parts = ["\n".join(head), records.to_table(frame)]
    try:
        from .signature import presentation_summary
    except ImportError:
        presentation_summary = None
    if presentation_summary is not None:
        parts.append(presentation_summary(frame))
    parts.append(DISCLAIMER)
    return "\n\n".join(parts)


def _sweep(args) -> int:
    from .sweep import sweep_cli

    return sweep_cli(args)


def _report(args) -> int:
    from .report import report_cli

    return report_cli(args)


def _validate(args) -> int:
    from .validation import exit_code, format_csv, format_json, format_table, run_validation

    rows = run_validation(args.kind)
    text = {"table": format_table, "json": format_json, "csv": format_csv}[args.format](rows)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return exit_code(rows)


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
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - users never see a traceback
        sys.stderr.write(f"sim: internal error: {type(exc).__name__}: {exc} (please report)\n")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
