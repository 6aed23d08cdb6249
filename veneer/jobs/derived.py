"""What is derived from a viewer's data, refreshed after that data is committed.

``identify``, ``track`` (embedded) and the worker first commit what the viewer sent, then
refresh what is derived from it: stored segment membership (behind sizes and trends), offers
triggers made due (for email tools to pull), cluster assignments and propensity scores (then
the stored membership of segments that compare them). Requests decide segments live, from
the scores stored by then. A failure here is therefore logged with its traceback, not
raised: raised, it turned a write that had succeeded into "Unexpected error.", which a
client retries (or gives up on) for nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from veneer.jobs.cluster_assignment import assign_profiles
from veneer.jobs.memberships import profiles_changed, scores_changed
from veneer.jobs.offers import refresh_offers
from veneer.jobs.propensity_scoring import rescore_profiles
from veneer.services import Services

logger = logging.getLogger(__name__)


async def refresh_derived(
    services: Services, profile_ids: Collection[str], event_types: set[str] | None
) -> None:
    """After these profiles changed: ``event_types`` they received, or None for traits."""
    if not profile_ids:
        return
    try:
        await profiles_changed(services, profile_ids, event_types)
    except Exception:
        logger.exception(
            "stored segment membership not refreshed for %d changed profile(s); "
            "housekeeping decides the segments again",
            len(profile_ids),
        )
    try:
        await refresh_offers(services, profile_ids)
    except Exception:
        logger.exception(
            "due offers not refreshed for %d changed profile(s); requests still decide them",
            len(profile_ids),
        )
    if event_types is None:  # traits do not move behaviour clusters
        return
    try:
        await assign_profiles(services, profile_ids)
    except Exception:
        logger.exception(
            "cluster assignment not refreshed for %d changed profile(s); their next events "
            "assign them",
            len(profile_ids),
        )
    try:
        rescored = await rescore_profiles(services, profile_ids)
    except Exception:
        logger.exception(
            "propensity not rescored for %d changed profile(s); the next training scores them",
            len(profile_ids),
        )
        return
    if rescored:
        for profile_id in profile_ids:  # the cached record holds the scores requests read
            await services.viewer_id_changed(profile_id)
        try:
            await scores_changed(services, profile_ids, set(rescored))
        except Exception:
            logger.exception(
                "segments comparing propensity not re-decided for %d profile(s); "
                "housekeeping decides them again",
                len(profile_ids),
            )
