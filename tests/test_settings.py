"""Recommendation settings read from the environment, and refused with the field and reason."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from veneer.settings import Settings


def test_exploration_and_the_diversity_floor_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VENEER_RECOMMEND_EXPLORATION", "0.25")
    monkeypatch.setenv("VENEER_RECOMMEND_DIVERSITY_FLOOR", "0")
    settings = Settings()
    assert (settings.recommend_exploration, settings.recommend_diversity_floor) == (0.25, 0.0)


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("VENEER_RECOMMEND_EXPLORATION", "1.5", "less than or equal to 1"),
        ("VENEER_RECOMMEND_EXPLORATION", "-0.1", "greater than or equal to 0"),
        ("VENEER_RECOMMEND_EXPLORATION", "ten percent", "valid number"),
        ("VENEER_RECOMMEND_DIVERSITY_FLOOR", "1", "less than 1"),
        ("VENEER_RECOMMEND_DIVERSITY_FLOOR", "-1", "greater than or equal to 0"),
    ],
)
def test_a_share_out_of_range_is_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, reason: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as refused:
        Settings()
    (error,) = refused.value.errors()
    assert error["loc"] == (variable.removeprefix("VENEER_").lower(),)
    assert reason in error["msg"]
