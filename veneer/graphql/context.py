"""The typed per-request `Context`: who is asking, memoized per-request reads, and what the
answer served (experiment arms to record, entries to count for coverage)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.background import BackgroundTasks
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from veneer.consent import Purpose
from veneer.entries import Entry
from veneer.graphql.errors import NoViewerError
from veneer.identity.principal import Principal
from veneer.identity.viewer import Viewer
from veneer.services import Services
from veneer.variants import Choice, choose_variant
from veneer.variants.choice import next_change
from veneer.variants.coverage import Reason, Served, served_reason
from veneer.viewer_state import ViewerState


@dataclass
class Context:
    request: Request
    response: Response
    services: Services
    principal: Principal
    now: datetime
    _state: ViewerState | None = None
    _choices: dict[str, Choice] = field(default_factory=dict)
    loaders: dict[str, Any] = field(default_factory=dict)  # DataLoaders, made on first use
    _exposed: dict[str, str] = field(default_factory=dict)  # first exposures served here
    served_arms: dict[str, str] = field(default_factory=dict)  # every arm the answer shows
    choices_change_at: datetime | None = None  # the first variant schedule change ahead
    served: dict[Served, int] = field(default_factory=dict)  # entries counted, by why
    _shown: set[tuple[str, str, str | None]] = field(default_factory=set)  # entries counted

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

    def after_response(self, task: Callable[[], Awaitable[None]]) -> None:
        """Run ``task`` once the answer is sent: work the answer does not depend on.

        Strawberry moves the tasks of ``response`` (its sub-response) to the response sent."""
        if not isinstance(self.response.background, BackgroundTasks):
            self.response.background = BackgroundTasks()
        self.response.background.add_task(task)

    def choice(self, entry: Entry) -> Choice:
        """The variant choice for ``entry``; resolvers that return entries load the state first.

        Keeping this synchronous lets the per-entry fields resolve without a coroutine each,
        which is most of the cost of a 20-entry query otherwise.
        """
        if self._state is None:
            raise RuntimeError("viewer state must be loaded before entries are resolved")
        key = f"{entry.content_type}/{entry.id}/{entry.locale}"
        choice = self._choices.get(key)
        if choice is None:
            state = self._state
            choice = choose_variant(
                entry,
                state.segments,
                state.granted,
                self.now,
                state.held_out,
                state.arms,
                state.controls,
            )
            self._choices[key] = choice
            if choice.experiment is not None:
                self.served_arms.setdefault(*choice.experiment)
                self.exposed(*choice.experiment)
            change = next_change(entry, self.now)
            if change is not None and (
                self.choices_change_at is None or change < self.choices_change_at
            ):
                self.choices_change_at = change
        return choice

    def shown(self, entry: Entry, strategy: str | None = None) -> Choice:
        """The choice for an entry the answer shows, counted for coverage the first time the
        request shows it (``strategy``: what picked it, when Veneer did).

        Resolvers of what the viewer reads call this; `choice` alone is for entries weighed
        but not necessarily shown (a placement's candidates). Counting is a dictionary
        increment; the counts are stored in the background (`CoverageBuffer`).
        """
        choice = self.choice(entry)
        key = (entry.content_type, entry.id, entry.locale)
        if key not in self._shown:
            self._shown.add(key)
            self.count(served_reason(choice.why, strategy), strategy=strategy)
        return choice

    def count(self, reason: Reason, n: int = 1, strategy: str | None = None) -> None:
        """``n`` entries served for ``reason`` (picked by ``strategy``): this answer's, and
        this process's for the day."""
        key = (reason, strategy)
        self.served[key] = self.served.get(key, 0) + n
        self.services.coverage.add(self.now.date(), reason, n, strategy)

    def exposed(self, experiment: str, arm: str) -> None:
        """The answer serves ``arm``: recorded after it is built, if it is the first time."""
        if self._state is not None and experiment not in self._state.exposures:
            self._exposed.setdefault(experiment, arm)

    def reused(self, arms: dict[str, str]) -> None:
        """An earlier answer is served: the exposures it shows are this viewer's as well."""
        for experiment, arm in arms.items():
            self.exposed(experiment, arm)

    async def record_exposures(self) -> None:
        """After the answer is built: the viewer's first exposures, if ANALYTICS lets Veneer
        keep them (only their conversions are stored, so only they can be measured)."""
        state, viewer = self._state, self.principal.viewer
        if not self._exposed or state is None or viewer is None:
            return
        if Purpose.ANALYTICS in state.granted:
            await self.services.record_exposures(viewer, self._exposed)
        self._exposed = {}


Info = StrawberryInfo[Context, None]
