"""What each result is: unit, one-line description, axis label and meaning, from one table.

``sim/data/outputs.toml`` declares every result once: the kernel's output row
(``[outputs.*]``, in row order; ``sim.layout.OUTPUTS`` reads the names from it),
the record columns ``posture`` and ``side`` (``[record.*]``) and the quantities
figures derive from the outputs (``[derived.*]``).  Records, sweep stores,
figures, reports and ``docs/results.md`` (``docs/make_results_table.py``) read
it here, so a result is described in one place.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

#: Display form of a unit in tables and axis labels.
UNIT_DISPLAY = {"mm2": "mm²", "N m": "N·m", "0-10": "0–10", "1": "–", "label": "label"}


@dataclass(frozen=True)
class OutputSpec:
    """One result: where it is declared (``outputs``, ``record`` or ``derived``) and its words."""

    name: str
    group: str
    unit: str
    description: str
    label: str
    meaning: str


@lru_cache(maxsize=None)
def output_specs() -> dict[str, OutputSpec]:
    """Every declared result by name: record columns, then the kernel outputs in row order, then derived ones."""
    text = resources.files("sim.data").joinpath("outputs.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    specs = {}
    for group in ("record", "outputs", "derived"):
        for name, entry in data[group].items():
            specs[name] = OutputSpec(name=name, group=group, unit=entry["unit"], description=entry["description"],
                                     label=entry["label"], meaning=entry["meaning"])
    return specs


def output_spec(name: str) -> OutputSpec | None:
    """The spec of a result, or None for a name the table does not declare."""
    return output_specs().get(name)


def output_unit(name: str) -> str:
    """Unit of a result (``"mm2"``, ``"MPa"``, ``"0-10"``, ``"label"``, ``"1"``).

    >>> output_unit("foraminal_area_mm2"), output_unit("idp_mpa"), output_unit("pain_groin")
    ('mm2', 'MPa', '0-10')
    """
    spec = output_spec(name)
    return spec.unit if spec is not None else "1"


def output_description(name: str) -> str:
    """One-line description of a result (a sweep store's ``long_name``)."""
    spec = output_spec(name)
    return spec.description if spec is not None else name.replace("_", " ")


def output_label(name: str) -> str:
    """Axis label of a result, with its unit (``"foraminal area [mm²]"``)."""
    spec = output_spec(name)
    return spec.label if spec is not None else name.replace("_", " ")


__all__ = ["OutputSpec", "UNIT_DISPLAY", "output_specs", "output_spec", "output_unit", "output_description",
           "output_label"]
