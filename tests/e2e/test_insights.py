"""Insights in a real browser: Debian's Chromium signs in to a running `veneer demo` that
holds real data (sent through the API as a site would), reads each page's charts and tables,
makes an editor's change, is refused a forged form, and signs out. Screenshots of every page
are kept in ``.artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import WAIT_MS, launched_chromium
from tests.e2e.demo import running_demo

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / ".artifacts"
CONSENT = "mutation($p: [ConsentInput!]!) { setConsent(purposes: $p) { purpose } }"
IDENTIFY = "mutation($t: JSON!) { identify(traits: $t) { id } }"
TRIGGER = "mutation($i: TriggerInput!) { upsertTrigger(input: $i) { key } }"
EXPERIMENT = (
    'mutation { upsertExperiment(input: {key: "pack-headline", metric: "purchase"}) { key } }'
)
PACK = '{ entry(id: "basecamp-55-pack") { personalization { reason } } }'
OFFERS = '{ viewer { offers(placement: "cart") { trigger } } }'
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener(
  "securitypolicyviolation", (e) => window.cspViolations.push(e.violatedDirective)
);
"""


class Api:
    def __init__(self, base: str):
        self.base = base

    def gql(
        self, query: str, variables: dict[str, Any] | None = None, *, viewer: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {'pk_demo' if viewer else 'sk_demo'}"}
        if viewer:
            headers["X-Veneer-Anonymous-Id"] = viewer
        body = httpx.post(
            f"{self.base}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
        ).json()
        assert "errors" not in body, body
        result: dict[str, Any] = body["data"]
        return result

    def events(self, viewer: str, events: list[dict[str, Any]]) -> None:
        answer = httpx.post(
            f"{self.base}/v1/events",
            json=events,
            headers={"Authorization": "Bearer pk_demo", "X-Veneer-Anonymous-Id": viewer},
        )
        assert answer.status_code == 202 and answer.json()["rejected"] == [], answer.text


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Api]]:
    """The demo with a week's worth of activity in miniature, sent through the public API."""
    with running_demo(tmp_path_factory.mktemp("insights")) as demo:
        api = Api(demo.base)
        everything = [{"purpose": p, "granted": True} for p in ("ANALYTICS", "PERSONALIZATION")]
        for n in range(6):
            api.gql(CONSENT, {"p": everything}, viewer=f"hiker-{n}")
        api.gql(
            CONSENT, {"p": [{"purpose": "PERSONALIZATION", "granted": False}]}, viewer="private"
        )
        for n in range(4):
            api.gql(IDENTIFY, {"t": {"interests": ["camping"]}}, viewer=f"hiker-{n}")
        reminder = {
            "key": "cart-reminder",
            "when": {"event": "cart_abandoned", "count": {"gte": 2}, "within": "7d"},
            "offer": {"placement": "cart", "entry": "kettle-pot-set"},
            "caps": {"perDay": 1},
        }
        api.gql(TRIGGER, {"i": reminder})
        for viewer in ("hiker-0", "hiker-1"):
            api.events(
                viewer, [{"id": f"{viewer}-{n}", "type": "cart_abandoned"} for n in range(2)]
            )
            assert api.gql(OFFERS, viewer=viewer)["viewer"]["offers"] == [
                {"trigger": "cart-reminder"}
            ]
        api.gql(EXPERIMENT)
        for n in range(6):
            api.gql(PACK, viewer=f"hiker-{n}")
        yield demo.base, api


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with launched_chromium() as browser:
        yield browser


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"insights-{name}.png"), full_page=True)


def test_an_editor_signs_in_reads_every_page_and_makes_a_change(
    shop: tuple[str, Api], chromium: Browser
) -> None:
    base, api = shop
    context = chromium.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(RECORD_VIOLATIONS)

    page.goto(f"{base}/insights/segments")
    expect(page.get_by_role("heading", name="Sign in to Insights")).to_be_visible(timeout=WAIT_MS)
    page.get_by_label("Secret key").fill("pk_demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("a public key cannot open Insights")
    page.get_by_label("Secret key").fill("sk_demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/insights/segments")

    sizes = {s["key"]: s["size"] for s in api.gql("{ segments { key size } }")["segments"]}
    assert sizes["campers"] == 4
    campers = page.locator('[data-segment="campers"]')
    expect(campers.locator('[data-figure="size"]')).to_have_text("4")
    today = campers.locator('circle[data-series="size"]').last
    assert today.get_attribute("data-value") == "4"
    _shot(page, "segments")

    # A forged form is refused, and changes nothing.
    campers.locator('input[name="csrf"]').evaluate("input => { input.value = 'forged' }")
    campers.get_by_label("Holdout of campers, percent").fill("10")
    campers.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("csrf")
    page.goto(f"{base}/insights/segments")
    expect(campers.locator('[data-figure="holdout"]')).to_have_text("0.0%")
    campers.get_by_label("Holdout of campers, percent").fill("10")
    campers.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("holdout of campers set to 10%")
    expect(campers.locator('[data-figure="holdout"]')).to_have_text("10.0%")

    page.get_by_role("link", name="Experiments").click()
    results = api.gql('{ experimentResults(key: "pack-headline") { arms { arm users } decision } }')
    experiment = page.locator('[data-experiment="pack-headline"]')
    expect(experiment.locator(".decision")).to_have_text(results["experimentResults"]["decision"])
    for arm in results["experimentResults"]["arms"]:
        expect(experiment.locator(f'tr[data-arm="{arm["arm"]}"] td').nth(1)).to_have_text(
            str(arm["users"])
        )
    expect(experiment.get_by_role("img", name="Lift against control by day")).to_be_visible()
    _shot(page, "experiments")

    page.get_by_role("link", name="Triggers").click()
    row = page.locator('tr[data-trigger="cart-reminder"]')
    expect(row.locator('[data-figure="served"]')).to_have_text("2")
    expect(row.locator('[data-figure="capped"]')).to_have_text("2")
    assert page.locator('rect[data-label="cart-reminder"]').get_attribute("data-value") == "2.0"
    _shot(page, "triggers")
    row.get_by_role("button", name="Stop").click()
    expect(page.get_by_role("status")).to_have_text("trigger cart-reminder stopped")
    expect(row).to_contain_text("stopped")

    page.get_by_role("link", name="Consent").click()
    personalization = page.locator('tr[data-purpose="PERSONALIZATION"] [data-figure="share"]')
    expect(personalization).to_have_text(f"{6 / 7 * 100:.1f}%")
    assert page.locator('rect[data-label="PERSONALIZATION"]').get_attribute("data-value") == repr(
        6 / 7
    )
    _shot(page, "consent")

    pages = (("Data quality", "Data quality"), ("Recommendations", "Recommendations"))
    for name, heading in (*pages, ("Coverage", "Coverage")):
        page.get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        _shot(page, heading.lower().replace(" ", "-"))

    page.get_by_role("link", name="Audit log").click()
    newest = page.locator("tbody tr").first
    expect(newest).to_contain_text("trigger.saved")
    expect(newest).to_contain_text("insights:key:sk_demo (demo)")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as JSON lines").click()
    exported = Path(download.value.path()).read_text()
    assert '"action":"segment.saved","subject":"campers"' in exported
    _shot(page, "audit")

    assert page.evaluate("() => window.cspViolations") == []
    assert errors == []
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Insights")).to_be_visible()
    page.goto(f"{base}/insights/consent")
    expect(page.get_by_role("heading", name="Sign in to Insights")).to_be_visible()
    context.close()
