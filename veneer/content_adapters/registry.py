"""Turn the ``VENEER_CONTENT`` setting into an adapter."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

from veneer.content_adapters.base import ContentAdapter
from veneer.content_adapters.contentful import ContentfulAdapter
from veneer.content_adapters.directus import DirectusAdapter, DirectusMapping
from veneer.content_adapters.file import SAMPLE_CONTENT, FileAdapter
from veneer.content_adapters.strapi import StrapiAdapter, StrapiMapping
from veneer.content_adapters.wagtail import WagtailAdapter, WagtailMapping
from veneer.content_adapters.wordpress import VARIANTS_META, WordPressAdapter, WordPressMapping


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
    if scheme == "wordpress" and rest.startswith(("http://", "https://")):
        return _wordpress(rest, default_locale)
    if scheme == "strapi" and rest.startswith(("http://", "https://")):
        return _strapi(rest, default_locale)
    if scheme == "directus" and rest.startswith(("http://", "https://")):
        return _directus(rest, default_locale)
    raise ContentSettingError(
        f"VENEER_CONTENT: cannot read {setting!r}; use 'sample', 'file:/path/to/dir', "
        "'wagtail:http://host/api/v2/', "
        "'contentful:https://cdn.contentful.com/spaces/S/environments/E?token=...' or "
        "'wordpress:https://host/wp-json/', 'strapi:http://host:1337?token=...' or "
        "'directus:http://host:8055?token=...'"
    )


def _pairs(url: str, example: str) -> dict[str, str]:
    """``?types=a:x,b:y`` as ``{"a": "x", "b": "y"}``; the CMS-side name must not be empty."""
    pairs: dict[str, str] = {}
    for value in parse_qs(urlsplit(url).query).get("types", []):
        for pair in value.split(","):
            content_type, _, name = pair.partition(":")
            if not content_type.strip() or not name.strip():
                raise ContentSettingError(
                    f"VENEER_CONTENT: types must look like {example}, got {pair!r}"
                )
            pairs[content_type.strip()] = name.strip()
    return pairs


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _wagtail(url: str, default_locale: str) -> ContentAdapter:
    """``http://host/api/v2/?types=article:blog.ArticlePage,product:shop.ProductPage``."""
    types = _pairs(url, "article:blog.ArticlePage")
    if any("." not in model for model in types.values()):
        raise ContentSettingError(
            "VENEER_CONTENT: Wagtail types name app.Model, e.g. article:blog.ArticlePage"
        )
    mapping = WagtailMapping(types=types, variants_field=_variants_field(url))
    return WagtailAdapter(_without_query(url), mapping, default_locale)


def _variants_field(url: str, default: str = "variants") -> str:
    """``&variants=personalization``: the CMS field that holds variants, if not the default."""
    values = parse_qs(urlsplit(url).query).get("variants")
    if not values:
        return default
    name = values[0].strip()
    if not name.replace("_", "").replace("-", "").isalnum():
        raise ContentSettingError(f"VENEER_CONTENT: variants must name a field, got {name!r}")
    return name


def _token(url: str, cms: str, kind: str) -> str:
    tokens = parse_qs(urlsplit(url).query).get("token")
    if not tokens or not tokens[0]:
        raise ContentSettingError(f"VENEER_CONTENT: a {cms} URL needs ?token=<{kind}>")
    return tokens[0]


def _contentful(url: str, default_locale: str) -> ContentAdapter:
    """``https://cdn.contentful.com/spaces/SPACE/environments/ENV?token=DELIVERY_TOKEN``."""
    token = _token(url, "Contentful", "delivery token")
    return ContentfulAdapter(_without_query(url), token, default_locale, _variants_field(url))


def _strapi(url: str, default_locale: str) -> ContentAdapter:
    """``http://host:1337?token=API_TOKEN&types=article:articles`` (types optional)."""
    token = _token(url, "Strapi", "API token")
    mapping = StrapiMapping(
        types=_pairs(url, "article:articles"), variants_field=_variants_field(url)
    )
    return StrapiAdapter(_without_query(url), token, mapping, default_locale)


def _wordpress(url: str, default_locale: str) -> ContentAdapter:
    """``https://host/wp-json/?types=article:posts,page:pages`` (default post and page)."""
    types = _pairs(url, "article:posts")
    mapping = WordPressMapping(variants_meta=_variants_field(url, VARIANTS_META))
    if types:
        mapping = WordPressMapping(types=types, variants_meta=mapping.variants_meta)
    return WordPressAdapter(_without_query(url), mapping, default_locale)


def _directus(url: str, default_locale: str) -> ContentAdapter:
    """``http://host:8055?token=STATIC_TOKEN&types=article:articles&status=status``."""
    token = _token(url, "Directus", "static token")
    status = parse_qs(urlsplit(url).query, keep_blank_values=True).get("status", ["status"])[0]
    mapping = DirectusMapping(
        types=_pairs(url, "article:articles"),
        status_field=status.strip() or None,
        variants_field=_variants_field(url),
    )
    return DirectusAdapter(_without_query(url), token, mapping, default_locale)
