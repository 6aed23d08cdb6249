"""What runs Veneer: leases, experiments and their exposures, triggers and their offers,
placements, trusted documents and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Float,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from veneer.store.model_tables.base import Base, JSONValue, utcnow


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


class ExposureRow(Base):
    """The first time a viewer was served an arm of an experiment: who is in the analysis,
    in which arm, and since when their conversions count. One row per viewer."""

    __tablename__ = "experiment_exposures"
    __table_args__ = (Index("ix_experiment_exposures_viewer", "viewer_id"),)

    experiment: Mapped[str] = mapped_column(String(100), primary_key=True)
    viewer_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    arm: Mapped[str] = mapped_column(String(100))
    exposed_at: Mapped[datetime] = mapped_column()


class TriggerRow(Base):
    """A trigger as saved (YAML apply or `upsertTrigger`): its normalized spec, parsed on read."""

    __tablename__ = "triggers"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    spec: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


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
