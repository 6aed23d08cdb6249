"""Origins are matched the way browsers send them."""

from __future__ import annotations

import pytest

from veneer.identity.origins import (
    LOOPBACK_ORIGINS,
    OriginError,
    normalize_origin,
    normalize_origins,
    origin_allowed,
    same_origin,
)


@pytest.mark.parametrize(
    ("text", "origin"),
    [
        ("https://shop.example", "https://shop.example"),
        ("HTTPS://Shop.Example:443/", "https://shop.example"),
        ("http://shop.example:80", "http://shop.example"),
        ("http://shop.example:8080", "http://shop.example:8080"),
        ("http://localhost:*", "http://localhost:*"),
        ("http://[::1]:3000", "http://[::1]:3000"),
        ("*", "*"),
    ],
)
def test_origins_are_written_as_browsers_send_them(text: str, origin: str) -> None:
    assert normalize_origin(text) == origin


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("shop.example", r"not an http\(s\) origin"),
        ("ftp://shop.example", r"not an http\(s\) origin"),
        ("https://shop.example/products", "no path"),
        ("https://user@shop.example", "no path, query or user name"),
        ("https://shop.example:99999", "out of range"),
        ("https://shop.example:443:*", "not both"),
    ],
)
def test_a_wrong_origin_is_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(OriginError, match=reason) as refused:
        normalize_origin(text)
    assert "https://shop.example or http://localhost:*" in str(refused.value)


def test_repeats_are_kept_once_in_order() -> None:
    assert normalize_origins(["https://b.example", "https://a.example", "HTTPS://B.example/"]) == (
        "https://b.example",
        "https://a.example",
    )


def test_an_origin_matches_exactly_or_by_any_port() -> None:
    allowed = ("https://shop.example", *LOOPBACK_ORIGINS)
    assert origin_allowed("https://shop.example", allowed)
    assert not origin_allowed("http://shop.example", allowed), "the scheme counts"
    assert not origin_allowed("https://shop.example:8443", allowed), "the port counts"
    assert not origin_allowed("https://evil.shop.example", allowed)
    assert origin_allowed("http://127.0.0.1:51234", allowed)
    assert origin_allowed("http://localhost", allowed)
    assert origin_allowed("http://[::1]:8000", allowed)
    assert not origin_allowed("http://127.0.0.2:8000", allowed)
    assert not origin_allowed("null", allowed), "sandboxed frames and file: pages"
    assert origin_allowed("https://anyone.example", ["*"])


def test_veneer_s_own_pages_are_recognized_by_host() -> None:
    assert same_origin("http://127.0.0.1:8000", "127.0.0.1:8000")
    assert same_origin("https://veneer.example", "veneer.example:443")
    assert same_origin("https://veneer.example", "veneer.example"), "TLS ended at a proxy"
    assert not same_origin("https://shop.example", "veneer.example")
    assert not same_origin("null", "veneer.example")
    assert not same_origin("https://veneer.example", "")
