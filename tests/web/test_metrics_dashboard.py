"""The Grafana dashboard shipped in docs/ imports as it is and charts what /metrics exports.

Grafana imports a dashboard exported "for sharing externally" by asking for the inputs it
declares (here the Prometheus datasource); every panel must use that input, and every
series a query names must be one Veneer's /metrics serves, or the panel stays empty.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana" / "veneer-dashboard.json"
SERIES = re.compile(r"\b((?:veneer|process|python)_[a-z_]+)\b")
SOURCE = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}


def _dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def _exported(client: TestClient) -> set[str]:
    scrape = client.get("/metrics").text
    return {line.split()[2] for line in scrape.splitlines() if line.startswith("# TYPE")}


def test_the_dashboard_asks_for_its_datasource_and_every_panel_uses_it() -> None:
    dashboard = _dashboard()
    assert dashboard["title"] == "Veneer" and dashboard["uid"]
    (source,) = dashboard["__inputs"]
    assert (source["name"], source["pluginId"]) == ("DS_PROMETHEUS", "prometheus")
    panels = dashboard["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    for panel in panels:
        assert panel["datasource"] == SOURCE, panel["title"]
        assert panel["targets"] and all(t["datasource"] == SOURCE for t in panel["targets"])
        assert len({t["refId"] for t in panel["targets"]}) == len(panel["targets"])


def test_panels_sit_side_by_side_without_overlapping() -> None:
    cells: set[tuple[int, int]] = set()
    for panel in _dashboard()["panels"]:
        box = panel["gridPos"]
        assert box["x"] + box["w"] <= 24, panel["title"]
        mine = {
            (x, y)
            for x in range(box["x"], box["x"] + box["w"])
            for y in range(box["y"], box["y"] + box["h"])
        }
        assert not cells & mine, f"{panel['title']} overlaps another panel"
        cells |= mine


def test_every_series_charted_is_exported_and_every_veneer_series_is_charted(
    client: TestClient,
) -> None:
    exported = _exported(client)
    charted = {
        name
        for panel in _dashboard()["panels"]
        for target in panel["targets"]
        for name in SERIES.findall(target["expr"])
    }
    assert charted <= exported, f"charted but not exported: {sorted(charted - exported)}"
    veneer = {name for name in exported if name.startswith("veneer_")}
    assert veneer <= charted, f"exported but on no panel: {sorted(veneer - charted)}"
