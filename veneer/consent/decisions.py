"""Checking a viewer's consent decisions before they are recorded.

Shared by the `setConsent` mutation and the preference-center endpoint, so both refuse the
same input with the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from veneer.consent.purposes import Purpose

MAX_LENGTHS = {"source": 200, "policyVersion": 64}  # the columns' sizes


class ConsentInputError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Decisions:
    """Validated decisions; NECESSARY is dropped (it is granted, never recorded)."""

    choices: tuple[tuple[Purpose, bool], ...]
    source: str | None
    policy_version: str | None


def check_decisions(
    choices: Sequence[tuple[Purpose, bool]], source: str | None, policy_version: str | None
) -> Decisions:
    if not choices:
        raise ConsentInputError("purposes", "give at least one purpose")
    seen: set[Purpose] = set()
    for purpose, granted in choices:
        if purpose in seen:
            raise ConsentInputError("purposes", f"{purpose.value} is given twice")
        seen.add(purpose)
        if purpose is Purpose.NECESSARY and not granted:
            raise ConsentInputError("purposes", "NECESSARY is always granted; it cannot be denied")
    for name, value in (("source", source), ("policyVersion", policy_version)):
        if value is not None and len(value) > MAX_LENGTHS[name]:
            raise ConsentInputError(name, f"must be at most {MAX_LENGTHS[name]} characters")
        if value is not None and "\x00" in value:  # PostgreSQL keeps no NUL in text
            raise ConsentInputError(name, "must not contain the NUL character (U+0000)")
    return Decisions(
        tuple((p, g) for p, g in choices if p is not Purpose.NECESSARY), source, policy_version
    )
