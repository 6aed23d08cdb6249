"""`setConsent` and `identify`: what the viewer allows, and what the site knows of them."""

from __future__ import annotations

from typing import Any

import orjson
import strawberry
from strawberry.scalars import JSON

from veneer.consent.decisions import ConsentInputError, check_decisions
from veneer.graphql.context import Info
from veneer.graphql.enums import Purpose
from veneer.graphql.errors import UserInputError, check_json
from veneer.graphql.viewer.types import ConsentState, Viewer
from veneer.identity.keys import KeyKind
from veneer.jobs import people
from veneer.profiles.traits import protect_email

MAX_TRAITS_BYTES = 16_384
LINKING_TRAITS = ("email", "emailHash")
MAX_TRAIT_NAME = 100


@strawberry.input
class ConsentInput:
    purpose: Purpose
    granted: bool


def _check_traits(traits: Any, trusted: bool) -> dict[str, Any]:
    """``trusted``: a secret key may link an email; a browser could type anyone's."""
    if not isinstance(traits, dict):
        raise UserInputError("traits", "must be a JSON object of trait name to value")
    for name in traits:
        if not name or len(name) > MAX_TRAIT_NAME:
            raise UserInputError("traits", f"trait names must be 1-{MAX_TRAIT_NAME} characters")
    check_json("traits", traits)
    if len(orjson.dumps(traits)) > MAX_TRAITS_BYTES:
        raise UserInputError("traits", f"must be at most {MAX_TRAITS_BYTES} bytes of JSON")
    for name in LINKING_TRAITS:
        if name in traits and not trusted:
            raise UserInputError(
                f"traits.{name}",
                "only a secret key may set it: partner data is matched on it, so the site's "
                "backend must vouch for the email",
            )
    try:
        return protect_email(traits)
    except ValueError as exc:
        raise UserInputError("traits.email", "not an email address") from exc


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
        try:
            decisions = check_decisions(
                [(p.purpose, p.granted) for p in purposes], source, policy_version
            )
        except ConsentInputError as exc:
            raise UserInputError(exc.field, exc.message) from exc
        await info.context.services.record_consent(viewer, decisions, info.context.principal.gpc)
        info.context.forget_viewer_state()
        state = await info.context.viewer_state()
        return [ConsentState.from_domain(s, viewer) for s in state.consent.values()]

    @strawberry.mutation(description="Store traits about the viewer; a null value removes one.")
    async def identify(self, info: Info, traits: JSON) -> Viewer:
        viewer = info.context.require_viewer()
        checked = _check_traits(traits, info.context.principal.key.kind is KeyKind.SECRET)
        await people.identify(info.context.services, viewer, checked)
        info.context.forget_viewer_state()
        return Viewer(viewer=viewer)

    @strawberry.mutation(
        description="Erase everything held about this viewer: events, traits, consent "
        "records, identity links and cached state. A logged-in viewer is erased as a user, "
        "with every device linked to them."
    )
    async def forget_viewer(self, info: Info) -> bool:
        viewer = info.context.require_viewer()
        key = info.context.principal.key
        await people.forget(
            info.context.services, viewer, requested_by=f"{key.kind.value} key {key.id}"
        )
        info.context.forget_viewer_state()
        return True
