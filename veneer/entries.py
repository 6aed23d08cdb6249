"""What Veneer serves: an `Entry` from the CMS and the `Variant`s editors tagged on it.

Adapters map each CMS's own shape onto these types, so variant choice, caching and the GraphQL
layer never need to know which CMS an entry came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)


class Variant(BaseModel):
    """An editor's alternative for an entry, shown to the viewers in its audience."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    audience: tuple[str, ...] = ()
    priority: int = Field(default=0, strict=True)
    fields: dict[str, Any] = Field(default_factory=dict)
    experiment: str | None = None
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _utc_unless_told(cls, value: object) -> object:
        """A schedule written without a zone (or as a bare date) is UTC, as updatedAt is."""
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                return value  # pydantic explains what is wrong with it
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
        return value

    @model_validator(mode="after")
    def _window_is_ordered(self) -> Variant:
        if self.start and self.end and self.end <= self.start:
            raise ValueError("end must be after start")
        return self

    def is_live(self, now: datetime) -> bool:
        """Scheduled variants show only inside their window (start inclusive, end exclusive)."""
        if self.start is not None and now < self.start:
            return False
        return not (self.end is not None and now >= self.end)


@dataclass(frozen=True)
class Entry:
    """One piece of content, with its baseline fields and its variants."""

    id: str
    content_type: str
    slug: str | None
    fields: Mapping[str, Any]
    variants: tuple[Variant, ...] = ()
    locale: str | None = None
    updated_at: datetime | None = None
    source: str = field(default="", compare=False)


class VariantsError(ValueError):
    """The `variants` an editor wrote do not have the shape Veneer needs."""


def parse_variants(raw: object) -> tuple[Variant, ...]:
    """Validate the raw `variants` value of an entry, naming the bad item and field."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise VariantsError("variants: must be a list")
    variants: list[Variant] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        try:
            variant = Variant.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            path = f"variants[{index}]" + (f".{where}" if where else "")
            raise VariantsError(f"{path}: {first['msg']}") from exc
        # Only an experiment's arm may go without an audience: it is open to everyone the
        # experiment enrols. `control` names an experiment's baseline, never a variant.
        if not variant.audience and variant.experiment is None:
            raise VariantsError(
                f"variants[{index}].audience: list at least one segment, or give the variant "
                "an experiment key"
            )
        if variant.experiment is not None and variant.id == "control":
            raise VariantsError(
                f"variants[{index}].id: `control` is the experiment's baseline; give the "
                "variant another id"
            )
        if variant.id in seen:
            raise VariantsError(f"variants[{index}].id: duplicate variant id {variant.id!r}")
        seen.add(variant.id)
        variants.append(variant)
    return tuple(variants)
