"""Documents by the thousand (issue 17 §6): many rendered HTML documents of one village laid out by
WeasyPrint as one document (fonts, styles and layout set up once) — one layout per document *shape*, the
other documents of that shape stamped from it (``batch_stamp``) and painted by replaying its operators
(``batch_paint``) — written as the village's merged PDF for printing and cut into one PDF per document by
page range (the pages are copied out of the merged PDF by ``pdf_split``, not painted again).

The work is split into chunks that a process pool renders in parallel; the functions here import no
Django, so a spawned worker process needs nothing but WeasyPrint and the system fonts."""

from __future__ import annotations

import re
import time
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
    stamp: bool = True  # stamp documents of one shape from one layout (``batch_stamp``); False: lay out each


@dataclass(frozen=True)
class Rendered:
    key: str
    merged: bytes | None
    files: tuple[tuple[str, bytes], ...]
    pages: int
    cpu_seconds: float = 0.0  # CPU time of the worker on this chunk (the bench reports it: the machine is shared)
    layouts: int = 0  # documents WeasyPrint laid out (the others were stamped)


PAGES = "jiuzhu-doc-pages"
# Each document is a page group of its own (named pages alternate between neighbours), whose first page
# restarts the page counter; "共 N 页" reads the document's page count from a named string, so every
# document keeps the footer it has when printed alone (第 1 页 共 1 页), not the chunk's page numbers.
_GROUPS = ("jzda", "jzdb")
_GROUP_CSS = "".join(f"@page {g}:nth(1 of {g}) {{ counter-reset: page 1; }}" for g in _GROUPS)


def merge_html(htmls, pages=None) -> str:
    """One page holding every document's body, each starting on a new sheet, marked by an anchor;
    ``pages[i]``: document i's page count (1 when not known yet)."""
    first = htmls[0]
    head = _HEAD.match(first)
    top = (head.group(1) if head else "<html><head></head>").replace("counter(pages)", f"string({PAGES})")
    top = top.replace("</head>", f"<style>{_GROUP_CSS}</style></head>", 1)
    parts = [top, "<body>"]
    for i, html in enumerate(htmls):
        m = _BODY.search(html)
        body = m.group(1) if m else html
        count = pages[i] if pages else 1
        parts.append(f'<section id="{ANCHOR}{i}" style="page: {_GROUPS[i % 2]}; string-set: {PAGES} \'{count}\'">'
                     f"{body}</section>")
    parts.append("</body></html>")
    return "".join(parts)


def _refuse(url, *args, **kwargs):
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url)
    raise ValueError(f"refused non-local URL: {url}")


def _layout(HTML, htmls, pages):
    doc = HTML(string=merge_html(htmls, pages), base_url=None, url_fetcher=_refuse).render()
    starts: dict[int, int] = {}
    for number, page in enumerate(doc.pages):
        for anchor in page.anchors:
            if anchor.startswith(ANCHOR):
                starts.setdefault(int(anchor[len(ANCHOR):]), number)  # a long document spans pages
    return doc, [starts[i] for i in range(len(htmls))] + [len(doc.pages)]


def _laid_out(HTML, htmls):
    """The WeasyPrint document of ``htmls`` laid out in one pass (again if some runs over several pages)
    and each document's pages."""
    doc, bounds = _layout(HTML, htmls, None)
    counts = [b - a for a, b in zip(bounds, bounds[1:], strict=False)]
    if any(c != 1 for c in counts):  # a document over several pages: lay out again with the right "共 N 页"
        doc, bounds = _layout(HTML, htmls, counts)
    return doc, [doc.pages[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def render_chunk(chunk: Chunk) -> Rendered:
    """The chunk's merged PDF and one PDF per document cut from it (same bytes for the same input).

    One document of each shape is laid out by WeasyPrint; the others of its shape are stamped from that
    layout (``batch_stamp``) or, when a stamp is not exact, laid out in a second pass."""
    from weasyprint import HTML

    from .batch_stamp import Prototype, shape_key
    from .pdf_split import PdfSplitter

    cpu = time.process_time()
    htmls = chunk.htmls
    keys = [shape_key(h) if chunk.stamp else None for h in htmls]
    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key is not None:
            first.setdefault(key, i)
    own = [i for i, key in enumerate(keys) if key is None or first[key] == i]
    document, laid = _laid_out(HTML, [htmls[i] for i in own])
    pages: dict[int, list] = dict(zip(own, laid, strict=True))
    prototypes = {key: Prototype(htmls[i], pages[i]) for key, i in first.items()}
    for key, i in first.items():
        pages[i] = prototypes[key].pages  # painted first: they record what the stamped pages replay
    rest = []
    for i, key in enumerate(keys):
        if i not in pages:
            stamped = prototypes[key].stamp(htmls[i])  # type: ignore[index]
            if stamped is None:
                rest.append(i)
            else:
                pages[i] = stamped
    if rest:
        pages.update(zip(rest, _laid_out(HTML, [htmls[i] for i in rest])[1], strict=True))
    ordered = [pages[i] for i in range(len(htmls))]
    bounds = [0]
    for doc_pages in ordered:
        bounds.append(bounds[-1] + len(doc_pages))
    every = [page for doc_pages in ordered for page in doc_pages]
    for page in every:
        page.bookmarks = []  # no outline: every document of the chunk would repeat its headings
    merged = document.copy(every).write_pdf()  # one paint and one font subset for the chunk
    splitter = PdfSplitter(merged)
    files = tuple((name, splitter.extract(bounds[i], bounds[i + 1])) for i, name in enumerate(chunk.names))
    return Rendered(chunk.key, merged if chunk.merged else None, files, len(every), time.process_time() - cpu,
                    len(own) + len(rest))


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
