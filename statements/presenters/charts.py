"""Geometry for the small server-rendered SVG charts of the agreement pages and the dashboard.

Pure functions, no Django: they turn numbers into coordinates; the templates draw the shapes
(so every label and value passes through the template engine's escaping). No chart library,
nothing from a CDN. Values are agreement coefficients on a 0..1 scale; kappa and alpha may be
negative (shown as a zero-length bar with its value in text) or undefined (None: no bar, "—").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def fmt(value: float | None, digits: int = 2) -> str:
    """A coefficient as text: 0.83, −0.12 (a real minus sign), or — when undefined."""
    if value is None:
        return "—"
    text = f"{value:.{digits}f}"
    return text.replace("-", "−")


# ---- Horizontal grouped bars -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float | None
    text: str
    y: float
    width: float
    text_x: float
    text_y: float


@dataclass(frozen=True, slots=True)
class BarGroup:
    label: str
    y: float
    text_y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True)
class Tick:
    pos: float
    text: str


@dataclass(frozen=True, slots=True)
class BarChart:
    width: int
    height: int
    plot_x: int
    plot_width: int
    label_x: int
    bar_height: int
    groups: tuple[BarGroup, ...]
    ticks: tuple[Tick, ...]
    axis_top: float
    axis_bottom: float


def bar_chart(
    groups: Sequence[tuple[str, Sequence[tuple[str, float | None]]]],
    *,
    width: int = 680,
    label_width: int = 130,
    value_width: int = 56,
    bar_height: int = 14,
    row_gap: int = 5,
    group_gap: int = 16,
    heading: int = 20,
) -> BarChart:
    """Rows of bars in groups (one group per analyst pair, one bar per measure), on a 0..1
    scale. A negative value gets a zero-length bar; None gets no bar, and both keep their text."""
    plot_x = label_width
    plot_width = width - label_width - value_width
    top = 22  # room for the tick labels
    y = float(top)
    out: list[BarGroup] = []
    for label, measures in groups:
        group_y = y
        y += heading
        bars = []
        for name, value in measures:
            clamped = 0.0 if value is None else min(max(value, 0.0), 1.0)
            bar_width = round(clamped * plot_width, 1)
            bars.append(
                Bar(
                    label=name,
                    value=value,
                    text=fmt(value),
                    y=y,
                    width=bar_width,
                    text_x=plot_x + bar_width + 6,
                    text_y=y + bar_height - 3,
                )
            )
            y += bar_height + row_gap
        out.append(BarGroup(label=label, y=group_y, text_y=group_y + 14, bars=tuple(bars)))
        y += group_gap - row_gap
    ticks = tuple(Tick(pos=plot_x + plot_width * t / 4, text=fmt(t / 4, 2 if t % 2 else 1)) for t in range(5))
    return BarChart(
        width=width,
        height=int(y) + 4,
        plot_x=plot_x,
        plot_width=plot_width,
        label_x=plot_x - 8,
        bar_height=bar_height,
        groups=tuple(out),
        ticks=ticks,
        axis_top=top - 4,
        axis_bottom=y - group_gap + row_gap,
    )


# ---- Lines over time ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    value: float
    text: str
    label: str  # the x label, for the point's tooltip


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    sub: str  # a subscript after the name ("U" of α_U), drawn smaller and lower
    index: int  # 1-based: the CSS class series-N sets the stroke style and the marker
    points: tuple[Point, ...]
    path: str  # SVG path data; a gap (None) breaks the line
    end_x: float
    end_y: float


@dataclass(frozen=True, slots=True)
class LineChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    x_labels: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    series: tuple[Series, ...]
    zero_y: float


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    width: int = 680,
    height: int = 230,
    margin_left: int = 44,
    margin_right: int = 130,
    margin_top: int = 14,
    margin_bottom: int = 30,
) -> LineChart:
    """Lines of 0..1 values (the axis goes below 0 when a value does) over evenly spaced x
    labels (months). A None breaks a line; a lone point is drawn as a marker. A series named
    "α_U" gets the subscript U."""
    left, right = margin_left, width - margin_right
    top, bottom = margin_top, height - margin_bottom
    values = [v for _, vs in series for v in vs if v is not None]
    low = min([0.0, *values])
    low = -1.0 if low < -0.5 else (-0.5 if low < 0 else 0.0)
    n = len(x_labels)

    def x_at(i: int) -> float:
        return round(left + (right - left) * (i / (n - 1) if n > 1 else 0.5), 1)

    def y_at(v: float) -> float:
        return round(bottom - (bottom - top) * (v - low) / (1.0 - low), 1)

    out = []
    for index, (label, vs) in enumerate(series, start=1):
        name, _, sub = label.partition("_")
        points = []
        path: list[str] = []
        pen_up = True
        for i, v in enumerate(vs):
            if v is None:
                pen_up = True
                continue
            x, y = x_at(i), y_at(v)
            points.append(Point(x=x, y=y, value=v, text=fmt(v), label=x_labels[i]))
            path.append(f"{'M' if pen_up else 'L'}{x} {y}")
            pen_up = False
        last = points[-1] if points else None
        out.append(
            Series(
                name=name,
                sub=sub,
                index=index,
                points=tuple(points),
                path=" ".join(path),
                end_x=(last.x if last else right) + 8,
                end_y=(last.y if last else y_at(low)) + 4,
            )
        )
    _spread_labels(out, top)
    steps = 4 if low == 0 else (6 if low == -0.5 else 8)
    y_ticks = tuple(
        Tick(pos=y_at(low + (1 - low) * k / steps), text=fmt(low + (1 - low) * k / steps, 2))
        for k in range(steps + 1)
    )
    return LineChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        x_labels=tuple(Tick(pos=x_at(i), text=label) for i, label in enumerate(x_labels)),
        y_ticks=y_ticks,
        series=tuple(out),
        zero_y=y_at(0.0),
    )


def _spread_labels(series: list[Series], top: int, gap: float = 13.0) -> None:
    """Move the end-of-line labels apart vertically so that they never overlap."""
    order = sorted(range(len(series)), key=lambda k: series[k].end_y)
    previous = top - gap
    for k in order:
        previous = max(series[k].end_y, previous + gap)
        series[k] = _with_end_y(series[k], previous)


def _with_end_y(s: Series, y: float) -> Series:
    return Series(name=s.name, sub=s.sub, index=s.index, points=s.points, path=s.path, end_x=s.end_x, end_y=y)
