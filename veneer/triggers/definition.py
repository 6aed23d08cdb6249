"""A trigger as teams write it (YAML, GraphQL), checked and parsed into a `Trigger`.

The shape is checked by pydantic, the ``when`` rule by the segment rule parser, and every
error is re-raised as one `TriggerError` whose path names the bad node the same way rule
errors do (``$.triggers[2].when.all[1].count``), so a long file points straight at the
mistake whichever part of it is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from veneer.json_values import find_unstorable
from veneer.profiles.sensitive import SensitiveTraits
from veneer.segments.rules import Rule as SegmentRule
from veneer.segments.rules import (
    RuleError,
    parse_rule,
    parse_window,
    referenced_segments,
    referenced_traits,
)

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
NumberOp = Literal["eq", "gt", "gte", "lt", "lte"]


class TriggerError(ValueError):
    """A trigger that does not parse; ``path`` points at the bad node."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class _Offer(_Strict):
    placement: str = Field(min_length=1, max_length=100)
    entry: str | None = Field(default=None, min_length=1, max_length=200)
    content: dict[str, Any] | None = None
    params: dict[str, Any] = Field(default_factory=dict)


class _Caps(_Strict):
    per_day: int | None = Field(default=None, ge=1, alias="perDay")
    per_week: int | None = Field(default=None, ge=1, alias="perWeek")


class _Page(_Strict):
    time_on_page: dict[NumberOp, float] | None = Field(default=None, alias="timeOnPage")
    content_type: str | None = Field(default=None, min_length=1, alias="contentType")
    entry: str | None = Field(default=None, min_length=1)
    similar_viewed: dict[NumberOp, int] | None = Field(default=None, alias="similarViewed")

    @field_validator("time_on_page", "similar_viewed")
    @classmethod
    def _not_empty(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is not None and not value:
            raise ValueError('must be an object such as {"gte": 120}')
        if value is not None and any(n < 0 for n in value.values()):
            raise ValueError("must compare with numbers >= 0")
        return value


class _Spec(_Strict):
    key: str
    name: str | None = None
    when: dict[str, Any] | None = None
    page: _Page | None = None
    offer: _Offer
    caps: _Caps = Field(default_factory=_Caps)
    priority: int = 0
    cooldown: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    experiment: str | None = Field(default=None, min_length=1, max_length=100)

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not KEY_PATTERN.match(value):
            raise ValueError(
                "must be 1-100 lowercase letters, digits, - or _, starting alphanumeric"
            )
        return value

    @field_validator("start", "end")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # as a CMS date written without a zone is read
        return value


@dataclass(frozen=True)
class PageConditions:
    """What must hold of the page the viewer is on now (see `veneer.triggers.page`)."""

    time_on_page: tuple[tuple[str, float], ...] = ()
    content_type: str | None = None
    entry: str | None = None
    similar_viewed: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class OfferSpec:
    placement: str
    entry: str | None = None
    content: Mapping[str, Any] | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Trigger:
    """A parsed trigger; ``spec`` is the normalized JSON it was parsed from (what is stored)."""

    key: str
    spec: Mapping[str, Any]
    offer: OfferSpec
    when: SegmentRule | None = None
    page: PageConditions | None = None
    per_day: int | None = None
    per_week: int | None = None
    priority: int = 0
    cooldown: timedelta | None = None
    start: datetime | None = None
    end: datetime | None = None
    experiment: str | None = None
    name: str | None = None

    def is_live(self, now: datetime) -> bool:
        return (self.start is None or self.start <= now) and (self.end is None or now < self.end)


def _loc_path(base: str, loc: tuple[int | str, ...]) -> str:
    path = base
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _problem(base: str, exc: ValidationError) -> TriggerError:
    error = exc.errors()[0]
    loc = tuple(
        p
        for p in error["loc"]
        if not (isinstance(p, str) and (p.startswith("function-") or p == "[key]"))
    )
    message = str(error["msg"]).removeprefix("Value error, ")
    return TriggerError(_loc_path(base, loc), message)


def parse_trigger(raw: object, path: str = "$") -> Trigger:
    """Parse one trigger, or raise `TriggerError` naming the bad node under ``path``."""
    if not isinstance(raw, Mapping):
        raise TriggerError(path, "a trigger must be an object")
    try:
        spec = _Spec.model_validate(dict(raw))
    except ValidationError as exc:
        raise _problem(path, exc) from exc
    offer = spec.offer
    if (offer.entry is None) == (offer.content is None):
        raise TriggerError(f"{path}.offer", "give exactly one of entry or content")
    for name in ("params", "content"):
        problem = find_unstorable(getattr(offer, name), f"{path}.offer.{name}")
        if problem is not None:
            raise TriggerError(problem.path, problem.reason)
    when = None
    if spec.when is not None:
        try:
            when = parse_rule(spec.when, f"{path}.when")
        except RuleError as exc:
            raise TriggerError(exc.path, exc.message) from exc
    cooldown = None
    if spec.cooldown is not None:
        try:
            cooldown = parse_window(spec.cooldown, f"{path}.cooldown")
        except RuleError as exc:
            raise TriggerError(exc.path, exc.message) from exc
    if spec.start and spec.end and spec.end <= spec.start:
        raise TriggerError(f"{path}.end", "must be after start")
    caps = spec.caps
    if caps.per_day and caps.per_week and caps.per_week < caps.per_day:
        raise TriggerError(f"{path}.caps.perWeek", "must be at least perDay")
    page = None
    if spec.page is not None:
        page = PageConditions(
            time_on_page=tuple(sorted((spec.page.time_on_page or {}).items())),
            content_type=spec.page.content_type,
            entry=spec.page.entry,
            similar_viewed=tuple(sorted((spec.page.similar_viewed or {}).items())),
        )
    return Trigger(
        key=spec.key,
        spec=spec.model_dump(mode="json", by_alias=True, exclude_none=True),
        offer=OfferSpec(offer.placement, offer.entry, offer.content, offer.params),
        when=when,
        page=page,
        per_day=caps.per_day,
        per_week=caps.per_week,
        priority=spec.priority,
        cooldown=cooldown,
        start=spec.start,
        end=spec.end,
        experiment=spec.experiment,
        name=spec.name,
    )


def parse_document(raw: object) -> list[Trigger]:
    """A triggers file: ``{"triggers": [...]}``, keys unique; errors name ``$.triggers[i]``."""
    if not isinstance(raw, Mapping) or set(raw) != {"triggers"}:
        raise TriggerError("$", "a triggers file is an object with one key, triggers")
    items = raw["triggers"]
    if items is None:
        return []
    if not isinstance(items, list):
        raise TriggerError("$.triggers", "must be a list of triggers")
    parsed: list[Trigger] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        trigger = parse_trigger(item, f"$.triggers[{index}]")
        if trigger.key in seen:
            raise TriggerError(f"$.triggers[{index}].key", f"{trigger.key!r} appears twice")
        seen.add(trigger.key)
        parsed.append(trigger)
    return parsed


def unknown_segments(triggers: list[Trigger], known: set[str], base: str = "$.triggers") -> None:
    """Refuse a ``when`` that refers to a segment that does not exist, as saving a segment
    does: it would never match, silently. ``base`` names the list in error paths; empty,
    the one trigger is a GraphQL ``input``."""
    for index, trigger in enumerate(triggers):
        missing = sorted(referenced_segments(trigger.when) - known) if trigger.when else []
        if missing:
            path = f"{base}[{index}].when" if base else "input.when"
            raise TriggerError(path, f"refers to unknown segment(s): {', '.join(missing)}")


def sensitive_uses(
    triggers: list[Trigger], sensitive: SensitiveTraits, base: str = "$.triggers"
) -> None:
    """Refuse a ``when`` that tests special-category data the deployment has not allowed,
    as saving a segment does (see `veneer.profiles.sensitive`)."""
    for index, trigger in enumerate(triggers):
        refusal = sensitive.refusal(referenced_traits(trigger.when)) if trigger.when else None
        if refusal is not None:
            path = f"{base}[{index}].when" if base else "input.when"
            raise TriggerError(path, refusal)
