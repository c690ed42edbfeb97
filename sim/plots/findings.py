"""What a report says first: its findings, in sentences with numbers.

:func:`scenario_findings` reads one scenario's records (which root is squeezed most, where
and how hard, which postures provoke and relieve, where the pain goes and whether it reads
as spinal rather than hip-joint pain); :func:`grid_findings` and :func:`population_findings`
read a sweep store (what was swept over which postures, where each grade begins on the map,
which posture is worst, the share of a population in each grade and pain distribution, and
which parameters matter most). Each returns plain sentences; :mod:`sim.report` lays them out.
Pressures are given in kPa and mmHg, since the compression literature uses mmHg.
"""

from __future__ import annotations

import numpy as np

from ..layout import GRADES
from . import style as st

#: Structures of the L4-L5 level, as (column prefix, name in a sentence).
STRUCTURES = (("l4", "L4 root"), ("l4_drg", "L4 dorsal root ganglion"), ("l5", "L5 root"))


def kpa_text(kpa: float) -> str:
    """'6.7 kPa (50 mmHg)'."""
    return f"{kpa:.1f} kPa ({kpa * st.MMHG_PER_KPA:.0f} mmHg)"


def _grade_rank(label: str) -> int:
    return GRADES.index(label) if label in GRADES else -1


# --------------------------------------------------------------- scenario --
def worst_compression(frame, prefix: str) -> dict:
    """The record of the highest contact pressure (then flattening) of one structure."""
    key = frame[f"{prefix}_pressure_kpa"].to_numpy(float) * 1e6 + frame[f"{prefix}_deformation_pct"].to_numpy(float)
    row = frame.iloc[int(np.nanargmax(key))]
    return {"posture": str(row["posture"]), "side": str(row["side"]),
            "pressure_kpa": float(row[f"{prefix}_pressure_kpa"]),
            "deformation_pct": float(row[f"{prefix}_deformation_pct"])}


def l4_source(frame) -> str:
    """'ganglion' when the L4 grade is set by the ganglion somewhere (it is squeezed harder than the root)."""
    if "l4_drg_pressure_kpa" not in frame:
        return "root"
    drg = (frame["l4_drg_pressure_kpa"] > frame["l4_pressure_kpa"]) | (
        frame["l4_drg_deformation_pct"] > frame["l4_deformation_pct"])
    return "ganglion" if bool(drg.any()) else "root"


def scenario_findings(scenario, frame) -> dict:
    """Findings of one scenario as {'what': [...], 'compression': [...], 'posture': [...], 'pain': [...],
    'spine_vs_hip': str}."""
    from .scenario_figures import changed_inputs, signature_lines

    postures = st.posture_order(frame["posture"])
    changed = changed_inputs(scenario)
    desc = (scenario.description or "").strip()
    what = [f"{scenario.name}: {desc}{'' if desc.endswith(('.', '!', '?')) else '.'}" if desc else f"{scenario.name}."]
    what.append(f"Simulated in {len(postures)} postures ({', '.join(st.posture_label(p) for p in postures)}), "
                "left and right side each.")
    if changed:
        what.append("Inputs that differ from the default anatomy: " + "; ".join(
            f"{st.param_label(k).split(' [')[0]} {v} {u}".rstrip() + f" (default {d})" for k, v, u, d in changed) + ".")
    else:
        what.append("Default anatomy, no pathology.")

    compression = []
    for prefix, name in STRUCTURES:
        if f"{prefix}_pressure_kpa" not in frame:
            continue
        w = worst_compression(frame, prefix)
        if w["pressure_kpa"] <= 0 and w["deformation_pct"] <= 0:
            compression.append(f"{name}: not compressed in any posture.")
            continue
        compression.append(f"{name}: squeezed most in {st.posture_label(w['posture'])} on the {w['side']} side, "
                           f"{kpa_text(w['pressure_kpa'])} contact pressure and {w['deformation_pct']:.0f} % "
                           "flattening.")
    for col, name in (("l4_grade", "L4 (root or ganglion)"), ("l5_grade", "L5 root")):
        worst = {p: max(frame.loc[frame["posture"] == p, col], key=_grade_rank) for p in postures}
        graded = [p for p in postures if _grade_rank(worst[p]) >= GRADES.index("mild")]
        listed = ", ".join(f"{st.posture_label(p)} ({worst[p]})" for p in graded)
        if len(graded) == len(postures):
            compression.append(f"{name} graded mild or worse in every posture: {listed}.")
        elif graded:
            compression.append(f"{name} graded mild or worse in {listed}; below mild in the other "
                               f"{len(postures) - len(graded)} of {len(postures)} postures.")
        else:
            top = max(worst.values(), key=_grade_rank)
            compression.append(f"{name} stays below mild in every posture (worst grade: {top}).")
    if l4_source(frame) == "ganglion":
        compression.append("The L4 grade comes from the dorsal root ganglion, which is larger than the root and "
                           "sits in the narrow upper foramen; the table shows both.")

    from .. import signature as sig
    posture = [line[:1].upper() + line[1:] for line in signature_lines(frame)]
    pain, spine_vs_hip = [], ""
    for line in sig.presentation_summary(frame).splitlines()[1:]:
        text = line.strip()
        if text.startswith("spine vs hip:"):
            spine_vs_hip = text[len("spine vs hip:"):].strip()
            spine_vs_hip = "Spine versus hip: " + spine_vs_hip
        elif not text.startswith("posture signature"):
            pain.append(text[:1].upper() + text[1:])
    return {"what": what, "compression": compression, "posture": posture, "pain": pain,
            "spine_vs_hip": spine_vs_hip}


# ------------------------------------------------------------------ grids --
def _value_text(dim: str, v) -> str:
    if isinstance(v, str) or np.asarray(v).dtype.kind not in "fiu":  # a categorical parameter's label
        return str(v)
    v = float(v)
    label = st.param_label(dim)
    unit = label.rsplit("[", 1)[-1].rstrip("]") if "[" in label else ""
    return f"{v:g} {unit}".rstrip() if unit not in ("", "-") else f"{v:g}"


def _short(dim: str) -> str:
    return st.param_label(dim).split(" [")[0]


def swept_text(ds) -> str:
    """'slip (0-12 mm, 25 values) x disc height loss (0-3 mm, 4 values)'."""
    from .store_view import grid_dims

    parts = []
    for d in grid_dims(ds):
        v = np.asarray(ds[d].values)
        if v.dtype.kind not in "fiu":
            parts.append(f"{_short(d)} ({', '.join(map(str, v))})")
            continue
        v = v.astype(float)
        parts.append(f"{_short(d)} ({_value_text(d, v.min())} to {_value_text(d, v.max())}, {len(v)} values)")
    return " x ".join(parts)


def _axis(ds, dim: str) -> np.ndarray:
    """Values of a swept dimension: floats, or the labels of a categorical parameter (in swept order)."""
    v = np.asarray(ds[dim].values)
    return v.astype(float) if v.dtype.kind in "fiu" else np.array([str(x) for x in v.tolist()], dtype=object)


def grade_onsets(grade: np.ndarray, x: np.ndarray, level: int) -> list:
    """For each row of ``grade`` (y, x), the first x (in swept order) at which the grade reaches ``level``
    (None: never); x is a float for a numeric parameter, the label for a categorical one."""
    out = []
    for row in grade:
        hit = np.nonzero(row >= level)[0]
        out.append((float(x[hit[0]]) if isinstance(x[hit[0]], (float, np.floating)) else x[hit[0]]) if hit.size
                   else None)
    return out


def _pick(n: int, k: int = 5) -> list[int]:
    return sorted(set(np.linspace(0, n - 1, min(n, k)).round().astype(int).tolist()))


def grid_findings(ds) -> dict:
    """Findings of a grid sweep: {'what': [...], 'worst': [...], 'onsets': {root: [...]}, 'shares': [...]}."""
    from .store_view import _fixed_selection, codes, grid_dims, l4_pressure, postures_of

    dims = grid_dims(ds)
    postures = postures_of(ds)
    n_conf = int(np.prod([ds.sizes[d] for d in dims])) * len(postures)
    posture_labels = ", ".join(st.posture_label(p) for p in postures)
    what = [f"Swept {swept_text(ds)}, in {len(postures)} postures ({posture_labels}); "
            f"{n_conf:,} configurations, both sides each"
            + (f"; base scenario {ds.attrs['scenario']}." if ds.attrs.get("scenario") else ".")]
    out = {"what": what, "worst": [], "onsets": {}, "shares": []}
    if not dims:
        return out
    keep = dims[:2]
    sel, note = _fixed_selection(ds, keep)
    if note:
        what.append(note[:1].upper() + note[1:] + ".")
    for root, name, da in (("l4", "L4 (root or ganglion)", l4_pressure(ds)), ("l5", "L5 root", ds["l5_pressure_kpa"])):
        da = da.isel(sel)
        da = (da.max("side") if "side" in da.dims else da).transpose("posture", *reversed(keep)).load()
        peaks = {p: float(np.nanmax(da.sel(posture=p).values)) for p in postures}
        means = {p: float(np.nanmean(da.sel(posture=p).values)) for p in postures}
        worst = max(postures, key=lambda p: (means[p], peaks[p]))
        if peaks[worst] <= 0:
            out["worst"].append(f"{name}: not compressed anywhere on the map in any posture.")
        else:
            z = da.sel(posture=worst).values
            idx = np.unravel_index(int(np.nanargmax(z)), z.shape)
            at = ", ".join(f"{_short(d)} {_value_text(d, ds[d].values[i])}"
                           for d, i in zip(reversed(keep), idx))
            order = sorted(postures, key=lambda p: (-means[p], -peaks[p]))
            out["worst"].append(f"{name}: worst in {st.posture_label(worst)}, mean {means[worst]:.1f} kPa over the "
                                f"map, up to {kpa_text(peaks[worst])} at {at}. Mean over the map by posture: "
                                + ", ".join(f"{st.posture_label(p)} {means[p]:.1f}" for p in order) + " kPa.")
        gname = f"{root}_grade"
        if gname not in ds or peaks[worst] <= 0:  # nothing to say where grades begin
            continue
        g = codes(ds, gname, GRADES)
        import xarray as xr

        gda = xr.DataArray(g, dims=ds[gname].dims,
                           coords={d: ds[d] for d in ds[gname].dims if d in ds.coords}).isel(sel)
        gda = (gda.max("side") if "side" in gda.dims else gda).transpose("posture", *reversed(keep))
        sentences = []
        if len(keep) == 2:
            x, y = _axis(ds, keep[0]), _axis(ds, keep[1])
            z = gda.sel(posture=worst).values
            for level in range(1, len(GRADES)):
                onsets = grade_onsets(z, x, level)
                if all(o is None for o in onsets):
                    sentences.append(f"{GRADES[level]}: not reached on the map.")
                    break
                rows = _pick(len(y))
                hit = [f"{_value_text(keep[0], onsets[i])} at {_value_text(keep[1], y[i])}" for i in rows
                       if onsets[i] is not None]
                miss = [_value_text(keep[1], y[i]) for i in rows if onsets[i] is None]
                sentences.append(f"{GRADES[level]} or worse from {_short(keep[0])} " + "; ".join(hit)
                                 + (f"; not reached at {', '.join(miss)}" if miss else "") + ".")
            out["onsets"][root] = (f"{name}, in {st.posture_label(worst)} (its worst posture), by "
                                   f"{_short(keep[1])}:", sentences)
        else:
            x = _axis(ds, keep[0])
            z = np.atleast_2d(gda.sel(posture=worst).values)
            for level in range(1, len(GRADES)):
                onset = grade_onsets(z, x, level)[0]
                sentences.append(f"{GRADES[level]} or worse from {_short(keep[0])} {_value_text(keep[0], onset)}."
                                 if onset is not None else f"{GRADES[level]}: not reached.")
                if onset is None:
                    break
            out["onsets"][root] = (f"{name}, in {st.posture_label(worst)} (its worst posture):", sentences)
        mild = GRADES.index("mild")
        shares = {p: 100.0 * float(np.mean(gda.sel(posture=p).values >= mild)) for p in postures}
        out["shares"].append(f"{name}: share of the map graded mild or worse: "
                             + ", ".join(f"{st.posture_label(p)} {shares[p]:.0f} %" for p in postures) + ".")
    return out


# ------------------------------------------------------------- population --
def population_findings(ds, summary, ranking_rows=None, r2=None) -> dict:
    """Findings of a population store from its chunked summary (:func:`sim.plots.population.summarise`)."""
    postures = summary.postures
    from .store_view import grid_dims, sampled_parameters

    params = sampled_parameters(ds)
    grid = grid_dims(ds)
    what = [f"{summary.n_people:,} individuals with {len(params)} sampled parameters "
            f"({', '.join(_short(p) for p in params[:6])}{', ...' if len(params) > 6 else ''}), in {len(postures)} "
            f"postures ({', '.join(st.posture_label(p) for p in postures)})"
            + (f", at every value of {swept_text(ds)} (pooled below)" if grid else "") + "."]
    grades = []
    for name, label in (("l4_grade", "L4 (root or ganglion)"), ("l5_grade", "L5 root")):
        if name not in summary.counts:
            continue
        share = summary.shares_pct(name)
        mild = GRADES.index("mild")
        worse = share[:, mild:].sum(axis=1)
        worst = int(np.argmax(worse))
        parts = []
        for i, p in enumerate(postures):
            detail = ", ".join(f"{g} {share[i, GRADES.index(g)]:.1f} %" for g in ("moderate", "severe")
                               if share[i, GRADES.index(g)] >= 0.05)
            parts.append(f"{st.posture_label(p)} {worse[i]:.1f} %" + (f" ({detail})" if detail else ""))
        grades.append(f"{label}, worse side, share graded mild or worse: " + "; ".join(parts)
                      + f". Worst posture: {st.posture_label(postures[worst])}.")
    for name, label in (("l4_max_pressure_kpa", "L4 (root or ganglion)"), ("l5_pressure_kpa", "L5 root")):
        out = summary.outputs.get(name)
        if out is None:
            continue
        p = max(postures, key=out.share_positive_pct)
        share = out.share_positive_pct(p)
        if not share or not np.isfinite(share):
            grades.append(f"{label}: no contact pressure in anyone, in any posture.")
            continue
        q = out.quantiles[p]
        grades.append(f"{label} pressure is above zero in {share:.1f} % of people in {st.posture_label(p)}; among "
                      f"them the median is {kpa_text(q[2])} and the 95th percentile {kpa_text(q[4])}.")
    distribution = []
    if "distribution" in summary.counts:
        share = summary.shares_pct("distribution")
        labels = summary.labels["distribution"]
        painful = 100.0 - share[:, 0]
        worst = int(np.argmax(painful))
        distribution.append(f"Referred pain (either side) in {painful[worst]:.1f} % of people in "
                            f"{st.posture_label(postures[worst])}, the worst posture: "
                            + ", ".join(f"{lbl} {share[worst, j]:.1f} %" for j, lbl in enumerate(labels) if j)
                            + "; in other postures: " + ", ".join(
                                f"{st.posture_label(p)} {painful[i]:.1f} %" for i, p in enumerate(postures)
                                if i != worst) + ".")
    drivers = []
    if ranking_rows:
        top = ranking_rows[:3]
        drivers.append("Parameters that move root compression most (mean |SRRC| over postures, L4 / L5): "
                       + "; ".join(f"{_short(p)} {a:.2f} / {b:.2f}" for p, a, b in top) + "."
                       + (f" The rank regression explains R² = {r2[0]:.2f}-{r2[1]:.2f} of the variance"
                          " (below about 0.7, read the ranking with care)." if r2 and np.all(np.isfinite(r2)) else ""))
    return {"what": what, "grades": grades, "distribution": distribution, "drivers": drivers}


__all__ = ["scenario_findings", "grid_findings", "population_findings", "grade_onsets", "kpa_text", "l4_source"]
