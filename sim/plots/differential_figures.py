"""The spine-versus-hip differential in a scenario report: tables and one body chart per source."""

from __future__ import annotations

from ..bodychart import _DISCLAIMER, CMAP, ORIENTATION_NOTE, PAIN_RANGE, _matplotlib, draw_body_chart
from ..diagnosis import SOURCE_TEXT, SOURCES, differential_data


def verdict_text(verdict: str) -> str:
    """``likely_source`` in words ("L5 root", "hip and spine")."""
    return SOURCE_TEXT.get(verdict, verdict.replace("_", " "))


def worst_test(result: dict, source: str) -> dict | None:
    """The manoeuvre in which ``source`` hurts most (None when it never hurts)."""
    tests = [t for t in result["tests"] if t["peak"][source] > 0.0]
    return max(tests, key=lambda t: t["peak"][source]) if tests else None


def differential_figure(result: dict):
    """Body charts of the three sources, each in the manoeuvre that provokes it most (a matplotlib Figure).

    Only the tested side carries pain; the charts share one 0-10 colour scale.
    """
    import textwrap

    matplotlib, plt = _matplotlib()
    fig, axes = plt.subplots(1, 3, figsize=(9.6, 4.4))
    fig.subplots_adjust(left=0.005, right=0.91, top=0.80, bottom=0.10, wspace=0.02)
    side = result["side"]
    for ax, source in zip(axes, SOURCES):
        t = worst_test(result, source)
        pain = t["pain"][source] if t else {}
        title = (f"{SOURCE_TEXT[source]}, peak {t['peak'][source]:.1f}\n" + textwrap.fill(t["label"], 30) if t
                 else f"{SOURCE_TEXT[source]}\nno pain in any manoeuvre")
        draw_body_chart(pain if side == "left" else {}, pain if side == "right" else {}, ax=ax, title=title,
                        colorbar=False, annotate=True, fontsize=8, notes=False)
    sm = matplotlib.cm.ScalarMappable(norm=matplotlib.colors.Normalize(*PAIN_RANGE), cmap=CMAP)
    cb = fig.colorbar(sm, cax=fig.add_axes((0.93, 0.2, 0.015, 0.58)))
    cb.set_label("pain intensity (0-10)")
    fig.suptitle(f"{result['scenario']}: pain of each source on the {side} side, in its most provoking "
                 f"manoeuvre; likely source: {verdict_text(result['likely_source'])}", fontsize=10,
                 x=0.01, ha="left")
    note = f"{ORIENTATION_NOTE[:1].upper()}{ORIENTATION_NOTE[1:]}. {_DISCLAIMER}"
    fig.text(0.01, 0.01, textwrap.fill(note, 150), fontsize=7, color="#404040", va="bottom")
    return fig


def profile_rows(result: dict) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the provocation table: peak pain per source, and what each manoeuvre provokes."""
    header = ["manoeuvre", *[SOURCE_TEXT[s] for s in SOURCES], "provokes (>= 2 points)"]
    rows = [[t["label"], *[f"{t['peak'][s]:.1f}" for s in SOURCES],
             ", ".join(SOURCE_TEXT[s] for s in t["provokes"]) or "-"] for t in result["tests"]]
    return header, rows


def block_rows(result: dict) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the block table: relief of the total, verdict, the regions relieved most."""
    header = ["block", "relief of total pain (%)", f"positive (>= {result['criterion_relief_pct']:g} %)",
              "regions relieved most (%)"]
    rows = []
    for b in result["blocks"]:
        top = sorted(b["relief_by_region_pct"].items(), key=lambda kv: -round(kv[1], 1))[:3]
        rows.append([differential_data()["blocks"][b["block"]]["label"], f"{b['relief_pct']:.1f}",
                     "yes" if b["positive"] else "no",
                     ", ".join(f"{r.replace('_', ' ')} {v:.0f}" for r, v in top if v > 0.5) or "-"])
    return header, rows


def add_differential_section(rep, scenario) -> dict:
    """Append the differential (heading, tables, statement, body charts) to a scenario report."""
    from ..diagnosis import differential

    result = differential(scenario)
    rep.heading("Spine or hip: the differential")
    rep.paragraph(f"Provocation tests and diagnostic blocks on the {result['side']} side (the side with the most "
                  "pain over the tests): peak pain 0-10 of each source in each manoeuvre (sim differential; "
                  "docs/differential.md).")
    done = ", ".join(name for name, _ in getattr(scenario, "interventions", ()) or ())
    if done:  # the scenario's intervention.* values are part of its parameters: say which state is tested
        rep.paragraph(f"Tested after surgery ({done}), as the scenario's records are.")
    header, rows = profile_rows(result)
    rep.table(header, rows, numeric=(1, 2, 3))
    header, rows = block_rows(result)
    rep.table(header, rows, numeric=(1,))
    rep.paragraph(f"Likely source: {verdict_text(result['likely_source'])}.")
    rep.bullets(result["reasons"])
    rep.figure(differential_figure(result), "differential",
               "Body charts of the L4 root, the L5 root and the hip joint, each in the manoeuvre that provokes "
               "it most, on the tested side.")
    return result
