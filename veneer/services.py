"""`Services`: the long-lived parts of a running Veneer, and the reads every request makes.

Built once by the app factory (and by the CLI), so the GraphQL layer, REST endpoints and demo
page share one database, one cache and one content adapter. The methods here are the I/O half
of the request path (who is asking, what segments exist, what may be used about the viewer);
the decisions themselves are pure functions in the domain packages. A person's data as a
whole (identity linking, export, erasure) is `veneer.jobs.people`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial

from redis.asyncio import Redis

from veneer.backends.answer_store import AnswerStore
from veneer.backends.bus import CONTENT_CHANNEL, MODEL_CHANNEL, Bus
from veneer.backends.cache import Cache, InProcessCache
from veneer.backends.coverage_buffer import CoverageBuffer
from veneer.backends.quality_buffer import QualityBuffer
from veneer.backends.redis_cache import RedisCache
from veneer.backends.stream import RedisEventStream
from veneer.catalogue import Catalogue
from veneer.consent import Purpose, effective_consent
from veneer.consent.decisions import Decisions
from veneer.content_adapters.cached import CachedAdapter
from veneer.content_adapters.registry import adapter_from_setting
from veneer.experiments.assignment import assigned_arms
from veneer.experiments.definition import Experiment
from veneer.identity.keys import DEMO_KEYS, ApiKey, KeyKind, hash_key
from veneer.identity.origins import LOOPBACK_ORIGINS
from veneer.identity.viewer import Viewer
from veneer.placements.definition import Placement, PlacementError, parse_placement
from veneer.placements.render import BlockTemplates
from veneer.profiles.traits import effective_traits
from veneer.propensity.record import Score
from veneer.segments import ViewerFacts, evaluate_segments
from veneer.segments.book import RuleBook
from veneer.segments.definition import SegmentDefinition
from veneer.segments.evaluate import ViewerEvent
from veneer.segments.holdout import in_holdout
from veneer.served_model import ChallengerModels, ServedModel, StoredModels
from veneer.settings import Settings
from veneer.store import Database
from veneer.store.consent import consent_records, record_consent
from veneer.store.events import recent_events
from veneer.store.experiments import exposures_of, list_experiments, record_exposures
from veneer.store.keys import active_origins, find_key
from veneer.store.partner_traits import partner_traits_for
from veneer.store.people import viewer_ids_of
from veneer.store.placements import list_placements
from veneer.store.profiles import traits_and_activity
from veneer.store.propensity import delete_scores, scores_of, trained_events
from veneer.store.recommendation_models import mark_retrain_due
from veneer.store.segments import list_segments
from veneer.store.triggers import list_triggers
from veneer.store.trusted_documents import trusted_documents
from veneer.triggers import Trigger, TriggerError, parse_trigger
from veneer.viewer_state import Judged, ViewerRecord, ViewerState

KEY_CACHE_TTL = 60.0
JUDGED_KEPT = 10_000  # viewers whose judgement is kept (the record cache bounds them anyway)
KEY_ORIGINS_KEY = "apikeys:origins"
MAX_EVENTS_PER_VIEWER = 1000
SEGMENT_RULES_KEY = "segments:rules"
PROPENSITY_EVENTS_KEY = "propensity:events"
EXPERIMENTS_KEY = "experiments:all"
TRIGGERS_KEY = "triggers:definitions"
PLACEMENTS_KEY = "placements:all"
TRUSTED_KEY = "queries:trusted"
logger = logging.getLogger(__name__)


class Services:
    def __init__(
        self,
        settings: Settings,
        cache: Cache | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.settings = settings
        self.db = Database(settings.database_url)
        self.redis: Redis | None = None
        self.stream: RedisEventStream | None = None
        if settings.redis_url:
            self.redis = Redis.from_url(settings.redis_url)
            self.stream = RedisEventStream(self.redis)
        default_cache = (
            RedisCache(self.redis) if self.redis else InProcessCache(settings.content_cache_size)
        )
        self.cache: Cache = cache or default_cache
        self.content = CachedAdapter(
            adapter_from_setting(settings.content, settings.default_locale),
            self.cache,
            settings.content_cache_ttl,
            settings.content_stale_ttl,
        )
        self.answers = AnswerStore(
            settings.answer_cache_size,
            settings.answer_cache_bytes,
            min(settings.answer_cache_ttl, settings.content_cache_ttl),
        )
        self.content_bus = Bus(self.redis, CONTENT_CHANNEL)
        self.content_bus.subscribe(self.forget_answers)  # another process took a webhook
        self.model_bus = Bus(self.redis, MODEL_CHANNEL)
        self.catalogue = Catalogue(self.content)  # indexed for similarity when first asked
        stored_models = StoredModels(self.db, settings.recommend_artifact_dir)
        self.served_model = ServedModel(stored_models, settings.recommend_model_check)
        self.challengers = ChallengerModels(self.db, stored_models, settings.recommend_model_check)
        self.clock = clock
        self.quality = QualityBuffer()
        self.coverage = CoverageBuffer()  # entries served, by why they were (not) personalized
        self._book: RuleBook | None = None
        self._judged: dict[str, Judged] = {}
        self._loading: dict[str, asyncio.Future[ViewerRecord]] = {}  # records being loaded
        self.templates = BlockTemplates(settings.templates)

    async def aclose(self) -> None:
        try:  # on its own, so quality counts that fail to flush do not take these along
            await self.coverage.flush(self.db)
        except Exception:
            logger.exception("personalization counts not stored on shutdown")
        await self.quality.flush(self.db)
        await self.content.aclose()
        await self.db.dispose()
        if self.redis is not None:
            await self.redis.aclose()

    async def authenticate(self, plain_key: str) -> ApiKey | None:
        """The key's identity, or None. Lookups are cached so a request costs no query."""
        if self.settings.demo and plain_key in DEMO_KEYS:
            kind = DEMO_KEYS[plain_key]
            origins = LOOPBACK_ORIGINS if kind is KeyKind.PUBLIC else ()
            return ApiKey(id=plain_key, kind=kind, name="demo", origins=origins)
        cache_key = f"apikey:{hash_key(plain_key)}"
        cached = await self.cache.get(cache_key)
        if isinstance(cached, ApiKey):
            return cached
        async with self.db.reading() as session:
            found = await find_key(session, plain_key)
        if found is not None:
            await self.cache.set(cache_key, found, KEY_CACHE_TTL)
        return found

    async def browser_origins(self) -> frozenset[str]:
        """Origins some key (or ``VENEER_CORS_ORIGINS``) lets pages call from.

        A preflight carries no key, so it is answered for these; the request that follows is
        then held to its own key's origins. Cached like the keys themselves.
        """
        cached = await self.cache.get(KEY_ORIGINS_KEY)
        if isinstance(cached, frozenset):
            return cached
        async with self.db.reading() as session:
            stored = await active_origins(session)
        demo = LOOPBACK_ORIGINS if self.settings.demo else ()
        origins = frozenset({*stored, *demo, *self.settings.allowed_origins()})
        await self.cache.set(KEY_ORIGINS_KEY, origins, KEY_CACHE_TTL)
        return origins

    async def segment_definitions(self, fresh: bool = False) -> dict[str, SegmentDefinition]:
        """Every saved segment, parsed; cached briefly and dropped on any change here.

        ``fresh`` reads the database, for checks that must see other processes' changes.
        """
        cached = None if fresh else await self.cache.get(SEGMENT_RULES_KEY)
        if isinstance(cached, dict):
            return cached
        async with self.db.reading() as session:
            rows = await list_segments(session)
        definitions = {
            row.key: SegmentDefinition.parse(row.key, row.name, row.rule, row.holdout)
            for row in rows
        }
        await self.cache.set(SEGMENT_RULES_KEY, definitions, self.settings.viewer_cache_ttl)
        return definitions

    async def segments_changed(self) -> None:
        await self.cache.delete(SEGMENT_RULES_KEY)

    async def content_changed(self) -> None:
        """A webhook: drop cached content and every answer built from it, before answering."""
        await self.content.invalidate()
        self.answers.clear()

    async def forget_answers(self) -> None:
        self.answers.clear()

    async def experiments(self, fresh: bool = False) -> dict[str, Experiment]:
        """Every saved experiment by key, cached like the segment rules; whether one runs
        is decided per request from its dates, so a scheduled start needs no cache flush."""
        cached = None if fresh else await self.cache.get(EXPERIMENTS_KEY)
        if isinstance(cached, dict):
            return cached
        async with self.db.reading() as session:
            experiments = {e.key: e for e in await list_experiments(session)}
        await self.cache.set(EXPERIMENTS_KEY, experiments, self.settings.viewer_cache_ttl)
        return experiments

    async def experiments_changed(self) -> None:
        await self.cache.delete(EXPERIMENTS_KEY)

    async def record_exposures(self, viewer: Viewer, arms: dict[str, str]) -> None:
        """The viewer's first exposure to these experiments' arms (later ones are ignored)."""
        async with self.db.session() as session:
            await record_exposures(session, viewer.id, arms, self.clock())
        await self.viewer_changed(viewer)

    async def trigger_definitions(self, fresh: bool = False) -> list[Trigger]:
        """Every saved trigger, parsed; cached like the segment rules.

        Saving refuses what does not parse, so a stored spec that no longer does (written
        by a newer Veneer, say) is logged and left out rather than failing every request.
        """
        cached = None if fresh else await self.cache.get(TRIGGERS_KEY)
        if isinstance(cached, list):
            return cached
        async with self.db.reading() as session:
            rows = await list_triggers(session)
        triggers: list[Trigger] = []
        for row in rows:
            try:
                triggers.append(parse_trigger(row.spec))
            except TriggerError:
                logger.exception("stored trigger %r does not parse; it is skipped", row.key)
        await self.cache.set(TRIGGERS_KEY, triggers, self.settings.viewer_cache_ttl)
        return triggers

    async def triggers_changed(self) -> None:
        await self.cache.delete(TRIGGERS_KEY)

    async def placements(self, fresh: bool = False) -> dict[str, Placement]:
        """Every saved placement by key, parsed and cached like the triggers (a stored spec
        that no longer parses is logged and left out)."""
        cached = None if fresh else await self.cache.get(PLACEMENTS_KEY)
        if isinstance(cached, dict):
            return cached
        async with self.db.reading() as session:
            rows = await list_placements(session)
        placements: dict[str, Placement] = {}
        for row in rows:
            try:
                placements[row.key] = parse_placement(row.spec)
            except PlacementError:
                logger.exception("stored placement %r does not parse; it is skipped", row.key)
        await self.cache.set(PLACEMENTS_KEY, placements, self.settings.viewer_cache_ttl)
        return placements

    async def placements_changed(self) -> None:
        await self.cache.delete(PLACEMENTS_KEY)

    async def trusted_documents(self) -> dict[str, str]:
        """The registered documents' texts by SHA-256, cached like the placements."""
        cached = await self.cache.get(TRUSTED_KEY)
        if isinstance(cached, dict):
            return cached
        async with self.db.reading() as session:
            documents = await trusted_documents(session)
        await self.cache.set(TRUSTED_KEY, documents, self.settings.viewer_cache_ttl)
        return documents

    async def trusted_documents_changed(self) -> None:
        await self.cache.delete(TRUSTED_KEY)

    async def propensity_events(self) -> frozenset[str]:
        """The events a viewer may ask their propensity for: configured or trained.

        Cached like the segment rules, so `Viewer.propensity` can tell a mistyped event
        from one not scored yet without a query per request.
        """
        cached = await self.cache.get(PROPENSITY_EVENTS_KEY)
        if isinstance(cached, frozenset):
            return cached
        async with self.db.reading() as session:
            trained = await trained_events(session)
        known = frozenset(self.settings.propensity_event_types()) | trained
        await self.cache.set(PROPENSITY_EVENTS_KEY, known, self.settings.viewer_cache_ttl)
        return known

    async def propensity_changed(self) -> None:
        """A training run replaced scores: drop the cached records that hold the old ones.

        With Redis every process sees this at once; an in-process cache elsewhere (an app
        beside a `veneer propensity train`) catches up within ``viewer_cache_ttl``.
        """
        await self.cache.delete(PROPENSITY_EVENTS_KEY)
        await self.cache.delete_prefix("viewer:")

    async def _viewer_record(self, viewer: Viewer) -> ViewerRecord:
        """The viewer's stored record, from the cache or loaded once for all who ask.

        When the cached record expires, every request of that viewer in flight would load
        it again (a page firing ten queries, a feed scrolled fast): they share one load.
        """
        cache_key = f"viewer:{viewer.id}|record"
        cached = await self.cache.get(cache_key)
        if isinstance(cached, ViewerRecord):
            return cached
        loading = self._loading.get(viewer.id)
        if loading is None:
            loading = asyncio.ensure_future(self._load_record(viewer, cache_key))
            self._loading[viewer.id] = loading
            loading.add_done_callback(partial(self._loaded, viewer.id))
        return await asyncio.shield(loading)  # one caller cancelled leaves the load to others

    def _loaded(self, viewer_id: str, loading: asyncio.Future[ViewerRecord]) -> None:
        if self._loading.get(viewer_id) is loading:
            del self._loading[viewer_id]
        if not loading.cancelled():
            loading.exception()  # retrieved here too, in case every caller was cancelled

    async def _load_record(self, viewer: Viewer, cache_key: str) -> ViewerRecord:
        async with self.db.reading() as session:
            traits, activity = await traits_and_activity(session, viewer.id)
            email_hash = traits.get("emailHash")
            record = ViewerRecord(
                traits=traits,
                consent_records=await consent_records(session, viewer.id),
                activity=activity,
                partner_traits=await partner_traits_for(
                    session, viewer.user_id, email_hash if isinstance(email_hash, str) else None
                ),
                propensity=await scores_of(session, viewer.id),
                exposures=await exposures_of(session, viewer.id),
            )
        if self._loading.get(viewer.id) is asyncio.current_task():  # no change came meanwhile
            await self.cache.set(cache_key, record, self.settings.viewer_cache_ttl)
        return record

    async def _viewer_events(
        self, viewer: Viewer, lookback: timedelta, types: frozenset[str]
    ) -> list[ViewerEvent]:
        """The viewer's own recent events of the counted types, read only when rules count."""
        cache_key = (
            f"viewer:{viewer.id}|events|{lookback.total_seconds()}|{','.join(sorted(types))}"
        )
        cached = await self.cache.get(cache_key)
        if isinstance(cached, list):
            return cached
        async with self.db.reading() as session:
            events = await recent_events(
                session, viewer.id, self.clock() - lookback, MAX_EVENTS_PER_VIEWER, types
            )
        await self.cache.set(cache_key, events, self.settings.viewer_cache_ttl)
        return events

    async def record_consent(self, viewer: Viewer, decisions: Decisions, gpc: bool) -> None:
        async with self.db.session() as session:
            await record_consent(
                session,
                viewer.id,
                decisions.choices,
                source=decisions.source,
                policy_version=decisions.policy_version,
                gpc=gpc,
                now=self.clock(),
            )
            if (Purpose.RECOMMENDATIONS, False) in decisions.choices:
                # Whatever model their data trained must stop serving: under any of their
                # ids, since a model lists a device by its own id even after logging in
                # moved its events to the user (the ids erasure and export look up).
                ids, _devices = await viewer_ids_of(session, viewer.user_id, viewer.anonymous_id)
                deadline = timedelta(seconds=self.settings.recommend_erasure_deadline)
                await mark_retrain_due(session, ids, self.clock() + deadline)
            if (Purpose.PERSONALIZATION, False) in decisions.choices:
                # Scores are profiling: withdrawn, they go now, not at the next training.
                await delete_scores(session, [viewer.id])
        await self.viewer_changed(viewer)

    async def viewer_changed(self, viewer: Viewer) -> None:
        await self.viewer_id_changed(viewer.id)

    async def viewer_id_changed(self, viewer_id: str) -> None:
        self._loading.pop(viewer_id, None)  # a load begun before the change must not be shared
        await self.cache.delete_prefix(f"viewer:{viewer_id}|")

    def _rule_book(self, definitions: dict[str, SegmentDefinition]) -> RuleBook:
        """What every request derives from the segment rules, derived once per load of them."""
        book = self._book
        if book is None or book.definitions is not definitions:
            unbounded = timedelta(days=self.settings.event_lookback_days)
            book = self._book = RuleBook.of(definitions, unbounded)
        return book

    async def viewer_state(self, viewer: Viewer | None, gpc: bool) -> ViewerState:
        """Consent first, then segments only if the viewer allowed personalization."""
        if viewer is None:
            consent = effective_consent([], self.settings.consent_default, gpc)
            return ViewerState(None, consent, frozenset(), {}, {}, {})
        record = await self._viewer_record(viewer)
        judged = self._judged.get(viewer.id)
        if judged is None or judged.record is not record or judged.gpc != gpc:
            consent = effective_consent(record.consent_records, self.settings.consent_default, gpc)
            layered = effective_traits(
                record.traits, record.partner_traits, consent[Purpose.THIRD_PARTY].granted
            )
            judged = Judged(record, gpc, consent, layered)
        consent, layered = judged.consent, judged.layered
        traits = layered.values
        segments: frozenset[str] = frozenset()
        held_out: frozenset[str] = frozenset()
        propensity: dict[str, Score] = {}
        arms: dict[str, str] = {}
        controls: dict[str, str] = {}
        if consent[Purpose.PERSONALIZATION].granted:
            propensity = record.propensity
            definitions = await self.segment_definitions()
            book = self._rule_book(definitions)
            if judged.book is book and book.lookback is None:
                segments, held_out = judged.segments, judged.held_out  # nothing in them ages
            else:
                lookback, types = book.lookback, book.event_types
                events = await self._viewer_events(viewer, lookback, types) if lookback else []
                scores = {event: score.score for event, score in propensity.items()}
                facts = ViewerFacts(traits, events, scores)
                segments = evaluate_segments(book.rules, facts, self.clock(), book.cyclic)
                held_out = frozenset(
                    k for k in segments if in_holdout(viewer.id, k, definitions[k].holdout)
                )
                judged = replace(judged, book=book, segments=segments, held_out=held_out)
            experiments = await self.experiments()
            if experiments:
                arms = assigned_arms(experiments, viewer.id, record.exposures, self.clock())
                controls = {key: experiments[key].control.key for key in arms}
        state = ViewerState(
            viewer,
            consent,
            segments,
            traits,
            record.activity,
            layered.sources,
            held_out,
            propensity,
            arms=arms,
            controls=controls,
            exposures=record.exposures,
        )
        if judged.state is not None and judged.state.same_as(state):
            state = judged.state  # with what it worked out once (granted, decisions) kept
        else:
            judged = replace(judged, state=state)
        if len(self._judged) >= JUDGED_KEPT:
            self._judged.clear()
        self._judged[viewer.id] = judged
        return state
