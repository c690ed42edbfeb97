"""The numba engine agrees with the readable reference to 1e-9 on random valid inputs."""

import numpy as np
import pytest
from hypothesis import given
from strategies import configurations

import sim
from sim.engine import pack, run_engine
from sim.layout import OUTPUTS

RTOL = 1e-9
ATOL = 1e-9  # absolute floor for outputs whose true value is zero (mm, deg, kPa: physically nil)
SKIP = {"solver_iterations"}  # Newton vs brentq: different by design


def _compare(batch):
    matrix, table, *_ = pack(batch)
    fast = run_engine(matrix, table, "numba")
    ref = run_engine(matrix, table, "reference")
    for j, name in enumerate(OUTPUTS):
        if name in SKIP:
            continue
        np.testing.assert_allclose(fast[:, :, j], ref[:, :, j], rtol=RTOL, atol=ATOL, err_msg=name)


@given(configurations(n=6))
def test_numba_matches_reference_on_random_inputs(batch):
    _compare(batch)


def test_numba_matches_reference_on_ready_scenarios():
    from pathlib import Path

    for path in sorted(Path(__file__).parents[1].glob("configs/scenarios/*.toml")):
        scenario = sim.load_scenario(path)
        n = len(sim.engine.BUILTIN_POSTURES)
        batch = {k: np.full(n, v, dtype=object if isinstance(v, str) else float) for k, v in scenario.values.items()}
        batch["posture"] = np.array(sim.engine.BUILTIN_POSTURES)
        _compare(batch)


def test_solver_converges_in_few_iterations():
    rng = np.random.default_rng(7)
    n = 400
    r = sim.evaluate({"posture": rng.choice(sim.engine.BUILTIN_POSTURES, n),
                      "pathology.disc_height_loss_mm": rng.uniform(0, 6, n)})
    assert np.all(r["solver_iterations"] >= 1)
    assert np.all(r["solver_iterations"] < 60)


@pytest.mark.parametrize("engine", ["numba", "reference"])
def test_evaluate_side_selection_and_shapes(engine):
    r = sim.evaluate({"posture": ["standing", "extension"], "side": ["left", "right"]}, engine=engine)
    assert list(r["side"]) == ["left", "right"]
    r2 = sim.evaluate({"posture": ["standing", "extension"]}, engine=engine)
    assert list(r2["side"]) == ["left", "right", "left", "right"]
    assert r2["foraminal_area_mm2"].shape == (4,)


def test_result_labels_are_the_codes_choices():
    """Categorical results: the compiled code -> label pass gives NumPy's gather, and a code that is
    no choice's index raises rather than becoming an empty label."""
    from sim.engine import CATEGORICAL_OUTPUTS, _labels

    choices = CATEGORICAL_OUTPUTS["distribution"]
    codes = np.random.default_rng(0).integers(0, len(choices), 1000).astype(float)
    got = _labels(codes, choices)
    assert got.dtype == np.asarray(choices).dtype
    assert np.array_equal(got, np.asarray(choices)[codes.astype(int)])
    for bad in (np.nan, -1.0, float(len(choices))):
        with pytest.raises(ValueError, match="not indices"):
            _labels(np.array([0.0, bad]), choices)


def test_batch_kernels_refuse_an_output_of_the_wrong_shape():
    """The kernels write without bounds checks: a wrong ``out`` must raise, not corrupt memory."""
    from sim import pipeline
    from sim.engine import pack_overrides
    from sim.referral import pack_coefficients

    base_row, cols, values, table, *_ = pack_overrides({"posture": ["standing", "sitting"]})
    coef = pack_coefficients()
    matrix, table2, *_ = pack({"posture": ["standing", "sitting"]})
    with pytest.raises(ValueError, match="out must have shape"):
        pipeline.evaluate_batch_into(matrix, table2, coef, 64, np.empty((1, 2, len(OUTPUTS))))
    with pytest.raises(ValueError, match="out must have shape"):
        pipeline.evaluate_overrides(base_row, cols, values, table, coef, 64, np.zeros(0, dtype=np.int64),
                                    np.empty((len(OUTPUTS), 2)))
    with pytest.raises(ValueError, match="out must have shape"):
        pipeline.evaluate_sets(matrix, np.zeros(0, dtype=np.int64), np.empty((3, 0)), table2, coef, 64,
                               np.arange(2, dtype=np.int64), np.empty((2, 5, 2)))
