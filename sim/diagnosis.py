"""The differential of spine versus hip: provocation tests, diagnostic blocks, likely source.

(Module ``sim.diagnosis``; the public function is :func:`sim.differential`.)

Three pain sources sit side by side: the L4 root (with its ganglion), the L5
root, and the hip joint (:mod:`sim.hip`). For one scenario this module

1. runs each provocation manoeuvre (``sim/data/differential.toml``): the spinal
   posture it loads (the kernels give the roots' compression there), the root
   tension it adds (straight-leg raise, femoral-nerve stretch: the root's
   compression stimulus times ``1 + gain``, so only a compressed root is
   provoked) and the hip load it imposes (hip rotation and weight bearing);
2. gives the pain 0-10 per region of each source in each manoeuvre, and says
   which sources the manoeuvre provokes (a rise of 2 points or more over its
   baseline, Farrar 2001);
3. simulates each diagnostic block (intra-articular hip anaesthetic, selective L4
   or L5 root block) as the removal of that source's drive, and its relief of the
   total pain (sources combined as independent causes, as the two roots are
   combined in :mod:`sim.referral`), positive at 50 % relief;
4. names the likely source from the blocks and says why.

Design: the records of ``sim run`` keep the roots' pain only (``pain_*``
columns unchanged, bit for bit, with or without ``[hip]``); the hip's pain and
the per-source split are outputs of this module, whose root pains combine to
the records' ``pain_*`` exactly (a test holds them to 1e-9).

References
----------
lesher2008, pateder2007, maldonado2020 (intra-articular hip injection),
smith1993, gilbert2007 (root excursion and strain in the straight-leg raise),
farrar2001 (2 points), brown2004 (groin pain, internal rotation).
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import replace
from functools import lru_cache
from importlib import resources

import numpy as np

from . import hip
from .errors import SimInputError
from .postures import Posture, builtin_postures
from .referral import (
    N_REGIONS,
    P_DRG_GAIN,
    P_HALF_DEFORMATION_PCT,
    P_HALF_PRESSURE_MMHG,
    P_HILL_EXPONENT,
    P_SMOOTH_MAX_ORDER,
    P_THRESHOLD_PAIN,
    PAIN_MAX,
    PARAM_KEYS,
    REGIONS,
    compression_stimulus,
    pain_fraction,
    referral_data,
    region_weights,
    relative_weights,
    root_drive,
)

#: The three pain sources, in output order, and the block that targets each.
SOURCES = ("l4_root", "l5_root", "hip_joint")
BLOCKS = ("hip_joint", "l4_root", "l5_root")
SOURCE_TEXT = {"l4_root": "L4 root", "l5_root": "L5 root", "hip_joint": "hip joint"}
#: Values of ``likely_source`` besides the three sources.
VERDICTS = SOURCES + ("spine", "hip_and_spine", "indeterminate", "none")


@lru_cache(maxsize=None)
def differential_data() -> dict:
    """The manoeuvres, the Kemp posture and the blocks of ``sim/data/differential.toml``."""
    return tomllib.loads(resources.files("sim.data").joinpath("differential.toml").read_text(encoding="utf-8"))


def relief_criterion_pct() -> float:
    """Relief that makes a block positive [%]: 50 (referral.toml, the hip-injection criterion)."""
    return 100.0 * float(referral_data()["hip_joint_referral"]["injection_relief_fraction"]["value"])


def manoeuvres(scenario=None) -> tuple[str, ...]:
    """Names of the manoeuvres available for ``scenario``, in profile order.

    An optional manoeuvre (walking) is listed only when its posture exists, built in or in
    the scenario's custom postures.
    """
    custom = scenario.custom_postures if scenario is not None else {}
    out = []
    for name, m in differential_data()["manoeuvres"].items():
        if m.get("optional") and m["posture"] not in builtin_postures() and m["posture"] not in custom:
            continue
        out.append(name)
    return tuple(out)


def check_manoeuvres(names, scenario=None) -> tuple[str, ...]:
    """``names`` checked against :func:`manoeuvres`; an unknown or repeated one raises SimInputError."""
    allowed = manoeuvres(scenario)
    for name in names:
        if name not in allowed:
            raise SimInputError(f"--test (manoeuvre) {name!r} is unknown; allowed: {', '.join(allowed)}")
    twice = [n for n in dict.fromkeys(names) if list(names).count(n) > 1]
    if twice:
        raise SimInputError(f"--test (manoeuvre) {twice[0]!r} is given twice; give each manoeuvre once")
    return tuple(names)


def kemp_posture(side: str) -> Posture:
    """Extension with bending towards ``side`` (the foraminal-closure position), as a trunk posture."""
    k = differential_data()["kemp"]
    sign = -1.0 if side == "left" else 1.0
    return Posture(name=f"differential_kemp_{side}", kind="trunk", trunk_flexion_deg=k["trunk_flexion_deg"],
                   trunk_lateral_deg=sign * abs(k["trunk_lateral_deg"]),
                   segment_lateral_deg=sign * abs(k["segment_lateral_deg"]), source=k["source"], note=k["note"])


def spine_posture(manoeuvre: str, side: str) -> str:
    """Posture name in which the manoeuvre loads the spine for the tested ``side``."""
    name = differential_data()["manoeuvres"][manoeuvre]["posture"]
    return kemp_posture(side).name if name == "kemp" else name


# ------------------------------------------------------------ root pain --
def scenario_referral_params(values: dict) -> np.ndarray:
    """The scenario's ``[referral]`` parameters as the vector of :func:`sim.referral.referral_params`."""
    return np.array([float(values[k]) for k in PARAM_KEYS])


def root_drives(record, coef, l4_gain: float = 0.0, l5_gain: float = 0.0) -> tuple[float, float]:
    """Drives 0-1 of the L4 root (with its ganglion) and the L5 root from one record.

    ``coef`` is the referral parameter vector (:func:`scenario_referral_params`).

    The same chain as :func:`sim.referral.pain_reference` (stimulus, dose-response,
    root OR ganglion); a tension gain multiplies the compression stimulus by
    ``1 + gain`` (the stimulus is homogeneous of degree 1 in pressure and flattening),
    so a root without compression stays at drive 0.
    """
    scale = dict(half_pain_pressure_mmhg=coef[P_HALF_PRESSURE_MMHG],
                 half_pain_deformation_pct=coef[P_HALF_DEFORMATION_PCT], smooth_max_order=coef[P_SMOOTH_MAX_ORDER])
    h = coef[P_HILL_EXPONENT]
    k4, k5 = 1.0 + l4_gain, 1.0 + l5_gain
    f_root = pain_fraction(k4 * compression_stimulus(record["l4_pressure_kpa"], record["l4_deformation_pct"],
                                                     **scale), h)
    f_drg = pain_fraction(k4 * coef[P_DRG_GAIN] * compression_stimulus(
        record["l4_drg_pressure_kpa"], record["l4_drg_deformation_pct"], **scale), h)
    f5 = pain_fraction(k5 * compression_stimulus(record["l5_pressure_kpa"], record["l5_deformation_pct"], **scale), h)
    return float(root_drive(f_root, f_drg)), float(f5)


def combine(pains) -> np.ndarray:
    """Region pain of several sources together: ``10 (1 - prod_s (1 - pain_s / 10))`` (independent causes)."""
    pains = np.asarray(pains, dtype=np.float64)
    return PAIN_MAX * (1.0 - np.prod(1.0 - pains / PAIN_MAX, axis=0))


def root_pains(record, coef, l4_gain: float = 0.0, l5_gain: float = 0.0) -> dict[str, np.ndarray]:
    """Pain 0-10 per region (REGIONS order) of the L4 and of the L5 root alone, from one record."""
    f4, f5 = root_drives(record, coef, l4_gain, l5_gain)
    w4 = relative_weights(region_weights("L4", coef))
    w5 = relative_weights(region_weights("L5", coef))
    return {"l4_root": PAIN_MAX * w4 * f4, "l5_root": PAIN_MAX * w5 * f5}


def source_pains(record, values: dict, side: str, manoeuvre: str, coef) -> dict[str, np.ndarray]:
    """Pain 0-10 per region (REGIONS order) of each source in one manoeuvre on one side."""
    m = differential_data()["manoeuvres"][manoeuvre]
    pains = root_pains(record, coef, float(m.get("l4_tension_gain", 0.0)), float(m.get("l5_tension_gain", 0.0)))
    pains["hip_joint"] = hip.hip_pain(values, side, manoeuvre)
    return pains


# ---------------------------------------------------------------- blocks --
def block_relief(profile: dict[str, dict[str, np.ndarray]], block: str, efficacy: float) -> dict:
    """Relief of the total pain by a block that removes ``efficacy`` of one source.

    Parameters
    ----------
    profile : dict manoeuvre -> dict source -> region pains (9,)
    block : one of :data:`BLOCKS` (the source it blocks)
    efficacy : float, 0-1

    Returns
    -------
    dict with ``relief_pct`` (total over the regions and manoeuvres) and
    ``relief_by_region_pct`` (regions with pain before the block).  A block of a
    source that carries no pain relieves exactly nothing: before and after are
    the same computation on the same numbers.
    """
    before = np.zeros(N_REGIONS)
    after = np.zeros(N_REGIONS)
    for pains in profile.values():
        before += combine([pains[s] for s in SOURCES])
        after += combine([pains[s] * (1.0 - efficacy) if s == block else pains[s] for s in SOURCES])
    total_before = float(before.sum())
    relief = 100.0 * (total_before - float(after.sum())) / total_before if total_before > 0.0 else 0.0
    by_region = {r: 100.0 * float(before[i] - after[i]) / float(before[i])
                 for i, r in enumerate(REGIONS) if before[i] > 0.0}
    return {"relief_pct": relief, "relief_by_region_pct": by_region}


def likely_source(blocks: list[dict], total_pain: float, criterion_pct: float) -> tuple[str, list[str]]:
    """The source the block pattern points to, and the reasons in plain words."""
    if total_pain <= 0.0:
        return "none", ["no source gives pain in any manoeuvre"]
    positive = [b["block"] for b in blocks if b["positive"]]
    text = ", ".join(f"{SOURCE_TEXT[b['block']]} block {b['relief_pct']:.0f} %" for b in blocks)
    why = [f"relief: {text} (positive at >= {criterion_pct:g} %)"]
    roots = [b for b in positive if b != "hip_joint"]
    if positive == ["hip_joint"]:
        return "hip_joint", why + ["only the intra-articular hip anaesthetic crosses the criterion: the hip joint "
                                   "is the likely source, and the L4 and L5 roots are not"]
    if "hip_joint" in positive and roots:
        return "hip_and_spine", why + ["both the hip anaesthetic and a root block cross the criterion: two sources"]
    if len(roots) == 1:
        return roots[0], why + [f"only the {SOURCE_TEXT[roots[0]]} block crosses the criterion and the hip "
                                "anaesthetic does not: spinal pain from that root"]
    if len(roots) == 2:
        return "spine", why + ["both root blocks cross the criterion: both roots share the pain"]
    shares = sorted(blocks, key=lambda b: -b["relief_pct"])
    if shares[0]["relief_pct"] >= criterion_pct / 2 and shares[1]["relief_pct"] >= criterion_pct / 2:
        kinds = {"hip" if b["block"] == "hip_joint" else "spine" for b in shares[:2]}
        verdict = "hip_and_spine" if kinds == {"hip", "spine"} else "spine"
        return verdict, why + [f"no single block crosses the criterion, but the {SOURCE_TEXT[shares[0]['block']]} "
                               f"and the {SOURCE_TEXT[shares[1]['block']]} blocks each relieve at least "
                               f"{criterion_pct / 2:g} %: the pain has more than one source"]
    return "indeterminate", why + ["no block crosses the criterion: no modelled source explains the pain alone"]


# ------------------------------------------------------------ the profile --
def _records(scenario, names, engine):
    """Records of every spinal posture the manoeuvres need, keyed by (posture, side)."""
    from .engine import simulate

    custom = dict(scenario.custom_postures)
    for side in ("left", "right"):
        custom[kemp_posture(side).name] = kemp_posture(side)
    postures = list(dict.fromkeys(
        [differential_data()["manoeuvres"][n]["baseline"] for n in names]
        + [spine_posture(n, s) for n in names for s in ("left", "right")]))
    frame = simulate(replace(scenario, custom_postures=custom), postures=postures, engine=engine)
    return {(r["posture"], r["side"]): r for r in frame.to_dict("records")}


def differential(scenario, tests=None, engine: str = "numba") -> dict:
    """Provocation profile, block responses and likely source of a scenario.

    Parameters
    ----------
    scenario : sim.scenario.Scenario or str or Path
        A loaded scenario or a scenario file; ``[hip]`` sets the hip source.
    tests : list of str, optional
        Manoeuvres to run (default every available one, :func:`manoeuvres`).
    engine : {"numba", "reference"}

    Returns
    -------
    dict
        ``{"scenario", "side", "tests": [...], "blocks": [{"block", "relief_pct", "positive",
        "relief_by_region_pct"}], "likely_source", "reasons", "criterion_relief_pct"}``.
        ``side`` is the tested side: the one with the most pain over the profile. Each
        test has ``test``, ``label``, ``posture``, ``pain`` (source -> region -> 0-10),
        ``peak`` (source -> 0-10), ``rise`` (source -> points over the baseline) and
        ``provokes`` (sources whose peak rises by >= 2 points).

    Examples
    --------
    >>> import sim
    >>> d = sim.differential("configs/scenarios/healthy.toml")  # doctest: +SKIP
    >>> d["likely_source"]  # doctest: +SKIP
    'none'
    """
    from .scenario import Scenario, load_scenario

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    names = check_manoeuvres(list(tests), scenario) if tests else manoeuvres(scenario)
    records = _records(scenario, names, engine)
    values = scenario.values
    coef = scenario_referral_params(values)
    threshold = float(coef[P_THRESHOLD_PAIN])
    sides = {side: {n: source_pains(records[(spine_posture(n, side), side)], values, side, n, coef) for n in names}
             for side in ("left", "right")}
    totals = {s: float(sum(combine([p[k] for k in SOURCES]).sum() for p in prof.values()))
              for s, prof in sides.items()}
    side = max(("left", "right"), key=lambda s: (totals[s], s == "left"))
    profile = sides[side]
    tests_out = []
    for name in names:
        m = differential_data()["manoeuvres"][name]
        base = _baseline(records, values, side, name, coef)
        pains = profile[name]
        peak = {s: float(pains[s].max()) for s in SOURCES}
        rise = {s: peak[s] - float(base[s].max()) for s in SOURCES}
        tests_out.append({"test": name, "label": m["label"], "posture": spine_posture(name, side),
                          "baseline": m["baseline"],
                          "pain": {s: {r: float(pains[s][i]) for i, r in enumerate(REGIONS)} for s in SOURCES},
                          "peak": peak, "rise": rise,
                          "provokes": [s for s in SOURCES if rise[s] >= threshold]})
    criterion = relief_criterion_pct()
    blocks = []
    for block in BLOCKS:
        b = block_relief(profile, block, float(differential_data()["blocks"][block]["efficacy"]))
        blocks.append({"block": block, "relief_pct": b["relief_pct"], "positive": b["relief_pct"] >= criterion,
                       "relief_by_region_pct": b["relief_by_region_pct"]})
    verdict, reasons = likely_source(blocks, totals[side], criterion)
    secondary = contributing_sources(profile, blocks, criterion, threshold)
    also = [(s, r) for s, r in secondary if not _named_by(verdict, s)]
    reasons = reasons + [f"the {SOURCE_TEXT[s]} also contributes: its block relieves {region.replace('_', ' ')} "
                         f"pain by {pct:.0f} %" for s, (region, pct) in also]
    reasons = reasons + _pattern_reasons(tests_out, threshold)
    return {"scenario": scenario.name, "side": side, "tests": tests_out, "blocks": blocks,
            "likely_source": verdict, "contributing_sources": [s for s, _ in secondary], "reasons": reasons,
            "criterion_relief_pct": criterion, "sources": list(SOURCES)}


def _named_by(verdict: str, source: str) -> bool:
    """True if the verdict already names ``source``."""
    return verdict == source or (verdict == "spine" and source != "hip_joint") or (
        verdict == "hip_and_spine")


def contributing_sources(profile: dict, blocks: list[dict], criterion_pct: float, threshold: float) -> list:
    """Sources whose block crosses the criterion in at least one painful region.

    A region is painful when its pain reaches ``threshold`` (2 points) in at least one
    manoeuvre; a source that carries little of the total may still own a region (the hip
    the groin, next to a stenosis that owns the leg). Returns ``[(source, (region, relief_pct))]``
    with the region it relieves most.
    """
    peak = np.max([combine([p[s] for s in SOURCES]) for p in profile.values()], axis=0)
    out = []
    for b in blocks:
        owned = [(r, pct) for r, pct in b["relief_by_region_pct"].items()
                 if pct >= criterion_pct and peak[REGIONS.index(r)] >= threshold]
        if owned:
            out.append((b["block"], max(owned, key=lambda rp: rp[1])))
    return out


def _baseline(records, values, side, manoeuvre, coef) -> dict[str, np.ndarray]:
    """Source pains at a manoeuvre's baseline: its baseline posture without root tension, and the
    hip as in that posture (lying: provocation 0; standing: as standing)."""
    base = differential_data()["manoeuvres"][manoeuvre]["baseline"]
    pains = root_pains(records[(base, side)], coef)
    pains["hip_joint"] = hip.hip_pain(values, side, base)
    return pains


def _pattern_reasons(tests: list[dict], threshold: float) -> list[str]:
    """Plain-language reading of the provocation profile: which manoeuvres provoke which source."""
    out = []
    for s in SOURCES:
        by = [t["label"] for t in tests if s in t["provokes"]]
        if by:
            out.append(f"{SOURCE_TEXT[s]} provoked (>= {threshold:g} points over baseline) by: {', '.join(by)}")
    groin = {s: max(t["pain"][s]["groin"] for t in tests) for s in SOURCES}
    if groin["hip_joint"] >= threshold and groin["hip_joint"] > max(groin["l4_root"], groin["l5_root"]):
        out.append("groin pain comes mainly from the hip joint (groin pain points to the hip, Brown 2004)")
    return out


# -------------------------------------------------------------- formats --
def _rounded(obj, digits: int = 3):
    if isinstance(obj, float):
        return round(obj, digits) if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _rounded(v, digits) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_rounded(v, digits) for v in obj]
    return obj


def to_json(result: dict) -> str:
    """The differential as one JSON object (numbers rounded to 3 decimals)."""
    return json.dumps(_rounded(result), indent=1, allow_nan=False)


def to_text(result: dict) -> str:
    """The differential as tables and a plain-language statement."""
    lines = [f"differential: {result['scenario']}, tested side {result['side']}",
             "",
             "provocation profile: peak pain 0-10 per source (* = provoked: >= 2 points over the baseline)"]
    width = max(len(t["label"]) for t in result["tests"]) if result["tests"] else 10
    lines.append(f"  {'manoeuvre':<{width}}  " + "  ".join(f"{SOURCE_TEXT[s]:>10}" for s in SOURCES))
    for t in result["tests"]:
        cells = "  ".join(f"{t['peak'][s]:>9.1f}{'*' if s in t['provokes'] else ' '}" for s in SOURCES)
        lines.append(f"  {t['label']:<{width}}  {cells}")
    lines += ["", f"diagnostic blocks (positive at >= {result['criterion_relief_pct']:g} % relief of the total pain)"]
    for b in result["blocks"]:
        top = sorted(b["relief_by_region_pct"].items(), key=lambda kv: -round(kv[1], 1))[:3]  # ties: REGIONS order
        regions = ", ".join(f"{r.replace('_', ' ')} {v:.0f} %" for r, v in top if v > 0.5) or "-"
        lines.append(f"  {differential_data()['blocks'][b['block']]['label']:<34} relief {b['relief_pct']:5.1f} %  "
                     f"{'POSITIVE' if b['positive'] else 'negative'}  (most relieved: {regions})")
    verdict = result["likely_source"]
    lines += ["", f"likely source: {SOURCE_TEXT.get(verdict, verdict.replace('_', ' '))}"]
    lines += [f"  - {r}" for r in result["reasons"]]
    return "\n".join(lines)
