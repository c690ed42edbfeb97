"""The numba engine: scalar twins of every stage fused into one batch kernel.

Each ``_name`` function mirrors the public reference function of the same
name in ``sim.mechanics``, ``sim.geometry`` or ``sim.compression``; the
batch kernel runs the whole pipeline with ``prange`` over chunks of
configurations, one scratch buffer per chunk and no other allocation.  The
sagittal equilibrium, found by ``brentq`` in the reference, is solved here by
Newton on both unknowns (rotation and disc compression) at once, which
converges in about five steps; if it leaves the angle bracket or stalls, a
safeguarded Newton on the angle takes over (a Newton step when it stays
inside the current bracket, otherwise bisection, an axial solve at every
step), which always converges.  The iteration count is reported.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .layout import COL, OUT, OUTPUTS, PAIN_START
from .referral import pain_row

NOUT = len(OUTPUTS)
N_FACES = 10
_ROOF, _L4_WALL, _DISC, _HERN, _SAP, _SAP_TIP, _PARS, _FLOOR, _ABOVE_TIP, _BELOW_TIP = range(N_FACES)
_UPPER = (_ROOF, _L4_WALL, _DISC, _HERN, _SAP_TIP, _PARS)
_UPPER_OUTLINE = (_ROOF, _L4_WALL, _DISC, _HERN, _SAP_TIP, _PARS, _ABOVE_TIP)
_STEM = (_ROOF, _DISC, _HERN, _SAP, _FLOOR, _BELOW_TIP)
_PART_FACES = 6
_INACTIVE_MM = 1.0e3
_ANGLE_BRACKET_DEG = 45.0
_MAX_ITER = 200
_JOINT_MAX_ITER = 40
_JOINT_MAX_W_MM = 50.0  # beyond any disc compression: the joint step has run away
_STEP_TOL = 1e-12  # Newton converges quadratically: the last update leaves an error ~1e-24
_MMHG_PER_KPA = 1.0 / 0.133322
_MAX_DEFORMATION = 0.95
_TIE_MM = 1e-9
_FACET_MOMENT_SMOOTHING_N = 1.0
_BOX_MM = 80.0
_PAIN = PAIN_START

# column indices (module constants are frozen into the compiled kernel)
_HP = COL["anatomy.disc_height_posterior_mm"]
_AREA = COL["anatomy.disc_area_mm2"]
_FH = COL["anatomy.foraminal_height_mm"]
_FW = COL["anatomy.foraminal_width_mm"]
_FWR = COL["anatomy.foraminal_upper_width_ratio"]
_LRD = COL["anatomy.lateral_recess_depth_mm"]
_LRA = COL["anatomy.lateral_recess_angle_deg"]
_LFT = COL["anatomy.ligamentum_flavum_thickness_mm"]
_LFL = COL["anatomy.ligamentum_flavum_length_mm"]
_D4 = COL["anatomy.l4_root_diameter_mm"]
_DDRG = COL["anatomy.l4_drg_diameter_mm"]
_D5 = COL["anatomy.l5_root_diameter_mm"]
_MOB = COL["anatomy.root_bed_mobility_mm"]
_RLAT = COL["anatomy.foramen_lateral_offset_mm"]
_MASS = COL["anatomy.body_mass_kg"]
_HL = COL["pathology.disc_height_loss_mm"]
_BULGE = COL["pathology.disc_bulge_mm"]
_HSIZE = COL["pathology.herniation_size_mm"]
_SLIP = COL["pathology.slip_mm"]
_SLIPI = COL["pathology.slip_instability_mm"]
_FACETH = COL["pathology.facet_hypertrophy_mm"]
_LFH = COL["pathology.ligamentum_flavum_hypertrophy_mm"]
_KF0 = COL["tissue.flexion_toe_stiffness_nm_per_deg"]
_BF = COL["tissue.flexion_stiffening_per_deg"]
_KE0 = COL["tissue.extension_toe_stiffness_nm_per_deg"]
_BE = COL["tissue.extension_stiffening_per_deg"]
_KL0 = COL["tissue.lateral_toe_stiffness_nm_per_deg"]
_BL = COL["tissue.lateral_stiffening_per_deg"]
_KA0 = COL["tissue.axial_toe_stiffness_nm_per_deg"]
_BA = COL["tissue.axial_stiffening_per_deg"]
_KD0 = COL["tissue.disc_axial_toe_stiffness_n_per_mm"]
_BD = COL["tissue.disc_axial_stiffening_per_mm"]
_KFAC = COL["tissue.facet_stiffness_n_per_mm"]
_GAP = COL["tissue.facet_gap_mm"]
_LEVER = COL["tissue.facet_lever_arm_mm"]
_SMOOTH = COL["tissue.facet_contact_smoothing_mm"]
_COR = COL["tissue.cor_anterior_offset_mm"]
_KIDP = COL["tissue.idp_correction_factor"]
_BPH = COL["tissue.bulge_per_height_loss"]
_BPI = COL["tissue.bulge_per_idp_mm_per_mpa"]
_PSEUDO = COL["tissue.slip_pseudo_bulge_ratio"]
_SLIPREC = COL["tissue.slip_recess_ratio"]
_FFRAC = COL["tissue.foraminal_flavum_fraction"]
_CREACH = COL["tissue.central_herniation_reach"]
_XCLEAR = COL["tissue.extraforaminal_clearance_mm"]
_PEDOFF = COL["tissue.l5_pedicle_offset_mm"]
_SAPTIP = COL["tissue.sap_tip_height_mm"]
_E0 = COL["tissue.root_transverse_modulus_kpa"]
_BROOT = COL["tissue.root_stiffening"]
_LIFT0 = COL["lifting.trunk_flexion_deg"]
_CONTACT = COL["grading.contact_clearance_mm"]
_GRADE0 = COL["grading.mild_pressure_mmhg"]
_ZONE = COL["pathology.herniation_zone"]
_HSIDE = COL["pathology.herniation_side"]
_POSTURE = COL["posture"]


# ------------------------------------------------------------------ stage 1
@njit(cache=True)
def _lifting_loads(mass, trunk_deg, hand, f_ub, d_ub, length, reach, lever, passive):
    a = math.radians(trunk_deg)
    m_ub = f_ub * mass
    moment = 9.81 * (m_ub * d_ub * math.sin(a) + hand * (length * math.sin(a) + reach)) / 1000.0
    force = (1.0 - passive) * moment / (lever / 1000.0) + 9.81 * (m_ub + hand) * math.cos(a)
    return force, passive * moment


# ------------------------------------------------------------------ stage 2
@njit(cache=True)
def _bending_moment(a, k0, b):
    """Moment and tangent stiffness of the moment-rotation law at ``a`` [deg]."""
    s = 1.0 if a >= 0.0 else -1.0
    x = abs(a)
    if b > 0.0:
        return s * k0 / b * math.expm1(b * x), k0 * math.exp(b * x)
    return s * k0 * x, k0


@njit(cache=True)
def _bending_angle(m, k0, b):
    s = 1.0 if m >= 0.0 else -1.0
    if m == 0.0:
        s = 0.0
    x = abs(m)
    if b > 0.0:
        return s * math.log1p(x * b / k0) / b
    return s * x / k0


@njit(cache=True)
def _disc_force(w, k0, b):
    if w > 0.0:
        return k0 / b * math.expm1(b * w), k0 * math.exp(b * w)
    return k0 * w, k0


@njit(cache=True)
def _facet_force(c, k, s):
    root = math.sqrt(c * c + s * s)
    return k * 0.5 * (c + root), k * 0.5 * (1.0 + c / root)


@njit(cache=True)
def _axial_solve(force, a_deg, hl, k0, b, kf, gap, lever, smooth, w_start):
    """Disc compression balancing ``force`` from a first guess ``w_start`` (NaN: the disc alone).

    Returns (w, facet force, dFfacet/dc, dFdisc/dw, iterations).
    """
    lo = -(hl + lever + 1.0) - kf * smooth / k0
    hi = math.log1p(max(force, 0.0) * b / k0) / b + 1.0
    offset = hl + lever * math.sin(math.radians(-a_deg)) - gap
    w = hi - 1.0
    if w_start == w_start and lo < w_start < hi:
        w = w_start
    it = 0
    for it in range(1, _MAX_ITER + 1):
        fd, kd = _disc_force(w, k0, b)
        ff, kff = _facet_force(w + offset, kf, smooth)
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
    fd, kd = _disc_force(w, k0, b)
    ff, kff = _facet_force(w + offset, kf, smooth)
    return w, ff, kff, kd, it


@njit(cache=True)
def _sagittal_residual(a, ff, ff0, moment, kf0, bf, ke0, be, lever):
    """Sagittal moment residual [N m] at angle ``a`` with facet force ``ff``: (r, dr/da, dr/dff).

    ``r = M_tissue(a) - r_f P(ff - ff0) / 1000 - M``, ``P`` the smooth positive part
    (see ``sim.mechanics``); dr/da at fixed facet force.
    """
    if a >= 0.0:
        mt, kt = _bending_moment(a, kf0, bf)
    else:
        mt, kt = _bending_moment(a, ke0, be)
    df = ff - ff0
    root = math.sqrt(df * df + _FACET_MOMENT_SMOOTHING_N * _FACET_MOMENT_SMOOTHING_N)
    r = mt - lever * (0.5 * (df + root) - 0.5 * _FACET_MOMENT_SMOOTHING_N) / 1000.0 - moment
    return r, kt, -lever * 0.5 * (1.0 + df / root) / 1000.0


@njit(cache=True)
def _joint_newton(force, moment, hl, kf0, bf, ke0, be, kd0, bd, kfac, gap, lever, smooth, ff0, a, w):
    """Newton on both unknowns (a, w) at once from a first guess: (a, w, iterations, converged).

    One evaluation of each tissue law per step instead of a full inner solve
    per outer step; gives up (converged False) when it leaves the angle
    bracket or stalls, and the caller then runs the bracketed iteration.
    """
    deg = math.pi / 180.0
    for it in range(1, _JOINT_MAX_ITER + 1):
        sa, ca = math.sin(-a * deg), math.cos(-a * deg)
        fd, kd = _disc_force(w, kd0, bd)
        ff, kff = _facet_force(w + hl + lever * sa - gap, kfac, smooth)
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
        if not (-_ANGLE_BRACKET_DEG < a < _ANGLE_BRACKET_DEG) or not (abs(w) < _JOINT_MAX_W_MM):
            return a, w, it, False
        if abs(da) <= _STEP_TOL * (1.0 + abs(a)) and abs(dw) <= 1e-2 * _STEP_TOL * (1.0 + abs(w)):
            return a, w, it, True
    return a, w, _JOINT_MAX_ITER, False


@njit(cache=True)
def _sagittal_solve(force, moment, hl, kf0, bf, ke0, be, kd0, bd, kfac, gap, lever, smooth):
    """Sagittal rotation and disc compression: (angle, w, facet force, iterations).

    Joint Newton first; if it fails, a safeguarded Newton on the angle (Newton
    step inside the bracket, else bisection) with an inner axial solve, which
    always converges.
    """
    w0, ff0, _, _, _ = _axial_solve(force, 0.0, hl, kd0, bd, kfac, gap, lever, smooth, np.nan)
    lo, hi = -_ANGLE_BRACKET_DEG, _ANGLE_BRACKET_DEG
    # first guess: the tissue law alone (exact when the facets stay as in upright compression)
    if moment >= 0.0:
        a0 = _bending_angle(moment, kf0, bf)
    else:
        a0 = _bending_angle(moment, ke0, be)
    a0 = min(max(a0, lo + 1e-6), hi - 1e-6)
    a, w, it, ok = _joint_newton(force, moment, hl, kf0, bf, ke0, be, kd0, bd, kfac, gap, lever, smooth,
                                 ff0, a0, w0)
    if ok:
        ff, _ = _facet_force(w + hl + lever * math.sin(math.radians(-a)) - gap, kfac, smooth)
        return a, w, ff, it
    return _bracketed_solve(force, moment, hl, kf0, bf, ke0, be, kd0, bd, kfac, gap, lever, smooth, ff0, a0, w0)


@njit(cache=True)
def _bracketed_solve(force, moment, hl, kf0, bf, ke0, be, kd0, bd, kfac, gap, lever, smooth, ff0, a, w):
    """The fallback: Newton on the angle inside a shrinking bracket, an axial solve at each step."""
    lo, hi = -_ANGLE_BRACKET_DEG, _ANGLE_BRACKET_DEG
    it = 0
    for it in range(1, _MAX_ITER + 1):
        w, ff, kff, kd, _ = _axial_solve(force, a, hl, kd0, bd, kfac, gap, lever, smooth, w)
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
    w, ff, _, _, _ = _axial_solve(force, a, hl, kd0, bd, kfac, gap, lever, smooth, w)
    return a, w, ff, it


# ------------------------------------------------------------------ stage 3
@njit(cache=True)
def _faces(n, c, p, bulge, hern, narrowing, angle, dx, dy, slip):
    """Fill the ten foramen faces (neutral, then L4 faces moved) into ``n`` (10,2), ``c`` (10,)."""
    h, w, hp = p[_FH], p[_FW], p[_HP]
    b = p[_PEDOFF]
    w_low = w - narrowing
    w_up = p[_FWR] * w
    x_t, y_t = -w_low, hp + p[_SAPTIP]
    s = 1.0 / math.sqrt(2.0)
    hern_c = bulge + hern if hern > 0.0 else -_INACTIVE_MM
    n[_ROOF, 0], n[_ROOF, 1], c[_ROOF] = 0.0, 1.0, h - b
    n[_L4_WALL, 0], n[_L4_WALL, 1], c[_L4_WALL] = 1.0, 0.0, 0.0
    n[_DISC, 0], n[_DISC, 1], c[_DISC] = 1.0, 0.0, -bulge
    n[_HERN, 0], n[_HERN, 1], c[_HERN] = 1.0, 0.0, -hern_c
    n[_SAP, 0], n[_SAP, 1], c[_SAP] = -1.0, 0.0, w_low
    n[_SAP_TIP, 0], n[_SAP_TIP, 1], c[_SAP_TIP] = -s, -s, -s * (x_t + y_t)
    n[_PARS, 0], n[_PARS, 1], c[_PARS] = -1.0, 0.0, w_up
    n[_FLOOR, 0], n[_FLOOR, 1], c[_FLOOR] = 0.0, -1.0, b
    n[_ABOVE_TIP, 0], n[_ABOVE_TIP, 1], c[_ABOVE_TIP] = 0.0, -1.0, -y_t
    n[_BELOW_TIP, 0], n[_BELOW_TIP, 1], c[_BELOW_TIP] = 0.0, 1.0, y_t
    # L4 faces: n' = Q n, c' = c + n'.t with t = cor - Q cor + (dx, dy); the pars without the slip
    a = math.radians(-angle)
    ca, sa = math.cos(a), math.sin(a)
    cx = p[_COR]
    tx = cx - ca * cx + dx
    ty = -sa * cx + dy
    for i in (_ROOF, _L4_WALL, _PARS):
        nx = ca * n[i, 0] - sa * n[i, 1]
        ny = sa * n[i, 0] + ca * n[i, 1]
        n[i, 0], n[i, 1] = nx, ny
        if i == _PARS:
            c[i] = c[i] + nx * (tx - slip) + ny * ty
        else:
            c[i] = c[i] + nx * tx + ny * ty


@njit(cache=True)
def _polygon_area(n, c, part, buf_a, buf_b):
    """Area of one convex part by Sutherland-Hodgman clipping of a box [mm^2]."""
    m = 4
    buf_a[0, 0], buf_a[0, 1] = -_BOX_MM, -_BOX_MM
    buf_a[1, 0], buf_a[1, 1] = _BOX_MM, -_BOX_MM
    buf_a[2, 0], buf_a[2, 1] = _BOX_MM, _BOX_MM
    buf_a[3, 0], buf_a[3, 1] = -_BOX_MM, _BOX_MM
    src, dst = buf_a, buf_b
    for i in part:
        k = 0
        for j in range(m):
            px, py = src[j, 0], src[j, 1]
            qx, qy = src[(j + 1) % m, 0], src[(j + 1) % m, 1]
            dp = n[i, 0] * px + n[i, 1] * py - c[i]
            dq = n[i, 0] * qx + n[i, 1] * qy - c[i]
            if dp <= 0.0:
                dst[k, 0], dst[k, 1] = px, py
                k += 1
            if (dp <= 0.0) != (dq <= 0.0):
                t = dp / (dp - dq)
                dst[k, 0], dst[k, 1] = px + t * (qx - px), py + t * (qy - py)
                k += 1
        m = k
        src, dst = dst, src
        if m == 0:
            return 0.0
    if m < 3:
        return 0.0
    acc = 0.0
    for j in range(m):
        acc += src[j, 0] * src[(j + 1) % m, 1] - src[(j + 1) % m, 0] * src[j, 1]
    return 0.5 * abs(acc)


@njit(cache=True)
def _line_x(n, c, i, y):
    return (c[i] - n[i, 1] * y) / n[i, 0]


@njit(cache=True)
def _foraminal_height(n, c, x):
    h = (c[_ROOF] - n[_ROOF, 0] * x) / n[_ROOF, 1] - (c[_FLOOR] - n[_FLOOR, 0] * x) / n[_FLOOR, 1]
    return max(h, 0.0)


@njit(cache=True)
def _foraminal_width(n, c, y):
    front = min(_line_x(n, c, _DISC, y), _line_x(n, c, _HERN, y))
    return max(front - _line_x(n, c, _SAP, y), 0.0)


# ------------------------------------------------------------------ stage 4
@njit(cache=True)
def _least_squeezed_circle(n, c, part, tether, rows, rhs):
    """Largest tethered circle in one part: enumeration of active triples (see reference)."""
    k = _PART_FACES + 1
    j = 0
    for i in part:
        rows[j, 0], rows[j, 1], rows[j, 2] = n[i, 0], n[i, 1], 1.0
        rhs[j] = c[i]
        j += 1
    rows[_PART_FACES, 0], rows[_PART_FACES, 1], rows[_PART_FACES, 2] = -n[_ROOF, 0], -n[_ROOF, 1], 0.0
    rhs[_PART_FACES] = tether - c[_ROOF]
    bx, by, br, bh = 0.0, 0.0, -np.inf, -np.inf
    for i in range(k):
        for j in range(i + 1, k):
            for l in range(j + 1, k):
                a11, a12, a13 = rows[i, 0], rows[i, 1], rows[i, 2]
                a21, a22, a23 = rows[j, 0], rows[j, 1], rows[j, 2]
                a31, a32, a33 = rows[l, 0], rows[l, 1], rows[l, 2]
                det = (a11 * (a22 * a33 - a23 * a32) - a12 * (a21 * a33 - a23 * a31)
                       + a13 * (a21 * a32 - a22 * a31))
                if abs(det) < 1e-12:
                    continue
                b1, b2, b3 = rhs[i], rhs[j], rhs[l]
                x = (b1 * (a22 * a33 - a23 * a32) - a12 * (b2 * a33 - a23 * b3)
                     + a13 * (b2 * a32 - a22 * b3)) / det
                y = (a11 * (b2 * a33 - a23 * b3) - b1 * (a21 * a33 - a23 * a31)
                     + a13 * (a21 * b3 - b2 * a31)) / det
                r = (a11 * (a22 * b3 - b2 * a32) - a12 * (a21 * b3 - b2 * a31)
                     + b1 * (a21 * a32 - a22 * a31)) / det
                if r < br - _TIE_MM:
                    continue
                ok = True
                for m in range(k):
                    if rows[m, 0] * x + rows[m, 1] * y + rows[m, 2] * r > rhs[m] + 1e-9:
                        ok = False
                        break
                if ok:
                    h = n[_ROOF, 0] * x + n[_ROOF, 1] * y
                    if r > br + _TIE_MM or h > bh + _TIE_MM or (h >= bh - _TIE_MM and x > bx):
                        bx, by, br, bh = x, y, r, h
    return bx, by, br


@njit(cache=True)
def _deformation(d, free):
    e = max(d - free, 0.0) / d
    return min(e, _MAX_DEFORMATION)


@njit(cache=True)
def _pressure(e, e0, b):
    if b > 1e-9:
        return e0 / b * math.expm1(b * e)
    return e0 * e


@njit(cache=True)
def _grade(clearance, e, p, g):
    """Grade code; ``g`` holds the seven grading columns from contact_clearance_mm on."""
    if e <= 0.0:
        return 1.0 if clearance < g[0] else 0.0
    mmhg = p * _MMHG_PER_KPA
    pct = 100.0 * e
    grade = 1.0
    for code in range(3):
        if mmhg >= g[1 + code] or pct >= g[4 + code]:
            grade = 2.0 + code
    return grade


# ------------------------------------------------------------------ fused pipeline
@njit(cache=True)
def _evaluate_row(p, table, coef, out, n, c, buf_a, buf_b, rows, rhs):
    zone = int(p[_ZONE])
    hside = int(p[_HSIDE])
    hl = p[_HL]
    prow = int(p[_POSTURE])
    mass = p[_MASS]
    if table[prow, 4] > 0.5:
        force, m_sag = _lifting_loads(mass, p[_LIFT0], p[_LIFT0 + 1], p[_LIFT0 + 2], p[_LIFT0 + 3],
                                      p[_LIFT0 + 4], p[_LIFT0 + 5], p[_LIFT0 + 6], p[_LIFT0 + 7])
        m_lat, m_ax = 0.0, 0.0
    else:
        scale = mass / 70.0
        force, m_sag = table[prow, 0] * scale, table[prow, 1] * scale
        m_lat, m_ax = table[prow, 2] * scale, table[prow, 3] * scale

    angle, w, f_facet, iters = _sagittal_solve(force, m_sag, hl, p[_KF0], p[_BF], p[_KE0], p[_BE],
                                               p[_KD0], p[_BD], p[_KFAC], p[_GAP], p[_LEVER], p[_SMOOTH])
    lat = _bending_angle(m_lat, p[_KL0], p[_BL])
    axial = _bending_angle(m_ax, p[_KA0], p[_BA])
    f_disc = force - f_facet
    idp = p[_KIDP] * max(f_disc, 0.0) / p[_AREA]
    flex_end = _bending_angle(10.0, p[_KF0], p[_BF])
    ext_end = -_bending_angle(10.0, p[_KE0], p[_BE])
    frac = min(max((angle - ext_end) / (flex_end - ext_end), 0.0), 1.0)
    frac0 = -ext_end / (flex_end - ext_end)
    slip = max(p[_SLIP] + p[_SLIPI] * (frac - frac0), 0.0)

    # without lateral or axial moments and without one-sided disease both sides are mirror images
    symmetric = m_lat == 0.0 and m_ax == 0.0 and (zone <= 1 or hside == 2)
    for s in range(2):
        if s == 1 and symmetric:
            for j in range(NOUT):
                out[1, j] = out[0, j]
            break
        sign = -1.0 if s == 0 else 1.0
        affected = hside == 2 or (hside == 1) == (sign > 0.0)
        o = out[s]
        o[0], o[1], o[2] = angle, lat, axial
        o[3], o[4], o[5], o[6] = force, m_sag, m_lat, m_ax
        o[7], o[8], o[9] = f_disc, f_facet, idp
        o[12] = slip
        o[30] = float(iters)

        closure = (w + p[_COR] * math.sin(math.radians(-angle))
                   + sign * p[_RLAT] * math.sin(math.radians(lat)))
        bulge = (p[_BULGE] + p[_BPH] * (hl + closure) + p[_BPI] * idp + p[_PSEUDO] * slip)
        bulge = max(bulge, 0.0)
        o[11] = bulge
        o[10] = p[_HP] - hl - closure

        flavum_closure = hl + closure + (p[_LEVER] - p[_COR]) * math.sin(math.radians(-angle))
        length = p[_LFL]
        d = min(max(flavum_closure, -0.8 * length), 0.8 * length)
        t0 = p[_LFT]
        thick = (t0 + p[_LFH]) * length / (length - d)
        narrowing = p[_FACETH] + p[_FFRAC] * (thick - t0)
        foraminal_hern = p[_HSIZE] if (zone == 3 and affected) else 0.0
        dx = slip - sign * p[_RLAT] * math.sin(math.radians(axial))
        dy = -(w + hl) - sign * p[_RLAT] * math.sin(math.radians(lat))
        _faces(n, c, p, bulge, foraminal_hern, narrowing, angle, dx, dy, slip)
        o[13] = _foraminal_height(n, c, -0.5 * p[_FW])
        o[14] = _foraminal_width(n, c, 0.5 * o[10])
        o[15] = _polygon_area(n, c, _UPPER_OUTLINE, buf_a, buf_b) + _polygon_area(n, c, _STEM, buf_a, buf_b)

        recess_hern = 0.0
        if zone == 2 and affected:
            recess_hern = p[_HSIZE]
        elif zone == 1:
            recess_hern = p[_CREACH] * p[_HSIZE]
        depth = (p[_LRD] - bulge - p[_FACETH] - (thick - t0) - p[_SLIPREC] * slip - recess_hern)
        depth = max(depth, 0.0)
        o[16] = depth

        mob = p[_MOB]
        g = p[_CONTACT:_CONTACT + 7]
        # L4 root
        d4 = p[_D4]
        x, y, r = _least_squeezed_circle(n, c, _UPPER, 0.5 * d4 + mob, rows, rhs)
        clearance = 2.0 * r - d4
        o[23], o[24] = x, y
        if zone == 4 and affected:
            clearance = min(clearance, p[_XCLEAR] - p[_HSIZE] - bulge)
        e = _deformation(d4, d4 + clearance)
        pr = _pressure(e, p[_E0], p[_BROOT])
        o[17], o[18], o[19] = clearance, 100.0 * e, pr
        grade = _grade(clearance, e, pr, g)
        # L4 dorsal root ganglion
        dg = p[_DDRG]
        x, y, r = _least_squeezed_circle(n, c, _UPPER, 0.5 * dg + mob, rows, rhs)
        clearance = 2.0 * r - dg
        e = _deformation(dg, dg + clearance)
        pr = _pressure(e, p[_E0], p[_BROOT])
        o[20], o[21], o[22] = clearance, 100.0 * e, pr
        o[25] = max(grade, _grade(clearance, e, pr, g))
        # L5 root in the lateral recess
        d5 = p[_D5]
        space = depth + mob * math.tan(math.radians(p[_LRA]))
        clearance = space - d5
        e = _deformation(d5, space)
        pr = _pressure(e, p[_E0], p[_BROOT])
        o[26], o[27], o[28] = clearance, 100.0 * e, pr
        o[29] = _grade(clearance, e, pr, g)
        # stage 5: referred pain of this side
        pain_row(o[19], o[18], o[22], o[21], o[28], o[27], coef, o[_PAIN:_PAIN + 10])


@njit(cache=True)
def _scratch():
    """Per-task work arrays of :func:`_evaluate_row`: faces (normals, offsets), clip buffers, LP rows."""
    return (np.empty((N_FACES, 2)), np.empty(N_FACES), np.empty((_PART_FACES + 8, 2)),
            np.empty((_PART_FACES + 8, 2)), np.empty((_PART_FACES + 1, 3)), np.empty(_PART_FACES + 1))


@njit(parallel=True, cache=True, nogil=True)
def evaluate_batch(matrix, table, coef, chunk):
    """Fused pipeline over a packed batch: ``(n, 2, NOUT)`` outputs; ``prange`` over chunks."""
    n_rows = matrix.shape[0]
    out = np.empty((n_rows, 2, NOUT))
    n_chunks = (n_rows + chunk - 1) // chunk
    for k in prange(n_chunks):
        nrm, cc, buf_a, buf_b, rows, rhs = _scratch()
        start = k * chunk
        stop = min(start + chunk, n_rows)
        for i in range(start, stop):
            _evaluate_row(matrix[i], table, coef, out[i], nrm, cc, buf_a, buf_b, rows, rhs)
    return out


@njit(parallel=True, cache=True, nogil=True)
def evaluate_sets(base_rows, cols, values, table, coef, chunk, keep):
    """Fused pipeline over parameter sets x postures, for sweeps: ``(len(keep), n_sets * n_postures, 2)``.

    Row ``i * n_postures + j`` is ``base_rows[j]`` with columns ``cols`` set to
    ``values[i]``; it is built in a per-thread buffer, so no packed matrix is
    held.  Outputs are result-major, only the results ``keep`` (indices into
    ``OUTPUTS``): each is one contiguous array, as the store keeps it.  Same
    row function as :func:`evaluate_batch`.
    """
    n_post, n_col = base_rows.shape
    n_rows = values.shape[0] * n_post
    out = np.empty((keep.shape[0], n_rows, 2))
    n_chunks = (n_rows + chunk - 1) // chunk
    for k in prange(n_chunks):
        nrm, cc, buf_a, buf_b, rows, rhs = _scratch()
        row = np.empty(n_col)
        res = np.empty((2, NOUT))
        start = k * chunk
        stop = min(start + chunk, n_rows)
        for i in range(start, stop):
            pset, post = divmod(i, n_post)
            row[:] = base_rows[post]
            for j in range(cols.shape[0]):
                row[cols[j]] = values[pset, j]
            _evaluate_row(row, table, coef, res, nrm, cc, buf_a, buf_b, rows, rhs)
            for q in range(keep.shape[0]):
                out[q, i, 0] = res[0, keep[q]]
                out[q, i, 1] = res[1, keep[q]]
    return out


def _check_layout():
    """Output positions written by index above must match ``layout.OUTPUTS``."""
    expected = {
        "segment_angle_deg": 0, "idp_mpa": 9, "disc_height_posterior_mm": 10, "disc_bulge_mm": 11,
        "slip_mm": 12, "foraminal_height_mm": 13, "foraminal_area_mm2": 15,
        "lateral_recess_depth_mm": 16, "l4_clearance_mm": 17, "l4_drg_clearance_mm": 20,
        "l4_root_x_mm": 23, "l4_grade": 25, "l5_clearance_mm": 26, "l5_grade": 29,
        "solver_iterations": 30, "pain_buttock": 31, "distribution": 40,
    }
    for name, index in expected.items():
        assert OUT[name] == index, name
    assert COL["grading.severe_deformation_pct"] == _CONTACT + 6
    assert COL["lifting.passive_moment_fraction"] == _LIFT0 + 7


_check_layout()
