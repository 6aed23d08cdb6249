"""`/health` and the demo page at `/`."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import TEST_SECRET
from veneer.app import create_app
from veneer.demo import DEMO_SEGMENTS
from veneer.settings import Settings


def test_health_reports_database_and_content(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "content": "ok"}


def test_health_is_503_when_the_database_is_gone(settings: Settings, tmp_path) -> None:
    broken = settings.model_copy(
        update={"database_url": f"sqlite+aiosqlite:///{tmp_path}/no/such/dir/x.db"}
    )
    with TestClient(create_app(broken)) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")


def test_demo_page_shows_what_each_segment_sees(settings: Settings) -> None:
    demo = settings.model_copy(update={"demo": True})
    with TestClient(create_app(demo)) as client:
        page = client.get("/")
    assert page.status_code == 200
    for segment in DEMO_SEGMENTS:
        assert f"<code>{segment['key']}</code>" in page.text
    assert "pk_demo" in page.text and "sk_demo" in page.text
    assert "Cinder: Built for Long Descents" in page.text  # v-trail, for trail runners
    preview_table, listing = page.text.split("<h2>The sample content</h2>")
    assert "v-new-year" not in preview_table  # an expired campaign is shown to nobody
    assert "v-new-year" in listing  # though the listing names every tagged variant
    assert "Cinder Trail Runner" in page.text  # the sample content itself is listed
    assert "<code>layering-for-cold-mornings</code>" in page.text  # entries without variants too


def test_outside_demo_mode_the_page_shows_no_keys_or_variants(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "pk_demo" not in page.text
    assert "Cinder: Built for Long Descents" not in page.text


def test_demo_page_escapes_cms_html(tmp_path, settings: Settings) -> None:
    folder = tmp_path / "content" / "article"
    folder.mkdir(parents=True)
    (folder / "x.md").write_text(
        "---\ntitle: '<img src=x onerror=alert(1)>'\nvariants:\n"
        "  - {id: v-1, audience: [campers], fields: {title: '<b>bold</b>'}}\n---\nbody\n"
    )
    demo = settings.model_copy(update={"demo": True, "content": f"file:{tmp_path / 'content'}"})
    with TestClient(create_app(demo)) as client:
        page = client.get("/").text
    assert "<img src=x" not in page and "&lt;img src=x" in page
    assert "<b>bold</b>" not in page


def test_health_is_503_on_a_database_never_migrated(empty_database_url: str) -> None:
    settings = Settings(database_url=empty_database_url, secret=TEST_SECRET)
    with TestClient(create_app(settings)) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["database"] == (
        "error: the database was never migrated (it has no Veneer tables): run `veneer migrate`"
    )


def test_health_is_503_on_a_database_one_migration_behind(behind_database_url: str) -> None:
    settings = Settings(database_url=behind_database_url, secret=TEST_SECRET)
    with TestClient(create_app(settings)) as client:
        response = client.get("/health")
    assert response.status_code == 503
    database = response.json()["database"]
    assert "(1 migration behind): run `veneer migrate`" in database, database
