"""Which arm a viewer is in: a hash of (experiment key, seed, viewer id), nothing stored first.

Two independent positions in [0, 1) come from the hash: one decides enrolment (below the
traffic share), the other the arm (by cumulative weight). Raising the traffic share therefore
keeps everyone enrolled where they were; other experiments hash with their own key and seed,
so arms are independent across experiments. Any process, on any device, computes the same
arm for the same viewer id. Once a viewer was exposed, the stored exposure wins over the
hash: that carries an anonymous viewer's arm over to the user they log in as, and keeps arms
fixed if the weights are later edited.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime

from veneer.experiments.definition import Experiment


def position(experiment: Experiment, viewer_id: str, purpose: str) -> float:
    """A number in [0, 1), uniform over viewers, independent per experiment and purpose."""
    text = f"{experiment.key}\x00{experiment.seed}\x00{purpose}\x00{viewer_id}"
    digest = hashlib.sha256(text.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def hashed_arm(experiment: Experiment, viewer_id: str) -> str | None:
    """The arm the hash gives, or None when the viewer falls outside the traffic share."""
    if position(experiment, viewer_id, "traffic") >= experiment.traffic_share:
        return None
    total = sum(arm.weight for arm in experiment.arms)
    point = position(experiment, viewer_id, "arm") * total
    for arm in experiment.arms:
        point -= arm.weight
        if point < 0:
            return arm.key
    return experiment.arms[-1].key  # rounding at the very top of the range


def assigned_arms(
    experiments: Mapping[str, Experiment],
    viewer_id: str,
    exposed: Mapping[str, str],
    now: datetime,
) -> dict[str, str]:
    """Each running experiment's arm for the viewer: their stored exposure, else the hash.

    An exposure to an arm the experiment no longer has falls back to the hash rather than
    serving an arm nobody defined.
    """
    arms: dict[str, str] = {}
    for key, experiment in experiments.items():
        if experiment.status(now) != "running":
            continue
        stored = exposed.get(key)
        if stored is not None and experiment.arm(stored) is not None:
            arms[key] = stored
            continue
        arm = hashed_arm(experiment, viewer_id)
        if arm is not None:
            arms[key] = arm
    return arms
