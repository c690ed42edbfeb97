"""Stage 0, interventions: reference and numba twins agree; no intervention changes nothing."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import configurations

import sim
from sim import interventions as ivn
from sim.engine import pack, run_engine
from sim.layout import OUTPUTS
from sim.postures import builtin_postures

RTOL = 1e-9
ATOL = 1e-9
SKIP = {"solver_iterations"}  # Newton vs brentq: different by design


def _iv(rng):
    """A random intervention vector inside the parameter ranges."""
    from sim.params import get_spec

    iv = np.empty(ivn.N_INTERVENTION)
    for i, key in enumerate(ivn.INTERVENTION_KEYS):
        spec = get_spec(key)
        iv[i] = rng.uniform(spec.min, spec.max)
    if rng.random() < 0.5:
        iv[ivn.CAGE_H] = 0.0
    if rng.random() < 0.5:
        iv[ivn.SPACER_H] = 0.0
    return iv


@given(st.integers(0, 2**32 - 1), st.floats(0.0, 5.0), st.floats(0.0, 8.0), st.floats(0.0, 6.0),
       st.sampled_from([-1.0, 1.0]))
def test_stage_twins_agree(seed, hl, slip, herniation, sign):
    rng = np.random.default_rng(seed)
    iv = _iv(rng)
    args = (hl, slip, herniation, 150.0, 80.0, rng.uniform(8, 16), rng.uniform(5, 11), rng.uniform(25, 45),
            rng.uniform(5, 15))
    np.testing.assert_allclose(ivn._surgical_state(*args, iv), ivn.surgical_state(*args, list(iv)), rtol=RTOL,
                               atol=ATOL)
    np.testing.assert_allclose(ivn._side_decompression(sign, iv, 1.5), ivn.side_decompression(sign, list(iv), 1.5),
                               rtol=RTOL)
    assert ivn._facet_stiffness_kept(iv) == pytest.approx(ivn.facet_stiffness_kept(list(iv)), rel=RTOL)
    assert ivn._spacer_stop_deg(iv, 10.0) == pytest.approx(ivn.spacer_stop_deg(list(iv), 10.0), rel=RTOL)


@pytest.mark.parametrize("posture", ["standing", "extension", "sitting", "lifting"])
def test_advised_loads_twin(posture):
    from sim.loads import LAW_KEYS, LIFTING_KEYS
    from sim.params import defaults

    d = defaults()
    row = builtin_postures()[posture].row()
    q = np.array([d[k] for k in LIFTING_KEYS])
    law = np.array([d[k] for k in LAW_KEYS])
    for bias in (0.0, 3.0, 8.0):
        ref = ivn.advised_posture_loads(row, 70.0, list(q), list(law), bias)
        fast = ivn._advised_posture_loads(row, 70.0, q, law, bias)
        np.testing.assert_allclose(fast, ref, rtol=RTOL, atol=ATOL)


@given(configurations(n=6, interventions=True))
def test_numba_matches_reference_with_interventions(batch):
    matrix, table, *_ = pack(batch)
    fast = run_engine(matrix, table, "numba")
    ref = run_engine(matrix, table, "reference")
    for j, name in enumerate(OUTPUTS):
        if name not in SKIP:
            np.testing.assert_allclose(fast[:, :, j], ref[:, :, j], rtol=RTOL, atol=ATOL, err_msg=name)


def test_default_interventions_change_nothing():
    """Setting every intervention key to its default gives exactly the records without them."""
    from sim.params import defaults

    postures = list(sim.engine.BUILTIN_POSTURES)
    plain = sim.evaluate({"posture": postures, "pathology.disc_height_loss_mm": 3.0})
    d = defaults()
    explicit = sim.evaluate({"posture": postures, "pathology.disc_height_loss_mm": 3.0,
                             **{k: d[k] for k in ivn.INTERVENTION_KEYS}})
    for name in OUTPUTS:
        np.testing.assert_array_equal(explicit[name], plain[name], err_msg=name)
