"""Reading a sweep store back: its kind, swept and sampled dimensions, codes, postures and the
worse-side and root-or-ganglion maxima that figures, findings and population summaries share.

A store is an xarray Dataset (``xarray.open_zarr``) with one variable per result name,
dimensions ``posture`` and ``side`` and either one dimension per swept parameter or a
``sample`` dimension (see ``docs/sweep-format.md``).
"""

from __future__ import annotations

import numpy as np

from ..layout import CATEGORICAL_OUTPUTS
from . import style as st

SAMPLE_DIM = "sample"
CHUNK_DIM = "chunk"
RECORD_DIMS = ("posture", "side")


# ------------------------------------------------------------------ store --
def store_kind(ds) -> str:
    """'population' (a ``sample`` dimension) or 'grid'."""
    return "population" if SAMPLE_DIM in ds.dims else "grid"


def grid_dims(ds) -> list[str]:
    """Swept grid dimensions of a store with more than one value."""
    return [d for d in ds.dims if d not in RECORD_DIMS and d not in (SAMPLE_DIM, CHUNK_DIM) and ds.sizes[d] > 1]


def pool_grid(ds):
    """A population-by-grid store as one population: each (grid point, individual) pair is one sample.

    The grid coordinates become coordinates along ``sample`` (so the sensitivity
    ranking includes the swept parameters); stores without both a ``sample`` and
    a grid dimension are returned unchanged.
    """
    extra = [d for d in ds.dims if d not in RECORD_DIMS and d not in (SAMPLE_DIM, CHUNK_DIM)]
    if SAMPLE_DIM not in ds.dims or not extra:
        return ds
    ds = ds.drop_vars([v for v in ds.variables if CHUNK_DIM in ds[v].dims])
    n_individuals = ds.sizes[SAMPLE_DIM]
    pooled = ds.stack(_pooled=(*extra, SAMPLE_DIM))
    grid_values = {d: np.asarray(pooled[d].values) for d in extra}
    pooled = pooled.drop_vars(["_pooled", *extra, SAMPLE_DIM]).rename({"_pooled": SAMPLE_DIM})
    pooled = pooled.assign_coords({d: (SAMPLE_DIM, v) for d, v in grid_values.items()})
    pooled.attrs["pooled_grid"] = ", ".join(f"{d} ({ds.sizes[d]} values)" for d in extra)
    pooled.attrs["pooled_individuals"] = n_individuals
    pooled.attrs["pooled_points"] = int(np.prod([ds.sizes[d] for d in extra]))
    return pooled


def population_text(ds) -> str:
    """``n = ...`` of a population store, saying when grid points are pooled into it."""
    n = ds.sizes[SAMPLE_DIM]
    if ds.attrs.get("pooled_grid"):
        ind, points = ds.attrs["pooled_individuals"], ds.attrs["pooled_points"]
        return f"n = {n}{'' if n == ind * points else ' computed'} of {ind} individuals x {points} grid points"
    return f"n = {n}"


def axis_values(ds, dim: str) -> tuple[np.ndarray, list[str] | None]:
    """Plot positions of a swept dimension and, for a categorical one (labels), its tick labels."""
    values = np.asarray(ds[dim].values)
    if values.dtype.kind in "fiu":
        return values.astype(float), None
    return np.arange(len(values), dtype=float), [str(v) for v in values]


def _value_text(v) -> str:
    return f"{float(v):g}" if np.asarray(v).dtype.kind in "fiu" else str(v)


def sampled_parameters(ds) -> list[str]:
    """Numeric coordinates along ``sample`` that vary (the sampled parameters)."""
    out = []
    for name, coord in ds.coords.items():
        if name == SAMPLE_DIM or coord.dims != (SAMPLE_DIM,):
            continue
        values = np.asarray(coord.values)
        if values.dtype.kind in "fiu" and np.nanstd(values.astype(float)) > 0:
            out.append(str(name))
    return out


def labels_of(ds, name: str) -> tuple[str, ...]:
    """Category labels of a coded output (attrs ``labels`` / ``flag_meanings``, else the layout's)."""
    attrs = ds[name].attrs if name in ds else {}
    for key in ("labels", "flag_meanings", "categories"):
        if key in attrs:
            value = attrs[key]
            return tuple(value.split()) if isinstance(value, str) else tuple(str(v) for v in value)
    return CATEGORICAL_OUTPUTS[name]


def codes(ds, name: str, reference: tuple[str, ...]) -> np.ndarray:
    """Integer codes of a categorical output remapped onto ``reference`` label order (NaN kept as -1)."""
    raw = np.asarray(ds[name].values)
    if raw.dtype.kind in "OUS":
        lut = {lbl: i for i, lbl in enumerate(reference)}
        return np.vectorize(lambda v: lut.get(str(v), -1))(raw).astype(int)
    labels = labels_of(ds, name)
    remap = np.array([reference.index(lbl) if lbl in reference else -1 for lbl in labels] + [-1])
    raw = np.where(np.isfinite(raw) & (raw >= 0), raw, len(labels)).astype(int)  # NaN or -1: missing
    return remap[np.clip(raw, 0, len(labels))]


def postures_of(ds) -> list[str]:
    """Postures of a store in display order."""
    return st.posture_order([str(p) for p in ds["posture"].values])


def store_summary(ds) -> list[tuple[str, str]]:
    """Rows (item, value) describing a store: kind, dimensions, postures and swept ranges."""
    rows = [("kind", store_kind(ds)), ("dimensions", ", ".join(f"{d}: {n}" for d, n in ds.sizes.items())),
            ("postures", ", ".join(postures_of(ds)))]
    if store_kind(ds) == "grid":
        for d in grid_dims(ds):
            v, labels = axis_values(ds, d)
            rows.append((d, ", ".join(labels) if labels else f"{v.min():g} to {v.max():g} in {len(v)} steps"))
    else:
        rows.append(("population", population_text(ds)))
        if ds.attrs.get("pooled_grid"):
            rows.append(("pooled", f"{ds.attrs['pooled_individuals']} individuals at every point of "
                         f"{ds.attrs['pooled_grid']}"))
        for p in sampled_parameters(ds):
            v = np.asarray(ds[p].values, float)
            rows.append((p, f"mean {v.mean():.3g}, sd {v.std():.3g}, range {v.min():.3g} to {v.max():.3g}"))
    for k, v in ds.attrs.items():
        if isinstance(v, (str, int, float)) and len(str(v)) < 200:
            rows.append((f"attr {k}", str(v)))
    return rows


def _thresholds(ds) -> dict:
    values = {k[len("grading."):]: v for k, v in ds.attrs.items() if str(k).startswith("grading.")}
    return st.grade_thresholds({f"grading.{k}": v for k, v in values.items()})


def _worse_side(da):
    """Maximum over ``side`` (the worse side), if there is a side dimension."""
    return da.max("side") if "side" in da.dims else da


def l4_pressure(ds):
    """L4 contact pressure [kPa], root or ganglion, whichever is higher (the L4 grade uses both)."""
    da = ds["l4_pressure_kpa"]
    if "l4_drg_pressure_kpa" in ds:
        da = np.maximum(da, ds["l4_drg_pressure_kpa"])
    return da


def l4_deformation(ds):
    """L4 deformation [%]: the larger of root and dorsal root ganglion where both are stored."""
    da = ds["l4_deformation_pct"]
    if "l4_drg_deformation_pct" in ds:
        da = np.maximum(da, ds["l4_drg_deformation_pct"])
    return da


def _fixed_selection(ds, keep: list[str]):
    """Hold grid dimensions beyond ``keep`` at their middle value; return (selection dict, note)."""
    sel = {d: ds.sizes[d] // 2 for d in grid_dims(ds) if d not in keep}
    note = ", ".join(f"{d} = {_value_text(ds[d].values[i])}" for d, i in sel.items())
    return sel, (f"other swept parameters held at {note}" if note else "")
