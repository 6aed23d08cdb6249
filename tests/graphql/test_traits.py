"""Traits with provenance: first-party over partner over third-party, and consent on top."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import Keys
from tests.helpers import data, error_messages, gql
from veneer.cli import app as cli
from veneer.settings import Settings

VIEWER = "{ viewer { traits traitSources segments { key } } }"
IDENTIFY = "mutation($t: JSON!) { identify(traits: $t) { id } }"
GRANT = """mutation($p: [ConsentInput!]!) { setConsent(purposes: $p) { purpose } }"""
AS_KIM = {"X-Veneer-User-Id": "kim"}


def _flat(output: str) -> str:
    """The terminal wraps long lines; compare the words."""
    return " ".join(output.split())


@pytest.fixture
def imported(tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("VENEER_DATABASE_URL", settings.database_url)

    def run(name: str, content: str, source: str) -> object:
        path = tmp_path / name
        path.write_text(content)
        return CliRunner().invoke(cli, ["import", "traits", str(path), "--source", source])

    return run


def test_layers_and_sources(client: TestClient, keys: Keys, imported) -> None:
    partner = imported("partner.csv", "user_id,region,tier\nkim,nordics,gold\n", "second_party")
    broker = imported(
        "broker.jsonl",
        '{"email": "Kim@Example.com", "traits": {"income": "high", "tier": "silver"}}\n',
        "third_party",
    )
    assert partner.exit_code == 0 and "imported 1 rows" in partner.output
    assert broker.exit_code == 0
    data(
        gql(
            client,
            IDENTIFY,
            {"t": {"email": " kim@example.com", "tier": "platinum"}},
            key=keys.secret,
            **AS_KIM,
        )
    )

    without_consent = data(gql(client, VIEWER, key=keys.secret, **AS_KIM))["viewer"]
    assert without_consent["traits"] == {
        "emailHash": hashlib.sha256(b"kim@example.com").hexdigest(),
        "tier": "platinum",
    }, "no partner data without THIRD_PARTY"

    allow = {"p": [{"purpose": "THIRD_PARTY", "granted": True}]}
    data(gql(client, GRANT, allow, key=keys.secret, **AS_KIM))
    with_third_party = data(gql(client, VIEWER, key=keys.secret, **AS_KIM))["viewer"]
    assert with_third_party["traits"]["income"] == "high"
    assert with_third_party["traits"]["region"] == "nordics"
    assert with_third_party["traitSources"] == {
        "emailHash": "first_party",
        "tier": "first_party",
        "region": "second_party",
        "income": "third_party",
    }
    assert with_third_party["traits"]["tier"] == "platinum", "the site's own word still wins"

    under_gpc = data(gql(client, VIEWER, key=keys.secret, **AS_KIM, **{"Sec-GPC": "1"}))["viewer"]
    assert "income" not in under_gpc["traits"], "never under Global Privacy Control"


def test_partner_traits_drive_segments(client: TestClient, keys: Keys, imported) -> None:
    imported("p.csv", "user_id,region\nkim,alps\n", "second_party")
    allow_partners = {"p": [{"purpose": "THIRD_PARTY", "granted": True}]}
    data(gql(client, GRANT, allow_partners, key=keys.secret, **AS_KIM))
    rule = {"trait": "region", "op": "in", "value": ["alps"]}
    upsert = (
        'mutation($r: JSON!) { upsertSegment(key: "alpine", name: "Alpine", rule: $r) { key } }'
    )
    data(gql(client, upsert, {"r": rule}, key=keys.secret))
    allow = {"p": [{"purpose": "PERSONALIZATION", "granted": True}]}
    data(gql(client, GRANT, allow, key=keys.secret, **AS_KIM))

    viewer = data(gql(client, VIEWER, key=keys.secret, **AS_KIM))["viewer"]

    assert viewer["segments"] == [{"key": "alpine"}]


def test_import_reports_every_bad_row_and_loads_the_rest(imported) -> None:
    result = imported(
        "mixed.csv",
        "user_id,email,plan\nann,,pro\n,,free\nbob,bob@example.com,pro\n,not-an-email,pro\ncy,,\n",
        "second_party",
    )
    assert result.exit_code == 1
    output = _flat(result.output)
    assert "imported 1 rows as second_party; rejected 4" in output
    assert "line 3: needs exactly one of user_id, email or email_hash" in output
    assert "line 5: email: not an email address" in output
    assert "line 6: no traits in this row" in output


def test_import_refuses_values_no_database_could_keep(
    client: TestClient, keys: Keys, imported
) -> None:
    result = imported("big.csv", f"user_id,score\nann,{2**64}\nbob,7\n", "second_party")
    output = _flat(result.output)
    assert "imported 1 rows as second_party; rejected 1" in output
    assert "line 2: traits: $.score: integer out of range (must fit in 64 bits)" in output
    ann = data(gql(client, VIEWER, key=keys.secret, **{"X-Veneer-User-Id": "ann"}))["viewer"]
    assert ann["traits"] == {}


def test_import_refuses_other_file_types(imported) -> None:
    result = imported("x.xlsx", "x", "second_party")
    assert result.exit_code == 2 and "use a .csv or .jsonl file" in _flat(result.output)


def test_a_raw_email_trait_is_never_kept(client: TestClient, keys: Keys) -> None:
    as_em = {"X-Veneer-User-Id": "em"}
    data(gql(client, IDENTIFY, {"t": {"email": "ada@example.org"}}, key=keys.secret, **as_em))
    viewer = data(gql(client, VIEWER, key=keys.secret, **as_em))["viewer"]
    assert "email" not in viewer["traits"]
    assert "ada@example.org" not in str(viewer)
    bad = gql(client, IDENTIFY, {"t": {"email": "nope"}}, key=keys.secret, **as_em)
    assert error_messages(bad) == ["traits.email: not an email address"]


def test_a_browser_cannot_claim_someone_elses_email(
    client: TestClient, keys: Keys, imported
) -> None:
    imported(
        "p.jsonl", '{"email": "victim@example.com", "traits": {"vip": true}}\n', "second_party"
    )
    victim_hash = hashlib.sha256(b"victim@example.com").hexdigest()
    for traits in ({"email": "victim@example.com"}, {"emailHash": victim_hash}):
        body = gql(client, IDENTIFY, {"t": traits}, key=keys.public, anonymous_id="mallory")
        assert body["errors"][0]["message"].startswith("traits.email")
    viewer = data(gql(client, VIEWER, key=keys.public, anonymous_id="mallory"))["viewer"]
    assert "vip" not in viewer["traits"]
