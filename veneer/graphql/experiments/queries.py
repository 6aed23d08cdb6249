"""`experiments` and `experimentResults(key)` (secret key)."""

from __future__ import annotations

import strawberry
from strawberry.permission import PermissionExtension

from veneer.graphql.context import Info
from veneer.graphql.errors import UserInputError
from veneer.graphql.experiments.types import Experiment, ExperimentResults
from veneer.graphql.permissions import IsSecretKey
from veneer.jobs import experiments as jobs


@strawberry.type
class ExperimentQueries:
    @strawberry.field(
        extensions=[PermissionExtension(permissions=[IsSecretKey()])],
        description="Every experiment, running or not.",
    )
    async def experiments(self, info: Info) -> list[Experiment]:
        found = await info.context.services.experiments(fresh=True)
        return [Experiment.of(e, info.context.now) for _, e in sorted(found.items())]

    @strawberry.field(
        extensions=[PermissionExtension(permissions=[IsSecretKey()])],
        description="Results so far, read sequentially (valid however often you look). "
        "Viewers count from their first exposure, conversions only after it.",
    )
    async def experiment_results(self, info: Info, key: str) -> ExperimentResults:
        found = await jobs.results(info.context.services, key)
        if found is None:
            raise UserInputError("key", f"no experiment {key!r}")
        return ExperimentResults.of(found)
