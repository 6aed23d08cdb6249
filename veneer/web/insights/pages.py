"""The Insights pages: each reads its figures (`veneer.jobs.insights`) and draws them."""

from __future__ import annotations

import re

import orjson
from starlette.requests import Request
from starlette.responses import Response

from veneer.consent import Purpose
from veneer.content_adapters import ContentError
from veneer.insights.charts import Series
from veneer.insights.session import Session
from veneer.jobs import insights
from veneer.jobs.coverage import Reason
from veneer.jobs.coverage import coverage as coverage_of
from veneer.jobs.exposure import exposure_summary
from veneer.store.audit import as_entry
from veneer.web.insights.access import FormError, services_of, signed_in
from veneer.web.insights.rendering import render

EVENT_TYPE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
DEFAULT_METRIC = "purchase"
AUDIT_PAGE = 50
AUDIT_EXPORT_LIMIT = 100_000


def _days(request: Request, default: int = 14, most: int = 90) -> int:
    given = request.query_params.get("days")
    if given is None:
        return default
    if not given.isdigit() or not 1 <= int(given) <= most:
        raise FormError(400, "days", f"must be a whole number of days from 1 to {most}")
    return int(given)


def _metric(request: Request) -> str:
    metric = request.query_params.get("metric", DEFAULT_METRIC)
    if not EVENT_TYPE.match(metric):
        raise FormError(400, "metric", "must be an event type: letters, digits, _ . : -")
    return metric


async def _overview(request: Request, session: Session) -> Response:
    services = services_of(request)
    segments = await services.segment_definitions(fresh=True)
    triggers = await services.trigger_definitions(fresh=True)
    experiments = await insights.splits(services)
    models = await insights.recommendation_models(services)
    return render(
        request,
        "overview.html",
        session,
        segments=len(segments),
        triggers=sum(t.is_live(services.clock()) for t in triggers),
        experiments=experiments,
        champion=next((m for m in reversed(models) if m.status == "champion"), None),
    )


async def _segments(request: Request, session: Session) -> Response:
    days, metric = _days(request), _metric(request)
    found = await insights.segments(services_of(request), metric, days)
    sizes = [(s.key, float(s.size)) for s in found]
    return render(
        request, "segments.html", session, segments=found, sizes=sizes, days=days, metric=metric
    )


async def _experiments(request: Request, session: Session) -> Response:
    found = await insights.experiments(services_of(request))
    return render(request, "experiments.html", session, experiments=found)


async def _recommendations(request: Request, session: Session) -> Response:
    days = _days(request)
    services = services_of(request)
    models = await insights.recommendation_models(services)
    strategies = (await coverage_of(services, days)).strategies
    total = sum(strategies.values())
    return render(
        request,
        "recommendations.html",
        session,
        models=models,
        strategies=strategies,
        strategy_bars=[(name, n / total) for name, n in strategies.items()],
        strategy_total=total,
        days=days,
    )


async def _triggers(request: Request, session: Session) -> Response:
    days, metric = _days(request), _metric(request)
    found = await insights.triggers(services_of(request), metric, days)
    served = [(t.key, float(t.activity.offers.get("served", 0))) for t in found]
    return render(
        request,
        "triggers.html",
        session,
        triggers=found,
        served=served,
        days=days,
        metric=metric,
    )


async def _quality(request: Request, session: Session) -> Response:
    days = _days(request, default=7, most=366)
    rows = await insights.quality(services_of(request), days)
    bars = [(f"{r.source} {r.event_type}", r.rejection_rate) for r in rows]
    return render(request, "quality.html", session, rows=rows, bars=bars, days=days)


async def _consent(request: Request, session: Session) -> Response:
    days = _days(request, default=30, most=366)
    purposes = [p.value for p in Purpose if p is not Purpose.NECESSARY]
    found = await insights.consent(services_of(request), purposes, days)
    shares = [(p, found.share(p) or 0.0) for p in purposes] + [("GPC", found.gpc_share or 0.0)]
    trend = [Series(p, [d.granted.get(p) for d in found.days]) for p in purposes]
    return render(
        request,
        "consent.html",
        session,
        consent=found,
        purposes=purposes,
        shares=shares,
        trend=trend,
        days=days,
    )


async def _coverage(request: Request, session: Session) -> Response:
    days = _days(request, default=14, most=366)
    services = services_of(request)
    found = await coverage_of(services, days)
    exposure, problem = None, None
    try:
        exposure = await exposure_summary(services, days)
    except ContentError as exc:
        problem = str(exc)
    reasons = [(r.label, float(found.totals.counts.get(r, 0))) for r in Reason]
    daily = [
        Series("personalized", [d.personalized_share for d in found.days]),
        Series("baseline", [d.baseline_share for d in found.days]),
    ]
    top = [(e.title or e.entry_id, float(e.count)) for e in exposure.top] if exposure else []
    return render(
        request,
        "coverage.html",
        session,
        coverage=found,
        all_reasons=list(Reason),
        reasons=reasons,
        daily=daily,
        exposure=exposure,
        exposure_problem=problem,
        top=top,
        days=days,
    )


def _before(request: Request) -> int | None:
    given = request.query_params.get("before")
    if given is None:
        return None
    if not given.isdigit():
        raise FormError(400, "before", "must be an entry number from the log")
    return int(given)


async def _audit(request: Request, session: Session) -> Response:
    rows = await insights.audit_log(services_of(request), AUDIT_PAGE + 1, _before(request))
    more = len(rows) > AUDIT_PAGE
    return render(request, "audit.html", session, rows=rows[:AUDIT_PAGE], more=more)


async def _audit_export(request: Request, session: Session) -> Response:
    """The log as JSON lines, oldest first, as `veneer audit --json` writes it."""
    rows = await insights.audit_log(services_of(request), AUDIT_EXPORT_LIMIT, None)
    lines = b"".join(orjson.dumps(as_entry(row)) + b"\n" for row in reversed(rows))
    return Response(
        lines,
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="veneer-audit.jsonl"'},
    )


overview = signed_in(_overview)
segments = signed_in(_segments)
experiments = signed_in(_experiments)
recommendations = signed_in(_recommendations)
triggers = signed_in(_triggers)
quality = signed_in(_quality)
consent = signed_in(_consent)
coverage = signed_in(_coverage)
audit = signed_in(_audit)
audit_export = signed_in(_audit_export)
