"""Stage 2, mechanics: loads + tissue laws -> rotation, disc compression, IDP, bulge, slip.

The L4-L5 segment is a rigid L4 on a fixed L5.  Sagittal equilibrium has two
unknowns, the rotation ``a`` [deg, + flexion] about a centre of rotation (COR)
on the L5 upper endplate and the axial compression ``w`` [mm] of the disc:

    F = F_disc(w) + F_facet(c)                                     (axial)
    M = M_tissue(a) - r_f P(F_facet(c) - F_facet0) / 1000           (sagittal)
    c = w + h_loss + r_f sin(-a) - g0                               (facet closure)

The follower load passes where pure compression produces no rotation (as the
in vitro follower-load path is tuned), hence the ``F_facet0`` term: facet
force beyond that of upright compression resists extension.  ``P`` is a
smooth positive part (1 N wide): facets that unload in flexion add no
extension moment, because the load path then follows the disc (the muscles
re-centre it), so a degenerated segment still flexes when sitting.  Lateral bending
and axial rotation follow their own moment-rotation laws.  Disc height loss
brings the facets into contact and shifts load to them (adams_hutton1980).

This module is the readable reference: each unknown is bracketed and found
with :func:`scipy.optimize.brentq`.  Under them, each has its numba twin (same
name with a leading underscore, scalars in, scalars out); the twins solve the
same equations by Newton on both unknowns at once, which converges in about
five steps; if it leaves the angle bracket or stalls, a safeguarded Newton on
the angle takes over (a Newton step inside the current bracket, otherwise
bisection, an axial solve at every step), which always converges.

References
----------
yamamoto1989 (ROM, neutral zone), adams_hutton1980 (facet load share),
beckstein2008 (axial stiffness), nachemson / dreischarf2013 (IDP-force
relation), brinckmann1991 and reuber1982 (bulge), pearcy_bogduk1988 (COR),
simmonds2015 (translation).
"""

from __future__ import annotations

import math

import numpy as np

from .jit import njit


def _scipy_brentq(*args, **kwargs):
    """:func:`scipy.optimize.brentq`, imported on first use: the numba chain never needs scipy (start-up time)."""
    from scipy.optimize import brentq

    return brentq(*args, **kwargs)

XTOL = 1e-14
ANGLE_BRACKET_DEG = 45.0
FACET_MOMENT_SMOOTHING_N = 1.0
#: Pure moment whose rotations bound the range over which an unstable slip develops [N m].
RANGE_MOMENT_NM = 10.0
_MAX_ITER = 200
_JOINT_MAX_ITER = 40
_JOINT_MAX_W_MM = 50.0  # beyond any disc compression: the joint step has run away
_STEP_TOL = 1e-12  # Newton converges quadratically: the last update leaves an error ~1e-24


def smooth_positive_part(x, width):
    """``(x + sqrt(x^2 + s^2))/2 - s/2``: zero at 0, ~x for x >> s, ~0 for x << -s."""
    return 0.5 * (x + np.sqrt(x * x + width * width)) - 0.5 * width


def bending_moment_nm(angle_deg, toe_stiffness_nm_per_deg, stiffening_per_deg):
    """Resisting moment of the passive segment for a rotation [N m].

    ``M = sign(a) k0 / B (exp(B |a|) - 1)``: tangent stiffness ``k0`` in the
    neutral zone, exponential stiffening towards the end of the range.

    Parameters
    ----------
    angle_deg : array_like [deg]
    toe_stiffness_nm_per_deg : array_like [N m/deg] (k0)
    stiffening_per_deg : array_like [1/deg] (B)

    Returns
    -------
    moment_nm : ndarray [N m]

    References
    ----------
    yamamoto1989 (calibration: ROM at 10 N m and neutral zone).

    Examples
    --------
    >>> round(float(bending_moment_nm(0.9, 0.5556, 0.0)), 3)
    0.5
    """
    a = np.abs(angle_deg)
    k0 = np.asarray(toe_stiffness_nm_per_deg, dtype=float)
    b = np.asarray(stiffening_per_deg, dtype=float)
    m = np.where(b > 0, k0 / np.where(b > 0, b, 1.0) * np.expm1(b * a), k0 * a)
    return np.sign(angle_deg) * m


def bending_angle_deg(moment_nm, toe_stiffness_nm_per_deg, stiffening_per_deg):
    """Rotation under a pure moment, the inverse of :func:`bending_moment_nm` [deg].

    Examples
    --------
    >>> round(float(bending_angle_deg(0.5, 0.5556, 0.0)), 3)
    0.9
    """
    m = np.abs(moment_nm)
    k0 = np.asarray(toe_stiffness_nm_per_deg, dtype=float)
    b = np.asarray(stiffening_per_deg, dtype=float)
    a = np.where(b > 0, np.log1p(m * b / k0) / np.where(b > 0, b, 1.0), m / k0)
    return np.sign(moment_nm) * a


def disc_axial_force_n(compression_mm, toe_stiffness_n_per_mm, stiffening_per_mm):
    """Axial force carried by the disc at compression ``w`` [N].

    Exponential in compression, ``F = k0/b (exp(b w) - 1)``, so the tangent
    stiffness ``k0 + b F`` grows linearly with load (beckstein2008: 1734 N/mm
    near 1 kN); linear ``k0 w`` in tension.
    """
    w = np.asarray(compression_mm, dtype=float)
    k0, b = toe_stiffness_n_per_mm, stiffening_per_mm
    return np.where(w > 0, k0 / b * np.expm1(b * np.maximum(w, 0.0)), k0 * w)


def facet_force_n(closure_mm, stiffness_n_per_mm, smoothing_mm):
    """Facet contact force for a closure ``c`` of the facet gap [N].

    ``F = k (c + sqrt(c^2 + s^2)) / 2``: linear contact smoothed over ``s`` so
    equilibrium stays differentiable.
    """
    c = np.asarray(closure_mm, dtype=float)
    return stiffness_n_per_mm * 0.5 * (c + np.sqrt(c * c + smoothing_mm * smoothing_mm))


def facet_closure_mm(compression_mm, height_loss_mm, angle_deg, lever_mm, gap_mm):
    """Closure of the facet gap [mm]: disc compression, height loss and extension."""
    return compression_mm + height_loss_mm + lever_mm * np.sin(np.radians(-angle_deg)) - gap_mm


def axial_compression_mm(force_n, angle_deg, height_loss_mm, tissue):
    """Disc compression that balances ``force_n`` at a given rotation [mm] (reference)."""

    def residual(w):
        c = facet_closure_mm(w, height_loss_mm, angle_deg, tissue["facet_lever_arm_mm"],
                             tissue["facet_gap_mm"])
        return (float(disc_axial_force_n(w, tissue["disc_axial_toe_stiffness_n_per_mm"],
                                         tissue["disc_axial_stiffening_per_mm"]))
                + float(facet_force_n(c, tissue["facet_stiffness_n_per_mm"],
                                      tissue["facet_contact_smoothing_mm"]))
                - force_n)

    lo, hi = axial_bracket_mm(force_n, height_loss_mm, tissue)
    return _scipy_brentq(residual, lo, hi, xtol=XTOL, rtol=4 * np.finfo(float).eps, maxiter=500)


def axial_bracket_mm(force_n, height_loss_mm, tissue):
    """An interval surely holding the axial solution.

    Above: the disc alone carries ``force_n`` there (facets only help).  Below:
    deep enough in tension that the facets are open whatever the rotation.
    """
    k0 = tissue["disc_axial_toe_stiffness_n_per_mm"]
    b = tissue["disc_axial_stiffening_per_mm"]
    hi = math.log1p(max(force_n, 0.0) * b / k0) / b + 1.0
    lo = -(height_loss_mm + tissue["facet_lever_arm_mm"] + 1.0) \
        - tissue["facet_stiffness_n_per_mm"] * tissue["facet_contact_smoothing_mm"] / k0
    return lo, hi


def sagittal_equilibrium(force_n, moment_nm, height_loss_mm, tissue):
    """Rotation [deg] and disc compression [mm] of L4 under follower load and moment.

    Returns
    -------
    angle_deg, compression_mm, facet_force_n
    """
    lever = tissue["facet_lever_arm_mm"]
    f_facet0 = _facet_force_at(force_n, 0.0, height_loss_mm, tissue)[1]
    k0, b = _sagittal_law(tissue)

    def residual(a):
        _, f_facet = _facet_force_at(force_n, a, height_loss_mm, tissue)
        kk, bb = (k0[0], b[0]) if a >= 0 else (k0[1], b[1])
        extra = float(smooth_positive_part(f_facet - f_facet0, FACET_MOMENT_SMOOTHING_N))
        return float(bending_moment_nm(a, kk, bb)) - lever * extra / 1000.0 - moment_nm

    lo, hi = -ANGLE_BRACKET_DEG, ANGLE_BRACKET_DEG
    r_lo, r_hi = residual(lo), residual(hi)
    if r_hi < 0.0:  # the moment exceeds what the tissues resist within the bracket: end of range
        a = hi
    elif r_lo > 0.0:
        a = lo
    else:
        a = _scipy_brentq(residual, lo, hi, xtol=XTOL, rtol=4 * np.finfo(float).eps, maxiter=500)
    w, f_facet = _facet_force_at(force_n, a, height_loss_mm, tissue)
    return a, w, f_facet


def _sagittal_law(tissue):
    k0 = (tissue["flexion_toe_stiffness_nm_per_deg"], tissue["extension_toe_stiffness_nm_per_deg"])
    b = (tissue["flexion_stiffening_per_deg"], tissue["extension_stiffening_per_deg"])
    return k0, b


def _facet_force_at(force_n, angle_deg, height_loss_mm, tissue):
    w = axial_compression_mm(force_n, angle_deg, height_loss_mm, tissue)
    c = facet_closure_mm(w, height_loss_mm, angle_deg, tissue["facet_lever_arm_mm"],
                         tissue["facet_gap_mm"])
    return w, float(facet_force_n(c, tissue["facet_stiffness_n_per_mm"],
                                  tissue["facet_contact_smoothing_mm"]))


def intradiscal_pressure_mpa(disc_force_n, disc_area_mm2, correction_factor):
    """Intradiscal pressure from the disc's share of the compressive force [MPa].

    ``IDP = k F_disc / A`` with Nachemson's correction factor ``k`` (1.5).

    References
    ----------
    nachemson; dreischarf2013 (430-600 N standing force from 0.5 MPa).

    Examples
    --------
    >>> round(float(intradiscal_pressure_mpa(600.0, 1800.0, 1.5)), 3)
    0.5
    """
    return correction_factor * np.maximum(disc_force_n, 0.0) / disc_area_mm2


def local_disc_closure_mm(compression_mm, angle_deg, lateral_angle_deg, side_sign,
                          cor_offset_mm, lateral_offset_mm):
    """Loss of posterior disc height at one side's foramen caused by the posture [mm].

    Axial compression, extension about the COR (the posterior margin sits
    ``cor_offset_mm`` behind it) and lateral bending towards the side
    (``side_sign`` +1 right, -1 left; + lateral angle = bend to the right).
    """
    return (compression_mm + cor_offset_mm * np.sin(np.radians(-angle_deg))
            + side_sign * lateral_offset_mm * np.sin(np.radians(lateral_angle_deg)))


def disc_bulge_mm(static_bulge_mm, height_loss_mm, local_closure_mm, idp_mpa, slip_total_mm,
                  bulge_per_height_loss, bulge_per_idp_mm_per_mpa, slip_pseudo_bulge_ratio):
    """Posterior radial bulge of the disc at one foramen [mm].

    Static bulge plus three physical parts: height loss (degenerative and
    postural) at 0.25 mm per mm (brinckmann1991), pressure on the annulus
    (reuber1982), and the uncovered L5 disc margin of a slipped L4.
    Never negative.
    """
    b = (static_bulge_mm + bulge_per_height_loss * (height_loss_mm + local_closure_mm)
         + bulge_per_idp_mm_per_mpa * idp_mpa + slip_pseudo_bulge_ratio * slip_total_mm)
    return np.maximum(b, 0.0)


def slip_total_mm(slip_mm, slip_instability_mm, angle_deg, flexion_end_deg, extension_end_deg):
    """Anterior slip of L4 on L5 in a posture [mm].

    ``slip_mm`` is the slip seen in the neutral position (as on a standing
    radiograph); the unstable part adds linearly with rotation, from full
    extension (``extension_end_deg`` < 0) to full flexion, so that the whole
    ``slip_instability_mm`` separates the two ends (simmonds2015).  Never below zero.
    """
    span = flexion_end_deg - extension_end_deg
    frac = np.clip((angle_deg - extension_end_deg) / span, 0.0, 1.0)
    frac0 = -extension_end_deg / span
    return np.maximum(slip_mm + slip_instability_mm * (frac - frac0), 0.0)


def pure_moment_range_deg(flexion_toe_stiffness_nm_per_deg, flexion_stiffening_per_deg,
                          extension_toe_stiffness_nm_per_deg, extension_stiffening_per_deg):
    """Flexion and (negative) extension rotation of the tissue laws at a 10 N m pure moment [deg].

    The ends of the range over which :func:`slip_total_mm` spreads an unstable
    slip; no preload, no facets, as in the flexion-extension radiographs
    that measure the instability.

    Returns
    -------
    flexion_end_deg, extension_end_deg : float

    References
    ----------
    Yamamoto I et al. (1989) Spine 14(11):1256-1260 (ROM at 10 N m);
    Simmonds AM et al. (2015) Eur Spine J 24(11):2394-2402 (slip change flexion-extension).
    """
    flex = float(bending_angle_deg(RANGE_MOMENT_NM, flexion_toe_stiffness_nm_per_deg, flexion_stiffening_per_deg))
    ext = -float(bending_angle_deg(RANGE_MOMENT_NM, extension_toe_stiffness_nm_per_deg,
                                   extension_stiffening_per_deg))
    return flex, ext


def range_of_motion_deg(tissue, moment_nm=10.0):
    """Flexion and (negative) extension rotation at a pure moment, no preload [deg]."""
    flex = sagittal_equilibrium(0.0, moment_nm, 0.0, tissue)[0]
    ext = sagittal_equilibrium(0.0, -moment_nm, 0.0, tissue)[0]
    return flex, ext


# ---------------------------------------------------------------- numba twins
@njit(cache=True)
def _bending_moment_nm(a, k0, b):
    """Twin of :func:`bending_moment_nm`: (moment [N m], tangent stiffness [N m/deg]) at ``a`` [deg]."""
    s = 1.0 if a >= 0.0 else -1.0
    x = abs(a)
    if b > 0.0:
        return s * k0 / b * math.expm1(b * x), k0 * math.exp(b * x)
    return s * k0 * x, k0


@njit(cache=True)
def _bending_angle_deg(m, k0, b):
    """Twin of :func:`bending_angle_deg` [deg]."""
    s = 1.0 if m >= 0.0 else -1.0
    if m == 0.0:
        s = 0.0
    x = abs(m)
    if b > 0.0:
        return s * math.log1p(x * b / k0) / b
    return s * x / k0


@njit(cache=True)
def _disc_axial_force_n(w, k0, b):
    """Twin of :func:`disc_axial_force_n`: (force [N], tangent stiffness [N/mm])."""
    if w > 0.0:
        return k0 / b * math.expm1(b * w), k0 * math.exp(b * w)
    return k0 * w, k0


@njit(cache=True)
def _facet_force_n(c, k, s):
    """Twin of :func:`facet_force_n`: (force [N], tangent stiffness [N/mm])."""
    root = math.sqrt(c * c + s * s)
    return k * 0.5 * (c + root), k * 0.5 * (1.0 + c / root)


@njit(cache=True)
def _axial_compression_mm(force, a_deg, hl, k0, b, kf, gap, lever, smooth, w_start):
    """Twin of :func:`axial_compression_mm` by safeguarded Newton from ``w_start`` (NaN: the disc alone).

    The bracket is :func:`axial_bracket_mm`.  Returns (w [mm], facet force [N],
    dFfacet/dc, dFdisc/dw, iterations).
    """
    lo = -(hl + lever + 1.0) - kf * smooth / k0
    hi = math.log1p(max(force, 0.0) * b / k0) / b + 1.0
    offset = hl + lever * math.sin(math.radians(-a_deg)) - gap
    w = hi - 1.0
    if w_start == w_start and lo < w_start < hi:
        w = w_start
    it = 0
    for it in range(1, _MAX_ITER + 1):
        fd, kd = _disc_axial_force_n(w, k0, b)
        ff, kff = _facet_force_n(w + offset, kf, smooth)
        g = fd + ff - force
        if g == 0.0:
            break
        if g > 0.0:
            hi = w
        else:
            lo = w
        step = g / (kd + kff)
        w_new = w - step
        if not (lo < w_new < hi):
            w_new = 0.5 * (lo + hi)
        if abs(w_new - w) <= 1e-2 * _STEP_TOL * (1.0 + abs(w)):
            w = w_new
            break
        w = w_new
    fd, kd = _disc_axial_force_n(w, k0, b)
    ff, kff = _facet_force_n(w + offset, kf, smooth)
    return w, ff, kff, kd, it


@njit(cache=True)
def _sagittal_residual(a, ff, ff0, moment, kf0, bf, ke0, be, lever):
    """Sagittal moment residual [N m] at angle ``a`` with facet force ``ff``: (r, dr/da, dr/dff).

    ``r = M_tissue(a) - r_f P(ff - ff0) / 1000 - M``, ``P`` the smooth positive
    part (:func:`smooth_positive_part`); dr/da at fixed facet force.  The
    residual of :func:`sagittal_equilibrium`.
    """
    if a >= 0.0:
        mt, kt = _bending_moment_nm(a, kf0, bf)
    else:
        mt, kt = _bending_moment_nm(a, ke0, be)
    df = ff - ff0
    root = math.sqrt(df * df + FACET_MOMENT_SMOOTHING_N * FACET_MOMENT_SMOOTHING_N)
    r = mt - lever * (0.5 * (df + root) - 0.5 * FACET_MOMENT_SMOOTHING_N) / 1000.0 - moment
    return r, kt, -lever * 0.5 * (1.0 + df / root) / 1000.0


@njit(cache=True)
def _joint_newton(force, moment, hl, kf0, bf, ke0, be, kd0, bd, kfac, gap, lever, smooth, ff0, a, w):
    """Newton on both unknowns (a, w) at once from a first guess: (a, w, iterations, converged).

    One evaluation of each tissue law per step instead of a full inner solve
    per outer step; gives up (converged False) when it leaves the angle
    bracket or stalls, and the caller then runs :func:`_bracketed_solve`.
    """
    deg = math.pi / 180.0
    for it in range(1, _JOINT_MAX_ITER + 1):
        sa, ca = math.sin(-a * deg), math.cos(-a * deg)
        fd, kd = _disc_axial_force_n(w, kd0, bd)
        ff, kff = _facet_force_n(w + hl + lever * sa - gap, kfac, smooth)
        g1 = fd + ff - force
        g2, kt, dg2_dff = _sagittal_residual(a, ff, ff0, moment, kf0, bf, ke0, be, lever)
        dcda = -lever * ca * deg
        j11, j12 = kd + kff, kff * dcda  # d g1 / d(w, a)
        j21, j22 = dg2_dff * kff, kt + dg2_dff * kff * dcda
        det = j11 * j22 - j12 * j21
        if not (abs(det) > 0.0):
            return a, w, it, False
        dw = (g1 * j22 - g2 * j12) / det
        da = (j11 * g2 - j21 * g1) / det
        w -= dw
        a -= da
        if not (-ANGLE_BRACKET_DEG < a < ANGLE_BRACKET_DEG) or not (abs(w) < _JOINT_MAX_W_MM):
            return a, w, it, False
        if abs(da) <= _STEP_TOL * (1.0 + abs(a)) and abs(dw) <= 1e-2 * _STEP_TOL * (1.0 + abs(w)):
            return a, w, it, True
    return a, w, _JOINT_MAX_ITER, False


@njit(cache=True)
def _bracketed_solve(force, moment, hl, kf0, bf, ke0, be, kd0, bd, kfac, gap, lever, smooth, ff0, a, w):
    """The fallback: Newton on the angle inside a shrinking bracket, an axial solve at each step."""
    lo, hi = -ANGLE_BRACKET_DEG, ANGLE_BRACKET_DEG
    it = 0
    for it in range(1, _MAX_ITER + 1):
        w, ff, kff, kd, _ = _axial_compression_mm(force, a, hl, kd0, bd, kfac, gap, lever, smooth, w)
        r, kt, dr_dff = _sagittal_residual(a, ff, ff0, moment, kf0, bf, ke0, be, lever)
        if r == 0.0:
            break
        if r > 0.0:
            hi = a
        else:
            lo = a
        dcda = -lever * math.cos(math.radians(-a)) * math.pi / 180.0
        dffda = kff * dcda * kd / (kd + kff)  # along the axial equilibrium
        slope = kt + dr_dff * dffda
        a_new = a - r / slope
        if not (lo < a_new < hi):
            a_new = 0.5 * (lo + hi)
        if abs(a_new - a) <= _STEP_TOL * (1.0 + abs(a)):
            a = a_new
            break
        a = a_new
    w, ff, _, _, _ = _axial_compression_mm(force, a, hl, kd0, bd, kfac, gap, lever, smooth, w)
    return a, w, ff, it


@njit(cache=True)
def _sagittal_equilibrium(force, moment, hl, kf0, bf, ke0, be, kd0, bd, kfac, gap, lever, smooth):
    """Twin of :func:`sagittal_equilibrium`: (angle [deg], w [mm], facet force [N], iterations).

    Joint Newton first (:func:`_joint_newton`); if it fails, the bracketed
    Newton on the angle (:func:`_bracketed_solve`), which always converges.
    """
    w0, ff0, _, _, _ = _axial_compression_mm(force, 0.0, hl, kd0, bd, kfac, gap, lever, smooth, np.nan)
    lo, hi = -ANGLE_BRACKET_DEG, ANGLE_BRACKET_DEG
    # first guess: the tissue law alone (exact when the facets stay as in upright compression)
    if moment >= 0.0:
        a0 = _bending_angle_deg(moment, kf0, bf)
    else:
        a0 = _bending_angle_deg(moment, ke0, be)
    a0 = min(max(a0, lo + 1e-6), hi - 1e-6)
    a, w, it, ok = _joint_newton(force, moment, hl, kf0, bf, ke0, be, kd0, bd, kfac, gap, lever, smooth,
                                 ff0, a0, w0)
    if ok:
        ff, _ = _facet_force_n(w + hl + lever * math.sin(math.radians(-a)) - gap, kfac, smooth)
        return a, w, ff, it
    return _bracketed_solve(force, moment, hl, kf0, bf, ke0, be, kd0, bd, kfac, gap, lever, smooth, ff0, a0, w0)


@njit(cache=True)
def _intradiscal_pressure_mpa(disc_force_n, disc_area_mm2, correction_factor):
    """Twin of :func:`intradiscal_pressure_mpa` [MPa]."""
    return correction_factor * max(disc_force_n, 0.0) / disc_area_mm2


@njit(cache=True)
def _pure_moment_range_deg(kf0, bf, ke0, be):
    """Twin of :func:`pure_moment_range_deg`: (flexion end, extension end) [deg]."""
    return _bending_angle_deg(RANGE_MOMENT_NM, kf0, bf), -_bending_angle_deg(RANGE_MOMENT_NM, ke0, be)


@njit(cache=True)
def _slip_total_mm(slip_mm, slip_instability_mm, angle_deg, flexion_end_deg, extension_end_deg):
    """Twin of :func:`slip_total_mm` [mm]."""
    span = flexion_end_deg - extension_end_deg
    frac = min(max((angle_deg - extension_end_deg) / span, 0.0), 1.0)
    frac0 = -extension_end_deg / span
    return max(slip_mm + slip_instability_mm * (frac - frac0), 0.0)


@njit(cache=True)
def _local_disc_closure_mm(compression_mm, angle_deg, lateral_angle_deg, side_sign, cor_offset_mm,
                           lateral_offset_mm):
    """Twin of :func:`local_disc_closure_mm` [mm]."""
    return (compression_mm + cor_offset_mm * math.sin(math.radians(-angle_deg))
            + side_sign * lateral_offset_mm * math.sin(math.radians(lateral_angle_deg)))


@njit(cache=True)
def _disc_bulge_mm(static_bulge_mm, height_loss_mm, local_closure_mm, idp_mpa, slip_total_mm,
                   bulge_per_height_loss, bulge_per_idp_mm_per_mpa, slip_pseudo_bulge_ratio):
    """Twin of :func:`disc_bulge_mm` [mm]."""
    b = (static_bulge_mm + bulge_per_height_loss * (height_loss_mm + local_closure_mm)
         + bulge_per_idp_mm_per_mpa * idp_mpa + slip_pseudo_bulge_ratio * slip_total_mm)
    return max(b, 0.0)
