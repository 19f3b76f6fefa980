"""The agreement-zone map draws exactly the zone, the boundaries and the constraint hatching."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

import dealsim
from dealsim.errors import ScenarioError
from dealsim.plot import agreement_zone_map
from dealsim.plot._grid import slice_of
from dealsim.scenario import loads
from dealsim.space import DealSpace, UtilityModel
from dealsim.zone import compute_zone
from strategies import COST_ISSUE


def _centres(collection):
    return np.array([p.vertices[:4].mean(axis=0) for p in collection.get_paths()])


def _by_gid(ax, gid):
    return next(c for c in ax.collections if c.get_gid() == gid)


@pytest.fixture(scope="module")
def donbas():
    return dealsim.load("donbas-2026")


def test_shaded_cells_are_the_deals_every_party_accepts(donbas):
    ax = agreement_zone_map(donbas, "donbas_ceded", "security_guarantee")
    # Recompute the 15 deals independently: the other terms at the Nash deal.
    nash = dealsim.solve(donbas).solutions["nash"].deal
    space = DealSpace(donbas)
    model = UtilityModel.from_scenario(donbas)
    levels = donbas.issue("security_guarantee").values
    expected = []
    for jy, level in enumerate(levels):
        for x in (0.0, 0.25, 0.5, 0.75, 1.0):
            idx = space.index_of({**nash, "donbas_ceded": x, "security_guarantee": level})
            codes = space.codes(np.array([idx]))
            ok = model.feasible(space, codes).all() and np.all(
                model.utilities(space, codes)[0] >= donbas.reservations() - 1e-9
            )
            if ok:
                expected.append((x, jy))
    got = sorted(map(tuple, np.round(_centres(_by_gid(ax, "zone")), 9)))
    assert got == sorted(expected)
    assert ax.get_title(loc="left").startswith(f"Agreement zone: {len(expected)} of 15 deals")


@pytest.mark.parametrize("unit", [1e-12, 1.0, 1e9])
def test_the_map_s_zone_is_the_solve_s_zone_at_any_unit(unit):
    # a's utility share - cost is bounded by 2 (the zone's scale: tolerance 2e-9 x unit); share
    # 0.3 without the cost is 1.5e-9 x unit short of a's reservation, in the zone. The map
    # allowed an absolute 1e-9: at a unit of 1e-12 every one of the 22 deals was in its zone,
    # at 1 and 1e9 the deal short of a's reservation was not.
    text = COST_ISSUE.format(ra=(0.3 + 1.5e-9) * unit, rb=0.6 * unit, unit=unit)
    scenario = loads(text)
    zone = slice_of(scenario, "share", "cost").zone
    assert int(zone.sum()) == compute_zone(scenario).zone_size == 2
    ax = agreement_zone_map(scenario, "share", "cost")
    assert ax.get_title(loc="left").startswith("Agreement zone: 2 of 22 deals")


def test_constraint_hatching_covers_the_cells_it_rules_out(donbas):
    # At the Nash deal the zone is a neutral-force FEZ recognised as Russian, so both the FEZ
    # constraint and the recognition constraint rule out exactly the column donbas_ceded = 0.
    ax = agreement_zone_map(donbas, "donbas_ceded", "security_guarantee")
    for n in (0, 1):
        hatched = _by_gid(ax, f"constraint:{n}")
        assert hatched.get_hatch()
        assert_allclose(np.sort(_centres(hatched)[:, 1]), [0, 1, 2])
        assert_allclose(_centres(hatched)[:, 0], 0.0)


def test_each_party_boundary_separates_its_accepted_cells():
    # logroll with reservations raised: a accepts 0.8x + 0.2y >= 0.5, b accepts
    # 0.2(1-x) + 0.8(1-y) >= 0.5. Along y = 0, a accepts from x = 0.625 on: edge at x = 0.65.
    scenario = dealsim.load("logroll")
    scenario = scenario.__class__(
        **{
            **scenario.__dict__,
            "parties": tuple(
                p.__class__(**{**p.__dict__, "reservation": 0.5}) for p in scenario.parties
            ),
        }
    )
    ax = agreement_zone_map(scenario, "x", "y")
    segs = np.asarray(_by_gid(ax, "boundary:a").get_segments())
    vertical_at_bottom = [s for s in segs if np.isclose(s[0, 0], s[1, 0]) and s.min() < 0.0]
    assert_allclose([s[0, 0] for s in vertical_at_bottom], [0.65])
    labels = [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("side:")]
    assert labels == ["Party A ✓", "Party B ✓"]


def test_unknown_issue_lists_the_allowed_ones(donbas):
    with pytest.raises(ScenarioError, match=r"unknown issue 'territory'.*donbas_ceded"):
        agreement_zone_map(donbas, "territory", "security_guarantee")


def test_same_issue_twice_is_refused(donbas):
    with pytest.raises(ScenarioError, match="two different issues"):
        agreement_zone_map(donbas, "donbas_ceded", "donbas_ceded")
