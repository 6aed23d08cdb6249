"""`setConsent` and `identify`: what the viewer allows, and what the site knows of them."""

from __future__ import annotations

from typing import Any

import orjson
import strawberry
from strawberry.scalars import JSON

from veneer.graphql.context import Info
from veneer.graphql.enums import Purpose
from veneer.graphql.errors import UserInputError
from veneer.graphql.viewer.types import ConsentState, Viewer
from veneer.store.consent import record_consent
from veneer.store.profiles import merge_traits

MAX_TRAITS_BYTES = 16_384
MAX_TRAIT_NAME = 100
MAX_LABEL = 200


@strawberry.input
class ConsentInput:
    purpose: Purpose
    granted: bool


def _check_traits(traits: Any) -> dict[str, Any]:
    if not isinstance(traits, dict):
        raise UserInputError("traits", "must be a JSON object of trait name to value")
    for name in traits:
        if not name or len(name) > MAX_TRAIT_NAME:
            raise UserInputError("traits", f"trait names must be 1-{MAX_TRAIT_NAME} characters")
    if len(orjson.dumps(traits)) > MAX_TRAITS_BYTES:
        raise UserInputError("traits", f"must be at most {MAX_TRAITS_BYTES} bytes of JSON")
    return traits


@strawberry.type
class ViewerMutations:
    @strawberry.mutation(description="Record the viewer's consent decisions; returns all states.")
    async def set_consent(
        self,
        info: Info,
        purposes: list[ConsentInput],
        source: str | None = None,
        policy_version: str | None = None,
    ) -> list[ConsentState]:
        viewer = info.context.require_viewer()
        if not purposes:
            raise UserInputError("purposes", "give at least one purpose")
        seen: set[Purpose] = set()
        for item in purposes:
            if item.purpose in seen:
                raise UserInputError("purposes", f"{item.purpose.value} is given twice")
            seen.add(item.purpose)
            if item.purpose is Purpose.NECESSARY and not item.granted:
                raise UserInputError("purposes", "NECESSARY is always granted; it cannot be denied")
        for name, value in (("source", source), ("policyVersion", policy_version)):
            if value is not None and len(value) > MAX_LABEL:
                raise UserInputError(name, f"must be at most {MAX_LABEL} characters")
        services = info.context.services
        async with services.db.session() as session:
            await record_consent(
                session,
                viewer.id,
                [(p.purpose, p.granted) for p in purposes if p.purpose is not Purpose.NECESSARY],
                source=source,
                policy_version=policy_version,
                gpc=info.context.principal.gpc,
                now=services.clock(),
            )
        await services.viewer_changed(viewer)
        info.context.forget_viewer_state()
        state = await info.context.viewer_state()
        return [ConsentState.from_domain(s) for s in state.consent.values()]

    @strawberry.mutation(description="Store traits about the viewer; a null value removes one.")
    async def identify(self, info: Info, traits: JSON) -> Viewer:
        viewer = info.context.require_viewer()
        checked = _check_traits(traits)
        services = info.context.services
        async with services.db.session() as session:
            await merge_traits(session, viewer, checked)
        await services.viewer_changed(viewer)
        info.context.forget_viewer_state()
        return Viewer(viewer=viewer)
