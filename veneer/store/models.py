"""SQLAlchemy models. The same models serve SQLite and PostgreSQL; Alembic owns the schema."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JSONValue = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored and returned in UTC; SQLite would otherwise drop the zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Veneer stores UTC-aware timestamps")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSONValue,
        datetime: UTCDateTime,
    }


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    # Normalized web origins (``https://shop.example``) whose pages may use a public key.
    origins: Mapped[list[str]] = mapped_column(JSONValue, default=list, server_default="[]")


class ProfileRow(Base):
    """A viewer's traits, under the viewer id (``user:...`` or ``anon:...``)."""

    __tablename__ = "profiles"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    anonymous_id: Mapped[str | None] = mapped_column(String(128), index=True)
    user_id: Mapped[str | None] = mapped_column(String(128), index=True)
    traits: Mapped[dict[str, Any]] = mapped_column(default=dict)
    activity: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # last seen


class ConsentRecordRow(Base):
    """One consent decision. Append-only: the history is the audit trail."""

    __tablename__ = "consent_records"
    __table_args__ = (Index("ix_consent_records_viewer_time", "viewer_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    viewer_id: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(32))
    granted: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str | None] = mapped_column(String(200))
    policy_version: Mapped[str | None] = mapped_column(String(64))
    gpc: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class SegmentRow(Base):
    __tablename__ = "segments"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    rule: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When stored membership was last decided for every profile; behind updated_at, the
    # rule changed since and a backfill is due.
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    holdout: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")


class EventRow(Base):
    """An event a viewer allowed Veneer to keep (ANALYTICS consent)."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_viewer_time", "viewer_id", "timestamp"),
        Index("ix_events_timestamp", "timestamp"),  # retention deletes by age
    )

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    viewer_id: Mapped[str] = mapped_column(String(200))
    anonymous_id: Mapped[str | None] = mapped_column(String(128))
    user_id: Mapped[str | None] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[datetime] = mapped_column()
    received_at: Mapped[datetime] = mapped_column()
    entry_id: Mapped[str | None] = mapped_column(String(200))
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)


class EventReceiptRow(Base):
    """That an event id was seen, and when: the idempotency record, with no personal data.

    Kept apart from `events` so that erasing a person's events does not make their retried
    events count again, and pruned after the dedupe horizon.
    """

    __tablename__ = "event_receipts"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)


class IdentityLinkRow(Base):
    """An anonymous id (a device) known to belong to a user."""

    __tablename__ = "identity_links"

    anonymous_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class MergeRow(Base):
    """That an anonymous history was merged into a user's profile, and how much moved."""

    __tablename__ = "identity_merges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    anonymous_id: Mapped[str] = mapped_column(String(128), index=True)
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    events_moved: Mapped[int] = mapped_column(Integer)
    # Consent is copied, not moved (the device keeps its own); the column keeps its first name.
    consent_records_copied: Mapped[int] = mapped_column("consent_records_moved", Integer)
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)


class ErasureRow(Base):
    """That an erasure happened and what it removed; deliberately no personal data."""

    __tablename__ = "erasures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_by: Mapped[str] = mapped_column(String(64))
    removed: Mapped[dict[str, Any]] = mapped_column(default=dict)


class QualityCountRow(Base):
    """Additive data-quality counters per day, source (API key), event type and metric."""

    __tablename__ = "event_quality"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    metric: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class PersonalizationCountRow(Base):
    """Entries served per day, coverage reason and the strategy that picked them ('' for
    none), added to by every app process."""

    __tablename__ = "personalization_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    strategy: Mapped[str] = mapped_column(String(100), primary_key=True, default="")
    count: Mapped[int] = mapped_column(BigInteger, default=0)


class PartnerTraitsRow(Base):
    """Traits from a partner or a third party, keyed by user id or email hash."""

    __tablename__ = "partner_traits"
    __table_args__ = (UniqueConstraint("subject_kind", "subject", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_kind: Mapped[str] = mapped_column(String(16))  # "user" or "email"
    subject: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(16))
    traits: Mapped[dict[str, Any]] = mapped_column(default=dict)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class SegmentMemberRow(Base):
    """A profile in a segment, as of the last evaluation (live, backfill or sweep)."""

    __tablename__ = "segment_members"

    profile_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    segment_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    since: Mapped[datetime] = mapped_column()


class SegmentChangeRow(Base):
    """Profiles entering or leaving one segment, for sizes over time.

    A live move names its profile (``profiles`` is 1); a backfill records each segment's
    entries and exits as one total without a profile, since members say since when they are in.
    """

    __tablename__ = "segment_changes"
    __table_args__ = (
        Index("ix_segment_changes_key_at", "segment_key", "at"),
        Index("ix_segment_changes_profile", "profile_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    segment_key: Mapped[str] = mapped_column(String(100))
    profile_id: Mapped[str | None] = mapped_column(String(200))
    change: Mapped[str] = mapped_column(String(8))  # "entered" or "left"
    at: Mapped[datetime] = mapped_column()
    profiles: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class SegmentSizeRow(Base):
    """Members per segment, kept with every move, so asking a size scans nothing."""

    __tablename__ = "segment_sizes"

    segment_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    size: Mapped[int] = mapped_column(Integer, default=0)


class ClusterModelRow(Base):
    """One fitted clustering (a version), kept to assign new viewers without a refit."""

    __tablename__ = "cluster_models"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    model: Mapped[dict[str, Any]] = mapped_column()


class ClusterAssignmentRow(Base):
    """A profile's nearest discovered cluster, as of its last events (no refit)."""

    __tablename__ = "cluster_assignments"

    profile_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    cluster: Mapped[int] = mapped_column(Integer)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class EntryPopularityRow(Base):
    """An entry's popularity in one scope: ``""`` for everyone counted, else a segment key.

    Written whole by the popularity job, read by requests; aggregates only, with no viewer
    in them, so erasing a person need not touch it (the next run no longer counts them).
    """

    __tablename__ = "entry_popularity"

    scope: Mapped[str] = mapped_column(String(100), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    viewers: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column()


class RecommendationModelRow(Base):
    """One trained recommendation model (a version) and what is known about it.

    ``status`` is ``candidate``, ``champion`` (the one served; a partial unique index keeps
    it to one row) or ``retired``. ``replaced`` is the champion this one took over from, so
    a rollback restores exactly that one. ``retrain_due`` is set when someone whose data
    trained it withdrew consent or was erased: it may not be promoted again, and while it is
    champion a replacement must be trained by then. ``pruned_at`` is when its artifact and
    viewer list were deleted: its figures stay, it can never serve again.
    """

    __tablename__ = "recommendation_models"
    __table_args__ = (
        Index(
            "ux_recommendation_models_champion",
            "status",
            unique=True,
            sqlite_where=sql_text("status = 'champion'"),
            postgresql_where=sql_text("status = 'champion'"),
        ),
    )

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipe: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column()
    promoted_at: Mapped[datetime | None] = mapped_column(default=None)
    replaced: Mapped[int | None] = mapped_column(Integer, default=None)
    retrain_due: Mapped[datetime | None] = mapped_column(default=None)
    pruned_at: Mapped[datetime | None] = mapped_column(default=None)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    data_window: Mapped[dict[str, Any]] = mapped_column(default=dict)
    artifact: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
    artifact_path: Mapped[str | None] = mapped_column(Text, default=None)
    decision: Mapped[str] = mapped_column(Text, default="")


class RecommendationModelViewerRow(Base):
    """A viewer whose interactions trained a model version: what an export lists, and what
    a withdrawal or erasure looks up. The artifact itself holds no per-viewer data."""

    __tablename__ = "recommendation_model_viewers"
    __table_args__ = (Index("ix_recommendation_model_viewers_profile", "profile_id"),)

    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[str] = mapped_column(String(200), primary_key=True)


class PropensityModelRow(Base):
    """One trained propensity model (a version per event), kept to score viewers as their
    events arrive: ``fitted`` is the pickled calibrated classifier, ``details`` how it was
    trained and how well it did on held-out viewers."""

    __tablename__ = "propensity_models"

    event: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict[str, Any]] = mapped_column()
    fitted: Mapped[bytes] = mapped_column(LargeBinary)
    trained_at: Mapped[datetime] = mapped_column()


class PropensityScoreRow(Base):
    """A viewer's latest probability of sending ``event`` within the model's horizon."""

    __tablename__ = "propensity_scores"

    viewer_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    event: Mapped[str] = mapped_column(String(64), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column()


class LeaseRow(Base):
    """Who holds an upkeep lease and until when, where there is no Redis to hold it.

    A process takes a free or expired lease, gives it back when done, and if it dies the
    lease expires on its own, as a Redis lock would.
    """

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column()


class ExperimentRow(Base):
    """An experiment as last saved: ``arms`` is a list of {key, weight, control}; ``models``
    maps arms to recommendation model versions for a champion/challenger test."""

    __tablename__ = "experiments"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200), default=None)
    metric: Mapped[str] = mapped_column(String(140))
    arms: Mapped[list[Any]] = mapped_column(JSONValue)
    traffic_share: Mapped[float] = mapped_column(Float, default=1.0)
    guardrails: Mapped[list[Any]] = mapped_column(JSONValue, default=list)
    models: Mapped[dict[str, Any]] = mapped_column(default=dict)
    seed: Mapped[str] = mapped_column(String(64))
    start: Mapped[datetime | None] = mapped_column(default=None)
    end: Mapped[datetime | None] = mapped_column(default=None)
    stopped_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TriggerRow(Base):
    """A trigger as saved (YAML apply or `upsertTrigger`): its normalized spec, parsed on read."""

    __tablename__ = "triggers"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    spec: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlacementRow(Base):
    """A placement as saved (YAML apply or `upsertPlacement`): its normalized spec."""

    __tablename__ = "placements"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    spec: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrustedDocumentRow(Base):
    """A GraphQL document registered ahead (`veneer queries register`), by its SHA-256."""

    __tablename__ = "trusted_documents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(String(200), default=None)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExposureRow(Base):
    """The first time a viewer was served an arm of an experiment: who is in the analysis,
    in which arm, and since when their conversions count. One row per viewer."""

    __tablename__ = "experiment_exposures"
    __table_args__ = (Index("ix_experiment_exposures_viewer", "viewer_id"),)

    experiment: Mapped[str] = mapped_column(String(100), primary_key=True)
    viewer_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    arm: Mapped[str] = mapped_column(String(100))
    exposed_at: Mapped[datetime] = mapped_column()


class TriggerOfferRow(Base):
    """An offer a trigger made one viewer: ``due`` (found by the worker, waiting), ``served``
    (counts towards the caps) or ``dismissed`` (a due offer the viewer dismissed).

    Per viewer like events: erased, exported and moved to the user on login with them.
    """

    __tablename__ = "trigger_offers"
    __table_args__ = (Index("ix_trigger_offers_viewer_trigger", "viewer_id", "trigger_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    viewer_id: Mapped[str] = mapped_column(String(200))
    trigger_key: Mapped[str] = mapped_column(String(100))
    placement: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column()
    served_at: Mapped[datetime | None] = mapped_column(default=None)
    dismissed_at: Mapped[datetime | None] = mapped_column(default=None)


class AuditRow(Base):
    """One change to what runs Veneer (a segment, trigger, placement, experiment, key or
    trusted document): who made it, when, and what it became. Written in the transaction
    that makes the change, so neither stands without the other."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
