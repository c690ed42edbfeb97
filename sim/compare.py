"""Before and after surgery: the records of a scenario without and with its interventions.

:func:`compare` runs the scenario twice (``Scenario.before()``: every
``intervention.*`` parameter at its default, then the scenario as given) and
returns one table with a ``stage`` column (``before``, ``after``);
:func:`compare_text` prints, per posture, each quantity a surgeon reads for both
sides, before, after and the change.
"""

from __future__ import annotations

from .referral import PAIN_OUTPUTS

STAGES = ("before", "after")
#: Quantities of the side-by-side table, in reading order.
COMPARED = ("disc_height_posterior_mm", "foraminal_height_mm", "foraminal_width_mm", "foraminal_area_mm2",
            "lateral_recess_depth_mm", "canal_area_mm2", "l4_pressure_kpa", "l4_drg_pressure_kpa", "l4_grade",
            "l5_pressure_kpa", "l5_grade") + tuple(PAIN_OUTPUTS)


def compare(scenario, postures=None, engine: str = "numba"):
    """Records before and after the scenario's interventions, with a ``stage`` column first.

    Parameters
    ----------
    scenario : sim.scenario.Scenario
        With interventions (``[interventions]``, ``--intervention`` or ``intervention.*`` values).
    postures : list of str, optional

    Returns
    -------
    pandas.DataFrame
        The records of :func:`sim.simulate` for ``before`` then ``after``.
    """
    import pandas as pd

    from .engine import simulate

    frames = []
    for stage, s in zip(STAGES, (scenario.before(), scenario)):
        f = simulate(s, postures=postures, engine=engine)
        f.insert(0, "stage", stage)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def _fmt(value) -> str:
    return value if isinstance(value, str) else f"{value:.2f}"


def compare_text(frame) -> str:
    """Per posture: each quantity for both sides, before -> after (change)."""
    before = frame[frame["stage"] == "before"].set_index(["posture", "side"])
    after = frame[frame["stage"] == "after"].set_index(["posture", "side"])
    width = max(len(q) for q in COMPARED)
    blocks = []
    for posture in dict.fromkeys(frame["posture"]):
        head = f"  {'':{width}}  {'left: before -> after (change)':34}  right: before -> after (change)"
        lines = [f"{posture}", head]
        for q in COMPARED:
            cells = []
            for side in ("left", "right"):
                b, a = before.loc[(posture, side), q], after.loc[(posture, side), q]
                change = "" if isinstance(b, str) else f" ({a - b:+.2f})"
                cells.append(f"{_fmt(b)} -> {_fmt(a)}{change}")
            lines.append(f"  {q:{width}}  {cells[0]:34}  {cells[1]}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
