"""A person's data across the database, the event stream and the caches: described when the
site identifies them, linked when they log in, exported when they ask for it, erased when
they ask for that.

The database half lives in `veneer.store.people` and `veneer.store.identity`; this module
adds what a running Veneer also holds (events still queued in the stream, cached state), so
that nothing about a person survives an erasure or is missing from an export.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from veneer.feeds.cursors import snapshot_prefix
from veneer.identity.viewer import Viewer, device_of, profile_id
from veneer.jobs.derived import refresh_derived
from veneer.jobs.memberships import profiles_merged
from veneer.services import Services
from veneer.store.identity import link_and_merge
from veneer.store.people import erase_person, export_person
from veneer.store.profiles import merge_traits

IDENTITY_LINK_CACHE_TTL = 300.0


async def link_identity(services: Services, viewer: Viewer) -> None:
    """A request naming both a device and a user joins the device's history to the user.

    Checked against the cache first, so a logged-in viewer costs a write once, not per
    request; repeating the merge is harmless (it sweeps up stragglers).
    """
    if viewer.anonymous_id is None or viewer.user_id is None or not viewer.device_is_users:
        return
    cache_key = f"idlink:{viewer.anonymous_id}"
    if await services.cache.get(cache_key) == viewer.user_id:
        return
    async with services.db.session() as session:
        merged = await link_and_merge(
            session, viewer.anonymous_id, viewer.user_id, services.clock()
        )
    await services.cache.set(cache_key, viewer.user_id, IDENTITY_LINK_CACHE_TTL)
    if merged is not None:
        device = profile_id(viewer.anonymous_id, None)
        await services.viewer_id_changed(device)
        await services.viewer_id_changed(viewer.id)
        await profiles_merged(services, [device, viewer.id])


async def identify(services: Services, viewer: Viewer, traits: Mapping[str, Any]) -> None:
    """Lay checked traits over the viewer's own and re-decide the segments traits decide."""
    await identify_many(services, [(viewer, traits)])


async def identify_many(
    services: Services, told: Sequence[tuple[Viewer, Mapping[str, Any]]]
) -> None:
    """`identify` for many viewers in one transaction and one re-decision of their segments.

    Shared by the `identify` mutation and the demo's simulated traffic, so stored membership
    moves the same way whoever tells Veneer about viewers; the same viewer may be told twice,
    and the later traits win.
    """
    if not told:
        return
    now = services.clock()
    async with services.db.session() as session:
        for viewer, traits in told:
            await merge_traits(session, viewer, traits, now)
    viewers = {viewer.id: viewer for viewer, _ in told}
    for viewer in viewers.values():
        await services.viewer_changed(viewer)
    await refresh_derived(services, sorted(viewers), None)


async def forget(services: Services, viewer: Viewer, requested_by: str) -> dict[str, int]:
    """Erase the person this viewer is (the user if known, else the device), cache too."""
    now = services.clock()
    retrain_by = now + timedelta(seconds=services.settings.recommend_erasure_deadline)
    async with services.db.session() as session:
        ids, removed = await erase_person(
            session, viewer.user_id, viewer.anonymous_id, requested_by, now, retrain_by
        )
    if services.stream is not None:
        devices = {d for i in ids if (d := device_of(i)) is not None}
        removed["queuedEvents"] = await services.stream.erase(set(ids), devices)
    for viewer_id in ids:
        await services.viewer_id_changed(viewer_id)
        await services.cache.delete_prefix(snapshot_prefix(viewer_id))  # ranked on their data
        device = device_of(viewer_id)
        if device is not None:
            await services.cache.delete(f"idlink:{device}")
    return removed


async def export(services: Services, viewer: Viewer) -> dict[str, Any]:
    """Everything held about the person, plus the segments they are in right now."""
    async with services.db.reading() as session:
        document = await export_person(session, viewer.user_id, viewer.anonymous_id)
    state = await services.viewer_state(viewer, gpc=False)
    document["segments"] = sorted(state.segments)
    return document
