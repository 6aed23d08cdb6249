"""Apollo's and Relay's persisted-query manifests, read into trusted documents."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from veneer.queries.manifest import ManifestError, parse_manifest

BODY = 'query Hero { entry(id: "tent-x2") { id } }'
SHA = hashlib.sha256(BODY.encode()).hexdigest()


def _apollo(*operations: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": list(operations),
    }


def test_apollo_and_relay_manifests_give_the_same_document() -> None:
    apollo = parse_manifest(_apollo({"id": SHA, "name": "Hero", "type": "query", "body": BODY}))
    relay = parse_manifest({SHA: BODY})
    assert [(d.sha256, d.body) for d in apollo] == [(d.sha256, d.body) for d in relay]
    assert apollo[0].name == "Hero" and relay[0].name is None


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (
            _apollo({"id": "0" * 64, "name": "Hero", "type": "query", "body": BODY}),
            "operations[0].id",
        ),
        (
            _apollo({"id": SHA, "name": "Hero", "type": "query", "body": "query {"}),
            "operations[0].body",
        ),
        (_apollo("query { x }"), "operations[0]"),
        ({"format": "apollo-persisted-query-manifest", "version": 2, "operations": []}, "version"),
        ({"format": "something-else", "operations": []}, "format"),
        ({"abc": BODY}, "['abc'].id"),
        ([BODY], "manifest"),
    ],
)
def test_a_manifest_that_does_not_hold_is_refused_naming_the_node(raw: Any, field: str) -> None:
    with pytest.raises(ManifestError) as caught:
        parse_manifest(raw)
    assert caught.value.field == field
