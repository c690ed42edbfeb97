"""Stage 5, referral: root compression -> nerves -> pain 0-10 in nine body regions.

From the compression of the L4 root, the L4 dorsal root ganglion (DRG, in the
foramen) and the L5 root (stage 4), this stage predicts how much pain each of
nine regions of the leg and hip would carry, per record (one posture, one
side), and the distribution label of the record (the reading across postures,
neurogenic claudication included, is ``sim.signature``).  Its numbers are
parameters (``[referral.*]`` in ``sim/data/parameters.toml``: unit, range,
source, ``--set``); the territories and nerve composition are cited data in
``sim/data/referral.toml``.

The chain, equation by equation (numbers refer to the function docstrings):

1. stimulus: a smooth maximum of pressure and deformation, each relative to
   the compression that gives half of the maximal pain,
   ``s = ((p / p_half)^k + (d / d_half)^k)^(1/k)``; ``p_half`` = 50 mmHg, where
   intraneural oedema forms within hours (Olmarker 1989) and the grade turns
   "moderate"; the DRG stimulus is multiplied by ``drg_sensitivity_gain`` (Howe 1977);
2. pain fraction (the dose-response): ``f = s^h / (1 + s^h)`` with h = 4, zero at
   zero with zero slope, smooth, monotone, saturating at 1: a touched healthy root
   is nearly painless (Kuslich 1991), pain is about 1/10 at venular stasis (30 mmHg),
   5/10 at oedema (50 mmHg) and above 9/10 at conduction block (100 mmHg, Pedowitz 1992);
3. root drive: L4 = root OR DRG, ``f_L4 = 1 - (1 - f_root)(1 - f_DRG)``;
   L5 = its root (its DRG lies at L5-S1, outside this segment);
4. region pain: ``10 (1 - (1 - v_L4,r f_L4)(1 - v_L5,r f_L5))`` with
   ``v = w / max(w)``: ``w`` is the share of patients with that root compressed who
   feel pain in region ``r`` (Sasaki 2014, Taylor 2013, dermatomes and textbook pain
   distributions), so the root's principal region carries its full intensity and
   the others carry it in proportion to how often they are involved;
5. distribution: "femoral" when the most painful of groin, anterior thigh and
   medial knee/leg reaches ``threshold_pain`` (2 of 10), "sciatic" when the most
   painful of posterior thigh, lateral leg and dorsum of foot does, both, or none.

Main simplification: pain is a static function of the present mechanical
compression, held long enough for its own effects (venous congestion, oedema)
to develop; it is an expected value, and imaging severity predicts pain poorly
in patients (Splettstoesser 2017).  Not modelled: chemical radiculitis (nucleus
pulposus on a root without compression, Olmarker 1993), chronic sensitisation
(Howe 1977), paraesthesia and deficit (a compressed healthy root gives more of
these than pain), the time course of claudication, and hip-joint disease.

Two engines: the vectorised NumPy reference (:func:`pain_reference`,
:func:`add_pain_columns`) and the allocation-free numba twin :func:`pain_row`
that the fused kernel calls with a coefficient vector from
:func:`pack_coefficients`; they agree to 1e-9 relative.

References
----------
sasaki2014, taylor2013, faleiros2009, harrison_table48, howe1977,
olmarker1989, olmarker1989_oedema, pedowitz1992, kuslich1991, takahashi1999,
farrar2001, lesher2008, suri2010 (full citations and addresses in
``sim/data/sources.toml``).
"""

from __future__ import annotations

import math
import tomllib
from functools import lru_cache
from importlib import resources

import numpy as np

from .jit import njit

#: Distribution labels; a record's code is the index (sciatic = 1, femoral = 2, both = 3).
from .layout import DISTRIBUTIONS, OUTPUTS, PAIN_START
from .params import spec_map
from .units import MMHG_PER_KPA

#: The nine body regions, in the order of every array and column in sim.
REGIONS = ("buttock", "lateral_hip", "groin", "anterior_thigh", "posterior_thigh",
           "lateral_thigh", "medial_knee_leg", "lateral_leg", "dorsum_foot")
#: Result columns written by this stage, in REGIONS order.
PAIN_OUTPUTS = tuple("pain_" + r for r in REGIONS)
assert PAIN_OUTPUTS == OUTPUTS[PAIN_START:PAIN_START + len(REGIONS)], "sim/layout.py pain columns out of step"
N_REGIONS = len(REGIONS)
#: Length of ``out`` in :func:`pain_row`: nine region pains and the distribution code.
N_PAIN_ROW = N_REGIONS + 1

#: Compression columns this stage reads from a result table.
INPUT_COLUMNS = ("l4_pressure_kpa", "l4_deformation_pct", "l4_drg_pressure_kpa",
                 "l4_drg_deformation_pct", "l5_pressure_kpa", "l5_deformation_pct")

PAIN_MAX = 10.0

# ----------------------------------------------------------- parameters --
#: The stage's numeric parameters (``[referral.*]`` in ``sim/data/parameters.toml``, with unit,
#: range and source), in the order of their block in ``sim.layout.PARAM_COLUMNS``: the
#: dose-response scalars, then the share of patients with pain in each region per root.
SCALAR_KEYS = ("referral.half_pain_pressure_mmhg", "referral.half_pain_deformation_pct",
               "referral.hill_exponent", "referral.smooth_max_order", "referral.drg_sensitivity_gain",
               "referral.threshold_pain")
L4_SHARE_KEYS = tuple(f"referral.l4_share_{r}" for r in REGIONS)
L5_SHARE_KEYS = tuple(f"referral.l5_share_{r}" for r in REGIONS)
PARAM_KEYS = SCALAR_KEYS + L4_SHARE_KEYS + L5_SHARE_KEYS
#: Index of each quantity in the parameter slice that :func:`pain_row` reads.
P_HALF_PRESSURE_MMHG, P_HALF_DEFORMATION_PCT, P_HILL_EXPONENT, P_SMOOTH_MAX_ORDER, P_DRG_GAIN, \
    P_THRESHOLD_PAIN = range(len(SCALAR_KEYS))
P_L4_SHARE = len(SCALAR_KEYS)
P_L5_SHARE = P_L4_SHARE + N_REGIONS
N_PARAMS = len(PARAM_KEYS)  # 24

#: Old short names of :func:`referral_params` overrides (``pack_coefficients`` before the
#: constants became parameters): ``"drg_sensitivity_gain"``, ``"w_l4.groin"``.
_SHORT_NAMES = {**{k.split(".", 1)[1]: k for k in SCALAR_KEYS},
                **{f"w_l4.{r}": f"referral.l4_share_{r}" for r in REGIONS},
                **{f"w_l5.{r}": f"referral.l5_share_{r}" for r in REGIONS}}

# ---------------------------------------------------- structure (not numbers) --
#: The fixed vector the kernel reads beside the parameters: the unit conversion and the two
#: territory masks (1.0 = region belongs to the territory, REGIONS order).
COEF_MMHG_PER_KPA = 0
COEF_FEMORAL_MASK = 1
COEF_SCIATIC_MASK = COEF_FEMORAL_MASK + N_REGIONS
N_COEF = COEF_SCIATIC_MASK + N_REGIONS  # 19


@lru_cache(maxsize=None)
def referral_data() -> dict:
    """The referral structure of ``sim/data/referral.toml`` (territories, nerves, signature rule; parsed once)."""
    text = resources.files("sim.data").joinpath("referral.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    if tuple(data["regions"]) != REGIONS:
        raise ValueError(f"referral.toml regions {data['regions']} differ from sim.referral.REGIONS {REGIONS}")
    return data


def referral_params(overrides: dict | None = None) -> np.ndarray:
    """The stage's parameters as the float64 vector :func:`pain_row` reads (``PARAM_KEYS`` order).

    Defaults come from the parameter table; ``overrides`` replace them by key
    (``{"referral.drg_sensitivity_gain": 2.0}``; the short names ``"drg_sensitivity_gain"`` and
    ``"w_l4.groin"`` also work), checked against each parameter's range.

    Returns
    -------
    numpy.ndarray of float64, shape (24,)

    Examples
    --------
    >>> float(referral_params()[P_HALF_PRESSURE_MMHG])  # mmHg
    50.0
    """
    specs = spec_map()
    values = np.array([float(specs[k].default) for k in PARAM_KEYS])
    for key, value in (overrides or {}).items():
        full = _SHORT_NAMES.get(key, key)
        if full not in PARAM_KEYS:
            allowed = ", ".join(PARAM_KEYS)
            raise KeyError(f"unknown referral parameter {key!r}; allowed: {allowed}")
        values[PARAM_KEYS.index(full)] = specs[full].check(value)
    return values


def region_weights(root: str, params=None) -> np.ndarray:
    """Shares ``w[root, region]`` (share of patients with pain in the region), REGIONS order.

    Parameters
    ----------
    root : "L4" or "L5"
    params : array_like, optional
        The stage's parameter vector (:func:`referral_params`); default parameters if omitted.

    Returns
    -------
    numpy.ndarray of shape (9,), dimensionless in [0, 1]

    Examples
    --------
    >>> float(region_weights("L4")[REGIONS.index("groin")])  # Sasaki 2014: 5 of 20
    0.25
    """
    prm = referral_params() if params is None else np.asarray(params, dtype=np.float64)
    start = {"L4": P_L4_SHARE, "L5": P_L5_SHARE}[root.upper()]
    return prm[start:start + N_REGIONS].copy()


def relative_weights(weights) -> np.ndarray:
    """Region weights relative to the root's principal region: ``v_r = w_r / max_r w_r``.

    The principal region (L4: anterior thigh and medial knee/leg; L5: lateral leg) carries the
    root's full pain intensity; the other regions carry it in proportion to how often they are
    involved.  A root with no weight anywhere refers nowhere.

    Examples
    --------
    >>> round(float(relative_weights(region_weights("L4"))[REGIONS.index("groin")]), 3)  # 0.25 / 0.6
    0.417
    """
    w = np.asarray(weights, dtype=np.float64)
    top = float(np.max(w)) if w.size else 0.0
    return w / top if top > 0.0 else np.zeros_like(w)


def territory_mask(name: str) -> np.ndarray:
    """1.0 for the regions of the "femoral" or "sciatic" territory, else 0.0 (REGIONS order)."""
    regions = referral_data()["distribution"][f"{name}_regions"]["regions"]
    return np.array([1.0 if r in regions else 0.0 for r in REGIONS])


def pack_coefficients() -> np.ndarray:
    """The fixed structure vector :func:`pain_row` reads beside the parameters.

    Layout (length ``N_COEF`` = 19; index constants ``COEF_*`` in this module):
    index 0 the unit conversion mmHg per kPa (``sim.units``), 1-9 the femoral-territory
    mask and 10-18 the sciatic-territory mask (1.0 = region in the territory, REGIONS
    order).  The numbers of the model are parameters (:func:`referral_params`).

    Returns
    -------
    numpy.ndarray of float64, shape (19,)
    """
    coef = np.zeros(N_COEF, dtype=np.float64)
    coef[COEF_MMHG_PER_KPA] = MMHG_PER_KPA
    coef[COEF_FEMORAL_MASK:COEF_FEMORAL_MASK + N_REGIONS] = territory_mask("femoral")
    coef[COEF_SCIATIC_MASK:COEF_SCIATIC_MASK + N_REGIONS] = territory_mask("sciatic")
    return coef


# ----------------------------------------------------------- reference --
def _nonnegative(x):
    """Negative inputs (numerical noise from stage 4) count as zero; NaN stays NaN."""
    x = np.asarray(x, dtype=np.float64)
    return np.where(x < 0.0, 0.0, x)


def compression_stimulus(pressure_kpa, deformation_pct, half_pain_pressure_mmhg=50.0,
                         half_pain_deformation_pct=36.6, smooth_max_order=4.0,
                         mmhg_per_kpa=MMHG_PER_KPA):
    """Dimensionless compression stimulus of a root or ganglion (equation 1).

    ``s = ((p / p_half)^k + (d / d_half)^k)^(1/k)`` with ``p`` in mmHg: a smooth
    maximum of the pressure and the deformation, each relative to the value that
    gives half of the maximal pain. ``s = 1`` is half-maximal pain.

    Parameters
    ----------
    pressure_kpa : array_like
        Contact pressure on the root [kPa].
    deformation_pct : array_like
        Transverse deformation of the root [%].
    half_pain_pressure_mmhg : float
        Pressure for half-maximal pain [mmHg]: intraneural oedema within 2 h
        (Olmarker 1989, Spine 14:569), the "moderate" grade.
    half_pain_deformation_pct : float
        Deformation for half-maximal pain [%]: where the default transverse root
        law reaches ``half_pain_pressure_mmhg``.
    smooth_max_order : float
        Order ``k`` of the smooth maximum (1 = sum; large = max).
    mmhg_per_kpa : float
        Unit conversion [mmHg/kPa].

    Returns
    -------
    numpy.ndarray
        Stimulus [1], >= 0.

    References
    ----------
    olmarker1989 (venules 30, capillaries 40 +/- 6 mmHg); olmarker1989_oedema
    (oedema after 2 h at 50 mmHg); pedowitz1992.

    Examples
    --------
    >>> round(float(compression_stimulus(50.0 * KPA_PER_MMHG, 0.0)), 12)
    1.0
    """
    p = _nonnegative(pressure_kpa) * mmhg_per_kpa / half_pain_pressure_mmhg
    d = _nonnegative(deformation_pct) / half_pain_deformation_pct
    k = smooth_max_order
    return (p ** k + d ** k) ** (1.0 / k)


def pain_fraction(stimulus, hill_exponent=4.0):
    """Fraction of the maximal pain for a stimulus (equation 2, the dose-response): ``f = s^h / (1 + s^h)``.

    Zero at zero stimulus with zero slope (h > 1), one half at ``s = 1``,
    monotone, smooth and saturating towards 1.  h = 4 is the smallest integer that
    keeps the pain at the mild threshold (30 mmHg, s = 0.6) below the 2 points that
    count as present (Farrar 2001); the severe threshold (100 mmHg) then gives 9.4.

    Parameters
    ----------
    stimulus : array_like
        Compression stimulus [1] from :func:`compression_stimulus`.
    hill_exponent : float
        Steepness ``h`` [1].

    References
    ----------
    kuslich1991 (a normal root is insensitive), olmarker1989, pedowitz1992, farrar2001.

    Returns
    -------
    numpy.ndarray in [0, 1)

    Examples
    --------
    >>> float(pain_fraction(1.0))
    0.5
    """
    sh = np.asarray(stimulus, dtype=np.float64) ** hill_exponent
    return sh / (1.0 + sh)


def root_drive(root_fraction, drg_fraction):
    """Drive of a root from its intradural part and its ganglion (equation 3, probabilistic OR).

    ``f = 1 - (1 - f_root)(1 - f_DRG)``: both feed the same fibres and the same
    referral pattern; either alone drives it, together they never exceed 1.

    Examples
    --------
    >>> float(root_drive(0.5, 0.5))
    0.75
    """
    return 1.0 - (1.0 - np.asarray(root_fraction)) * (1.0 - np.asarray(drg_fraction))


def region_pain(l4_drive, l5_drive, weights_l4=None, weights_l5=None):
    """Pain 0-10 per region from the two root drives (equation 4).

    ``pain_r = 10 (1 - (1 - v_L4,r f_L4)(1 - v_L5,r f_L5))``: region ``r`` hurts
    if either root refers there; ``v = w / max(w)`` is the share ``w`` of patients
    with that root compressed who feel pain in ``r``, relative to the root's
    principal region, which carries the root's full intensity (0 when both drives
    are 0, monotone in each).

    Parameters
    ----------
    l4_drive, l5_drive : array_like, shape (n,)
        Root drives in [0, 1].
    weights_l4, weights_l5 : array_like, shape (9,), optional
        Relative region weights ``v``; default from the shares in ``referral.toml``
        (:func:`relative_weights`).

    Returns
    -------
    numpy.ndarray of shape (n, 9), pain 0-10 in REGIONS order.

    References
    ----------
    sasaki2014 (groin: L4 5/20, L5 0/127), taylor2013 (L5 dermatome: 61.2 % back,
    22.4 % front), faleiros2009 (dermatomes), harrison_table48 (pain distributions).
    """
    w4 = relative_weights(region_weights("L4")) if weights_l4 is None else np.asarray(weights_l4, dtype=np.float64)
    w5 = relative_weights(region_weights("L5")) if weights_l5 is None else np.asarray(weights_l5, dtype=np.float64)
    f4 = np.atleast_1d(np.asarray(l4_drive, dtype=np.float64))[:, None]
    f5 = np.atleast_1d(np.asarray(l5_drive, dtype=np.float64))[:, None]
    return PAIN_MAX * (1.0 - (1.0 - w4 * f4) * (1.0 - w5 * f5))


def distribution_code(pain, threshold_pain=2.0, femoral_mask=None, sciatic_mask=None):
    """Distribution code (index into DISTRIBUTIONS) of each row of region pains (rule 5).

    femoral (+2) when max(groin, anterior_thigh, medial_knee_leg) >= threshold;
    sciatic (+1) when max(posterior_thigh, lateral_leg, dorsum_foot) >= threshold.

    Parameters
    ----------
    pain : array_like, shape (n, 9)
    threshold_pain : float
        Pain that counts as present [0-10]; 2 points (Farrar 2001).

    Returns
    -------
    numpy.ndarray of float64 codes 0..3 (float, as in the kernel's output row).
    """
    pain = np.atleast_2d(np.asarray(pain, dtype=np.float64))
    fm = territory_mask("femoral") if femoral_mask is None else np.asarray(femoral_mask)
    sm = territory_mask("sciatic") if sciatic_mask is None else np.asarray(sciatic_mask)
    femoral = np.max(np.where(fm > 0.5, pain, 0.0), axis=1) >= threshold_pain
    sciatic = np.max(np.where(sm > 0.5, pain, 0.0), axis=1) >= threshold_pain
    return sciatic * 1.0 + femoral * 2.0


def pain_reference(l4_pressure_kpa, l4_deformation_pct, drg_pressure_kpa, drg_deformation_pct,
                   l5_pressure_kpa, l5_deformation_pct, coef=None, params=None):
    """Reference engine: region pains and distribution code for n records.

    Same inputs, parameter vector, structure vector and output layout as :func:`pain_row`,
    vectorised with NumPy.

    Parameters
    ----------
    coef : array_like, optional
        Structure vector (:func:`pack_coefficients`).
    params : array_like, optional
        The stage's parameters (:func:`referral_params`); default parameters if omitted.

    Returns
    -------
    numpy.ndarray of shape (n, 10): nine region pains 0-10 (REGIONS order) and
    the distribution code (index into DISTRIBUTIONS) in the last column.

    Examples
    --------
    >>> row = pain_reference(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)[0]
    >>> float(row.max())
    0.0
    """
    c = pack_coefficients() if coef is None else np.asarray(coef, dtype=np.float64)
    q = referral_params() if params is None else np.asarray(params, dtype=np.float64)
    scale = dict(half_pain_pressure_mmhg=q[P_HALF_PRESSURE_MMHG], half_pain_deformation_pct=q[P_HALF_DEFORMATION_PCT],
                 smooth_max_order=q[P_SMOOTH_MAX_ORDER], mmhg_per_kpa=c[COEF_MMHG_PER_KPA])
    h = q[P_HILL_EXPONENT]
    f_root = pain_fraction(compression_stimulus(l4_pressure_kpa, l4_deformation_pct, **scale), h)
    f_drg = pain_fraction(q[P_DRG_GAIN] * compression_stimulus(drg_pressure_kpa, drg_deformation_pct, **scale), h)
    f5 = pain_fraction(compression_stimulus(l5_pressure_kpa, l5_deformation_pct, **scale), h)
    f4 = root_drive(f_root, f_drg)
    f4, f5 = np.broadcast_arrays(np.atleast_1d(f4), np.atleast_1d(f5))
    pain = region_pain(f4, f5, relative_weights(region_weights("L4", q)), relative_weights(region_weights("L5", q)))
    code = distribution_code(pain, q[P_THRESHOLD_PAIN], c[COEF_FEMORAL_MASK:COEF_FEMORAL_MASK + N_REGIONS],
                             c[COEF_SCIATIC_MASK:COEF_SCIATIC_MASK + N_REGIONS])
    return np.column_stack([pain, code])


def root_pain_intensity(pressure_kpa, deformation_pct=0.0, ganglion=False, params=None):
    """Pain 0-10 of one root (or, with ``ganglion=True``, the L4 DRG) alone: ``10 f``.

    The intensity a patient with that root compressed would feel where the pain
    is referred (region pains are this times the relative region weight).

    Parameters
    ----------
    params : array_like, optional
        The stage's parameters (:func:`referral_params`); default parameters if omitted.

    Examples
    --------
    >>> round(float(root_pain_intensity(53.0 * KPA_PER_MMHG)), 2)  # Takahashi 1999 mean 53 mmHg
    5.58
    """
    q = referral_params() if params is None else np.asarray(params, dtype=np.float64)
    s = compression_stimulus(pressure_kpa, deformation_pct, q[P_HALF_PRESSURE_MMHG], q[P_HALF_DEFORMATION_PCT],
                             q[P_SMOOTH_MAX_ORDER])
    if ganglion:
        s = q[P_DRG_GAIN] * s
    return PAIN_MAX * pain_fraction(s, q[P_HILL_EXPONENT])


def nerve_involvement(l4_drive, l5_drive) -> dict:
    """Drive 0-1 of each peripheral nerve from the root drives (root -> nerve layer).

    ``1 - (1 - c_L4 f_L4)(1 - c_L5 f_L5)`` with ``c`` the root's share of the
    nerve (equal share among its roots). For reports; the region pains use the
    root -> region weights directly.
    """
    out = {}
    for name, nerve in referral_data()["nerves"].items():
        out[name] = 1.0 - (1.0 - nerve["contribution_l4"] * np.asarray(l4_drive)) * (
            1.0 - nerve["contribution_l5"] * np.asarray(l5_drive))
    return out


# -------------------------------------------------------------- kernel --
@njit(cache=True)
def _stimulus(pressure_kpa, deformation_pct, prm, coef):
    p = pressure_kpa if not (pressure_kpa < 0.0) else 0.0
    d = deformation_pct if not (deformation_pct < 0.0) else 0.0
    if p == 0.0 and d == 0.0:  # an unsqueezed root (most records): 0 without the roots below
        return 0.0
    p = p * coef[COEF_MMHG_PER_KPA] / prm[P_HALF_PRESSURE_MMHG]
    d = d / prm[P_HALF_DEFORMATION_PCT]
    k = prm[P_SMOOTH_MAX_ORDER]
    if k == 4.0:  # the default order without pow(): three times faster, same value to rounding
        p2, d2 = p * p, d * d
        return math.sqrt(math.sqrt(p2 * p2 + d2 * d2))
    return (p ** k + d ** k) ** (1.0 / k)


@njit(cache=True)
def _fraction(stimulus, hill_exponent):
    if hill_exponent == 4.0:  # the default, without pow(): same value to rounding
        s2 = stimulus * stimulus
        sh = s2 * s2
    elif hill_exponent == 2.0:
        sh = stimulus * stimulus
    else:
        sh = stimulus ** hill_exponent
    return sh / (1.0 + sh)


@njit(cache=True)
def _largest(prm, start):
    top = 0.0
    for r in range(N_REGIONS):
        if prm[start + r] > top:
            top = prm[start + r]
    return top


@njit(cache=True, forceinline=True)
def pain_row(l4_pressure_kpa, l4_deformation_pct, drg_pressure_kpa, drg_deformation_pct,
             l5_pressure_kpa, l5_deformation_pct, prm, coef, out):
    """Numba twin of :func:`pain_reference` for one record; writes ``out`` in place.

    Parameters
    ----------
    l4_pressure_kpa, l4_deformation_pct : float
        L4 root (lateral recess / foramen entry) [kPa], [%].
    drg_pressure_kpa, drg_deformation_pct : float
        L4 dorsal root ganglion in the foramen [kPa], [%].
    l5_pressure_kpa, l5_deformation_pct : float
        L5 root in the lateral recess [kPa], [%].
    prm : float64[24]
        The stage's parameters in ``PARAM_KEYS`` order (the ``referral.*`` block of a packed row,
        or :func:`referral_params`).
    coef : float64[19]
        Structure vector from :func:`pack_coefficients` (unit, territory masks).
    out : float64[10]
        Receives the nine region pains 0-10 (REGIONS order) and, at index 9, the
        distribution code (index into DISTRIBUTIONS). No allocation.
    """
    h = prm[P_HILL_EXPONENT]
    f_root = _fraction(_stimulus(l4_pressure_kpa, l4_deformation_pct, prm, coef), h)
    f_drg = _fraction(prm[P_DRG_GAIN] * _stimulus(drg_pressure_kpa, drg_deformation_pct, prm, coef), h)
    f5 = _fraction(_stimulus(l5_pressure_kpa, l5_deformation_pct, prm, coef), h)
    f4 = 1.0 - (1.0 - f_root) * (1.0 - f_drg)
    top4 = _largest(prm, P_L4_SHARE)
    top5 = _largest(prm, P_L5_SHARE)
    femoral = 0.0
    sciatic = 0.0
    for r in range(N_REGIONS):
        v4 = prm[P_L4_SHARE + r] / top4 if top4 > 0.0 else 0.0
        v5 = prm[P_L5_SHARE + r] / top5 if top5 > 0.0 else 0.0
        pain = PAIN_MAX * (1.0 - (1.0 - v4 * f4) * (1.0 - v5 * f5))
        out[r] = pain
        if coef[COEF_FEMORAL_MASK + r] > 0.5 and pain > femoral:
            femoral = pain
        if coef[COEF_SCIATIC_MASK + r] > 0.5 and pain > sciatic:
            sciatic = pain
    code = 0.0
    if sciatic >= prm[P_THRESHOLD_PAIN]:
        code += 1.0
    if femoral >= prm[P_THRESHOLD_PAIN]:
        code += 2.0
    out[N_REGIONS] = code


@njit(cache=True)
def pain_rows(inputs, prm, coef, out):
    """Loop :func:`pain_row` over ``inputs`` (n, 6) in INPUT_COLUMNS order into ``out`` (n, 10)."""
    for i in range(inputs.shape[0]):
        pain_row(inputs[i, 0], inputs[i, 1], inputs[i, 2], inputs[i, 3], inputs[i, 4], inputs[i, 5],
                 prm, coef, out[i])


# ------------------------------------------------------------- records --
def add_pain_columns(frame, params=None):
    """Copy of a result table with ``pain_<region>`` and ``distribution`` added (reference engine).

    Parameters
    ----------
    frame : pandas.DataFrame
        Records with the compression columns of stage 4 (INPUT_COLUMNS). A
        missing DRG column counts as an uncompressed DRG.

    Returns
    -------
    pandas.DataFrame
    """
    missing = [c for c in ("l4_pressure_kpa", "l4_deformation_pct", "l5_pressure_kpa", "l5_deformation_pct")
               if c not in frame.columns]
    if missing:
        raise KeyError(f"add_pain_columns needs the stage-4 columns {missing}; got {list(frame.columns)}")
    zeros = np.zeros(len(frame))
    args = [frame[c].to_numpy(dtype=np.float64) if c in frame.columns else zeros for c in INPUT_COLUMNS]
    rows = pain_reference(*args, params=params)
    out = frame.copy()
    for j, name in enumerate(PAIN_OUTPUTS):
        out[name] = rows[:, j]
    out["distribution"] = [DISTRIBUTIONS[int(c)] for c in rows[:, N_REGIONS]]
    return out


def has_pain_columns(frame) -> bool:
    """True if ``frame`` holds every pain output."""
    return all(c in frame.columns for c in PAIN_OUTPUTS)



__all__ = [
    "REGIONS", "DISTRIBUTIONS", "PAIN_OUTPUTS", "INPUT_COLUMNS", "N_COEF", "N_PAIN_ROW",
    "SCALAR_KEYS", "PARAM_KEYS", "N_PARAMS", "referral_params",
    "referral_data", "region_weights", "territory_mask", "pack_coefficients",
    "compression_stimulus", "pain_fraction", "root_drive", "region_pain", "distribution_code",
    "pain_reference", "root_pain_intensity", "nerve_involvement", "pain_row", "pain_rows",
    "add_pain_columns", "has_pain_columns",
]

#: Old homes of names that moved up a layer (the clinical reading, the literature targets).
_MOVED = {"posture_signature": "signature", "neurogenic_claudication": "signature",
          "side_distribution": "signature", "presentation_summary": "signature",
          "validation_targets": "validation"}


def __getattr__(name):
    """Keep ``sim.referral.posture_signature`` and friends importable after their move.

    The import is inside this function on purpose: a module-level import would
    be an upward import from the physics layer (and an import cycle).
    """
    if name in _MOVED:
        import importlib

        module = importlib.import_module(f"sim.{_MOVED[name]}")
        return getattr(module, "referral_validation_targets" if name == "validation_targets" else name)
    raise AttributeError(f"module 'sim.referral' has no attribute {name!r}")

