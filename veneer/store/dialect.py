"""What differs between SQLite and PostgreSQL that the repositories must choose between."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, case, cast, func, type_coerce
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_insert(session: AsyncSession) -> Any:
    """INSERT with ON CONFLICT support, for whichever database the session is on."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def utc_day(column: Any, dialect: str) -> ColumnElement[date]:
    """The UTC calendar day of a timestamp column, as a date, in either database."""
    if dialect == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return type_coerce(func.date(column), Date)  # SQLite keeps UTC text; date() cuts it


MAX_AMOUNT = 1e12  # no order is worth more; a larger "value" is a bug or an attack


def numeric_property(dialect: str, properties: Any, name: str) -> Any:
    """``properties[name]`` as a float where it is a JSON number of plausible size, else 0.

    A cast alone fails the whole query on PostgreSQL at the first event whose property is
    text (and reads it as 0 on SQLite); a huge number overflows the sums of squares. Either
    would let one event sent with a public key break an experiment's results.
    """
    value = properties[name]
    if dialect == "postgresql":
        is_number: Any = func.jsonb_typeof(value) == "number"
    else:
        is_number = func.json_type(properties, f'$."{name}"').in_(("integer", "real"))
    number = value.as_float()
    plausible = and_(is_number, func.abs(number) <= MAX_AMOUNT)
    return case((plausible, number), else_=0.0)
