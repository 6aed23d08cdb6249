"""Purposes and the consent state a viewer is in.

The rule for each purpose, in order: NECESSARY is always granted; Global Privacy Control
(``Sec-GPC: 1``) denies THIRD_PARTY whatever was recorded; otherwise the viewer's most recent
record wins; with no record the deployment default applies (opt-in: denied).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal


class Purpose(enum.Enum):
    NECESSARY = "NECESSARY"
    ANALYTICS = "ANALYTICS"
    PERSONALIZATION = "PERSONALIZATION"
    RECOMMENDATIONS = "RECOMMENDATIONS"
    THIRD_PARTY = "THIRD_PARTY"


@dataclass(frozen=True)
class ConsentState:
    """The standing decision for one purpose, and where it came from."""

    purpose: Purpose
    granted: bool
    updated_at: datetime | None = None
    source: str | None = None
    policy_version: str | None = None


@dataclass(frozen=True)
class ConsentRecord:
    """One decision as recorded, for the audit trail."""

    purpose: Purpose
    granted: bool
    source: str | None
    policy_version: str | None
    gpc: bool
    recorded_at: datetime


def effective_consent(
    records: Iterable[ConsentState],
    default: Literal["opt-in", "opt-out"] = "opt-in",
    gpc: bool = False,
) -> dict[Purpose, ConsentState]:
    """The state of every purpose, given a viewer's records (any order)."""
    latest: dict[Purpose, ConsentState] = {}
    for record in records:
        current = latest.get(record.purpose)
        if current is None or _newer(record, current):
            latest[record.purpose] = record
    states: dict[Purpose, ConsentState] = {}
    for purpose in Purpose:
        if purpose is Purpose.NECESSARY:
            states[purpose] = ConsentState(purpose, True, source="always granted")
        elif purpose is Purpose.THIRD_PARTY and gpc:
            states[purpose] = ConsentState(purpose, False, source="Global Privacy Control")
        elif purpose in latest:
            states[purpose] = latest[purpose]
        else:
            states[purpose] = ConsentState(purpose, default == "opt-out", source="default")
    return states


def is_granted(
    records: Iterable[ConsentState],
    purpose: Purpose,
    default: Literal["opt-in", "opt-out"] = "opt-in",
    gpc: bool = False,
) -> bool:
    """`effective_consent` of one purpose, without building the others: ingest asks this
    for every sender of every batch."""
    if purpose is Purpose.NECESSARY:
        return True
    if purpose is Purpose.THIRD_PARTY and gpc:
        return False
    latest: ConsentState | None = None
    for record in records:
        if record.purpose is purpose and (latest is None or _newer(record, latest)):
            latest = record
    return latest.granted if latest is not None else default == "opt-out"


def _newer(a: ConsentState, b: ConsentState) -> bool:
    if a.updated_at is None:
        return False
    return b.updated_at is None or a.updated_at >= b.updated_at
