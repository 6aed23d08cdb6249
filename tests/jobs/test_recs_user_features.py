"""Training with the viewers' segments and traits as user features: only those of viewers who
grant PERSONALIZATION, that three trained viewers hold, and (segments) that the viewer was
in before the interactions the split holds out, reach the model."""

from __future__ import annotations

from datetime import timedelta

from tests.jobs.conftest import Play
from tests.jobs.recs_shop import NOW, Clock, shop, user
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
EARLY = NOW - timedelta(days=30)  # before any of the shop's events


async def _groups_as_segments(services: Services, clock: Clock, names: list[str]) -> None:
    """A segment per planted group, entered a month ago, except: group 3 never allows
    PERSONALIZATION, group 2 holds only two viewers who do, and group 1 entered its
    segment only now, after the interactions the split holds out."""
    async with services.db.session() as session:
        for group in range(4):
            rule = {"trait": "group", "op": "eq", "value": f"g{group}"}
            await upsert_segment(session, f"g{group}", f"Group {group}", rule, 0.0)
    await services.segments_changed()
    for name in names:
        group, member = int(name[1]), int(name.split("-")[1])
        if group == 3 or (group == 2 and member >= 2):
            continue
        clock.now = NOW if group == 1 else EARLY
        await services.record_consent(user(name), Decisions(PLACED, "test", None), gpc=False)
        await identify(services, user(name), {"group": f"g{group}"})
    clock.now = NOW


async def _params(services: Services) -> dict[str, object]:
    async with services.db.reading() as session:
        (version,) = await registry.list_versions(session)
    return version.params


def test_only_segments_a_model_may_learn_from_become_user_features(
    play: Play, clock: Clock
) -> None:
    async def body(services: Services) -> None:
        names = await shop(services)
        await _groups_as_segments(services, clock, names)

        result = await train(services)

        assert result.version is not None, result.message
        assert (await _params(services))["userFeatures"] == {
            "used": True,
            "features": {
                "segment:g0": 15,  # g1 entered too late; g2 has two members; g3 no consent
                "trait:group=g0": 15,
                "trait:group=g1": 15,  # a trait told is not derived from held-out events
            },
        }
        assert "LightFM-features" in result.metrics["holdout"]

    play(body)
