"""Documents by the thousand (issue 17 §6): many rendered HTML documents of one village laid out in ONE
WeasyPrint pass (fonts, styles and layout set up once), written as the village's merged PDF for printing
and split into one PDF per document by page range (anchors mark where each document starts).

The work is split into chunks that a process pool renders in parallel; the functions here import no
Django, so a spawned worker process needs nothing but WeasyPrint and the system fonts."""

from __future__ import annotations

import re
import threading
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


_local = threading.local()


def _install_subset_cache() -> None:
    """Font subsetting is most of a one-page PDF's cost (a CJK font holds ~65 000 glyphs). Within a chunk
    the merged PDF is written first, its fonts subset to every glyph of the chunk; each document's PDF
    then embeds that same subset instead of cutting its own (glyph ids are kept, so it serves every page
    of the chunk; widths and the ToUnicode map are still built per document). Outside ``_chunk_fonts``
    WeasyPrint behaves as usual."""
    from weasyprint.pdf import fonts

    if getattr(fonts.Font.subset, "jiuzhu_chunk_cache", False):
        return
    original = fonts.Font.subset

    def subset(self, to_unicode, hinting):
        cache = getattr(_local, "subsets", None)
        if cache is None:
            return original(self, to_unicode, hinting)
        key = (self.hash, self.index, bool(hinting))
        if key in cache:
            self.file_content = cache[key]
            return None
        original(self, to_unicode, hinting)
        cache[key] = self.file_content
        return None

    subset.jiuzhu_chunk_cache = True  # type: ignore[attr-defined]
    fonts.Font.subset = subset


def render_chunk(chunk: Chunk) -> Rendered:
    """The chunk's merged PDF and one PDF per document (same bytes for the same input)."""
    from weasyprint import HTML

    _install_subset_cache()
    _local.subsets = {}
    try:
        return _render(chunk, HTML)
    finally:
        _local.subsets = None


def _render(chunk: Chunk, HTML) -> Rendered:
    doc = HTML(string=merge_html(chunk.htmls), base_url=None, url_fetcher=_refuse).render()
    starts = {}
    for number, page in enumerate(doc.pages):
        for anchor in page.anchors:
            if anchor.startswith(ANCHOR):
                starts[int(anchor[len(ANCHOR):])] = number
    bounds = [starts[i] for i in range(len(chunk.htmls))] + [len(doc.pages)]
    merged = doc.write_pdf()  # first: its fonts are subset to the whole chunk's glyphs
    files = tuple((name, doc.copy(doc.pages[bounds[i]:bounds[i + 1]]).write_pdf())
                  for i, name in enumerate(chunk.names))
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
