"""What applying a triggers file would change, as `terraform plan` shows it.

The file is the whole truth: triggers it lists are added or changed, triggers it leaves out
are removed, and the rest are unchanged. Comparing the normalized specs (not the text)
means reformatting a file or reordering its keys changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


class Specified(Protocol):
    """A definition kept in a file: a trigger, a placement."""

    @property
    def key(self) -> str: ...

    @property
    def spec(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Plan:
    added: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # key -> fields that differ
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def as_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "unchanged": self.unchanged,
        }


def plan(stored: Mapping[str, Mapping[str, Any]], wanted: Sequence[Specified]) -> Plan:
    """``stored``: the saved specs by key; ``wanted``: the file's definitions, parsed."""
    result = Plan()
    for trigger in sorted(wanted, key=lambda t: t.key):
        before = stored.get(trigger.key)
        if before is None:
            result.added.append(trigger.key)
        elif dict(before) != dict(trigger.spec):
            fields = sorted(
                name
                for name in set(before) | set(trigger.spec)
                if before.get(name) != trigger.spec.get(name)
            )
            result.changed[trigger.key] = fields
        else:
            result.unchanged.append(trigger.key)
    keep = {t.key for t in wanted}
    result.removed.extend(sorted(set(stored) - keep))
    return result
