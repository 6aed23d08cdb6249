"""The edits an editor makes from Insights: a segment's holdout, stopping a trigger.

Each goes through the same store functions as GraphQL and definitions files, so it is
checked the same way and lands in the audit log the same way; only what changes is new.
(Pausing an experiment is `veneer.jobs.experiments.stop`.)
"""

from __future__ import annotations

from datetime import datetime

from veneer.segments.definition import SegmentDefinition
from veneer.segments.holdout import MAX_HOLDOUT
from veneer.services import Services
from veneer.store import segments as segment_store
from veneer.store import triggers as trigger_store
from veneer.triggers.definition import Trigger, parse_trigger


class EditError(ValueError):
    """An edit refused, naming the field and why."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


async def set_holdout(services: Services, key: str, holdout: float) -> SegmentDefinition:
    """Keep the segment's rule and name; change only the share held out."""
    if not 0 <= holdout <= MAX_HOLDOUT:
        raise EditError("holdout", f"must be between 0 and {MAX_HOLDOUT:.0%}, got {holdout:.1%}")
    definitions = await services.segment_definitions(fresh=True)
    current = definitions.get(key)
    if current is None:
        raise EditError("segment", f"no segment {key!r}")
    async with services.db.session() as session:
        await segment_store.upsert_segment(
            session, key, current.name, dict(current.rule_json), holdout
        )
    await services.segments_changed()
    return SegmentDefinition.parse(key, current.name, dict(current.rule_json), holdout)


def _stopped_spec(trigger: Trigger, now: datetime) -> dict[str, object]:
    """The trigger's definition ending now; one not started yet never starts."""
    spec = dict(trigger.spec)
    spec["end"] = now.isoformat()
    if trigger.start is not None and trigger.start >= now:
        spec.pop("start", None)
    return spec


async def stop_trigger(services: Services, key: str) -> Trigger:
    """End the trigger now: no more offers, its history and figures stay."""
    found = {t.key: t for t in await services.trigger_definitions(fresh=True)}.get(key)
    if found is None:
        raise EditError("trigger", f"no trigger {key!r}")
    now = services.clock()
    if found.end is not None and found.end <= now:
        return found  # already over: nothing to change, nothing to log
    stopped = parse_trigger(_stopped_spec(found, now), key)
    async with services.db.session() as session:
        await trigger_store.upsert_trigger(session, stopped.key, stopped.spec, now)
    await services.triggers_changed()
    return stopped
