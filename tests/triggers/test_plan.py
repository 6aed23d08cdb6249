"""What applying a triggers file would change."""

from __future__ import annotations

from veneer.triggers import parse_trigger
from veneer.triggers.plan import plan


def _spec(key: str, priority: int = 0) -> dict[str, object]:
    return {"key": key, "priority": priority, "offer": {"placement": "cart", "entry": "promo"}}


def test_added_changed_removed_and_unchanged_with_the_fields_that_differ() -> None:
    stored = {key: dict(parse_trigger(_spec(key)).spec) for key in ("same", "moved", "gone")}
    wanted = [
        parse_trigger(_spec("same")),
        parse_trigger(_spec("moved", 5)),
        parse_trigger(_spec("new")),
    ]
    result = plan(stored, wanted)
    assert result.as_json() == {
        "added": ["new"],
        "changed": {"moved": ["priority"]},
        "removed": ["gone"],
        "unchanged": ["same"],
    }
    assert result.has_changes
    assert not plan(stored, [parse_trigger(_spec(k)) for k in stored]).has_changes
