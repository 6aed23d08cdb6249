"""The SVG charts: the figures drawn are the figures given, gaps stay gaps, text is escaped."""

from __future__ import annotations

import re

from veneer.insights.charts import Series, bar_chart, figure, line_chart


def _values(svg: str, element: str) -> list[float]:
    return [float(v) for v in re.findall(rf'<{element}[^>]*data-value="([^"]+)"', svg)]


def test_a_line_chart_draws_each_given_point_and_leaves_gaps_for_missing_ones() -> None:
    svg = str(line_chart("Size", ["d1", "d2", "d3", "d4"], [Series("size", [3, None, 5, 6])]))
    assert _values(svg, "circle") == [3, 5, 6]
    polylines = re.findall(r'<polyline[^>]*points="([^"]+)"', svg)
    assert [len(p.split()) for p in polylines] == [2]  # d3-d4 joined; d1 stands alone
    assert 'role="img" aria-label="Size"' in svg


def test_higher_values_are_drawn_higher_and_zero_is_always_on_the_axis() -> None:
    svg = str(line_chart("t", ["a", "b"], [Series("s", [10, 20])]))
    ys = [float(y) for y in re.findall(r'<circle[^>]*cy="([^"]+)"', svg)]
    assert ys[1] < ys[0]  # SVG's y grows downwards
    assert ">0<" in svg  # the axis starts at zero, so a rise is not exaggerated


def test_an_interval_is_drawn_as_a_band_only_where_both_ends_are_known() -> None:
    line = Series("arm", [0.1, 0.2, 0.3], low=[None, 0.1, 0.2], high=[None, 0.3, 0.4])
    svg = str(line_chart("Lift", ["1", "2", "3"], [line], percent=True))
    (band,) = re.findall(r'<polygon class="band[^"]*" points="([^"]+)"', svg)
    assert len(band.split()) == 4  # two days, upper and lower ends
    assert "arm, 2: 20.0%" in svg


def test_bars_carry_their_figures_and_labels_are_escaped() -> None:
    svg = str(bar_chart("Shares <b>", [("<script>", 0.5), ("b", 0.25)], percent=True))
    assert _values(svg, "rect") == [0.5, 0.25]
    assert "<script>" not in svg and "&lt;script&gt;: 50.0%" in svg
    assert "<b>" not in svg


def test_figures_read_the_same_everywhere() -> None:
    assert figure(None) == "n/a"
    assert figure(float("nan")) == "n/a"
    assert figure(1234.0) == "1,234"
    assert figure(0.857142, percent=True) == "85.7%"
