"""Training with the viewers' segments as user features: only segments of viewers who grant
PERSONALIZATION, and only those three trained viewers hold, reach the model."""

from __future__ import annotations

from tests.jobs.conftest import Play
from tests.jobs.recs_shop import shop, user
from veneer.consent import Purpose
from veneer.consent.decisions import Decisions
from veneer.jobs.people import identify
from veneer.jobs.recs_training import train
from veneer.services import Services
from veneer.store import recommendation_models as registry
from veneer.store.segments import upsert_segment

PLACED = (
    (Purpose.ANALYTICS, True),
    (Purpose.RECOMMENDATIONS, True),
    (Purpose.PERSONALIZATION, True),
)


async def _groups_as_segments(services: Services, names: list[str]) -> None:
    """A segment per planted group; group 3 never allows PERSONALIZATION, group 2 holds
    only two viewers who do."""
    async with services.db.session() as session:
        for group in range(4):
            rule = {"trait": "group", "op": "eq", "value": f"g{group}"}
            await upsert_segment(session, f"g{group}", f"Group {group}", rule, 0.0)
    await services.segments_changed()
    for name in names:
        group = int(name[1])
        member = int(name.split("-")[1])
        if group == 3 or (group == 2 and member >= 2):
            continue
        await services.record_consent(user(name), Decisions(PLACED, "test", None), gpc=False)
        await identify(services, user(name), {"group": f"g{group}"})


def test_segments_of_viewers_who_allow_personalization_are_user_features(play: Play) -> None:
    async def body(services: Services) -> None:
        names = await shop(services)
        await _groups_as_segments(services, names)

        result = await train(services)

        assert result.version is not None, result.message
        async with services.db.reading() as session:
            (version,) = await registry.list_versions(session)
        assert version.params["userFeatures"] == {
            "used": True,
            "segments": {"g0": 15, "g1": 15},  # g2: two members; g3: no consent
        }
        assert "LightFM-features" in result.metrics["holdout"]

    play(body)
