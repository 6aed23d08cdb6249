"""The results-over-time chart is a real PNG of the expected size."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from veneer.experiments.chart import plot_timeline
from veneer.experiments.timeline import Exposure, timeline

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _exposures() -> list[Exposure]:
    """Two weeks of viewers in three arms; b converts more."""
    rng = np.random.default_rng(9)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    rows = []
    for arm, rate in (("control", 0.10), ("b", 0.13), ("c", 0.10)):
        for _ in range(1500):
            exposed = start + timedelta(hours=float(rng.uniform(0, 14 * 24)))
            converted = exposed + timedelta(hours=float(rng.uniform(0, 48)))
            rows.append(Exposure(arm, exposed, converted if rng.random() < rate else None))
    return rows


def test_the_chart_is_a_png_of_the_figure_size(tmp_path: Path) -> None:
    weights = {"control": 1.0, "b": 1.0, "c": 1.0}
    days = timeline(_exposures(), weights, "binomial", sequential=True)
    path = plot_timeline(days, tmp_path / "lift.png", "Checkout button: lift over time")

    assert path == tmp_path / "lift.png"
    data = path.read_bytes()
    assert data[:8] == SIGNATURE and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (800, 450)  # 8 x 4.5 inches at 100 dpi
    assert 10_000 < len(data) < 1_000_000


def test_an_empty_timeline_still_draws_the_axes(tmp_path: Path) -> None:
    path = plot_timeline([], tmp_path / "empty.png", "No viewers yet")
    assert path.read_bytes()[:8] == SIGNATURE
