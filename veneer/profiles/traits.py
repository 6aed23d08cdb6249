"""Traits with provenance: first-party (the site), second-party (a partner), third-party.

A viewer's effective traits are layered: the site's own word wins over a partner's, and a
partner's over a third party's. Partner and third-party traits are used only when the viewer
granted THIRD_PARTY ("use of second/third-party data"), which Global Privacy Control always
denies.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from veneer.events.validation import hash_email


class TraitSource(enum.Enum):
    FIRST_PARTY = "first_party"
    SECOND_PARTY = "second_party"
    THIRD_PARTY = "third_party"


@dataclass(frozen=True)
class EffectiveTraits:
    values: dict[str, Any]
    sources: dict[str, TraitSource]


def effective_traits(
    first_party: Mapping[str, Any],
    partners: Mapping[TraitSource, Mapping[str, Any]],
    partners_allowed: bool,
) -> EffectiveTraits:
    values: dict[str, Any] = {}
    sources: dict[str, TraitSource] = {}
    layers: list[tuple[TraitSource, Mapping[str, Any]]] = []
    if partners_allowed:
        layers.append((TraitSource.THIRD_PARTY, partners.get(TraitSource.THIRD_PARTY, {})))
        layers.append((TraitSource.SECOND_PARTY, partners.get(TraitSource.SECOND_PARTY, {})))
    layers.append((TraitSource.FIRST_PARTY, first_party))
    for source, traits in layers:
        for name, value in traits.items():
            values[name] = value
            sources[name] = source
    return EffectiveTraits(values, sources)


def protect_email(traits: Mapping[str, Any]) -> dict[str, Any]:
    """An `email` trait is kept only as `emailHash`, the key partner data is matched on."""
    result = dict(traits)
    email = result.pop("email", None)
    if isinstance(email, str) and "@" in email:
        result["emailHash"] = hash_email(email)
    elif email is not None:
        raise ValueError("email: not an email address")
    return result
