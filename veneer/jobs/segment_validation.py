"""`veneer segments validate`: a segment's personalization against its own holdout.

Members are split by the same hash requests use (`veneer.segments.holdout`), and a member
converts when they sent a ``metric`` event after entering the segment. Members who never
allowed personalization saw the baseline on both sides; the split is random, so they dilute
the effect but cannot bias it.
"""

from __future__ import annotations

from veneer.jobs.memberships import no_such_segment
from veneer.segments.holdout import in_holdout
from veneer.services import Services
from veneer.statistics.proportions import Comparison, Group, compare
from veneer.store.memberships import members_converted


class NoHoldout(ValueError):
    pass


async def validate_segment(
    services: Services, key: str, metric: str, confidence: float = 0.95
) -> Comparison:
    definitions = await services.segment_definitions(fresh=True)
    if key not in definitions:
        raise no_such_segment([key], definitions)
    fraction = definitions[key].holdout
    if fraction <= 0:
        raise NoHoldout(
            f"segment {key!r} has no holdout, so there is nothing to compare with: save it "
            "with upsertSegment(..., holdout: 0.1), let viewers see it for a while, then validate"
        )
    async with services.db.reading() as session:
        members = await members_converted(session, key, metric)
    counts = {True: [0, 0], False: [0, 0]}  # held out -> [viewers, converted]
    for profile_id, did in members:
        side = counts[in_holdout(profile_id, key, fraction)]
        side[0] += 1
        side[1] += did
    treated, control = Group(*counts[False]), Group(*counts[True])
    return compare(treated, control, confidence)
