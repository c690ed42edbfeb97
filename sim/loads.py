"""Stage 1, loads: posture -> compression, shear and the three moments at L4-L5.

One static trunk model for every posture (the lifting model generalised).
The upper body above L4-L5 (mass fraction ``f_ub`` of body mass, centre of
mass ``d_ub`` along the trunk, ``e0`` in front of L4-L5 when upright) and a
hand load ``m_h`` (at the shoulders, ``L`` along the trunk, reach ``r``) hang
on a trunk inclined by ``theta`` (+ forward) and ``beta`` (+ to the right):

    M_g  = [W (d_ub sin th + e0 cos th) + H (L sin th + r)] / 1000          sagittal [N m]
    M_gl = (W d_ub + H L) sin(beta) / 1000                                   lateral  [N m]

``W = g f_ub m`` (zero when lying: a support carries it), ``H = g m_h``.  The
posture imposes the L4-L5 rotations: a share of the trunk inclination that
saturates at the end of range of the level, plus a posture's own part
(the pelvic tilt of sitting),

    a = a_posture + A (1 - exp(-k |th| / A)) sign(th),   A = flexion or extension limit

and the passive tissues carry the moment of their own law at that rotation,
``M_p = M_law(a)`` (likewise laterally and axially).  The trunk muscles carry
the rest, with a baseline antagonist force ``F_cc`` that stabilises the upright
trunk (cholewicki1997):

    M_m >= 0:  F_abd = F_cc,  F_es = (M_m + F_cc e_abd) / e_es      M_m = M_g - M_p
    M_m <  0:  F_es  = F_cc,  F_abd = (-M_m + F_cc e_es) / e_abd
    F_lat = max(|M_gl| - |M_pl|, 0) / e_lat,   F_ax = |M_pa| / r_ax

and in the L4-L5 disc plane, inclined by ``delta`` to horizontal (``delta0``
upright, plus the posture's change, plus the pelvic share of the trunk
inclination), with the erector line of action, tilted ``phi`` from the vertical
upright, oblique to the disc normal by ``g = (phi - delta0) max(1 - a/A, 0)``: less
on a steeper disc and with L4-L5 flexion ``a > 0`` (the fascicles align with the
compression axis; :func:`erector_obliquity_deg`):

    F = (W + H) cos(delta) + F_es cos(g) + F_abd + F_lat + F_ax              compression
    S = (W + H) sin(delta) - F_es sin(g)                                      anterior shear

So lifting at 0 deg with no load is standing, and every posture's loads come
from the same equations.  Walking adds the inertia of gait: the posture is
taken at double support, where the body's centre of mass is at its lowest and
is pushed upward, so the ground carries ``n`` body weights (the vertical
ground-reaction peak, keller1996: 1.2 at 1.5 m/s, rising linearly with
speed).  The upper body and the hand load riding on the pelvis share that
acceleration, so the trunk model sees ``n W`` and ``n H`` in place of ``W`` and
``H`` (the posture's ``vertical_load_factor``, 1 for every static posture):
more compression directly and a larger moment for the erector spinae, which
fire in a burst around toe-off (cappozzo1984: L3-L4 compression cycles up to
1.0-2.5 body weights with walking speed).  A custom posture may instead give its loads
directly (a load case: follower load, shear and moments, as in the in vitro
and finite-element literature); load cases scale with body mass / 70 kg.

References
----------
dempster1955 (segment masses), keller1996 (vertical ground reaction in gait), cappozzo1984
(L3-L4 compression in gait), waters1993 (trunk model, NIOSH), mcgill_norman1986
(extensor lever), cholewicki1997 (co-activation), macintosh_bogduk1987 (erector obliquity),
mcgill2000_lordosis and les_orientation2015 (obliquity lost in lumbar flexion),
pearcy1984 (in vivo range per level), endo2012, bae2012, issa2023 (sitting),
wilke1999 (IDP for validation, never an input).
"""

from __future__ import annotations

import math

import numpy as np

from .errors import SimInputError  # noqa: F401  (re-exported for callers)
from .jit import njit
from .postures import (  # noqa: F401
    BUILTIN_POSTURES,
    KINDS,
    LAW_KEYS,
    LIFTING,
    LIFTING_KEYS,
    LOAD_CASE,
    LOAD_KEYS,
    ROW,
    TRUNK,
    TRUNK_POSTURE_KEYS,
    Posture,
    builtin_postures,
    custom_posture,
)
from .units import GRAVITY_M_S2, REFERENCE_BODY_MASS_KG

#: Largest passive moment a posture imposes on the segment [N m]: twice the 10 N m of the in vitro
#: range of motion (yamamoto1989).  A stiffer segment stops short of the posture's rotation there.
PASSIVE_MOMENT_LIMIT_NM = 20.0
#: Position of the vertical load factor of gait in a posture-table row (1 for static postures).
GAIT = ROW["vertical_load_factor"]
#: Compressive strength of a lumbar motion segment [N] (brinckmann1989: 2-10 kN; NIOSH 1981 6.4 kN
#: for half of the segments): a trunk model that asks for more is held at it.
COMPRESSIVE_STRENGTH_N = 10000.0


def bending_moment_nm(angle_deg, toe_stiffness_nm_per_deg, stiffening_per_deg):
    """Resisting moment of the passive segment for a rotation [N m].

    ``M = sign(a) k0 / B (exp(B |a|) - 1)``: tangent stiffness ``k0`` in the
    neutral zone, exponential stiffening towards the end of the range.  Used
    here for the passive moment of an imposed rotation and by ``sim.mechanics``.

    References
    ----------
    yamamoto1989 (calibration: ROM at 10 N m and neutral zone).

    Examples
    --------
    >>> round(float(bending_moment_nm(0.9, 0.5556, 1e-9)), 3)
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
    >>> round(float(bending_angle_deg(0.5, 0.5556, 1e-9)), 3)
    0.9
    """
    m = np.abs(moment_nm)
    k0 = np.asarray(toe_stiffness_nm_per_deg, dtype=float)
    b = np.asarray(stiffening_per_deg, dtype=float)
    a = np.where(b > 0, np.log1p(m * b / k0) / np.where(b > 0, b, 1.0), m / k0)
    return np.sign(moment_nm) * a


def imposed_rotation_deg(trunk_deg, per_trunk, flexion_limit_deg, extension_limit_deg):
    """L4-L5 flexion imposed by a trunk inclination [deg]: ``A (1 - exp(-k |th| / A)) sign(th)``.

    Slope ``k`` near upright, saturating at the level's end of range ``A``
    (pearcy1984: about 14 deg flexion-extension per lumbar level, more flexion
    than extension).

    Examples
    --------
    >>> round(imposed_rotation_deg(40.0, 0.25, 12.0, 4.0), 2)
    6.78
    """
    top = flexion_limit_deg if trunk_deg >= 0.0 else extension_limit_deg
    return math.copysign(-top * math.expm1(-per_trunk * abs(trunk_deg) / top), trunk_deg)


def erector_obliquity_deg(line_tilt_deg, disc_inclination_deg, segment_flexion_deg, flexion_limit_deg):
    """Angle of the erector line of action to the L4-L5 disc normal [deg]; + pulls L4 backwards.

    Upright, the erector line runs down and back from L4 to the pelvis, tilted
    ``phi`` from the vertical, and the disc plane is inclined ``delta0`` to
    horizontal: the line meets the disc normal at ``phi - delta0``.  On a flat
    disc the lumbar fascicles pull L4 backwards (posterior shear); on a steep one
    they pull it forwards, as the back muscles do at L5-S1 upright
    (macintosh_bogduk1987: net anterior shear at L5-S1 upright, posterior in
    flexion).  A trunk inclination and the pelvic tilt of sitting rotate the
    pelvis, the line and the disc together, so only the L4-L5 flexion ``a``
    changes the angle: lumbar flexion stretches the fascicles along the
    compression axis and the obliquity is lost, ``(phi - delta0) (1 - a / A)``
    up to the level's flexion limit ``A``, none beyond; unchanged in extension.
    mcgill2000_lordosis: the pars lumborum fibres lose their posterior shear in
    full lumbar flexion; les_orientation2015 (ultrasound): the fibres turn
    towards the compression axis with spine flexion, not with hip flexion.  The
    linear loss between upright and the end of range is an assumption (the
    sources give the two ends).

    Examples
    --------
    >>> erector_obliquity_deg(18.0, 10.0, 6.0, 12.0), erector_obliquity_deg(18.0, 10.0, -3.0, 12.0)
    (4.0, 8.0)
    >>> erector_obliquity_deg(18.0, 30.0, 0.0, 12.0)
    -12.0
    """
    upright = line_tilt_deg - disc_inclination_deg
    if segment_flexion_deg <= 0.0:
        return upright
    return upright * max(1.0 - segment_flexion_deg / flexion_limit_deg, 0.0)


def trunk_loads(body_mass_kg, trunk_deg, lateral_deg, segment_flexion_deg, segment_lateral_deg,
                segment_axial_deg, inclination_change_deg, hand_kg, supported,
                f_ub, d_ub, length, reach, e_es, e0, e_abd, e_lat, r_ax, f_cc, gamma_deg, delta0,
                pelvic_share, per_trunk, flexion_limit, extension_limit, kf0, bf, ke0, be, kl0, bl, ka0, ba):
    """Loads at L4-L5 from the static trunk model (module docstring), one posture, one person.

    Parameters
    ----------
    body_mass_kg [kg]; trunk_deg, lateral_deg [deg] trunk inclinations; segment_flexion_deg,
    segment_lateral_deg, segment_axial_deg [deg] the posture's own L4-L5 rotations;
    inclination_change_deg [deg]; hand_kg [kg]; supported (1 lying, 0 upright);
    then the [lifting] constants (:data:`LIFTING_KEYS` from the third on) and the
    moment-rotation constants (:data:`LAW_KEYS`).

    Returns
    -------
    (force_n, shear_n, flexion_moment_nm, lateral_moment_nm, axial_moment_nm,
     segment_angle_deg, lateral_angle_deg, axial_angle_deg, held): ``held`` is 1 when a
    rotation stopped at :data:`PASSIVE_MOMENT_LIMIT_NM` or the compression at
    :data:`COMPRESSIVE_STRENGTH_N`.

    Examples
    --------
    >>> f = trunk_loads(70, 0, 0, 0, 0, 0, 0, 0, 0, 0.55, 200, 450, 100, 55, 20, 80, 50, 60, 30, 18, 10,
    ...                 0.5, 0.25, 12, 4, 0.52, 0.15, 0.47, 0.33, 0.54, 0.36, 2.4, 0.54)
    >>> round(f[0])
    581
    """
    free = 1.0 - supported
    w = GRAVITY_M_S2 * f_ub * body_mass_kg * free
    h = GRAVITY_M_S2 * hand_kg
    t = math.radians(trunk_deg)
    m_g = (w * (d_ub * math.sin(t) + e0 * math.cos(t)) + h * (length * math.sin(t) + reach)) / 1000.0
    m_gl = (w * d_ub + h * length) * math.sin(math.radians(lateral_deg)) / 1000.0
    a = segment_flexion_deg + imposed_rotation_deg(trunk_deg, per_trunk, flexion_limit, extension_limit)
    k0, b = (kf0, bf) if a >= 0.0 else (ke0, be)
    a, a_held = reachable_rotation_deg(a, k0, b)
    lat, lat_held = reachable_rotation_deg(segment_lateral_deg, kl0, bl)
    axial, ax_held = reachable_rotation_deg(segment_axial_deg, ka0, ba)
    m_p = float(bending_moment_nm(a, k0, b))
    m_pl = float(bending_moment_nm(lat, kl0, bl))
    m_pa = float(bending_moment_nm(axial, ka0, ba))
    cc = f_cc * free
    m_m = (m_g - m_p) * 1000.0  # carried by the muscles [N mm]
    if m_m >= 0.0:
        f_abd, f_es = cc, (m_m + cc * e_abd) / e_es
    else:
        f_es, f_abd = cc, (-m_m + cc * e_es) / e_abd
    f_lat = max(abs(m_gl) - abs(m_pl), 0.0) * 1000.0 / e_lat * free
    f_ax = abs(m_pa) * 1000.0 / r_ax * free
    delta = math.radians(delta0 + inclination_change_deg + pelvic_share * trunk_deg)
    g = math.radians(erector_obliquity_deg(gamma_deg, delta0, a, flexion_limit))
    force = (w + h) * math.cos(delta) + f_es * math.cos(g) + f_abd + f_lat + f_ax
    shear = (w + h) * math.sin(delta) - f_es * math.sin(g)
    held = max(a_held, lat_held, ax_held, 1.0 if force > COMPRESSIVE_STRENGTH_N else 0.0)
    return min(force, COMPRESSIVE_STRENGTH_N), shear, m_p, m_pl, m_pa, a, lat, axial, held


def reachable_rotation_deg(angle_deg, k0, b):
    """The imposed rotation, or the one at :data:`PASSIVE_MOMENT_LIMIT_NM` if that is smaller.

    Returns (angle [deg], held 0/1).
    """
    top = float(bending_angle_deg(PASSIVE_MOMENT_LIMIT_NM, k0, b))
    if abs(angle_deg) > top:
        return math.copysign(top, angle_deg), 1.0
    return angle_deg, 0.0


def posture_loads(posture_row, body_mass_kg, lifting_params, law_params):
    """Loads of one posture-table row for one person.

    Returns
    -------
    (force_n, shear_n, flexion_moment_nm, lateral_moment_nm, axial_moment_nm, imposed,
     segment_angle_deg, lateral_angle_deg, axial_angle_deg, held): ``imposed`` is 1 for trunk
    postures (the muscles hold the rotations given) and 0 for load cases (rotations
    from equilibrium; the three angles are then 0); ``held`` as in :func:`trunk_loads`.
    """
    r = posture_row
    if r[0] == LOAD_CASE:
        s = body_mass_kg / REFERENCE_BODY_MASS_KG
        return r[1] * s, r[2] * s, r[3] * s, r[4] * s, r[5] * s, 0.0, 0.0, 0.0, 0.0, 0.0
    trunk, hand = (lifting_params[0], lifting_params[1]) if r[0] == LIFTING else (r[6], r[12])
    n = r[GAIT]  # the vertical acceleration of gait scales the weights the trunk carries (module docstring)
    f = trunk_loads(n * body_mass_kg, trunk, r[7], r[8], r[9], r[10], r[11], n * hand, r[13], *lifting_params[2:],
                    *law_params)
    return f[0], f[1], f[2], f[3], f[4], 1.0, f[5], f[6], f[7], f[8]


# ---------------------------------------------------------------- numba twins
@njit(cache=True)
def _bending_moment_nm(a, k0, b):
    """Twin of :func:`bending_moment_nm`: (moment [N m], tangent stiffness [N m/deg]) at ``a`` [deg]."""
    if b > 0.0:
        x = b * abs(a)
        return math.copysign(k0 / b * math.expm1(x), a), k0 * math.exp(x)
    return k0 * a, k0


@njit(cache=True)
def _bending_angle_deg(m, k0, b):
    """Twin of :func:`bending_angle_deg` [deg]."""
    if b > 0.0:
        return math.copysign(math.log1p(abs(m) * b / k0) / b, m)
    return m / k0


@njit(cache=True)
def _imposed_rotation_deg(trunk_deg, per_trunk, flexion_limit_deg, extension_limit_deg):
    """Twin of :func:`imposed_rotation_deg` [deg]."""
    top = flexion_limit_deg if trunk_deg >= 0.0 else extension_limit_deg
    return math.copysign(-top * math.expm1(-per_trunk * abs(trunk_deg) / top), trunk_deg)


#: Twin of :func:`erector_obliquity_deg` (scalar arithmetic only).
_erector_obliquity_deg = njit(cache=True)(erector_obliquity_deg)


@njit(cache=True)
def _trunk_kinematics(trunk_deg, lateral_deg, segment_flexion_deg, segment_lateral_deg, segment_axial_deg,
                      inclination_change_deg, gamma_deg, delta0, pelvic_share, per_trunk, flexion_limit,
                      extension_limit, kf0, bf, ke0, be, kl0, bl, ka0, ba):
    """The part of :func:`_trunk_loads` that does not depend on body mass or hand load: every sine,
    exponential and logarithm (rows of one posture that differ only in mass share it).

    Returns (sin t, cos t, sin lateral, a, lat, axial, held, m_p, m_pl, m_pa, cos delta, sin delta,
    cos gamma, sin gamma).
    """
    t = math.radians(trunk_deg)
    a = segment_flexion_deg + _imposed_rotation_deg(trunk_deg, per_trunk, flexion_limit, extension_limit)
    k0, b = kf0, bf
    if a < 0.0:
        k0, b = ke0, be
    a, a_held = _reachable_rotation_deg(a, k0, b)
    lat, lat_held = _reachable_rotation_deg(segment_lateral_deg, kl0, bl)
    axial, ax_held = _reachable_rotation_deg(segment_axial_deg, ka0, ba)
    m_p = _bending_moment_nm(a, k0, b)[0]
    m_pl = _bending_moment_nm(lat, kl0, bl)[0]
    m_pa = _bending_moment_nm(axial, ka0, ba)[0]
    delta = math.radians(delta0 + inclination_change_deg + pelvic_share * trunk_deg)
    g = math.radians(_erector_obliquity_deg(gamma_deg, delta0, a, flexion_limit))
    return (math.sin(t), math.cos(t), math.sin(math.radians(lateral_deg)), a, lat, axial,
            max(a_held, lat_held, ax_held), m_p, m_pl, m_pa, math.cos(delta), math.sin(delta), math.cos(g),
            math.sin(g))


@njit(cache=True)
def _trunk_forces(body_mass_kg, hand_kg, supported, st, ct, sl, a, lat, axial, held, m_p, m_pl, m_pa, cd, sd, cg, sg,
                  f_ub, d_ub, length, reach, e_es, e0, e_abd, e_lat, r_ax, f_cc):
    """The body-mass part of :func:`_trunk_loads`, from :func:`_trunk_kinematics` (arithmetic only)."""
    free = 1.0 - supported
    w = GRAVITY_M_S2 * f_ub * body_mass_kg * free
    h = GRAVITY_M_S2 * hand_kg
    m_g = (w * (d_ub * st + e0 * ct) + h * (length * st + reach)) / 1000.0
    m_gl = (w * d_ub + h * length) * sl / 1000.0
    cc = f_cc * free
    m_m = (m_g - m_p) * 1000.0
    if m_m >= 0.0:
        f_abd = cc
        f_es = (m_m + cc * e_abd) / e_es
    else:
        f_es = cc
        f_abd = (-m_m + cc * e_es) / e_abd
    f_lat = max(abs(m_gl) - abs(m_pl), 0.0) * 1000.0 / e_lat * free
    f_ax = abs(m_pa) * 1000.0 / r_ax * free
    force = (w + h) * cd + f_es * cg + f_abd + f_lat + f_ax
    shear = (w + h) * sd - f_es * sg
    held = max(held, 1.0 if force > COMPRESSIVE_STRENGTH_N else 0.0)
    return min(force, COMPRESSIVE_STRENGTH_N), shear, m_p, m_pl, m_pa, a, lat, axial, held


@njit(cache=True)
def _trunk_loads(body_mass_kg, trunk_deg, lateral_deg, segment_flexion_deg, segment_lateral_deg,
                 segment_axial_deg, inclination_change_deg, hand_kg, supported,
                 f_ub, d_ub, length, reach, e_es, e0, e_abd, e_lat, r_ax, f_cc, gamma_deg, delta0,
                 pelvic_share, per_trunk, flexion_limit, extension_limit, kf0, bf, ke0, be, kl0, bl, ka0, ba):
    """Twin of :func:`trunk_loads`: :func:`_trunk_kinematics` then :func:`_trunk_forces`."""
    k = _trunk_kinematics(trunk_deg, lateral_deg, segment_flexion_deg, segment_lateral_deg, segment_axial_deg,
                          inclination_change_deg, gamma_deg, delta0, pelvic_share, per_trunk, flexion_limit,
                          extension_limit, kf0, bf, ke0, be, kl0, bl, ka0, ba)
    return _trunk_forces(body_mass_kg, hand_kg, supported, k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8],
                         k[9], k[10], k[11], k[12], k[13], f_ub, d_ub, length, reach, e_es, e0, e_abd, e_lat, r_ax,
                         f_cc)


@njit(cache=True)
def _reachable_rotation_deg(angle_deg, k0, b):
    """Twin of :func:`reachable_rotation_deg`."""
    top = _bending_angle_deg(PASSIVE_MOMENT_LIMIT_NM, k0, b)
    if abs(angle_deg) > top:
        return math.copysign(top, angle_deg), 1.0
    return angle_deg, 0.0


@njit(cache=True)
def _posture_loads(r, body_mass_kg, q, law):
    """Twin of :func:`posture_loads`; ``q`` the [lifting] values (:data:`LIFTING_KEYS`), ``law`` :data:`LAW_KEYS`."""
    if r[0] == LOAD_CASE:
        s = body_mass_kg / REFERENCE_BODY_MASS_KG
        return r[1] * s, r[2] * s, r[3] * s, r[4] * s, r[5] * s, 0.0, 0.0, 0.0, 0.0, 0.0
    trunk, hand = r[6], r[12]
    if r[0] == LIFTING:
        trunk, hand = q[0], q[1]
    n = r[GAIT]
    f = _trunk_loads(n * body_mass_kg, trunk, r[7], r[8], r[9], r[10], r[11], n * hand, r[13], q[2], q[3], q[4], q[5],
                     q[6], q[7], q[8], q[9], q[10], q[11], q[12], q[13], q[14], q[15], q[16], q[17],
                     law[0], law[1], law[2], law[3], law[4], law[5], law[6], law[7])
    return f[0], f[1], f[2], f[3], f[4], 1.0, f[5], f[6], f[7], f[8]


#: Values a memo of :func:`_posture_loads_memo` keys on (the [lifting] and moment-rotation values)
#: and keeps (the :func:`_trunk_kinematics` of one posture).
N_MEMO_KEYS = len(LIFTING_KEYS) + len(LAW_KEYS)
N_MEMO_VALUES = 14


@njit(cache=True, forceinline=True)
def _posture_loads_memo(r, k, body_mass_kg, q, law, memo_in, memo_out):
    """:func:`_posture_loads` of posture-table row ``r`` (index ``k``), the same numbers, with the
    mass-independent :func:`_trunk_kinematics` reused while ``q`` and ``law`` repeat.

    ``memo_in`` (postures, N_MEMO_KEYS) holds the last ``q``, ``law`` of each posture (NaN at
    first: never equal), ``memo_out`` (postures, N_MEMO_VALUES) its kinematics.  Rows of a
    population that varies anatomy and body mass, or of one person, repeat them.
    """
    if r[0] == LOAD_CASE:
        return _posture_loads(r, body_mass_kg, q, law)
    n_q = q.shape[0]
    hit = True
    j = 0
    while hit and j < n_q:
        hit = memo_in[k, j] == q[j]
        j += 1
    j = 0
    while hit and j < law.shape[0]:
        hit = memo_in[k, n_q + j] == law[j]
        j += 1
    trunk, hand = r[6], r[12]
    if r[0] == LIFTING:
        trunk, hand = q[0], q[1]
    if not hit:
        kin = _trunk_kinematics(trunk, r[7], r[8], r[9], r[10], r[11], q[12], q[13], q[14], q[15], q[16], q[17],
                                law[0], law[1], law[2], law[3], law[4], law[5], law[6], law[7])
        for j in range(n_q):
            memo_in[k, j] = q[j]
        for j in range(law.shape[0]):
            memo_in[k, n_q + j] = law[j]
        for j in range(N_MEMO_VALUES):
            memo_out[k, j] = kin[j]
    m = memo_out[k]
    n = r[GAIT]
    f = _trunk_forces(n * body_mass_kg, n * hand, r[13], m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9],
                      m[10], m[11], m[12], m[13], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9], q[10], q[11])
    return f[0], f[1], f[2], f[3], f[4], 1.0, f[5], f[6], f[7], f[8]


def _check():  # pragma: no cover - import-time sanity of the packaged table
    assert set(builtin_postures()) == set(BUILTIN_POSTURES)
    assert all(p.kind in KINDS for p in builtin_postures().values())
