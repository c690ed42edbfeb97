"""Figures of a sweep store: compression maps over two swept parameters (grid sweeps);
distributions, grade and pain-distribution shares and sensitivity ranking (populations).

A store is an xarray Dataset (``xarray.open_zarr``) with one variable per result
name, dimensions ``posture`` and ``side`` and either one dimension per swept
parameter (named by its key, e.g. ``"pathology.slip_mm"``) or a ``sample``
dimension with each sampled parameter as a coordinate along it. Grades and the
pain distribution are integer codes with their labels in the variable's attrs
(``labels`` or ``flag_meanings``), by default :data:`sim.layout.CATEGORICAL_OUTPUTS`.

Sensitivity: standardised rank regression coefficients (SRRC; Saltelli et al.
2008, ch. 1.2.5; Helton & Davis 2002) of each sampled parameter on the L4 and L5
contact pressure, per posture, on the worse side. Rank transformation handles
the many uncompressed (zero-pressure) individuals and the monotone nonlinear
pressure law; R² of the rank regression says how much of the variance the
ranking explains (below about 0.7 read the coefficients with care).

References
----------
Saltelli A, Ratto M, Andres T, et al. (2008). Global Sensitivity Analysis: The Primer. Wiley.
Helton JC, Davis FJ (2002). Illustration of sampling-based methods for uncertainty and
sensitivity analysis. Risk Analysis 22(3):591-622. doi:10.1111/0272-4332.00041
"""

from __future__ import annotations

import numpy as np

from ..layout import CATEGORICAL_OUTPUTS, DISTRIBUTIONS, GRADES
from . import style as st
from .store_view import (  # noqa: F401 (re-exported)
    CHUNK_DIM,
    RECORD_DIMS,
    SAMPLE_DIM,
    _fixed_selection,
    _thresholds,
    _value_text,
    _worse_side,
    axis_values,
    codes,
    grid_dims,
    l4_deformation,
    l4_pressure,
    labels_of,
    pool_grid,
    population_text,
    postures_of,
    sampled_parameters,
    store_kind,
    store_summary,
)

plt = st.plt
# ------------------------------------------------------------------- grid --
def panel_columns(n: int) -> int:
    """Columns of a panel grid that fits a portrait page: 4 postures as 2 x 2, up to 9 in rows of 3, more in 4."""
    if n <= 3:
        return max(n, 1)
    return 2 if n == 4 else 3 if n <= 9 else 4


def _panel_grid(n, ncol_max=None, w=3.3, h=2.4, extra_w=1.3, extra_h=1.6):
    ncol = panel_columns(n) if ncol_max is None else min(ncol_max, max(n, 1))
    nrow = int(np.ceil(n / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(w * ncol + extra_w, h * nrow + extra_h), squeeze=False,
                             sharex=True, sharey=True)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes


def _category_ticks(ax, x, xticks, y, yticks) -> None:
    """Label positions of categorical axes (e.g. ``pathology.herniation_zone``) with their labels."""
    if xticks:
        ax.set_xticks(x, xticks, rotation=30, ha="right", rotation_mode="anchor")
    if yticks:
        ax.set_yticks(y, yticks)


def _label_map_axes(axes, xdim: str, ydim: str) -> None:
    """Swept-parameter labels (with units) on the bottom row and the left column of a panel grid."""
    for ax in axes[-1]:
        ax.set_xlabel(st.param_label(xdim))
    for ax in axes[:, 0]:
        ax.set_ylabel(st.param_label(ydim))


def map_mesh(ax, x, y, z, **kwargs):
    """A map of ``z`` (y, x) whose cells are centred on the swept values and whose axes stay inside the
    swept range (the outer cells are half cells)."""
    mesh = ax.pcolormesh(st.cell_edges(x), st.cell_edges(y), z, shading="flat", rasterized=True, **kwargs)
    ax.set_xlim(float(np.min(x)), float(np.max(x)))
    ax.set_ylim(float(np.min(y)), float(np.max(y)))
    return mesh


def pressure_scale_kpa(values, thresholds_kpa) -> float:
    """Top of a pressure map's colour scale [kPa]: the largest value shown (so the colours use the data's
    range), or the mild threshold when nothing is compressed."""
    top = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
    return top if top > 0 else float(min(thresholds_kpa))


def pressure_map_figure(ds, root: str):
    """Heat map of contact pressure [kPa and mmHg] (worse side) over the first two swept parameters, one
    panel per posture, one colour scale running to the highest pressure shown, contours at the pressure
    grade thresholds that the data reach."""
    xdim, ydim = grid_dims(ds)[:2]
    sel, note = _fixed_selection(ds, [xdim, ydim])
    da = (l4_pressure(ds) if root == "l4" else ds["l5_pressure_kpa"]).isel(sel)
    da = _worse_side(da).transpose("posture", ydim, xdim).load()
    th = _thresholds(ds)
    postures = postures_of(ds)
    vmax = pressure_scale_kpa(da.values, th["pressure_kpa"].values())
    (x, xticks), (y, yticks) = axis_values(ds, xdim), axis_values(ds, ydim)
    title = {"l4": "L4 root or ganglion (whichever higher)", "l5": "L5 root (lateral recess)"}[root]
    styles = {"mild": ("white", 1.2, "dotted"), "moderate": ("#FFB000", 1.4, "dashed"),
              "severe": ("#FF4040", 1.8, "solid")}
    with st.style():
        fig, axes = _panel_grid(len(postures))
        mesh = None
        reached = [g for g, v in th["pressure_kpa"].items() if v <= vmax]
        for ax, p in zip(axes.flat, postures):
            z = da.sel(posture=p).values
            mesh = map_mesh(ax, x, y, z, cmap=st.MAP_CMAP, vmin=0, vmax=vmax)
            levels = [th["pressure_kpa"][g] for g in reached]
            if levels and np.nanmax(z) > levels[0] and len(x) > 1 and len(y) > 1:
                cs = ax.contour(x, y, z, levels=levels, colors=[styles[g][0] for g in reached],
                                linewidths=[styles[g][1] for g in reached], linestyles=[styles[g][2] for g in reached])
                names = {th["pressure_kpa"][g]: f"{th['pressure_mmhg'][g]:g} mmHg" for g in reached}
                ax.clabel(cs, fmt=lambda v, names=names: names.get(v, f"{v:.1f}"), fontsize=7, inline=True)
            ax.set_title(f"{st.posture_label(p)} (max {np.nanmax(z):.1f} kPa)", color="black", fontsize=10)
            ax.grid(False)
            _category_ticks(ax, x, xticks, y, yticks)
        _label_map_axes(axes, xdim, ydim)
        fig.subplots_adjust(left=0.08, right=0.8, top=0.86, bottom=0.22, wspace=0.08, hspace=0.3)
        cax = fig.add_axes([0.89, 0.24, 0.015, 0.6])
        cb = fig.colorbar(mesh, cax=cax)
        cb.set_label("contact pressure [kPa], worse side")
        mmhg = cb.ax.secondary_yaxis("left", functions=(lambda k: k * st.MMHG_PER_KPA, lambda m: m / st.MMHG_PER_KPA))
        mmhg.set_ylabel("[mmHg]", fontsize=8)
        mmhg.tick_params(labelsize=7)
        for g in reached:
            cb.ax.axhline(th["pressure_kpa"][g], color="black", lw=1.0, ls=styles[g][2])
        fig.suptitle(f"{title}: contact pressure over the swept parameters", x=0.01, ha="left")
        unreached = [g for g in ("mild", "moderate", "severe") if g not in reached]
        st.add_note(fig, "Colour scale from 0 to the highest pressure shown. Contours: grade thresholds "
                    + ", ".join(f"{g} {th['pressure_mmhg'][g]:g} mmHg ({th['pressure_kpa'][g]:.1f} kPa)"
                                for g in ("mild", "moderate", "severe"))
                    + " (dotted, dashed, solid)"
                    + (f"; not reached on this map: {', '.join(unreached)}" if unreached else "")
                    + ". " + note, y=0.03)
        st.add_footer(fig, y=0.005)
    return fig


def grade_map_figure(ds, root: str):
    """Compression grade (worse side) over the first two swept parameters, one panel per posture."""
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    xdim, ydim = grid_dims(ds)[:2]
    sel, note = _fixed_selection(ds, [xdim, ydim])
    name = f"{root}_grade"
    full = codes(ds, name, GRADES)
    import xarray as xr

    da = xr.DataArray(full, dims=ds[name].dims, coords={d: ds[d] for d in ds[name].dims if d in ds.coords})
    da = _worse_side(da.isel(sel)).transpose("posture", ydim, xdim)
    postures = postures_of(ds)
    (x, xticks), (y, yticks) = axis_values(ds, xdim), axis_values(ds, ydim)
    cmap = ListedColormap([st.GRADE_COLORS[g] for g in GRADES])
    norm = BoundaryNorm(np.arange(-0.5, len(GRADES)), cmap.N)
    with st.style():
        fig, axes = _panel_grid(len(postures))
        for ax, p in zip(axes.flat, postures):
            z = da.sel(posture=p).values.astype(float)
            z[z < 0] = np.nan
            map_mesh(ax, x, y, z, cmap=cmap, norm=norm, edgecolors="none")
            ax.set_title(st.posture_label(p))
            ax.grid(False)
            _category_ticks(ax, x, xticks, y, yticks)
        _label_map_axes(axes, xdim, ydim)
        fig.subplots_adjust(left=0.08, right=0.98, top=0.82, bottom=0.16, wspace=0.08, hspace=0.3)
        handles = [Patch(facecolor=st.GRADE_COLORS[g], edgecolor="#777777", label=g) for g in GRADES]
        fig.legend(handles=handles, loc="upper right", ncol=5, bbox_to_anchor=(0.99, 0.95), title=None)
        label = {"l4": "L4 root/ganglion", "l5": "L5 root"}[root]
        fig.suptitle(f"{label} compression grade (worse side) over the swept parameters", x=0.01, ha="left")
        st.add_note(fig, "Grade: the worse of the pressure and the flattening grade (thresholds in the pressure "
                    "maps). " + note, y=0.03)
        st.add_footer(fig, y=0.005)
    return fig


def line_figure(ds):
    """One swept parameter: L4 and L5 pressure [kPa] (worse side) against it, one line per posture."""
    xdim = grid_dims(ds)[0]
    sel, note = _fixed_selection(ds, [xdim])
    th = _thresholds(ds)
    x, xticks = axis_values(ds, xdim)
    with st.style():
        fig, axes = plt.subplots(1, 2, figsize=(12, 5.2), sharey=True)
        for ax, (root, da) in zip(axes, (("L4 root or ganglion", l4_pressure(ds)), ("L5 root", ds["l5_pressure_kpa"]))):
            da = _worse_side(da.isel(sel)).load()
            for p in postures_of(ds):
                ax.plot(x, da.sel(posture=p).values, color=st.posture_color(p), marker=st.posture_marker(p), ms=4,
                        lw=1.6, label=st.posture_label(p))
            ax.set_title(root)
            ax.set_xlabel(st.param_label(xdim))
            _category_ticks(ax, x, xticks, None, None)
        top = max(float(ax.get_ylim()[1]) for ax in axes)
        axes[0].set_ylim(0, max(top, th["pressure_kpa"]["severe"] * 1.15))
        for k, ax in enumerate(axes):
            st.draw_thresholds(ax, {g: (v, th["pressure_mmhg"][g]) for g, v in th["pressure_kpa"].items()}, "mmHg",
                               label=(k == 1))
        axes[0].set_ylabel("contact pressure [kPa], worse side")
        fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=5, bbox_to_anchor=(0.5, 0.0))
        fig.suptitle(f"Contact pressure against {st.param_label(xdim)}", x=0.01, ha="left")
        if note:
            fig.text(0.01, 0.96, note, fontsize=7.5, color="#444444", va="top")
        fig.subplots_adjust(left=0.07, right=0.9, top=0.86, bottom=0.28, wspace=0.06)
        st.add_footer(fig)
    return fig


# ------------------------------------------------------------- population --
DISTRIBUTION_OUTPUTS = (("l4_max_pressure_kpa", "pressure"), ("l5_pressure_kpa", "pressure"),
                        ("l4_max_deformation_pct", "deformation"), ("l5_deformation_pct", "deformation"),
                        ("foraminal_area_mm2", None), ("foraminal_height_mm", None),
                        ("lateral_recess_depth_mm", None), ("idp_mpa", None))


def _population_var(ds, name):
    if name == "l4_max_pressure_kpa":
        return l4_pressure(ds)
    if name == "l4_max_deformation_pct":
        return l4_deformation(ds)
    return ds[name]


def distributions_figure(ds, summary=None):
    """Distribution over the population (worse side) of key outputs, by posture.

    Outputs that are zero for most people (contact pressure, flattening) show the share of people
    above zero (under each posture) and box plots of the non-zero part; the others show box plots of
    all values (box: quartiles, line: median, whiskers: 5th-95th percentile). Pressure panels carry
    the grade thresholds in kPa and mmHg.
    """
    from .population import box_stats, has_output, summarise

    postures = postures_of(ds)
    th = _thresholds(ds)
    names = [n for n, _ in DISTRIBUTION_OUTPUTS if has_output(ds, n)]
    summary = summary or summarise(ds, names, coded=())
    kinds = dict(DISTRIBUTION_OUTPUTS)
    outputs = [(n, kinds[n]) for n in names if n in summary.outputs]
    ncol = min(4, len(outputs))
    nrow = int(np.ceil(len(outputs) / ncol))
    with st.style():
        fig, axes = plt.subplots(nrow, ncol, figsize=(max(3.6 * ncol, 9.0), 4.2 * nrow + 1.0), squeeze=False)
        for ax, (name, kind) in zip(axes.flat, outputs):
            out = summary.outputs[name]
            stats = box_stats(out, postures)
            bp = ax.bxp(stats, showfliers=False, patch_artist=True, widths=0.65,
                        medianprops=dict(color="black", lw=1.4))
            for patch, p in zip(bp["boxes"], postures):
                patch.set_facecolor(st.posture_color(p))
                patch.set_alpha(0.85)
                patch.set_edgecolor("#333333")
            label = st.output_label(name)
            ax.set_ylabel(label + ("\nof those above 0" if out.zero_inflated else ""), fontsize=8.5)
            ticks = [st.posture_label(p) + (f"\n{out.share_positive_pct(p):.1f} % > 0" if out.zero_inflated else "")
                     for p in postures]
            ax.set_xticks(np.arange(1, len(postures) + 1), ticks, rotation=45, ha="right", rotation_mode="anchor",
                          fontsize=8)
            ax.grid(axis="x", visible=False)
            if out.zero_inflated and all(out.positive[p] == 0 for p in postures):
                ax.text(0.5, 0.5, "zero for everyone", transform=ax.transAxes, ha="center", va="center",
                        color="#666666")
            if kind:
                ax.set_ylim(bottom=0)
                levels = th["pressure_kpa"] if kind == "pressure" else th["deformation_pct"]
                sec = st.threshold_ticks(ax, levels)
                if kind == "pressure":  # thresholds in mmHg beside the kPa axis
                    shown = {g: y for g, y in levels.items() if y <= ax.get_ylim()[1]}
                    sec.set_yticks(list(shown.values()), [f"{th['pressure_mmhg'][g]:g} mmHg" for g in shown])
                else:
                    shown = {g: y for g, y in levels.items() if y <= ax.get_ylim()[1]}
                    sec.set_yticks(list(shown.values()), [f"{y:g} %" for y in shown.values()])
        for ax in axes.flat[len(outputs):]:
            ax.set_visible(False)
        fig.suptitle(f"Population outputs by posture ({population_text(ds)}, worse side)", x=0.01, ha="left")
        width, height = fig.get_size_inches()
        st.add_note(fig, "Box: quartiles; line: median; whiskers: 5th-95th percentile. Pressure and flattening are "
                    "zero for anyone whose root is not touched: their boxes show only those above zero, and the share "
                    "above zero is under each posture. Grade thresholds (right-hand ticks, in mmHg for pressure; "
                    "dotted mild, dashed moderate, dash-dot severe): Olmarker 1989, Pedowitz 1992 (pressure), "
                    "Lee 2010 (flattening).",
                    y=0.03)
        st.add_footer(fig, y=0.005)
        # margins in inches, so narrow figures (few stored results) keep room for tick labels and notes
        fig.subplots_adjust(left=0.8 / width, right=1.0 - 1.3 / width, top=1.0 - 0.55 / height,
                            bottom=1.9 / height, wspace=0.62, hspace=0.75)
    return fig


def person_codes(ds, name):
    """Per individual and posture: the worse grade over sides; for distributions the union of sides."""
    ref = GRADES if name.endswith("grade") else DISTRIBUTIONS
    c = codes(ds, name, ref)
    dims = ds[name].dims
    if "side" in dims:
        axis = dims.index("side")
        c = np.max(c, axis=axis) if ref is GRADES else np.bitwise_or.reduce(np.where(c < 0, 0, c), axis=axis)
        dims = tuple(d for d in dims if d != "side")
    return c, dims, ref


def shares(ds, name) -> tuple[list[str], tuple[str, ...], np.ndarray]:
    """(postures, labels, share[posture, label]) of individuals in each category, in percent."""
    c, dims, ref = person_codes(ds, name)
    pidx = dims.index("posture")
    c = np.moveaxis(c, pidx, 0)
    order = [str(p) for p in ds["posture"].values]
    postures = postures_of(ds)
    out = np.zeros((len(postures), len(ref)))
    for i, p in enumerate(postures):
        v = c[order.index(p)].ravel()
        v = v[v >= 0]
        if len(v):
            out[i] = np.bincount(v, minlength=len(ref))[: len(ref)] / len(v) * 100.0
    return postures, ref, out


def shares_figure(ds, summary=None):
    """Share of the population (%) in each L4 and L5 grade (worse side) and each pain distribution
    (either side), by posture."""
    from .population import summarise

    names = [n for n in ("l4_grade", "l5_grade", "distribution") if n in ds]
    summary = summary if summary is not None and all(n in summary.counts for n in names) else summarise(
        ds, (), coded=names)
    titles = {"l4_grade": "L4 root/ganglion grade (worse side)", "l5_grade": "L5 root grade (worse side)",
              "distribution": "pain distribution (either side)"}
    panels = [(n, titles[n]) for n in names]
    with st.style():
        fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 5.6), sharey=True, squeeze=False)
        for ax, (name, title) in zip(axes[0], panels):
            postures, labels, share = summary.postures, summary.labels[name], summary.shares_pct(name)
            colours = st.GRADE_COLORS if name.endswith("grade") else st.DISTRIBUTION_COLORS
            bottom = np.zeros(len(postures))
            x = np.arange(len(postures))
            for j, lbl in enumerate(labels):
                ax.bar(x, share[:, j], 0.75, bottom=bottom, color=colours[lbl], edgecolor="#555555", lw=0.5,
                       label=lbl)
                for i in range(len(postures)):
                    if share[i, j] >= 8:
                        dark = lbl in ("moderate", "severe", "sciatic", "sciatic+femoral")
                        ax.text(x[i], bottom[i] + share[i, j] / 2, f"{share[i, j]:.0f}", ha="center", va="center",
                                fontsize=7, color="white" if dark else "black")
                bottom += share[:, j]
            ax.set_title(title)
            ax.set_ylim(0, 100)
            ax.set_xticks(x, [st.posture_label(p) for p in postures], rotation=45, ha="right",
                          rotation_mode="anchor")
            ax.grid(axis="x", visible=False)
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=3, fontsize=8.5)
        axes[0, 0].set_ylabel("share of population [%]")
        fig.suptitle(f"Share of the population by posture ({population_text(ds)})", x=0.01, ha="left")
        st.add_footer(fig)
        fig.subplots_adjust(left=0.06, right=0.99, top=0.88, bottom=0.33, wspace=0.06)
    return fig


def srrc(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Standardised rank regression coefficients of ``y`` (n,) on the columns of ``x`` (n, k), and R².

    Ranks (average for ties) are standardised to zero mean and unit variance;
    the least-squares coefficients of the standardised ranks are the SRRC.
    Returns NaNs when ``y`` does not vary.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(500, 2))
    >>> c, r2 = srrc(x, 3 * x[:, 0] + 0.3 * x[:, 1])
    >>> bool(c[0] > 0.9 > 0.2 > c[1] > 0) and r2 > 0.95
    True
    """
    from scipy.stats import rankdata

    ok = np.isfinite(y) & np.all(np.isfinite(x), axis=1)
    x, y = x[ok], y[ok]
    if len(y) < x.shape[1] + 2 or np.std(y) == 0:
        return np.full(x.shape[1], np.nan), np.nan
    rx = np.column_stack([rankdata(c) for c in x.T])
    ry = rankdata(y)
    sx = rx.std(axis=0)
    sx[sx == 0] = 1.0
    zx = (rx - rx.mean(axis=0)) / sx
    zy = (ry - ry.mean()) / ry.std()
    coef, *_ = np.linalg.lstsq(zx, zy, rcond=None)
    resid = zy - zx @ coef
    return coef, float(1.0 - resid.var() / zy.var())


def sensitivity_table(ds):
    """SRRC per (root, posture, parameter) on the worse side's contact pressure.

    Returns
    -------
    dict root -> {"params": [...], "postures": [...], "srrc": (n_posture, n_param), "r2": (n_posture,)}
    """
    params = sampled_parameters(ds)
    x = np.column_stack([np.asarray(ds[p].values, float) for p in params]) if params else np.zeros((0, 0))
    out = {}
    for root, da in (("L4", l4_pressure(ds)), ("L5", ds["l5_pressure_kpa"])):
        da = _worse_side(da).transpose("posture", SAMPLE_DIM).load()
        postures = postures_of(ds)
        coef = np.full((len(postures), len(params)), np.nan)
        r2 = np.full(len(postures), np.nan)
        for i, p in enumerate(postures):
            if params:
                coef[i], r2[i] = srrc(x, np.asarray(da.sel(posture=p).values, float))
        out[root] = {"params": params, "postures": postures, "srrc": coef, "r2": r2}
    return out


def ranking(table) -> list[tuple[str, float, float]]:
    """Parameters ranked by mean |SRRC| over postures and both roots: (param, L4, L5)."""
    params = table["L4"]["params"]
    rows = []
    def mean_abs(col):
        return float(np.nanmean(np.abs(col))) if np.isfinite(col).any() else 0.0

    for j, p in enumerate(params):
        rows.append((p, mean_abs(table["L4"]["srrc"][:, j]), mean_abs(table["L5"]["srrc"][:, j])))
    return sorted(rows, key=lambda r: -(r[1] + r[2]))


def sensitivity_figure(ds, table=None, max_params: int = 15):
    """Heat maps of SRRC (parameter x posture) for L4 and L5 pressure, parameters ranked by mean |SRRC|."""
    from matplotlib.colors import TwoSlopeNorm

    table = table or sensitivity_table(ds)
    order = [r[0] for r in ranking(table)][:max_params]
    with st.style():
        n_post = len(table["L4"]["postures"])
        fig, axes = plt.subplots(1, 2, figsize=(max(12.0, 0.55 * n_post * 2 + 3.5), 0.45 * len(order) + 3.4),
                                 sharey=True)
        im = None
        for ax, root in zip(axes, ("L4", "L5")):
            t = table[root]
            idx = [t["params"].index(p) for p in order]
            m = t["srrc"][:, idx].T  # param x posture
            im = ax.imshow(np.nan_to_num(m), cmap=st.DIVERGING_CMAP, norm=TwoSlopeNorm(0, -1, 1), aspect="auto")
            for (i, j), v in np.ndenumerate(m):
                if np.isfinite(v):
                    ax.text(j, i, f"{v:+.2f}", ha="center", va="center", fontsize=7,
                            color="white" if abs(v) > 0.6 else "black")
                else:
                    ax.text(j, i, "-", ha="center", va="center", fontsize=7, color="#777777")
            ax.set_xticks(np.arange(len(t["postures"])),
                          [f"{st.posture_label(p)}\nR²={r:.2f}" if np.isfinite(r) else f"{st.posture_label(p)}\n(no "
                           "pressure)" for p, r in zip(t["postures"], t["r2"])], rotation=45, ha="right",
                          rotation_mode="anchor", fontsize=8)
            ax.set_title(f"{root} contact pressure (worse side)")
            ax.grid(False)
        axes[0].set_yticks(np.arange(len(order)), [st.param_label(p) for p in order], fontsize=8.5)
        fig.subplots_adjust(left=0.2, right=0.9, top=0.88, bottom=0.25, wspace=0.05)
        cax = fig.add_axes([0.915, 0.3, 0.012, 0.58])
        cb = fig.colorbar(im, cax=cax)
        cb.set_label("SRRC (standardised rank regression coefficient) [-]")
        fig.suptitle(f"Which parameters move root compression most ({population_text(ds)}; ranked by mean "
                     "|SRRC|)", x=0.01, ha="left")
        st.add_note(fig, "SRRC: change in the rank of the pressure, in standard deviations, per standard "
                    "deviation of the parameter's rank, others fixed (Saltelli 2008). R² < 0.7: rank model explains "
                    "little; read with care.", y=0.03)
        st.add_footer(fig, y=0.005)
    return fig


# ----------------------------------------------------------------- driver --
#: Results every sweep report needs; figures of other results are drawn when the store has them.
REPORT_OUTPUTS = ("l4_pressure_kpa", "l5_pressure_kpa")


#: Sensitivity ranks use at most this many individuals (independent draws, so the first ones are a random
#: subsample; the standard error of an SRRC is about 1/sqrt(n), 0.005 here) to keep memory and time flat.
SRRC_MAX_SAMPLES = 50_000


def _check_report_outputs(ds) -> None:
    missing = [n for n in REPORT_OUTPUTS if n not in ds]
    if missing:
        from ..errors import SimInputError

        raise SimInputError(f"sweep store lacks results every report draws: {', '.join(missing)}; "
                            "add them to sweep.outputs (or leave sweep.outputs out to store every result)")


def _grid_items(ds):
    dims = grid_dims(ds)
    if len(dims) >= 2:
        for root, label in (("l4", "L4 root or ganglion"), ("l5", "L5 root")):
            yield (f"map_{root}_pressure", f"{label}: contact pressure (worse side) over "
                   f"{st.param_label(dims[0])} and {st.param_label(dims[1])} for each posture; colour scale from 0 "
                   "to the highest pressure on the map, contours at the grade thresholds it reaches.",
                   pressure_map_figure(ds, root), f"{label}: pressure maps", None)
            if f"{root}_grade" in ds:
                yield (f"map_{root}_grade", f"{label}: compression grade (worse side) over "
                       f"{st.param_label(dims[0])} and {st.param_label(dims[1])} for each posture.",
                       grade_map_figure(ds, root), None, None)
    elif len(dims) == 1:
        yield ("lines_pressure", f"L4 and L5 contact pressure against {st.param_label(dims[0])}, by posture.",
               line_figure(ds), "Pressure against the swept parameter", None)
    else:
        from ..errors import SimInputError

        raise SimInputError("sweep store has no swept dimension of more than one value; nothing to map")


def sweep_figures_and_findings(ds, progress=None):
    """Every figure of a store and its findings, reading a population store once, in chunks.

    Returns
    -------
    (items, findings): items are (file name, caption, figure, section heading or None,
    table (header, rows) or None); findings as :func:`sim.findings.grid_findings` or
    :func:`sim.findings.population_findings`.
    """
    from .findings import grid_findings, population_findings
    from .population import has_output, summarise

    _check_report_outputs(ds)
    if store_kind(ds) == "grid":
        items = list(_grid_items(ds))
        return items, grid_findings(ds)
    names = [n for n, _ in DISTRIBUTION_OUTPUTS if has_output(ds, n)]
    summary = summarise(ds, names, progress=progress)
    items = [("distributions", "Distribution of each output over the population, by posture (worse side); "
              "pressure and flattening as the share above zero and the distribution of the non-zero part.",
              distributions_figure(ds, summary), "Distributions", None)]
    if summary.counts:
        items.append(("shares", "Share of the population in each grade and each pain distribution, by posture.",
                      shares_figure(ds, summary), "Grades and pain distributions", None))
    n = ds.sizes[SAMPLE_DIM]
    sub = ds.isel({SAMPLE_DIM: slice(0, SRRC_MAX_SAMPLES)}) if n > SRRC_MAX_SAMPLES else ds
    table = sensitivity_table(sub)
    rows = ranking(table)
    r2 = np.concatenate([table["L4"]["r2"], table["L5"]["r2"]])
    r2 = (float(np.nanmin(r2)), float(np.nanmax(r2))) if np.isfinite(r2).any() else None
    if rows:
        note = (f" (from the first {SRRC_MAX_SAMPLES:,} of {n:,} individuals)" if n > SRRC_MAX_SAMPLES else "")
        items.append(("sensitivity", "Standardised rank regression coefficients of the sampled parameters on L4 and "
                      f"L5 contact pressure, by posture{note}.", sensitivity_figure(sub, table), "Sensitivity",
                      (["rank", "parameter", "L4 mean |SRRC|", "L5 mean |SRRC|"],
                       [[str(i + 1), st.param_label(p), f"{a:.3f}", f"{b:.3f}"] for i, (p, a, b) in enumerate(rows)])))
    return items, population_findings(ds, summary, rows, r2)


def sweep_figures(ds):
    """Yield (file name, caption, figure, section heading or None) for every figure of the store."""
    items, _ = sweep_figures_and_findings(ds)
    for name, caption, fig, section, _table in items:
        yield name, caption, fig, section


# ------------------------------------------------------ stores from evaluate --
def evaluate_dataset(grid: dict | None = None, samples: dict | None = None, postures=None, base: dict | None = None):
    """Build a sweep-shaped Dataset with :func:`sim.evaluate` (for small sweeps, tests and examples).

    Parameters
    ----------
    grid : dict key -> 1-D values, optional
        One dimension per key (a grid sweep).
    samples : dict key -> 1-D values of equal length, optional
        A population along ``sample``, each key a coordinate.
    postures : sequence of str, optional
        Defaults to every built-in posture.
    base : dict, optional
        Fixed parameter values (e.g. a scenario's ``values``).
    """
    import xarray as xr

    from ..engine import evaluate
    from ..layout import OUTPUTS, SIDES
    from ..loads import BUILTIN_POSTURES

    postures = list(postures or BUILTIN_POSTURES)
    if (grid is None) == (samples is None):
        raise ValueError("give exactly one of grid or samples")
    if grid is not None:
        keys = list(grid)
        mesh = np.meshgrid(*[np.asarray(grid[k], float) for k in keys], indexing="ij")
        shape = mesh[0].shape
        cols = {k: m.ravel() for k, m in zip(keys, mesh)}
        dims = keys
        coords = {k: np.asarray(grid[k], float) for k in keys}
    else:
        cols = {k: np.asarray(v, float) for k, v in samples.items()}
        shape = (len(next(iter(cols.values()))),)
        dims = [SAMPLE_DIM]
        coords = {SAMPLE_DIM: np.arange(shape[0]), **{k: (SAMPLE_DIM, v) for k, v in cols.items()}}
    n = int(np.prod(shape))
    batch = {k: np.tile(v, len(postures)) for k, v in cols.items()}
    for k, v in (base or {}).items():
        if k not in batch:
            batch[k] = np.full(n * len(postures), v, dtype=object if isinstance(v, str) else float)
    batch["posture"] = np.repeat(np.array(postures), n)
    result = evaluate(batch)
    data = {}
    for name in OUTPUTS:
        v = np.asarray(result[name])
        attrs = {}
        if name in CATEGORICAL_OUTPUTS:
            labels = CATEGORICAL_OUTPUTS[name]
            v = np.array([labels.index(s) for s in v], dtype=np.int8)
            attrs = {"labels": list(labels)}
        v = v.reshape(len(postures), *shape, len(SIDES))
        data[name] = (["posture", *dims, "side"], v, attrs)
    return xr.Dataset(data, coords={"posture": postures, "side": list(SIDES), **coords})
