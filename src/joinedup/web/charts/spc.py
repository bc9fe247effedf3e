"""Statistical process control (XmR charts) as NHS England's "Making Data Count"
uses them, as pure functions, and their rendering as inline SVG.

- Centre line: the mean of the points.
- Process limits: mean +/- 2.66 x the average moving range (the mean absolute
  difference between consecutive points).
- Special-cause rules: a point outside the limits; a run of 7 or more points on
  one side of the mean (a point on the mean breaks the run); a trend of 6 or more
  points each higher (or each lower) than the one before (an equal point breaks it).

A special-cause point is "high" or "low"; whether that is a concern or an
improvement depends on the measure (`higher_is_better`), and the colours follow
the meaning: orange concern, blue improvement. Points are per day or per month
(`period`), which the accessible label names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from django.utils.html import escape

LIMIT_FACTOR = 2.66
RUN_LENGTH = 7
TREND_LENGTH = 6
PERIODS = {"day": "per day", "month": "per month"}


@dataclass(frozen=True)
class Limits:
    mean: float
    average_moving_range: float
    upper: float
    lower: float


def xmr_limits(values: Sequence[float], *, floor: float | None = None) -> Limits | None:
    """Mean, average moving range and process limits; None with fewer than 2
    points (no moving range). `floor` bounds the lower limit for measures that
    cannot go below it (a count of patients cannot be negative)."""
    if len(values) < 2:
        return None
    mean = sum(values) / len(values)
    ranges = [abs(b - a) for a, b in pairwise(values)]
    mr_bar = sum(ranges) / len(ranges)
    return Limits(
        mean=mean,
        average_moving_range=mr_bar,
        upper=mean + LIMIT_FACTOR * mr_bar,
        lower=(
            mean - LIMIT_FACTOR * mr_bar
            if floor is None
            else max(floor, mean - LIMIT_FACTOR * mr_bar)
        ),
    )


def outside_limits(
    values: Sequence[float], *, upper: float, lower: float
) -> list[bool]:
    """Rule 1: each point above the upper or below the lower process limit."""
    return [v > upper or v < lower for v in values]


def runs(
    values: Sequence[float], *, mean: float, length: int = RUN_LENGTH
) -> list[int]:
    """Rule 2: for each point, +1 when it belongs to a run of `length` or more
    points above the mean, -1 below it, 0 otherwise."""
    flags = [0] * len(values)
    start = 0
    while start < len(values):
        side = (values[start] > mean) - (values[start] < mean)
        end = start + 1
        while (
            end < len(values)
            and side
            and ((values[end] > mean) - (values[end] < mean)) == side
        ):
            end += 1
        if side and end - start >= length:
            for i in range(start, end):
                flags[i] = side
        start = end
    return flags


def trends(values: Sequence[float], *, length: int = TREND_LENGTH) -> list[int]:
    """Rule 3: for each point, +1 when it belongs to `length` or more points each
    higher than the one before, -1 each lower, 0 otherwise."""
    flags = [0] * len(values)
    start = 0
    while start < len(values) - 1:
        step = (values[start + 1] > values[start]) - (values[start + 1] < values[start])
        end = start + 1
        while (
            step
            and end + 1 < len(values)
            and (values[end + 1] > values[end]) - (values[end + 1] < values[end])
            == step
        ):
            end += 1
        if step and end - start + 1 >= length:
            for i in range(start, end + 1):
                flags[i] = step
        start = end if step else start + 1
    return flags


@dataclass(frozen=True)
class Point:
    day: dt.date  # the day, or the first day of the month
    value: float
    signal: str  # "" common cause, "high" or "low" special cause
    rules: tuple[str, ...]
    meaning: str = ""  # "" common cause, "concern" or "improvement"

    @property
    def meaning_label(self) -> str:
        return self.meaning.capitalize()


@dataclass(frozen=True)
class Chart:
    title: str
    points: list[Point]
    limits: Limits | None
    period: str = "day"
    higher_is_better: bool = False

    @property
    def signals(self) -> int:
        return sum(1 for p in self.points if p.signal)


def _period(period: str) -> str:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    return period


def signal_meaning(signal: str, *, higher_is_better: bool) -> str:
    """Pure: "concern", "improvement" or "" for a point's signal."""
    if not signal:
        return ""
    return "improvement" if (signal == "high") == higher_is_better else "concern"


def chart_build(
    title: str,
    series: Sequence[tuple[dt.date, float]],
    *,
    period: str = "day",
    higher_is_better: bool = False,
) -> Chart:
    """An XmR chart of a count per day or per month (`period`), each point with
    the rules it breaks and what its signal means (a high point is a concern
    unless `higher_is_better`). The lower limit is not drawn below zero: a count
    cannot be negative."""
    period = _period(period)
    values = [v for _, v in series]
    limits = xmr_limits(values, floor=0.0)
    if limits is None:
        return Chart(
            title,
            [Point(d, v, "", ()) for d, v in series],
            None,
            period=period,
            higher_is_better=higher_is_better,
        )
    out = outside_limits(values, upper=limits.upper, lower=limits.lower)
    run = runs(values, mean=limits.mean)
    trend = trends(values)
    points = []
    for i, (day, value) in enumerate(series):
        broken = []
        direction = 0
        if out[i]:
            broken.append("outside the process limits")
            direction = 1 if value > limits.upper else -1
        if run[i]:
            broken.append(f"run of {RUN_LENGTH} on one side of the mean")
            direction = direction or run[i]
        if trend[i]:
            broken.append(f"trend of {TREND_LENGTH}")
            direction = direction or trend[i]
        signal = {1: "high", -1: "low"}.get(direction, "")
        meaning = signal_meaning(signal, higher_is_better=higher_is_better)
        points.append(Point(day, value, signal, tuple(broken), meaning))
    return Chart(
        title, points, limits, period=period, higher_is_better=higher_is_better
    )


# --- rendering -----------------------------------------------------------------

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 36
# Making Data Count colours: grey common cause; orange concern; blue improvement.
COLOURS = {"": "#7f7f7f", "concern": "#e46c0a", "improvement": "#0070c0"}


def _fmt(x: float) -> str:
    return f"{x:.1f}"


def chart_svg(chart: Chart, *, label_id: str, period: str | None = None) -> str:
    """The chart as inline SVG markup. Only presentation attributes (the pages'
    Content-Security-Policy forbids inline styles); described by the element with
    id `label_id` (the data table beside it). The accessible label names the
    period of the points (`period`, by default the chart's). Text is escaped."""
    pts = chart.points
    per = PERIODS[_period(period or chart.period)]
    label = f"{chart.title} {per}, XmR chart; the data table gives every point"
    axis = "%b %Y" if per == PERIODS["month"] else "%d %b %Y"

    def when(day: dt.date) -> str:
        return day.strftime("%Y-%m") if axis == "%b %Y" else day.isoformat()

    if not pts:
        return ""
    values = [p.value for p in pts]
    lim = chart.limits
    top_value = max([*values, lim.upper if lim else 0.0, 1.0])
    bottom_value = min([*values, lim.lower if lim else 0.0, 0.0])
    span = (top_value - bottom_value) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (len(pts) - 1) if len(pts) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h * (top_value - v) / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-label="{escape(label)}" '
        f'aria-describedby="{escape(label_id)}" '
        f'class="ju-spc-chart" font-family="Arial, sans-serif" font-size="12">',
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" '
        'fill="#ffffff" stroke="#d8dde0"/>',
    ]
    for value in (top_value, bottom_value):
        parts.append(
            f'<text x="{LEFT - 6}" y="{_fmt(y(value) + 4)}" text-anchor="end" '
            f'fill="#4c6272">{_fmt(value)}</text>'
        )
    if lim:
        for value, dash, name in (
            (lim.mean, "", "mean"),
            (lim.upper, "6 4", "upper limit"),
            (lim.lower, "6 4", "lower limit"),
        ):
            if bottom_value <= value <= top_value:
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                parts.append(
                    f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{_fmt(y(value))}" '
                    f'y2="{_fmt(y(value))}" stroke="#212b32" stroke-width="1"'
                    f'{dash_attr} data-line="{name}"/>'
                )
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{_fmt(x(i))},{_fmt(y(p.value))}"
        for i, p in enumerate(pts)
    )
    parts.append(f'<path d="{path}" fill="none" stroke="#7f7f7f" stroke-width="1.5"/>')
    for i, p in enumerate(pts):
        parts.append(
            f'<circle cx="{_fmt(x(i))}" cy="{_fmt(y(p.value))}" r="3" '
            f'fill="{COLOURS[p.meaning]}" data-signal="{p.signal or "none"}" '
            f'data-meaning="{p.meaning or "none"}">'
            f"<title>{when(p.day)}: {_fmt(p.value)}</title></circle>"
        )
    for i in (0, len(pts) - 1):
        anchor = "start" if i == 0 else "end"
        parts.append(
            f'<text x="{_fmt(x(i))}" y="{HEIGHT - 12}" text-anchor="{anchor}" '
            f'fill="#4c6272">{pts[i].day.strftime(axis)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
