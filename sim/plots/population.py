"""Population stores read in chunks: the numbers a population report shows, with flat memory.

A population store can hold millions of individuals (``sample``) in several postures and on
two sides. Its report needs, per posture, the share of people in each grade and pain
distribution and a few quantiles of each output, not the whole store in memory. This module
reads one output at a time, ``CHUNK_SAMPLES`` individuals at a time (zarr chunks are read
lazily), reduces over the sides at once (the worse side, or either side for the pain
distribution) and keeps per posture only what the figures and sentences use: counts per
category, and the worse-side values of one output while its quantiles are taken. Progress
goes to stderr through tqdm.

Outputs that are zero for most people (contact pressure and flattening of an uncompressed
root) are summarised as the share above zero plus quantiles of the non-zero part, so that a
box does not collapse onto zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..layout import DISTRIBUTIONS, GRADES

SAMPLE_DIM = "sample"
CHUNK_SAMPLES = 131_072
#: Outputs summarised as share above zero plus the non-zero part (they are zero when uncompressed).
ZERO_INFLATED = ("l4_max_pressure_kpa", "l5_pressure_kpa", "l4_max_deformation_pct", "l5_deformation_pct")
#: Box statistics: whiskers at the 5th and 95th percentile.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass
class OutputSummary:
    """Worse-side statistics of one output by posture (``n``: finite values, ``positive``: values > 0)."""

    name: str
    zero_inflated: bool
    n: dict = field(default_factory=dict)
    positive: dict = field(default_factory=dict)
    quantiles: dict = field(default_factory=dict)  # posture -> QUANTILES of the shown part (non-zero if inflated)
    maximum: dict = field(default_factory=dict)

    def share_positive_pct(self, posture: str) -> float:
        """Share of finite values above zero in ``posture`` [%]; NaN if there are none."""
        n = self.n.get(posture, 0)
        return 100.0 * self.positive.get(posture, 0) / n if n else float("nan")


@dataclass
class PopulationSummary:
    """Counts per category and output summaries by posture, for one population store."""

    n_people: int
    postures: list
    counts: dict = field(default_factory=dict)  # output -> {posture: counts per label}
    labels: dict = field(default_factory=dict)  # output -> labels
    outputs: dict = field(default_factory=dict)  # output -> OutputSummary

    def shares_pct(self, name: str) -> np.ndarray:
        """(posture, label) shares [%] of a coded output."""
        rows = []
        for p in self.postures:
            c = np.asarray(self.counts[name][p], float)
            rows.append(100.0 * c / c.sum() if c.sum() else np.zeros_like(c))
        return np.array(rows)


def _chunks(n: int, step: int):
    for start in range(0, n, step):
        yield slice(start, min(start + step, n))


def _posture_first(values: np.ndarray, dims: tuple, order: list[str], postures: list[str]) -> np.ndarray:
    """Move ``posture`` to the front in ``postures`` order and flatten the rest: (n_posture, m)."""
    values = np.moveaxis(values, dims.index("posture"), 0)
    idx = [order.index(p) for p in postures]
    return values[idx].reshape(len(postures), -1)


def _worse_side(values: np.ndarray, dims: tuple, how: str = "max") -> tuple[np.ndarray, tuple]:
    if "side" not in dims:
        return values, dims
    axis = dims.index("side")
    if how == "max":
        with np.errstate(invalid="ignore"):
            out = np.nanmax(values, axis=axis) if np.isnan(values).any() else values.max(axis=axis)
    else:  # pain distribution: union of the sides' codes (sciatic 1 | femoral 2 = both 3)
        out = np.bitwise_or.reduce(np.where(values < 0, 0, values), axis=axis)
        out = np.where((values < 0).all(axis=axis), -1, out)
    return out, tuple(d for d in dims if d != "side")


def _read_output(ds, name: str, sl: slice) -> tuple[np.ndarray, tuple]:
    """One chunk of an output (``l4_max_*`` = root or ganglion, whichever is higher)."""
    if name in ("l4_max_pressure_kpa", "l4_max_deformation_pct"):
        quantity = name.split("_max_")[1]
        part = ds[[v for v in (f"l4_{quantity}", f"l4_drg_{quantity}") if v in ds]].isel({SAMPLE_DIM: sl})
        values = np.asarray(part[f"l4_{quantity}"].values, float)
        if f"l4_drg_{quantity}" in part:
            values = np.fmax(values, np.asarray(part[f"l4_drg_{quantity}"].values, float))
        return values, part[f"l4_{quantity}"].dims
    part = ds[name].isel({SAMPLE_DIM: sl})
    return np.asarray(part.values, float), part.dims


def has_output(ds, name: str) -> bool:
    if name == "l4_max_pressure_kpa":
        return "l4_pressure_kpa" in ds
    if name == "l4_max_deformation_pct":
        return "l4_deformation_pct" in ds
    return name in ds


def summarise(ds, outputs, coded=("l4_grade", "l5_grade", "distribution"), chunk: int = CHUNK_SAMPLES,
              progress: bool | None = None) -> PopulationSummary:
    """Read a population store chunk by chunk and summarise it by posture (worse side).

    Parameters
    ----------
    ds : xarray.Dataset
        A population store (``sample`` dimension), lazily opened.
    outputs : sequence of str
        Numeric outputs to summarise (``l4_max_pressure_kpa`` and ``l4_max_deformation_pct`` mean the
        root or the ganglion, whichever is higher); those the store lacks are skipped.
    coded : sequence of str
        Coded outputs to count per label (grades: the worse side; distribution: either side).
    chunk : int
        Individuals read at a time.
    progress : bool or None
        Show a tqdm bar on stderr; None shows it only on a terminal.
    """
    from tqdm.auto import tqdm

    from .store_view import codes, postures_of

    n = int(ds.sizes[SAMPLE_DIM])
    postures = postures_of(ds)
    order = [str(p) for p in ds["posture"].values]
    summary = PopulationSummary(n_people=n, postures=postures)
    coded = [c for c in coded if c in ds]
    numeric = [o for o in outputs if has_output(ds, o)]
    steps = (len(coded) + len(numeric)) * len(list(_chunks(n, chunk)))
    disable = None if progress is None else not progress  # None: tqdm shows the bar on a terminal only
    with tqdm(total=steps, desc="reading store", unit="chunk", disable=disable, leave=False) as bar:
        for name in coded:
            ref = GRADES if name.endswith("grade") else DISTRIBUTIONS
            counts = np.zeros((len(postures), len(ref)), dtype=np.int64)
            dims = ds[name].dims
            for sl in _chunks(n, chunk):
                c = codes(ds[[name]].isel({SAMPLE_DIM: sl}), name, ref)
                c, d = _worse_side(c, dims, "max" if ref is GRADES else "union")
                flat = _posture_first(c, d, order, postures)
                for i in range(len(postures)):
                    v = flat[i][flat[i] >= 0]
                    counts[i] += np.bincount(v, minlength=len(ref))[: len(ref)]
                bar.update()
            summary.counts[name] = {p: counts[i] for i, p in enumerate(postures)}
            summary.labels[name] = ref
        for name in numeric:
            parts: list[list[np.ndarray]] = [[] for _ in postures]
            for sl in _chunks(n, chunk):
                values, dims = _read_output(ds, name, sl)
                values, d = _worse_side(values, dims)
                flat = _posture_first(values, d, order, postures)
                for i in range(len(postures)):
                    v = flat[i]
                    parts[i].append(v[np.isfinite(v)].astype(np.float32))
                bar.update()
            out = OutputSummary(name, zero_inflated=name in ZERO_INFLATED)
            for i, p in enumerate(postures):
                v = np.concatenate(parts[i]) if parts[i] else np.zeros(0, np.float32)
                parts[i] = []  # free as we go
                pos = v[v > 0]
                out.n[p] = int(v.size)
                out.positive[p] = int(pos.size)
                shown = pos if out.zero_inflated else v
                out.quantiles[p] = (np.quantile(shown, QUANTILES).astype(float) if shown.size
                                    else np.full(len(QUANTILES), np.nan))
                out.maximum[p] = float(v.max()) if v.size else float("nan")
            summary.outputs[name] = out
    return summary


def box_stats(out: OutputSummary, postures) -> list[dict]:
    """``matplotlib.axes.Axes.bxp`` statistics (whiskers 5th-95th percentile) per posture."""
    stats = []
    for p in postures:
        q05, q25, q50, q75, q95 = out.quantiles[p]
        stats.append({"med": q50, "q1": q25, "q3": q75, "whislo": q05, "whishi": q95, "fliers": [],
                      "label": p})
    return stats


__all__ = ["summarise", "box_stats", "PopulationSummary", "OutputSummary", "ZERO_INFLATED", "CHUNK_SAMPLES"]
