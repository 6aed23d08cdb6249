"""Rendering blocks with Jinja2 templates the team can override.

Templates live in ``veneer/templates/blocks/``: ``<name>.html`` for a web page,
``email/<name>.html`` for an email (tables, inline CSS, absolute URLs) and ``<name>.txt`` for
plain text. A placement's ``template`` names one; without it, or where a format has no such
file, the one named after its strategy renders it, else ``default``. A directory
given as ``VENEER_TEMPLATES`` is searched first, so a team overrides a built-in template by
putting a file of the same name there, or adds its own.

Templates run sandboxed with autoescape on for HTML: a title with ``<script>`` in it prints
as text. Rich text (a Markdown or HTML body) goes through the ``rich`` filter, which renders
Markdown and keeps only nh3's allow-list; nothing from the CMS is ever marked safe unsanitized.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin

from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, PackageLoader, TemplateNotFound
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown_it import MarkdownIt
from markupsafe import Markup

from veneer.placements.blocks import Block, BlockItem
from veneer.placements.sanitize import plain_text, sanitize_html

Format = Literal["html", "email", "text"]
_PATHS: dict[Format, str] = {
    "html": "blocks/{}.html",
    "email": "blocks/email/{}.html",
    "text": "blocks/{}.txt",
}
_MARKDOWN = MarkdownIt("commonmark", {"html": True})  # HTML passes through, to the sanitizer
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# A URL's scheme as browsers read it, once they have dropped tabs, newlines and controls.
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_IGNORED = re.compile(r"[\x00-\x20]")


class TemplateMissing(LookupError):
    """A placement names a template that no directory has."""


def _text_of(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n\n".join(_text_of(v) for v in value)
    return str(value)


class BlockTemplates:
    """The templates of one deployment: the team's directory, then Veneer's own."""

    def __init__(self, override: Path | None = None):
        loaders: list[BaseLoader] = []
        if override is not None:
            loaders.append(FileSystemLoader(str(override)))
        loaders.append(PackageLoader("veneer", "templates"))
        self._environments = {
            escape: ImmutableSandboxedEnvironment(
                loader=ChoiceLoader(loaders),
                autoescape=escape,
                trim_blocks=True,
                lstrip_blocks=True,
                keep_trailing_newline=False,
            )
            for escape in (True, False)
        }

    def has(self, name: str) -> bool:
        """Whether ``name`` renders for the web (the format every placement needs)."""
        try:
            self._environments[True].get_template(_PATHS["html"].format(name))
        except TemplateNotFound:
            return False
        return True

    def render(self, block: Block, format: Format, base_url: str | None = None) -> str:
        """``block`` as ``format``; links are absolute when ``base_url`` is given (email)."""
        environment = self._environments[format != "text"]
        names = [block.placement.template_name, block.placement.strategy, "default"]
        for name in dict.fromkeys(names):
            try:
                template = environment.get_template(_PATHS[format].format(name))
                break
            except TemplateNotFound:
                continue
        else:
            raise TemplateMissing(f"no template {_PATHS[format].format(names[0])!r}")
        return template.render(_context(block, format, base_url)).strip() + "\n"


def _context(block: Block, format: Format, base_url: str | None) -> dict[str, Any]:
    def url(value: object) -> str:
        """A link from CMS data: relative or http(s)/mailto only, absolute for email."""
        text = _text_of(value).strip()
        scheme = _SCHEME.match(_IGNORED.sub("", text))
        if scheme is not None and scheme.group(1).lower() not in LINK_SCHEMES:
            return "#"
        try:
            return urljoin(base_url, text) if base_url else text
        except ValueError:  # an IPv6 host that does not parse, say
            return "#"

    def rich(value: object) -> Markup | str:
        """A Markdown or HTML field, as the allow-list keeps it (or its words, in text)."""
        html = _MARKDOWN.render(_text_of(value))
        if format == "text":
            return plain_text(html).strip()
        return Markup(sanitize_html(html, base_url))  # sanitized just before

    def item(entry: BlockItem) -> Mapping[str, Any]:
        return {
            "id": entry.entry.id,
            "content_type": entry.entry.content_type,
            "slug": entry.entry.slug,
            "fields": entry.fields,
            "url": url(entry.path),
            "variant": entry.variant_id,
            "baseline": entry.baseline,
            "reason": entry.reason,
        }

    return {
        "placement": {"key": block.placement.key, "strategy": block.placement.strategy},
        "reason": block.reason,
        "items": [item(i) for i in block.items],
        "params": dict(block.params),
        "offer": block.offer,
        "rich": rich,
        "url": url,
    }
