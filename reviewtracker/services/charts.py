"""Charts drawn on the server as SVG markup: no script, no CDN, readable without JavaScript.

Every piece of text goes through `markupsafe.escape`, so an artefact title like
`<script>` or `"&` is shown as written and can never break out of the markup. Labels and
colours are the vocabulary's (importers/vocabulary.py), as in the board pack's chart.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from importers.vocabulary import DISPOSITIONS

from .rollups import ArtefactStatus, CommentStatusTable

# Layout of the per-artefact bar chart, in SVG user units (about pixels).
LABEL_WIDTH = 90
BAR_WIDTH = 520
TOTAL_WIDTH = 50
ROW_HEIGHT = 22
BAR_HEIGHT = 15
LEGEND_ITEM_WIDTH = 190


def svg_number(value: float) -> str:
    """Coordinates with at most two decimals and no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _bar(row_index: int, row: ArtefactStatus, columns: tuple[str, ...], scale: float) -> list[str]:
    """One artefact's stacked bar: its reference, a segment per disposition (each with a
    tooltip naming the artefact), and its total."""
    y = row_index * ROW_HEIGHT
    label = f"{row.reference}- {row.title}" if row.title else row.reference
    parts = [
        f'<g class="chart-row" transform="translate(0,{y})">',
        f'<text x="{LABEL_WIDTH - 6}" y="{BAR_HEIGHT - 3}" text-anchor="end">'
        f"<title>{escape(label)}</title>{escape(row.reference)}</text>",
    ]
    x = float(LABEL_WIDTH)
    total = 0
    for name in columns:
        count = row[name]
        if not count:
            continue
        width = count * scale
        term = DISPOSITIONS[name]
        tooltip = f"{label}: {term.label} {count}"
        parts.append(
            f'<rect x="{svg_number(x)}" y="0" width="{svg_number(width)}" height="{BAR_HEIGHT}" '
            f'fill="{term.colour}" data-disposition="{escape(name)}" '
            f'data-count="{count}"><title>{escape(tooltip)}</title></rect>'
        )
        x += width
        total += count
    parts.append(f'<text x="{svg_number(x + 6)}" y="{BAR_HEIGHT - 3}">{total}</text>')
    parts.append("</g>")
    return parts


def _legend(columns: tuple[str, ...], top: int) -> list[str]:
    parts = [f'<g class="chart-legend" transform="translate({LABEL_WIDTH},{top})">']
    for index, name in enumerate(columns):
        x = (index % 3) * LEGEND_ITEM_WIDTH
        y = (index // 3) * 18
        term = DISPOSITIONS[name]
        parts.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{term.colour}"/>'
            f'<text x="{x + 17}" y="{y + 10}">{escape(term.label)}</text>'
        )
    parts.append("</g>")
    return parts


def disposition_bars(status: CommentStatusTable, title: str | None = None) -> Markup:
    """Comments per disposition for each artefact, as stacked horizontal bars on one scale
    (the longest bar is the busiest artefact), with the total at the end of each bar and a
    legend below. Empty markup if the table has no rows."""
    if not status.artefacts:
        return Markup("")
    columns = status.columns
    largest = max(row.total for row in status.artefacts) or 1
    scale = BAR_WIDTH / largest
    legend_rows = (len(columns) + 2) // 3
    height = len(status.artefacts) * ROW_HEIGHT + 8 + legend_rows * 18 + 4
    width = LABEL_WIDTH + BAR_WIDTH + TOTAL_WIDTH
    title = title or f"Comments per disposition and artefact, tranche {status.tranche}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="system-ui, sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]
    for index, row in enumerate(status.artefacts):
        parts.extend(_bar(index, row, columns, scale))
    parts.extend(_legend(columns, len(status.artefacts) * ROW_HEIGHT + 8))
    parts.append("</svg>")
    # Every interpolated text above was escaped; the numbers are ints and floats we made.
    return Markup("".join(parts))


__all__ = ["disposition_bars"]
