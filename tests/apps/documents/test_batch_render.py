"""Documents by the thousand (issue 17 §6): a chunk of documents is laid out once as a merged PDF and each
document's PDF is cut out of it by page range — each holds exactly its own pages and text."""

from __future__ import annotations

import io

from pypdf import PdfReader

from jiuzhu.apps.documents.batch_render import Chunk, render_chunk
from jiuzhu.apps.documents.pdf_split import PdfSplitter
from jiuzhu.apps.documents.render import html_to_pdf

PAGE = ('<html><head><style>body {{ font-family: "Noto Serif CJK SC", serif; }} @page {{ @bottom-center {{ '
        'content: "第 " counter(page) " 页  共 " counter(pages) " 页"; }} }}</style></head><body><h1>调整告知书</h1><p>{name}：你家保障金予以调整。</p>{extra}</body></html>')
NAMES = ("王建国", "李秀英", "张小军")


def _text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    return len(reader.pages), "".join(page.extract_text() for page in reader.pages)


def _pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_each_document_pdf_holds_its_own_pages_and_text():
    # given three documents, the second running over two pages
    htmls = [PAGE.format(name=n, extra='<p style="break-before: page">第二页</p>' if i == 1 else "")
             for i, n in enumerate(NAMES)]
    # when the chunk is rendered
    r = render_chunk(Chunk(key="v:1", names=("a.pdf", "b.pdf", "c.pdf"), htmls=tuple(htmls)))
    # then the merged PDF has every page and each document's PDF exactly its own
    assert r.pages == 4 and _text(r.merged)[0] == 4
    assert [name for name, _ in r.files] == ["a.pdf", "b.pdf", "c.pdf"]
    for (_, pdf), name, pages in zip(r.files, NAMES, (1, 2, 1), strict=True):
        count, text = _text(pdf)
        assert count == pages and f"{name}：" in text
        assert not any(other in text for other in NAMES if other != name)
    assert "第二页" in _text(r.files[1][1])[1]
    # and each reads as when printed alone, page footer included (第 1 页 共 2 页, not the chunk's numbers)
    assert [_pages_text(pdf) for _, pdf in r.files] == [_pages_text(html_to_pdf(h)) for h in htmls]
    assert "共 2 页" in _pages_text(r.files[1][1])[1] and "共 1 页" in _pages_text(r.files[2][1])[0]
    # and the same input gives the same bytes
    assert render_chunk(Chunk(key="v:1", names=("a.pdf", "b.pdf", "c.pdf"), htmls=tuple(htmls))).files == r.files


def test_splitter_cuts_any_page_range(settings):
    pdf = render_chunk(Chunk(key="v:1", names=("a", "b"), htmls=tuple(PAGE.format(name=n, extra="")
                                                                      for n in NAMES[:2]))).merged
    s = PdfSplitter(pdf)
    assert _text(s.extract(0, 2)) == (2, _text(pdf)[1])
    assert _text(s.extract(1, 2))[1].count("李秀英") == 1
