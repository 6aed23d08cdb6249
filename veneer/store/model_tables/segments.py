"""Segments, their stored members, sizes and moves, and behaviour clusters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Float,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from veneer.store.model_tables.base import Base, utcnow


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
