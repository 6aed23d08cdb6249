"""`Segment` as GraphQL shows it, with its size and how it moved."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.permission import PermissionExtension
from strawberry.scalars import JSON

from veneer.graphql.context import Info
from veneer.graphql.errors import UserInputError
from veneer.graphql.permissions import IsSecretKey
from veneer.segments.definition import SegmentDefinition
from veneer.store.segment_sizes import DayTrend, sizes, trends

MAX_TREND_DAYS = 90


@strawberry.type(description="One day of a segment's membership.")
class SegmentDay:
    day: date
    entered: int
    left: int
    size: int = strawberry.field(description="Members at the end of the day.")


@strawberry.type(description="A named audience, defined by a rule over traits and behaviour.")
class Segment:
    key: str
    name: str
    rule: JSON
    holdout: float = strawberry.field(
        default=0.0, description="Share of members held out to see the baseline."
    )

    @classmethod
    def from_definition(cls, definition: SegmentDefinition) -> Segment:
        return cls(
            key=definition.key,
            name=definition.name,
            rule=JSON(definition.rule_json),
            holdout=definition.holdout,
        )

    @strawberry.field(description="The key, as the id client caches know a segment by.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.key)

    @strawberry.field(
        description="Members as stored by the last decision: live as events and traits "
        "arrive, by `veneer segments backfill`, and as windows slide; first-party data only. "
        "The same wherever the segment appears; null through a public key.",
        extensions=[PermissionExtension(permissions=[IsSecretKey()], fail_silently=True)],
    )
    async def size(self, info: Info) -> int | None:
        return await size_loader(info).load(self.key)

    @strawberry.field(
        description="Entries, exits and size per day, oldest first (secret key).",
        extensions=[PermissionExtension(permissions=[IsSecretKey()])],
    )
    async def trend(self, info: Info, days: int = 7) -> list[SegmentDay]:
        if not 1 <= days <= MAX_TREND_DAYS:
            raise UserInputError("days", f"must be between 1 and {MAX_TREND_DAYS}, got {days}")
        series = await trend_loader(info).load((self.key, days))
        return [SegmentDay(day=d.day, entered=d.entered, left=d.left, size=d.size) for d in series]


def size_loader(info: Info) -> DataLoader[str, int]:
    """One read of the kept sizes for every segment in a request, wherever they appear."""
    context = info.context
    loader = context.loaders.get("segment_sizes")
    if loader is None:

        async def load(keys: list[str]) -> list[int]:
            async with context.services.db.reading() as session:
                kept = await sizes(session)
            return [kept.get(key, 0) for key in keys]

        loader = DataLoader(load_fn=load)
        context.loaders["segment_sizes"] = loader
    return loader  # type: ignore[no-any-return]


def trend_loader(info: Info) -> DataLoader[tuple[str, int], list[DayTrend]]:
    """One query for every segment's trend in a request, not one per segment."""
    context = info.context
    loader = context.loaders.get("segment_trends")
    if loader is None:

        async def load(wanted: list[tuple[str, int]]) -> list[list[DayTrend]]:
            found: dict[tuple[str, int], list[DayTrend]] = {}
            async with context.services.db.reading() as session:
                for days in {d for _, d in wanted}:
                    keys = [k for k, d in wanted if d == days]
                    for key, series in (await trends(session, keys, context.now, days)).items():
                        found[(key, days)] = series
            return [found[w] for w in wanted]

        loader = DataLoader(load_fn=load)
        context.loaders["segment_trends"] = loader
    return loader  # type: ignore[no-any-return]


@strawberry.type(description="What a rule would hold if it were saved now.")
class SegmentPreview:
    size: int = strawberry.field(description="Profiles the rule matches now.")
    profiles: int = strawberry.field(description="Profiles in all, for the share.")
    sample: list[strawberry.ID] = strawberry.field(description="A few matching profile ids.")
