"""What in a piece of HTML a browser would run: parsed as a browser parses it, not grepped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

ACTIVE_TAGS = frozenset({"script", "svg", "iframe", "object", "embed", "math", "style", "base"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "srcset"})
SAFE_SCHEMES = ("http", "https", "mailto")
SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")  # as a browser reads a URL's scheme


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ACTIVE_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            # browsers drop tabs, newlines and leading controls in URLs before reading them
            text = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            elif name == "style" and any(w in text for w in ("expression", "url(", "script")):
                self.found.append(f"<{tag} style={value!r}>")
            elif name in URL_ATTRIBUTES:
                scheme = SCHEME.match(text)
                if scheme is not None and scheme.group(1) not in SAFE_SCHEMES:
                    self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def executable_parts(html: str) -> list[str]:
    """Tags and attributes in ``html`` that could run script; empty when it is inert."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.found
