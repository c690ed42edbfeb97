"""The clinical reading of a scenario's records: which postures provoke or relieve the pain, per side.

Built on the referral stage (``sim.referral``): posture signature, neurogenic
claudication, side distribution and the plain-text presentation summary that
``sim run`` prints.

References
----------
Suri P et al. (2010) JAMA 304(23):2628-2636 (history items of lumbar spinal stenosis);
Lesher JM et al. (2008) Pain Med 9(1):22-25 (hip-joint pain referral).
"""

from __future__ import annotations

from .referral import (
    DISTRIBUTIONS,
    P_THRESHOLD_PAIN,
    PAIN_OUTPUTS,
    REGIONS,
    has_pain_columns,
    referral_data,
    referral_params,
)


def _region_text(region: str) -> str:
    return {"buttock": "buttock (posterior hip)", "lateral_hip": "side of hip",
            "groin": "groin (anterior hip)", "medial_knee_leg": "medial knee/leg",
            "dorsum_foot": "top of foot"}.get(region, region.replace("_", " "))


def signature_margin(reference_pain: float, min_change_pain: float, relief_fraction: float) -> float:
    """Smallest change of peak pain [points of 10] that counts as provoking or relieving.

    ``max(min_change_pain, relief_fraction * reference_pain)``: a clinically important change
    is at least 2 points and at least 30 % (Farrar 2001).

    References
    ----------
    Farrar JT et al. (2001) Pain 94(2):149-158.
    """
    return max(float(min_change_pain), float(relief_fraction) * float(reference_pain))


def _posture_text(posture: str) -> str:
    return posture.replace("_", " ")


def posture_signature(frame) -> dict:
    """Which postures provoke and which relieve the pain, per side, and the claudication flag.

    For each side the peak pain of each posture (most painful region) is compared with
    the *reference pain*, the median of the peaks over the scenario's postures (the pain
    of a typical posture of that scenario). A posture **provokes** when its peak exceeds
    the reference by at least the margin, and **relieves** when it lies at least the
    margin below it: relieving means less pain than usual, not only less than the worst
    posture. The margin is :func:`signature_margin` (2 points and 30 % of the reference,
    Farrar 2001), so no posture can be in both lists and a difference smaller than the
    margin never counts. The neurogenic-claudication pattern is flagged when standing is
    worse than sitting AND extension worse than flexion by the margin, and neither
    standing nor extension relieves nor sitting nor flexion provokes (Suri 2010: no pain
    when seated LR 7.4; improvement bending forward LR 6.4).

    Parameters
    ----------
    frame : pandas.DataFrame
        Records of one scenario with ``posture``, ``side`` and the pain columns.

    Returns
    -------
    dict
        ``{side: {"peak_by_posture", "reference_pain" (median), "margin", "provoking",
        "relieving", "claudication"}, "claudication_sides": [...]}``.

    References
    ----------
    Farrar JT et al. (2001) Pain 94(2):149-158.
    Suri P et al. (2010) JAMA 304(23):2628-2636.
    """
    import numpy as np

    if not has_pain_columns(frame):
        raise KeyError("posture_signature needs the pain_<region> columns; call sim.referral.add_pain_columns first")
    sig = referral_data()["signature"]
    min_change = float(sig["min_change_pain"]["value"])
    fraction = float(sig["relief_fraction"]["value"])

    result: dict = {}
    sides = [s for s in ("left", "right") if s in set(frame["side"])] + sorted(
        set(frame["side"]) - {"left", "right"})
    for side in sides:
        sub = frame[frame["side"] == side]
        peak = sub.groupby("posture", sort=False)[list(PAIN_OUTPUTS)].max().max(axis=1)
        ref = float(np.median(peak.to_numpy(float))) if len(peak) else 0.0
        margin = signature_margin(ref, min_change, fraction)
        provoking = [p for p, v in peak.items() if float(v) >= ref + margin]
        relieving = [p for p, v in peak.items() if float(v) <= ref - margin]

        def worse(a, b, peak=peak):
            return float(peak[a]) - float(peak[b]) >= signature_margin(max(float(peak[a]), float(peak[b])),
                                                                        min_change, fraction)

        needed = {"standing", "sitting", "flexion", "extension"}
        claud = (needed.issubset(peak.index) and worse("standing", "sitting") and worse("extension", "flexion")
                 and not {"standing", "extension"} & set(relieving) and not {"sitting", "flexion"} & set(provoking))
        result[side] = {"peak_by_posture": {p: float(v) for p, v in peak.items()}, "reference_pain": ref,
                        "margin": margin, "provoking": provoking, "relieving": relieving,
                        "claudication": bool(claud)}
    result["claudication_sides"] = [s for s in sides if result[s]["claudication"]]
    return result


def neurogenic_claudication(frame) -> bool:
    """True when any side shows the neurogenic-claudication posture pattern (see :func:`posture_signature`)."""
    return bool(posture_signature(frame)["claudication_sides"])


def side_distribution(frame, side: str) -> str:
    """Distribution of one side over all postures: sciatic if any posture is, femoral likewise."""
    labels = set(frame.loc[frame["side"] == side, "distribution"])
    sciatic = any(lbl in ("sciatic", "sciatic+femoral") for lbl in labels)
    femoral = any(lbl in ("femoral", "sciatic+femoral") for lbl in labels)
    return DISTRIBUTIONS[int(sciatic) + 2 * int(femoral)]


def presentation_summary(frame) -> str:
    """A few plain lines: predicted distribution and side(s), worst regions, posture signature,
    and whether the presentation reads as spinal referral rather than hip-joint pain.

    Returns a short note when the table has no pain columns yet (see :func:`add_pain_columns`).
    """
    if frame is None or len(frame) == 0:
        return "Referred pain: no records."
    if not has_pain_columns(frame) or "distribution" not in frame.columns:
        return ("Referred pain: not in this table (no pain_<region> columns); "
                "sim.referral.add_pain_columns(frame) computes them from the compression columns.")
    data = referral_data()
    threshold = float(referral_params()[P_THRESHOLD_PAIN])  # the default parameter set's rule
    hip = data["hip_joint_referral"]
    sig = posture_signature(frame)
    lines = ["Referred pain (stage 5; pain 0-10, population-expected per region):"]
    painful_sides = []
    spinal_evidence = []
    for side in [s for s in sig if s != "claudication_sides"]:
        sub = frame[frame["side"] == side]
        label = side_distribution(frame, side)
        peaks = sub[list(PAIN_OUTPUTS)].max(axis=1)
        if label == "none":
            top = float(peaks.max()) if len(peaks) else 0.0
            lines.append(f"  {side}: no referred pain in any posture" +
                         (f" (peak {top:.1f}, below {threshold:g})" if top > 0.05 else ""))
            continue
        painful_sides.append(side)
        worst = sub.loc[peaks.idxmax()]
        ranked = sorted(REGIONS, key=lambda r: -float(worst["pain_" + r]))[:3]
        regions = ", ".join(f"{_region_text(r)} {float(worst['pain_' + r]):.1f}" for r in ranked
                            if float(worst["pain_" + r]) >= 0.05)
        lines.append(f"  {side}: {label} distribution; worst in {worst['posture']}: {regions}")
        s = sig[side]
        margin_text = (f"by at least {s['margin']:.1f} points from the typical posture's "
                       f"{s['reference_pain']:.1f}/10")
        if s["provoking"] or s["relieving"]:
            text = (f"provoked by {', '.join(_posture_text(p) for p in s['provoking']) or '-'}; "
                    f"relieved by {', '.join(_posture_text(p) for p in s['relieving']) or '-'} ({margin_text})")
        else:
            text = f"no posture changes it {margin_text} (2 points and 30 %, Farrar 2001)"
        if s["claudication"]:
            text += (" -> neurogenic-claudication pattern (worse standing and in extension, eased by "
                     "sitting and flexion; Suri 2010: no pain seated LR 7.4, relief bending forward LR 6.4)")
        lines.append(f"  posture signature ({side}): {text}")
        below_knee = max(float(sub["pain_" + r].max()) for r in ("medial_knee_leg", "lateral_leg", "dorsum_foot"))
        spinal_evidence.append((side, bool(s["provoking"] or s["relieving"]), below_knee >= threshold))
    if not painful_sides:
        lines.append("  spine vs hip: no referred pain predicted, so nothing to attribute.")
    else:
        postural = any(e[1] for e in spinal_evidence)
        distal = any(e[2] for e in spinal_evidence)
        if postural or distal:
            why = []
            if postural:
                why.append("the pain changes with spinal posture")
            if distal:
                why.append(f"it reaches below the knee, where injection-confirmed hip-joint pain goes in only "
                           f"{hip['below_knee']:.0%} of patients (foot {hip['foot']:.0%}; Lesher 2008)")
            lines.append("  spine vs hip: matches spinal (radicular) referral rather than hip-joint pain: "
                         + " and ".join(why) + ".")
        else:
            lines.append(f"  spine vs hip: the pattern stays above the knee and does not change with spinal "
                         f"posture, so it overlaps hip-joint pain (buttock {hip['buttock']:.0%}, groin "
                         f"{hip['groin']:.0%}, thigh {hip['thigh']:.0%}; Lesher 2008): `sim differential` tells "
                         f"them apart with provocation tests and diagnostic blocks.")
        lines.append("  True hip-joint pain is deep groin / side of hip, provoked by hip rotation and weight "
                     "bearing, not by spinal posture; > 50 % relief from an intra-articular hip anaesthetic "
                     "points to the hip. These records are the roots' alone (a symptomatic hip: docs/differential.md).")
    return "\n".join(lines)
