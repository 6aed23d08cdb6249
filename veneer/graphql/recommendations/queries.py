"""The root `recommendations`: what to show this viewer, wherever they are."""

from __future__ import annotations

import strawberry

from veneer.graphql.context import Info
from veneer.graphql.entries.types import Entry, GenericEntry
from veneer.graphql.recommendations import serving


@strawberry.type
class RecommendationQueries:
    @strawberry.field(
        description="Entries recommended for the viewer, each with the variant chosen for "
        "them and `personalization.reason` and `strategy` saying why. Personalized only with "
        "RECOMMENDATIONS consent; never what the viewer bought, nor the ids in `exclude`."
    )
    async def recommendations(
        self,
        info: Info,
        first: int = 10,
        content_types: list[str] | None = None,
        exclude: list[strawberry.ID] | None = None,
    ) -> list[Entry]:
        picked = await serving.recommendations(
            info, None, first, content_types, [str(i) for i in exclude or ()]
        )
        return [GenericEntry.from_domain(entry, why) for entry, why in picked]
