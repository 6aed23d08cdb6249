from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from veneer.consent import Purpose
from veneer.entries import Entry, Variant
from veneer.variants import choose_variant
from veneer.variants.choice import merged_fields, next_change

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CONSENTED = {Purpose.NECESSARY, Purpose.PERSONALIZATION}


def _variant(id: str, audience: list[str], priority: int = 0, **extra: Any) -> Variant:
    return Variant.model_validate({"id": id, "audience": audience, "priority": priority, **extra})


def _entry(*variants: Variant, fields: dict[str, Any] | None = None) -> Entry:
    return Entry(
        id="shoe",
        content_type="product",
        slug="cinder-trail-runner",
        fields=fields if fields is not None else {"title": "Cinder", "price": 120},
        variants=variants,
    )


def test_a_matching_variant_is_chosen_with_a_reason_naming_segment_and_variant() -> None:
    entry = _entry(_variant("v-trail", ["trail-runners"], fields={"title": "Cinder Trail"}))
    choice = choose_variant(entry, {"trail-runners"}, CONSENTED, NOW)
    assert choice.variant is not None
    assert choice.variant.id == "v-trail"
    assert not choice.baseline
    assert choice.reason == "segment `trail-runners` matched variant `v-trail`"
    assert choice.segments == ("trail-runners",)
    assert choice.purposes == (Purpose.PERSONALIZATION,)


def test_reason_names_every_matched_segment_in_audience_order() -> None:
    entry = _entry(_variant("v-cold", ["cold-climate", "climbers", "campers"]))
    choice = choose_variant(entry, {"campers", "cold-climate"}, CONSENTED, NOW)
    assert choice.reason == "segments `cold-climate`, `campers` matched variant `v-cold`"
    assert choice.segments == ("cold-climate", "campers")


def test_highest_priority_wins_whatever_the_order() -> None:
    low = _variant("v-low", ["campers"], priority=10)
    high = _variant("v-high", ["beginners"], priority=20)
    for entry in (_entry(low, high), _entry(high, low)):
        choice = choose_variant(entry, {"campers", "beginners"}, CONSENTED, NOW)
        assert choice.variant is not None
        assert choice.variant.id == "v-high"
        assert choice.reason == "segment `beginners` matched variant `v-high`"


def test_negative_priority_still_beats_the_baseline() -> None:
    entry = _entry(_variant("v-neg", ["campers"], priority=-5))
    choice = choose_variant(entry, {"campers"}, CONSENTED, NOW)
    assert choice.variant is not None
    assert choice.variant.id == "v-neg"


def test_a_priority_tie_goes_to_the_first_listed() -> None:
    first = _variant("v-first", ["campers"], priority=10)
    second = _variant("v-second", ["climbers"], priority=10)
    segments = {"campers", "climbers"}
    choice = choose_variant(_entry(first, second), segments, CONSENTED, NOW)
    assert choice.variant is not None
    assert choice.variant.id == "v-first"
    choice = choose_variant(_entry(second, first), segments, CONSENTED, NOW)
    assert choice.variant is not None
    assert choice.variant.id == "v-second"


def test_variants_for_other_segments_are_not_chosen() -> None:
    entry = _entry(
        _variant("v-climb", ["climbers"], priority=50), _variant("v-camp", ["campers"], priority=1)
    )
    choice = choose_variant(entry, {"campers"}, CONSENTED, NOW)
    assert choice.variant is not None
    assert choice.variant.id == "v-camp"


def test_without_personalization_consent_the_baseline_is_shown() -> None:
    entry = _entry(_variant("v-trail", ["trail-runners"]))
    for granted in (set(), {Purpose.NECESSARY, Purpose.ANALYTICS, Purpose.RECOMMENDATIONS}):
        choice = choose_variant(entry, {"trail-runners"}, granted, NOW)
        assert choice.baseline
        assert choice.variant is None
        assert choice.reason == "no PERSONALIZATION consent: baseline"
        assert choice.segments == ()
        assert choice.purposes == ()


def test_entry_without_variants_is_baseline() -> None:
    choice = choose_variant(_entry(), {"campers"}, CONSENTED, NOW)
    assert choice.baseline
    assert choice.reason == "entry has no variants: baseline"


def test_viewer_in_no_segment_gets_baseline_with_reason() -> None:
    choice = choose_variant(_entry(_variant("v", ["campers"])), set(), CONSENTED, NOW)
    assert choice.baseline
    assert choice.reason == "viewer is in no segment: baseline"


def test_viewer_whose_segments_no_variant_targets_gets_baseline_with_reason() -> None:
    choice = choose_variant(_entry(_variant("v", ["campers"])), {"climbers"}, CONSENTED, NOW)
    assert choice.baseline
    assert choice.reason == "no live variant targets the viewer's segments: baseline"


def test_scheduled_variant_shows_only_inside_its_window() -> None:
    start = NOW
    end = NOW + timedelta(days=7)
    entry = _entry(
        _variant("v-winter", ["campers"], priority=20, start=start, end=end),
        _variant("v-always", ["campers"], priority=10),
    )

    def chosen(at: datetime) -> str | None:
        choice = choose_variant(entry, {"campers"}, CONSENTED, at)
        return choice.variant.id if choice.variant else None

    assert chosen(start - timedelta(seconds=1)) == "v-always"
    assert chosen(start) == "v-winter"
    assert chosen(end - timedelta(seconds=1)) == "v-winter"
    assert chosen(end) == "v-always"
    assert chosen(end + timedelta(days=1)) == "v-always"


def test_the_next_change_is_the_first_start_or_end_still_ahead() -> None:
    start, end = NOW + timedelta(days=1), NOW + timedelta(days=7)
    entry = _entry(
        _variant("v-winter", ["campers"], start=start, end=end),
        _variant("v-sale", ["campers"], end=NOW + timedelta(days=3)),
        _variant("v-always", ["campers"]),
    )
    assert next_change(entry, NOW) == start
    assert next_change(entry, start) == NOW + timedelta(days=3)  # a start reached is past
    assert next_change(entry, NOW + timedelta(days=3)) == end
    assert next_change(entry, end) is None  # nothing scheduled ahead: only content changes it
    assert next_change(_entry(), NOW) is None


def test_open_ended_schedules() -> None:
    from_now = _variant("v-from", ["campers"], start=NOW)
    until_now = _variant("v-until", ["campers"], end=NOW)
    choice = choose_variant(_entry(from_now), {"campers"}, CONSENTED, NOW + timedelta(days=999))
    assert choice.variant is not None
    choice = choose_variant(_entry(until_now), {"campers"}, CONSENTED, NOW)
    assert choice.baseline
    assert choice.reason == "no live variant targets the viewer's segments: baseline"
    choice = choose_variant(_entry(until_now), {"campers"}, CONSENTED, NOW - timedelta(days=999))
    assert choice.variant is not None


def test_schedule_compares_instants_across_time_zones() -> None:
    entry = _entry(_variant("v", ["campers"], start="2026-06-01T14:00:00+02:00"))
    assert choose_variant(entry, {"campers"}, CONSENTED, NOW).variant is not None
    assert choose_variant(entry, {"campers"}, CONSENTED, NOW - timedelta(seconds=1)).baseline


def test_experiment_variants_are_skipped() -> None:
    entry = _entry(
        _variant("v-exp", ["campers"], priority=99, experiment="tent-copy-test"),
        _variant("v-plain", ["campers"], priority=1),
    )
    choice = choose_variant(entry, {"campers"}, CONSENTED, NOW)
    assert choice.variant is not None
    assert choice.variant.id == "v-plain"
    only_experiment = _entry(_variant("v-exp", ["campers"], experiment="tent-copy-test"))
    assert choose_variant(only_experiment, {"campers"}, CONSENTED, NOW).baseline


def test_merged_fields_lays_overrides_over_the_baseline_shallowly() -> None:
    fields = {"title": "Cinder", "price": 120, "specs": {"drop": 8, "weight": 260}}
    variant = _variant("v", ["campers"], fields={"title": "Cinder Trail", "specs": {"drop": 4}})
    entry = _entry(variant, fields=fields)
    before = copy.deepcopy(fields)
    merged = merged_fields(entry, choose_variant(entry, {"campers"}, CONSENTED, NOW))
    assert merged == {"title": "Cinder Trail", "price": 120, "specs": {"drop": 4}}
    assert entry.fields == before
    assert variant.fields == {"title": "Cinder Trail", "specs": {"drop": 4}}


def test_merged_fields_adds_fields_the_baseline_lacks() -> None:
    entry = _entry(_variant("v", ["campers"], fields={"badge": "Campground favourite"}))
    merged = merged_fields(entry, choose_variant(entry, {"campers"}, CONSENTED, NOW))
    assert merged == {"title": "Cinder", "price": 120, "badge": "Campground favourite"}


def test_merged_fields_of_a_baseline_choice_are_the_baseline() -> None:
    entry = _entry(_variant("v", ["campers"], fields={"title": "Other"}))
    merged = merged_fields(entry, choose_variant(entry, {"climbers"}, CONSENTED, NOW))
    assert merged == {"title": "Cinder", "price": 120}


def test_a_variant_with_no_overrides_shows_the_baseline_fields_but_is_still_the_choice() -> None:
    entry = _entry(_variant("v-empty", ["campers"]))
    choice = choose_variant(entry, {"campers"}, CONSENTED, NOW)
    assert choice.variant is not None
    assert merged_fields(entry, choice) == {"title": "Cinder", "price": 120}


def test_a_held_out_viewer_sees_the_baseline_and_is_told_why() -> None:
    entry = _entry(
        _variant("v-trail", ["trail-runners"], priority=5),
        _variant("v-beginner", ["beginners"], priority=1),
    )
    held = choose_variant(entry, {"trail-runners"}, CONSENTED, NOW, held_out={"trail-runners"})
    other = choose_variant(
        entry, {"trail-runners", "beginners"}, CONSENTED, NOW, held_out={"trail-runners"}
    )
    assert held.baseline and held.reason == (
        "viewer is in the holdout of segment `trail-runners`: baseline"
    )
    assert other.variant is not None and other.variant.id == "v-beginner", (
        "a holdout in one segment leaves the viewer's other segments personalized"
    )


def test_an_experiment_decides_first_for_the_viewers_it_enrols() -> None:
    entry = _entry(
        _variant("v-trail", ["trail-runners"], priority=50),
        _variant("v-b", [], experiment="copy", fields={"title": "Cinder B"}),
    )
    choice = choose_variant(entry, {"trail-runners"}, CONSENTED, NOW, arms={"copy": "v-b"})
    assert choice.variant is not None and choice.variant.id == "v-b"
    assert choice.experiment == ("copy", "v-b")
    assert choice.reason == "experiment `copy` put the viewer in arm `v-b`"
    assert merged_fields(entry, choice)["title"] == "Cinder B"

    control = choose_variant(entry, {"trail-runners"}, CONSENTED, NOW, arms={"copy": "control"})
    assert control.baseline and control.experiment == ("copy", "control")
    assert control.purposes == (Purpose.PERSONALIZATION,)

    not_enrolled = choose_variant(entry, {"trail-runners"}, CONSENTED, NOW, arms={})
    assert not_enrolled.variant is not None and not_enrolled.variant.id == "v-trail"
    assert not_enrolled.experiment is None


def test_an_experiment_with_an_audience_enrols_only_that_audience() -> None:
    entry = _entry(_variant("v-b", ["campers"], experiment="copy"))
    outside = choose_variant(entry, {"climbers"}, CONSENTED, NOW, arms={"copy": "v-b"})
    assert outside.baseline and outside.experiment is None
    inside = choose_variant(entry, {"campers"}, CONSENTED, NOW, arms={"copy": "v-b"})
    assert inside.variant is not None and inside.experiment == ("copy", "v-b")
    held = choose_variant(
        entry, {"campers"}, CONSENTED, NOW, held_out={"campers"}, arms={"copy": "v-b"}
    )
    assert held.experiment is None


def test_an_experiment_needs_personalization_consent_and_a_live_variant() -> None:
    entry = _entry(
        _variant("v-b", [], experiment="copy", end=(NOW - timedelta(days=1)).isoformat())
    )
    assert choose_variant(entry, set(), CONSENTED, NOW, arms={"copy": "v-b"}).experiment is None
    live = _entry(_variant("v-b", [], experiment="copy"))
    no_consent = choose_variant(live, set(), {Purpose.NECESSARY}, NOW, arms={"copy": "v-b"})
    assert no_consent.baseline and no_consent.experiment is None


def test_an_arm_with_nothing_to_show_here_decides_nothing() -> None:
    """A control by another name shows the baseline; an arm whose variant is not on this
    entry (or no longer live) leaves the entry to the segments, and is not counted."""
    entry = _entry(_variant("v-trail", ["trail-runners"]), _variant("v-b", [], experiment="copy"))
    base = choose_variant(
        entry, {"trail-runners"}, CONSENTED, NOW, arms={"copy": "base"}, controls={"copy": "base"}
    )
    assert base.baseline and base.experiment == ("copy", "base")
    elsewhere = choose_variant(entry, {"trail-runners"}, CONSENTED, NOW, arms={"copy": "v-c"})
    assert elsewhere.experiment is None
    assert elsewhere.variant is not None and elsewhere.variant.id == "v-trail"
