"""Small server-rendered SVG line charts of a client's rating-scale scores.

Plain string building with every text escaped; no script, no inline style
(the review page's Content-Security-Policy allows neither), so the chart is
drawn with SVG presentation attributes only. A scale with severity bands
(``policy.SEVERITY_BANDS``) is drawn over its shaded, named bands, and an objective
measured by the scale adds its target as a dashed line; the title says both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from ..core.plans import Objective
from ..core.policy import SEVERITY_BANDS
from ..core.types import MeasureValue

# The top of each scale we know, so that charts of the same measure compare.
SCALE_MAX = {"PHQ-9": 27, "GAD-7": 21, "PCL-5": 80, "AUDIT": 40, "EPDS": 30, "ORS": 40, "SRS": 40}
WIDTH, HEIGHT = 360, 150
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 34, 14, 12, 28
# Severity bands, mildest first: pale green to pale red.
BAND_FILLS = ("#dcfce7", "#fef9c3", "#fed7aa", "#fecaca", "#fca5a5")
BAND_LABEL_W = 100  # the bands' names stand right of the plot, in this much more width


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


def band_ranges(name: str, top: int) -> list[tuple[int, int, str]]:
    """A scale's severity bands as (lowest, highest score, name), the last up to ``top``."""
    bands = SEVERITY_BANDS.get(name, ())
    return [
        (low, (bands[i + 1][0] - 1) if i + 1 < len(bands) else top, band)
        for i, (low, band) in enumerate(bands)
    ]


def target_label(objective: Objective) -> str:
    """An objective's target in words: "target below 10 by 2027-03-31"."""
    words = f"target {objective.direction or 'at'} {objective.target}"
    return f"{words} by {objective.by}" if objective.by else words


def _bands(name: str, top: int, y: Callable[[float], float]) -> list[str]:
    parts = []
    for n, (low, high, band) in enumerate(band_ranges(name, top)):
        y_top, y_low = y(min(high + 1, top)), y(low)
        parts.append(
            f'<rect class="band" x="{PAD_LEFT}" y="{y_top:.1f}" width="{WIDTH - PAD_LEFT - PAD_RIGHT}" '
            f'height="{y_low - y_top:.1f}" fill="{BAND_FILLS[n % len(BAND_FILLS)]}" fill-opacity="0.35">'
            f"<title>{escape(f'{band}: {low}-{high}')}</title></rect>"
        )
        parts.append(
            f'<text class="band-name" x="{WIDTH - PAD_RIGHT + 6}" y="{(y_top + y_low) / 2 + 3:.1f}" '
            f'font-size="9" fill="#555">{escape(band)}</text>'
        )
    return parts


def _target(objective: Objective, y: Callable[[float], float]) -> list[str]:
    label = escape(target_label(objective))
    at = y(objective.target or 0)
    return [
        f'<line class="target" x1="{PAD_LEFT}" y1="{at:.1f}" x2="{WIDTH - PAD_RIGHT}" y2="{at:.1f}" '
        f'stroke="#b91c1c" stroke-width="1.5" stroke-dasharray="6 4"><title>{label}</title></line>',
        f'<text class="target-label" x="{PAD_LEFT + 4}" y="{at - 3:.1f}" font-size="9" '
        f'fill="#b91c1c">{label}</text>',
    ]


def line_chart(series: Series, objective: Objective | None = None) -> str:
    """An accessible SVG line chart of one measure (title, axis labels, one point per score), over the
    scale's severity bands, with ``objective``'s target line when it is measured by this scale."""
    top = max(SCALE_MAX.get(series.name, 0), *(v for _, v in series.points), 1)
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def y(value: float) -> float:
        return PAD_TOP + inner_h * (1 - value / top)

    if objective is not None and (objective.measure != series.name or objective.target is None):
        objective = None

    xs = _x_positions([d for d, _ in series.points])
    coords = [(x, y(v)) for x, (_, v) in zip(xs, series.points, strict=True)]
    name = escape(series.name)
    first, last = series.points[0], series.points[-1]
    said = [
        f"{series.name}: {len(series.points)} scores, "
        f"from {first[1]} ({first[0][:10]}) to {last[1]} ({last[0][:10]})"
    ]
    bands = band_ranges(series.name, top)
    if bands:
        said.append("severity bands " + ", ".join(f"{band} {low}-{high}" for low, high, band in bands))
    if objective is not None:
        said.append(target_label(objective))
    summary = escape("; ".join(said))
    width = WIDTH + (BAND_LABEL_W if bands else 0)
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {HEIGHT}" '
        f'width="{width}" height="{HEIGHT}" role="img" aria-label="{summary}">',
        f"<title>{summary}</title>",
        *_bands(series.name, top, y),
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{HEIGHT - PAD_BOTTOM}" stroke="#888" />',
        f'<line x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}" x2="{WIDTH - PAD_RIGHT}" '
        f'y2="{HEIGHT - PAD_BOTTOM}" stroke="#888" />',
        f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + 4}" text-anchor="end" font-size="10">{top}</text>',
        f'<text x="{PAD_LEFT - 4}" y="{HEIGHT - PAD_BOTTOM}" text-anchor="end" font-size="10">0</text>',
        f'<text x="{WIDTH - PAD_RIGHT}" y="{PAD_TOP + 4}" text-anchor="end" font-size="11" '
        f'font-weight="bold">{name}</text>',
    ]
    if objective is not None:
        parts += _target(objective, y)
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
