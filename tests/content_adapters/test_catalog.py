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


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_unknown_type_asks_again_at_most_every_so_often() -> None:
    cms, clock = Cms({"article": "blog.ArticlePage"}), Clock()
    catalog = TypeCatalog({}, cms.listing, REFUSED, rediscover_after=60, clock=clock)
    assert asyncio.run(catalog.names()) == ["article"]

    cms.answer = {"article": "blog.ArticlePage", "recipe": "kitchen.RecipePage"}
    clock.now = 59
    with pytest.raises(UnknownContentType):
        asyncio.run(catalog.pick("recipe"))
    assert asyncio.run(catalog.type_of("kitchen.RecipePage")) is None
    assert cms.asked == 1, "asked too recently to ask again"

    clock.now = 60
    assert asyncio.run(catalog.pick("recipe")) == [("recipe", "kitchen.RecipePage")]
    assert cms.asked == 2
    assert asyncio.run(catalog.type_of("kitchen.RecipePage")) == "recipe"
    assert asyncio.run(catalog.type_of("blog.ArticlePage")) == "article"
    assert cms.asked == 2, "known places are not a reason to ask"


def test_a_place_no_type_lives_in_asks_again_once_due() -> None:
    cms, clock = Cms({"article": "blog.ArticlePage"}), Clock()
    catalog = TypeCatalog({}, cms.listing, REFUSED, rediscover_after=60, clock=clock)
    assert asyncio.run(catalog.type_of("blog.ArticlePage")) == "article"
    cms.answer = {"article": "blog.ArticlePage", "recipe": "kitchen.RecipePage"}
    clock.now = 120
    assert asyncio.run(catalog.type_of("kitchen.RecipePage")) == "recipe"
    assert cms.asked == 2


def test_a_cms_down_when_asked_again_keeps_what_was_known() -> None:
    cms, clock = Cms({"article": "blog.ArticlePage"}), Clock()
    catalog = TypeCatalog({}, cms.listing, REFUSED, rediscover_after=60, clock=clock)
    asyncio.run(catalog.names())
    cms.answer = ContentUnavailable("the CMS did not answer")
    clock.now = 100
    with pytest.raises(UnknownContentType, match="known: article"):
        asyncio.run(catalog.pick("recipe"))
    assert asyncio.run(catalog.pick("article")) == [("article", "blog.ArticlePage")]
    with pytest.raises(UnknownContentType):
        asyncio.run(catalog.pick("recipe"))
    assert cms.asked == 2, "the failed attempt counts: not asked again at once"


def test_without_rediscover_after_the_first_answer_stands() -> None:
    cms = Cms({"article": "posts"})
    catalog = TypeCatalog({}, cms.listing, REFUSED)
    asyncio.run(catalog.names())
    with pytest.raises(UnknownContentType):
        asyncio.run(catalog.pick("recipe"))
    assert asyncio.run(catalog.type_of("pages")) is None
    assert cms.asked == 1
