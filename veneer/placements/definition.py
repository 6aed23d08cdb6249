"""A placement: a named slot on a page, in an app or in an email, and how Veneer fills it.

The team configures each one (YAML or `upsertPlacement`): which content types or entries it
draws from, how it picks (`STRATEGIES`), how many entries it shows and which template renders
it. A definition is checked here as plain data; whether its entries, content types and
template exist is for the caller that can look (`veneer.jobs.placements`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

MAX_FIRST = 20  # entries one block shows; a feed is the place for long lists

STRATEGIES: dict[str, str] = {
    "variant": "the entry (of those listed) with the viewer's variant",
    "pinned": "the listed entries, in the editors' order",
    "recommendations": "the viewer's recommendations",
    "offer": "the offer a trigger made the viewer for this placement",
}

# Keys and template names appear in URLs and file names, so they stay plain.
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


class PlacementError(ValueError):
    """A definition that cannot work, with the path of the bad field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Placement:
    key: str
    strategy: str
    content_types: tuple[str, ...] = ()
    entries: tuple[str, ...] = ()
    template: str | None = None
    first: int = 1

    @property
    def template_name(self) -> str:
        """The template that renders it: its own, else the one named after its strategy."""
        return self.template or self.strategy

    @property
    def spec(self) -> dict[str, Any]:
        """As stored and exported: the same names as `PlacementInput` and the YAML file."""
        spec: dict[str, Any] = {"key": self.key, "strategy": self.strategy, "first": self.first}
        if self.content_types:
            spec["contentTypes"] = list(self.content_types)
        if self.entries:
            spec["entries"] = list(self.entries)
        if self.template is not None:
            spec["template"] = self.template
        return spec


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    key: str
    strategy: str
    content_types: list[str] = Field(default_factory=list, alias="contentTypes")
    entries: list[str] = Field(default_factory=list)
    template: str | None = None
    first: int = Field(default=1, strict=True)


def _path(loc: tuple[int | str, ...], prefix: str) -> str:
    path = prefix
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path or "placement"


def parse_placement(raw: Mapping[str, Any], prefix: str = "") -> Placement:
    """A checked `Placement` from its input or stored spec; `PlacementError` names the field."""
    try:
        item = _Input.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise PlacementError(_path(tuple(first["loc"]), prefix), first["msg"]) from exc

    def where(name: str) -> str:
        return f"{prefix}.{name}" if prefix else name

    if not NAME.match(item.key):
        raise PlacementError(
            where("key"), "use lowercase letters, digits, '-' and '_' (at most 100)"
        )
    if item.strategy not in STRATEGIES:
        raise PlacementError(where("strategy"), f"must be one of {', '.join(STRATEGIES)}")
    if item.template is not None and not NAME.match(item.template):
        raise PlacementError(
            where("template"), "a template name: lowercase letters, digits, '-' and '_'"
        )
    if not 1 <= item.first <= MAX_FIRST:
        raise PlacementError(where("first"), f"must be between 1 and {MAX_FIRST}")
    for name, values in (("contentTypes", item.content_types), ("entries", item.entries)):
        for index, value in enumerate(values):
            if not value.strip():
                raise PlacementError(f"{where(name)}[{index}]", "must not be empty")
            if value in values[:index]:
                raise PlacementError(f"{where(name)}[{index}]", f"{value!r} appears twice")
    if item.strategy in ("variant", "pinned") and not (item.entries or item.content_types):
        raise PlacementError(
            where("entries"), f"a `{item.strategy}` placement lists entries or content types"
        )
    if item.strategy == "pinned" and not item.entries:
        raise PlacementError(where("entries"), "a `pinned` placement lists the entries it pins")
    return Placement(
        key=item.key,
        strategy=item.strategy,
        content_types=tuple(item.content_types),
        entries=tuple(item.entries),
        template=item.template,
        first=item.first,
    )


def parse_placements_file(raw: Any) -> list[Placement]:
    """The placements a loaded YAML document (``placements: [...]``) defines."""
    if not isinstance(raw, dict) or set(raw) != {"placements"}:
        raise PlacementError("file", "must be a mapping with one key, `placements`")
    items = raw["placements"]
    if not isinstance(items, list):
        raise PlacementError("placements", "must be a list")
    placements: list[Placement] = []
    for index, item in enumerate(items):
        prefix = f"placements[{index}]"
        if not isinstance(item, dict):
            raise PlacementError(prefix, "must be a mapping")
        placement = parse_placement(item, prefix)
        if any(p.key == placement.key for p in placements):
            raise PlacementError(f"{prefix}.key", f"{placement.key!r} appears twice")
        placements.append(placement)
    return placements
