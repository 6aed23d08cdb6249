"""Turn the ``VENEER_CONTENT`` setting into an adapter."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

from veneer.content_adapters.base import ContentAdapter
from veneer.content_adapters.contentful import ContentfulAdapter
from veneer.content_adapters.file import SAMPLE_CONTENT, FileAdapter
from veneer.content_adapters.wagtail import WagtailAdapter, WagtailMapping


class ContentSettingError(ValueError):
    pass


def adapter_from_setting(setting: str, default_locale: str = "en") -> ContentAdapter:
    """``sample``, ``file:/path`` or ``wagtail:http://...``; each CMS adds its scheme here."""
    if setting == "sample":
        return FileAdapter(SAMPLE_CONTENT, default_locale)
    scheme, _, rest = setting.partition(":")
    if scheme == "file" and rest:
        path = Path(rest.removeprefix("//"))
        if not path.is_dir():
            raise ContentSettingError(f"VENEER_CONTENT: folder not found: {path}")
        return FileAdapter(path, default_locale)
    if scheme == "wagtail" and rest.startswith(("http://", "https://")):
        return _wagtail(rest, default_locale)
    if scheme == "contentful" and rest.startswith(("http://", "https://")):
        return _contentful(rest, default_locale)
    raise ContentSettingError(
        f"VENEER_CONTENT: cannot read {setting!r}; use 'sample', 'file:/path/to/dir' or "
        "'wagtail:http://host/api/v2/' or "
        "'contentful:https://cdn.contentful.com/spaces/S/environments/E?token=...'"
    )


def _wagtail(url: str, default_locale: str) -> ContentAdapter:
    """``http://host/api/v2/?types=article:blog.ArticlePage,product:shop.ProductPage``."""
    parts = urlsplit(url)
    types: dict[str, str] = {}
    for value in parse_qs(parts.query).get("types", []):
        for pair in value.split(","):
            content_type, _, model = pair.partition(":")
            if not content_type or "." not in model:
                raise ContentSettingError(
                    f"VENEER_CONTENT: types must look like article:blog.ArticlePage, got {pair!r}"
                )
            types[content_type.strip()] = model.strip()
    api = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return WagtailAdapter(api, WagtailMapping(types=types), default_locale)


def _contentful(url: str, default_locale: str) -> ContentAdapter:
    """``https://cdn.contentful.com/spaces/SPACE/environments/ENV?token=DELIVERY_TOKEN``."""
    parts = urlsplit(url)
    tokens = parse_qs(parts.query).get("token")
    if not tokens or not tokens[0]:
        raise ContentSettingError("VENEER_CONTENT: a Contentful URL needs ?token=<delivery token>")
    environment = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return ContentfulAdapter(environment, tokens[0], default_locale)
