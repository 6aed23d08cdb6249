"""Signing in to Insights with a secret key, and signing out.

The sign-in form has no session yet to carry a CSRF token, so it carries its own, kept in a
short-lived cookie beside it (double submit): a page on another site can post the form but
cannot read or set that cookie, so it cannot sign a browser in under the attacker's key.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from veneer.identity.keys import KeyKind
from veneer.insights.session import COOKIE, SIGN_IN_COOKIE, Session, issue, new_token, same_token
from veneer.web.insights.access import (
    FormError,
    check_csrf,
    current_session,
    read_form,
    same_origin,
    secured,
    services_of,
    set_session_cookie,
    signed_in,
)
from veneer.web.insights.rendering import base, render


def _next_page(request: Request, wanted: str | None) -> str:
    """Only a path inside Insights: a sign-in link must not send anyone elsewhere."""
    home = base(request)
    if not wanted:
        return home
    parts = urlsplit(wanted)
    if parts.scheme or parts.netloc or not parts.path.startswith(home) or "\\" in wanted:
        return home
    return wanted


def _form(
    request: Request, status: int = 200, problem: str | None = None, wanted: str | None = None
) -> Response:
    """The form; shown again after a refusal, it still leads where the first one did."""
    token = new_token()
    response = render(
        request,
        "sign_in.html",
        None,
        status=status,
        csrf=token,
        next=_next_page(request, wanted or request.query_params.get("next")),
        problem=problem,
    )
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        max_age=3600,
        path=base(request),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return secured(response)


async def sign_in_page(request: Request) -> Response:
    if await current_session(request) is not None:
        return secured(RedirectResponse(_next_page(request, request.query_params.get("next")), 303))
    return _form(request)


async def sign_in(request: Request) -> Response:
    try:
        form = await read_form(request)
    except FormError as exc:
        return _form(request, exc.status, f"{exc.field}: {exc.message}")
    wanted = form.get("next")
    if not same_origin(request) or not same_token(
        request.cookies.get(SIGN_IN_COOKIE, ""), form.get("csrf")
    ):
        return _form(
            request, 403, "csrf: the form expired or came from elsewhere; try again", wanted
        )
    plain = form.get("key", "").strip()
    if not plain:
        return _form(request, 400, "key: enter a secret API key", wanted)
    services = services_of(request)
    key = await services.authenticate(plain)
    if key is None:
        return _form(request, 401, "key: unknown or revoked API key", wanted)
    if key.kind is not KeyKind.SECRET:
        return _form(
            request,
            403,
            "key: a public key cannot open Insights; sign in with a secret key (sk_...)",
            wanted,
        )
    token = issue(key.id, key.name, services.settings.signing_secret(), services.clock())
    response = RedirectResponse(_next_page(request, form.get("next")), 303)
    set_session_cookie(response, request, token)
    response.delete_cookie(SIGN_IN_COOKIE, path=base(request))
    return secured(response)


async def _sign_out(request: Request, session: Session) -> Response:
    check_csrf(request, await read_form(request), session.csrf)
    response = RedirectResponse(f"{base(request)}/sign-in", 303)
    response.delete_cookie(COOKIE, path=base(request), httponly=True, samesite="strict")
    return response


sign_out = signed_in(_sign_out)
