"""The tier rule, written once: bands, edges, and what a plan needs at each tier."""

from __future__ import annotations

from pathlib import Path

import pytest

from coachbot import config
from coachbot.domain import tiers

CNY = tiers.DEFAULT_TIER_THRESHOLDS["CNY"]
# the methodology's edges: 普客 under 2万, 贵宾 2万-20万, 高客 20万-200万 (and above: still 高客)
EDGES = [(19_999, "regular"), (20_000, "vip"), (199_999, "vip"), (200_000, "hnw"),
         (2_000_000, "hnw"), (50_000_000, "hnw")]


@pytest.mark.parametrize(("premium", "tier"), EDGES)
def test_each_boundary_opens_the_higher_tier(premium, tier):
    assert tiers.tier_of(premium, CNY, has_policies=True) == tier


def test_no_live_policy_means_no_tier():
    assert tiers.tier_of(250_000, CNY, has_policies=False) is None


def test_config_keeps_only_the_override_and_reads_the_default_from_the_domain():
    assert config.DEFAULT_TIER_THRESHOLDS is tiers.DEFAULT_TIER_THRESHOLDS
    assert config.Settings().tier_thresholds == tiers.DEFAULT_TIER_THRESHOLDS
    source = Path(config.__file__).read_text(encoding="utf-8")
    assert "DEFAULT_TIER_THRESHOLDS: dict" not in source


def test_an_unknown_currency_uses_the_yuan_bands():
    assert tiers.limits_for("XYZ", {"CNY": (1, 2)}) == (1, 2)
    assert tiers.limits_for("XYZ", {}) == CNY


def test_bands_join_up_and_the_top_one_is_open():
    bands = [tiers.band_of(t, "CNY", tiers.DEFAULT_TIER_THRESHOLDS)
             for t in ("regular", "vip", "hnw")]
    assert [(b.low, b.high) for b in bands] == [(0, 20_000), (20_000, 200_000), (200_000, None)]


def test_each_tier_has_its_design_focus():
    assert tiers.design_for("regular").needs[:2] == ("have", "complete")
    assert "enough" in tiers.design_for("vip").needs
    hnw = tiers.design_for("hnw").needs
    assert {"legal", "inheritance", "returns", "high_end", "basics"} <= set(hnw)
    assert tiers.design_for(None) is None


@pytest.mark.parametrize(("premium", "planned", "tier", "moves_up"), [
    (0, 19_999, "regular", False), (15_000, 5_000, "vip", True), (150_000, 49_999, "vip", False),
    (150_000, 50_000, "hnw", True), (2_000_000, 10_000, "hnw", False)])
def test_a_proposal_sees_the_tier_it_takes_the_client_to(premium, planned, tier, moves_up):
    design = tiers.design_for_premium(premium, planned, "CNY", tiers.DEFAULT_TIER_THRESHOLDS)
    assert design is not None
    assert (design.tier, design.moves_up) == (tier, moves_up)
