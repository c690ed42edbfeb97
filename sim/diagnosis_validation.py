"""Validation targets of the spine-versus-hip differential (:mod:`sim.hip`, :mod:`sim.diagnosis`).

Part of the ``sim validate`` table (:func:`sim.validation.targets` makes each dict a
``Target``; this module does not import ``sim.validation``, which imports it):
the hip referral map against its source (calibration), the thigh and
below-knee totals the map was not built from, the blocks and the clinical signs
against their published accuracy, and the spinal pattern of the two-source
scenario.

References
----------
lesher2008, pateder2007, maldonado2020, deville2000, brown2004, sasaki2014, suri2010.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

GROUP = "differential"
LESHER = "Lesher 2008, Pain Med 9:22 (51 patients, > 90 % relief after intra-articular anaesthetic); 95 % CI"


def _share(region: str) -> float:
    from .hip import region_shares
    from .referral import REGIONS

    return float(region_shares()[REGIONS.index(region)])


def _union(regions) -> float:
    """Share of hip patients with pain in any of ``regions``, regions independent."""
    return 1.0 - float(np.prod([1.0 - _share(r) for r in regions]))


#: Path of a ready scenario by name; set by :func:`differential_targets`.
_SCENARIO_PATH: list[Callable[[str], Path]] = []


@lru_cache(maxsize=None)
def _differential(name: str) -> dict:
    from .diagnosis import differential
    from .scenario import load_scenario

    return differential(load_scenario(_SCENARIO_PATH[-1](name)))


def _relief(name: str, block: str) -> float:
    return next(b["relief_pct"] for b in _differential(name)["blocks"] if b["block"] == block)


def _test(name: str, test: str) -> dict:
    return next(t for t in _differential(name)["tests"] if t["test"] == test)


def _spine_only_hip_block_negative() -> float:
    """Share of the shipped spine-only painful scenarios whose hip block is negative."""
    names = ("central_stenosis", "foraminal_herniation_left", "subarticular_herniation_right",
             "spondylolisthesis_grade1", "combined_degenerative", "degenerated_disc")
    painful = [n for n in names if _differential(n)["likely_source"] != "none"]
    negative = [n for n in painful if not next(b["positive"] for b in _differential(n)["blocks"]
                                               if b["block"] == "hip_joint")]
    return len(negative) / len(painful) if painful else float("nan")


def _groin_points_to_hip() -> float:
    """1 if loaded hip rotation gives groin pain (>= 2) from the hip while the L5 scenarios' roots give none."""
    hip_groin = _test("hip_osteoarthritis_right", "hip_internal_rotation_loaded")["pain"]["hip_joint"]["groin"]
    root_groin = max(t["pain"][s]["groin"] for n in ("central_stenosis", "subarticular_herniation_right")
                     for t in _differential(n)["tests"] for s in ("l4_root", "l5_root")
                     if t["test"] in ("standing", "sitting", "flexion", "straight_leg_raise"))
    return float(hip_groin >= 2.0 and root_groin < 2.0)


def _rotation_selective() -> float:
    """1 if loaded internal rotation provokes the hip of both hip scenarios and no root."""
    return float(all(_test(n, "hip_internal_rotation_loaded")["provokes"] == ["hip_joint"]
                     for n in ("hip_osteoarthritis_right", "stenosis_plus_hip")))


def _claudication_with_hip() -> float:
    """1 if the two-source scenario keeps the claudication pattern: L5 worse standing than sitting and
    than bending forward, on the tested side."""
    peak = {t["test"]: t["peak"]["l5_root"] for t in _differential("stenosis_plus_hip")["tests"]}
    return float(peak["standing"] > max(peak["sitting"], peak["flexion"]))


def _t(*args, **kwargs) -> tuple[tuple, dict]:
    """Arguments of one ``sim.validation.Target`` (id, quantity, unit, expected, low, high, source, kind,
    compute, ...)."""
    return args, kwargs


def differential_targets(scenario_path: Callable[[str], Path]) -> list[tuple[tuple, dict]]:
    """The differential's validation targets as ``Target`` arguments (see the module docstring).

    ``scenario_path`` maps a ready scenario's name to its file (``sim.validation.scenario_path``).
    """
    _SCENARIO_PATH[:] = [scenario_path]
    _differential.cache_clear()
    cal = "calibration"
    ind = "independent"
    t = [
        _t("hip_map_buttock_share", "Hip referral map: share of hip-pain patients with buttock pain", "1",
               "0.71", 0.58, 0.84, LESHER, cal, lambda: _share("buttock"), sets="sim/data/hip.toml [regions]",
               group=GROUP),
        _t("hip_map_groin_share", "Hip referral map: share with groin pain", "1", "0.55", 0.41, 0.69, LESHER,
               cal, lambda: _share("groin"), sets="sim/data/hip.toml [regions]", group=GROUP),
        _t("hip_map_thigh_total", "Hip referral map: share with thigh pain (any of anterior, lateral, "
               "posterior thigh; map built from the parts, not the total)", "1", "0.57", 0.43, 0.71,
               LESHER + "; the medial thigh (16 %) has no region in the chart", ind,
               lambda: _union(("anterior_thigh", "lateral_thigh", "posterior_thigh")), group=GROUP),
        _t("hip_map_below_knee_total", "Hip referral map: share with pain at or below the knee (any of "
               "medial knee/leg, lateral leg, dorsum of foot)", "1", "0.22-0.24 (below knee 22, knee 2)", 0.11, 0.37,
               LESHER, cal, lambda: _union(("medial_knee_leg", "lateral_leg", "dorsum_foot")),
               sets="sim/data/hip.toml [regions]", group=GROUP),
        _t("hip_block_positive_hip_oa", "Intra-articular hip anaesthetic relief, hip_osteoarthritis_right",
               "%", "> 50 (sensitivity 93.6 %, 9 studies)", 50.0, 100.0,
               "Maldonado 2020, Orthopedics 43:e65; Pateder 2007 (sensitivity 100 %)", ind,
               lambda: _relief("hip_osteoarthritis_right", "hip_joint"), group=GROUP),
        _t("hip_block_specificity_spine", "Share of painful spine-only ready scenarios with a negative hip "
               "block", "1", "0.95 (specificity 95.0 %; 81 % in Pateder)", 0.81, 1.0,
               "Maldonado 2020; Pateder 2007, Am J Orthop 36:591", ind, _spine_only_hip_block_negative,
               group=GROUP),
        _t("hip_block_concomitant_relief", "Intra-articular hip anaesthetic relief, stenosis_plus_hip", "%",
               "62 (pain 7.2 -> 2.7 of 10, concomitant hip and spine OA)", 40.0, 85.0,
               "Pateder 2007, Am J Orthop 36:591 (83 patients)", ind,
               lambda: _relief("stenosis_plus_hip", "hip_joint"), group=GROUP),
        _t("slr_provokes_paracentral_herniation", "Straight-leg raise provokes the L5 root, "
               "subarticular_herniation_right (1 = provoked)", "1", "1 (SLR sensitivity 0.91 in herniation)",
               1.0, 1.0, "Deville 2000, Spine 25:1140 (pooled sensitivity 0.91, 0.82-0.94)", ind,
               lambda: float("l5_root" in _test("subarticular_herniation_right", "straight_leg_raise")["provokes"]),
               group=GROUP),
        _t("slr_spares_free_roots", "Straight-leg raise provokes no root, healthy and hip_osteoarthritis_right "
               "(1 = none)", "1", "1 (a normal root is not painful under tension)", 1.0, 1.0,
               "Kuslich 1991 (only compressed or inflamed roots reproduce sciatica); Smith 1993", ind,
               lambda: float(not any(set(_test(n, "straight_leg_raise")["provokes"]) & {"l4_root", "l5_root"}
                                     for n in ("healthy", "hip_osteoarthritis_right"))), group=GROUP),
        _t("groin_pain_points_to_hip", "Groin pain >= 2 from the hip under loaded rotation, < 2 from the L5 "
               "scenarios' roots (1 = holds)", "1", "1", 1.0, 1.0,
               "Brown 2004, Clin Orthop 419:280 (groin pain points to hip disease); Sasaki 2014 (L5 groin 0/127)",
               ind, _groin_points_to_hip, group=GROUP),
        _t("hip_rotation_provokes_hip_only", "Loaded hip internal rotation provokes the hip and no root, both "
               "hip scenarios (1 = holds)", "1", "1", 1.0, 1.0,
               "Brown 2004 (limited internal rotation points to the hip); Cibulka 2004", cal, _rotation_selective,
               sets="sim/data/hip.toml [provocation]", group=GROUP),
        _t("claudication_with_hip", "stenosis_plus_hip: L5 pain standing above sitting and bending forward "
               "(1 = holds)", "1", "1 (no pain seated LR 7.4; relief bending forward LR 6.4)", 1.0, 1.0,
               "Suri 2010, JAMA 304:2628", ind, _claudication_with_hip, group=GROUP),
    ]
    return t
