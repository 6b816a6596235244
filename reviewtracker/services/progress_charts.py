"""The progress charts (services/progress.py) drawn on the server as SVG, in the style of
services/charts.py: no script, no CDN, every text escaped, colours from the vocabulary.

- `received_bars`: comments received per day, a bar per day;
- `burndown`: per day, the comments still open and those dispositioned, as two lines;
- `median_bars`: median days to a disposition per constituency (or artefact).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from importers.vocabulary import DISPOSITIONS

from .charts import svg_number
from .progress import Progress

WIDTH, HEIGHT = 640, 180
LEFT, BOTTOM, TOP = 40, 24, 10
RECEIVED = "#1f6fb2"
DONE = DISPOSITIONS["accepted"].colour
STILL_OPEN = "#6b7785"  # the open term's grey, darkened to read as a line


def _svg(title: str, width: int, height: int, parts: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="system-ui, sans-serif" font-size="11"><title>{escape(title)}</title>'
    )
    return Markup(head + "".join(parts) + "</svg>")


def _axis(progress: Progress, largest: int) -> list[str]:
    """The y axis' top value and the first and last day under the x axis."""
    base = HEIGHT - BOTTOM
    first, last = progress.days[0]["day"], progress.days[-1]["day"]
    return [
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="#9aa4ae"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 8}" text-anchor="end">{largest}</text>',
        f'<text x="{LEFT - 4}" y="{base}" text-anchor="end">0</text>',
        f'<text x="{LEFT}" y="{HEIGHT - 6}">{escape(first.strftime("%d %b"))}</text>',
        f'<text x="{WIDTH}" y="{HEIGHT - 6}" text-anchor="end">'
        f"{escape(last.strftime('%d %b %Y'))}</text>",
    ]


def received_bars(progress: Progress, title: str) -> Markup:
    if progress.empty:
        return Markup("")
    largest = max(d["received"] for d in progress.days) or 1
    step = (WIDTH - LEFT) / len(progress.days)
    scale = (HEIGHT - BOTTOM - TOP) / largest
    parts = _axis(progress, largest)
    for index, day in enumerate(progress.days):
        if not day["received"]:
            continue
        height = day["received"] * scale
        parts.append(
            f'<rect x="{svg_number(LEFT + index * step + 1)}" '
            f'y="{svg_number(HEIGHT - BOTTOM - height)}" width="{svg_number(max(step - 2, 1))}" '
            f'height="{svg_number(height)}" fill="{RECEIVED}" data-day="{day["day"].isoformat()}" '
            f'data-count="{day["received"]}"><title>{escape(day["day"].strftime("%d %b %Y"))}: '
            f"{day['received']} received</title></rect>"
        )
    return _svg(title, WIDTH, HEIGHT, parts)


def _line(progress: Progress, key: str, colour: str, scale: float, step: float) -> str:
    points = " ".join(
        f"{svg_number(LEFT + (i + 0.5) * step)},{svg_number(HEIGHT - BOTTOM - d[key] * scale)}"
        for i, d in enumerate(progress.days)
    )
    return (
        f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2" '
        f'data-series="{key}"/>'
    )


def burndown(progress: Progress, title: str) -> Markup:
    if progress.empty:
        return Markup("")
    largest = max(d["total"] for d in progress.days) or 1
    step = (WIDTH - LEFT) / len(progress.days)
    scale = (HEIGHT - BOTTOM - TOP) / largest
    last = progress.days[-1]
    parts = _axis(progress, largest)
    parts.append(_line(progress, "open", STILL_OPEN, scale, step))
    parts.append(_line(progress, "dispositioned", DONE, scale, step))
    parts.append(
        f'<g class="chart-legend"><rect x="{LEFT + 8}" y="{TOP}" width="10" height="3" '
        f'fill="{STILL_OPEN}"/><text x="{LEFT + 22}" y="{TOP + 5}">open ({last["open"]})</text>'
        f'<rect x="{LEFT + 120}" y="{TOP}" width="10" height="3" fill="{DONE}"/>'
        f'<text x="{LEFT + 134}" y="{TOP + 5}">dispositioned ({last["dispositioned"]})</text></g>'
    )
    return _svg(title, WIDTH, HEIGHT, parts)


def median_bars(rows: list[tuple[str, float, int]], title: str) -> Markup:
    if not rows:
        return Markup("")
    label_width, bar_width, row_height = 220, 360, 20
    largest = max(median for _n, median, _c in rows) or 1
    parts = []
    for index, (name, median, count) in enumerate(rows):
        y = index * row_height
        width = median / largest * bar_width
        parts.append(
            f'<g transform="translate(0,{y})"><text x="{label_width - 6}" y="13" '
            f'text-anchor="end">{escape(name)}</text><rect x="{label_width}" y="2" '
            f'width="{svg_number(max(width, 1))}" height="14" fill="{RECEIVED}"><title>'
            f"{escape(name)}: median {median} days over {count} comments</title></rect>"
            f'<text x="{svg_number(label_width + width + 6)}" y="13">{median} d</text></g>'
        )
    return _svg(title, label_width + bar_width + 60, len(rows) * row_height + 4, parts)


__all__ = ["burndown", "median_bars", "received_bars"]
