"""Simulated shoppers for the demo: seeded, so the same seed always gives the same traffic.

Each visitor has their own random stream, seeded by the run's seed and their number, so
visitor 7 behaves the same whether 100 or 1,000 are simulated, and their ids (visitors,
users, events) derive from the seed too: replaying a seed sends event ids Veneer has seen,
and its dedupe keeps the data from doubling.

A visitor answers the consent banner on each device's first visit (or never does), states
interests and experience when the site asks (with PERSONALIZATION allowed), may have or
make an account and log in (on a second device too), visits in sessions spread over the
window at plausible hours, and the site tells Veneer their new lifetime value after each
purchase they make logged in.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from veneer.consent import Purpose
from veneer.traffic.catalogue import Item
from veneer.traffic.happenings import (
    RANK,
    ConsentGiven,
    Happening,
    Identified,
    LoggedIn,
    Tracked,
    Traffic,
    Visitor,
)
from veneer.traffic.personas import CONSENT_CHOICES, GPC_SHARE, PERSONAS, ConsentChoice, Persona
from veneer.traffic.visits import Step, Taste, poisson, visit

# Relative chance a session starts in each hour of the day. Days are counted back from the
# moment of the run, not from midnight: the history then lies the same way behind "now"
# whenever it is made, so a seed gives the same segment sizes and windows at any hour.
HOURS = (1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 6, 7, 9, 8, 6, 6, 7, 8, 10, 12, 12, 10, 6, 3)
QUIZ_SHARE = 0.5  # visitors allowing personalization who answer "what are you into?"
SECOND_DEVICE_SHARE_OF_SESSIONS = 0.4
PURPOSES = (
    Purpose.ANALYTICS,
    Purpose.PERSONALIZATION,
    Purpose.RECOMMENDATIONS,
    Purpose.THIRD_PARTY,
)
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)


def simulate(
    catalogue: Sequence[Item], visitors: int, days: float, seed: int, now: datetime
) -> Traffic:
    """``visitors`` shoppers over the ``days`` before ``now``; nothing happens after ``now``."""
    if not catalogue:
        raise ValueError("the catalogue is empty: there is nothing to visit")
    start = now - timedelta(days=days)
    people = [_visitor(catalogue, seed, number, start, now) for number in range(visitors)]
    happenings = [h for _, theirs in people for h in theirs]
    happenings.sort(key=lambda h: (h.at, RANK[type(h)]))  # stable: ties keep visitor order
    return Traffic([person for person, _ in people], happenings)


def _token(seed: int, number: int) -> str:
    return hashlib.sha256(f"veneer-traffic:{seed}:{number}".encode()).hexdigest()[:12]


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    names = sorted(weights)
    return rng.choices(names, weights=[weights[n] for n in names])[0]


def _decisions(choice: ConsentChoice, gpc: bool) -> tuple[tuple[Purpose, bool], ...]:
    """The banner's answer; under GPC the banner does not offer THIRD_PARTY."""
    granted = choice.granted or frozenset()
    return tuple((p, p in granted and not (gpc and p is Purpose.THIRD_PARTY)) for p in PURPOSES)


def _session_starts(
    rng: random.Random, persona: Persona, start: datetime, now: datetime
) -> list[datetime]:
    first, last = (start + (now - start) * part for part in persona.active)
    weeks = (last - first) / timedelta(days=7)
    count = max(1, poisson(rng, persona.sessions_per_week * weeks * rng.lognormvariate(0, 0.2)))
    starts = []
    for _ in range(count):
        day = first + (last - first) * rng.random()
        day_start = now - math.ceil((now - day) / DAY) * DAY
        hour = rng.choices(range(24), weights=HOURS)[0]
        at = day_start + timedelta(hours=hour, seconds=rng.uniform(0, 3600))
        if not first <= at <= last:  # the hour fell outside the window: any time in it will do
            at = first + (last - first) * rng.random()
        starts.append(at)
    return sorted(starts)


def _event(event_id: str, step: Step, device: str, user_id: str | None) -> Tracked:
    at = step.at.replace(microsecond=0)
    event: dict[str, Any] = {
        "id": event_id,
        "type": step.type,
        "timestamp": at.isoformat(),
        "anonymousId": device,
    }
    if user_id is not None:
        event["userId"] = user_id
    if step.entry_id is not None:
        event["entryId"] = step.entry_id
    if step.properties:
        event["properties"] = dict(step.properties)
    if step.context:
        event["context"] = dict(step.context)
    return Tracked(at, event)


def _visitor(
    catalogue: Sequence[Item], seed: int, number: int, start: datetime, now: datetime
) -> tuple[Visitor, list[Happening]]:
    rng = random.Random(f"veneer-traffic:{seed}:{number}")
    persona = rng.choices(PERSONAS, weights=[p.share for p in PERSONAS])[0]
    choice = rng.choices(CONSENT_CHOICES, weights=[c.share for c in CONSENT_CHOICES])[0]
    gpc = rng.random() < GPC_SHARE
    taste = Taste.draw(rng, persona)
    token = _token(seed, number)
    devices = [f"sim-{token}"]
    user_id = f"sim-user-{token}" if rng.random() < persona.account_share else None
    returning = user_id is not None and rng.random() < persona.returning_share
    if user_id is not None and rng.random() < persona.second_device_share:
        devices.append(f"sim-{token}-2")
    traits: dict[str, Any] = {
        "interests": list(persona.interests),
        "experience": _weighted(rng, persona.experience),
        "region": _weighted(rng, persona.regions),
    }
    value = round(rng.uniform(*persona.prior_value), 2) if returning else 0.0
    starts = _session_starts(rng, persona, start, now)
    login_from = 0 if returning else rng.randrange(len(starts))
    personalizes = choice.granted is not None and Purpose.PERSONALIZATION in choice.granted

    happenings: list[Happening] = []
    seen: set[str] = set()  # devices that have shown the banner
    logged_in: set[str] = set()
    sent = 0
    previous_end: datetime | None = None
    for index, planned in enumerate(starts):
        at = planned
        if previous_end is not None:  # a new session: more than 30 minutes later
            at = max(planned, previous_end + timedelta(minutes=rng.uniform(35, 240)))
        if at >= now:
            break
        logs_in = user_id is not None and index >= login_from
        on_second = len(devices) > 1 and index > login_from
        device = (
            devices[1]
            if on_second and rng.random() < SECOND_DEVICE_SHARE_OF_SESSIONS
            else devices[0]
        )
        first_visit = device not in seen
        seen.add(device)
        if first_visit and choice.granted is not None:
            happenings.append(ConsentGiven(at - 2 * SECOND, device, _decisions(choice, gpc), gpc))
        if logs_in and user_id is not None and device not in logged_in:
            logged_in.add(device)
            happenings.append(LoggedIn(at - SECOND, device, user_id))
            if len(logged_in) == 1:  # the account's traits, as the site's backend knows them
                happenings.append(
                    Identified(at - SECOND, device, user_id, {**traits, "lifetimeValue": value})
                )
                if not returning:
                    happenings.append(
                        _event(f"ev-{token}-{sent:05d}", Step(at, "signup"), device, user_id)
                    )
                    sent += 1
        elif first_visit and personalizes and device == devices[0]:
            asked = {"region": traits["region"]}  # from the visitor's locale
            if rng.random() < QUIZ_SHARE:
                asked |= {"interests": traits["interests"], "experience": traits["experience"]}
            happenings.append(Identified(at - SECOND, device, None, asked))
        signed_in = user_id if device in logged_in else None
        went = visit(rng, persona, taste, catalogue, at, now)
        for step in went.steps:
            happenings.append(_event(f"ev-{token}-{sent:05d}", step, device, signed_in))
            sent += 1
        if signed_in is not None and went.spent:
            value = round(value + sum(went.spent.values()), 2)
            told = min(went.end + SECOND, now)
            happenings.append(Identified(told, device, signed_in, {"lifetimeValue": value}))
        previous_end = went.end
    used = tuple(device for device in devices if device in seen)  # a phone may go unused
    person = Visitor(number, persona.key, choice.key, gpc, used, user_id)
    return person, happenings
