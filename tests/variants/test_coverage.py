"""Coverage reasons: each entry served counts under the one reason a dashboard shows for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from veneer.consent import Purpose
from veneer.entries import Entry, Variant
from veneer.recommend.candidates import Interaction, Situation
from veneer.recommend.content_index import ContentIndex
from veneer.recommend.strategies import plan
from veneer.recommend.trained import TrainedStrategy
from veneer.variants import choose_variant
from veneer.variants.coverage import Reason, served_reason, summarize

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CONSENTED = {Purpose.NECESSARY, Purpose.PERSONALIZATION}
ARMS = {"headline": "bold"}


def _variant(id: str, audience: list[str], **extra: Any) -> Variant:
    return Variant.model_validate({"id": id, "audience": audience, **extra})


def _entry(*variants: Variant, id: str = "tent") -> Entry:
    return Entry(id=id, content_type="product", slug=id, fields={"title": id}, variants=variants)


CAMPERS = _entry(_variant("v-campers", ["campers"]))
HEADLINE = _entry(_variant("bold", [], experiment="headline"))


@pytest.mark.parametrize(
    ("entry", "segments", "granted", "held_out", "arms", "expected"),
    [
        (CAMPERS, {"campers"}, CONSENTED, set(), {}, Reason.SEGMENT),
        (CAMPERS, {"campers"}, {Purpose.NECESSARY}, set(), {}, Reason.NO_CONSENT),
        (CAMPERS, {"campers"}, CONSENTED, {"campers"}, {}, Reason.HOLDOUT),
        (CAMPERS, set(), CONSENTED, set(), {}, Reason.NO_MATCH),
        (CAMPERS, {"climbers"}, CONSENTED, set(), {}, Reason.NO_MATCH),
        (_entry(), {"campers"}, CONSENTED, set(), {}, Reason.NO_VARIANTS),
        (_entry(), set(), {Purpose.NECESSARY}, set(), {}, Reason.NO_VARIANTS),
        (HEADLINE, set(), CONSENTED, set(), ARMS, Reason.EXPERIMENT),
        (HEADLINE, set(), CONSENTED, set(), {"headline": "control"}, Reason.CONTROL),
        (HEADLINE, set(), {Purpose.NECESSARY}, set(), ARMS, Reason.NO_CONSENT),
    ],
)
def test_every_choice_says_why_in_one_of_the_coverage_reasons(
    entry: Entry,
    segments: set[str],
    granted: set[Purpose],
    held_out: set[str],
    arms: dict[str, str],
    expected: Reason,
) -> None:
    choice = choose_variant(entry, segments, granted, NOW, held_out, arms)
    assert choice.why is expected
    assert expected.personalized is not choice.baseline


def test_a_variant_for_the_viewer_outranks_why_the_entry_was_picked() -> None:
    assert served_reason(Reason.SEGMENT, "popular") is Reason.SEGMENT
    assert served_reason(Reason.EXPERIMENT, "recent") is Reason.EXPERIMENT
    assert served_reason(Reason.NO_CONSENT, "popular") is Reason.FALLBACK
    assert served_reason(Reason.NO_MATCH, "similar-to-history") is Reason.RECOMMENDED
    assert served_reason(Reason.NO_VARIANTS, "trigger:cart-reminder") is Reason.OFFER
    assert served_reason(Reason.HOLDOUT, "pinned") is Reason.FALLBACK
    assert served_reason(Reason.NO_MATCH, "a-strategy-added-later") is Reason.FALLBACK
    assert served_reason(Reason.HOLDOUT) is Reason.HOLDOUT


def _strategies(personal: bool) -> list[str]:
    tent = _entry()
    index = ContentIndex.build([tent, _entry(id="stove")])
    situation = Situation(
        NOW,
        anchor=tent,
        personal=personal,
        history=(Interaction("stove", "entry_view", NOW),) if personal else (),
        segments=("campers",) if personal else (),
    )
    return [strategy.name for strategy in plan(situation, index, {})]


def test_without_recommendations_consent_no_pick_counts_as_personalized() -> None:
    """Every strategy that runs for a viewer who declined counts as the fallback: none of
    them uses anything about the viewer."""
    names = _strategies(personal=False)
    assert names and {served_reason(Reason.NO_CONSENT, name) for name in names} == {Reason.FALLBACK}


@dataclass(frozen=True)
class _Model:
    """A served model as far as its strategy's name goes: its recipe."""

    recipe: str


def test_picks_from_the_viewers_activity_segments_and_trained_models_count_as_recommended() -> None:
    fallbacks = set(_strategies(personal=False))
    personal = [name for name in _strategies(personal=True) if name not in fallbacks]
    assert personal == ["similar-to-history", "popular-in-segment"]
    trained = TrainedStrategy(_Model("EASE+LightFM"), 7, ContentIndex.build([])).name
    for name in [*personal, trained]:
        assert served_reason(Reason.NO_MATCH, name) is Reason.RECOMMENDED, name


def test_summary_has_every_day_shares_and_totals() -> None:
    rows = [
        (date(2026, 11, 29), "segment", "", 3),
        (date(2026, 11, 29), "no_consent", "", 1),
        (date(2026, 12, 1), "holdout", "", 2),
        (date(2026, 12, 1), "recommended", "similar-to-history", 4),
        (date(2026, 12, 1), "fallback", "popular", 1),
        (date(2026, 12, 1), "a-reason-from-a-newer-version", "", 50),
        (date(2026, 11, 1), "segment", "", 70),  # before the period
    ]
    coverage = summarize(rows, date(2026, 11, 29), date(2026, 12, 1))

    assert [day.day for day in coverage.days] == [
        date(2026, 11, 29),
        date(2026, 11, 30),
        date(2026, 12, 1),
    ]
    first, empty, last = coverage.days
    assert dict(first.counts) == {Reason.SEGMENT: 3, Reason.NO_CONSENT: 1}
    assert (first.personalized_share, first.baseline_share) == (0.75, 0.25)
    assert (empty.total, empty.personalized_share, empty.baseline_share) == (0, None, None)
    assert (last.total, last.personalized_share, last.share(Reason.HOLDOUT)) == (7, 4 / 7, 2 / 7)
    assert dict(coverage.totals.counts) == {
        Reason.SEGMENT: 3,
        Reason.NO_CONSENT: 1,
        Reason.HOLDOUT: 2,
        Reason.RECOMMENDED: 4,
        Reason.FALLBACK: 1,
    }
    assert (coverage.totals.personalized, coverage.totals.baseline) == (7, 4)
    assert coverage.totals.personalized_share == 7 / 11
    # What each strategy picked, most first; entries no strategy picked are not listed.
    assert list(coverage.strategies.items()) == [("similar-to-history", 4), ("popular", 1)]


def test_every_reason_has_a_label_and_personalized_ones_are_few() -> None:
    assert all(reason.label for reason in Reason)
    assert {r for r in Reason if r.personalized} == {
        Reason.SEGMENT,
        Reason.EXPERIMENT,
        Reason.RECOMMENDED,
        Reason.OFFER,
    }
