"""The per-process catalogue behind similarity: built when first needed, rebuilt on change."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from veneer.catalogue import Catalogue
from veneer.content_adapters.base import ContentUnavailable, EntryPage
from veneer.content_adapters.file import SAMPLE_CONTENT, FileAdapter


class Counted(FileAdapter):
    """The file adapter, counting listings and failing on demand like a CMS that is down."""

    listings = 0
    down = False

    async def list_entries(
        self, content_type: str | None, first: int, after: str | None, locale: str | None
    ) -> EntryPage:
        if self.down:
            raise ContentUnavailable("CMS is down")
        self.listings += 1
        return await super().list_entries(content_type, first, after, locale)


def _shop(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    return content


def test_nothing_is_built_until_asked_and_an_unchanged_catalogue_is_not_rebuilt(
    tmp_path: Path,
) -> None:
    async def run() -> None:
        adapter = Counted(_shop(tmp_path))
        catalogue = Catalogue(adapter)
        await catalogue.content_changed()  # a webhook before anyone asked for similarity
        assert adapter.listings == 0
        index = await catalogue.index()
        assert len(index) == 22 and await catalogue.index() is index
        assert await catalogue.refresh() is False
        assert await catalogue.index() is index

    asyncio.run(run())


def test_a_change_is_picked_up_and_a_cms_outage_keeps_the_last_index(tmp_path: Path) -> None:
    async def run() -> None:
        content = _shop(tmp_path)
        adapter = Counted(content)
        catalogue = Catalogue(adapter)
        before = await catalogue.index()
        (content / "article" / "rope-care-basics.md").unlink()
        await catalogue.content_changed()
        after = await catalogue.index()
        assert "rope-care-basics" in before and "rope-care-basics" not in after

        adapter.down = True
        await catalogue.content_changed()  # logged, not raised
        assert await catalogue.index() is after

    asyncio.run(run())


def test_a_watch_stops_when_told(tmp_path: Path) -> None:
    async def run() -> None:
        stop = asyncio.Event()
        stop.set()
        await asyncio.wait_for(Catalogue(Counted(_shop(tmp_path))).watch(stop, 3600), 5)

    asyncio.run(run())
