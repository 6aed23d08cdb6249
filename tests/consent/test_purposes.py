from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from hypothesis import given, settings
from hypothesis import strategies as st

from veneer.consent import ConsentState, Purpose, effective_consent, is_granted

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _granted(states: dict[Purpose, ConsentState]) -> set[Purpose]:
    return {purpose for purpose, state in states.items() if state.granted}


def test_every_purpose_has_a_state() -> None:
    assert set(effective_consent([])) == set(Purpose)


def test_opt_in_default_denies_all_but_necessary() -> None:
    states = effective_consent([])
    assert _granted(states) == {Purpose.NECESSARY}
    assert states[Purpose.ANALYTICS].source == "default"


def test_opt_out_default_grants_everything() -> None:
    assert _granted(effective_consent([], default="opt-out")) == set(Purpose)


def test_a_record_overrides_the_default_for_its_purpose_only() -> None:
    record = ConsentState(Purpose.ANALYTICS, True, T0, source="banner", policy_version="3")
    states = effective_consent([record])
    assert states[Purpose.ANALYTICS] == record
    assert _granted(states) == {Purpose.NECESSARY, Purpose.ANALYTICS}

    denied = ConsentState(Purpose.PERSONALIZATION, False, T0)
    assert _granted(effective_consent([denied], default="opt-out")) == set(Purpose) - {
        Purpose.PERSONALIZATION
    }


def test_latest_record_wins_regardless_of_input_order() -> None:
    older = ConsentState(Purpose.PERSONALIZATION, True, T0, source="banner")
    newer = ConsentState(Purpose.PERSONALIZATION, False, T0 + timedelta(seconds=1), source="app")
    for records in ([older, newer], [newer, older]):
        state = effective_consent(records)[Purpose.PERSONALIZATION]
        assert state.granted is False
        assert state.source == "app"


def test_latest_record_wins_among_many() -> None:
    records = [
        ConsentState(Purpose.ANALYTICS, granted, T0 + timedelta(hours=hours))
        for hours, granted in [(3, False), (9, True), (1, True), (5, False)]
    ]
    state = effective_consent(records)[Purpose.ANALYTICS]
    assert state.granted is True
    assert state.updated_at == T0 + timedelta(hours=9)


def test_a_dated_record_beats_an_undated_one() -> None:
    undated = ConsentState(Purpose.ANALYTICS, True)
    dated = ConsentState(Purpose.ANALYTICS, False, T0)
    for records in ([undated, dated], [dated, undated]):
        assert effective_consent(records)[Purpose.ANALYTICS].granted is False


def test_gpc_denies_third_party_even_when_granted() -> None:
    granted = ConsentState(Purpose.THIRD_PARTY, True, T0)
    state = effective_consent([granted], gpc=True)[Purpose.THIRD_PARTY]
    assert state.granted is False
    assert state.source == "Global Privacy Control"
    assert effective_consent([granted])[Purpose.THIRD_PARTY].granted is True


def test_gpc_denies_third_party_under_opt_out_and_leaves_others_alone() -> None:
    states = effective_consent([], default="opt-out", gpc=True)
    assert _granted(states) == set(Purpose) - {Purpose.THIRD_PARTY}


def test_necessary_is_always_granted() -> None:
    refused = ConsentState(Purpose.NECESSARY, False, T0)
    defaults: list[Literal["opt-in", "opt-out"]] = ["opt-in", "opt-out"]
    for default in defaults:
        state = effective_consent([refused], default=default, gpc=True)[Purpose.NECESSARY]
        assert state.granted is True


@settings(max_examples=300, deadline=None)
@given(
    records=st.lists(
        st.builds(
            ConsentState,
            purpose=st.sampled_from(list(Purpose)),
            granted=st.booleans(),
            updated_at=st.none() | st.integers(0, 5).map(lambda h: T0 + timedelta(hours=h)),
        ),
        max_size=8,
    ),
    default=st.sampled_from(["opt-in", "opt-out"]),
    gpc=st.booleans(),
)
def test_one_purpose_is_decided_as_all_of_them_are(
    records: list[ConsentState], default: Literal["opt-in", "opt-out"], gpc: bool
) -> None:
    """`is_granted` (ingest's shortcut) never disagrees with `effective_consent`."""
    states = effective_consent(records, default, gpc)
    for purpose in Purpose:
        assert is_granted(records, purpose, default, gpc) == states[purpose].granted
