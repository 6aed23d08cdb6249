"""The `veneer` command as an operator uses it."""

from __future__ import annotations

import jwt
import pytest
from typer.testing import CliRunner

from tests.conftest import TEST_SECRET
from veneer.cli import app
from veneer.identity.tokens import verify_viewer_token

runner = CliRunner()


def test_keys_create_list_and_revoke(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VENEER_DATABASE_URL", database_url)

    created = runner.invoke(app, ["keys", "create", "--kind", "secret", "--name", "shop backend"])
    assert created.exit_code == 0, created.output
    key = created.output.strip()
    assert key.startswith("sk_") and len(key) > 40

    listed = runner.invoke(app, ["keys", "list"])
    assert "shop backend" in listed.output and key[:10] in listed.output
    assert key not in listed.output, "the full key is shown once, at creation"

    assert runner.invoke(app, ["keys", "revoke", "1"]).exit_code == 0
    again = runner.invoke(app, ["keys", "revoke", "1"])
    assert again.exit_code == 1 and "no active key" in again.output


def test_keys_create_rejects_an_unknown_kind(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VENEER_DATABASE_URL", database_url)
    result = runner.invoke(app, ["keys", "create", "--kind", "admin"])
    assert result.exit_code == 2
    assert "admin" in result.output


def test_viewer_token_is_signed_with_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VENEER_SECRET", TEST_SECRET)
    result = runner.invoke(
        app, ["viewer-token", "user-7", "--ttl", "60", "--anonymous-id", "phone-7"]
    )
    assert result.exit_code == 0
    claims = verify_viewer_token(result.output.strip(), TEST_SECRET)
    assert (claims.user_id, claims.anonymous_id) == ("user-7", "phone-7")
    standard = jwt.decode(result.output.strip(), TEST_SECRET, algorithms=["HS256"])
    assert standard["sub"] == "user-7" and standard["exp"] - standard["iat"] == 60


def test_viewer_token_without_a_secret_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VENEER_SECRET", raising=False)
    monkeypatch.delenv("VENEER_DEMO", raising=False)
    result = runner.invoke(app, ["viewer-token", "user-7"])
    assert result.exit_code == 2
    assert "VENEER_SECRET is not set" in result.output


def test_a_public_key_is_created_with_origins_and_they_can_be_changed(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VENEER_DATABASE_URL", database_url)
    created = runner.invoke(
        app,
        ["keys", "create", "--kind", "public", "--origin", "https://Shop.example/",
         "--origin", "http://localhost:*"],
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert runner.invoke(app, ["keys", "origins", "1"]).output.split() == [
        "https://shop.example",
        "http://localhost:*",
    ]
    changed = runner.invoke(
        app,
        ["keys", "origins", "1", "--remove", "http://localhost:*", "--add", "https://m.shop.example"],
    )  # fmt: skip
    assert changed.exit_code == 0, changed.output
    assert changed.output.split() == ["https://shop.example", "https://m.shop.example"]
    cleared = runner.invoke(app, ["keys", "origins", "1", "--clear"])
    assert "no origins" in cleared.output


def test_key_origins_are_checked(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VENEER_DATABASE_URL", database_url)
    wrong = runner.invoke(
        app, ["keys", "create", "--kind", "public", "--origin", "https://shop.example/cart"]
    )
    assert wrong.exit_code == 2 and "no path" in wrong.output
    secret = runner.invoke(
        app, ["keys", "create", "--kind", "secret", "--origin", "https://shop.example"]
    )
    assert secret.exit_code == 2 and "secret keys stay on servers" in secret.output
    missing = runner.invoke(app, ["keys", "origins", "7", "--add", "https://shop.example"])
    assert missing.exit_code == 1 and "no active key with id 7" in missing.output
