"""Bar charts as SVG text, drawn in pure Python for the PDFs (WeasyPrint renders inline SVG, and the
labels use the shipped CJK font by family name, like the documents' HTML). Input is a panel's chart
dict (``{"categories": [...], "series": [{"name", "data"}]}``, as for the dashboard's ECharts), so
the printed chart shows exactly the numbers of the table under it. Deterministic: same data, same
SVG. No script, no external reference; every label is escaped."""

from __future__ import annotations

import math
from decimal import Decimal
from html import escape

FONT = '"Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Micro Hei", sans-serif'
COLORS = ("#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc")
LABEL_MAX = 10  # characters of a category label under the axis


def _num(value) -> float:
    if value is None:
        return 0.0
    return float(value) if isinstance(value, int | float | Decimal) else 0.0


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round axis ticks from 0 to at least ``top`` (1, 2 or 5 × a power of ten apart)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    n = math.ceil(top / step - 1e-9)
    return [i * step for i in range(n + 1)]


def _tick_label(value: float) -> str:
    if value >= 10000:
        return f"{value / 10000:g}万"
    return f"{value:g}"


def _text(x: float, y: float, text: str, *, size: float = 10, anchor: str = "middle", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-family=\'{FONT}\''
            f'{extra}>{escape(str(text))}</text>')


def bar_chart_svg(chart: dict, *, title: str = "", stacked: bool = False, width: int = 680, height: int = 260) -> str:
    """An SVG bar chart of ``chart`` (grouped bars, or stacked when ``stacked``) with a legend, the
    y axis in round ticks and the category labels (shortened to LABEL_MAX characters)."""
    categories = [str(c) for c in chart.get("categories", [])]
    series = [(str(s.get("name", "")), [_num(v) for v in s.get("data", [])]) for s in chart.get("series", [])]
    left, right, top, bottom = 56, 12, 26 + (18 if title else 0), 44
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">']
    if title:
        parts.append(_text(width / 2, 14, title, size=12, extra=' font-weight="bold"'))
    # legend
    x = left
    for i, (name, _data) in enumerate(series):
        color = COLORS[i % len(COLORS)]
        parts.append(f'<rect x="{x}" y="{top - 20}" width="10" height="10" fill="{color}"/>')
        parts.append(_text(x + 14, top - 11, name, size=9, anchor="start"))
        x += 24 + 9 * len(name)
    n = len(categories)
    if not n or not series:
        parts.append(_text(width / 2, top + plot_h / 2, "暂无数据", size=11))
        parts.append("</svg>")
        return "".join(parts)
    values = [[d[j] if j < len(d) else 0.0 for j in range(n)] for _name, d in series]
    peak = max((sum(max(v[j], 0) for v in values) for j in range(n)), default=0) if stacked else \
        max((max(v, default=0) for v in values), default=0)
    ticks = nice_ticks(peak)
    scale = plot_h / ticks[-1]
    base = top + plot_h
    for t in ticks:
        y = base - t * scale
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd" stroke-width="0.6"/>')
        parts.append(_text(left - 4, y + 3, _tick_label(t), size=8, anchor="end"))
    parts.append(f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#333" stroke-width="0.8"/>')
    slot = plot_w / n
    groups = 1 if stacked else len(series)
    bar = max(min(slot * 0.7 / groups, 40), 1)
    for j, category in enumerate(categories):
        x0 = left + slot * j + (slot - bar * groups) / 2
        stack_top = float(base)
        for i, v in enumerate(values):
            h = max(v[j], 0) * scale
            color = COLORS[i % len(COLORS)]
            if stacked:
                stack_top -= h
                parts.append(f'<rect x="{x0:.1f}" y="{stack_top:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{color}"/>')
            else:
                parts.append(f'<rect x="{x0 + bar * i:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                             f'fill="{color}"/>')
        label = category if len(category) <= LABEL_MAX else category[: LABEL_MAX - 1] + "…"
        size = 9 if n <= 12 else 7
        parts.append(_text(left + slot * (j + 0.5), base + 13, label, size=size))
    parts.append("</svg>")
    return "".join(parts)
