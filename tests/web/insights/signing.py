"""Signing a test client in to Insights the way a browser does: read the form, post it."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def form_token(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form carrying a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, key: str) -> str:
    """Sign in with ``key``; returns the session's CSRF token, as the pages' forms carry it."""
    form = client.get("/insights/sign-in")
    assert form.status_code == 200, form.text
    answer = client.post(
        "/insights/sign-in",
        data={"key": key, "csrf": form_token(form.text), "next": "/insights"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = client.get("/insights")
    assert page.status_code == 200, page.text
    return form_token(page.text)
