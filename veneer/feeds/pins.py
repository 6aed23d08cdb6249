"""Editorial pins: entries the editors put at a fixed position in everyone's feed, from the CMS.

Any CMS can carry a number field, so that is the whole convention: an entry whose field
``feedPin`` (or ``feed_pin``, as Django, Wagtail and Directus spell field names) holds a
position appears at that position (1 is the top) in every feed that includes its content
type, whatever the viewer's recommendations say. An empty field, 0 or false means not pinned.

A pin is read from the entry's baseline, not from a variant: a pin decides where an entry
sits for everyone, and reading every entry's variant for each viewer would expose them to
experiments on entries they never see. A value that is no position (text, a negative or
fractional number) pins nothing; `read_pins` reports it, so the editor hears why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from veneer.entries import Entry
from veneer.recommend.candidates import Candidate

PIN_FIELDS = ("feedPin", "feed_pin")
PINNED = "pinned"  # what `Personalization.strategy` says of a pinned entry
REASON = "pinned by the editors"


@dataclass(frozen=True)
class Pin:
    entry_id: str
    content_type: str
    position: int  # 1 is the top of the feed

    def candidate(self) -> Candidate:
        return Candidate(self.entry_id, 0.0, REASON, PINNED)


@dataclass(frozen=True)
class Pins:
    pins: tuple[Pin, ...] = ()  # by position, then entry id
    problems: tuple[str, ...] = ()  # one line per entry whose pin could not be read


class PinError(ValueError):
    pass


def pin_position(fields: Mapping[str, Any]) -> int | None:
    """The position the entry's baseline pins it at, None if unpinned; PinError if unreadable."""
    for name in PIN_FIELDS:
        value = fields.get(name)
        if isinstance(value, str):
            value = int(value) if value.strip().isdigit() else value.strip() or None
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        if value is None or value is False or value == 0:
            continue
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
        raise PinError(f"{name}: must be a position (1 is the top of the feed), got {value!r}")
    return None


def read_pins(entries: Iterable[Entry]) -> Pins:
    """Every pinned entry of ``entries``, in the order they are placed."""
    found: list[Pin] = []
    problems: list[str] = []
    for entry in entries:
        try:
            position = pin_position(entry.fields)
        except PinError as exc:
            problems.append(f"{entry.content_type} {entry.id!r}: {exc}")
            continue
        if position is not None:
            found.append(Pin(entry.id, entry.content_type, position))
    found.sort(key=lambda pin: (pin.position, pin.entry_id))
    return Pins(tuple(found), tuple(problems))
