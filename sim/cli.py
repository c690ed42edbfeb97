"""The ``sim`` command: run, compare, sweep, report, validate, differential, timeline.

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


SIGNS = ("Signs: a positive flexion_moment_nm flexes (negative extends); a positive lateral_moment_nm bends "
         "to the right and narrows the right foramen; a positive axial_moment_nm rotates to the right; "
         "lateral_bend_left bends toward the left and narrows the left foramen.")


INTERVENTION_ORDER = ("Interventions are applied in a fixed surgical order, whatever the order given: "
                      "posture_advice, laminotomy, medial_facetectomy, foraminotomy, discectomy, interbody_fusion, "
                      "interspinous_spacer; each may be given once (side=both for both sides); a spacer with a "
                      "fusion and a discectomy without a herniation are refused.")


def _intervention_option(parser):
    from .procedures import help_text

    parser.add_argument("--intervention", dest="interventions", action="append", default=[],
                        metavar="NAME[:KEY=VALUE,...]",
                        help="apply a named intervention (repeatable). " + INTERVENTION_ORDER + " Names, keys, "
                             "defaults and ranges: " + help_text().replace("\n", "; "))


def _sub(sub, name: str, help_text: str, description: str, example: str):
    import textwrap

    return sub.add_parser(name, help=help_text, description=textwrap.fill(description, 88),
                          epilog=f"example:\n  {example}", formatter_class=argparse.RawDescriptionHelpFormatter)


def _set_option(parser, help_text: str) -> None:
    """The repeatable ``--set SECTION.KEY=VALUE`` override every scenario command takes."""
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help=help_text)


def _engine_option(parser, help_text: str = "numba kernel (default) or the readable reference engine") -> None:
    """``--engine numba|reference``: the kernel or the readable reference chain it is held to."""
    parser.add_argument("--engine", choices=("numba", "reference"), default="numba", help=help_text)


class _Step(argparse.Action):
    """Keeps --activity, --then and --minutes in the order given: [(option, value), ...]."""

    def __call__(self, parser, namespace, values, option_string=None):
        steps = list(getattr(namespace, self.dest, None) or [])
        steps.append((option_string, values))
        setattr(namespace, self.dest, steps)


def schedule_from_steps(steps) -> list[tuple[str, str]]:
    """Pair ``--activity A --minutes M [--then B --minutes N ...]`` into [(A, M), (B, N), ...].

    Bad order raises one line naming the option, its value and what is allowed.
    """
    from .postures import ACTIVITIES

    allowed = ", ".join(ACTIVITIES)
    schedule: list[list] = []
    for i, (option, value) in enumerate(steps or []):
        if option == "--minutes":
            if not schedule or schedule[-1][1] is not None:
                raise SimInputError(f"--minutes = {value!r} has no activity before it; give --activity NAME "
                                    f"(then --then NAME) before each --minutes; allowed activities: {allowed}")
            schedule[-1][1] = value
            continue
        if option == "--activity" and i != 0:
            raise SimInputError(f"--activity = {value!r} must come first; name later activities with --then")
        if option == "--then" and not schedule:
            raise SimInputError(f"--then = {value!r} has no --activity before it; start with --activity NAME")
        if schedule and schedule[-1][1] is None:
            raise SimInputError(f"--minutes for activity {schedule[-1][0]!r} is missing; allowed range above 0 "
                                f"to 1440 min")
        schedule.append([value, None])
    if not schedule:
        raise SimInputError(f"--activity is missing; allowed activities: {allowed}")
    if schedule[-1][1] is None:
        raise SimInputError(f"--minutes for activity {schedule[-1][0]!r} is missing; allowed range above 0 to 1440 min")
    return [(a, m) for a, m in schedule]


def _build_parser() -> argparse.ArgumentParser:
    import textwrap

    from .about import __version__

    p = _Parser(prog="sim", description=textwrap.fill("L4-L5 nerve-root compression simulator "
                "(research and teaching model, not a diagnostic device). " + SIGNS, 88),
                epilog="example:\n  sim run configs/scenarios/central_stenosis.toml --posture standing --format json",
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"sim {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    run = _sub(sub, "run", "simulate one scenario in every posture",
               "Simulate one scenario (TOML) in every posture of the scenario, or in the postures given, and "
               "print one record per posture and side. " + SIGNS,
               "sim run configs/scenarios/healthy.toml --posture standing --posture extension "
               "--set pathology.disc_height_loss_mm=3 --format json")
    run.add_argument("scenario", help="scenario file (TOML)")
    _set_option(run, "override one scenario value, e.g. anatomy.foraminal_height_mm=18 (repeatable)")
    run.add_argument("--posture", dest="postures", action="append", default=[], metavar="NAME",
                     help="run only this posture (repeatable; default: the scenario's postures, else every "
                          "built-in one)")
    run.add_argument("--format", choices=("table", "json", "csv"), default="table",
                     help="table (default, for reading), json (a list of records, nothing else on stdout) or csv")
    run.add_argument("--report", metavar="DIR", help="also write the figures, report.html and report.pdf into DIR")
    run.add_argument("--paper", choices=("a4", "letter"), default="a4", help="page size of report.pdf (default a4)")
    _engine_option(run, "numba kernel (default) or the readable reference engine (slow, the oracle)")
    _intervention_option(run)

    cmp = _sub(sub, "compare", "before and after the scenario's interventions, side by side",
               "Simulate a scenario before and after its interventions ([interventions] in the file and "
               "--intervention) and print, per posture and side, foraminal height/width/area, recess depth, "
               "root and ganglion pressure and grade and pain per region, with the change. " + INTERVENTION_ORDER,
               "sim compare configs/scenarios/foraminal_herniation_left.toml --intervention foraminotomy:side=left "
               "--intervention interbody_fusion:cage_height_mm=12,lordosis_deg=8")
    cmp.add_argument("scenario", help="scenario file (TOML)")
    _set_option(cmp, "override one scenario value (repeatable)")
    cmp.add_argument("--posture", dest="postures", action="append", default=[], metavar="NAME",
                     help="compare only this posture (repeatable)")
    cmp.add_argument("--format", choices=("table", "json", "csv"), default="table",
                     help="table (default), or json / csv records with a stage column (before, after)")
    _intervention_option(cmp)

    sw = _sub(sub, "sweep", "run a parameter sweep into a zarr store",
              "Run a grid or population sweep (TOML) chunk by chunk into a zarr store; a killed sweep "
              "resumes with --resume. Without --out the store is ./<sweep file name>.zarr.",
              "sim sweep configs/sweeps/slip_x_height_loss.toml --out slip.zarr --workers 2")
    sw.add_argument("sweep_file", help="sweep file (TOML)")
    sw.add_argument("--out", metavar="STORE", help="zarr store to write (default: ./<sweep file name>.zarr)")
    sw.add_argument("--resume", action="store_true",
                    help="finish a killed sweep in STORE (refused if the sweep file or the model changed)")
    sw.add_argument("--workers", type=int, metavar="N",
                    help="run on a local Dask cluster of N worker processes (loopback only)")
    sw.add_argument("--scheduler", metavar="ADDRESS", help="run on the Dask scheduler at ADDRESS (tcp://host:port)")
    sw.add_argument("--quiet", action="store_true", help="no progress bar")
    sw.add_argument("--yes", action="store_true", help="run a sweep of more than 1e8 configurations")

    rep = _sub(sub, "report", "figures and HTML/PDF report of a scenario or a sweep store",
               "Write figures (PNG), report.html and report.pdf of a scenario file or a sweep store into DIR; "
               "the report opens with its findings.",
               "sim report configs/scenarios/spondylolisthesis_grade1.toml --out reports/spondylolisthesis")
    rep.add_argument("source", metavar="STORE_OR_SCENARIO", help="a scenario file (.toml) or a sweep store (.zarr)")
    rep.add_argument("--out", required=True, metavar="DIR",
                     help="directory for the report (written whole or not at all)")
    _set_option(rep, "override one scenario value (repeatable; scenarios only)")
    rep.add_argument("--allow-partial", action="store_true",
                     help="report an incomplete sweep store (every figure says how much it covers)")
    rep.add_argument("--paper", choices=("a4", "letter"), default="a4", help="page size of report.pdf (default a4)")

    dif = _sub(sub, "differential", "spine or hip: provocation tests, diagnostic blocks, likely source",
               "For each pain source (L4 root, L5 root, hip joint) print the pain each provocation manoeuvre "
               "gives, the relief of each diagnostic block (intra-articular hip anaesthetic, selective L4 or L5 "
               "root block; positive at >= 50 %) and which source the pattern points to and why. The hip is "
               "set in the scenario's [hip] section (severity 0-1, side).",
               "sim differential configs/scenarios/stenosis_plus_hip.toml --format json")
    dif.add_argument("scenario", help="scenario file (TOML)")
    _set_option(dif, "override one scenario value, e.g. hip.severity=0.5 (repeatable)")
    dif.add_argument("--test", dest="tests", action="append", default=[], metavar="MANOEUVRE",
                     help="run only this manoeuvre (repeatable; default: every one, see docs/differential.md)")
    dif.add_argument("--format", choices=("table", "json"), default="table",
                     help="table (default, for reading) or json (one object, nothing else on stdout)")
    _engine_option(dif)
    tl = _sub(sub, "timeline", "symptoms against time through a schedule of activities",
              "Hold activities one after the other, from rest, and print the pain per region minute by minute, "
              "the time to first symptoms, the time to stop and the recovery time (claudication model, "
              "docs/timeline.md). Activities: standing, walking, walking_forward_leaning, walking_loaded, "
              "sitting, supine; each is followed by --minutes.",
              "sim timeline configs/scenarios/central_stenosis.toml --activity walking --minutes 20 "
              "--then sitting --minutes 5 --format json")
    tl.add_argument("scenario", help="scenario file (TOML)")
    tl.add_argument("--activity", dest="steps", action=_Step, metavar="NAME", help="the first activity")
    tl.add_argument("--then", dest="steps", action=_Step, metavar="NAME", help="the next activity (repeatable)")
    tl.add_argument("--minutes", dest="steps", action=_Step, metavar="MIN",
                    help="minutes of the activity just named (after each --activity and --then)")
    _set_option(tl, "override one scenario value, e.g. claudication.recovery_time_constant_min=3 (repeatable)")
    tl.add_argument("--format", choices=("table", "json"), default="table",
                    help="table (default) or json (one object, nothing else on stdout)")
    _engine_option(tl)

    val = _sub(sub, "validate", "compare the model with the published measurements",
               "Print the literature validation table: each target with the published value and spread, "
               "the model's value, calibration or independent, pass or fail. Exit 0 when all pass.",
               "sim validate --format csv > validation.csv")
    val.add_argument("--format", choices=("table", "json", "csv"), default="table",
                     help="table (default), json or csv")
    val.add_argument("--kind", choices=("calibration", "independent"), default=None,
                     help="only the targets of this kind (default: every target)")
    return p


def _run(args) -> int:
    from . import records
    from .engine import simulate
    from .scenario import load_scenario

    scenario = load_scenario(args.scenario, args.overrides, args.interventions)
    twice = [p for p in dict.fromkeys(args.postures) if args.postures.count(p) > 1]
    if twice:
        raise SimInputError(f"--posture {twice[0]} is given twice; give each posture once")
    frame = simulate(scenario, postures=args.postures or None, engine=args.engine)
    if args.report:
        from .report import scenario_report

        scenario_report(scenario, frame, args.report, paper=args.paper)
    if args.format == "json":
        text = records.to_json(frame)
    elif args.format == "csv":
        text = records.to_csv(frame)
    else:
        text = _table_text(scenario, frame)
    sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))
    return 0


def _compare(args) -> int:
    """``sim compare SCENARIO [--intervention NAME:k=v ...] [--format table|json|csv]``."""
    from . import records
    from .about import DISCLAIMER
    from .compare import compare, compare_text
    from .scenario import load_scenario

    scenario = load_scenario(args.scenario, args.overrides, args.interventions)
    if not scenario.interventions and not any(k.startswith("intervention.") for k in scenario.changed()):
        raise SimInputError("sim compare: no intervention given; add --intervention NAME (allowed: "
                            "posture_advice, laminotomy, medial_facetectomy, foraminotomy, discectomy, "
                            "interbody_fusion, interspinous_spacer) or an [interventions] table")
    twice = [p for p in dict.fromkeys(args.postures) if args.postures.count(p) > 1]
    if twice:
        raise SimInputError(f"--posture {twice[0]} is given twice; give each posture once")
    frame = compare(scenario, postures=args.postures or None)
    if args.format == "json":
        text = records.to_json(frame)
    elif args.format == "csv":
        text = records.to_csv(frame)
    else:
        names = ", ".join(n for n, _ in scenario.interventions) or "intervention.* values"
        text = f"scenario: {scenario.name}; interventions: {names}\n\n{compare_text(frame)}\n\n{DISCLAIMER}"
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
    if scenario.values.get("hip.severity", 0.0) > 0.0:  # issue 15: the hip is not in the records
        parts.append(f"Hip joint: symptomatic ({scenario.values['hip.side']}, severity "
                     f"{scenario.values['hip.severity']:g}); its pain is not in these records (the roots' pain): "
                     "`sim differential` puts the roots and the hip side by side.")
    parts.append(DISCLAIMER)
    return "\n\n".join(parts)


def _sweep(args) -> int:
    """``sim sweep SWEEP.toml [--out STORE] [--resume] [--workers N] [--scheduler ADDRESS] [--quiet]``."""
    from pathlib import Path

    from .sweep import load_sweep, run_sweep

    path = Path(args.sweep_file)
    out = Path(args.out) if args.out else Path.cwd() / f"{path.stem}.zarr"
    if not args.out:
        sys.stderr.write(f"sim: no --out given; writing the store to {out}\n")
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

    write_report(args.source, args.out, args.overrides, allow_partial=args.allow_partial, paper=args.paper)
    sys.stdout.write(f"report written to {Path(args.out) / 'report.html'} and report.pdf\n")
    return 0


def _differential(args) -> int:
    """``sim differential SCENARIO [--test NAME ...] [--set k=v ...] [--format json]``."""
    from .about import DISCLAIMER
    from .diagnosis import check_manoeuvres, differential, to_json, to_text
    from .scenario import load_scenario

    scenario = load_scenario(args.scenario, args.overrides)
    tests = check_manoeuvres(args.tests, scenario) if args.tests else None
    result = differential(scenario, tests=tests, engine=args.engine)
    text = to_json(result) if args.format == "json" else to_text(result) + "\n\n" + DISCLAIMER
    sys.stdout.write(text + "\n")
    return 0


def _timeline(args) -> int:
    """``sim timeline SCENARIO --activity NAME --minutes M [--then NAME --minutes M ...]``."""
    from . import symptom_timeline as stl
    from .scenario import load_scenario

    schedule = stl.check_schedule(schedule_from_steps(args.steps))
    scenario = load_scenario(args.scenario, args.overrides)
    result = stl.timeline(scenario, schedule, engine=args.engine)
    text = stl.format_json(result) if args.format == "json" else stl.format_table(result)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _validate(args) -> int:
    from .validation import exit_code, format_csv, format_json, format_table, run_validation

    rows = run_validation(args.kind)
    text = {"table": format_table, "json": format_json, "csv": format_csv}[args.format](rows)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return exit_code(rows)


def main(argv=None) -> int:
    """Run the ``sim`` command line on ``argv`` (default ``sys.argv[1:]``); return the exit status (2: bad input)."""
    try:
        args = _build_parser().parse_args(argv)
        handler = {"run": _run, "compare": _compare, "sweep": _sweep, "report": _report, "validate": _validate,
                   "differential": _differential, "timeline": _timeline}[args.command]
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
