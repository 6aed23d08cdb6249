"""The item features a training run gives LightFM, read from the catalogue the process holds.

Features are a bonus, never a requirement: a model trained on interactions alone is still
worth registering, so a CMS that does not answer, or lists none of the trained entries,
leaves the run without them and the run says why (in its message and parameters) instead
of failing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from veneer.content_adapters.base import ContentError
from veneer.recommend.item_features import ItemFeatures, item_features
from veneer.services import Services

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Features:
    """The features to train with (None: none), and what the version records of them."""

    features: ItemFeatures | None
    params: dict[str, object]

    @property
    def note(self) -> str:
        """A clause for the run's message when the run goes without features, else ''."""
        if self.features is not None:
            return ""
        return f"trained without item features: {self.params['reason']}"


def _without(reason: str) -> Features:
    return Features(None, {"used": False, "reason": reason})


async def read_features(services: Services, item_ids: Sequence[str]) -> Features:
    """The trained entries' content type, tags, categories and words, as the CMS has them."""
    try:
        index = await services.catalogue.index()
    except ContentError as exc:
        logger.warning("recommendation training without item features: %s", exc)
        return _without(f"the CMS did not answer ({exc})")
    built = await asyncio.to_thread(item_features, index, item_ids)
    if not built.names:
        return _without("no feature is shared by two trained entries the CMS lists")
    return Features(built, built.as_params())
