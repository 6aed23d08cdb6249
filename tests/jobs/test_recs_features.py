"""Training with the CMS's item features on both databases: the features LightFM is measured
beside the others and the version records the features it had; a CMS that does not answer
leaves the run without them, and says so, rather than failing it."""

from __future__ import annotations

from pathlib import Path

from tests.jobs.conftest import Play
from tests.jobs.recs_shop import shop, shop_content
from veneer.catalogue import Catalogue
from veneer.content_adapters.base import ContentUnavailable, EntryPage
from veneer.content_adapters.file import FileAdapter
from veneer.jobs.recs_training import train
from veneer.recommend.models.itempop import ItemPop
from veneer.recommend.models.serving import ServingModel
from veneer.services import Services
from veneer.store import recommendation_models as registry


class Down(FileAdapter):
    """A CMS that does not answer."""

    async def list_entries(
        self, content_type: str | None, first: int, after: str | None, locale: str | None
    ) -> EntryPage:
        raise ContentUnavailable("CMS is down")


async def _params(services: Services, version: int | None) -> dict[str, object]:
    async with services.db.session() as session:
        listed = await registry.list_versions(session)
    return next(v.params for v in listed if v.version == version)


def test_the_features_model_is_measured_and_its_features_recorded(
    play: Play, tmp_path: Path
) -> None:
    async def body(services: Services) -> None:
        services.catalogue = Catalogue(FileAdapter(shop_content(tmp_path / "content")))
        await shop(services)

        result = await train(services)

        assert result.version == 1, result.message
        assert "without item features" not in result.message
        assert "LightFM-features" in result.metrics["holdout"]
        assert "LightFM-features" in result.metrics["validation"]
        params = await _params(services, result.version)
        assert "LightFM-features" in params["candidates"]  # type: ignore[operator]
        features = params["itemFeatures"]
        assert isinstance(features, dict)
        # 2 content types, 4 group tags and a blockbuster tag, 4 categories, shared words
        assert features["used"] is True
        assert features["entries"] == 87 and features["notInCatalogue"] == 1  # pop-7 is gone
        columns = features["columns"]
        assert (columns["type"], columns["tag"], columns["category"]) == (2, 5, 4)
        assert columns["word"] >= 8
        async with services.db.session() as session:  # whichever was chosen, it serves
            model = ServingModel.from_bytes(await registry.read_artifact(session, 1, None))
        top = model.recommend(["g2-0", "g2-1", "g2-2"], 5)
        assert all(s.entry_id.startswith("g2-") for s in top), (result.recipe, top)

    play(body)


def test_a_cms_outage_trains_without_features_and_says_so(play: Play, tmp_path: Path) -> None:
    async def body(services: Services) -> None:
        services.catalogue = Catalogue(Down(shop_content(tmp_path / "content")))
        await shop(services)

        result = await train(services)

        assert result.version == 1 and result.promoted
        assert "trained without item features: the CMS did not answer" in result.message
        assert "LightFM-features" not in result.metrics["holdout"]
        params = await _params(services, result.version)
        assert params["itemFeatures"] == {
            "used": False,
            "reason": "the CMS did not answer (CMS is down)",
        }
        assert "LightFM-features" not in params["candidates"]  # type: ignore[operator]

    play(body)


def test_candidates_the_caller_chose_read_no_features(play: Play, tmp_path: Path) -> None:
    async def body(services: Services) -> None:
        services.catalogue = Catalogue(Down(shop_content(tmp_path / "content")))
        await shop(services)

        result = await train(services, candidates=[ItemPop()])

        assert result.version == 1 and "item features" not in result.message
        params = await _params(services, result.version)
        assert params["itemFeatures"] == {
            "used": False,
            "reason": "the caller chose the candidates",
        }

    play(body)
