"""The candidates Veneer measures and chooses from, cheapest first.

Their settings were chosen on validation splits of MovieLens 100k (bench/README.md) and are
sensible starting points elsewhere: the selection on a site's own validation split decides
which one serves.
"""

from __future__ import annotations

from typing import Any

from veneer.recommend.als import Als
from veneer.recommend.blend import Blend
from veneer.recommend.ease import Ease
from veneer.recommend.lightfm_model import LightFm
from veneer.recommend.model import Candidate
from veneer.recommend.popularity import ItemPop

# A user's interactions this many steps back count half (see `recency`).
DEFAULT_HALF_LIFE = 10.0


def default_candidates(
    seed: int = 42, threads: int = 2, item_features: Any = None
) -> list[Candidate]:
    """ItemPop, EASE with and without recency, LightFM, ALS and two blends, in that order."""
    candidates: list[Candidate] = [
        ItemPop(),
        Ease(),
        Ease(name="EASE-recency", half_life=DEFAULT_HALF_LIFE),
        LightFm(seed=seed, threads=threads),
    ]
    if item_features is not None:
        candidates.append(
            LightFm(
                name="LightFM-features", seed=seed, threads=threads, item_features=item_features
            )
        )
    candidates += [
        Als(seed=seed, threads=threads),
        Blend("EASE+LightFM", (("EASE", 0.5), ("LightFM", 0.5))),
        Blend("EASE-recency+LightFM", (("EASE-recency", 0.5), ("LightFM", 0.5))),
    ]
    return candidates
