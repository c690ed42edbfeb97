"""Symptoms against time through a schedule of activities: ``sim timeline`` and :func:`sim.timeline`.

Each activity is a built-in posture held for some minutes (walking at its
double-support phase, ``sim/data/postures.toml``).  The scenario is simulated
once per activity (stage 1-5, either engine); the claudication model
(``sim.claudication``) then carries the deficit of each root through the
schedule in closed form and gives the region pains minute by minute, the time
to first symptoms, the time to stop and the recovery time.
"""

from __future__ import annotations

import math

import numpy as np

from . import claudication as clm
from .errors import SimInputError
from .postures import ACTIVITIES
from .referral import P_HILL_EXPONENT as P_HILL
from .referral import PAIN_OUTPUTS, PARAM_KEYS

#: Longest schedule accepted [min] (a day).
MAX_MINUTES = 1440.0
#: The schedule ``sim report`` draws for a scenario: a level treadmill walk, then rest seated.
REPORT_SCHEDULE = (("walking", 20.0), ("sitting", 5.0))


def check_schedule(schedule) -> tuple[tuple[str, float], ...]:
    """A schedule as ((activity, minutes), ...), checked: one line naming key, value and allowed range."""
    out = []
    schedule = list(schedule)
    if not schedule:
        raise SimInputError(f"timeline needs at least one activity; allowed: {', '.join(ACTIVITIES)}")
    for activity, minutes in schedule:
        if activity not in ACTIVITIES:
            raise SimInputError(f"activity = {activity!r} is unknown; allowed: {', '.join(ACTIVITIES)}")
        if isinstance(minutes, bool):
            minutes = str(minutes)
        try:
            value = float(minutes)
        except (TypeError, ValueError):
            raise SimInputError(f"minutes = {minutes!r} ({activity}) must be a number; "
                                f"allowed range above 0 to {MAX_MINUTES:g} min") from None
        if not math.isfinite(value) or value <= 0.0 or value > MAX_MINUTES:
            raise SimInputError(f"minutes = {minutes!r} ({activity}) is out of range; "
                                f"allowed range above 0 to {MAX_MINUTES:g} min")
        out.append((activity, value))
    total = sum(m for _, m in out)
    if total > MAX_MINUTES:
        raise SimInputError(f"minutes = {total:g} in total is out of range; allowed range above 0 to "
                            f"{MAX_MINUTES:g} min")
    return tuple(out)


def _finite_or_none(x: float):
    return float(x) if math.isfinite(x) else None


def timeline(scenario, schedule, engine: str = "numba", overrides=None, step_min: float = 1.0) -> dict:
    """Symptoms per region against time for a scenario through a schedule of activities.

    Parameters
    ----------
    scenario : str, pathlib.Path or sim.scenario.Scenario
    schedule : sequence of (activity, minutes)
        Activities from :data:`sim.postures.ACTIVITIES`, held in order from rest.
    engine : {"numba", "reference"}
    overrides : list of "section.key=value", optional (with a path only)
    step_min : float
        Spacing of the records [min].

    Returns
    -------
    dict
        ``time_to_first_symptoms_min`` (a root's pain first reaches ``claudication.onset_pain``),
        ``time_to_stop_min`` (reaches ``claudication.stop_pain``), ``recovery_min`` (minutes after
        the start of the last activity until both roots are below ``onset_pain`` again, were it
        held; 0 without symptoms then) - each ``None`` when it does not happen (recovery: never
        with the last activity held) - and ``records``: one per minute and side with ``minute``,
        ``activity``, ``side`` and the ``pain_*`` columns (0-10); also ``schedule``,
        ``onset_pain``, ``stop_pain`` and ``sides`` (the same three times per side).

    Examples
    --------
    >>> out = timeline("configs/scenarios/healthy.toml", [("walking", 2), ("sitting", 1)])
    >>> out["time_to_first_symptoms_min"] is None, len(out["records"])
    (True, 8)
    """
    from .engine import simulate
    from .scenario import Scenario, load_scenario

    plan = check_schedule(schedule)
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides or [])
    activities = tuple(dict.fromkeys(a for a, _ in plan))
    frame = simulate(scenario, postures=activities, engine=engine)
    coef = np.array([float(scenario.values[k]) for k in PARAM_KEYS])  # the scenario's [referral] parameters
    claud = [float(scenario.values[k]) for k in clm.KEYS]
    durations = [m for _, m in plan]
    names = [a for a, _ in plan]
    columns = ("l4_pressure_kpa", "l4_deformation_pct", "l4_drg_pressure_kpa", "l4_drg_deformation_pct",
               "l5_pressure_kpa", "l5_deformation_pct")
    records, sides = [], {}
    per_side = {}
    for side in ("left", "right"):
        rows = frame[frame["side"] == side].set_index("posture")
        targets = [clm.root_targets(*[float(rows.loc[a, c]) for c in columns], coef) for a in names]
        run = clm.run_schedule(targets, durations, claud, float(coef[P_HILL]), step_min)
        per_side[side] = run
        sides[side] = {"time_to_first_symptoms_min": _finite_or_none(run["onset_min"]),
                       "time_to_stop_min": _finite_or_none(run["stop_min"]),
                       "recovery_min": _finite_or_none(run["recovery_min"])}
    for i, minute in enumerate(per_side["left"]["minute"]):
        for side in ("left", "right"):
            run = per_side[side]
            pains = clm.region_pains(run["deficit"][i, 0], run["deficit"][i, 1], coef)[0]
            rec = {"minute": float(minute), "activity": names[int(run["segment"][i])], "side": side}
            rec.update({name: float(p) for name, p in zip(PAIN_OUTPUTS, pains)})
            records.append(rec)
    onset = min(per_side[s]["onset_min"] for s in per_side)
    stop = min(per_side[s]["stop_min"] for s in per_side)
    recovery = max(per_side[s]["recovery_min"] for s in per_side)
    return {"scenario": scenario.name, "schedule": [{"activity": a, "minutes": m} for a, m in plan],
            "onset_pain": claud[clm.ONSET], "stop_pain": claud[clm.STOP],
            "time_to_first_symptoms_min": _finite_or_none(onset), "time_to_stop_min": _finite_or_none(stop),
            "recovery_min": _finite_or_none(recovery), "sides": sides, "records": records}


def _minutes(x) -> str:
    return "never" if x is None else f"{x:.1f} min"


def format_table(result: dict) -> str:
    """The timeline as text: the schedule, the three times, then one row per minute and side."""
    from .about import DISCLAIMER

    plan = ", then ".join(f"{s['activity']} {s['minutes']:g} min" for s in result["schedule"])
    head = [f"scenario: {result['scenario']}", f"schedule: {plan}",
            f"time to first symptoms (a root's pain >= {result['onset_pain']:g}/10): "
            f"{_minutes(result['time_to_first_symptoms_min'])}",
            f"time to stop (pain >= {result['stop_pain']:g}/10): {_minutes(result['time_to_stop_min'])}",
            f"recovery in the last activity (below {result['onset_pain']:g}/10): "
            + ("never, were it held" if result["recovery_min"] is None else f"{result['recovery_min']:.1f} min")]
    cols = ["minute", "activity", "side"] + [p[5:] for p in PAIN_OUTPUTS]
    cells = [cols]
    for rec in result["records"]:
        cells.append([f"{rec['minute']:g}", rec["activity"], rec["side"]]
                     + [f"{rec[p]:.1f}" for p in PAIN_OUTPUTS])
    widths = [max(len(r[i]) for r in cells) for i in range(len(cols))]
    lines = []
    for k, row in enumerate(cells):
        lines.append("  ".join(v.ljust(w) if i in (1, 2) else v.rjust(w) for i, (v, w) in enumerate(zip(row, widths))))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(head) + "\n\npain 0-10 per region:\n" + "\n".join(lines) + "\n\n" + DISCLAIMER


def format_json(result: dict) -> str:
    """One JSON object: the three times, the records, and the schedule and thresholds they refer to."""
    import json

    keys = ("scenario", "schedule", "onset_pain", "stop_pain", "time_to_first_symptoms_min", "time_to_stop_min",
            "recovery_min", "sides", "records")
    return json.dumps({k: result[k] for k in keys}, indent=1, allow_nan=False)


def records_array(result: dict, side: str = "left") -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(minutes, pains (n, 9), activities) of one side, for figures."""
    recs = [r for r in result["records"] if r["side"] == side]
    return (np.array([r["minute"] for r in recs]), np.array([[r[p] for p in PAIN_OUTPUTS] for r in recs]),
            [r["activity"] for r in recs])
