"""Stage 3: each numba twin in sim.geometry equals its reference to 1e-9 on random valid inputs."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import configurations, packed_rows, section

from sim import geometry as geo
from sim.layout import HERNIATION_SIDES, HERNIATION_ZONES

RTOL = 1e-9
ATOL = 1e-10


def face_args(v, t, angle, bulge, hern, narrowing, dx, dy, slip):
    hp_loaded = v["anatomy.disc_height_posterior_mm"] + dy
    return (v["anatomy.foraminal_height_mm"], v["anatomy.foraminal_width_mm"], v["anatomy.foraminal_upper_width_ratio"],
            v["anatomy.disc_height_posterior_mm"], t["l5_pedicle_offset_mm"], t["sap_tip_height_mm"], bulge, hp_loaded,
            hern, narrowing, angle, t["cor_anterior_offset_mm"], dx, dy, slip)


def twin_faces(args):
    n, c = np.empty((geo.N_FACES, 2)), np.empty(geo.N_FACES)
    geo._foramen_faces(n, c, *args)
    return n, c


@given(configurations(n=4), st.floats(-15.0, 15.0), st.floats(0.0, 3.0), st.floats(0.0, 4.0),
       st.floats(-2.0, 3.0), st.floats(-1.0, 1.0), st.floats(-3.0, 1.0), st.floats(0.0, 5.0))
def test_faces_height_width_area_twins(batch, angle, bulge, hern, narrowing, dx, dy, slip):
    _, rows = packed_rows(batch)
    buf_a, buf_b = np.empty((geo.N_FACES + 4, 2)), np.empty((geo.N_FACES + 4, 2))
    for v in rows:
        args = face_args(v, section(v, "tissue"), angle, bulge, hern, narrowing, dx, dy, slip)
        n, c = geo.foramen_faces(*args)
        n2, c2 = twin_faces(args)
        np.testing.assert_allclose(n2, n, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(c2, c, rtol=RTOL, atol=ATOL)
        x, y = -0.5 * v["anatomy.foraminal_width_mm"], 0.5 * v["anatomy.disc_height_posterior_mm"]
        assert geo._foraminal_height_mm(n, c, x) == pytest.approx(geo.foraminal_height_mm(n, c, x), rel=RTOL, abs=ATOL)
        assert geo._foraminal_width_mm(n, c, y) == pytest.approx(geo.foraminal_width_mm(n, c, y), rel=RTOL, abs=ATOL)
        assert geo._foraminal_area_mm2(n, c, buf_a, buf_b) == pytest.approx(geo.foraminal_area_mm2(n, c),
                                                                            rel=RTOL, abs=1e-8)


@given(configurations(n=6), st.floats(-15.0, 15.0), st.floats(-2.0, 4.0), st.floats(-8.0, 8.0), st.floats(0.0, 5.0))
def test_flavum_recess_routing_offset_twins(batch, angle, closure, lateral, slip):
    _, rows = packed_rows(batch)
    for v in rows:
        t = section(v, "tissue")
        hl, t0 = v["pathology.disc_height_loss_mm"], v["anatomy.ligamentum_flavum_thickness_mm"]
        fc_args = (hl, closure, angle, t["facet_lever_arm_mm"], t["cor_anterior_offset_mm"])
        fc = geo.flavum_closure_mm(*fc_args)
        assert geo._flavum_closure_mm(*fc_args) == pytest.approx(fc, rel=RTOL, abs=ATOL)
        th_args = (t0, v["pathology.ligamentum_flavum_hypertrophy_mm"], fc, v["anatomy.ligamentum_flavum_length_mm"])
        thick = float(geo.flavum_thickness_mm(*th_args))
        assert geo._flavum_thickness_mm(*th_args) == pytest.approx(thick, rel=RTOL)
        nw_args = (v["pathology.facet_hypertrophy_mm"], t["foraminal_flavum_fraction"], thick, t0)
        assert geo._posterior_narrowing_mm(*nw_args) == pytest.approx(geo.posterior_narrowing_mm(*nw_args),
                                                                      rel=RTOL, abs=ATOL)
        hz = v["pathology.herniation_zone"]
        zone = HERNIATION_ZONES.index(hz) if isinstance(hz, str) else int(hz)
        hside = int(v["pathology.herniation_side"])
        for sign in (-1.0, 1.0):
            affected = geo.side_affected(hside, sign)
            assert geo._side_affected(hside, sign) == affected
            size = v["pathology.herniation_size_mm"]
            hp = v["anatomy.disc_height_posterior_mm"]
            shift_args = (angle, v["anatomy.disc_height_anterior_mm"], hp, hl, closure, v["anatomy.disc_depth_mm"],
                          t["nucleus_depth_fraction"])
            shift = geo.nuclear_shift_mm(*shift_args)
            assert geo._nuclear_shift_mm(*shift_args) == pytest.approx(shift, rel=RTOL, abs=ATOL)
            idp = 0.1 + 0.2 * abs(lateral)
            cont_args = (size, shift, idp, t["herniation_migration_gain_per_mm"], t["herniation_pressure_gain_per_mpa"])
            contained = geo.contained_herniation_mm(*cont_args)
            assert geo._contained_herniation_mm(*cont_args) == pytest.approx(contained, rel=RTOL, abs=ATOL)
            sq_args = (size, hp, hp - hl - closure)
            squeezed = geo.foraminal_herniation_mm(*sq_args)
            assert geo._foraminal_herniation_mm(*sq_args) == pytest.approx(squeezed, rel=RTOL, abs=ATOL)
            bulge_args = (v["pathology.disc_bulge_mm"], hl, closure, idp, slip - 2.0, t["bulge_per_height_loss"],
                          t["bulge_per_idp_mm_per_mpa"], t["slip_pseudo_bulge_ratio"])
            assert geo._disc_bulge_mm(*bulge_args) == pytest.approx(geo.disc_bulge_mm(*bulge_args), rel=RTOL, abs=ATOL)
            route = (zone, affected, contained, squeezed, t["central_herniation_reach"])
            assert geo._herniation_routing_mm(*route) == pytest.approx(geo.herniation_routing_mm(*route), rel=RTOL)
            off = (slip, closure, hl, lateral, -lateral, sign, v["anatomy.foramen_lateral_offset_mm"])
            np.testing.assert_allclose(geo._l4_offsets_mm(*off), geo.l4_offsets_mm(*off), rtol=RTOL, atol=ATOL)
            iap_args = (hl - fc, t["iap_recess_overlap_mm"])
            iap = geo.iap_recess_fraction(*iap_args)
            assert geo._iap_recess_fraction(*iap_args) == pytest.approx(iap, rel=RTOL, abs=ATOL)
            room = (v["anatomy.lateral_recess_depth_mm"], closure, v["pathology.facet_hypertrophy_mm"], thick - t0,
                    (slip - 2.0) * iap, t["slip_recess_ratio"], geo.herniation_routing_mm(*route)[1])
            assert geo._lateral_recess_room_mm(*room) == pytest.approx(geo.lateral_recess_room_mm(*room),
                                                                       rel=RTOL, abs=ATOL)


def test_routing_names_each_zone():
    """One-sided disease reaches only its side; each zone acts in its own place."""
    contained, squeezed = 4.0, 5.0
    left = HERNIATION_SIDES.index("left")
    assert geo.side_affected(left, -1.0) and not geo.side_affected(left, 1.0)
    assert geo.herniation_routing_mm(geo.ZONE_FORAMINAL, True, contained, squeezed, 0.5) == (squeezed, 0.0, 0.0)
    assert geo.herniation_routing_mm(geo.ZONE_SUBARTICULAR, True, contained, squeezed, 0.5) == (0.0, contained, 0.0)
    assert geo.herniation_routing_mm(geo.ZONE_CENTRAL, False, contained, squeezed, 0.5) == (0.0, 2.0, 0.0)
    assert geo.herniation_routing_mm(geo.ZONE_EXTRAFORAMINAL, True, contained, squeezed, 0.5) == (0.0, 0.0, squeezed)
    assert geo.herniation_routing_mm(geo.ZONE_SUBARTICULAR, False, contained, squeezed, 0.5) == (0.0, 0.0, 0.0)


def test_iap_leaves_the_recess_in_flexion_only():
    """Flexion lifts the L4 inferior facet's tip out of the recess (share falls to 0 once it has risen
    its whole overlap); closing the facet cannot put more than the rest overlap in front of the root."""
    overlap = 7.5
    assert geo.iap_recess_fraction(0.0, overlap) == 1.0
    assert geo.iap_recess_fraction(-2.0, overlap) == 1.0
    assert geo.iap_recess_fraction(3.0, overlap) == pytest.approx(0.6)
    assert geo.iap_recess_fraction(overlap + 1.0, overlap) == 0.0
    shares = [geo.iap_recess_fraction(x, overlap) for x in np.linspace(-3.0, 10.0, 27)]
    assert all(a >= b for a, b in zip(shares, shares[1:]))
