"""`viewer`."""

from __future__ import annotations

import strawberry

from veneer.graphql.context import Info
from veneer.graphql.viewer.types import Viewer


@strawberry.type
class ViewerQueries:
    @strawberry.field(description="The viewer this request acts for.")
    def viewer(self, info: Info) -> Viewer:
        return Viewer(viewer=info.context.require_viewer())
