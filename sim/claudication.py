"""Claudication: what sustained compression of a root does over time, and how it recovers.

Stage 5 (``sim.referral``) gives the pain of a posture *held long enough for
venous congestion and oedema to develop*: a steady state.  This module adds
the time course that neurogenic claudication is made of (pain that builds
while standing or walking and fades on sitting down): an *ischaemic deficit*
of each root that accumulates first order, and symptoms that recruit the
root's fibres as a sigmoid of the deficit accumulated so far, in closed form.

Per root ``k`` (L4: its intradural root and its dorsal root ganglion; L5: its
root in the lateral recess) and activity ``a``:

1. steady stimulus ``s_k`` [1]: the compression stimulus of stage 5 (its
   equation 1, ``s = 1`` at half-maximal pain) that the posture sustains.  L4
   joins its root and its ganglion as stage 5's equation 3 does, so that
   ``h(s_L4) = 1 - (1 - h(s_root))(1 - h(g s_DRG))``, i.e.
   ``s_L4^n = a + b + a b`` with ``a = s_root^n``, ``b = (g s_DRG)^n``;
2. pressure ``P_k`` [mmHg]: the larger contact pressure of the root's parts;
   below the venular stasis pressure ``P_v`` the root's venous outflow stays
   open and no deficit builds: the target is ``T_k = s_k`` if ``P_k > P_v``
   else 0;
3. the deficit ``z_k`` (in the same stimulus units: the congestion, oedema and
   intraneural pressure that the compression has built so far) relaxes towards
   its target,

       dz/dt = (T - z) / tau,   z(t) = T + (z0 - T) exp(-t / tau)                     (1)

   building with ``tau_on(P) = tau_ref (P_ref - P_v) / (P - P_v)`` (venous
   congestion fills faster the further the pressure exceeds venous pressure)
   and receding with ``tau_off`` (venous outflow restored);
4. symptoms: the fibres of the root are recruited by the deficit with stage
   5's dose-response, ``f = h(z) = z^n / (1 + z^n)`` (``n`` =
   ``referral.hill_exponent``), and the root's pain is ``10 f`` (the pain of
   its principal region, as ``sim.referral.root_pain_intensity``).  A held
   posture therefore ends at exactly its static pain, but the pain rises as a
   sigmoid in time: little while the deficit is below the fibres' threshold,
   then quickly.  Symptoms begin when either root reaches ``onset_pain`` and
   make a patient stop at ``stop_pain``.  Pain ``L`` needs the deficit
   ``z_L = (l / (1 - l))^(1/n)``, ``l = L / 10``; holding one activity from
   rest, a root with ``T > z_L`` reaches it at

       t = tau_on ln(T / (T - z_L))                                                  (2)

   and never otherwise (``inf``, written ``null`` in JSON);
5. region pains over time: stage 5's equation 4 with ``h(z)`` in place of the
   static drives, ``10 (1 - (1 - v_L4,r h(z_L4))(1 - v_L5,r h(z_L5)))``.

Why a sigmoid: the conduction of a compressed root fails fibre by fibre, and
the share of fibres blocked grows with pressure and duration (porcine cauda
equina: no conduction deficit at 50 mmHg, deficits at 100 and 200 mmHg that
grow with the duration of the compression and with the oedema it forms,
pedowitz1992, olmarker1990_onset).  Stage 5's dose-response is that
recruitment for a steady compression; here it acts on the deficit built so
far.  A first-order deficit read linearly (the pain proportional to the
deficit) would reach severe pain 5.7 times later than first symptoms where
patients on a treadmill take 2.0-2.6 times as long (deen1995).

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
Pain 61(2):277-284 (7-10 of 10 is severe pain).  Olmarker K, Holm S, Rydevik B
(1990) Spine 15(5):416-419 (impulse propagation of the porcine cauda equina:
no or minor impairment at 50 mmHg, impairment proportional to the pressure at
100 and 200 mmHg, larger with more intraneural oedema).
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
    """Steady stimuli ``s`` [1] and pressures ``P`` [mmHg] of L4 (root and ganglion) and L5 in one record (item 1).

    The stimuli are stage 5's (``sim.referral`` equation 1, the same ``[referral]`` parameter
    vector ``prm``, :func:`sim.referral.referral_params`), L4's joined from its root and its
    ganglion so that ``h(s_L4)`` is stage 5's root drive (equation 3): ``s_L4^n = a + b + a b``.

    Returns
    -------
    (s_L4, s_L5, P_L4_mmhg, P_L5_mmhg)

    Examples
    --------
    >>> from sim.referral import referral_params
    >>> s4, s5, p4, p5 = root_targets(0.0, 0.0, 0.0, 0.0, 50.0 / MMHG_PER_KPA, 0.0, referral_params())
    >>> round(s5, 6), round(p5, 3)  # 50 mmHg: the half-pain pressure
    (1.0, 50.0)
    """
    c = np.asarray(prm, dtype=np.float64)
    scale = dict(half_pain_pressure_mmhg=c[rfl.P_HALF_PRESSURE_MMHG],
                 half_pain_deformation_pct=c[rfl.P_HALF_DEFORMATION_PCT], smooth_max_order=c[rfl.P_SMOOTH_MAX_ORDER])
    n = c[rfl.P_HILL_EXPONENT]
    s_root = float(rfl.compression_stimulus(l4_pressure_kpa, l4_deformation_pct, **scale))
    s_drg = c[rfl.P_DRG_GAIN] * float(rfl.compression_stimulus(drg_pressure_kpa, drg_deformation_pct, **scale))
    s5 = float(rfl.compression_stimulus(l5_pressure_kpa, l5_deformation_pct, **scale))
    s4 = joined_stimulus(s_root, s_drg, n)
    p4 = max(l4_pressure_kpa, drg_pressure_kpa, 0.0) * MMHG_PER_KPA
    p5 = max(l5_pressure_kpa, 0.0) * MMHG_PER_KPA
    return s4, s5, p4, p5


def joined_stimulus(s_root, s_drg, hill_exponent):
    """Stimulus of a root from its intradural part and its ganglion [1] (item 1).

    The one stimulus whose dose-response is stage 5's probabilistic OR of the two parts:
    ``1 - h(s) = (1 - h(s_root))(1 - h(s_drg))`` gives ``s^n = a + b + a b``
    (``a = s_root^n``, ``b = s_drg^n``), without the cancellation of inverting a drive near 1.

    Examples
    --------
    >>> from sim.referral import pain_fraction, root_drive
    >>> s = joined_stimulus(0.8, 1.1, 4.0)
    >>> bool(abs(pain_fraction(s, 4.0) - root_drive(pain_fraction(0.8, 4.0), pain_fraction(1.1, 4.0))) < 1e-12)
    True
    """
    a, b = s_root ** hill_exponent, s_drg ** hill_exponent
    return (a + b + a * b) ** (1.0 / hill_exponent)


def level_stimulus(pain, hill_exponent):
    """Deficit [1] at which a root's pain reaches ``pain`` (0-10): ``(l / (1 - l))^(1/n)``, ``l = pain / 10`` (item 4).

    ``inf`` at 10 (never reached), 0 at or below 0.

    Examples
    --------
    >>> level_stimulus(5.0, 4.0)
    1.0
    >>> level_stimulus(10.0, 4.0)
    inf
    """
    level = pain / rfl.PAIN_MAX
    if level <= 0.0:
        return 0.0
    if level >= 1.0:
        return NEVER
    return (level / (1.0 - level)) ** (1.0 / hill_exponent)


def root_fraction(deficit, hill_exponent):
    """Share of a root's maximal pain recruited by its deficit, ``h(z) = z^n / (1 + z^n)`` (item 4)."""
    return float(rfl.pain_fraction(deficit, hill_exponent))


def deficit_target(stimulus, pressure_mmhg, stasis_mmhg):
    """Target ``T`` of a root's deficit: its steady stimulus above venular stasis, else 0 (item 2)."""
    return stimulus if pressure_mmhg > stasis_mmhg else 0.0


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
    s4, s5, p4, p5 = root_targets(l4_pressure_kpa, l4_deformation_pct, drg_pressure_kpa, drg_deformation_pct,
                                  l5_pressure_kpa, l5_deformation_pct, prm)
    level = level_stimulus(pain, float(prm[rfl.P_HILL_EXPONENT]))
    best = NEVER
    for s, p in ((s4, p4), (s5, p5)):
        tau = onset_time_constant_min(p, claud[STASIS], claud[REFERENCE], claud[TAU_ON])
        best = min(best, time_to_level_min(0.0, deficit_target(s, p, claud[STASIS]), tau, level))
    return best


def time_to_recover_min(l4_pressure_kpa, l4_deformation_pct, drg_pressure_kpa, drg_deformation_pct,
                        l5_pressure_kpa, l5_deformation_pct, prm, claud):
    """Minutes for symptoms to settle below ``onset_pain`` once the compression of a posture held to its
    steady state is relieved (equation 1 falling with ``tau_off`` towards 0); 0 without symptoms.

    ``tau_off ln(T / z_L)`` for the slower root with ``T >= z_L`` (``z_L`` the deficit of ``onset_pain``).
    """
    s4, s5, p4, p5 = root_targets(l4_pressure_kpa, l4_deformation_pct, drg_pressure_kpa, drg_deformation_pct,
                                  l5_pressure_kpa, l5_deformation_pct, prm)
    level = level_stimulus(claud[ONSET], float(prm[rfl.P_HILL_EXPONENT]))
    return max(_recovery_min(deficit_target(s, p, claud[STASIS]), 0.0, claud[TAU_OFF], level)
               for s, p in ((s4, p4), (s5, p5)))


def region_pains(z_l4, z_l5, prm):
    """Region pains 0-10 (REGIONS order) from the two root deficits: stage 5's equation 4 with ``h(z)`` (item 5)."""
    n = float(np.asarray(prm)[rfl.P_HILL_EXPONENT])
    return rfl.region_pain(root_fraction(z_l4, n), root_fraction(z_l5, n),
                           rfl.relative_weights(rfl.region_weights("L4", prm)),
                           rfl.relative_weights(rfl.region_weights("L5", prm)))


# ---------------------------------------------------------------- time course of a schedule
def run_schedule(targets, durations_min, claud, hill_exponent, step_min=1.0):
    """Deficits of both roots through a schedule of activities, and the times of onset, stop and recovery.

    Parameters
    ----------
    targets : list of (s_L4, s_L5, P_L4_mmhg, P_L5_mmhg)
        One per activity, from :func:`root_targets` (one side).
    durations_min : list of float
        Minutes of each activity, in order, starting from rest (no deficit).
    claud : sequence of float
        The :data:`KEYS` values.
    hill_exponent : float
        ``referral.hill_exponent``, the recruitment of item 4.
    step_min : float
        Spacing of the sampled deficits [min].

    Returns
    -------
    dict with ``minute`` (sample times), ``segment`` (activity index at each sample; a
    sample on a switch belongs to the activity that begins there, the last to the
    last activity), ``deficit`` (samples x 2, stimulus units; :func:`region_pains` turns
    them into pains), ``onset_min``, ``stop_min`` (first time a root reaches ``onset_pain``
    / ``stop_pain``; ``inf`` if not within the schedule) and ``recovery_min`` (minutes
    after the start of the last activity until both roots are back below ``onset_pain``
    if it were held; 0 without symptoms at its start, ``inf`` if it never recovers).
    """
    onset, stop = level_stimulus(claud[ONSET], hill_exponent), level_stimulus(claud[STOP], hill_exponent)
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
            s, p = tgt[k], tgt[2 + k]
            t_k = deficit_target(s, p, claud[STASIS])
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
def _level_stimulus(pain, hill_exponent):
    """Twin of :func:`level_stimulus` [1]."""
    level = pain / rfl.PAIN_MAX
    if level <= 0.0:
        return 0.0
    if level >= 1.0:
        return np.inf
    if hill_exponent == 4.0:  # the default, without pow() (as sim.referral._fraction): same value to rounding
        return math.sqrt(math.sqrt(level / (1.0 - level)))
    return (level / (1.0 - level)) ** (1.0 / hill_exponent)


@njit(cache=True)
def _time_to_level_from_rest(target, tau_min, level):
    """Twin of :func:`time_to_level_min` from ``x0 = 0`` [min]."""
    if level <= 0.0:
        return 0.0
    if target <= level or tau_min == np.inf:
        return np.inf
    return tau_min * math.log(target / (target - level))


@njit(cache=True)
def _time_to_pain_min(s4, s5, p4_mmhg, p5_mmhg, claud, pain, hill_exponent):
    """Twin of :func:`time_to_pain_min` from the root stimuli and pressures of :func:`root_targets` [min]."""
    if s4 <= 0.0 and s5 <= 0.0 and pain > 0.0:  # no stimulus never reaches a pain level (most records)
        return np.inf
    level = _level_stimulus(pain, hill_exponent)
    tau4 = _onset_time_constant_min(p4_mmhg, claud[STASIS], claud[REFERENCE], claud[TAU_ON])
    tau5 = _onset_time_constant_min(p5_mmhg, claud[STASIS], claud[REFERENCE], claud[TAU_ON])
    t4 = _time_to_level_from_rest(s4 if p4_mmhg > claud[STASIS] else 0.0, tau4, level)
    t5 = _time_to_level_from_rest(s5 if p5_mmhg > claud[STASIS] else 0.0, tau5, level)
    return min(t4, t5)


@njit(cache=True)
def _time_to_recover_min(s4, s5, p4_mmhg, p5_mmhg, claud, hill_exponent):
    """Twin of :func:`time_to_recover_min` from the root stimuli and pressures of :func:`root_targets` [min]."""
    if s4 <= 0.0 and s5 <= 0.0 and claud[ONSET] > 0.0:  # nothing built up: nothing to recover from
        return 0.0
    level = _level_stimulus(claud[ONSET], hill_exponent)
    worst = 0.0
    for s, p in ((s4, p4_mmhg), (s5, p5_mmhg)):
        x = s if p > claud[STASIS] else 0.0
        if x >= level:
            worst = max(worst, claud[TAU_OFF] * math.log(x / level))
    return worst


@njit(cache=True, forceinline=True)
def _root_targets(l4_pressure_kpa, l4_deformation_pct, drg_pressure_kpa, drg_deformation_pct,
                  l5_pressure_kpa, l5_deformation_pct, prm, coef):
    """Twin of :func:`root_targets`: (s_L4, s_L5, P_L4 [mmHg], P_L5 [mmHg]); ``coef`` is the referral
    structure vector (:func:`sim.referral.pack_coefficients`)."""
    n = prm[rfl.P_HILL_EXPONENT]
    s_root = rfl._stimulus(l4_pressure_kpa, l4_deformation_pct, prm, coef)
    s_drg = prm[rfl.P_DRG_GAIN] * rfl._stimulus(drg_pressure_kpa, drg_deformation_pct, prm, coef)
    s5 = rfl._stimulus(l5_pressure_kpa, l5_deformation_pct, prm, coef)
    if n == 4.0:  # the default, without pow(): same value to rounding
        a = s_root * s_root
        a = a * a
        b = s_drg * s_drg
        b = b * b
        s4 = math.sqrt(math.sqrt(a + b + a * b))
    else:
        a = s_root ** n
        b = s_drg ** n
        s4 = (a + b + a * b) ** (1.0 / n)
    p4 = max(max(l4_pressure_kpa, drg_pressure_kpa), 0.0) * MMHG_PER_KPA
    p5 = max(l5_pressure_kpa, 0.0) * MMHG_PER_KPA
    return s4, s5, p4, p5
