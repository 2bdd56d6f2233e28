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


def test_chart_shades_and_names_the_severity_bands() -> None:
    svg = line_chart(Series("PHQ-9", (("2026-01-05", 17), ("2026-02-02", 12))))
    assert svg.count('<rect class="band"') == 5
    for name in ("minimal", "mild", "moderate", "moderately severe", "severe"):
        assert f">{name}</text>" in svg
    assert (
        "severity bands minimal 0-4, mild 5-9, moderate 10-14, moderately severe 15-19, severe 20-27" in svg
    )
    gad = line_chart(Series("GAD-7", (("2026-01-05", 8),)))
    assert gad.count('<rect class="band"') == 4 and "severe 15-21" in gad
    assert '<rect class="band"' not in line_chart(Series("ORS", (("2026-01-05", 30),)))


def test_chart_draws_the_objectives_target_line() -> None:
    from dictanote.core.plans import Objective

    target = Objective("O1", "G1", "PHQ-9 below 10", "PHQ-9", 10, "below", "2027-03-31")
    svg = line_chart(Series("PHQ-9", (("2026-01-05", 17), ("2026-02-02", 12))), target)
    assert '<line class="target"' in svg and 'stroke-dasharray="6 4"' in svg
    assert ">target below 10 by 2027-03-31</text>" in svg
    title = svg.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "severity bands" in title and "target below 10 by 2027-03-31" in title
    assert "style=" not in svg and "<script" not in svg
    other = Objective("O2", "G1", "GAD-7 below 5", "GAD-7", 5, "below", None)
    assert '<line class="target"' not in line_chart(Series("PHQ-9", (("2026-01-05", 17),)), other)
