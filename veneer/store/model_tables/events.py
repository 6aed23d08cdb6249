"""What viewers did and how it was counted: events, receipts, event quality and
personalization coverage."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from veneer.store.model_tables.base import Base


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
