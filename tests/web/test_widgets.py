"""The widget bundle, as pages on other sites load it: no key, cached, the same for all."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.testclient import TestClient

from veneer.web.widgets import ASSETS, IMMUTABLE, STABLE

MANIFEST: dict[str, str] = json.loads((ASSETS / "manifest.json").read_text())


def test_the_stable_name_serves_the_current_build_briefly_cached(client: TestClient) -> None:
    response = client.get("/widgets/veneer.js", headers={"Origin": "https://shop.example"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == STABLE
    assert response.headers["access-control-allow-origin"] == "*", "module scripts use CORS"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == (ASSETS / MANIFEST["veneer.js"]).read_bytes()
    assert b"data-veneer-placement" in response.content


def test_the_hashed_names_are_cached_for_a_year(client: TestClient) -> None:
    for hashed in MANIFEST.values():
        response = client.get(f"/widgets/{hashed}")
        assert response.status_code == 200
        assert response.headers["cache-control"] == IMMUTABLE
        content_hash = hashed.removesuffix(".js").rsplit(".", 1)[1]
        assert response.headers["etag"].strip('"').split("-")[0] == content_hash


def test_a_browser_that_holds_the_file_gets_304(client: TestClient) -> None:
    first = client.get("/widgets/veneer.js")
    again = client.get("/widgets/veneer.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    plain = client.get("/widgets/veneer.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.headers["etag"] != first.headers["etag"], "each encoding has its own tag"
    other = client.get("/widgets/veneer.js", headers={"If-None-Match": plain.headers["etag"]})
    assert other.status_code == 304


def test_the_bundle_travels_gzipped_under_the_budget(client: TestClient) -> None:
    response = client.get("/widgets/veneer.js", headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) < 4000
    assert "accept-encoding" in response.headers["vary"].lower()


def test_only_the_built_files_are_served(client: TestClient) -> None:
    for name in ("manifest.json", "nope.js"):
        response = client.get(f"/widgets/{name}")
        assert response.status_code == 404
        assert "veneer.iife.js, veneer.js" in response.json()["errors"][0]["message"]
    assert client.get("/widgets/..%2Fmanifest.json").status_code == 404


def test_every_built_file_is_in_the_manifest() -> None:
    on_disk = {p.name for p in Path(ASSETS).iterdir()} - {"manifest.json"}
    assert on_disk == set(MANIFEST.values())
