"""Recommendations a viewer keeps being shown and never takes up make way for others."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.graphql.test_recommendations import EVERYTHING, _consent, _for_you, _track, _views
from veneer.app import create_app
from veneer.settings import Settings


def _shown(client: TestClient, keys: Keys, viewer: str, entry_ids: list[str]) -> None:
    """What a frontend sends each time it displays the recommendations."""
    _track(client, keys, viewer, *[("impression", entry_id, {}) for entry_id in entry_ids])


def _ids(picked: list[dict[str, object]]) -> list[str]:
    return [str(entry["id"]) for entry in picked]


def _shown_their_picks(client: TestClient, keys: Keys, viewer: str, times: int) -> list[str]:
    """A climber's first three recommendations, shown ``times`` times; returns them."""
    _consent(client, keys, viewer, EVERYTHING)
    _views(client, keys, viewer, "quickdraw-set-six")
    first = _ids(_for_you(client, keys, viewer, first=3))
    for _ in range(times):
        _shown(client, keys, viewer, first)
    return first


def test_entries_shown_three_times_without_a_click_give_way(client: TestClient, keys: Keys) -> None:
    first = _shown_their_picks(client, keys, "browser", 2)
    assert _ids(_for_you(client, keys, "browser", first=3)) == first  # twice is not enough

    _shown(client, keys, "browser", first)
    after = _ids(_for_you(client, keys, "browser", first=3))
    assert len(after) == 3 and not set(after) & set(first), (first, after)


def test_a_click_forgives_the_impressions_before_it(client: TestClient, keys: Keys) -> None:
    first = _shown_their_picks(client, keys, "clicker", 3)
    assert first[0] not in _ids(_for_you(client, keys, "clicker", first=3))

    _track(client, keys, "clicker", ("click", first[0], {}))

    assert first[0] in _ids(_for_you(client, keys, "clicker", first=3))


def test_impressions_of_a_viewer_without_recommendations_consent_are_not_used(
    client: TestClient, keys: Keys
) -> None:
    _consent(client, keys, "counted", ["ANALYTICS"])  # stored, but not for recommending
    first = _ids(_for_you(client, keys, "counted", first=3))
    for _ in range(3):
        _shown(client, keys, "counted", first)
    assert _ids(_for_you(client, keys, "counted", first=3)) == first


@pytest.fixture
def never_limited(settings: Settings) -> Iterator[TestClient]:
    unlimited = settings.model_copy(update={"recommend_shown_limit": 0})
    with TestClient(create_app(unlimited), base_url="http://127.0.0.1") as test_client:
        yield test_client


def test_a_limit_of_zero_keeps_showing_them(never_limited: TestClient, keys: Keys) -> None:
    client = never_limited
    first = _shown_their_picks(client, keys, "patient", 5)
    assert _ids(_for_you(client, keys, "patient", first=3)) == first
