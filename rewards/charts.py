"""Small charts drawn as inline SVG by the templates: the geometry is worked out here."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float
    title: str


def column_chart(points, *, width=720, height=160, gap=2) -> dict:
    """Vertical bars for (label, value) points: one per day of the month, say."""
    points = list(points)
    top = max((value for _label, value in points), default=0) or 1
    step = width / max(len(points), 1)
    bars = []
    for i, (label, value) in enumerate(points):
        bar_height = (height - 16) * value / top
        bars.append(
            Bar(
                label=str(label),
                value=value,
                x=round(i * step + gap / 2, 2),
                y=round(height - 14 - bar_height, 2),
                width=round(max(step - gap, 1), 2),
                height=round(bar_height, 2),
                title=f"{label}: {value}",
            )
        )
    return {
        "bars": bars,
        "width": width,
        "height": height,
        "top": top,
        "y_ticks": _y_ticks(top, height),
    }


def _y_ticks(top, height) -> list[tuple[str, float]]:
    """The value axis: 0, the middle and the top, each with the y of its gridline."""
    values = sorted({0, round(top / 2), round(top)})
    return [(f"{value:g}", round(height - 14 - (height - 16) * value / top, 2)) for value in values]


def funnel_chart(steps, *, width=560, row=30) -> dict:
    """Horizontal bars for the funnel steps (label, value), the first one the full width."""
    steps = list(steps)
    first = max((value for _label, value in steps), default=0) or 1
    label_width = 150
    bars = []
    for i, (label, value) in enumerate(steps):
        bar_width = (width - label_width - 60) * value / first
        bars.append(
            Bar(
                label=str(label),
                value=value,
                x=label_width,
                y=i * row + 4,
                width=round(bar_width, 2),
                height=row - 8,
                title=f"{label}: {value}",
            )
        )
    return {
        "bars": bars,
        "width": width,
        "height": len(steps) * row + 4,
        "label_width": label_width,
    }
