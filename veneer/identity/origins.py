"""The web origins a key's pages may call Veneer from.

A browser names the page that makes a request in its ``Origin`` header (``https://shop.example``,
no path), and it is the one header a page cannot forge. Each public key lists the origins of
the sites that embed it; a page elsewhere that copied the key is refused. An entry may end in
``:*`` for any port of one host (``http://localhost:*``), which is what development servers
need. Secret keys belong on servers, which send no ``Origin`` at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

ANY_ORIGIN = "*"  # every page anywhere: for a key meant to be embedded by anyone
ANY_PORT = ":*"
DEFAULT_PORTS = {"http": "80", "https": "443"}
# The demo key's pages: any development server on this machine.
LOOPBACK_ORIGINS = ("http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*")


class OriginError(ValueError):
    """Not an origin Veneer can match; the message says what a right one looks like."""


def normalize_origin(text: str) -> str:
    """``HTTPS://Shop.Example:443/`` -> ``https://shop.example``, as browsers send it.

    ``*`` (any origin) and ``scheme://host:*`` (any port) stay patterns.
    """
    raw = text.strip()
    if raw == ANY_ORIGIN:
        return ANY_ORIGIN
    wildcard = raw.endswith(ANY_PORT) or raw.endswith(ANY_PORT + "/")
    candidate = raw.rstrip("/").removesuffix(ANY_PORT) if wildcard else raw
    hint = "write an origin such as https://shop.example or http://localhost:*"
    try:
        parts = urlsplit(candidate)
        port = parts.port
    except ValueError as exc:
        raise OriginError(f"{text!r}: {exc}; {hint}") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise OriginError(f"{text!r}: not an http(s) origin; {hint}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise OriginError(f"{text!r}: an origin has no path, query or user name; {hint}")
    if wildcard and port is not None:
        raise OriginError(f"{text!r}: give a port or `:*`, not both; {hint}")
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    shown_port = "" if port is None or str(port) == DEFAULT_PORTS[scheme] else f":{port}"
    return f"{scheme}://{host}{ANY_PORT if wildcard else shown_port}"


def normalize_origins(texts: Iterable[str]) -> tuple[str, ...]:
    """Each origin normalized once, in the order given."""
    return tuple(dict.fromkeys(normalize_origin(text) for text in texts))


def origin_allowed(origin: str, allowed: Iterable[str]) -> bool:
    """Whether a request's ``Origin`` is one of ``allowed`` (normalized entries)."""
    try:
        origin = normalize_origin(origin)
    except OriginError:
        return False  # "null" (sandboxed frames, file: pages) and anything malformed
    head, _, port = origin.rpartition(":")
    without_port = head if port.isdigit() else origin
    for entry in allowed:
        if entry in (origin, ANY_ORIGIN):
            return True
        if entry.endswith(ANY_PORT) and entry.removesuffix(ANY_PORT) in (origin, without_port):
            return True
    return False


def same_origin(origin: str, host: str) -> bool:
    """The page is Veneer's own (GraphiQL, the demo page): its host is the one it asked.

    Only the host is compared, not the scheme: behind a proxy that ends TLS, Veneer sees
    plain HTTP for pages its visitors load over HTTPS.
    """
    try:
        return bool(host) and urlsplit(normalize_origin(origin)).netloc == _without_default(host)
    except OriginError:
        return False


def _without_default(host: str) -> str:
    host = host.strip().lower()
    for port in DEFAULT_PORTS.values():
        host = host.removesuffix(f":{port}")
    return host
