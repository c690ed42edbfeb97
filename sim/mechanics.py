"""Stage 2, mechanics: loads + tissue laws -> rotations, disc compression, translation, facet forces, IDP.

L4 is a rigid body on a fixed L5 with three sagittal unknowns: the rotation
``a`` [deg, + flexion] about a pivot on the L5 endplate, the axial disc
compression ``w`` [mm] and the anterior translation ``u`` [mm]; the lateral
and axial rotations are given (imposed by a trunk posture) or follow from their
moment-rotation laws (load case).  Equilibrium is the stationary point of

    Pi = U_bend(a) + U_disc(w) + k_s/2 (u - u_rest)^2 + sum U_contact(c(q)) - M_c a - F w - S u

with these tissues (``s`` = -1 left, +1 right):

* bending: ``M = sign(a) k0/B (exp(B|a|) - 1)`` per direction (yamamoto1989);
* disc, axial: ``k0/b (exp(b w) - 1)`` in compression (beckstein2008), ``k_t w``
  in tension, ``k_t`` far below the compressive stiffness (annulus in tension);
* disc margins (anterior, and posterior at each foramen): bottoming ``K r^4 / (1 - r)``,
  ``r`` = margin closure over the remaining margin height, so no disc height goes below zero;
* shear: ``k_s = k_s0 (1 + F/F_s) (1 - d_s hl/hp) / (1 + i/i_ref)`` about the
  rest translation ``u_rest`` = ``pathology.slip_mm`` (preload stiffening,
  gardner_morse2004; degeneration; instability ``i`` as added compliance);
* facet tip (axial) contacts ``c = w - r_f sin a + s r_l sin(lat) - g_rest``
  with ``g_rest = max(g0 - hl, 0)``: height loss closes the facet gap only up
  to contact, beyond it the facets remodel and touch without force
  (adams_hutton1980): the degenerated rest state is force-free;
* facet surface contacts ``c = (u - u_rest) + h_f sin a - s r_l sin(axial) - g_ap``:
  both facets resist anterior shear, the contralateral one axial rotation.

Trunk postures impose the rotations (the muscles hold the posture); ``w`` and
``u`` then decouple into two monotone 1D equations.  Load cases are
load-controlled: the follower path passes through the centre of the axial
reactions at the neutral posture under the same load (follower-load principle,
patwardhan1999), so pure compression gives no rotation; the angle is bounded
by :data:`ANGLE_LIMITS_DEG` and an equilibrium beyond a limit is held there
and flagged.

The reference functions solve each 1D equation with
:func:`scipy.optimize.brentq` (nested for load cases: outer angle, inner ``w``
and ``u``); their numba twins (leading underscore) solve the same equations by
safeguarded Newton (a Newton step inside the current bracket, bisection
otherwise), which always converges.

References
----------
yamamoto1989 (ROM, neutral zone), adams_hutton1980 (facet load share, remodelling),
beckstein2008 (axial stiffness), gardner_morse2004 and miller1986 (shear stiffness),
hayes1989 (flexion-extension translation), nachemson and wilke1999 (IDP), pearcy1984
(in vivo range), patwardhan1999 (follower load).
"""

from __future__ import annotations

import math

import numpy as np

from .jit import njit
from .loads import LAW_KEYS, _bending_angle_deg, _bending_moment_nm, bending_angle_deg, bending_moment_nm  # noqa: F401
from .params import defaults as _defaults

#: Physiological limits of the L4-L5 rotations [deg]: beyond the in vivo range of a lumbar
#: level (pearcy1984: about 14 deg flexion-extension, more flexion than extension) and about
#: 1.7 x the in vitro range at 10 N m (yamamoto1989).  A load-case equilibrium beyond a limit
#: is held on it and flagged (``solver_at_bound``).
ANGLE_LIMITS_DEG = {"flexion": 15.0, "extension": 10.0, "lateral": 10.0, "axial": 5.0}
#: Scale of ``pathology.slip_instability_mm`` [mm]: the shear translation of the default
#: healthy segment from full extension to full flexion, so an instability of X mm adds about
#: X mm to the flexion-extension translation (simmonds2015: < 3 mm counts as stable).
INSTABILITY_REFERENCE_MM = 0.5
#: Upper bound of the IDP [MPa]: swelling 0.3 + 2.5 x the compressive strength of a motion segment
#: (10 kN, ``sim.loads.COMPRESSIVE_STRENGTH_N``) / 900 mm2, the extremes of the input ranges.
IDP_LIMIT_MPA = 28.1
#: Largest load-driven translation of L4 from its rest position [mm]: beyond the largest
#: instability the model takes (10 mm) and a third of the endplate depth (Meyerding grade II).
#: An equilibrium beyond it is held on it and flagged (``solver_at_bound``).
TRANSLATION_LIMIT_MM = 10.0
#: Axial stiffness of the disc in tension [N/mm]: the annulus fibres, far below the compressive
#: stiffness (1.7 kN/mm near 1 kN, beckstein2008; markolf1972: softer in tension).  It acts
#: only when the facets lever L4 off the disc (load cases with a large extension moment).
DISC_TENSILE_STIFFNESS_N_PER_MM = 50.0
#: Moment at which the in vitro range of motion is measured [N m] (yamamoto1989).
RANGE_MOMENT_NM = 10.0
XTOL = 1e-14
RTOL = 4 * np.finfo(float).eps
_DEG = math.pi / 180.0
_KNMM = 1000.0 * _DEG  # N m -> N mm per degree of rotation
_A_MIN, _A_MAX = -ANGLE_LIMITS_DEG["extension"], ANGLE_LIMITS_DEG["flexion"]
_L_MAX, _X_MAX = ANGLE_LIMITS_DEG["lateral"], ANGLE_LIMITS_DEG["axial"]
_STEP_TOL = 1e-13
_MAX_ITER = 200

#: Anatomy, pathology and tissue values the segment solvers take after the moment-rotation
#: constants (``sim.postures.LAW_KEYS``), in this order: hl, u_rest, instability, hp, ha, depth,
#: r_lat, kd0, bd, kb, kfac, gap, lever, eps, kap, gap_ap, hf, ks0, fs, ds, cor.
SOLVE_KEYS = (
    "pathology.disc_height_loss_mm", "pathology.slip_mm", "pathology.slip_instability_mm",
    "anatomy.disc_height_posterior_mm", "anatomy.disc_height_anterior_mm", "anatomy.disc_depth_mm",
    "anatomy.foramen_lateral_offset_mm",
    "tissue.disc_axial_toe_stiffness_n_per_mm", "tissue.disc_axial_stiffening_per_mm",
    "tissue.disc_bottoming_force_n",
    "tissue.facet_stiffness_n_per_mm", "tissue.facet_gap_mm", "tissue.facet_lever_arm_mm",
    "tissue.facet_contact_smoothing_mm", "tissue.facet_shear_stiffness_n_per_mm", "tissue.facet_shear_gap_mm",
    "tissue.facet_contact_height_mm", "tissue.disc_shear_stiffness_n_per_mm", "tissue.shear_preload_n",
    "tissue.shear_degeneration", "tissue.cor_anterior_offset_mm",
)


# ---------------------------------------------------------------- laws (scalar, both engines alike)
def contact_force_n(c, k, eps):
    """Unilateral C1 contact: 0 open, ``k c^2 / (2 eps)`` in the onset, ``k (c - eps/2)`` beyond. (f, df/dc)."""
    if c <= 0.0:
        return 0.0, 0.0
    if c < eps:
        return k * c * c / (2.0 * eps), k * c / eps
    return k * (c - 0.5 * eps), k


def disc_axial_force_n(w, k0, b, kt):
    """Axial disc force [N]: exponential in compression (beckstein2008), linear ``kt w`` in tension. (f, df/dw)."""
    if w >= 0.0:
        return k0 / b * math.expm1(b * w), k0 * math.exp(b * w)
    return kt * w, kt


def bottoming_force_n(c, h, k):
    """Margin contact as the disc is squeezed flat: ``k r^4 / (1 - r)``, ``r = c / h``. (f, df/dc)."""
    if c <= 0.0:
        return 0.0, 0.0
    r = c / h
    if r >= 1.0:
        return math.inf, math.inf
    r2 = r * r
    q = 1.0 / (1.0 - r)
    return k * r2 * r2 * q, k * r2 * r * (4.0 - 3.0 * r) * q * q / h


def shear_stiffness_n_per_mm(force_n, ks0, fs, ds, hl, hp, instability_mm):
    """Shear stiffness of the disc [N/mm]: preload stiffening (gardner_morse2004), degeneration, instability."""
    return (ks0 * (1.0 + max(force_n, 0.0) / fs) * (1.0 - ds * hl / hp)
            / (1.0 + instability_mm / INSTABILITY_REFERENCE_MM))


def axial_residual(w, force, a, lat, hl, hp, ha, depth, r_lat, kd0, bd, kt, kb, kfac, gap, lever, eps, cor):
    """Axial equilibrium at fixed angles: g_w [N], dg/dw, left and right tip forces [N], and the
    sagittal moment of the axial contacts m = sum f dc/da [N mm/deg] with dm/dw."""
    sa, ca = math.sin(a * _DEG), math.cos(a * _DEG)
    sl = math.sin(lat * _DEG)
    g_rest = max(gap - hl, 0.0)
    fd, kd = disc_axial_force_n(w, kd0, bd, kt)
    fl, kl = contact_force_n(w - lever * sa - r_lat * sl - g_rest, kfac, eps)
    fr, kr = contact_force_n(w - lever * sa + r_lat * sl - g_rest, kfac, eps)
    # posterior margin at each foramen (posterolateral corners) and anterior margin
    fpl, kpl = bottoming_force_n(w - cor * sa - r_lat * sl, hp - hl, kb)
    fpr, kpr = bottoming_force_n(w - cor * sa + r_lat * sl, hp - hl, kb)
    fp, kp = fpl + fpr, kpl + kpr
    fa, ka = bottoming_force_n(w + (depth - cor) * sa, ha - hl, kb)
    g = fd + fl + fr + fp + fa - force
    dg = kd + kl + kr + kp + ka
    cp, ct = -cor * ca * _DEG, (depth - cor) * ca * _DEG  # dc/da of the margins
    ct_tip = -lever * ca * _DEG
    m = (fl + fr) * ct_tip + fp * cp + fa * ct
    dm = (kl + kr) * ct_tip + kp * cp + ka * ct
    s2 = sa * _DEG * _DEG
    maa = ((kl + kr) * ct_tip * ct_tip + (fl + fr) * lever * s2 + kp * cp * cp + fp * cor * s2
           + ka * ct * ct - fa * (depth - cor) * s2)
    return g, dg, fl, fr, m, dm, maa


def shear_residual(u, shear, a, axial, u_rest, ks, kap, gap_ap, hf, r_lat, eps):
    """Shear equilibrium at fixed angles: g_u [N], dg/du, left and right surface forces, moment m, dm/du."""
    sa, ca = math.sin(a * _DEG), math.cos(a * _DEG)
    sx = math.sin(axial * _DEG)
    d = u - u_rest + hf * sa - gap_ap
    fl, kl = contact_force_n(d + r_lat * sx, kap, eps)
    fr, kr = contact_force_n(d - r_lat * sx, kap, eps)
    g = ks * (u - u_rest) + fl + fr - shear
    lev = hf * ca * _DEG
    maa = (kl + kr) * lev * lev - (fl + fr) * hf * sa * _DEG * _DEG
    return g, ks + kl + kr, fl, fr, (fl + fr) * lev, (kl + kr) * lev, maa


def axial_bracket(a, lat, hl, hp, ha, depth, r_lat, lever, cor):
    """(lo, hi) with g_w(lo) < 0 (every contact open, disc in tension) and g_w -> +inf at hi (a margin flat)."""
    sa = math.sin(a * _DEG)
    lo = -(lever + r_lat + depth + 1.0)
    hi = min(hp - hl + cor * sa - r_lat * abs(math.sin(lat * _DEG)), ha - hl - (depth - cor) * sa)
    return lo, hi


def shear_bracket(u_rest):
    """Translations the solve may take: ``TRANSLATION_LIMIT_MM`` either side of the rest position [mm]."""
    return u_rest - TRANSLATION_LIMIT_MM, u_rest + TRANSLATION_LIMIT_MM


def sagittal_moment_nm(a, kf0, bf, ke0, be):
    """Sagittal moment-rotation law, flexion or extension branch: (moment [N m], tangent [N m/deg])."""
    k0, b = (kf0, bf) if a >= 0.0 else (ke0, be)
    x = b * abs(a)
    return math.copysign(k0 / b * math.expm1(x), a), k0 * math.exp(x)


# ---------------------------------------------------------------- reference solver (brentq)
def _root(f, lo, hi):
    """:func:`scipy.optimize.brentq`, imported on first use: the numba chain never needs scipy (start-up time)."""
    from scipy.optimize import brentq

    return brentq(f, lo, hi, xtol=XTOL, rtol=RTOL, maxiter=500)


def segment_equilibrium(force, shear, moment, lat_moment, ax_moment, imposed, a_imp, lat_imp, ax_imp,
                        kf0, bf, ke0, be, kl0, bl, ka0, ba,
                        hl, u_rest, instability, hp, ha, depth, r_lat, kd0, bd, kb, kfac, gap, lever,
                        eps, kap, gap_ap, hf, ks0, fs, ds, cor):
    """Equilibrium of L4 on L5 under one posture's loads (reference engine, module docstring).

    Parameters
    ----------
    force, shear : float [N]
        Compression (normal to the disc) and anterior shear on L4 (stage 1).
    moment, lat_moment, ax_moment : float [N m]
        Passive moments; used by load cases only (``imposed`` 0).
    imposed : float
        1 for a trunk posture (rotations ``a_imp``, ``lat_imp``, ``ax_imp`` [deg] held by the
        muscles), 0 for a load case (rotations from equilibrium).
    kf0, bf, ke0, be, kl0, bl, ka0, ba : float
        Moment-rotation constants (``sim.postures.LAW_KEYS``).
    hl ... cor : float
        The values of :data:`SOLVE_KEYS`, in that order.

    Returns
    -------
    (a, lat, axial, w, u, tip_left, tip_right, surf_left, surf_right, iterations, at_bound)
        Rotations [deg], axial compression and translation [mm], the facet tip and surface
        contact forces per side [N], 0 iterations (brentq) and 1 if a result sits on a limit.

    Examples
    --------
    >>> from sim.params import defaults
    >>> d = defaults()
    >>> args = [d[k] for k in LAW_KEYS] + [d[k] for k in SOLVE_KEYS]
    >>> r = segment_equilibrium(0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, *args)
    >>> abs(r[3]) < 1e-12, r[5] + r[6]  # no load: no compression, no facet force
    (True, 0.0)
    """
    kt = DISC_TENSILE_STIFFNESS_N_PER_MM
    ks = shear_stiffness_n_per_mm(force, ks0, fs, ds, hl, hp, instability)
    kap_eff = kap / (1.0 + instability / INSTABILITY_REFERENCE_MM)
    at_bound = 0.0
    if imposed > 0.5:
        a, lat, axial = a_imp, lat_imp, ax_imp
        if a <= _A_MIN or a >= _A_MAX or abs(lat) >= _L_MAX or abs(axial) >= _X_MAX:
            at_bound = 1.0
        a = min(max(a, _A_MIN), _A_MAX)
        lat = min(max(lat, -_L_MAX), _L_MAX)
        axial = min(max(axial, -_X_MAX), _X_MAX)
    else:
        lat = float(bending_angle_deg(lat_moment, kl0, bl))
        axial = float(bending_angle_deg(ax_moment, ka0, ba))
        if abs(lat) >= _L_MAX or abs(axial) >= _X_MAX:
            at_bound = 1.0
        lat = min(max(lat, -_L_MAX), _L_MAX)
        axial = min(max(axial, -_X_MAX), _X_MAX)
    geo = (hl, hp, ha, depth, r_lat, kd0, bd, kt, kb, kfac, gap, lever, eps, cor)

    def w_of(a_):
        lo, hi = axial_bracket(a_, lat, hl, hp, ha, depth, r_lat, lever, cor)
        return _root(lambda w: axial_residual(w, force, a_, lat, *geo)[0], lo, hi - 1e-12 * max(abs(hi), 1.0))

    def u_of(a_):
        lo, hi = shear_bracket(u_rest)

        def g(u):
            return shear_residual(u, shear, a_, axial, u_rest, ks, kap_eff, gap_ap, hf, r_lat, eps)[0]

        if g(hi) <= 0.0:
            return hi
        if g(lo) >= 0.0:
            return lo
        return _root(g, lo, hi)

    if imposed <= 0.5:
        # follower path through the centre of the axial reactions at the neutral posture
        m0 = axial_residual(w_of(0.0), force, 0.0, lat, *geo)[4] / _KNMM
        target = moment + m0

        def g_a(a_):
            wa, ua = w_of(a_), u_of(a_)
            m_ax = axial_residual(wa, force, a_, lat, *geo)[4]
            m_sh = shear_residual(ua, shear, a_, axial, u_rest, ks, kap_eff, gap_ap, hf, r_lat, eps)[4]
            return (sagittal_moment_nm(a_, kf0, bf, ke0, be)[0] - target) * _KNMM + m_ax + m_sh

        if g_a(_A_MIN) > 0.0:
            a, at_bound = _A_MIN, 1.0
        elif g_a(_A_MAX) < 0.0:
            a, at_bound = _A_MAX, 1.0
        else:
            a = _root(g_a, _A_MIN, _A_MAX)
    w, u = w_of(a), u_of(a)
    if abs(u - u_rest) >= TRANSLATION_LIMIT_MM:
        at_bound = 1.0
    _, _, tl, tr, _, _, _ = axial_residual(w, force, a, lat, *geo)
    _, _, sl, sr, _, _, _ = shear_residual(u, shear, a, axial, u_rest, ks, kap_eff, gap_ap, hf, r_lat, eps)
    return a, lat, axial, w, u, tl, tr, sl, sr, 0.0, at_bound


def radiographic_slip_mm(u, a, hp, hl, cor):
    """Anterior offset of the L4 posterior-inferior corner from the L5 posterior-superior corner [mm]."""
    return u + cor * (1.0 - math.cos(a * _DEG)) + (hp - hl) * math.sin(a * _DEG)


def intradiscal_pressure_mpa(disc_force_n, disc_area_mm2, correction_factor, swelling_mpa):
    """IDP = swelling pressure + k max(F_disc, 0) / A [MPa] (nachemson; wilke1999 for the swelling)."""
    return swelling_mpa + correction_factor * max(disc_force_n, 0.0) / disc_area_mm2


def local_disc_closure_mm(compression_mm, angle_deg, lateral_angle_deg, side_sign,
                          cor_offset_mm, lateral_offset_mm):
    """Loss of posterior disc height at one side's foramen caused by the posture [mm].

    Axial compression, extension about the pivot (the posterior margin sits
    ``cor_offset_mm`` behind it) and lateral bending towards the side
    (``side_sign`` +1 right, -1 left; + lateral angle = bend to the right).
    """
    return (compression_mm + cor_offset_mm * np.sin(np.radians(-angle_deg))
            + side_sign * lateral_offset_mm * np.sin(np.radians(lateral_angle_deg)))


def sagittal_equilibrium(force_n, moment_nm, height_loss_mm, tissue, anatomy=None):
    """Load-case rotation [deg], disc compression [mm] and facet force [N] under a follower load and a
    sagittal moment, no shear, default anatomy unless ``anatomy`` (section-less keys) is given.

    A convenience for calibration and validation (pure-moment ranges of motion).
    """
    d = _defaults()
    v = {**{k: d[k] for k in SOLVE_KEYS}, **{"tissue." + k: x for k, x in tissue.items()},
         **{"anatomy." + k: x for k, x in (anatomy or {}).items()}}
    v["pathology.disc_height_loss_mm"] = height_loss_mm
    laws = [tissue[k.split(".", 1)[1]] for k in LAW_KEYS]
    r = segment_equilibrium(force_n, 0.0, moment_nm, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, *laws, *[v[k] for k in SOLVE_KEYS])
    return r[0], r[3], r[5] + r[6] + r[7] + r[8]


def range_of_motion_deg(tissue, moment_nm=RANGE_MOMENT_NM):
    """Flexion and (negative) extension rotation at a pure moment, no preload [deg]."""
    return (sagittal_equilibrium(0.0, moment_nm, 0.0, tissue)[0],
            sagittal_equilibrium(0.0, -moment_nm, 0.0, tissue)[0])


# ---------------------------------------------------------------- numba twins
_contact_force_n = njit(cache=True)(contact_force_n)
_bottoming_force_n = njit(cache=True)(bottoming_force_n)
_shear_stiffness_n_per_mm = njit(cache=True)(shear_stiffness_n_per_mm)
_sagittal_moment_nm = njit(cache=True)(sagittal_moment_nm)
_axial_bracket = njit(cache=True)(axial_bracket)
_shear_bracket = njit(cache=True)(shear_bracket)
_radiographic_slip_mm = njit(cache=True)(radiographic_slip_mm)
_intradiscal_pressure_mpa = njit(cache=True)(intradiscal_pressure_mpa)


@njit(cache=True)
def _disc_axial_force_n(w, k0, b, kt):
    """Twin of :func:`disc_axial_force_n`; the tangent ``k0 (1 + expm1(b w))`` reuses the force's
    ``expm1`` (equal to ``k0 exp(b w)`` to rounding; it only steers Newton, not the root)."""
    if w >= 0.0:
        e = math.expm1(b * w)
        return k0 / b * e, k0 * (1.0 + e)
    return kt * w, kt


@njit(cache=True, forceinline=True)
def _axial_residual(w, force, sa, ca, sl, hl, hp, ha, depth, r_lat, kd0, bd, kt, kb, kfac, gap, lever, eps, cor):
    """Twin of :func:`axial_residual` with the sines and cosine of the angles precomputed."""
    g_rest = max(gap - hl, 0.0)
    fd, kd = _disc_axial_force_n(w, kd0, bd, kt)
    fl, kl = _contact_force_n(w - lever * sa - r_lat * sl - g_rest, kfac, eps)
    fr, kr = _contact_force_n(w - lever * sa + r_lat * sl - g_rest, kfac, eps)
    # posterior margin at each foramen (posterolateral corners) and anterior margin
    fpl, kpl = _bottoming_force_n(w - cor * sa - r_lat * sl, hp - hl, kb)
    fpr, kpr = _bottoming_force_n(w - cor * sa + r_lat * sl, hp - hl, kb)
    fp, kp = fpl + fpr, kpl + kpr
    fa, ka = _bottoming_force_n(w + (depth - cor) * sa, ha - hl, kb)
    g = fd + fl + fr + fp + fa - force
    dg = kd + kl + kr + kp + ka
    cp, ct = -cor * ca * _DEG, (depth - cor) * ca * _DEG  # dc/da of the margins
    ct_tip = -lever * ca * _DEG
    m = (fl + fr) * ct_tip + fp * cp + fa * ct
    dm = (kl + kr) * ct_tip + kp * cp + ka * ct
    s2 = sa * _DEG * _DEG
    maa = ((kl + kr) * ct_tip * ct_tip + (fl + fr) * lever * s2 + kp * cp * cp + fp * cor * s2
           + ka * ct * ct - fa * (depth - cor) * s2)
    return g, dg, fl, fr, m, dm, maa


@njit(cache=True, forceinline=True)
def _shear_residual(u, shear, sa, ca, sx, u_rest, ks, kap, gap_ap, hf, r_lat, eps):
    """Twin of :func:`shear_residual` with the sines and cosine precomputed."""
    d = u - u_rest + hf * sa - gap_ap
    fl, kl = _contact_force_n(d + r_lat * sx, kap, eps)
    fr, kr = _contact_force_n(d - r_lat * sx, kap, eps)
    g = ks * (u - u_rest) + fl + fr - shear
    lev = hf * ca * _DEG
    maa = (kl + kr) * lev * lev - (fl + fr) * hf * sa * _DEG * _DEG
    return g, ks + kl + kr, fl, fr, (fl + fr) * lev, (kl + kr) * lev, maa


@njit(cache=True, forceinline=True)
def _solve_w(w, force, a, lat, hl, hp, ha, depth, r_lat, kd0, bd, kt, kb, kfac, gap, lever, eps, cor):
    """Safeguarded Newton for the axial equation at fixed angles from the guess ``w``: (w, iterations)."""
    lo, hi = _axial_bracket(a, lat, hl, hp, ha, depth, r_lat, lever, cor)
    sa, ca, sl = math.sin(a * _DEG), math.cos(a * _DEG), math.sin(lat * _DEG)
    if w != w:  # no guess: the disc alone carries the force
        w = math.log1p(max(force, 0.0) * bd / kd0) / bd
    if not (lo < w < hi):
        w = 0.5 * (lo + hi) if hi - lo < 2.0 else min(max(0.0, lo + 1.0), hi - 1.0)
    it = 0
    for it in range(1, _MAX_ITER + 1):  # noqa: B007 (the count is returned after the loop)
        g, dg, _, _, _, _, _ = _axial_residual(w, force, sa, ca, sl, hl, hp, ha, depth, r_lat, kd0, bd, kt, kb,
                                            kfac, gap, lever, eps, cor)
        if g == 0.0:
            break
        if g > 0.0:
            hi = w
        else:
            lo = w
        step = g / dg
        if abs(step) <= _STEP_TOL * (1.0 + abs(w)):  # converged: the Newton step is below rounding
            w -= step
            break
        w_new = w - step
        if not (lo < w_new < hi):
            w_new = 0.5 * (lo + hi)
        w = w_new
    return w, it


@njit(cache=True, forceinline=True)
def _solve_u(u, shear, a, axial, u_rest, ks, kap, gap_ap, hf, r_lat, eps):
    lo, hi = _shear_bracket(u_rest)
    sa, ca, sx = math.sin(a * _DEG), math.cos(a * _DEG), math.sin(axial * _DEG)
    # an equilibrium beyond the translation limit: stay on the limit (the caller flags it)
    if shear > 0.0 and _shear_residual(hi, shear, sa, ca, sx, u_rest, ks, kap, gap_ap, hf, r_lat, eps)[0] <= 0.0:
        return hi, 1
    if shear < 0.0 and _shear_residual(lo, shear, sa, ca, sx, u_rest, ks, kap, gap_ap, hf, r_lat, eps)[0] >= 0.0:
        return lo, 1
    # both facet surfaces open, or both beyond the contact onset: the equation is linear in u there;
    # its root stands if the surfaces are in that state at it (g increases, so the root is unique)
    o_l, o_r = hf * sa - gap_ap + r_lat * sx, hf * sa - gap_ap - r_lat * sx  # contact closure - (u - u_rest)
    x = shear / ks
    if lo < u_rest + x < hi and x + o_l <= 0.0 and x + o_r <= 0.0:
        return u_rest + x, 0
    x = (shear - kap * (o_l + o_r - eps)) / (ks + 2.0 * kap)
    if lo < u_rest + x < hi and x + o_l >= eps and x + o_r >= eps:
        return u_rest + x, 0
    if not (lo < u < hi):
        u = u_rest
    it = 0
    for it in range(1, _MAX_ITER + 1):  # noqa: B007 (the count is returned after the loop)
        g, dg, _, _, _, _, _ = _shear_residual(u, shear, sa, ca, sx, u_rest, ks, kap, gap_ap, hf, r_lat, eps)
        if g == 0.0:
            break
        if g > 0.0:
            hi = u
        else:
            lo = u
        step = g / dg
        if abs(step) <= _STEP_TOL * (1.0 + abs(u)):  # converged: the Newton step is below rounding
            u -= step
            break
        u_new = u - step
        if not (lo < u_new < hi):
            u_new = 0.5 * (lo + hi)
        u = u_new
    return u, it


@njit(cache=True)
def _segment_equilibrium(force, shear, moment, lat_moment, ax_moment, imposed, a_imp, lat_imp, ax_imp,
                         kf0, bf, ke0, be, kl0, bl, ka0, ba,
                         hl, u_rest, instability, hp, ha, depth, r_lat, kd0, bd, kb, kfac, gap, lever,
                         eps, kap, gap_ap, hf, ks0, fs, ds, cor):
    """Twin of :func:`segment_equilibrium`: safeguarded Newton (outer on the angle for load cases,
    with the exact reduced derivative; inner on w and u, which decouple at a fixed angle)."""
    kt = DISC_TENSILE_STIFFNESS_N_PER_MM
    ks = _shear_stiffness_n_per_mm(force, ks0, fs, ds, hl, hp, instability)
    kap_eff = kap / (1.0 + instability / INSTABILITY_REFERENCE_MM)
    at_bound = 0.0
    iters = 0
    if imposed > 0.5:
        a, lat, axial = a_imp, lat_imp, ax_imp
        if a <= _A_MIN or a >= _A_MAX or abs(lat) >= _L_MAX or abs(axial) >= _X_MAX:
            at_bound = 1.0
        a = min(max(a, _A_MIN), _A_MAX)
        lat = min(max(lat, -_L_MAX), _L_MAX)
        axial = min(max(axial, -_X_MAX), _X_MAX)
        w, i1 = _solve_w(np.nan, force, a, lat, hl, hp, ha, depth, r_lat, kd0, bd, kt, kb, kfac, gap, lever, eps, cor)
        u, i2 = _solve_u(u_rest, shear, a, axial, u_rest, ks, kap_eff, gap_ap, hf, r_lat, eps)
        iters = i1 + i2
    else:
        lat = _bending_angle_deg(lat_moment, kl0, bl)
        axial = _bending_angle_deg(ax_moment, ka0, ba)
        if abs(lat) >= _L_MAX or abs(axial) >= _X_MAX:
            at_bound = 1.0
        lat = min(max(lat, -_L_MAX), _L_MAX)
        axial = min(max(axial, -_X_MAX), _X_MAX)
        w, i1 = _solve_w(np.nan, force, 0.0, lat, hl, hp, ha, depth, r_lat, kd0, bd, kt, kb, kfac, gap, lever, eps, cor)
        m0 = _axial_residual(w, force, 0.0, 1.0, math.sin(lat * _DEG), hl, hp, ha, depth, r_lat, kd0, bd, kt, kb, kfac,
                             gap, lever, eps, cor)[4] / _KNMM
        target = moment + m0
        u = u_rest
        iters = i1
        # reduced equation G(a) = 0, G increasing; G(0) = -moment * KNMM
        if moment >= 0.0:
            a = _bending_angle_deg(moment, kf0, bf)
        else:
            a = _bending_angle_deg(moment, ke0, be)
        a = min(max(a, _A_MIN), _A_MAX)
        lo, hi = _A_MIN, _A_MAX
        for _iteration in range(1, _MAX_ITER + 1):
            w, i1 = _solve_w(w, force, a, lat, hl, hp, ha, depth, r_lat, kd0, bd, kt, kb, kfac, gap, lever, eps, cor)
            u, i2 = _solve_u(u, shear, a, axial, u_rest, ks, kap_eff, gap_ap, hf, r_lat, eps)
            iters += 1
            sa, ca = math.sin(a * _DEG), math.cos(a * _DEG)
            gw, dgw, _, _, m_ax, dm_ax, maa_ax = _axial_residual(w, force, sa, ca, math.sin(lat * _DEG), hl, hp, ha,
                                                                 depth, r_lat, kd0, bd, kt, kb, kfac, gap, lever, eps,
                                                                 cor)
            gu, dgu, _, _, m_sh, dm_sh, maa_sh = _shear_residual(u, shear, sa, ca, math.sin(axial * _DEG), u_rest, ks,
                                                                 kap_eff, gap_ap, hf, r_lat, eps)
            mb, kb_t = _sagittal_moment_nm(a, kf0, bf, ke0, be)
            g = (mb - target) * _KNMM + m_ax + m_sh
            if g == 0.0:
                break
            if g > 0.0:
                hi = a
            else:
                lo = a
            # derivative along the inner equilibria (Schur complement of the symmetric Hessian)
            slope = kb_t * _KNMM + maa_ax + maa_sh - dm_ax * dm_ax / dgw - dm_sh * dm_sh / dgu
            step = g / slope if slope > 0.0 else 2.0 * (hi - lo)
            if abs(step) <= _STEP_TOL * (1.0 + abs(a)):
                a -= step
                break
            a_new = a - step
            if not (lo < a_new < hi):
                a_new = 0.5 * (lo + hi)
            a = a_new
            if hi - lo < 1e-12:
                break
        # an equilibrium beyond a limit leaves the iterate on the limit: say so
        if a <= _A_MIN + 1e-9 or a >= _A_MAX - 1e-9:
            at_bound = 1.0
            a = _A_MIN if a < 0.0 else _A_MAX
        w, i1 = _solve_w(w, force, a, lat, hl, hp, ha, depth, r_lat, kd0, bd, kt, kb, kfac, gap, lever, eps, cor)
        u, i2 = _solve_u(u, shear, a, axial, u_rest, ks, kap_eff, gap_ap, hf, r_lat, eps)
    if abs(u - u_rest) >= TRANSLATION_LIMIT_MM:
        at_bound = 1.0
    sa, ca = math.sin(a * _DEG), math.cos(a * _DEG)
    _, _, tl, tr, _, _, _ = _axial_residual(w, force, sa, ca, math.sin(lat * _DEG), hl, hp, ha, depth, r_lat, kd0, bd,
                                            kt, kb, kfac, gap, lever, eps, cor)
    _, _, sl, sr, _, _, _ = _shear_residual(u, shear, sa, ca, math.sin(axial * _DEG), u_rest, ks, kap_eff, gap_ap, hf,
                                            r_lat, eps)
    return a, lat, axial, w, u, tl, tr, sl, sr, float(iters), at_bound


@njit(cache=True)
def _local_disc_closure_mm(compression_mm, angle_deg, lateral_angle_deg, side_sign, cor_offset_mm,
                           lateral_offset_mm):
    """Twin of :func:`local_disc_closure_mm` [mm]."""
    return (compression_mm + cor_offset_mm * math.sin(math.radians(-angle_deg))
            + side_sign * lateral_offset_mm * math.sin(math.radians(lateral_angle_deg)))


