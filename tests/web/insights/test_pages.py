"""Each Insights page shows the figures the API gives for the same data, and editors' changes
go through, are checked, and land in the audit log as made in Insights; on both databases."""

from __future__ import annotations

import re
from collections.abc import Iterator

import orjson
import pytest
from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql, headers
from tests.triggers.shop import CART_REMINDER, Clock, grant, offers, quiet, running, send, upsert
from tests.web.insights.signing import sign_in
from veneer.services import Services
from veneer.settings import Settings
from veneer.store.experiments import record_exposures

CAMPERS = """mutation { upsertSegment(key: "campers", name: "Campers", holdout: 0.2,
  rule: {trait: "interests", op: "contains", value: "camping"}) { key } }"""
IDENTIFY = "mutation($t: JSON!) { identify(traits: $t) { id } }"
SIZES = "{ segments { key size holdout } }"
EXPERIMENT = """mutation { upsertExperiment(input: {key: "pack-headline", metric: "purchase"}) {
  key status } }"""
PACK = '{ entry(id: "basecamp-55-pack") { personalization { experiment { arm } } } }'
RESULTS = """{ experimentResults(key: "pack-headline") { arms { arm users } decision } }"""
AUDIT = "{ auditLog(first: 50) { actor action subject } }"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(settings: Settings, clock: Clock) -> Iterator[TestClient]:
    yield from running(Services(quiet(settings), clock=clock))


def _cell(html: str, row: str, figure: str) -> str:
    """The text of ``data-figure=figure`` inside the element marked ``row`` (an attribute)."""
    start = html.index(row)
    found = re.search(rf'data-figure="{figure}">([^<]*)<', html[start:])
    assert found, f"no {figure} after {row}"
    return found.group(1).strip()


def _audit(app: TestClient, keys: Keys) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = data(gql(app, AUDIT, key=keys.secret))["auditLog"]
    return entries


def test_segments_show_sizes_and_holdout_results_and_take_a_new_holdout(
    app: TestClient, keys: Keys
) -> None:
    data(gql(app, CAMPERS, key=keys.secret))
    for viewer in ("ann", "bo", "cy", "di"):
        grant(app, keys, viewer)
        data(
            gql(
                app,
                IDENTIFY,
                {"t": {"interests": ["camping"]}},
                key=keys.public,
                anonymous_id=viewer,
            )
        )
    grant(app, keys, "ed")  # not a camper
    (listed,) = data(gql(app, SIZES, key=keys.secret))["segments"]
    assert listed["size"] == 4

    csrf = sign_in(app, keys.secret)
    page = app.get("/insights/segments")
    assert _cell(page.text, 'data-segment="campers"', "size") == "4"
    assert _cell(page.text, 'data-segment="campers"', "holdout") == "20.0%"
    held = re.search(
        r"Personalized</th><td class=\"n\">(\d+)</td>.*?Held out</th><td class=\"n\">(\d+)",
        page.text,
        re.S,
    )
    assert held and int(held.group(1)) + int(held.group(2)) == 4
    assert 'aria-label="Size of campers by day"' in page.text
    assert 'data-series="size"' in page.text and 'data-value="4"' in page.text

    refused = app.post("/insights/segments/campers/holdout", data={"csrf": csrf, "holdout": "80"})
    assert refused.status_code == 400
    assert "holdout" in refused.text and "between 0 and 50%" in refused.text
    assert data(gql(app, SIZES, key=keys.secret))["segments"][0]["holdout"] == 0.2

    changed = app.post("/insights/segments/campers/holdout", data={"csrf": csrf, "holdout": "10"})
    assert changed.status_code == 200  # followed back to the page
    assert "holdout of campers set to 10%" in changed.text
    assert data(gql(app, SIZES, key=keys.secret))["segments"][0]["holdout"] == 0.1
    newest = _audit(app, keys)[0]
    assert newest["action"] == "segment.saved" and newest["subject"] == "campers"
    assert newest["actor"].startswith("insights:key:") and "(test backend)" in newest["actor"]
    # The notice is said once.
    assert "holdout of campers set to 10%" not in app.get("/insights/segments").text


def test_triggers_show_served_capped_converted_and_can_be_stopped(
    app: TestClient, keys: Keys, clock: Clock
) -> None:
    data(upsert(app, keys, CART_REMINDER))  # perDay 1
    for viewer in ("ann", "bo"):
        grant(app, keys, viewer)
        send(app, keys, viewer, [{"id": f"{viewer}-1", "type": "cart_abandoned"}], clock.now)
        send(app, keys, viewer, [{"id": f"{viewer}-2", "type": "cart_abandoned"}], clock.now)
        assert len(offers(app, keys, viewer, "cart")) == 1
    clock.advance(minutes=5)
    send(
        app,
        keys,
        "ann",
        [{"id": "ann-buys", "type": "purchase", "properties": {"value": 30, "currency": "EUR"}}],
        clock.now,
    )

    csrf = sign_in(app, keys.secret)
    page = app.get("/insights/triggers")
    row = 'data-trigger="cart-reminder"'
    assert _cell(page.text, row, "served") == "2"
    assert _cell(page.text, row, "capped") == "2"  # each reached the one a day
    assert _cell(page.text, row, "converted").startswith("1")
    assert "50.0%" in _cell(page.text, row, "converted") or "(50.0%)" in page.text
    assert 'data-label="cart-reminder" data-value="2.0"' in page.text

    stopped = app.post("/insights/triggers/cart-reminder/stop", data={"csrf": csrf})
    assert stopped.status_code == 200 and "trigger cart-reminder stopped" in stopped.text
    grant(app, keys, "cy")
    send(app, keys, "cy", [{"id": "cy-1", "type": "cart_abandoned"}], clock.now)
    send(app, keys, "cy", [{"id": "cy-2", "type": "cart_abandoned"}], clock.now)
    assert offers(app, keys, "cy", "cart") == []
    assert _audit(app, keys)[0]["action"] == "trigger.saved"
    unknown = app.post("/insights/triggers/nope/stop", data={"csrf": csrf})
    assert unknown.status_code == 404 and "no trigger" in unknown.text


def test_experiments_show_the_split_and_decision_and_can_be_stopped(
    app: TestClient, keys: Keys
) -> None:
    assert data(gql(app, EXPERIMENT, key=keys.secret))["upsertExperiment"]["status"] == "running"
    for n in range(6):
        grant(app, keys, f"v{n}")
        data(gql(app, PACK, key=keys.public, anonymous_id=f"v{n}"))
    results = data(gql(app, RESULTS, key=keys.secret))["experimentResults"]

    csrf = sign_in(app, keys.secret)
    page = app.get("/insights/experiments")
    for arm in results["arms"]:
        found = re.search(rf'data-arm="{arm["arm"]}">.*?<td class="n">(\d+)</td>', page.text, re.S)
        assert found and int(found.group(1)) == arm["users"]
    assert results["decision"] in page.text.replace("&#39;", "'").replace("&amp;", "&")

    answer = app.post("/insights/experiments/pack-headline/pause", data={"csrf": csrf})
    assert answer.status_code == 200
    status = data(gql(app, "{ experiments { key status } }", key=keys.secret))["experiments"]
    assert status == [{"key": "pack-headline", "status": "stopped"}]
    assert "Stop pack-headline" not in app.get("/insights/experiments").text


def test_consent_and_quality_pages_count_what_was_sent(app: TestClient, keys: Keys) -> None:
    grant_all = [{"purpose": p, "granted": True} for p in ("ANALYTICS", "PERSONALIZATION")]
    refuse = [{"purpose": "PERSONALIZATION", "granted": False}]
    mutation = "mutation($p: [ConsentInput!]!) { setConsent(purposes: $p) { purpose } }"
    for viewer in ("a", "b", "c"):
        data(gql(app, mutation, {"p": grant_all}, key=keys.public, anonymous_id=viewer))
    data(gql(app, mutation, {"p": refuse}, key=keys.public, anonymous_id="d", **{"Sec-GPC": "1"}))
    bad = app.post(
        "/v1/events",
        json=[{"id": "x1", "type": "view"}, {"id": "x2", "type": ""}],
        headers=headers(keys.public, "a"),
    )
    assert bad.status_code == 202
    assert [r["index"] for r in bad.json()["rejected"]] == [1]

    sign_in(app, keys.secret)
    consent = app.get("/insights/consent").text
    assert _cell(consent, 'data-purpose="PERSONALIZATION"', "share") == "75.0%"
    assert _cell(consent, 'data-purpose="ANALYTICS"', "share") == "100.0%"
    assert _cell(consent, 'data-purpose="GPC"', "share") == "25.0%"

    quality = app.get("/insights/quality").text
    report = data(gql(app, "{ eventQuality { source eventType rejectionRate } }", key=keys.secret))
    assert report["eventQuality"], "the events were counted"
    for row in report["eventQuality"]:
        marker = f'data-event-type="{row["eventType"]}"'
        assert _cell(quality, marker, "rejection-rate") == f"{row['rejectionRate'] * 100:.1f}%"


def test_the_audit_log_pages_back_and_exports_what_the_cli_exports(
    app: TestClient, keys: Keys
) -> None:
    for n in range(3):
        data(upsert(app, keys, {**CART_REMINDER, "key": f"t{n}"}))
    sign_in(app, keys.secret)
    page = app.get("/insights/audit").text
    assert page.index('data-subject="t2"') < page.index('data-subject="t0"')  # newest first
    export = app.get("/insights/audit.jsonl")
    assert export.headers["content-type"].startswith("application/x-ndjson")
    assert "attachment" in export.headers["content-disposition"]
    lines = [orjson.loads(line) for line in export.text.splitlines()]
    trigger_lines = [line for line in lines if line["action"] == "trigger.saved"]
    assert [line["subject"] for line in trigger_lines] == ["t0", "t1", "t2"]  # oldest first
    assert all(line["actor"].startswith("key:") for line in trigger_lines)


def test_recommendations_page_shows_what_each_strategy_served(app: TestClient, keys: Keys) -> None:
    asked = "{ recommendations(first: 4) { id personalization { strategy } } }"
    picked = data(gql(app, asked, key=keys.public, anonymous_id="someone"))["recommendations"]
    served: dict[str, int] = {}
    for entry in picked:
        name = entry["personalization"]["strategy"]
        served[name] = served.get(name, 0) + 1

    sign_in(app, keys.secret)
    page = app.get("/insights/recommendations")
    assert page.status_code == 200
    assert "No trained models yet" in page.text
    for name, n in served.items():
        assert _cell(page.text, f'data-strategy="{name}"', "shown") == str(n)


TENT = '{ entry(id: "tent-x2") { personalization { reason } } }'


def test_coverage_shows_the_personalized_share_and_how_widely_entries_are_shown(
    app: TestClient, keys: Keys, clock: Clock
) -> None:
    data(gql(app, CAMPERS.replace("holdout: 0.2", "holdout: 0"), key=keys.secret))
    grant(app, keys, "camper")
    data(
        gql(
            app, IDENTIFY, {"t": {"interests": ["camping"]}}, key=keys.public, anonymous_id="camper"
        )
    )
    for viewer in ("camper", "stranger-1", "stranger-2"):  # strangers gave no consent
        data(gql(app, TENT, key=keys.public, anonymous_id=viewer))
    shown = [{"id": f"i{n}", "type": "impression", "entryId": "tent-x2"} for n in range(3)]
    send(app, keys, "camper", shown, clock.now)

    sign_in(app, keys.secret)
    page = app.get("/insights/coverage").text
    assert _cell(page, "Personalized:", "personalized-share") == "33.3%"
    assert _cell(page, 'data-reason="segment"', "count") == "1"
    assert _cell(page, 'data-reason="no_consent"', "count") == "2"
    assert 'data-label="segment variant" data-value="1.0"' in page
    services: Services = app.app.state.services  # type: ignore[attr-defined]
    assert app.portal is not None
    catalogue = len({entry.id for entry in app.portal.call(services.catalogue.entries)})
    assert _cell(page, "Catalogue coverage", "catalogue-coverage") == f"{100 / catalogue:.1f}%"
    assert 'data-entry="tent-x2"' in page


def test_a_broken_split_is_the_first_thing_the_overview_and_experiments_page_say(
    app: TestClient, keys: Keys, clock: Clock
) -> None:
    data(gql(app, EXPERIMENT, key=keys.secret))
    services: Services = app.app.state.services  # type: ignore[attr-defined]

    async def skewed() -> None:
        async with services.db.session() as session:
            for n in range(1000):
                arm = "control" if n < 600 else "weekend-copy"
                await record_exposures(session, f"anon:s{n}", {"pack-headline": arm}, clock.now)

    assert app.portal is not None
    app.portal.call(skewed)
    sign_in(app, keys.secret)
    overview = app.get("/insights").text
    assert _cell(overview, "Experiments running", "running") == "1"
    assert (
        'role="alert">Experiment <strong><a href="/insights/experiments#experiment-pack-headline">'
        in overview
    )
    assert "sample-ratio mismatch" in overview
    page = app.get("/insights/experiments").text
    assert page.index("Sample-ratio mismatch") < page.index('data-verdict="untrustworthy"')
