"""The candidates Veneer measures and chooses from, cheapest first.

Their settings were chosen on validation splits of MovieLens 100k, never its test splits
(``python -m bench.recs_tune``, figures in bench/README.md), and are sensible starting points
elsewhere: the selection on a site's own validation split decides which one serves.
"""

from __future__ import annotations

from typing import Any

from veneer.recommend.models.als import Als
from veneer.recommend.models.blend import Blend
from veneer.recommend.models.ease import Ease
from veneer.recommend.models.itempop import ItemPop
from veneer.recommend.models.lightfm_model import LightFm
from veneer.recommend.models.recipe import Recipe
from veneer.recommend.user_features import UserFeatures

# With recency-weighted profiles (see `recency`) a user's interactions 5 steps back count
# half. The validation grid preferred a harder-regularised regression under them (lambda
# 800) than without them (300), and a blend leaning on EASE (0.7) rather than half and half.
RECENCY_HALF_LIFE = 5.0
RECENCY_LAMBDA = 800.0


def default_candidates(
    seed: int = 42,
    threads: int = 2,
    item_features: Any = None,
    user_features: UserFeatures | None = None,
) -> list[Recipe]:
    """ItemPop, EASE with and without recency, LightFM (and LightFM-features when there are
    item or user features), ALS and two blends, in that order."""
    candidates: list[Recipe] = [
        ItemPop(),
        Ease(),
        Ease(name="EASE-recency", lam=RECENCY_LAMBDA, half_life=RECENCY_HALF_LIFE),
        LightFm(seed=seed, threads=threads),
    ]
    if item_features is not None or user_features is not None:
        candidates.append(
            LightFm(
                name="LightFM-features",
                seed=seed,
                threads=threads,
                item_features=item_features,
                user_features=None if user_features is None else user_features.matrix,
                feature_names=() if user_features is None else user_features.names,
            )
        )
    candidates += [
        Als(seed=seed, threads=threads),
        Blend("EASE+LightFM", (("EASE", 0.5), ("LightFM", 0.5))),
        Blend("EASE-recency+LightFM", (("EASE-recency", 0.7), ("LightFM", 0.3))),
    ]
    return candidates
