"""Prometheus metrics, served on ``/metrics``: what an operator watches."""

from __future__ import annotations

from prometheus_client import Counter, disable_created_metrics

# The *_created gauges only add noise to every scrape.
disable_created_metrics()  # type: ignore[no-untyped-call]

EVENTS = Counter(
    "veneer_events",
    "Events received, by outcome (stored, duplicate, rejected, no_consent) and type.",
    ["outcome", "type"],
)
EVENTS_REJECTED = Counter(
    "veneer_events_rejected",
    "Events rejected, by reason.",
    ["reason"],
)
EVENTS_LATE = Counter(
    "veneer_events_late",
    "Accepted events whose timestamp was more than a day before they arrived.",
)
WEBHOOKS = Counter(
    "veneer_webhooks",
    "CMS webhooks accepted (verified and read), by source and action.",
    ["source", "action"],
)
GRAPHQL_ANSWERS = Counter(
    "veneer_graphql_answers",
    "GraphQL operations by how they were answered: reused (an answer kept for the same "
    "document and decision vector), kept (ran, and may be reused), ran (not reusable).",
    ["outcome"],
)
