from __future__ import annotations

from datetime import UTC, datetime, timedelta

from veneer.consent import ConsentRecord, Purpose
from veneer.consent.merge import decisions_the_user_takes_over, latest_per_purpose

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _record(purpose: Purpose, granted: bool, minutes: int, source: str = "banner") -> ConsentRecord:
    return ConsentRecord(purpose, granted, source, "3", False, T0 + timedelta(minutes=minutes))


def test_a_user_with_no_record_takes_over_the_device_s_standing_decisions() -> None:
    device = [
        _record(Purpose.ANALYTICS, True, 0),
        _record(Purpose.ANALYTICS, False, 5),
        _record(Purpose.PERSONALIZATION, True, 1),
    ]
    assert decisions_the_user_takes_over(device, []) == [device[1], device[2]]


def test_the_user_s_newer_decision_stands() -> None:
    device = [_record(Purpose.PERSONALIZATION, True, 0)]
    user = [_record(Purpose.PERSONALIZATION, False, 10, source="account")]
    assert decisions_the_user_takes_over(device, user) == []


def test_a_newer_device_decision_is_taken_over_purpose_by_purpose() -> None:
    device = [_record(Purpose.PERSONALIZATION, True, 20), _record(Purpose.ANALYTICS, True, 0)]
    user = [_record(Purpose.PERSONALIZATION, False, 10), _record(Purpose.ANALYTICS, False, 10)]
    assert decisions_the_user_takes_over(device, user) == [device[0]]


def test_merging_again_takes_over_nothing_new() -> None:
    device = [_record(Purpose.ANALYTICS, True, 0), _record(Purpose.THIRD_PARTY, False, 1)]
    copies = decisions_the_user_takes_over(device, [])
    assert decisions_the_user_takes_over(device, copies) == []


def test_of_two_decisions_at_the_same_moment_the_later_listed_stands() -> None:
    first, second = _record(Purpose.ANALYTICS, True, 0), _record(Purpose.ANALYTICS, False, 0)
    assert latest_per_purpose([first, second]) == {Purpose.ANALYTICS: second}
