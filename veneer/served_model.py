"""`ServedModel`: the champion recommendation model, loaded once per process, swapped live.

An artifact is megabytes read from the database and unpacked into arrays, far too much for a
request, so each process holds the champion in memory. It notices a new one two ways: at
once when the model bus says a version was promoted or rolled back (Redis pub/sub, as for
content changes), and by checking the registry's champion version every
``recommend_model_check`` seconds (a one-row read), which is all an embedded deployment
without Redis needs to pick up a model trained by the CLI within seconds. A request that
finds the last check older than that looks itself; with the interval at 0 (the demo's
default) every request that recommends looks, so a model trained from the CLI answers the
very next query. A swap replaces the model once the new one is loaded. A champion that
cannot be read is logged and the previous one kept, so a bad row never takes
recommendations down. The model held remembers its latest answers (`RememberedModel`), so a
viewer asking again with the same history is not scored again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import Protocol

from veneer.recommend.models.remembered import RememberedModel
from veneer.recommend.models.serving import ArtifactError, ServingModel
from veneer.store import Database
from veneer.store import recommendation_models as registry

logger = logging.getLogger(__name__)


class ModelSource(Protocol):
    """Where the registry keeps its champion (the database, in `Services`)."""

    async def champion_version(self) -> int | None: ...

    async def artifact(self, version: int) -> bytes: ...


class StoredModels:
    """The registry in the database (artifacts in it, or files under ``directory``)."""

    def __init__(self, db: Database, directory: Path | None):
        self._db = db
        self._directory = directory

    async def champion_version(self) -> int | None:
        async with self._db.reading() as session:
            return await registry.champion_version(session)

    async def artifact(self, version: int) -> bytes:
        async with self._db.reading() as session:
            return await registry.read_artifact(session, version, self._directory)


class ServedModel:
    def __init__(self, source: ModelSource, every: float):
        self._source = source
        self._every = every  # seconds a check stays fresh
        self._current: tuple[int, RememberedModel] | None = None
        self._checked_at: float | None = None
        self._unreadable: int | None = None  # a champion whose artifact could not be read
        self._refreshing = asyncio.Lock()

    def _stale(self) -> bool:
        checked = self._checked_at
        return checked is None or time.monotonic() - checked >= self._every

    async def get(self) -> tuple[int, RememberedModel] | None:
        """The champion's version and model, or None; looks first if the last look is stale.

        Requests arriving together while a look is under way wait for it and then use its
        answer, rather than each asking the database again.
        """
        if self._stale():
            await self.champion_changed(only_if_stale=True)
        return self._current

    async def refresh(self, only_if_stale: bool = False) -> bool:
        """Load the registry's champion if it is not the one held; True if the model changed.

        With no champion (none promoted yet, or every version rolled back) nothing is served
        from a model, and the fallback strategies answer alone. A version that could not be
        read is not read again until the champion changes: one error in the log, not one
        per request.
        """
        async with self._refreshing:
            if only_if_stale and not self._stale():
                return False
            version = await self._source.champion_version()
            self._checked_at = time.monotonic()
            held = self._current[0] if self._current is not None else None
            if version == held or (version is not None and version == self._unreadable):
                return False
            if version is None:
                self._current = None
                logger.info("no champion recommendation model: fallbacks answer alone")
                return True
            try:
                data = await self._source.artifact(version)
                model = await asyncio.to_thread(ServingModel.from_bytes, data)
            except (ArtifactError, registry.RegistryError, OSError):
                self._unreadable = version
                raise
            # A new version starts with an empty memory: its answers are its own.
            self._current = (version, RememberedModel(model))
        logger.info(
            "serving recommendation model %s:v%d (%d items)", model.recipe, version, len(model)
        )
        return True

    async def champion_changed(self, only_if_stale: bool = False) -> None:
        """The model bus's listener: load the new champion, keeping the old one on failure."""
        try:
            await self.refresh(only_if_stale)
        except (ArtifactError, registry.RegistryError, OSError) as exc:
            logger.error("recommendation model kept, the new champion could not be read: %s", exc)
        except Exception:  # a database outage must not end the watch; the next check retries
            logger.exception("recommendation model kept, the registry could not be read")

    async def watch(self, stop: asyncio.Event) -> None:
        """Until ``stop``: look now, then as often as a check stays fresh (with 0, requests
        look for themselves and this only looks at start)."""
        while not stop.is_set():
            await self.champion_changed()
            if self._every <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._every)


class ChallengerModels:
    """Versions other than the champion that an experiment serves to its challenger arm.

    Loaded on first use and kept (a few at most), since an experiment serves the same one for
    weeks. Whether a version may still serve is read again every ``every`` seconds: one
    trained on data of someone who has since withdrawn consent or been erased, or pruned,
    stops at once and its viewers get the champion (and are not counted as exposed).
    """

    KEEP = 2

    def __init__(self, db: Database, source: ModelSource, every: float):
        self._db = db
        self._source = source
        self._every = every
        self._held: dict[int, RememberedModel] = {}
        self._allowed: dict[int, tuple[bool, float]] = {}  # version -> (may serve, checked at)
        self._lock = asyncio.Lock()

    async def _may_serve(self, version: int) -> bool:
        known = self._allowed.get(version)
        if known is not None and time.monotonic() - known[1] < self._every:
            return known[0]
        async with self._db.reading() as session:
            row = await registry.get_version(session, version)
        allowed = row is not None and row.retrain_due is None and row.pruned_at is None
        self._allowed[version] = (allowed, time.monotonic())
        return allowed

    async def get(self, version: int) -> RememberedModel | None:
        """The version's model, or None when it may not (or cannot) serve."""
        async with self._lock:
            if not await self._may_serve(version):
                self._held.pop(version, None)
                return None
            model = self._held.get(version)
            if model is not None:
                return model
            try:
                data = await self._source.artifact(version)
                loaded = await asyncio.to_thread(ServingModel.from_bytes, data)
            except (ArtifactError, registry.RegistryError, OSError) as exc:
                logger.error("challenger model v%d cannot serve: %s", version, exc)
                self._allowed[version] = (False, time.monotonic())
                return None
            while len(self._held) >= self.KEEP:
                self._held.pop(next(iter(self._held)))
            self._held[version] = RememberedModel(loaded)
            return self._held[version]
