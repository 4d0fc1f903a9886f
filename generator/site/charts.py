"""Where the marks of the dashboard's bar charts go: numbers in, shapes out.

The charts are simple (bars against a value axis, some stacked, some with a goal line
or target markers), so their geometry is worked out here in plain arithmetic and the
theme's ``charts/bars.svg`` template draws it. The drawing stays the designer's:
colours, fonts and strokes live in the template. Text stays text, so the reader's own
Chinese fonts show it, and the same numbers always give the same bytes.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH = 720
FONT = 12  # px; label widths below are estimated from it
ROW, BAR = 26, 16  # horizontal bars: row pitch and bar thickness
COLUMNS_HEIGHT = 220  # plot height of the column chart


@dataclass
class Mark:
    """A rectangle (bar) or a line (goal, target, grid); ``title`` is its tooltip."""

    x: float
    y: float
    w: float = 0.0
    h: float = 0.0
    colour: str = ""
    title: str = ""

    @property
    def x2(self) -> float:
        return round(self.x + self.w, 2)

    @property
    def y2(self) -> float:
        return round(self.y + self.h, 2)


@dataclass
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"
    rotate: float = 0.0


@dataclass
class Key:
    """One legend entry: a swatch (``line`` False) or a short line of ``colour``."""

    x: float
    y: float
    colour: str
    text: str
    line: bool = False
    dashed: bool = False


@dataclass
class Segment:
    value: float
    colour: str
    title: str = ""


@dataclass
class Plot:
    width: int
    height: int
    bars: list[Mark] = field(default_factory=list)
    grid: list[Mark] = field(default_factory=list)
    goals: list[Mark] = field(default_factory=list)  # dashed lines across the plot
    markers: list[Mark] = field(default_factory=list)  # short thick ticks (targets)
    labels: list[Label] = field(default_factory=list)  # category names
    ticks: list[Label] = field(default_factory=list)  # value axis numbers
    titles: list[Label] = field(default_factory=list)  # axis titles
    keys: list[Key] = field(default_factory=list)
    axis: Mark | None = None
    empty: bool = False


def text_width(text: str) -> float:
    """Rough width in px at :data:`FONT`: wide (CJK) characters a full em, others about 0.6."""
    return sum(FONT if unicodedata.east_asian_width(ch) in "WF" else FONT * 0.6 for ch in text)


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """0 up to at least ``top`` in steps of 1, 2 or 5 times a power of ten."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [i * step for i in range(int(math.ceil(top / step - 1e-9)) + 1)]


def percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _legend(items: Sequence[tuple[str, str, bool, bool]], y: float) -> list[Key]:
    widths = [22 + text_width(text) + 16 for _, text, _, _ in items]
    x = (WIDTH - sum(widths)) / 2
    keys = []
    for (colour, text, line, dashed), w in zip(items, widths, strict=True):
        keys.append(Key(round(x, 1), y, colour, text, line, dashed))
        x += w
    return keys


def empty_plot() -> Plot:
    return Plot(WIDTH, 160, empty=True)


def bars(categories: Sequence[str], segments: Sequence[Sequence[Segment]], *,
         top: float | None = None, percent_axis: bool = False, axis_title: str = "",
         legend: Sequence[tuple[str, str, bool, bool]] = (), goal: float | None = None,
         goal_title: str = "", targets: Sequence[float | None] = ()) -> Plot:
    """Horizontal bars, one row per category, segments stacked left to right.

    ``top``: the value at the right end (default: the largest stack, rounded up to a
    tick). ``targets``: per category, a value to mark with a short tick.
    """
    if not categories:
        return empty_plot()
    totals = [sum(s.value for s in row) for row in segments]
    wanted = max([*totals, *(t for t in targets if t is not None), goal or 0, 0])
    ticks = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0] if percent_axis and wanted <= 1 else nice_ticks(
        top if top is not None else wanted)
    high = top if top is not None else ticks[-1]
    left = min(280, 16 + max(text_width(c) for c in categories))
    right = WIDTH - 28
    head = 34 if legend else 12
    plot = Plot(WIDTH, 0)
    scale = (right - left) / high if high else 0
    y0 = head
    for i, (name, row) in enumerate(zip(categories, segments, strict=True)):
        y = y0 + i * ROW
        x = left
        for s in row:
            w = max(0.0, s.value * scale)
            if w > 0:
                plot.bars.append(Mark(round(x, 2), y + (ROW - BAR) / 2, round(w, 2), BAR, s.colour,
                                      s.title))
            x += w
        plot.labels.append(Label(left - 8, y + ROW / 2 + FONT * 0.35, name, "end"))
        target = targets[i] if i < len(targets) else None
        if target is not None:
            tx = round(left + target * scale, 2)
            plot.markers.append(Mark(tx, y + 2, 0, ROW - 4, "", ""))
    bottom = y0 + len(categories) * ROW
    for t in ticks:
        x = round(left + t * scale, 2)
        plot.grid.append(Mark(x, head, 0, bottom - head))
        plot.ticks.append(Label(x, bottom + 16, percent(t) if percent_axis else number(t), "middle"))
    if goal is not None:
        plot.goals.append(Mark(round(left + goal * scale, 2), head - 4, 0, bottom - head + 8, "",
                               goal_title))
    plot.axis = Mark(left, head, 0, bottom - head)
    height = bottom + 28
    if axis_title:
        plot.titles.append(Label((left + right) / 2, bottom + 36, axis_title, "middle"))
        height += 16
    plot.keys = _legend(legend, 16)
    plot.height = int(height)
    return plot


def columns(labels: Sequence[str], values: Sequence[float], colour: str, *, axis_title: str = "",
            every: int = 1) -> Plot:
    """Vertical columns in order (months), every ``every``-th label written under them."""
    if not labels:
        return empty_plot()
    ticks = nice_ticks(max(values) if values else 0)
    left, right, top = 56, WIDTH - 16, 12
    bottom = top + COLUMNS_HEIGHT
    plot = Plot(WIDTH, bottom + 70)
    pitch = (right - left) / len(labels)
    scale = COLUMNS_HEIGHT / ticks[-1]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = round(value * scale, 2)
        x = left + i * pitch
        plot.bars.append(Mark(round(x + pitch * 0.1, 2), round(bottom - h, 2), round(pitch * 0.8, 2),
                              h, colour, f"{label}：{number(value)}"))
        if i % every == 0:
            cx = round(x + pitch / 2, 2)
            plot.labels.append(Label(cx, bottom + 14, label, "end", -45))
    for t in ticks:
        y = round(bottom - t * scale, 2)
        plot.grid.append(Mark(left, y, right - left, 0))
        plot.ticks.append(Label(left - 6, y + FONT * 0.35, number(t), "end"))
    plot.axis = Mark(left, bottom, right - left, 0)
    if axis_title:
        plot.titles.append(Label(16, top + COLUMNS_HEIGHT / 2, axis_title, "middle", -90))
    return plot
