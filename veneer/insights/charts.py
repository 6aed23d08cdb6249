"""Inline SVG charts for the Insights pages: drawn on the server, so a page needs no script,
no build step and no chart library, and opens fast on a slow laptop.

Each point and bar carries its figure in a ``<title>`` (a tooltip, and what a screen reader
says) and in ``data-value``; the page shows the same figures in a table beside the chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 560, 200
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 12, 28  # room for the axis labels


@dataclass(frozen=True)
class Series:
    """One line; ``low``/``high`` (when given) draw its interval as a band around it."""

    name: str
    values: Sequence[float | None]
    low: Sequence[float | None] | None = None
    high: Sequence[float | None] | None = None


def figure(value: float | None, percent: bool = False) -> str:
    """A figure as the page writes it everywhere, charts and tables alike."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if percent:
        return f"{value * 100:.1f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3g}"


def _finite(values: Sequence[float | None] | None) -> list[float]:
    return [v for v in values or () if v is not None and math.isfinite(v)]


def _scale(values: list[float]) -> tuple[float, float]:
    """The value range to draw: always including zero, so a rise is never exaggerated."""
    low, high = min([0.0, *values]), max([0.0, *values])
    if high == low:
        high = low + 1.0
    return low, high


def _svg(title: str, body: list[str], axis: tuple[float, float], percent: bool) -> Markup:
    low, high = axis
    label = escape(title)
    ticks = []
    for value in (low, (low + high) / 2, high):
        y = _y(value, axis)
        ticks.append(
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(figure(value, percent))}</text>"
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
    zero = _y(0.0, axis)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}">',
        f"<title>{label}</title>",
        *ticks,
        f'<line class="zero" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{zero:.1f}" y2="{zero:.1f}"/>',
        *body,
        "</svg>",
    ]
    return Markup("".join(parts))


def _y(value: float, axis: tuple[float, float]) -> float:
    low, high = axis
    return TOP + (high - value) / (high - low) * (HEIGHT - TOP - BOTTOM)


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span / 2 if count == 1 else index * span / (count - 1))


def line_chart(
    title: str, labels: Sequence[str], series: Sequence[Series], percent: bool = False
) -> Markup:
    """Lines over ``labels`` (days, versions); a missing figure leaves a gap, not a zero."""
    values = [v for s in series for v in (*_finite(s.values), *_finite(s.low), *_finite(s.high))]
    axis = _scale(values)
    count = len(labels)
    body: list[str] = []
    for number, line in enumerate(series):
        style = f"s{number % 6}"
        if line.low is not None and line.high is not None:
            body.append(_band(line, count, axis, style))
        runs: list[list[str]] = [[]]
        for index, value in enumerate(line.values):
            if value is None or not math.isfinite(value):
                runs.append([])
                continue
            x, y = _x(index, count), _y(value, axis)
            runs[-1].append(f"{x:.1f},{y:.1f}")
            text = f"{line.name}, {labels[index]}: {figure(value, percent)}"
            body.append(
                f'<circle class="{style}" cx="{x:.1f}" cy="{y:.1f}" r="3" '
                f'data-series="{escape(line.name)}" data-label="{escape(labels[index])}" '
                f'data-value="{value!r}"><title>{escape(text)}</title></circle>'
            )
        body.extend(
            f'<polyline class="{style}" points="{" ".join(run)}"/>' for run in runs if len(run) > 1
        )
    if count:
        for index in sorted({0, count - 1}):
            # The first label starts at its point and the last ends at its own, so neither
            # runs off the chart; a single point's label sits centred under it.
            anchor = "middle" if count == 1 else ("start" if index == 0 else "end")
            body.append(
                f'<text class="tick" x="{_x(index, count):.1f}" y="{HEIGHT - 8}" '
                f'text-anchor="{anchor}">{escape(labels[index])}</text>'
            )
    body.append(_legend(series))
    return _svg(title, body, axis, percent)


def _band(line: Series, count: int, axis: tuple[float, float], style: str) -> str:
    """The interval as a shaded polygon over the points that have both ends."""
    assert line.low is not None and line.high is not None
    ends = [
        (index, low, high)
        for index, (low, high) in enumerate(zip(line.low, line.high, strict=True))
        if low is not None and high is not None and math.isfinite(low) and math.isfinite(high)
    ]
    if not ends:
        return ""
    upper = [f"{_x(i, count):.1f},{_y(h, axis):.1f}" for i, _, h in ends]
    lower = [f"{_x(i, count):.1f},{_y(lo, axis):.1f}" for i, lo, _ in reversed(ends)]
    return f'<polygon class="band {style}" points="{" ".join(upper + lower)}"/>'


def _legend(series: Sequence[Series]) -> str:
    if len(series) < 2:
        return ""
    items, x = [], LEFT + 8
    for n, line in enumerate(series):
        items.append(
            f'<text class="legend s{n % 6}" x="{x}" y="{TOP + 10}">{escape(line.name)}</text>'
        )
        x += 7 * len(line.name) + 18  # about a character's width at the legend's size
    return "".join(items)


def _fit(label: str, width: float) -> str:
    """A label cut to the room under its bar (the full one is in its tooltip and table)."""
    room = max(int(width / 6.5), 3)
    return label if len(label) <= room else label[: room - 1] + "…"


def bar_chart(title: str, bars: Sequence[tuple[str, float]], percent: bool = False) -> Markup:
    """One bar per label, for shares and counts that are not over time."""
    axis = _scale([value for _, value in bars])
    count = max(len(bars), 1)
    slot = (WIDTH - LEFT - RIGHT) / count
    zero = _y(0.0, axis)
    body: list[str] = []
    for index, (label, value) in enumerate(bars):
        top = _y(value, axis)
        x = LEFT + index * slot + slot * 0.15
        text = f"{label}: {figure(value, percent)}"
        body.append(
            f'<rect class="s{index % 6}" x="{x:.1f}" y="{min(top, zero):.1f}" '
            f'width="{slot * 0.7:.1f}" height="{abs(zero - top):.1f}" '
            f'data-label="{escape(label)}" data-value="{value!r}"><title>{escape(text)}</title>'
            "</rect>"
            f'<text class="tick" x="{x + slot * 0.35:.1f}" y="{HEIGHT - 8}" '
            f'text-anchor="middle">{escape(_fit(label, slot))}</text>'
        )
    return _svg(title, body, axis, percent)
