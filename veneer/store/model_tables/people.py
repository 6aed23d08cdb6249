"""Who viewers are: API keys, profiles, consent records, identity links, merges, erasures
and partner traits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from veneer.store.model_tables.base import Base, JSONValue, utcnow


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
