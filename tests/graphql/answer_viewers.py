"""Viewers who differ in what decides their variants, and documents to ask for them.

Shared by the tests of answer reuse. Viewers are set up through the API as a site would:
segments are trait rules on ``interests``, one with a holdout, and the experiment
``pack-headline`` runs on the sample pack's ``weekend-copy`` variant for half the traffic.
Each viewer's device is picked so the hash puts them where their profile says.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from starlette.testclient import TestClient

from tests.conftest import Keys
from tests.helpers import data, gql
from veneer.experiments.assignment import hashed_arm
from veneer.experiments.definition import Experiment
from veneer.identity.viewer import profile_id
from veneer.segments.holdout import in_holdout

SEGMENTS = ("campers", "climbers", "trail-runners", "beginners", "cold-climate")
UPSERT_SEGMENT = """
mutation($key: String!, $rule: JSON!, $holdout: Float!) {
  upsertSegment(key: $key, name: $key, rule: $rule, holdout: $holdout) { key }
}"""
HELD_OUT = "cold-climate"  # half its members see the baseline, to measure it against
START = """
mutation {
  upsertExperiment(input: {key: "pack-headline", metric: "purchase", trafficShare: 0.5}) { key }
}
"""
GRANT = "mutation($p: [ConsentInput!]!) { setConsent(purposes: $p) { purpose } }"
IDENTIFY = "mutation($t: JSON!) { identify(traits: $t) { id } }"


@dataclass(frozen=True)
class Profile:
    name: str
    purposes: tuple[str, ...]
    interests: tuple[str, ...]
    arm: str | None = None  # the pack-headline arm their device is picked to be in
    # (OUTSIDE: one the experiment does not enrol; None: any)
    held_out: bool = False  # picked to fall in the holdout of HELD_OUT


OUTSIDE = "outside"
# Pairs that differ in one thing only: a membership (camper / climber), a consent purpose
# (nobody / browser), an arm (camper / camper-b).
PROFILES = (
    Profile("nobody", (), ()),
    Profile("browser", ("PERSONALIZATION",), (), OUTSIDE),
    Profile("camper", ("PERSONALIZATION",), ("campers",), "control"),
    Profile("camper-b", ("PERSONALIZATION",), ("campers",), "weekend-copy"),
    Profile("climber", ("PERSONALIZATION",), ("campers", "climbers"), "control"),
    Profile("unconsented-camper", (), ("campers",)),
    Profile("counted-camper", ("PERSONALIZATION", "ANALYTICS"), ("campers",), "weekend-copy"),
    Profile("runner", ("PERSONALIZATION", "ANALYTICS"), ("trail-runners", "beginners"), "control"),
    Profile("cold", ("PERSONALIZATION", "RECOMMENDATIONS"), ("cold-climate",), "weekend-copy"),
    Profile(
        "cold-held-out",
        ("PERSONALIZATION", "RECOMMENDATIONS"),
        ("cold-climate",),
        "weekend-copy",
        held_out=True,
    ),
)


@dataclass(frozen=True)
class Viewer:
    device: str
    profile: Profile


def set_up_shop(client: TestClient, keys: Keys) -> list[Viewer]:
    """Segments, the experiment, and a device per profile, set up through the API."""
    for key in SEGMENTS:
        rule = {"trait": "interests", "op": "contains", "value": key}
        holdout = 0.5 if key == HELD_OUT else 0.0
        variables = {"key": key, "rule": rule, "holdout": holdout}
        data(gql(client, UPSERT_SEGMENT, variables, key=keys.secret))
    data(gql(client, START, key=keys.secret))
    services = client.app.state.services  # type: ignore[attr-defined]
    assert client.portal is not None
    experiment = client.portal.call(services.experiments, True)["pack-headline"]
    viewers = []
    for profile in PROFILES:
        device = next(
            d for n in range(1000) if _fits(profile, d := f"{profile.name}-{n}", experiment)
        )
        viewer = Viewer(device, profile)
        set_up(client, keys, viewer)
        viewers.append(viewer)
    return viewers


def _fits(profile: Profile, device: str, experiment: Experiment) -> bool:
    viewer_id = profile_id(device, None)
    arm = hashed_arm(experiment, viewer_id) or OUTSIDE
    if profile.arm is not None and arm != profile.arm:
        return False
    return in_holdout(viewer_id, HELD_OUT, 0.5) == profile.held_out


def set_up(client: TestClient, keys: Keys, viewer: Viewer) -> None:
    grants = [{"purpose": p, "granted": True} for p in viewer.profile.purposes]
    if grants:
        data(gql(client, GRANT, {"p": grants}, key=keys.public, anonymous_id=viewer.device))
    traits = {"interests": list(viewer.profile.interests)}
    data(gql(client, IDENTIFY, {"t": traits}, key=keys.public, anonymous_id=viewer.device))


# Pieces of an entry's selection: plain fields, aliases, typed fragments, directives.
ENTRY_PIECES = (
    "id",
    "contentType slug locale",
    "updatedAt",
    "fields",
    "__typename",
    't: field(name: "title")',
    'badge: field(name: "badge")',
    "personalization { baseline variantId reason segments purposes experiment { key arm } }",
    "personalization { strategy reason }",
    "personalization { id }",
    "mine: personalization { id baseline }",
    "... on Product { title price badge }",
    "... on Article { title summary }",
    "...Card",
    "slug @include(if: $flag)",
    "fields @skip(if: $flag)",
)
CARD = "fragment Card on Entry { id personalization { variantId reason } }"
CONNECTIONS = (
    "entries(first: $n)",
    "entries(first: 20)",
    'entries(contentType: "product", first: 5)',
    "products(first: 4)",
    "articles(first: $n)",
    "entries(first: 0)",  # an error: never kept, and the same error either way
)
SINGLES = (
    'entry(id: "basecamp-55-pack")',
    'entry(id: "tent-x2")',
    'entry(id: "no-such-entry")',  # null
    'product(slug: "trailhead-x2-tent")',
    'entry(id: "tent-x2", slug: "x")',  # an error
)
OTHERS = ("viewer { anonymousId }", "__typename")  # what makes a document run every time


# Always asked: between them they show every entry a pair above sees differently.
PERSONALIZED = "personalization { variantId reason }"
WHOLE_SHOP = (
    {"query": f"{{ entries(first: 20) {{ edges {{ node {{ id {PERSONALIZED} }} }} }} }}"},
    {"query": "query($id: ID!) { entry(id: $id) { fields } }", "variables": {"id": "tent-x2"}},
    {"query": '{ entry(id: "basecamp-55-pack") { t: field(name: "title") } }'},
)


def documents(seed: int, count: int) -> list[dict[str, Any]]:
    """The whole shop, then ``count`` generated request bodies: one or two roots, aliased,
    with random entry selections."""
    rng = random.Random(seed)
    bodies: list[dict[str, Any]] = list(WHOLE_SHOP)
    for _ in range(count):
        roots = []
        for number in range(rng.choice((1, 1, 2))):
            pieces = " ".join(rng.sample(ENTRY_PIECES, rng.randint(1, 4)))
            if rng.random() < 0.5:
                root = rng.choice(CONNECTIONS)
                cursor = "cursor " if rng.random() < 0.5 else ""
                page = "pageInfo { hasNextPage endCursor }"
                selection = f"{{ edges {{ {cursor}node {{ {pieces} }} }} {page} }}"
            else:
                root, selection = rng.choice(SINGLES), f"{{ {pieces} }}"
            roots.append(f"r{number}: {root} {selection}")
        if rng.random() < 0.15:
            roots.append(rng.choice(OTHERS))
        body = " ".join(roots)
        declared = [
            f"${name}: {kind}"
            for name, kind in (("n", "Int!"), ("flag", "Boolean!"))
            if f"${name}" in body
        ]
        signature = f"query Shop({', '.join(declared)})" if declared else "query Shop"
        query = f"{signature} {{ {body} }}" + (f" {CARD}" if "...Card" in body else "")
        bodies.append(
            {
                "query": query,
                "variables": {"n": rng.choice((1, 3, 20)), "flag": rng.random() < 0.5},
                "operationName": "Shop",
            }
        )
    return bodies
