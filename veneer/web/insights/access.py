"""Who may open Insights: signing in with a secret key, the session cookie, CSRF, headers.

Signing in trades a secret key for a signed, HttpOnly, SameSite=Strict cookie scoped to
``/insights``; the key itself is never stored in the browser. Every form carries the
session's CSRF token, and a request from another origin is refused before its token is even
read. A public key never signs in: it is made to be shipped inside pages.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs, quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from veneer.identity.keys import DEMO_KEYS, KeyKind
from veneer.insights.session import COOKIE, LIFETIME, Session, read, same_token
from veneer.services import Services
from veneer.store.keys import active_key
from veneer.web.bodies import read_body
from veneer.web.insights.rendering import base, render

FORM_LIMIT = 8 * 1024  # the largest form on the pages is a key and a token
SECURITY_HEADERS = {
    # No script runs on the pages, and none may; styles are inline in the page itself.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class FormError(Exception):
    """A form refused: the status, the field and why."""

    def __init__(self, status: int, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.status, self.field, self.message = status, field, message


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def is_admin_key(services: Services, key_id: str) -> bool:
    """Whether the key is a secret key still in force (the demo's ``sk_demo`` in the demo)."""
    if key_id in DEMO_KEYS:
        return services.settings.demo and DEMO_KEYS[key_id] is KeyKind.SECRET
    async with services.db.reading() as session:
        key = await active_key(session, key_id)
    return key is not None and key.kind is KeyKind.SECRET


async def current_session(request: Request) -> Session | None:
    """The signed-in session, or None: no cookie, a forged or expired one, or a key revoked
    since it signed in."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    services = services_of(request)
    session = read(token, services.settings.signing_secret(), services.clock())
    if session is None or not await is_admin_key(services, session.key_id):
        return None
    return session


def secured(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(LIFETIME.total_seconds()),
        path=base(request),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def sign_in_redirect(request: Request) -> Response:
    wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{base(request)}/sign-in?next={quote(wanted, safe='')}", 303)


def same_origin(request: Request) -> bool:
    """A form posted from another site names that site in ``Origin`` (browsers send it on
    every cross-origin POST); no ``Origin`` at all is a non-browser client, held by the token."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    expected = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
    return origin == expected


async def read_form(request: Request) -> dict[str, str]:
    """An URL-encoded form, each field once; anything else is refused by name."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise FormError(415, "Content-Type", "send the form as application/x-www-form-urlencoded")
    body = await read_body(request, FORM_LIMIT)
    try:
        fields = parse_qs(
            body.decode(), keep_blank_values=True, max_num_fields=20, strict_parsing=False
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise FormError(400, "body", f"not a form: {exc}") from exc
    repeated = sorted(name for name, values in fields.items() if len(values) > 1)
    if repeated:
        raise FormError(400, repeated[0], "given more than once")
    return {name: values[0] for name, values in fields.items()}


def check_csrf(request: Request, form: dict[str, str], expected: str) -> None:
    if not same_origin(request):
        raise FormError(403, "Origin", "forms are accepted only from Insights' own pages")
    if not same_token(expected, form.get("csrf")):
        raise FormError(
            403, "csrf", "the form's token is missing or stale: reload the page and try again"
        )


Page = Callable[[Request, Session], Awaitable[Response]]


def signed_in(page: Page) -> Callable[[Request], Awaitable[Response]]:
    """A page only a signed-in editor sees; anyone else is sent to sign in first."""

    async def endpoint(request: Request) -> Response:
        session = await current_session(request)
        if session is None:
            if request.method != "GET":
                return secured(_refusal(request, 401, "session", "sign in to Insights first"))
            return secured(sign_in_redirect(request))
        try:
            return secured(await page(request, session))
        except FormError as exc:
            return secured(_refusal(request, exc.status, exc.field, exc.message))

    return endpoint


def _refusal(request: Request, status: int, field: str, message: str) -> Response:
    return render(request, "refused.html", None, status=status, field=field, message=message)
