"""The traffic simulation on its own: seeded, valid as Veneer validates events, plausible."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

from veneer.consent import Purpose
from veneer.entries import Entry
from veneer.events.validation import validate_batch
from veneer.traffic import (
    CONSENT_CHOICES,
    PERSONAS,
    ConsentGiven,
    Identified,
    Item,
    LoggedIn,
    Tracked,
    Traffic,
    catalogue,
    simulate,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SHOP = [
    Item("tent-x2", "product", "trailhead-x2-tent", ("camping", "hiking"), 289.0, "EUR"),
    Item("kettle-pot-set", "product", "kettle-pot-set", ("camping", "cooking"), 54.0, "EUR"),
    Item("quickdraw-set-six", "product", "quickdraw-set-six", ("climbing",), 99.0, "EUR"),
    Item("cinder-trail-runner", "product", "cinder", ("trail-running", "footwear"), 149.0, "USD"),
    Item("rope-care-basics", "article", "rope-care-basics", ("climbing",), None, None),
    Item("one-pot-camp-meals", "article", "one-pot-camp-meals", ("camping", "cooking"), None, None),
]


def test_the_same_seed_gives_the_same_traffic_and_another_seed_other_traffic() -> None:
    first = simulate(SHOP, 60, 14, 7, NOW)
    assert simulate(SHOP, 60, 14, 7, NOW) == first
    other = simulate(SHOP, 60, 14, 8, NOW)
    assert other.events != first.events
    assert {e["id"] for e in other.events}.isdisjoint({e["id"] for e in first.events})
    assert {v.devices for v in other.visitors}.isdisjoint({v.devices for v in first.visitors})


def test_a_visitor_behaves_the_same_however_many_are_simulated() -> None:
    """So `--viewers 400` after `--viewers 300` adds 100 viewers instead of replacing them."""
    few, many = simulate(SHOP, 20, 14, 3, NOW), simulate(SHOP, 40, 14, 3, NOW)
    assert many.visitors[:20] == few.visitors
    devices = {d for v in few.visitors for d in v.devices}
    assert [e for e in many.events if e["anonymousId"] in devices] == few.events


def test_event_ids_depend_on_the_seed_not_on_the_clock() -> None:
    """A rerun a day later sends the ids Veneer has seen, so its dedupe drops them."""
    today = {e["id"] for e in simulate(SHOP, 30, 14, 5, NOW).events}
    tomorrow = {e["id"] for e in simulate(SHOP, 30, 14, 5, NOW + timedelta(days=1)).events}
    assert len(today & tomorrow) > 0.9 * len(today)


def test_every_event_passes_validation_and_happens_inside_the_window() -> None:
    traffic = simulate(SHOP, 200, 14, 1, NOW)
    events = traffic.events
    accepted, rejected = validate_batch(events, NOW)
    assert rejected == [] and len(accepted) == len(events)
    assert len({e["id"] for e in events}) == len(events)
    assert all(NOW - timedelta(days=14, seconds=5) <= h.at <= NOW for h in traffic.happenings)
    assert [h.at for h in traffic.happenings] == sorted(h.at for h in traffic.happenings)
    ids = {item.id for item in SHOP}
    assert {e["entryId"] for e in events if "entryId" in e} <= ids
    types = Counter(e["type"] for e in events)
    for kind in ("page_view", "entry_view", "time_on_page", "search", "add_to_cart"):
        assert types[kind] > 0, kind
    assert types["purchase"] > 0 and types["cart_abandoned"] > 0 and types["signup"] > 0
    for event in events:
        if event["type"] == "purchase":
            currencies = {i.currency for i in SHOP if i.id in event["properties"]["items"]}
            assert currencies == {event["properties"]["currency"]}
            assert event["properties"]["value"] > 0


def test_visits_are_sessions_and_funnels() -> None:
    """Events of a visit are under 30 minutes apart and visits are more than 30 apart, and a
    visit with cart adds ends in a purchase or an abandoned cart."""
    traffic = simulate(SHOP, 150, 14, 2, NOW)
    by_device: dict[str, list[dict[str, object]]] = defaultdict(list)
    for event in traffic.events:
        by_device[str(event["anonymousId"])].append(dict(event))
    sessions = 0
    for events in by_device.values():
        times = [datetime.fromisoformat(str(e["timestamp"])) for e in events]
        visit: list[dict[str, object]] = [events[0]]
        for previous, event, at in zip(times, events[1:], times[1:], strict=False):
            if at - previous <= timedelta(minutes=30):
                visit.append(event)
                continue
            assert at - previous > timedelta(minutes=35)
            sessions += 1
            _check_funnel(visit)
            visit = [event]
        _check_funnel(visit, last=True)
    assert sessions > 300


def _check_funnel(visit: list[dict[str, object]], last: bool = False) -> None:
    kinds = [e["type"] for e in visit]
    if "add_to_cart" in kinds and not last:  # the last visit may be cut short by now
        assert kinds[-1] in ("purchase", "cart_abandoned"), kinds


def test_consent_choices_come_in_realistic_shares_and_gpc_denies_third_parties() -> None:
    traffic = simulate(SHOP, 2000, 7, 11, NOW)
    chosen = Counter(v.consent for v in traffic.visitors)
    for choice in CONSENT_CHOICES:
        assert abs(chosen[choice.key] / 2000 - choice.share) < 0.04, choice.key
    assert 0.08 < sum(v.gpc for v in traffic.visitors) / 2000 < 0.16
    personas = Counter(v.persona for v in traffic.visitors)
    assert set(personas) == {p.key for p in PERSONAS}
    gpc = {d for v in traffic.visitors if v.gpc for d in v.devices}
    silent = {d for v in traffic.visitors if v.consent == "never answered" for d in v.devices}
    for happening in traffic.happenings:
        if isinstance(happening, ConsentGiven):
            assert happening.anonymous_id not in silent
            assert happening.gpc == (happening.anonymous_id in gpc)
            if happening.gpc:
                assert (Purpose.THIRD_PARTY, False) in happening.choices


def test_accounts_log_in_tell_their_traits_and_some_use_a_second_device() -> None:
    traffic = simulate(SHOP, 300, 14, 4, NOW)
    logins = [h for h in traffic.happenings if isinstance(h, LoggedIn)]
    owner = {d: v.user_id for v in traffic.visitors for d in v.devices}
    assert logins and all(owner[h.anonymous_id] == h.user_id for h in logins)
    second = {d for v in traffic.visitors for d in v.devices[1:]}
    assert second and second <= {h.anonymous_id for h in logins}
    told = [h for h in traffic.happenings if isinstance(h, Identified)]
    assert {"interests", "experience", "region", "lifetimeValue"} <= {
        t for h in told for t in h.traits
    }
    for event in traffic.events:  # a device logged in sends its user's id from then on
        if event["anonymousId"] in second:
            assert event["userId"] == owner[str(event["anonymousId"])]
    assert any(isinstance(h, Tracked) and "userId" not in h.event for h in traffic.happenings)


def test_a_catalogue_is_the_entries_with_their_tags_and_prices() -> None:
    entries = [
        Entry(
            "tent-x2",
            "product",
            "trailhead-x2-tent",
            {"tags": ["camping"], "price": 289, "currency": "EUR"},
        ),
        Entry("rope-care", "article", None, {"tags": ["climbing", 3]}),
        Entry("free-sticker", "product", "sticker", {"price": 0, "currency": "EUR"}),
    ]
    assert catalogue(entries) == [
        Item("free-sticker", "product", "sticker", (), None, None),
        Item("rope-care", "article", "rope-care", ("climbing",), None, None),
        Item("tent-x2", "product", "trailhead-x2-tent", ("camping",), 289.0, "EUR"),
    ]


def test_the_history_lies_behind_now_the_same_way_at_any_hour() -> None:
    """Run at 12:00 or at 17:37:13, the same seed gives the same events, just as far back,
    so a segment's size, a window's count and the README's numbers do not follow the clock."""
    later = NOW + timedelta(hours=5, minutes=37, seconds=13)
    noon, evening = simulate(SHOP, 40, 14, 4, NOW), simulate(SHOP, 40, 14, 4, later)

    def behind(traffic: Traffic, now: datetime) -> list[tuple[str, timedelta]]:
        return [
            (str(e["id"]), now - datetime.fromisoformat(str(e["timestamp"])))
            for e in traffic.events
        ]

    assert behind(evening, later) == behind(noon, NOW)
    assert [{k: v for k, v in e.items() if k != "timestamp"} for e in evening.events] == [
        {k: v for k, v in e.items() if k != "timestamp"} for e in noon.events
    ]
