"""Persistence: SQLAlchemy models, the engine, and one repository module per concept."""

from veneer.store.engine import Database

__all__ = ["Database"]
