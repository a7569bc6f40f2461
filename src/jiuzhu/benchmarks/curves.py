"""Growth curves of the bulk benches (docs/scaling.md): the fitted log-log slope of time against size and
a log-log SVG chart, from the JSON lines the benches print (``"sizes": [...]`` per size).

``python -m jiuzhu.benchmarks.curves docs/scaling/*.json --svg docs/scaling.svg`` prints a Markdown
table (size, wall, CPU, peak RSS per point; slope per bench) and writes the chart. Pure Python,
deterministic: the same JSON gives the same SVG.
"""

from __future__ import annotations

import argparse
import json
import math
from html import escape
from pathlib import Path

from jiuzhu.apps.stats.svg_chart import COLORS, FONT

SIZE_KEYS = ("households", "persons", "enrollments")
UNITS = {"monitor": "persons", "visits": "persons", "relatives": "persons", "stats": "enrollments",
         "dashboard": "enrollments"}  # a bench's size unit when its JSON has several counts


def size_key(result: dict) -> str:
    unit = UNITS.get(result.get("bench", ""))
    return unit if unit and unit in result else next(k for k in SIZE_KEYS if k in result)


def points(result: dict) -> list[dict]:
    """(size, wall, cpu, rss) of each size of a bench result; size is the bench's own unit."""
    key = size_key(result)
    rows = result.get("sizes") or [result]
    return [{"size": int(r[key]), "seconds": float(r["seconds"]), "cpu_seconds": float(r.get("cpu_seconds") or 0),
             "peak_rss_mb": int(r.get("peak_rss_mb") or 0), "unit": key} for r in rows]


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log y against log x: 1 is linear growth, below 1 a fixed cost still
    showing, above 1 worse than linear."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    var = sum((a - mx) ** 2 for a in lx)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / var if var else 0.0


def size_at(pts: list[dict], seconds: float, key: str = "seconds") -> int:
    """The size at which the fitted line through the last two points reaches ``seconds``."""
    (x1, y1), (x2, y2) = [(p["size"], p[key]) for p in pts[-2:]]
    k = slope([x1, x2], [y1, y2]) or 1.0
    return round(x2 * (seconds / y2) ** (1 / k))


def table(results: dict[str, dict]) -> str:
    lines = ["| bench | size | wall s | CPU s | peak RSS MB |", "| --- | ---: | ---: | ---: | ---: |"]
    for name, result in results.items():
        for p in points(result):
            lines.append(f"| {name} | {p['size']:,} {p['unit']} | {p['seconds']:g} | {p['cpu_seconds']:g} | "
                         f"{p['peak_rss_mb']:,} |")
    lines += ["", "| bench | slope wall (log-log) | slope CPU (log-log) |", "| --- | ---: | ---: |"]
    for name, result in results.items():
        pts = points(result)
        xs = [p["size"] for p in pts]
        cpu = [p["cpu_seconds"] for p in pts]
        cpu_slope = f"{slope(xs, cpu):.2f}" if all(cpu) else "–"
        lines.append(f"| {name} | {slope(xs, [p['seconds'] for p in pts]):.2f} | {cpu_slope} |")
    return "\n".join(lines)


def chart_svg(results: dict[str, dict], *, width: int = 680, height: int = 320) -> str:
    """Log-log chart: per bench a solid line of wall seconds and a dashed one of CPU seconds, size (its
    own unit) across."""
    series = {}
    for name, r in results.items():
        for key, label in (("seconds", "墙钟"), ("cpu_seconds", "CPU")):
            pts = [(p["size"], p[key]) for p in points(r) if p[key] > 0]
            if pts:
                series[f"{name} {label}"] = pts
    xs = [x for s in series.values() for x, _ in s]
    ys = [y for s in series.values() for _, y in s]
    x0, x1 = 10 ** math.floor(math.log10(min(xs))), 10 ** math.ceil(math.log10(max(xs)))
    y0, y1 = 10 ** math.floor(math.log10(min(ys))), 10 ** math.ceil(math.log10(max(ys)))
    left, right, top, bottom = 60, 200, 30, 40
    pw, ph = width - left - right, height - top - bottom

    def px(x: float) -> float:
        return left + pw * (math.log10(x) - math.log10(x0)) / (math.log10(x1) - math.log10(x0))

    def py(y: float) -> float:
        return top + ph * (1 - (math.log10(y) - math.log10(y0)) / (math.log10(y1) - math.log10(y0)))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family=\'{FONT}\'>',
           f'<text x="{left}" y="18" font-size="13">{escape("批量任务耗时随规模增长（对数坐标）")}</text>']
    x = x0
    while x <= x1:
        out.append(f'<line x1="{px(x):.1f}" y1="{top}" x2="{px(x):.1f}" y2="{top + ph}" stroke="#ddd"/>')
        out.append(f'<text x="{px(x):.1f}" y="{top + ph + 14}" font-size="10" text-anchor="middle">{x:,.0f}</text>')
        x *= 10
    y = y0
    while y <= y1:
        out.append(f'<line x1="{left}" y1="{py(y):.1f}" x2="{left + pw}" y2="{py(y):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 4}" y="{py(y) + 3:.1f}" font-size="10" text-anchor="end">{y:g} s</text>')
        y *= 10
    out.append(f'<text x="{left + pw / 2}" y="{height - 6}" font-size="10" text-anchor="middle">'
               f'{escape("规模（户数或人数）")}</text>')
    benches = list(results)
    for i, (name, pts) in enumerate(series.items()):
        color = COLORS[next(j for j, b in enumerate(benches) if name.startswith(b + " ")) % len(COLORS)]
        dash = ' stroke-dasharray="5,3"' if name.endswith(" CPU") else ""
        path = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
        out += [f'<circle cx="{px(a):.1f}" cy="{py(b):.1f}" r="3" fill="{color}"/>' for a, b in pts]
        k = slope([a for a, _ in pts], [b for _, b in pts]) if len(pts) > 1 else 0.0
        ly = top + 14 + 16 * i
        out.append(f'<rect x="{left + pw + 12}" y="{ly - 8}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{left + pw + 26}" y="{ly + 1}" font-size="11">{escape(name)} '
                   f'{escape(f"斜率 {k:.2f}")}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def load(paths: list[str]) -> dict[str, dict]:
    """The last JSON line of each file, keyed by bench name (and engine when not DuckDB); files of the
    same bench at other sizes add their points to its curve."""
    results: dict[str, dict] = {}
    for path in paths:
        line = [x for x in Path(path).read_text(encoding="utf-8").splitlines() if x.strip().startswith("{")][-1]
        result = json.loads(line)
        name = result["bench"] + ("" if result.get("engine", "duckdb") == "duckdb" else f" ({result['engine']})")
        if name in results:  # the same bench run again at other sizes: one curve
            key = size_key(result)
            merged = {r[key]: r for r in (results[name].get("sizes") or [results[name]]) + (result.get("sizes") or [result])}
            result = {**result, "sizes": [merged[k] for k in sorted(merged)]}
        results[name] = result
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="+", help="bench JSON output files")
    parser.add_argument("--svg", default=None, help="write the log-log chart here")
    args = parser.parse_args(argv)
    results = load(args.files)
    print(table(results))
    if args.svg:
        Path(args.svg).write_text(chart_svg(results), encoding="utf-8")


if __name__ == "__main__":
    main()
