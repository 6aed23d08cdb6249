"""`upsertSegment` and `deleteSegment` (secret key).

A rule is checked in full before it is saved: it parses, every segment it refers to exists,
and it closes no cycle of references, so evaluation never meets a broken rule.
"""

from __future__ import annotations

import re
from typing import Annotated

import strawberry
from strawberry.permission import PermissionExtension
from strawberry.scalars import JSON

from veneer.graphql.context import Info
from veneer.graphql.errors import UserInputError, check_json
from veneer.graphql.permissions import IsSecretKey
from veneer.graphql.segments.types import Segment
from veneer.segments import RuleError, parse_rule, referenced_segments
from veneer.segments.holdout import MAX_HOLDOUT
from veneer.segments.rules import find_cycle, referenced_traits
from veneer.store import segments as store

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


@strawberry.type
class SegmentMutations:
    @strawberry.mutation(extensions=[PermissionExtension(permissions=[IsSecretKey()])])
    async def upsert_segment(
        self,
        info: Info,
        key: str,
        name: str,
        rule: JSON,
        holdout: Annotated[
            float,
            strawberry.argument(
                description="Share of members (0 to 0.5) who keep seeing the baseline, so "
                "`veneer segments validate` can measure what the personalization does."
            ),
        ] = 0.0,
    ) -> Segment:
        if not KEY_PATTERN.match(key):
            raise UserInputError(
                "key", "must be 1-100 lowercase letters, digits, - or _, starting alphanumeric"
            )
        if not name.strip():
            raise UserInputError("name", "must not be empty")
        if not isinstance(rule, dict):
            raise UserInputError("rule", "must be a JSON object")
        check_json("rule", rule)
        if not 0 <= holdout <= MAX_HOLDOUT:
            raise UserInputError("holdout", f"must be between 0 and {MAX_HOLDOUT}, got {holdout}")
        try:
            parsed = parse_rule(rule)
        except RuleError as exc:
            raise UserInputError("rule", str(exc), path=exc.path) from exc
        services = info.context.services
        refusal = services.settings.sensitive().refusal(referenced_traits(parsed))
        if refusal is not None:
            raise UserInputError("rule", refusal)
        definitions = await services.segment_definitions(fresh=True)
        rules = {k: d.rule for k, d in definitions.items()}
        unknown = sorted(referenced_segments(parsed) - set(rules) - {key})
        if unknown:
            raise UserInputError("rule", f"refers to unknown segment(s): {', '.join(unknown)}")
        rules[key] = parsed
        cycle = find_cycle(rules)
        if cycle:
            raise UserInputError(
                "rule", f"segments refer to each other in a cycle: {' -> '.join(cycle)}"
            )
        async with services.db.session() as session:
            row = await store.upsert_segment(session, key, name.strip(), rule, holdout)
            result = Segment(key=row.key, name=row.name, rule=JSON(row.rule), holdout=row.holdout)
        await services.segments_changed()
        return result

    @strawberry.mutation(
        extensions=[PermissionExtension(permissions=[IsSecretKey()])],
        description="Delete a segment; false if there was none. Refused while segments or "
        "triggers use it.",
    )
    async def delete_segment(self, info: Info, key: str) -> bool:
        services = info.context.services
        definitions = await services.segment_definitions(fresh=True)
        users = sorted(
            k for k, d in definitions.items() if k != key and key in referenced_segments(d.rule)
        )
        if users:
            raise UserInputError("key", f"segment {key!r} is used by: {', '.join(users)}")
        triggers = sorted(
            t.key
            for t in await services.trigger_definitions(fresh=True)
            if t.when is not None and key in referenced_segments(t.when)
        )
        if triggers:
            raise UserInputError(
                "key", f"segment {key!r} is used by trigger(s): {', '.join(triggers)}"
            )
        async with services.db.session() as session:
            deleted = await store.delete_segment(session, key)
        await services.segments_changed()
        return deleted
