"""Saved triggers and per-viewer offer records, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from veneer.settings import normalize_database_url
from veneer.store import Database
from veneer.store import triggers as store
from veneer.triggers import Offer, parse_trigger

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SPEC = parse_trigger({"key": "cart", "offer": {"placement": "cart", "entry": "promo"}}).spec


def _offer(key: str = "cart", from_due: bool = False) -> Offer:
    return Offer(trigger=key, placement="cart", reason="because", from_due=from_due)


def test_triggers_are_saved_replaced_and_deleted_with_their_waiting_offers(
    database_url: str,
) -> None:
    async def run() -> None:
        db = Database(normalize_database_url(database_url))
        try:
            async with db.session() as session:
                await store.upsert_trigger(session, "cart", SPEC, NOW)
                await store.upsert_trigger(session, "cart", {**SPEC, "priority": 3}, NOW)
                await store.record_due(session, "anon:a", [_offer()], NOW)
                await store.record_served(session, "anon:a", [_offer()], NOW)
            async with db.reading() as session:
                (row,) = await store.list_triggers(session)
                assert row.spec["priority"] == 3
            async with db.session() as session:
                assert await store.delete_trigger(session, "cart")
                assert not await store.delete_trigger(session, "cart")
            async with db.reading() as session:
                assert await store.list_triggers(session) == []
                (kept,) = await store.offers_of(session, ["anon:a"])
                assert kept["state"] == "served"  # history stays; the due offer went
        finally:
            await db.dispose()

    asyncio.run(run())


def test_history_serving_dismissal_moving_and_forgetting(database_url: str) -> None:
    async def run() -> None:
        db = Database(normalize_database_url(database_url))
        try:
            async with db.session() as session:
                await store.record_served(session, "anon:a", [_offer()], NOW - timedelta(days=8))
                await store.record_served(session, "anon:a", [_offer()], NOW - timedelta(hours=2))
                await store.record_due(session, "anon:a", [_offer("other")], NOW)
            async with db.session() as session:
                await store.lock_viewer(session, "anon:a")
                history = await store.offer_history(session, "anon:a", NOW - timedelta(days=7))
                assert history["cart"].served == (NOW - timedelta(hours=2),)
                assert history["other"].due is not None and history["other"].due.at == NOW
                dismissed = {"other": NOW + timedelta(minutes=1)}
                assert await store.dismiss_due(session, "anon:a", dismissed) == 1
            async with db.session() as session:
                history = await store.offer_history(session, "anon:a", NOW - timedelta(days=7))
                assert "other" not in history
                assert await store.move_offers(session, "anon:a", "user:u") == 3
                assert await store.forget_offers(session, ["user:u"]) == 3
                assert await store.offers_of(session, ["anon:a", "user:u"]) == []
        finally:
            await db.dispose()

    asyncio.run(run())
