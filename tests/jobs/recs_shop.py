"""A shop with planted tastes, written through Veneer's own consent and ingest paths.

Viewers fall into groups, each browsing its own shelf of entries (and a few blockbusters
everyone touches first), so a model that finds the groups recommends the rest of a viewer's
shelf, which popularity cannot. Times run up to ``now`` so the newest views are what the time
split holds out.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from veneer.consent import Purpose
from veneer.consent.decisions import Decisions
from veneer.identity.keys import ApiKey, KeyKind
from veneer.identity.viewer import Viewer
from veneer.jobs.ingest import track
from veneer.services import Services

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
BACKEND = ApiKey(id="test-backend", kind=KeyKind.SECRET, name="test backend")
_ids = itertools.count()


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = NOW
    calls: list[datetime] = field(default_factory=list)

    def __call__(self) -> datetime:
        return self.now


def user(name: str) -> Viewer:
    return Viewer(user_id=name)


async def consent(services: Services, name: str, recommendations: bool = True) -> None:
    choices = ((Purpose.ANALYTICS, True), (Purpose.RECOMMENDATIONS, recommendations))
    await services.record_consent(user(name), Decisions(choices, "test", None), gpc=False)


async def send(services: Services, events: Iterable[dict[str, object]]) -> None:
    batch = list(events)
    for first in range(0, len(batch), 400):
        result = await track(services, batch[first : first + 400], BACKEND, None)
        assert result.rejected == [], result.rejected


def view(name: str, entry: str, at: datetime, kind: str = "entry_view") -> dict[str, object]:
    return {
        "id": f"shop-{next(_ids)}",
        "type": kind,
        "userId": name,
        "entryId": entry,
        "timestamp": at.isoformat(),
    }


def planted_events(
    groups: int = 4,
    per_group: int = 15,
    shelf: int = 20,
    per_viewer: int = 10,
    seed: int = 0,
    end: datetime = NOW,
    days: float = 20.0,
    shift: int = 0,
    prefix: str = "v",
) -> list[dict[str, object]]:
    """Each viewer: 3 of 8 blockbusters, then ``per_viewer`` of their group's shelf, spread
    evenly over ``days`` before ``end``; with ``shift`` they browse the next group's shelf."""
    rng = np.random.default_rng(seed)
    events: list[dict[str, object]] = []
    for group in range(groups):
        for member in range(per_group):
            name = f"{prefix}{group}-{member}"
            picks = [f"pop-{i}" for i in rng.choice(8, 3, replace=False)]
            taste = (group + shift) % groups
            picks += [f"g{taste}-{i}" for i in rng.choice(shelf, per_viewer, replace=False)]
            step = timedelta(days=days) / len(picks)
            start = end - step * len(picks)
            kinds = ["entry_view", "click", "add_to_cart"]
            events += [
                view(name, entry, start + step * (i + 1) - timedelta(minutes=1), kinds[i % 3])
                for i, entry in enumerate(picks)
            ]
    return events


def viewers(groups: int = 4, per_group: int = 15, prefix: str = "v") -> list[str]:
    return [f"{prefix}{g}-{m}" for g in range(groups) for m in range(per_group)]


async def shop(services: Services, **options: object) -> list[str]:
    """Every planted viewer consents, then browses; returns their names."""
    names = viewers(
        int(options.get("groups", 4)),  # type: ignore[call-overload]
        int(options.get("per_group", 15)),  # type: ignore[call-overload]
        str(options.get("prefix", "v")),
    )
    for name in names:
        await consent(services, name)
    await send(services, planted_events(**options))  # type: ignore[arg-type]
    return names


THEMES = ("tent camping", "rope climbing", "shoe running", "stove cooking")


def shop_content(folder: Path, groups: int = 4, shelf: int = 20, missing: int = 1) -> Path:
    """The shop's entries as a content folder: each shelf's entries share their group's tag,
    category and words; blockbusters are tagged alike; the last ``missing`` blockbusters
    are no longer in the CMS."""
    entries: list[tuple[str, str, dict[str, object]]] = []
    for group in range(groups):
        theme = THEMES[group % len(THEMES)]
        kind = "article" if group % 2 else "product"
        entries += [
            (
                kind,
                f"g{group}-{i}",
                {
                    "title": f"{theme} {i}",
                    "body": f"All about {theme}.",
                    "tags": [f"group-{group}"],
                    "category": theme.split()[1],
                },
            )
            for i in range(shelf)
        ]
    entries += [
        ("product", f"pop-{i}", {"title": f"Bestseller {i}", "tags": ["bestseller"]})
        for i in range(8 - missing)
    ]
    for kind, entry_id, fields in entries:
        (folder / kind).mkdir(parents=True, exist_ok=True)
        document = {"id": entry_id, "updatedAt": "2026-11-01T00:00:00Z", **fields}
        (folder / kind / f"{entry_id}.json").write_text(json.dumps(document))
    return folder


async def shelf_shop(
    services: Services, shelves: Iterable[list[str]], per_shelf: int, prefix: str
) -> None:
    """``per_shelf`` consenting viewers per shelf, each viewing their shelf's entries a day
    apart up to ``NOW``, starting at a different one: which entries go together is all
    there is to learn."""
    events = []
    for group, shelf in enumerate(shelves):
        for member in range(per_shelf):
            name = f"{prefix}-{group}-{member}"
            await consent(services, name)
            order = shelf[member % len(shelf) :] + shelf[: member % len(shelf)]
            events += [
                view(name, entry, NOW - timedelta(days=len(shelf) - i, minutes=member))
                for i, entry in enumerate(order)
            ]
    await send(services, events)
