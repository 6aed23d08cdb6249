"""What an editor may change from Insights: the safe levers, each a signed, CSRF-checked form.

Each change runs as the signed-in key (the audit log names it, marked as made in Insights),
through the same jobs GraphQL uses, then returns to the page it came from (post/redirect/get,
so a reload never repeats it).
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from veneer.audit import act_as
from veneer.insights.session import DONE_COOKIE, Session
from veneer.jobs import editing
from veneer.jobs import experiments as experiment_jobs
from veneer.triggers.definition import TriggerError
from veneer.web.insights.access import (
    FormError,
    check_csrf,
    read_form,
    services_of,
    signed_in,
)
from veneer.web.insights.rendering import base


def _done(request: Request, page: str, message: str) -> Response:
    """Back to the page, which says once what changed: the message rides in a cookie only
    this server sets, so a link from elsewhere cannot make a page claim a change."""
    response = RedirectResponse(f"{base(request)}/{page}", 303)
    response.set_cookie(DONE_COOKIE, quote(message), max_age=60, path=base(request), httponly=True)
    return response


async def _checked_form(request: Request, session: Session) -> dict[str, str]:
    form = await read_form(request)
    check_csrf(request, form, session.csrf)
    act_as(session.actor)
    return form


async def _set_holdout(request: Request, session: Session) -> Response:
    form = await _checked_form(request, session)
    key = request.path_params["key"]
    given = form.get("holdout", "").strip().rstrip("%")
    try:
        percent = float(given)
    except ValueError as exc:
        raise FormError(400, "holdout", f"must be a percentage such as 10, got {given!r}") from exc
    try:
        await editing.set_holdout(services_of(request), key, percent / 100)
    except editing.EditError as exc:
        raise FormError(400 if exc.field == "holdout" else 404, exc.field, exc.message) from exc
    return _done(request, "segments", f"holdout of {key} set to {percent:g}%")


async def _pause_experiment(request: Request, session: Session) -> Response:
    await _checked_form(request, session)
    key = request.path_params["key"]
    stopped = await experiment_jobs.stop(services_of(request), key)
    if stopped is None:
        raise FormError(404, "experiment", f"no experiment {key!r}")
    return _done(request, "experiments", f"experiment {key} stopped: everyone sees the baseline")


async def _stop_trigger(request: Request, session: Session) -> Response:
    await _checked_form(request, session)
    key = request.path_params["key"]
    try:
        await editing.stop_trigger(services_of(request), key)
    except editing.EditError as exc:
        raise FormError(404, exc.field, exc.message) from exc
    except TriggerError as exc:  # a stored definition the current rules no longer accept
        raise FormError(409, "trigger", str(exc)) from exc
    return _done(request, "triggers", f"trigger {key} stopped")


set_holdout = signed_in(_set_holdout)
pause_experiment = signed_in(_pause_experiment)
stop_trigger = signed_in(_stop_trigger)
