"""Turn the ``VENEER_CONTENT`` setting into an adapter."""

from __future__ import annotations

from pathlib import Path

from veneer.content_adapters.base import ContentAdapter
from veneer.content_adapters.file import SAMPLE_CONTENT, FileAdapter


class ContentSettingError(ValueError):
    pass


def adapter_from_setting(setting: str, default_locale: str = "en") -> ContentAdapter:
    """``sample`` or ``file:/path``; other CMSs register their scheme here."""
    if setting == "sample":
        return FileAdapter(SAMPLE_CONTENT, default_locale)
    scheme, _, rest = setting.partition(":")
    if scheme == "file" and rest:
        path = Path(rest.removeprefix("//"))
        if not path.is_dir():
            raise ContentSettingError(f"VENEER_CONTENT: folder not found: {path}")
        return FileAdapter(path, default_locale)
    raise ContentSettingError(
        f"VENEER_CONTENT: cannot read {setting!r}; use 'sample' or 'file:/path/to/dir'"
    )
