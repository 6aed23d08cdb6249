"""Which of a device's consent decisions a user takes over when the device is merged into them.

Consent is recorded per viewer id, and each id keeps its own: the device's banner decided
for the device, and the user's decisions (made while logged in, anywhere) decide for the
user. When someone trusted vouches that a device is the user's, the device's decisions are
the person's most recent word on a purpose unless the user decided it since, so the user
takes over a copy of each such decision. The device keeps its records: asking anonymously
it still gets what its own banner recorded, and a later change by the user leaves it alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from veneer.consent.purposes import ConsentRecord, Purpose


def latest_per_purpose(records: Iterable[ConsentRecord]) -> dict[Purpose, ConsentRecord]:
    """Each purpose's standing decision; of two made at the same moment, the later listed."""
    latest: dict[Purpose, ConsentRecord] = {}
    for record in records:
        current = latest.get(record.purpose)
        if current is None or record.recorded_at >= current.recorded_at:
            latest[record.purpose] = record
    return latest


def decisions_the_user_takes_over(
    device: Iterable[ConsentRecord], user: Iterable[ConsentRecord]
) -> list[ConsentRecord]:
    """The device's standing decisions that are newer than anything the user recorded.

    Copies keep their original time, source, policy version and GPC flag, so the user's
    audit trail says when and how the person decided; merging again copies nothing new.
    """
    users = latest_per_purpose(user)
    return [
        record
        for purpose, record in latest_per_purpose(device).items()
        if purpose not in users or record.recorded_at > users[purpose].recorded_at
    ]
