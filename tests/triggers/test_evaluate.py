"""Which offers fire: rules and pages, caps, cooldown, dates, priority, the experiment hook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from veneer.segments.evaluate import ViewerEvent, ViewerFacts
from veneer.triggers import DueOffer, History, PageFacts, newly_due, offers_for, parse_trigger
from veneer.triggers.page import current_page

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _trigger(key: str, **spec: Any) -> Any:
    return parse_trigger({"key": key, "offer": {"placement": "cart", "entry": "promo"}, **spec})


def _abandoned(n: int, days_ago: float = 1) -> ViewerFacts:
    at = NOW - timedelta(days=days_ago)
    return ViewerFacts(events=[ViewerEvent("cart_abandoned", at) for _ in range(n)])


CART_RULE = {"event": "cart_abandoned", "count": {"gte": 2}, "within": "7d"}


def test_the_rule_decides_and_the_reason_says_what_the_viewer_did() -> None:
    trigger = _trigger("cart-reminder", when=CART_RULE)
    assert offers_for([trigger], _abandoned(1), PageFacts(), {}, NOW) == []
    (offer,) = offers_for([trigger], _abandoned(2), PageFacts(), {}, NOW)
    assert offer.trigger == "cart-reminder" and offer.entry == "promo"
    assert offer.reason == "cart_abandoned 2 times in the past 7 days"
    assert offers_for([trigger], _abandoned(2, days_ago=8), PageFacts(), {}, NOW) == []


def test_caps_count_offers_served_in_the_past_day_and_week() -> None:
    trigger = _trigger("t", caps={"perDay": 1, "perWeek": 2})
    facts = ViewerFacts()

    def served(*hours_ago: float) -> dict[str, History]:
        return {"t": History(served=[NOW - timedelta(hours=h) for h in hours_ago])}

    assert offers_for([trigger], facts, PageFacts(), served(23), NOW) == []
    assert len(offers_for([trigger], facts, PageFacts(), served(25), NOW)) == 1
    assert offers_for([trigger], facts, PageFacts(), served(25, 48), NOW) == []
    assert len(offers_for([trigger], facts, PageFacts(), served(25, 24 * 8), NOW)) == 1


def test_a_dismissal_keeps_the_offer_away_for_the_cooldown() -> None:
    trigger = _trigger("t", cooldown="3d")
    dismissed = {"t": History(dismissed_at=NOW - timedelta(days=2))}
    assert offers_for([trigger], ViewerFacts(), PageFacts(), dismissed, NOW) == []
    later = NOW + timedelta(days=1, seconds=1)
    assert len(offers_for([trigger], ViewerFacts(), PageFacts(), dismissed, later)) == 1


def test_start_and_end_bound_when_a_trigger_fires() -> None:
    trigger = _trigger("t", start="2026-12-01T00:00:00Z", end="2026-12-02T00:00:00Z")
    assert offers_for([trigger], ViewerFacts(), PageFacts(), {}, NOW - timedelta(days=1)) == []
    assert len(offers_for([trigger], ViewerFacts(), PageFacts(), {}, NOW)) == 1
    assert offers_for([trigger], ViewerFacts(), PageFacts(), {}, NOW + timedelta(days=1)) == []


def test_priority_orders_offers_and_placement_filters_them() -> None:
    low = _trigger("a-low", priority=1)
    high = _trigger("z-high", priority=5)
    hero = parse_trigger({"key": "hero", "offer": {"placement": "hero", "content": {"t": 1}}})
    every = offers_for([low, hero, high], ViewerFacts(), PageFacts(), {}, NOW)
    assert [o.trigger for o in every] == ["z-high", "a-low", "hero"]
    only = offers_for([low, hero, high], ViewerFacts(), PageFacts(), {}, NOW, placement="hero")
    assert [o.trigger for o in only] == ["hero"]


def test_the_control_arm_of_an_experiment_does_not_see_the_offer() -> None:
    trigger = _trigger("t", experiment="promo-test")
    for arms, shown in ({}, 1), ({"promo-test": "b"}, 1), ({"promo-test": "control"}, 0):
        assert len(offers_for([trigger], ViewerFacts(), PageFacts(), {}, NOW, arms=arms)) == shown


def test_page_conditions_read_the_current_page() -> None:
    trigger = _trigger(
        "upsell",
        page={"timeOnPage": {"gte": 120}, "contentType": "product", "similarViewed": {"gte": 1}},
    )
    on_page = PageFacts("tent-x2", "product", 150, similar_viewed=1)
    (offer,) = offers_for([trigger], ViewerFacts(), on_page, {}, NOW)
    assert offer.reason == "on product tent-x2 for 150 s, viewed 1 similar item"
    for page in (
        PageFacts("tent-x2", "product", 90, 1),
        PageFacts("tent-x2", "article", 150, 1),
        PageFacts("tent-x2", "product", 150, 0),
        PageFacts(),
    ):
        assert offers_for([trigger], ViewerFacts(), page, {}, NOW) == []


def test_the_current_page_is_the_latest_view_and_its_latest_heartbeat() -> None:
    def at(minutes_ago: float) -> datetime:
        return NOW - timedelta(minutes=minutes_ago)

    events = [
        ViewerEvent("entry_view", at(10), "tent-x2"),
        ViewerEvent("time_on_page", at(9), "tent-x2", {"seconds": 60}),
        ViewerEvent("entry_view", at(5), "stove"),
        ViewerEvent("time_on_page", at(4), "stove", {"seconds": 30}),
        ViewerEvent("time_on_page", at(2), "stove", {"seconds": 150}),
        ViewerEvent("time_on_page", at(1), "tent-x2", {"seconds": 500}),
    ]
    page = current_page(events, NOW)
    assert page is not None and (page.entry_id, page.seconds) == ("stove", 150)
    assert current_page(events, NOW + timedelta(hours=2)) is None  # left long ago


def test_a_due_offer_stands_until_served_or_dismissed_and_is_not_made_twice() -> None:
    trigger = _trigger("t", when=CART_RULE)
    waiting = DueOffer(NOW - timedelta(hours=1), "cart_abandoned 2 times in the past 7 days")
    (offer,) = offers_for([trigger], ViewerFacts(), PageFacts(), {"t": History(due=waiting)}, NOW)
    assert offer.from_due and offer.reason == waiting.reason
    after_dismissal = {"t": History(due=waiting, dismissed_at=NOW - timedelta(minutes=1))}
    assert offers_for([trigger], ViewerFacts(), PageFacts(), after_dismissal, NOW) == []
    assert newly_due([trigger], _abandoned(2), PageFacts(), {"t": History(due=waiting)}, NOW) == []
    assert len(newly_due([trigger], _abandoned(2), PageFacts(), {}, NOW)) == 1


def test_page_triggers_are_decided_on_request_only() -> None:
    trigger = _trigger("upsell", page={"contentType": "product"})
    page = PageFacts("tent-x2", "product", 10)
    assert newly_due([trigger], ViewerFacts(), page, {}, NOW) == []
    assert len(offers_for([trigger], ViewerFacts(), page, {}, NOW)) == 1
