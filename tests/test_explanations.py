"""Why am I seeing this: each personal difference, the data behind it, and how to change it."""

from __future__ import annotations

from datetime import UTC, datetime

from veneer.consent import ConsentState, Purpose
from veneer.experiments.definition import ArmSpec, Experiment
from veneer.explanations import Because, OfferMade, explain
from veneer.identity.viewer import Viewer
from veneer.propensity.record import Score
from veneer.segments.definition import SegmentDefinition
from veneer.triggers.definition import parse_trigger
from veneer.viewer_state import ViewerState

AT = datetime(2026, 12, 1, tzinfo=UTC)
SEGMENTS = {
    d.key: d
    for d in (
        SegmentDefinition.parse(
            "alpine", "Alpine", {"trait": "region", "op": "eq", "value": "alps"}
        ),
        SegmentDefinition.parse(
            "keen",
            "Keen alpinists",
            {
                "all": [
                    {"segment": "alpine"},
                    {"event": "entry_view", "count": {"gte": 3}},
                    {"not": {"propensity": "purchase", "op": "lt", "value": 0.2}},
                ]
            },
            holdout=0.1,
        ),
    )
}
TEST = Experiment(
    "hero-copy", "purchase", (ArmSpec("a", 1, True), ArmSpec("b", 1)), "s", "Hero copy"
)


def _state(*granted: Purpose, **fields: object) -> ViewerState:
    consent = {p: ConsentState(p, p in granted) for p in Purpose}
    values: dict[str, object] = {
        "segments": frozenset(),
        "traits": {},
        "activity": {},
        "trait_sources": {},
        **fields,
    }
    return ViewerState(Viewer(anonymous_id="v"), consent, **values)  # type: ignore[arg-type]


def test_without_personalization_the_viewer_sees_what_everyone_sees() -> None:
    (only,) = explain(_state(Purpose.ANALYTICS, segments=frozenset({"alpine"})), SEGMENTS, {})
    assert only.because is Because.BASELINE and only.data == ()
    assert only.purpose is Purpose.PERSONALIZATION and only.change.startswith("grant")


def test_each_difference_names_the_data_it_came_from() -> None:
    state = _state(
        Purpose.PERSONALIZATION,
        Purpose.RECOMMENDATIONS,
        segments=frozenset({"alpine", "keen"}),
        held_out=frozenset({"keen"}),
        arms={"hero-copy": "b"},
        propensity={"purchase": Score("purchase", 0.4, "logistic:v2", AT)},
        activity={"counts": {"entry_view": 4, "purchase": 1, "search": 0}},
    )
    found = {(e.because, e.key): e for e in explain(state, SEGMENTS, {"hero-copy": TEST})}
    assert list(found) == [
        (Because.SEGMENT, "alpine"),
        (Because.HOLDOUT, "keen"),
        (Because.EXPERIMENT, "hero-copy"),
        (Because.PREDICTION, "purchase"),
        (Because.RECOMMENDATIONS, None),
    ]
    assert found[(Because.SEGMENT, "alpine")].data == ("your trait 'region'",)
    assert found[(Because.HOLDOUT, "keen")].data == (
        "your 'entry_view' events",
        "the predicted likelihood that you 'purchase'",
        "your trait 'region'",  # through the segment it refers to
    )
    assert "'Hero copy'" in found[(Because.EXPERIMENT, "hero-copy")].reason
    assert found[(Because.PREDICTION, "purchase")].data == ("your recent activity (logistic:v2)",)
    recommended = found[(Because.RECOMMENDATIONS, None)]
    assert recommended.data == ("your 'entry_view' events", "your 'purchase' events")
    assert recommended.purpose is Purpose.RECOMMENDATIONS
    assert all("POST /v1/consent" in e.change for e in found.values())


def test_a_segment_deleted_since_the_state_was_judged_is_left_out() -> None:
    state = _state(Purpose.PERSONALIZATION, segments=frozenset({"gone"}))
    assert explain(state, SEGMENTS, {}) == []


def test_an_offer_is_explained_by_the_reason_it_fired_and_the_data_its_rule_read() -> None:
    reminder = parse_trigger(
        {
            "key": "cart-reminder",
            "name": "Cart reminder",
            "when": {
                "all": [
                    {"event": "cart_abandoned", "count": {"gte": 2}, "within": "7d"},
                    {"segment": "alpine"},
                ]
            },
            "page": {"contentType": "product"},
            "offer": {"placement": "cart", "content": {"text": "10% off"}},
        }
    )
    made = OfferMade(reminder, "cart_abandoned 2 times in the past 7 days")
    state = _state(Purpose.PERSONALIZATION)

    (offer,) = explain(state, SEGMENTS, {}, [made])
    assert offer.because is Because.OFFER and offer.key == "cart-reminder"
    assert offer.reason == (
        "You were offered 'Cart reminder' because of this: "
        "cart_abandoned 2 times in the past 7 days."
    )
    assert offer.data == (
        "your 'cart_abandoned' events",
        "your trait 'region'",  # through the segment the rule refers to
        "the page you were on",
    )
    assert offer.purpose is Purpose.PERSONALIZATION
    assert [e.because for e in explain(_state(), SEGMENTS, {}, [made])] == [Because.BASELINE]
