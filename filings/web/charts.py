"""Server-rendered SVG charts whose values are written on the bars, readable without hovering."""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass
class Series:
    name: str
    values: list[int]
    css_class: str


def grouped_bars(
    *, title: str, categories: list[str], series: list[Series], height: int = 220, bar: int = 14
) -> SafeString:
    """Return vertical bars grouped by category, each with its value above it and a legend."""
    gap = 10
    group = bar * len(series) + gap
    left, top, bottom = 8, 34, 40
    width = left * 2 + group * max(len(categories), 1)
    top_value = max([v for s in series for v in s.values] + [1])
    plot = height - top - bottom
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    legend_x = left
    for s in series:
        parts.append(
            f'<rect class="{escape(s.css_class)}" x="{legend_x}" y="6" width="10" height="10"/>'
            f'<text x="{legend_x + 14}" y="15" class="legend">{escape(s.name)}</text>'
        )
        legend_x += 14 + 12 * len(s.name) + 16
    for index, category in enumerate(categories):
        x0 = left + index * group
        for offset, s in enumerate(series):
            value = s.values[index] if index < len(s.values) else 0
            h = round(plot * value / top_value)
            x = x0 + offset * bar
            y = top + plot - h
            parts.append(
                f'<rect class="{escape(s.css_class)}" x="{x}" y="{y}" width="{bar - 2}" height="{h}"/>'
                f'<text class="value" x="{x + (bar - 2) / 2}" y="{y - 3}" text-anchor="middle">{value}</text>'
            )
        parts.append(
            f'<text class="axis" x="{x0 + (group - gap) / 2}" y="{height - bottom + 14}" '
            f'text-anchor="middle">{escape(category)}</text>'
        )
    parts.append(
        f'<line class="baseline" x1="{left}" y1="{top + plot}" x2="{width - left}" y2="{top + plot}"/></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


@dataclass
class HBar:
    label: str
    value: int | None
    marker: int | None = None
    note: str = ""


def horizontal_bars(
    *, title: str, rows: list[HBar], unit: str, marker_name: str, row_height: int = 20
) -> SafeString:
    """Return one horizontal bar per row with its value (and a marker such as P90) written out."""
    label_width, value_width, plot = 90, 170, 300
    width = label_width + plot + value_width
    height = row_height * len(rows) + 10
    top_value = max([r.value or 0 for r in rows] + [r.marker or 0 for r in rows] + [1])
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for index, row in enumerate(rows):
        y = 5 + index * row_height
        parts.append(
            f'<text class="axis" x="{label_width - 6}" y="{y + row_height * 0.7}" text-anchor="end">{escape(row.label)}</text>'
        )
        if row.value is None:
            parts.append(f'<text class="value" x="{label_width}" y="{y + row_height * 0.7}">—</text>')
            continue
        w = round(plot * row.value / top_value)
        parts.append(
            f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{w}" height="{row_height - 6}"/>'
        )
        text = f"{row.value} {unit}"
        if row.marker is not None:
            mx = label_width + round(plot * row.marker / top_value)
            parts.append(f'<line class="marker" x1="{mx}" y1="{y + 1}" x2="{mx}" y2="{y + row_height - 1}"/>')
            text += f" · {marker_name} {row.marker}"
        if row.note:
            text += f" · {row.note}"
        parts.append(
            f'<text class="value" x="{label_width + plot + 6}" y="{y + row_height * 0.7}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
