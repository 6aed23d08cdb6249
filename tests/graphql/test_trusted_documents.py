"""Trusted documents: registered ahead, run by hash; with trusted-only, nothing else runs
for a public key."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import headers
from tests.program import environment, veneer
from veneer.app import create_app
from veneer.settings import Settings

BODY = 'query Hero { entry(id: "tent-x2") { id } }'
SHA = hashlib.sha256(BODY.encode()).hexdigest()
OTHER = "{ entries(first: 100) { edges { node { id similar(first: 20) { id } } } } }"
MANIFEST = {
    "format": "apollo-persisted-query-manifest",
    "version": 1,
    "operations": [{"id": SHA, "name": "Hero", "type": "query", "body": BODY}],
}
HERO = {"data": {"entry": {"id": "tent-x2"}}}


def _by_hash(sha: str = SHA) -> dict[str, Any]:
    return {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha}}}


def _register(tmp_path: Path, settings: Settings) -> str:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(MANIFEST))
    result = veneer(["queries", "register", str(path), "--json"], environment(settings))
    assert result.exit_code == 0, result.output
    return result.stdout


def _strict(settings: Settings) -> Settings:
    return settings.model_copy(update={"trusted_documents_only": True, "viewer_cache_ttl": 0})


@pytest.fixture
def strict(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(_strict(settings))) as client:
        yield client


# The command line runs while no app is serving the test's database: each app runs its
# housekeeping on it, and these tests are about what the command leaves for the next app.


def test_registering_is_additive_and_a_registered_hash_runs_at_once(
    tmp_path: Path, settings: Settings, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    serving = settings.model_copy(update={"viewer_cache_ttl": 0})
    with TestClient(create_app(serving)) as before:
        unknown = before.post("/graphql", json=_by_hash(), headers=headers(keys.public, "v"))
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert json.loads(_register(tmp_path, settings)) == {
        "added": [SHA],
        "unchanged": 0,
        "dryRun": False,
    }
    assert json.loads(_register(tmp_path, settings))["added"] == []
    with TestClient(create_app(serving)) as after:
        known = after.post("/graphql", json=_by_hash(), headers=headers(keys.public, "v"))
        assert known.json() == HERO
    listed = veneer(["queries", "list"], environment(settings))
    assert SHA in listed.output and "Hero" in listed.output


def test_with_trusted_documents_only_a_public_key_runs_nothing_else(
    tmp_path: Path, settings: Settings, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    _register(tmp_path, settings)
    public = headers(keys.public, "v")
    with TestClient(create_app(_strict(settings))) as strict:
        assert strict.post("/graphql", json=_by_hash(), headers=public).json() == HERO
        assert strict.post("/graphql", json={"query": BODY}, headers=public).json() == HERO

        ad_hoc = strict.post("/graphql", json={"query": OTHER}, headers=public)
        assert ad_hoc.status_code == 403
        assert ad_hoc.json()["errors"][0]["extensions"]["field"] == "query"

        other_sha = hashlib.sha256(OTHER.encode()).hexdigest()
        unknown = strict.post("/graphql", json=_by_hash(other_sha), headers=public).json()
        assert unknown["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
        registering = strict.post(
            "/graphql", json={"query": OTHER, **_by_hash(other_sha)}, headers=public
        )
        assert registering.status_code == 403  # a public key cannot register its own

        backend = strict.post("/graphql", json={"query": OTHER}, headers=headers(keys.secret))
        assert backend.status_code == 200 and "errors" not in backend.json()


def test_a_document_a_backend_registered_stays_closed_to_public_keys(
    settings: Settings, keys: Keys, strict: TestClient
) -> None:
    """Trusted-only keeps ad-hoc documents from public keys even once the process knows them
    by hash from a secret key."""
    other_sha = hashlib.sha256(OTHER.encode()).hexdigest()
    backend = headers(keys.secret)
    assert (
        "errors"
        not in strict.post(
            "/graphql", json={"query": OTHER, **_by_hash(other_sha)}, headers=backend
        ).json()
    )
    assert "errors" not in strict.post("/graphql", json=_by_hash(other_sha), headers=backend).json()
    refused = strict.post("/graphql", json=_by_hash(other_sha), headers=headers(keys.public, "v"))
    assert refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
