"""Documents by the thousand (issue 17 §6): many rendered HTML documents of one village laid out in ONE
WeasyPrint pass (fonts, styles and layout set up once), written as the village's merged PDF for printing
and cut into one PDF per document by page range (anchors mark where each document starts; the pages
are copied out of the merged PDF by ``pdf_split``, not painted again).

The work is split into chunks that a process pool renders in parallel; the functions here import no
Django, so a spawned worker process needs nothing but WeasyPrint and the system fonts."""

from __future__ import annotations

import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

ANCHOR = "batch-doc-"
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)
_HEAD = re.compile(r"^(.*?)<body", re.S)


@dataclass(frozen=True)
class Chunk:
    """Documents laid out together: ``htmls`` are complete pages made by the same template."""

    key: str
    names: tuple[str, ...]
    htmls: tuple[str, ...]
    merged: bool = True  # write the merged PDF too


@dataclass(frozen=True)
class Rendered:
    key: str
    merged: bytes | None
    files: tuple[tuple[str, bytes], ...]
    pages: int


def merge_html(htmls) -> str:
    """One page holding every document's body, each starting on a new sheet, marked by an anchor."""
    first = htmls[0]
    head = _HEAD.match(first)
    parts = [head.group(1) if head else "<html><head></head>", "<body>"]
    for i, html in enumerate(htmls):
        m = _BODY.search(html)
        body = m.group(1) if m else html
        brk = "" if i == 0 else "break-before: page;"
        parts.append(f'<section id="{ANCHOR}{i}" style="{brk}">{body}</section>')
    parts.append("</body></html>")
    return "".join(parts)


def _refuse(url, *args, **kwargs):
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url)
    raise ValueError(f"refused non-local URL: {url}")


def render_chunk(chunk: Chunk) -> Rendered:
    """The chunk's merged PDF and one PDF per document cut from it (same bytes for the same input)."""
    from weasyprint import HTML

    from .pdf_split import PdfSplitter

    doc = HTML(string=merge_html(chunk.htmls), base_url=None, url_fetcher=_refuse).render()
    starts: dict[int, int] = {}
    for number, page in enumerate(doc.pages):
        for anchor in page.anchors:
            if anchor.startswith(ANCHOR):
                starts.setdefault(int(anchor[len(ANCHOR):]), number)  # a long document spans pages
    bounds = [starts[i] for i in range(len(chunk.htmls))] + [len(doc.pages)]
    merged = doc.write_pdf()  # one paint and one font subset for the whole chunk
    splitter = PdfSplitter(merged)
    files = tuple((name, splitter.extract(bounds[i], bounds[i + 1])) for i, name in enumerate(chunk.names))
    return Rendered(chunk.key, merged if chunk.merged else None, files, len(doc.pages))


def render_chunks(chunks: list[Chunk], *, processes: int, on_done=None):
    """Render ``chunks`` in ``processes`` worker processes (1: in this process), yielding each result as
    it is finished (in order); ``on_done(rendered)`` is called for each."""
    if processes <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            result = render_chunk(chunk)
            if on_done:
                on_done(result)
            yield result
        return
    with ProcessPoolExecutor(max_workers=processes, mp_context=get_context("spawn")) as pool:
        for result in pool.map(render_chunk, chunks):
            if on_done:
                on_done(result)
            yield result
