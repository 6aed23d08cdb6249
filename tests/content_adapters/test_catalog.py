"""Content types named in the setting, or asked of the CMS once, with a useful refusal."""

from __future__ import annotations

import asyncio

import pytest

from veneer.content_adapters import ContentError, ContentUnavailable, UnknownContentType
from veneer.content_adapters.catalog import TypeCatalog

REFUSED = "the CMS refused: grant the listing permission, or name the types"


class Cms:
    def __init__(self, answer: dict[str, str] | Exception):
        self.answer = answer
        self.asked = 0

    async def listing(self) -> dict[str, str]:
        self.asked += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_discovered_once_and_picked_by_name() -> None:
    cms = Cms({"product": "products", "article": "articles"})
    catalog = TypeCatalog({}, cms.listing, REFUSED)

    async def run() -> tuple[list[str], list[tuple[str, str]], list[tuple[str, str]]]:
        return await catalog.names(), await catalog.pick(None), await catalog.pick("article")

    names, every, one = asyncio.run(run())
    assert names == ["article", "product"] and one == [("article", "articles")]
    assert every == [("article", "articles"), ("product", "products")]
    assert cms.asked == 1, "asked once, then remembered"
    with pytest.raises(UnknownContentType, match="known: article, product"):
        asyncio.run(catalog.pick("recipe"))


def test_types_named_in_the_setting_are_not_asked_for() -> None:
    cms = Cms(ContentUnavailable("the CMS answered HTTP 403"))
    catalog = TypeCatalog({"article": "posts"}, cms.listing, REFUSED)
    assert asyncio.run(catalog.pick(None)) == [("article", "posts")] and cms.asked == 0


def test_a_refusal_says_which_permission_to_grant() -> None:
    refused = TypeCatalog({}, Cms(ContentUnavailable("the CMS answered HTTP 403")).listing, REFUSED)
    down = TypeCatalog({}, Cms(ContentUnavailable("the CMS did not answer")).listing, REFUSED)
    with pytest.raises(ContentError, match=REFUSED):
        asyncio.run(refused.names())
    with pytest.raises(ContentUnavailable, match="did not answer"):
        asyncio.run(down.names())
