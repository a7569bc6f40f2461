"""``jiuzhu bench documents --count N --json``: N decision documents (附件9 adjustment notices, each with
its own household, amounts and number) generated the batch way — Django templates to HTML, then per 200-notice village chunk in a process pool (one
process per core) one WeasyPrint layout per notice shape, the other notices stamped from it (``batch_stamp``),
painted once as the merged PDF, each notice's pages cut out of it as its own PDF (``pdf_split``) into a ZIP — against one-at-a-time generation
(``render_pdf`` per notice, as the case page does) on a sample of the same notices in the same run,
whose per-notice median is extrapolated to N."""

from __future__ import annotations

import dataclasses
import os
import statistics
import sys
import tempfile
import time
import zipfile
from decimal import Decimal
from pathlib import Path

from jiuzhu.apps.documents.batch_render import Chunk, render_chunks
from jiuzhu.apps.documents.kinds import kind_get
from jiuzhu.apps.documents.render import cjk_font_check, html_to_pdf, render_html
from jiuzhu.apps.documents.samples import sample_build

from .common import peak_rss_mb

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "建国秀英小军桂兰志强海燕玉梅德明春花永红金凤文华国庆丽娟家豪淑珍振华晓东美玲红霞"
CHUNK = 200
BASELINE_SAMPLE = 20
TARGET_SECONDS = 120.0  # issue 17: 10 000 decision PDFs ≤ 2 min on a 2-core machine


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def notices(count: int) -> list[tuple[str, str]]:
    """(file name, HTML) of ``count`` distinct notices."""
    kind = kind_get("adjustment_notice")
    base = sample_build("adjustment_notice")
    out = []
    for i in range(count):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 2) % len(GIVEN)] + GIVEN[(i * 7 + 1) % len(GIVEN)]
        household = dataclasses.replace(base.household, head_name=name)
        old = Decimal(600 + i % 900).quantize(Decimal("0.01"))
        adjustment = dataclasses.replace(base.adjustment, notice_number=f"千岛湖镇救调字〔2026〕第{i + 1}号",
                                         old_amount=old, new_amount=old + Decimal("49.00"))
        ctx = dataclasses.replace(base, household=household, adjustment=adjustment)
        out.append((f"{i + 1:06d}-{name}-{kind.title}.pdf", render_html(kind, ctx)))
    return out


def run(*, count: int, processes: int | None = None, baseline: int = BASELINE_SAMPLE) -> dict:
    cjk_font_check()
    processes = processes or max(1, min(os.cpu_count() or 1, 8))
    started = time.perf_counter()
    docs = notices(count)
    html_seconds = time.perf_counter() - started
    chunks = [Chunk(key=str(n), names=tuple(f for f, _ in docs[s:s + CHUNK]), htmls=tuple(h for _, h in docs[s:s + CHUNK]))
              for n, s in enumerate(range(0, count, CHUNK))]
    _say(f"批量生成 {count} 份告知书（{len(chunks)} 批，{processes} 个进程）…")
    pages = files = layouts = 0
    cpu = 0.0
    parent_cpu = time.process_time()  # receiving the PDFs, writing the ZIP and merged PDFs
    with tempfile.TemporaryDirectory(prefix="jiuzhu-bench-docs-") as tmp:
        with zipfile.ZipFile(Path(tmp) / "notices.zip", "w", compression=zipfile.ZIP_STORED) as zf:
            for r in render_chunks(chunks, processes=processes):
                for name, pdf in r.files:
                    zf.writestr(name, pdf)
                (Path(tmp) / f"merged-{r.key}.pdf").write_bytes(r.merged or b"")
                pages += r.pages
                cpu += r.cpu_seconds
                layouts += r.layouts
                files += len(r.files)
        batch_seconds = time.perf_counter() - started
        parent_cpu = time.process_time() - parent_cpu
        if processes <= 1 or len(chunks) <= 1:  # the chunks were rendered in this process: counted in cpu
            parent_cpu = max(0.0, parent_cpu - cpu)
        size_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1024 ** 2
    _say(f"逐份生成 {baseline} 份作对照…")
    sample = docs[:: max(1, count // baseline)][:baseline]
    times, cpu_times = [], []
    for _, html in sample:
        t, c = time.perf_counter(), time.process_time()
        html_to_pdf(html)
        times.append(time.perf_counter() - t)
        cpu_times.append(time.process_time() - c)
    per_doc = statistics.median(times)
    cpu_per_doc = statistics.median(cpu_times)
    batch_cpu = cpu / max(files, 1)
    return {"bench": "documents", "documents": files, "pages": pages, "processes": processes, "chunk": CHUNK,
            "batch_layouts": layouts,
            "html_seconds": round(html_seconds, 2), "batch_seconds": round(batch_seconds, 2),
            "batch_ms_per_document": round(batch_seconds / max(files, 1) * 1000, 1),
            "batch_cpu_ms_per_document": round(batch_cpu * 1000, 1),
            "parent_cpu_ms_per_document": round(parent_cpu / max(files, 1) * 1000, 1),
            "batch_cpu_projected_seconds": round(html_seconds + (batch_cpu * count + parent_cpu / max(files, 1) * count)
                                                 / processes, 1),
            "output_mb": round(size_mb, 1),
            "baseline_sample": len(sample), "baseline_ms_per_document": round(per_doc * 1000, 1),
            "baseline_extrapolated_seconds": round(per_doc * count, 1),
            "baseline_cpu_ms_per_document": round(cpu_per_doc * 1000, 1),
            "speedup": round(per_doc * count / batch_seconds, 2) if batch_seconds else None,
            "target_seconds": TARGET_SECONDS if count == 10_000 else None,
            "target_met": (batch_seconds <= TARGET_SECONDS) if count == 10_000 else None,
            "peak_rss_mb": peak_rss_mb()}
