"""`veneer segments cluster` over behaviour in the database: report, plot, adoptable rules."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from starlette.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import Keys
from tests.helpers import data, gql
from veneer.app import create_app
from veneer.cli import app as cli
from veneer.jobs.cluster_assignment import model_features
from veneer.segments.behaviour import Feature
from veneer.segments.cluster_model import ClusterModel
from veneer.settings import Settings
from veneer.store import Database
from veneer.store.models import EventRow, ProfileRow, SegmentRow

BEHAVIOURS = [(20, 1, 0), (8, 5, 4), (12, 9, 0)]  # entry_view, add_to_cart, purchase
TYPES = ("entry_view", "add_to_cart", "purchase")
COUNTS_ONLY = ("--no-visits", "--tags", "0")
VISITS = Feature.visits("30d", ["entry_view"])  # the blobs differ in counts alone


Happening = tuple[str, datetime, str | None, dict[str, Any]]  # type, time, entry, properties


async def _store(url: str, viewers: dict[str, list[Happening]], now: datetime) -> None:
    """Profiles with their events, straight into the database."""
    db = Database(Settings(database_url=url).database_url)
    try:
        async with db.session() as session:
            for viewer, happenings in viewers.items():
                session.add(ProfileRow(id=viewer, anonymous_id=viewer[5:], traits={}))
                for i, (kind, at, entry, properties) in enumerate(happenings):
                    session.add(
                        EventRow(
                            id=f"{viewer}-{i}",
                            viewer_id=viewer,
                            anonymous_id=viewer[5:],
                            type=kind,
                            timestamp=at,
                            received_at=now,
                            entry_id=entry,
                            properties=properties,
                        )
                    )
    finally:
        await db.dispose()


async def _shop(url: str, per_group: int) -> None:
    """Browsers, buyers and cart abandoners: groups that differ in how much they do."""
    rng = np.random.default_rng(4)
    now = datetime.now(UTC)
    paid = {"value": 10, "currency": "EUR"}
    viewers = {
        f"anon:g{group}-{n:03d}": [
            (kind, now - timedelta(days=float(rng.uniform(0, 25))), None, paid)
            for kind, mean in zip(TYPES, means, strict=True)
            for _ in range(int(rng.poisson(mean)))
        ]
        for group, means in enumerate(BEHAVIOURS)
        for n in range(per_group)
    }
    await _store(url, viewers, now)


async def _saved(url: str) -> dict[str, dict[str, object]]:
    db = Database(Settings(database_url=url).database_url)
    try:
        async with db.session() as session:
            rows = await session.scalars(
                SegmentRow.__table__.select().with_only_columns(SegmentRow.key)
            )
            keys = list(rows)
            found = {}
            for key in keys:
                row = await session.get(SegmentRow, key)
                assert row is not None
                found[key] = {"name": row.name, "rule": row.rule}
            return found
    finally:
        await db.dispose()


def _cluster(url: str, *args: str):  # type: ignore[no-untyped-def]
    env = {"VENEER_DATABASE_URL": url, "VENEER_SECRET": "s" * 32}
    return CliRunner().invoke(cli, ["segments", "cluster", *args], env=env)


def test_cluster_reports_plots_and_saves_adoptable_segments(
    database_url: str, tmp_path: Path
) -> None:
    asyncio.run(_shop(database_url, 80))
    out = tmp_path / "report"
    result = _cluster(
        database_url,
        "--output",
        str(out),
        "--events",
        ",".join(TYPES),
        *COUNTS_ONLY,
        "--save",
        "found",
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["k"] == 3 and set(report["silhouette"]) >= {"2", "3", "4"}
    assert (report["version"], report["moved"]) == (1, None)
    assert (out / "k.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sum(c["size"] for c in report["clusters"]) == 240
    assert all(c["agreement"] >= 0.9 for c in report["clusters"])
    saved = asyncio.run(_saved(database_url))
    assert sorted(saved) == ["found-0", "found-1", "found-2"]
    assert {s["name"] for s in saved.values()} == {c["name"] for c in report["clusters"]}


def test_too_little_behaviour_is_a_clear_error(database_url: str, tmp_path: Path) -> None:
    asyncio.run(_shop(database_url, 5))
    result = _cluster(database_url, "--output", str(tmp_path))
    assert result.exit_code == 2
    assert "clustering needs at least 50 profiles with activity, found 15" in " ".join(
        result.output.split()
    )
    bad_window = _cluster(database_url, "--within", "a while")
    assert bad_window.exit_code == 2 and "window must look like" in bad_window.output


def test_refits_keep_ids_and_new_viewers_are_assigned(
    database_url: str, tmp_path: Path, keys: Keys
) -> None:
    asyncio.run(_shop(database_url, 80))
    first = _cluster(
        database_url, "--output", str(tmp_path / "a"), "--events", ",".join(TYPES), *COUNTS_ONLY
    )
    again = _cluster(
        database_url, "--output", str(tmp_path / "b"), "--events", ",".join(TYPES), *COUNTS_ONLY
    )
    assert first.exit_code == 0 and again.exit_code == 0, again.output
    one = json.loads((tmp_path / "a" / "report.json").read_text())
    two = json.loads((tmp_path / "b" / "report.json").read_text())
    assert two["version"] == 2 and two["moved"] == 0, "same data, same clusters, nobody moves"
    assert {c["id"]: c["name"] for c in one["clusters"]} == {
        c["id"]: c["name"] for c in two["clusters"]
    }
    buyers = next(c for c in two["clusters"] if "frequent buyers" in c["name"])

    settings = Settings(database_url=database_url, secret="s" * 32)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:

        def assign(body: object, key: str = keys.secret) -> Any:
            return client.post(
                "/v1/segments/assign", json=body, headers={"Authorization": f"Bearer {key}"}
            )

        features = {"entry_view in 30d": 7, "add_to_cart in 30d": 6, "purchase in 30d": 5}
        by_features = assign({"features": features})
        by_viewer = assign({"viewerId": "anon:g1-000"})
        missing = assign({"features": {"entry_view in 30d": 7}})
        unknown = assign({"features": {**features, "page_view in 30d": 1}})
        neither = assign({})
        public = assign({"features": features}, key=keys.public)
    assert by_features.status_code == 200
    assert by_features.json()["cluster"] == buyers["id"]
    assert by_features.json()["version"] == 2 and by_features.json()["name"] == buyers["name"]
    assert by_viewer.status_code == 200 and by_viewer.json()["features"]["purchase in 30d"] >= 0
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["extensions"]["field"] == "features.add_to_cart in 30d"
    assert unknown.status_code == 400 and "not a feature of model 2" in unknown.text
    assert neither.status_code == 400 and public.status_code == 403


def test_assigning_before_any_clustering_says_what_to_do(database_url: str, keys: Keys) -> None:
    settings = Settings(database_url=database_url, secret="s" * 32)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        response = client.post(
            "/v1/segments/assign",
            json={"features": {}},
            headers={"Authorization": f"Bearer {keys.secret}"},
        )
    assert response.status_code == 409
    assert "run `veneer segments cluster` first" in response.text


def test_a_viewers_new_events_assign_them_to_a_cluster(
    database_url: str, tmp_path: Path, keys: Keys
) -> None:
    asyncio.run(_shop(database_url, 80))
    made = _cluster(
        database_url, "--output", str(tmp_path), "--events", ",".join(TYPES), *COUNTS_ONLY
    )
    assert made.exit_code == 0, made.output
    report = json.loads((tmp_path / "report.json").read_text())
    buyers = next(c for c in report["clusters"] if "frequent buyers" in c["name"])
    settings = Settings(database_url=database_url, secret="s" * 32)
    grant = "mutation { setConsent(purposes: [{purpose: ANALYTICS, granted: true}]) { purpose } }"
    track = "mutation($e: [EventInput!]!) { track(events: $e) { accepted } }"
    cluster = "{ viewer { cluster { id name version } } }"
    purchases = [
        {"id": f"n{i}", "type": kind, "properties": {"value": 5, "currency": "EUR"}}
        for i, kind in enumerate(["purchase"] * 5 + ["add_to_cart"] * 5 + ["entry_view"] * 8)
    ]
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        before = data(gql(client, cluster, key=keys.public, anonymous_id="newcomer"))
        data(gql(client, grant, key=keys.public, anonymous_id="newcomer"))
        data(gql(client, track, {"e": purchases}, key=keys.public, anonymous_id="newcomer"))
        after = data(gql(client, cluster, key=keys.public, anonymous_id="newcomer"))
    assert before["viewer"]["cluster"] is None
    assert after["viewer"]["cluster"] == {"id": buyers["id"], "name": buyers["name"], "version": 1}


COOKING = ["one-pot-camp-meals", "emberline-canister-stove", "kettle-pot-set"]
CLIMBING = ["rope-care-basics", "granite-chalk-bag", "quickdraw-set-six"]


def _visits(group: int, rng: np.random.Generator, now: datetime) -> list[tuple[str, datetime, str]]:
    """(type, time, entry) of one viewer; groups differ in how they visit, not how much."""
    found = []
    if group == 0:  # camp cooks: a few long, deep sessions over cooking entries
        for s in range(3):
            start = now - timedelta(days=float(rng.uniform(0.2, 5)) + 6 * s)
            for p in range(6):
                at = start + timedelta(minutes=3 * p)
                found.append(("entry_view", at, COOKING[p % 3]))
                found.append(("time_on_page", at + timedelta(minutes=2), COOKING[p % 3]))
    elif group == 1:  # quick climbers: many one-page visits to climbing entries
        for s in range(int(rng.integers(7, 11))):
            at = now - timedelta(days=float(rng.uniform(0, 25)))
            found.append(("entry_view", at, CLIMBING[s % 3]))
    else:  # lapsed buyers: bought once, three weeks ago
        at = now - timedelta(days=float(rng.uniform(19, 26)))
        found += [("entry_view", at, "trailhead-x2-tent")]
        found += [("add_to_cart", at + timedelta(minutes=4), "trailhead-x2-tent")]
        found += [("purchase", at + timedelta(minutes=9), "trailhead-x2-tent")]
    return found


async def _visitors(url: str, per_group: int) -> None:
    rng = np.random.default_rng(9)
    now = datetime.now(UTC)
    read = {"seconds": 120}
    viewers = {
        f"anon:v{group}-{n:03d}": [
            (kind, at, entry, read if kind == "time_on_page" else {})
            for kind, at, entry in _visits(group, rng, now)
        ]
        for group in range(3)
        for n in range(per_group)
    }
    await _store(url, viewers, now)


def test_clusters_follow_sessions_recency_and_tag_affinity(
    database_url: str, tmp_path: Path, keys: Keys
) -> None:
    asyncio.run(_visitors(database_url, 60))
    events = "entry_view,add_to_cart,purchase"
    made = _cluster(database_url, "--output", str(tmp_path), "--events", events, "--tags", "3")
    assert made.exit_code == 0, made.output
    report = json.loads((tmp_path / "report.json").read_text())

    assert report["k"] == 3
    assert report["features"][3:] == [
        "sessions in 30d",
        "minutes per session in 30d",
        "pages per session in 30d",
        "days since last seen",
        "views of camping in 30d",
        "views of cooking in 30d",
        "views of climbing in 30d",
    ], "the three most viewed tags of the shipped content, most viewed first"
    by_size = {c["size"] for c in report["clusters"]}
    assert by_size == {60}, "each group is one cluster"
    named = {c["name"]: c for c in report["clusters"]}
    cooks = next(c for n, c in named.items() if "long sessions" in c["description"])
    climbers = next(c for n, c in named.items() if "climbing affinity" in c["description"])
    lapsed = next(c for n, c in named.items() if "lapsed" in c["description"])
    assert len({cooks["id"], climbers["id"], lapsed["id"]}) == 3
    assert "deep visits" in cooks["description"] and "camping affinity" in cooks["description"]
    assert "frequent visitors" in climbers["description"]
    assert all(c["agreement"] >= 0.9 for c in report["clusters"])
    assert "one-pot-camp-meals" in json.dumps(cooks["rule"]) or "within" in json.dumps(
        cooks["rule"]
    ), "the rule says it with what rules can say: tagged views, recency, counts"

    settings = Settings(database_url=database_url, secret="s" * 32)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        assigned = {
            viewer: client.post(
                "/v1/segments/assign",
                json={"viewerId": viewer},
                headers={"Authorization": f"Bearer {keys.secret}"},
            ).json()
            for viewer in ("anon:v0-001", "anon:v1-001", "anon:v2-001")
        }
    assert [a["cluster"] for a in assigned.values()] == [
        cooks["id"],
        climbers["id"],
        lapsed["id"],
    ], "measured the same way when assigning one viewer"
    assert assigned["anon:v0-001"]["features"]["minutes per session in 30d"] > 10


def test_models_stored_before_feature_specs_still_assign() -> None:
    """Models from before specs were kept named their event-count features "type in window"."""
    old = ClusterModel.from_json(
        {
            "version": 3,
            "features": ["purchase in 30d", "entry_view in 7d"],
            "mean": [1.0, 4.0],
            "scale": [1.0, 2.0],
            "centroids": {"0": [0.0, 1.0], "1": [5.0, 2.0]},
        }
    )
    new = ClusterModel.from_json({**old.to_json(), "specs": [f.to_json() for f in VISITS]})
    assert model_features(old) == [
        Feature.events("purchase", "30d"),
        Feature.events("entry_view", "7d"),
    ]
    assert model_features(new) == VISITS
