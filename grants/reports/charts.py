"""Simple horizontal bar charts, drawn as inline SVG by the template (no JavaScript).

Each bar has its label above it and its value written at its end, so nothing is told by
colour or length alone; the chart carries a <title> and a <desc> summarising every bar, and
the table beside it is the full text alternative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
ROW = 46  # the height of one bar with its label
LABEL_BASELINE = 16
BAR_TOP = 22
BAR_HEIGHT = 18
VALUE_SPACE = 150  # room at the right for the value written after the longest bar
TOP = 4


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    value_text: str
    label_y: int
    bar_y: int
    width: int  # 0 to WIDTH - VALUE_SPACE

    @property
    def value_x(self) -> int:
        return self.width + 8

    @property
    def value_y(self) -> int:
        return self.bar_y + BAR_HEIGHT - 4


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    bars: list[Bar]
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return TOP + ROW * len(self.bars) + 4

    @property
    def title_id(self) -> str:
        return f"{self.id}-title"

    @property
    def desc_id(self) -> str:
        return f"{self.id}-desc"


def bar_chart(chart_id: str, title: str, items: Sequence[tuple[str, int, str]], *, note: str = "") -> BarChart:
    """A chart of (label, value, value as text) in the order given; bars scale to the largest value."""
    largest = max((value for _label, value, _text in items), default=0)
    longest = WIDTH - VALUE_SPACE
    bars = []
    for index, (label, value, text) in enumerate(items):
        top = TOP + ROW * index
        width = 0 if largest <= 0 or value <= 0 else max(2, round(longest * value / largest))
        bars.append(Bar(label, value, text, top + LABEL_BASELINE, top + BAR_TOP, width))
    summary = "; ".join(f"{label}: {text}" for label, _value, text in items) or "nothing to show"
    description = f"Bar chart. {summary}."
    if note:
        description += f" {note}"
    return BarChart(chart_id, title, description, bars)


def _projects(count: int) -> str:
    return f"{count:,} project" + ("" if count == 1 else "s")


def breakdown_chart(chart_id: str, title: str, rows: Sequence[tuple[str, int]]) -> BarChart:
    """Projects under each term, as a chart: (label, projects)."""
    return bar_chart(chart_id, title, [(label, count, _projects(count)) for label, count in rows])


def money_chart(chart_id: str, title: str, rows: Sequence[tuple[str, int, str]]) -> BarChart:
    """Money by row, as a chart: (label, pence, pence shown as £)."""
    return bar_chart(chart_id, title, rows)
