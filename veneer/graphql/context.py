"""The typed per-request `Context`: who is asking, and memoized per-request reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from veneer.entries import Entry
from veneer.graphql.errors import NoViewerError
from veneer.identity.viewer import Viewer
from veneer.services import Services, ViewerState
from veneer.variants import Choice, choose_variant
from veneer.web.auth import Principal


@dataclass
class Context:
    request: Request
    response: Response
    services: Services
    principal: Principal
    now: datetime
    _state: ViewerState | None = None
    _choices: dict[str, Choice] = field(default_factory=dict)

    def require_viewer(self) -> Viewer:
        if self.principal.viewer is None:
            raise NoViewerError()
        return self.principal.viewer

    async def viewer_state(self) -> ViewerState:
        """Loaded once per request, however many entries ask for it."""
        if self._state is None:
            self._state = await self.services.viewer_state(
                self.principal.viewer, self.principal.gpc
            )
        return self._state

    def forget_viewer_state(self) -> None:
        self._state = None

    async def choice(self, entry: Entry) -> Choice:
        key = f"{entry.content_type}/{entry.id}/{entry.locale}"
        if key not in self._choices:
            state = await self.viewer_state()
            self._choices[key] = choose_variant(entry, state.segments, state.granted, self.now)
        return self._choices[key]


Info = StrawberryInfo[Context, None]
