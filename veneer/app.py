"""The Starlette app factory: mounts every endpoint, nothing else."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from veneer.channels.blocks import email_block, personalize_content
from veneer.graphql.ide import graphiql_asset
from veneer.graphql.view import VeneerGraphQL
from veneer.jobs.housekeeping import run_housekeeping
from veneer.services import Services
from veneer.settings import Settings
from veneer.web.auth import AuthMiddleware
from veneer.web.consent import consent_endpoint
from veneer.web.cors import CorsMiddleware
from veneer.web.errors import EXCEPTION_HANDLERS
from veneer.web.events import post_events
from veneer.web.insights import insights_routes
from veneer.web.openapi import openapi_json
from veneer.web.pages import demo_page, health, metrics
from veneer.web.request_ids import RequestIdMiddleware
from veneer.web.segments import assign_endpoint
from veneer.web.webhooks import receive_webhook
from veneer.web.widgets import widget_asset

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, services: Services | None = None) -> Starlette:
    services = services or Services(settings or Settings())
    services.settings.signing_secret()  # fail at start-up, not on the first request

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        # With Redis, workers keep stored memberships; embedded, this process does.
        upkeep = asyncio.create_task(
            run_housekeeping(services, stop, sweep_segments=services.stream is None)
        )
        model_watch = asyncio.create_task(graphql_app.watch_model(stop))
        changes = asyncio.create_task(services.content_bus.listen(stop))
        catalogue_watch = asyncio.create_task(
            services.catalogue.watch(stop, services.settings.recommend_index_refresh)
        )
        champions = asyncio.create_task(services.model_bus.listen(stop))
        champion_watch = asyncio.create_task(services.served_model.watch(stop))
        yield
        stop.set()
        await asyncio.gather(
            upkeep, model_watch, changes, catalogue_watch, champions, champion_watch
        )
        await services.aclose()

    graphql_app = VeneerGraphQL(services)
    app = Starlette(
        routes=[
            # The busiest first: the router tries each route's pattern in turn.
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            Route("/v1/events", post_events, methods=["POST"]),
            Route("/", demo_page, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            Route("/static/graphiql/{name}", graphiql_asset, methods=["GET"]),
            Route("/widgets/{name}", widget_asset, methods=["GET"]),
            Route("/v1/consent", consent_endpoint, methods=["GET", "POST"]),
            Route("/v1/webhooks/{source}", receive_webhook, methods=["POST"]),
            Route("/v1/segments/assign", assign_endpoint, methods=["POST"]),
            Route("/v1/openapi.json", openapi_json, methods=["GET"]),
            Route("/v1/personalize/content", personalize_content, methods=["GET"]),
            Route("/v1/blocks/{name}", email_block, methods=["GET"]),
            *insights_routes(),
        ],
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(CorsMiddleware, services=services),
            Middleware(AuthMiddleware, services=services),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.services = services
    services.content_bus.subscribe(graphql_app.try_refresh_model)
    services.content_bus.subscribe(services.catalogue.content_changed)
    services.model_bus.subscribe(services.served_model.champion_changed)
    return app
