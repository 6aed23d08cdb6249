"""Reading the manifests persisted-query tooling writes, into trusted documents.

Two shapes are read:

- Apollo's (``@apollo/generate-persisted-query-manifest``):
  ``{"format": "apollo-persisted-query-manifest", "version": 1, "operations":
  [{"id": <sha256 of body>, "name": ..., "type": "query", "body": ...}]}``;
- Relay's (``relay-compiler`` with ``persistConfig``, ``"algorithm": "SHA256"``): a map
  ``{"<sha256 of text>": "<text>"}``.

Either way a document is known by the SHA-256 of its text, which is what a client sends in
``extensions.persistedQuery.sha256Hash``; an id that is not that hash is refused, so a
manifest can never make one text answer for another.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLSyntaxError, parse

APOLLO_FORMAT = "apollo-persisted-query-manifest"


class ManifestError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class TrustedDocument:
    sha256: str
    body: str
    name: str | None = None


def _document(where: str, sha: object, body: object, name: object) -> TrustedDocument:
    if not isinstance(body, str) or not body.strip():
        raise ManifestError(f"{where}.body", "must be the document's text")
    try:
        parse(body)
    except GraphQLSyntaxError as exc:
        raise ManifestError(f"{where}.body", f"does not parse: {exc.message}") from exc
    actual = hashlib.sha256(body.encode()).hexdigest()
    if sha != actual:
        raise ManifestError(
            f"{where}.id", f"must be the SHA-256 of the body ({actual}), got {sha!r}"
        )
    return TrustedDocument(actual, body, name if isinstance(name, str) else None)


def parse_manifest(raw: Any) -> list[TrustedDocument]:
    """The documents of an Apollo or a Relay manifest; `ManifestError` names the bad node."""
    if not isinstance(raw, dict):
        raise ManifestError("manifest", "must be a JSON object (Apollo's or Relay's manifest)")
    if raw.get("format") == APOLLO_FORMAT:
        if raw.get("version") != 1:
            raise ManifestError("version", "only version 1 of Apollo's manifest is read")
        operations = raw.get("operations")
        if not isinstance(operations, list):
            raise ManifestError("operations", "must be a list")
        found = []
        for index, item in enumerate(operations):
            where = f"operations[{index}]"
            if not isinstance(item, dict):
                raise ManifestError(where, "must be an object with id, name, type and body")
            found.append(_document(where, item.get("id"), item.get("body"), item.get("name")))
        return found
    if "format" in raw or "operations" in raw:
        raise ManifestError("format", f"must be {APOLLO_FORMAT!r} for a manifest with operations")
    return [_document(f"[{sha!r}]", sha, body, None) for sha, body in raw.items()]
