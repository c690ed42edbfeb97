"""sim: a fast, validated reduced-order model of L4-L5 nerve-root compression.

A research and teaching model, not a diagnostic device.

Public API (docs/architecture.md; result names in docs/results.md): :func:`load_scenario`, :func:`simulate`,
:func:`evaluate`; the stages are callable on their own in
:mod:`sim.loads`, :mod:`sim.mechanics`, :mod:`sim.geometry`, :mod:`sim.compression`.
"""

from . import report as _report_module  # loaded before the function below takes the name ``report``
from .about import DISCLAIMER
from .about import __version__ as __version__  # re-exported: sim.__version__
from .compare import compare
from .engine import evaluate, simulate
from .errors import SimInputError
from .scenario import Scenario, load_scenario
from .sweep import sweep

__all__ = ["evaluate", "simulate", "compare", "sweep", "report", "differential", "timeline", "load_scenario",
           "Scenario", "SimInputError",
           "DISCLAIMER"]


def report(source, out, overrides=None) -> dict:
    """Write the figures, report.html and report.pdf of a scenario file or a sweep store into ``out``.

    Returns a dict with the ``html``, ``pdf`` and ``png`` paths (see :func:`sim.report.write_report`).
    """
    return _report_module.write_report(source, out, overrides)


def differential(scenario, tests=None, overrides=None, engine: str = "numba") -> dict:
    """Spine or hip: provocation profile per source, block responses and likely source of a scenario.

    ``scenario`` is a :class:`Scenario` or a scenario file; ``tests`` the manoeuvres to run
    (default every one); ``overrides`` as in :func:`load_scenario` (files only).
    See :func:`sim.diagnosis.differential` for the returned mapping.
    """
    from . import diagnosis

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    return diagnosis.differential(scenario, tests=tests, engine=engine)


def timeline(scenario, schedule, engine: str = "numba", overrides=None) -> dict:
    """Symptoms per region against time through a schedule of ``(activity, minutes)``.

    Full description: :func:`sim.symptom_timeline.timeline`.  Returns a dict with
    ``time_to_first_symptoms_min``, ``time_to_stop_min``, ``recovery_min`` (``None``: never)
    and the per-minute ``records``.
    """
    from .symptom_timeline import timeline as _timeline  # start-up time: the engines load on first use

    return _timeline(scenario, schedule, engine=engine, overrides=overrides)
