"""Insights: the web pages where the people who run personalization look at what it does.

Mounted at ``/insights``; its own sign-in (a secret key traded for a session cookie) rather
than the API's bearer keys, since a browser page cannot send a header with every link.
"""

from __future__ import annotations

from starlette.routing import Route

from veneer.web.insights import actions, pages, signing_in


def insights_routes() -> list[Route]:
    return [
        Route("/insights", pages.overview, methods=["GET"]),
        Route("/insights/sign-in", signing_in.sign_in_page, methods=["GET"]),
        Route("/insights/sign-in", signing_in.sign_in, methods=["POST"]),
        Route("/insights/sign-out", signing_in.sign_out, methods=["POST"]),
        Route("/insights/segments", pages.segments, methods=["GET"]),
        Route("/insights/segments/{key}/holdout", actions.set_holdout, methods=["POST"]),
        Route("/insights/experiments", pages.experiments, methods=["GET"]),
        Route("/insights/experiments/{key}/pause", actions.pause_experiment, methods=["POST"]),
        Route("/insights/recommendations", pages.recommendations, methods=["GET"]),
        Route("/insights/triggers", pages.triggers, methods=["GET"]),
        Route("/insights/triggers/{key}/stop", actions.stop_trigger, methods=["POST"]),
        Route("/insights/quality", pages.quality, methods=["GET"]),
        Route("/insights/consent", pages.consent, methods=["GET"]),
        Route("/insights/coverage", pages.coverage, methods=["GET"]),
        Route("/insights/audit", pages.audit, methods=["GET"]),
        Route("/insights/audit.jsonl", pages.audit_export, methods=["GET"]),
    ]
