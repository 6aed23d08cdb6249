"""Sanitizing HTML from a CMS before a block renders it.

CMS editors, imports and plugins can all put markup into a rich-text field; a block embeds it
in the site's own page, so anything executable would run with the site's origin. nh3 keeps
only an explicit allow-list: no scripts, no event handlers, no ``style`` (CSS can carry
``url(javascript:...)`` and ``expression()``), and links limited to safe URL schemes.
"""

from __future__ import annotations

import html as entities
from urllib.parse import urljoin

import nh3

# Text structure a CMS body needs; nothing that embeds or scripts (no svg, iframe, object, form).
TAGS: frozenset[str] = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "em", "figcaption", "figure",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre",
        "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "th",
        "thead", "tr", "u", "ul",
    }
)  # fmt: skip

# No event handlers and no style on any tag; rel on links is set by nh3, not taken from input.
ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}

# javascript:, data: and vbscript: are dropped with the attribute that carries them.
URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})


URL_ATTRIBUTES = frozenset({"href", "src"})


def sanitize_html(html: str, base_url: str | None = None) -> str:
    """``html`` with everything outside the allow-list removed; safe to mark safe afterwards.

    With ``base_url``, relative links and images become absolute: an email is read far from
    the site, where ``/tents/x2`` leads nowhere.
    """

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if attribute in URL_ATTRIBUTES and base_url is not None:
            return urljoin(base_url, value)
        return value

    return nh3.clean(
        html,
        tags=set(TAGS),
        attributes=ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=absolute if base_url is not None else None,
    )


def plain_text(html: str) -> str:
    """The words of ``html`` with no markup at all, for a plain-text alternative."""
    return entities.unescape(nh3.clean(html, tags=set(), strip_comments=True))
