"""GraphiQL works offline: a real Chromium, cut off from every host but Veneer, runs a query.

`veneer demo` serves on 127.0.0.1 as a newcomer starts it; Playwright aborts (and records)
every request for any other host, so a page that still needed a CDN would stay on
"Loading..." and the editor would never appear.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect

from tests.e2e.browser import WAIT_MS, launched_chromium
from tests.e2e.demo import running_demo

# Violations of the page's Content-Security-Policy, kept where the test can read them.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""
READ_VIOLATIONS = "() => new Promise((done) => setTimeout(() => done(window.cspViolations)))"


@pytest.fixture(scope="module")
def veneer_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`veneer demo` on a free port, started from an empty directory."""
    with running_demo(tmp_path_factory.mktemp("demo")) as demo:
        yield demo.base


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with launched_chromium() as browser:
        yield browser


def _replace(page: Page, editor: Locator, text: str) -> None:
    """Type into a GraphiQL editor, over what it held, as a person at the keyboard would."""
    editor.locator(".graphiql-editor:not(.hidden) .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_graphiql_runs_a_query_with_every_other_host_cut_off(
    veneer_demo: str, chromium: Browser
) -> None:
    context = chromium.new_context()
    elsewhere: list[str] = []

    def refuse(route: Route) -> None:
        elsewhere.append(route.request.url)
        route.abort("blockedbyclient")

    context.route(lambda url: urlsplit(url).netloc != urlsplit(veneer_demo).netloc, refuse)
    page = context.new_page()
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(RECORD_VIOLATIONS)

    page.goto(f"{veneer_demo}/graphql")
    try:
        expect(page.locator(".graphiql-query-editor .CodeMirror")).to_be_visible(timeout=WAIT_MS)
    except AssertionError as failed:
        raise AssertionError(
            f"GraphiQL did not start; it asked other hosts: {elsewhere}"
        ) from failed

    # What is typed in the headers tab is what the query sends.
    page.get_by_role("button", name="Headers", exact=True).click()
    _replace(
        page,
        page.get_by_role("region", name="Headers"),
        '{"Authorization": "Bearer pk_demo", "X-Veneer-Anonymous-Id": "offline-1"}',
    )
    _replace(
        page,
        page.locator(".graphiql-query-editor"),
        '{ viewer { anonymousId } entry(id: "tent-x2") { contentType } }',
    )
    page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()

    result = page.locator(".result-window")
    expect(result).to_contain_text('"anonymousId": "offline-1"', timeout=WAIT_MS)
    expect(result).to_contain_text('"contentType": "product"')

    # The docs come from introspection; the settings dialog adds GraphiQL's one <style>.
    page.get_by_role("button", name="Show Documentation Explorer").click()
    expect(page.get_by_text("A GraphQL schema provides a root type")).to_be_visible()
    page.get_by_role("button", name="Open settings dialog").click()
    expect(page.get_by_role("dialog")).to_contain_text("Persist headers")

    assert elsewhere == []
    assert {urlsplit(url).netloc for url in requested} == {urlsplit(veneer_demo).netloc}
    # A violation is reported in a task of its own: read the list once queued tasks have run.
    assert page.evaluate(READ_VIOLATIONS) == []
    assert errors == []
    context.close()
