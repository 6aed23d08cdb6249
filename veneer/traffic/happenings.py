"""What a simulation produces: visitors, and what they do, in the shapes Veneer's APIs take.

Each happening is what a site would send Veneer at that moment: a consent decision from the
banner, a login that vouches a device is a user's, traits through `identify`, or an event
exactly as `POST /v1/events` receives it. Replaying them through those paths gives the demo
the data real traffic would give it, consent gate and dedupe included.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from veneer.consent import Purpose


@dataclass(frozen=True)
class Visitor:
    """One simulated person, on one or two devices."""

    number: int
    persona: str
    consent: str  # the ConsentChoice key
    gpc: bool
    devices: tuple[str, ...]  # anonymous ids
    user_id: str | None


@dataclass(frozen=True)
class ConsentGiven:
    at: datetime
    anonymous_id: str
    choices: tuple[tuple[Purpose, bool], ...]
    gpc: bool
    source: str = "banner"
    policy_version: str = "2026-11"


@dataclass(frozen=True)
class LoggedIn:
    """The site's backend vouches that the device belongs to the user."""

    at: datetime
    anonymous_id: str
    user_id: str


@dataclass(frozen=True)
class Identified:
    at: datetime
    anonymous_id: str
    user_id: str | None
    traits: Mapping[str, Any]


@dataclass(frozen=True)
class Tracked:
    at: datetime
    event: Mapping[str, Any]  # the JSON object a site sends, timestamp as an RFC 3339 string


Happening = ConsentGiven | LoggedIn | Identified | Tracked
RANK: dict[type, int] = {ConsentGiven: 0, LoggedIn: 1, Identified: 2, Tracked: 3}


@dataclass(frozen=True)
class Traffic:
    visitors: list[Visitor]
    happenings: list[Happening]  # in time order

    @property
    def events(self) -> list[Mapping[str, Any]]:
        return [h.event for h in self.happenings if isinstance(h, Tracked)]
