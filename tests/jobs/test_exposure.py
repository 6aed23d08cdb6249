"""The exposure summary on both databases: impressions in the window, over the live catalogue."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.jobs.conftest import Play
from tests.jobs.recs_shop import NOW, consent, send, view
from veneer.jobs.exposure import exposure_summary
from veneer.recommend.exposure import Exposed, gini
from veneer.services import Services

HOUR = timedelta(hours=1)
CATALOGUE = 22  # entries in the sample shop


def test_impressions_in_the_window_give_coverage_concentration_and_the_most_shown(
    play: Play,
) -> None:
    async def body(services: Services) -> None:
        for name in ("ann", "bob"):
            await consent(services, name)
        await send(
            services,
            [
                *[view("ann", "tent-x2", NOW - HOUR * n, "impression") for n in range(1, 4)],
                view("bob", "tent-x2", NOW - HOUR, "impression"),
                view("bob", "kettle-pot-set", NOW - timedelta(days=2), "impression"),
                view("ann", "rope-care-basics", NOW - timedelta(days=40), "impression"),
                view("ann", "granite-chalk-bag", NOW - HOUR),  # a view, not a showing
                view("bob", "gone-from-the-cms", NOW - HOUR, "impression"),
            ],
        )

        summary = await exposure_summary(services, days=30)

        assert summary.counted == "impression"
        assert (summary.catalogue_size, summary.exposed, summary.exposures) == (CATALOGUE, 2, 5)
        assert summary.coverage == pytest.approx(2 / CATALOGUE)
        assert summary.gini == pytest.approx(gini([4, 1] + [0] * (CATALOGUE - 2)))
        assert summary.top == (
            Exposed("tent-x2", "Trailhead X2 Tent", 4),
            Exposed("kettle-pot-set", "Kettle Two-Pot Cook Set", 1),
        )
        longer = await exposure_summary(services, days=60)
        assert longer.exposed == 3 and longer.days == 60

    play(body)


def test_a_site_that_sends_no_impressions_is_summarized_from_its_views(play: Play) -> None:
    async def body(services: Services) -> None:
        await consent(services, "ann")
        await send(services, [view("ann", "tent-x2", NOW - HOUR)])

        summary = await exposure_summary(services, days=7)

        assert summary.counted == "entry_view"
        assert summary.top == (Exposed("tent-x2", "Trailhead X2 Tent", 1),)
        assert summary.gini == pytest.approx((CATALOGUE - 1) / CATALOGUE)

    play(body)


def test_a_period_under_a_day_is_refused(play: Play) -> None:
    async def body(services: Services) -> None:
        with pytest.raises(ValueError, match="days: must be at least 1, got 0"):
            await exposure_summary(services, days=0)

    play(body)
