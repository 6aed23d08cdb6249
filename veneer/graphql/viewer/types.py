"""`Viewer` and `ConsentState`."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from veneer.consent import ConsentRecord as DomainConsentRecord
from veneer.consent import ConsentState as DomainConsentState
from veneer.explanations import OfferMade, explain
from veneer.graphql.context import Info
from veneer.graphql.enums import Purpose
from veneer.graphql.errors import UserInputError
from veneer.graphql.propensity.types import Propensity
from veneer.graphql.segments.types import Segment
from veneer.graphql.triggers.types import Offer
from veneer.graphql.viewer.explanations import Explanation
from veneer.identity.opaque_ids import opaque_id
from veneer.identity.viewer import Viewer as DomainViewer
from veneer.jobs.offers import serve_offers
from veneer.store.clusters import assignment_of, model_version
from veneer.store.triggers import recent_offers
from veneer.triggers.evaluate import WEEK


@strawberry.type(description="A segment discovered by `veneer segments cluster`.")
class DiscoveredCluster:
    id: int
    name: str
    version: int = strawberry.field(description="The clustering model version.")


@strawberry.type(description="The standing consent decision for one purpose.")
class ConsentState:
    viewer: strawberry.Private[DomainViewer]
    purpose: Purpose
    granted: bool
    updated_at: datetime | None
    source: str | None
    policy_version: str | None

    @strawberry.field(
        description="The same for this viewer and purpose in every request, so `setConsent` "
        "updates what `viewer { consent }` showed; opaque, so it does not reveal who the "
        "viewer is."
    )
    def id(self, info: Info) -> strawberry.ID:
        secret = info.context.services.settings.signing_secret()
        return strawberry.ID(opaque_id(secret, "ConsentState", self.viewer.id, self.purpose.value))

    @classmethod
    def from_domain(cls, state: DomainConsentState, viewer: DomainViewer) -> ConsentState:
        return cls(
            viewer=viewer,
            purpose=state.purpose,
            granted=state.granted,
            updated_at=state.updated_at,
            source=state.source,
            policy_version=state.policy_version,
        )


@strawberry.type(description="One recorded consent decision (the audit trail).")
class ConsentRecord:
    purpose: Purpose
    granted: bool
    source: str | None
    policy_version: str | None
    gpc: bool = strawberry.field(description="Whether the request carried Sec-GPC: 1.")
    recorded_at: datetime

    @classmethod
    def from_domain(cls, record: DomainConsentRecord) -> ConsentRecord:
        return cls(
            purpose=record.purpose,
            granted=record.granted,
            source=record.source,
            policy_version=record.policy_version,
            gpc=record.gpc,
            recorded_at=record.recorded_at,
        )


@strawberry.type(description="The person the request acts for.")
class Viewer:
    viewer: strawberry.Private[DomainViewer]

    @strawberry.field(
        description="The discovered cluster the viewer's recent behaviour is nearest to, "
        "as assigned when their events were applied; null before any clustering."
    )
    async def cluster(self, info: Info) -> DiscoveredCluster | None:
        async with info.context.services.db.reading() as session:
            found = await assignment_of(session, self.viewer.id)
            if found is None:
                return None
            model = await model_version(session, found.version)
        name = model.names.get(found.cluster, "") if model else ""
        return DiscoveredCluster(id=found.cluster, name=name, version=found.version)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.viewer.id)

    @strawberry.field
    def anonymous_id(self) -> str | None:
        return self.viewer.anonymous_id

    @strawberry.field
    def user_id(self) -> str | None:
        return self.viewer.user_id

    @strawberry.field(description="Segments the viewer is in (none without PERSONALIZATION).")
    async def segments(self, info: Info) -> list[Segment]:
        state = await info.context.viewer_state()
        definitions = await info.context.services.segment_definitions()
        return [
            Segment.from_definition(definitions[key])
            for key in sorted(state.segments)
            if key in definitions
        ]

    @strawberry.field(
        description="The viewer's stored propensity to send `event` soon; null without "
        "PERSONALIZATION consent, without a model for that event, or before the viewer is "
        "scored (no activity in the model's window)."
    )
    async def propensity(self, info: Info, event: str) -> Propensity | None:
        known = await info.context.services.propensity_events()
        if event not in known:
            # A typo would otherwise read as "nobody is likely to buy", a silent null.
            raise UserInputError(
                "event",
                f"no propensity model for {event!r}; known: {', '.join(sorted(known)) or 'none'}",
            )
        state = await info.context.viewer_state()  # scores only with PERSONALIZATION
        score = state.propensity.get(event)
        return None if score is None else Propensity.from_domain(score)

    @strawberry.field(
        description="Offers triggers make the viewer now (in `placement`, if given), highest "
        "priority first, at most one per trigger, each saying why. Served offers count "
        "towards the triggers' caps. Empty, and nothing recorded, without PERSONALIZATION. "
        "The current page is the viewer's latest `entry_view`, and the time on it the latest "
        "`time_on_page` (`properties.seconds`) sent for that entry since."
    )
    async def offers(self, info: Info, placement: str | None = None) -> list[Offer]:
        state = await info.context.viewer_state()
        services = info.context.services
        served = await serve_offers(services, self.viewer, state, placement)
        return [Offer(offer=o) for o in served]

    @strawberry.field(
        description="Why the viewer sees what they see: each segment they are in, experiment "
        "arm, prediction, offer a trigger made them in the past week and recommendation from "
        "their activity, with the data it used and how to change it; without "
        "PERSONALIZATION, that they see what everyone sees."
    )
    async def explanations(self, info: Info) -> list[Explanation]:
        state = await info.context.viewer_state()
        services = info.context.services
        offers: list[OfferMade] = []
        if Purpose.PERSONALIZATION in state.granted:
            triggers = {t.key: t for t in await services.trigger_definitions()}
            async with services.db.reading() as session:
                made = await recent_offers(session, self.viewer.id, info.context.now - WEEK)
            offers = [OfferMade(triggers[k], reason) for k, reason in made if k in triggers]
        segments, experiments = await services.segment_definitions(), await services.experiments()
        found = explain(state, segments, experiments, offers)
        return [Explanation.from_domain(e) for e in found]

    @strawberry.field(description="Every purpose, with the viewer's current decision.")
    async def consent(self, info: Info) -> list[ConsentState]:
        state = await info.context.viewer_state()
        return [ConsentState.from_domain(s, self.viewer) for s in state.consent.values()]

    @strawberry.field(
        description="What the viewer's events add up to: counts by type and entry, last "
        "seen, time on page, cart, purchases."
    )
    async def activity(self, info: Info) -> JSON:
        return JSON((await info.context.viewer_state()).activity)

    @strawberry.field(
        description="Where each trait came from: first_party, second_party or third_party."
    )
    async def trait_sources(self, info: Info) -> JSON:
        state = await info.context.viewer_state()
        return JSON({name: source.value for name, source in state.trait_sources.items()})

    @strawberry.field(
        description="The traits personalization uses: the site's own (`identify`) over "
        "imported partner traits, over third-party ones where THIRD_PARTY is granted."
    )
    async def traits(self, info: Info) -> JSON:
        return JSON((await info.context.viewer_state()).traits)
