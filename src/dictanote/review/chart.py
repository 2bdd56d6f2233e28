"""Small server-rendered SVG line charts of a client's rating-scale scores.

Plain string building with every text escaped; no script, no inline style
(the review page's Content-Security-Policy allows neither), so the chart is
drawn with SVG presentation attributes only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from ..core.types import MeasureValue

# The top of each scale we know, so that charts of the same measure compare.
SCALE_MAX = {"PHQ-9": 27, "GAD-7": 21, "PCL-5": 80, "AUDIT": 40, "EPDS": 30, "ORS": 40, "SRS": 40}
WIDTH, HEIGHT = 360, 150
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 34, 14, 12, 28


@dataclass(frozen=True)
class Series:
    """One measure's scores in time order."""

    name: str
    points: tuple[tuple[str, int], ...]


def group_measures(rows: Sequence[tuple[str, MeasureValue]]) -> list[Series]:
    """Scores per measure, each in the order given (the store gives oldest first)."""
    by_name: dict[str, list[tuple[str, int]]] = {}
    for when, value in rows:
        by_name.setdefault(value.name, []).append((when, value.to))
    return [Series(name, tuple(points)) for name, points in sorted(by_name.items())]


def _day(when: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(when[:10])
    except ValueError:
        return None


def _x_positions(dates: Sequence[str]) -> list[float]:
    """Proportional to time when every date parses and they differ, else evenly spaced."""
    inner = WIDTH - PAD_LEFT - PAD_RIGHT
    days = [_day(d) for d in dates]
    if len(dates) == 1:
        return [PAD_LEFT + inner / 2]
    known = [d for d in days if d is not None]
    if len(known) == len(days) and known[0] != known[-1]:
        first, span = known[0], (known[-1] - known[0]).days or 1
        return [PAD_LEFT + inner * (d - first).days / span for d in known]
    return [PAD_LEFT + inner * i / (len(dates) - 1) for i in range(len(dates))]


def line_chart(series: Series) -> str:
    """An accessible SVG line chart of one measure (title, axis labels, one point per score)."""
    top = max(SCALE_MAX.get(series.name, 0), *(v for _, v in series.points), 1)
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def y(value: int) -> float:
        return PAD_TOP + inner_h * (1 - value / top)

    xs = _x_positions([d for d, _ in series.points])
    coords = [(x, y(v)) for x, (_, v) in zip(xs, series.points, strict=True)]
    name = escape(series.name)
    first, last = series.points[0], series.points[-1]
    summary = escape(
        f"{series.name}: {len(series.points)} scores, "
        f"from {first[1]} ({first[0][:10]}) to {last[1]} ({last[0][:10]})"
    )
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{summary}">',
        f"<title>{summary}</title>",
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{HEIGHT - PAD_BOTTOM}" stroke="#888" />',
        f'<line x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}" x2="{WIDTH - PAD_RIGHT}" '
        f'y2="{HEIGHT - PAD_BOTTOM}" stroke="#888" />',
        f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + 4}" text-anchor="end" font-size="10">{top}</text>',
        f'<text x="{PAD_LEFT - 4}" y="{HEIGHT - PAD_BOTTOM}" text-anchor="end" font-size="10">0</text>',
        f'<text x="{WIDTH - PAD_RIGHT}" y="{PAD_TOP + 4}" text-anchor="end" font-size="11" '
        f'font-weight="bold">{name}</text>',
    ]
    if len(coords) > 1:
        line = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in coords)
        parts.append(f'<polyline points="{line}" fill="none" stroke="#2563eb" stroke-width="2" />')
    for (x, yy), (when, value) in zip(coords, series.points, strict=True):
        label = escape(f"{when[:10]}: {value}")
        parts.append(
            f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="3.5" fill="#2563eb"><title>{label}</title></circle>'
        )
        parts.append(f'<text x="{x:.1f}" y="{yy - 6:.1f}" text-anchor="middle" font-size="10">{value}</text>')
    parts.append(f'<text x="{PAD_LEFT}" y="{HEIGHT - 8}" font-size="10">{escape(first[0][:10])}</text>')
    if len(series.points) > 1:
        parts.append(
            f'<text x="{WIDTH - PAD_RIGHT}" y="{HEIGHT - 8}" text-anchor="end" font-size="10">'
            f"{escape(last[0][:10])}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
