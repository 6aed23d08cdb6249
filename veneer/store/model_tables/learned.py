"""What is learned: entry popularity, recommendation model versions and propensity models."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from veneer.store.model_tables.base import Base


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
