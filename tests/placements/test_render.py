"""Blocks through their templates: escaped, sanitized, overridable; email links absolute."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.placements.executable import executable_parts
from tests.placements.test_sanitize import CORPUS
from veneer.entries import Entry
from veneer.placements.blocks import Block, BlockItem
from veneer.placements.definition import Placement
from veneer.placements.render import BlockTemplates, Format

HERO = Placement(key="hero", strategy="variant", entries=("tent-x2",))


def _block(fields: dict[str, Any], placement: Placement = HERO, **params: Any) -> Block:
    entry = Entry(id="tent-x2", content_type="product", slug="trailhead-x2-tent", fields=fields)
    item = BlockItem(
        entry=entry, fields=fields, variant_id="v-campers", baseline=False, reason="campers"
    )
    return Block(placement=placement, reason="campers", items=(item,), params=params)


@pytest.mark.parametrize("format", ["html", "email"])
@pytest.mark.parametrize("template", ["default", "article"])
@pytest.mark.parametrize("attack", CORPUS)
def test_no_attack_in_any_field_comes_out_executable(
    attack: str, template: str, format: Format
) -> None:
    fields = {
        name: attack
        for name in ("title", "summary", "badge", "body", "url", "image", "heroImageAlt")
    }
    placement = Placement(key="hero", strategy="variant", entries=("x",), template=template)
    html = BlockTemplates().render(_block(fields, placement, code=attack), format, None)
    assert executable_parts(html) == [], html


def test_the_executable_check_would_see_an_attack() -> None:
    """The corpus is caught by the check above when nothing cleans it."""
    for attack in CORPUS[:4] + CORPUS[7:8]:
        assert executable_parts(attack), attack


def test_titles_are_text_and_bodies_keep_their_markup() -> None:
    fields = {"title": "Tents <b>& more</b>", "body": "## Pitching\n\nIt takes **minutes**."}
    article = Placement(key="guide", strategy="pinned", entries=("x",), template="article")
    html = BlockTemplates().render(_block(fields, article), "html")
    assert "Tents &lt;b&gt;&amp; more&lt;/b&gt;" in html
    assert "<h2>Pitching</h2>" in html and "<strong>minutes</strong>" in html
    assert 'data-veneer-entry="tent-x2"' in html and 'data-veneer-variant="v-campers"' in html
    text = BlockTemplates().render(_block(fields, article), "text")
    assert "Tents <b>& more</b>" in text and "It takes minutes." in text
    assert "<h2>" not in text


def test_email_links_and_images_are_absolute() -> None:
    fields = {"title": "X2", "image": "/img/x2.jpg", "body": "[see](/guides/x2)"}
    article = Placement(key="news", strategy="pinned", entries=("x",), template="article")
    html = BlockTemplates().render(_block(fields, article), "email", "https://shop.example/")
    assert 'href="https://shop.example/product/trailhead-x2-tent"' in html
    assert 'href="https://shop.example/guides/x2"' in html
    assert "<table" in html and 'style="' in html
    web = BlockTemplates().render(_block(fields), "html")
    assert 'src="/img/x2.jpg"' in web and 'href="/product/trailhead-x2-tent"' in web


def test_an_offer_code_is_shown_in_every_format() -> None:
    block = _block({"title": "Pot set"}, code="COMEBACK10")
    for format in ("html", "email", "text"):
        assert "COMEBACK10" in BlockTemplates().render(block, format), format


def test_a_team_overrides_a_template_or_adds_its_own(tmp_path: Path) -> None:
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "default.html").write_text(
        '<aside class="ours">{{ items[0].fields.title }}</aside>'
    )
    (tmp_path / "blocks" / "card.html").write_text("<b>{{ items[0].fields.title }}</b>")
    templates = BlockTemplates(tmp_path)
    assert templates.render(_block({"title": "<X2>"}), "html") == (
        '<aside class="ours">&lt;X2&gt;</aside>\n'
    )
    card = Placement(key="hero", strategy="variant", entries=("x",), template="card")
    assert templates.has("card") and not BlockTemplates().has("card")
    assert templates.render(_block({"title": "X2"}, card), "html") == "<b>X2</b>\n"
    # a format the team wrote no `card` for falls back to Veneer's own
    assert "<table" in templates.render(_block({"title": "X2"}, card), "email")


def test_templates_are_sandboxed(tmp_path: Path) -> None:
    from jinja2.exceptions import SecurityError

    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "default.html").write_text("{{ items.__class__.__mro__ }}")
    (tmp_path / "blocks" / "evil.html").write_text("{{ ''.__class__.__base__.__subclasses__() }}")
    evil = Placement(key="hero", strategy="variant", entries=("x",), template="evil")
    with pytest.raises(SecurityError):
        BlockTemplates(tmp_path).render(_block({"title": "X2"}, evil), "html")


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("java\tscript:alert(1)", "#"),
        ("  JAVASCRIPT:alert(1)", "#"),
        ("\x01javascript:alert(1)", "#"),
        ("vbscript:msgbox(1)", "#"),
        ("data:text/html,<script>alert(1)</script>", "#"),
        ("https://shop.example/x2", "https://shop.example/x2"),
        ("mailto:help@shop.example", "mailto:help@shop.example"),
        ("/guides/x2?utm=a:b", "/guides/x2?utm=a:b"),
    ],
)
def test_link_fields_keep_only_safe_schemes(link: str, expected: str) -> None:
    html = BlockTemplates().render(_block({"title": "X2", "url": link}), "html")
    assert f'<a href="{expected}">X2</a>' in html
