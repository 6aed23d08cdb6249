"""Which arm's model version served a list, as the demo's challenge shoppers read it."""

from __future__ import annotations

from veneer.cli.demo_challenge import served_by

VERSIONS = {"champion": "1", "challenger": "12"}


def test_the_version_in_a_strategy_names_its_arm() -> None:
    assert served_by("LightFM-features:v12", VERSIONS) == "challenger"
    assert served_by("EASE+LightFM:v1", VERSIONS) == "champion"


def test_a_list_no_model_of_the_experiment_picked_is_no_arms() -> None:
    assert served_by("popular", VERSIONS) is None
    assert served_by("LightFM-features:v2", VERSIONS) is None  # v12's digits, not v2
    assert served_by("explore", VERSIONS) is None
