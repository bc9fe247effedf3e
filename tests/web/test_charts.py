"""The shared charts: the Making Data Count rules, case by case, and the SVG
they render to."""

import datetime as dt

import pytest

from joinedup.web.charts.spc import (
    chart_build,
    chart_svg,
    outside_limits,
    runs,
    signal_meaning,
    trends,
    xmr_limits,
)


def test_limits_are_mean_plus_minus_2_66_average_moving_range():
    lim = xmr_limits([10, 12, 11, 13, 9])
    # moving ranges 2, 1, 2, 4 -> 2.25
    assert lim.mean == pytest.approx(11)
    assert lim.average_moving_range == pytest.approx(2.25)
    assert lim.upper == pytest.approx(11 + 2.66 * 2.25)
    assert lim.lower == pytest.approx(11 - 2.66 * 2.25)


def test_limits_need_two_points():
    assert xmr_limits([]) is None and xmr_limits([5]) is None


def test_flat_series_has_zero_width_limits_and_no_signal_outside():
    lim = xmr_limits([4, 4, 4])
    assert lim.upper == lim.lower == 4
    assert outside_limits([4, 4, 4], upper=lim.upper, lower=lim.lower) == [False] * 3


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([5, 11, 5], [False, True, False]),  # above the upper limit
        ([5, -1, 5], [False, True, False]),  # below the lower limit
        ([5, 10, 0], [False, False, False]),  # on a limit is inside
    ],
)
def test_outside_limits(values, expected):
    assert outside_limits(values, upper=10, lower=0) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([6] * 7, [1] * 7),  # 7 above
        ([4] * 7, [-1] * 7),  # 7 below
        ([6] * 6, [0] * 6),  # 6 is not a run
        ([6, 6, 6, 5, 6, 6, 6, 6], [0] * 8),  # a point on the mean breaks it
        ([6, 6, 6, 4, 6, 6, 6, 6], [0] * 8),  # so does one on the other side
        ([4, 6, 6, 6, 6, 6, 6, 6, 6], [0] + [1] * 8),  # 8 above, all flagged
    ],
)
def test_runs_of_seven(values, expected):
    assert runs(values, mean=5) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, 2, 3, 4, 5, 6], [1] * 6),  # 6 rising
        ([6, 5, 4, 3, 2, 1], [-1] * 6),  # 6 falling
        ([1, 2, 3, 4, 5], [0] * 5),  # 5 is not a trend
        ([1, 2, 3, 3, 4, 5, 6], [0] * 7),  # an equal point breaks it
        ([9, 1, 2, 3, 4, 5, 6, 2], [0, 1, 1, 1, 1, 1, 1, 0]),
        ([1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1], [1] * 5 + [-1] * 6),
    ],
)
def test_trends_of_six(values, expected):
    assert trends(values) == expected


def _series(values):
    start = dt.date(2026, 1, 1)
    return [(start + dt.timedelta(days=i), v) for i, v in enumerate(values)]


def test_chart_marks_direction_and_rules():
    values = [3, 9] * 6 + [40]
    chart = chart_build("Delayed patients", _series(values))
    last = chart.points[-1]
    assert last.signal == "high" and "outside the process limits" in last.rules
    assert chart.signals == 1
    assert chart_build("x", _series([1])).limits is None


def test_svg_uses_attributes_not_styles_and_colours_signals():
    chart = chart_build("Delayed <days>", _series([5, 6, 5, 6, 5, 6, 5, 6, 30]))
    svg = chart_svg(chart, label_id="t1")
    assert svg.startswith("<svg") and "style=" not in svg and "<script" not in svg
    assert 'aria-describedby="t1"' in svg and "Delayed &lt;days&gt;" in svg
    assert 'data-signal="high"' in svg and 'fill="#e46c0a"' in svg
    assert svg.count("<circle") == 9 and 'data-line="mean"' in svg
    assert chart_svg(chart_build("x", []), label_id="t") == ""


def test_the_lower_limit_of_a_count_stops_at_zero():
    from joinedup.web.charts.spc import xmr_limits

    sparse = [0, 0, 3, 0, 0, 0, 1, 0]
    assert xmr_limits(sparse).lower < 0
    assert xmr_limits(sparse, floor=0.0).lower == 0


def test_svg_label_names_the_period_of_the_points():
    daily = chart_build("Delayed days", _series([1, 2, 1, 2]))
    assert "Delayed days per day, XmR chart" in chart_svg(daily, label_id="t")
    monthly = chart_build("Admissions", _series([1, 2, 1, 2]), period="month")
    svg = chart_svg(monthly, label_id="t")
    assert "Admissions per month, XmR chart" in svg and "per day" not in svg
    assert "Jan 2026" in svg  # the axis names months, not days
    assert "per day" in chart_svg(monthly, label_id="t", period="day")
    with pytest.raises(ValueError, match="period"):
        chart_build("x", _series([1, 2]), period="week")


@pytest.mark.parametrize(
    ("signal", "higher_is_better", "meaning"),
    [
        ("high", False, "concern"),
        ("low", False, "improvement"),
        ("high", True, "improvement"),
        ("low", True, "concern"),
        ("", True, ""),
    ],
)
def test_signal_meaning(signal, higher_is_better, meaning):
    assert signal_meaning(signal, higher_is_better=higher_is_better) == meaning


def test_a_high_point_is_an_improvement_when_higher_is_better():
    values = [3, 9] * 6 + [40]
    worse = chart_build("Delays", _series(values))
    better = chart_build("Reablement", _series(values), higher_is_better=True)
    assert worse.points[-1].meaning_label == "Concern"
    assert better.points[-1].meaning_label == "Improvement"
    assert better.points[-1].signal == "high"
    # Colours follow the meaning: orange concern, blue improvement.
    assert 'data-meaning="concern"' in chart_svg(worse, label_id="t")
    svg = chart_svg(better, label_id="t")
    assert 'data-meaning="improvement"' in svg and 'fill="#0070c0"' in svg
    assert 'fill="#e46c0a"' not in svg
