"""Claudication: what sustained compression of a root does over time, and how it recovers.

Stage 5 (``sim.referral``) gives the pain of a posture *held long enough for
venous congestion and oedema to develop*: a steady state.  This module adds
the time course that neurogenic claudication is made of (pain that builds
while standing or walking and fades on sitting down), as a first-order
*ischaemic deficit* of each root, in closed form.

Per root ``k`` (L4: its intradural root and its dorsal root ganglion; L5: its
root in the lateral recess) and activity ``a``:

1. steady drive ``F_k`` [0-1]: the static root drive of stage 5 in that
   activity (``root_drive`` of the referral chain), i.e. the deficit a root
   reaches when the posture is held;
2. pressure ``P_k`` [mmHg]: the larger contact pressure of the root's parts;
   below the venular stasis pressure ``P_v`` the root's venous outflow stays
   open and no deficit builds: the target is ``T_k = F_k`` if ``P_k > P_v``
   else 0;
3. the deficit ``X_k`` relaxes towards its target,

       dX/dt = (T - X) / tau,   X(t) = T + (X0 - T) exp(-t / tau)                     (1)

   building with ``tau_on(P) = tau_ref (P_ref - P_v) / (P - P_v)`` (venous
   congestion fills faster the further the pressure exceeds venous pressure)
   and receding with ``tau_off`` (venous outflow restored);
4. symptoms: the root's own pain intensity ``10 X_k`` (the pain of its
   principal region, as ``sim.referral.root_pain_intensity``); symptoms begin
   when either root reaches ``onset_pain`` and make a patient stop at
   ``stop_pain``.  Holding one activity from rest, a root with ``10 F > L``
   reaches level ``L`` at

       t = tau_on ln(F / (F - L / 10))                                              (2)

   and never otherwise (``inf``, written ``null`` in JSON);
5. region pains over time: stage 5's equation 4 with the deficits in place of
   the static drives, ``10 (1 - (1 - v_L4,r X_L4)(1 - v_L5,r X_L5))``, so a held
   activity ends at exactly its static pain.

The time constant ``tau_ref`` is calibrated on one published treadmill time
(Deen 1995, median time to first symptoms on a level treadmill); the others are
independent checks (``sim.validation``).

References
----------
Olmarker K, Rydevik B, Holm S, Bagge U (1989) J Orthop Res 7(6):817-823
(porcine cauda equina: venular flow stops at 30 +/- 10 mmHg, capillary at
40 +/- 6, arteriolar at 127 +/- 18 mmHg).  Takahashi K, Olmarker K, Holm S,
Porter RW, Rydevik B (1993) J Orthop Res 11(1):104-109 (two-level compression:
10 mmHg reduces blood flow between the balloons by 64 %).  Olmarker K, Rydevik
B, Holm S (1989) Spine 14(6):569-573 (oedema: 2 min at 200 mmHg, 2 h at 50 mmHg
with slow onset).  Pedowitz RA et al. (1992) Spine 17(2):194-199 (conduction
deficits at 100-200 mmHg, growing with duration).  Konno S et al. (1995) Spine
20(11):1223 (intermittent 10 min on / 5 min off compression as a porcine
claudication model).  Porter RW (1996) Spine 21(17):2046-2052 (neurogenic
claudication as venous congestion of a root compressed at two levels).
Takahashi K, Miyazaki T, Takino T, Matsui T, Tomita K (1995) Spine
20(6):650-653 and Takahashi K et al. (1995) Spine 20(24):2746-2749 (epidural
pressure at L4-L5 in stenosis: low lying and sitting, high standing, highest
in extension (116.7 +/- 38.4 mmHg); it rises at each double-support phase of
walking, less when walking flexed).  Deen HG et al. (1995) J Neurosurg
83(1):27-30 (treadmill time to first and to severe symptoms).  Farrar JT et al.
(2001) Pain 94(2):149-158 (2 points on the 0-10 scale).  Serlin RC et al. (1995)
Pain 61(2):277-284 (7-10 of 10 is severe pain).
"""

from __future__ import annotations

import math

import numpy as np

from . import referral as rfl
from .jit import njit
from .layout import PARAM_COLUMNS
from .units import MMHG_PER_KPA

#: The model's parameters, in the order of their contiguous block of sim.layout.PARAM_COLUMNS (where the
#: order is declared; unit, range and source in parameters.toml).
KEYS = tuple(k for k in PARAM_COLUMNS if k.startswith("claudication."))
_AT = {k.split(".", 1)[1]: n for n, k in enumerate(KEYS)}
STASIS, REFERENCE = _AT["venular_stasis_mmhg"], _AT["reference_pressure_mmhg"]
TAU_ON, TAU_OFF = _AT["onset_time_constant_min"], _AT["recovery_time_constant_min"]
ONSET, STOP = _AT["onset_pain"], _AT["stop_pain"]
#: Roots with a deficit, in the order of every deficit array here.
ROOTS = ("L4", "L5")
NEVER = math.inf  # time to a level that is never reached [min]


# ---------------------------------------------------------------- reference
def onset_time_constant_min(pressure_mmhg, stasis_mmhg, reference_mmhg, tau_ref_min):
    """Time constant with which a deficit builds at ``pressure_mmhg`` [min], equation (1); ``inf`` at or below stasis.

    ``tau_ref (P_ref - P_v) / (P - P_v)``: the rate is proportional to the excess of the
    contact pressure over the venular stasis pressure.

    Examples
    --------
    >>> onset_time_constant_min(50.0, 10.0, 50.0, 2.0)
    2.0
    >>> onset_time_constant_min(90.0, 10.0, 50.0, 2.0)
    1.0
    >>> onset_time_constant_min(5.0, 10.0, 50.0, 2.0)
    inf
    """
    if pressure_mmhg <= stasis_mmhg:
        return NEVER
    return tau_ref_min * (reference_mmhg - stasis_mmhg) / (pressure_mmhg - stasis_mmhg)


def root_targets(l4_pressure_kpa, l4_deformation_pct, drg_pressure_kpa, drg_deformation_pct,
                 l5_pressure_kpa, l5_deformation_pct, prm):
    """Steady drives ``F`` and pressures ``P`` [mmHg] of L4 (root or ganglion) and L5 in one record.

    The drives are stage 5's (``sim.referral`` equations 1-3, the same ``[referral]`` parameter
    vector ``prm``, :func:`sim.referral.referral_params`).

    Returns
    -------
    (F_L4, F_L5, P_L4_mmhg, P_L5_mmhg)
    """
    c = np.asarray(prm, dtype=np.float64)
    scale = dict(half_pain_pressure_mmhg=c[rfl.P_HALF_PRESSURE_MMHG],
                 half_pain_deformation_pct=c[rfl.P_HALF_DEFORMATION_PCT], smooth_max_order=c[rfl.P_SMOOTH_MAX_ORDER])
    h = c[rfl.P_HILL_EXPONENT]
    f_root = float(rfl.pain_fraction(rfl.compression_stimulus(l4_pressure_kpa, l4_deformation_pct, **scale), h))
    f_drg = float(rfl.pain_fraction(
        c[rfl.P_DRG_GAIN] * rfl.compression_stimulus(drg_pressure_kpa, drg_deformation_pct, **scale), h))
    f5 = float(rfl.pain_fraction(rfl.compression_stimulus(l5_pressure_kpa, l5_deformation_pct, **scale), h))
    f4 = float(rfl.root_drive(f_root, f_drg))
    p4 = max(l4_pressure_kpa, drg_pressure_kpa, 0.0) * MMHG_PER_KPA
    p5 = max(l5_pressure_kpa, 0.0) * MMHG_PER_KPA
    return f4, f5, p4, p5


def deficit_target(drive, pressure_mmhg, stasis_mmhg):
    """Target ``T`` of a root's deficit: its steady drive above venular stasis, else 0 (item 2)."""
    return drive if pressure_mmhg > stasis_mmhg else 0.0


def deficit_after(x0, target, tau_min, t_min):
    """Deficit after ``t_min`` minutes relaxing from ``x0`` towards ``target``, equation (1).

    Examples
    --------
    >>> round(deficit_after(0.0, 0.5, 2.0, 2.0), 4)
    0.3161
    >>> deficit_after(0.3, 0.5, math.inf, 5.0)
    0.3
    """
    if math.isinf(tau_min):
        return x0
    return target + (x0 - target) * math.exp(-t_min / tau_min)


def time_to_level_min(x0, target, tau_min, level):
    """Minutes for a deficit relaxing from ``x0`` towards ``target`` to reach ``level`` (``inf`` if never).

    0 when ``x0`` is already at or beyond ``level`` in the direction of travel.

    Examples
    --------
    >>> round(time_to_level_min(0.0, 0.5, 2.0, 0.2), 4)  # 2 ln(0.5 / 0.3)
    1.0217
    >>> time_to_level_min(0.0, 0.1, 2.0, 0.2)
    inf
    """
    if target >= x0:  # rising (or still)
        if x0 >= level:
            return 0.0
        if target <= level or math.isinf(tau_min):
            return NEVER
    else:  # falling
        if x0 <= level:
            return 0.0
        if target >= level or math.isinf(tau_min):
            return NEVER
    return tau_min * math.log((x0 - target) / (level - target))


def time_to_pain_min(l4_pressure_kpa, l4_deformation_pct, drg_pressure_kpa, drg_deformation_pct,
                     l5_pressure_kpa, l5_deformation_pct, prm, claud, pain):
    """Minutes of holding one posture, from rest, until a root's pain reaches ``pain`` (0-10), equation (2).

    Parameters
    ----------
    l4_pressure_kpa ... l5_deformation_pct : float
        Stage-4 compression of the record [kPa], [%].
    prm : float64[24]
        Referral parameters (``sim.referral.referral_params``).
    claud : sequence of float
        The :data:`KEYS` values in order.
    pain : float
        Level on the 0-10 scale (``claud[ONSET]`` for symptoms, ``claud[STOP]`` for stopping).

    Returns
    -------
    float
        [min]; ``inf`` when the posture never brings a root to that pain.
    """
    f4, f5, p4, p5 = root_targets(l4_pressure_kpa, l4_deformation_pct, drg_pressure_kpa, drg_deformation_pct,
                                  l5_pressure_kpa, l5_deformation_pct, prm)
    level = pain / rfl.PAIN_MAX
    best = NEVER
    for f, p in ((f4, p4), (f5, p5)):
        tau = onset_time_constant_min(p, claud[STASIS], claud[REFERENCE], claud[TAU_ON])
        best = min(best, time_to_level_min(0.0, deficit_target(f, p, claud[STASIS]), tau, level))
    return best


def time_to_recover_min(l4_pressure_kpa, l4_deformation_pct, drg_pressure_kpa, drg_deformation_pct,
                        l5_pressure_kpa, l5_deformation_pct, prm, claud):
    """Minutes for symptoms to settle below ``onset_pain`` once the compression of a posture held to its
    steady state is relieved (equation 1 falling with ``tau_off`` towards 0); 0 without symptoms.

    ``tau_off ln(F / (L / 10))`` for the slower root with ``10 F >= L``.
    """
    f4, f5, p4, p5 = root_targets(l4_pressure_kpa, l4_deformation_pct, drg_pressure_kpa, drg_deformation_pct,
                                  l5_pressure_kpa, l5_deformation_pct, prm)
    level = claud[ONSET] / rfl.PAIN_MAX
    return max(_recovery_min(deficit_target(f, p, claud[STASIS]), 0.0, claud[TAU_OFF], level)
               for f, p in ((f4, p4), (f5, p5)))


def region_pains(x_l4, x_l5, prm):
    """Region pains 0-10 (REGIONS order) from the two root deficits: stage 5's equation 4 (item 5)."""
    return rfl.region_pain(x_l4, x_l5, rfl.relative_weights(rfl.region_weights("L4", prm)),
                           rfl.relative_weights(rfl.region_weights("L5", prm)))


# ---------------------------------------------------------------- time course of a schedule
def run_schedule(targets, durations_min, claud, step_min=1.0):
    """Deficits of both roots through a schedule of activities, and the times of onset, stop and recovery.

    Parameters
    ----------
    targets : list of (F_L4, F_L5, P_L4_mmhg, P_L5_mmhg)
        One per activity, from :func:`root_targets` (one side).
    durations_min : list of float
        Minutes of each activity, in order, starting from rest (no deficit).
    claud : sequence of float
        The :data:`KEYS` values.
    step_min : float
        Spacing of the sampled deficits [min].

    Returns
    -------
    dict with ``minute`` (sample times), ``segment`` (activity index at each sample; a
    sample on a switch belongs to the activity that begins there, the last to the
    last activity), ``deficit`` (samples x 2), ``onset_min``, ``stop_min`` (first
    time a root reaches ``onset_pain`` / ``stop_pain``; ``inf`` if not within the
    schedule) and ``recovery_min`` (minutes after the start of the last activity
    until both roots are back below ``onset_pain`` if it were held; 0 without
    symptoms at its start, ``inf`` if it never recovers).
    """
    onset, stop = claud[ONSET] / rfl.PAIN_MAX, claud[STOP] / rfl.PAIN_MAX
    x = np.zeros(2)
    starts = np.concatenate([[0.0], np.cumsum(durations_min)])
    total = float(starts[-1])
    minutes = np.arange(0.0, total + 1e-9, step_min)
    deficit = np.empty((len(minutes), 2))
    segment = np.searchsorted(starts[1:-1], minutes, side="right")
    t_onset = t_stop = NEVER
    recovery = 0.0
    for i, (tgt, dur) in enumerate(zip(targets, durations_min)):
        taus, ts = [], []
        for k in range(2):
            f, p = tgt[k], tgt[2 + k]
            t_k = deficit_target(f, p, claud[STASIS])
            tau = onset_time_constant_min(p, claud[STASIS], claud[REFERENCE], claud[TAU_ON]) \
                if t_k > x[k] else claud[TAU_OFF]
            taus.append(tau)
            ts.append(t_k)
            if math.isinf(t_onset):
                t_onset = min(t_onset, starts[i] + _within(time_to_level_min(x[k], t_k, tau, onset), dur))
            if math.isinf(t_stop):
                t_stop = min(t_stop, starts[i] + _within(time_to_level_min(x[k], t_k, tau, stop), dur))
        if i == len(targets) - 1:
            recovery = max(_recovery_min(x[k], ts[k], taus[k], onset) for k in range(2))
        mask = (segment == i)
        for k in range(2):
            deficit[mask, k] = [deficit_after(x[k], ts[k], taus[k], m - starts[i]) for m in minutes[mask]]
        x = np.array([deficit_after(x[k], ts[k], taus[k], dur) for k in range(2)])
    return {"minute": minutes, "segment": segment, "deficit": deficit, "onset_min": t_onset,
            "stop_min": t_stop, "recovery_min": recovery}


def _recovery_min(x0, target, tau_min, level):
    """Minutes until a deficit at ``x0`` falls below ``level`` (0 if it is below, ``inf`` if it stays above)."""
    if x0 < level:
        return 0.0
    if target >= level:
        return NEVER
    return tau_min * math.log((x0 - target) / (level - target))


def _within(t_min, duration_min):
    """``t_min`` if it falls within an activity of ``duration_min`` minutes, else never."""
    return t_min if t_min <= duration_min else NEVER


# ---------------------------------------------------------------- numba twins
@njit(cache=True)
def _onset_time_constant_min(pressure_mmhg, stasis_mmhg, reference_mmhg, tau_ref_min):
    """Twin of :func:`onset_time_constant_min` [min]."""
    if pressure_mmhg <= stasis_mmhg:
        return np.inf
    return tau_ref_min * (reference_mmhg - stasis_mmhg) / (pressure_mmhg - stasis_mmhg)


@njit(cache=True)
def _time_to_level_from_rest(target, tau_min, level):
    """Twin of :func:`time_to_level_min` from ``x0 = 0`` [min]."""
    if level <= 0.0:
        return 0.0
    if target <= level or tau_min == np.inf:
        return np.inf
    return tau_min * math.log(target / (target - level))


@njit(cache=True)
def _time_to_pain_min(f4, f5, p4_mmhg, p5_mmhg, claud, pain):
    """Twin of :func:`time_to_pain_min` from the root drives and pressures of :func:`root_targets` [min]."""
    level = pain / rfl.PAIN_MAX
    tau4 = _onset_time_constant_min(p4_mmhg, claud[STASIS], claud[REFERENCE], claud[TAU_ON])
    tau5 = _onset_time_constant_min(p5_mmhg, claud[STASIS], claud[REFERENCE], claud[TAU_ON])
    t4 = _time_to_level_from_rest(f4 if p4_mmhg > claud[STASIS] else 0.0, tau4, level)
    t5 = _time_to_level_from_rest(f5 if p5_mmhg > claud[STASIS] else 0.0, tau5, level)
    return min(t4, t5)


@njit(cache=True)
def _time_to_recover_min(f4, f5, p4_mmhg, p5_mmhg, claud):
    """Twin of :func:`time_to_recover_min` from the root drives and pressures of :func:`root_targets` [min]."""
    level = claud[ONSET] / rfl.PAIN_MAX
    worst = 0.0
    for f, p in ((f4, p4_mmhg), (f5, p5_mmhg)):
        x = f if p > claud[STASIS] else 0.0
        if x >= level:
            worst = max(worst, claud[TAU_OFF] * math.log(x / level))
    return worst


@njit(cache=True)
def _root_targets(l4_pressure_kpa, l4_deformation_pct, drg_pressure_kpa, drg_deformation_pct,
                  l5_pressure_kpa, l5_deformation_pct, prm, coef):
    """Twin of :func:`root_targets`: (F_L4, F_L5, P_L4 [mmHg], P_L5 [mmHg]); ``coef`` is the referral
    structure vector (:func:`sim.referral.pack_coefficients`)."""
    h = prm[rfl.P_HILL_EXPONENT]
    f_root = rfl._fraction(rfl._stimulus(l4_pressure_kpa, l4_deformation_pct, prm, coef), h)
    f_drg = rfl._fraction(prm[rfl.P_DRG_GAIN] * rfl._stimulus(drg_pressure_kpa, drg_deformation_pct, prm, coef), h)
    f5 = rfl._fraction(rfl._stimulus(l5_pressure_kpa, l5_deformation_pct, prm, coef), h)
    f4 = 1.0 - (1.0 - f_root) * (1.0 - f_drg)
    p4 = max(max(l4_pressure_kpa, drg_pressure_kpa), 0.0) * MMHG_PER_KPA
    p5 = max(l5_pressure_kpa, 0.0) * MMHG_PER_KPA
    return f4, f5, p4, p5
