"""The client page's SVG charts: grouped scores, escaped names, scales that compare."""

from __future__ import annotations

from dictanote.core.types import MeasureValue
from dictanote.review.chart import Series, group_measures, line_chart


def test_chart_escapes_and_scales() -> None:
    rows = [
        ("2026-01-01", MeasureValue("<b>X</b>", 4)),
        ("2026-01-08", MeasureValue("<b>X</b>", 6)),
        ("2026-01-01", MeasureValue("GAD-7", 12)),
    ]
    series = group_measures(rows)
    assert [s.name for s in series] == ["<b>X</b>", "GAD-7"]
    svg = line_chart(series[0])
    assert "<b>" not in svg and "&lt;b&gt;X&lt;/b&gt;" in svg
    assert ">21<" in line_chart(series[1])  # the top of the GAD-7 scale
    single = line_chart(Series("PHQ-9", (("someday", 3),)))
    assert "<polyline" not in single and "<circle" in single


def test_chart_has_no_script_or_inline_style() -> None:
    svg = line_chart(Series("PHQ-9", (("2026-01-05", 17), ("2026-02-02", 12), ("2026-03-02", 9))))
    assert "<script" not in svg and "style=" not in svg
    assert 'role="img"' in svg and "PHQ-9: 3 scores, from 17 (2026-01-05) to 9 (2026-03-02)" in svg
