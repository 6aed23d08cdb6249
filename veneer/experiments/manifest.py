"""Experiments written in a YAML file, kept in version control beside the triggers.

```yaml
experiments:
  - key: pack-headline
    name: Pack headline copy
    metric: purchase            # or purchase.value
    guardrails: [return]
    trafficShare: 0.5
    arms:                       # optional: control and the tagged CMS variants, equal weights
      - {key: control, weight: 0.5}
      - {key: weekend-copy, weight: 0.5}
    start: 2026-12-01
```

The same names as `ExperimentInput` in GraphQL; errors give the item's path
(``experiments[1].arms[0].weight``) and the reason.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from veneer.experiments.definition import ArmSpec, Draft, ExperimentError


class _Arm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1)
    weight: float
    control: bool = False


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    key: str
    metric: str
    name: str | None = None
    arms: list[_Arm] | None = None
    traffic_share: float = Field(default=1.0, alias="trafficShare")
    guardrails: list[str] = Field(default_factory=list)
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _dates_are_utc(cls, value: object) -> object:
        """YAML reads `2026-12-01` as a date: midnight UTC, like a variant's schedule."""
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
        return value


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    experiments: list[_Item]


def parse_manifest(raw: Any) -> list[Draft]:
    """The drafts a loaded YAML document describes; `ExperimentError` names the bad path."""
    try:
        parsed = _File.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ""
        for part in first["loc"]:
            path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
        raise ExperimentError(path or "file", first["msg"]) from exc
    keys = [item.key for item in parsed.experiments]
    for index, key in enumerate(keys):
        if key in keys[:index]:
            raise ExperimentError(f"experiments[{index}].key", f"{key!r} appears twice")
    return [
        Draft(
            key=item.key,
            metric=item.metric,
            name=item.name,
            arms=None
            if item.arms is None
            else [ArmSpec(a.key, a.weight, a.control) for a in item.arms],
            traffic_share=item.traffic_share,
            guardrails=tuple(item.guardrails),
            start=item.start,
            end=item.end,
        )
        for item in parsed.experiments
    ]
