"""Render case documents to HTML (Django templates) and PDF (WeasyPrint), offline.

Fonts are the system's Noto Serif/Sans CJK SC (Debian ``fonts-noto-cjk``), found by fontconfig
through the CSS family names. Not ``@font-face local()``: WeasyPrint would copy the whole font
collection (tens of MB) into a temp folder for every document and embed it under the alias name.
Without a CJK font Chinese would print as empty boxes without any error, so the first PDF of a
process checks that a CJK font really gets embedded and fails loudly otherwise.
WeasyPrint may read ``file:`` and ``data:`` URLs only; anything else is refused.
"""

from __future__ import annotations

import functools
import io
import logging

from django.template.loader import render_to_string

from jiuzhu.rules.errors import DomainError, ValidationFailed

from .contexts import CONTEXT_TYPES, context_as_dict
from .kinds import DocumentKind, kind_get

log = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("file", "data")
CJK_FONT_MARKERS = ("CJK", "WenQuanYi", "WQY")


class DocumentRenderError(DomainError):
    status = 500


@functools.cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        """Refuses every URL that is not ``file:`` or ``data:``; records what it refused."""

        def __init__(self, **kwargs):
            super().__init__(allowed_protocols=ALLOWED_SCHEMES, **kwargs)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme not in ALLOWED_SCHEMES:
                self.refused.append(url)
                log.warning("document rendering refused to fetch %s", url)
                raise ValueError(f"refused non-local URL: {url}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher


def local_only_fetcher():
    """A WeasyPrint URL fetcher that never touches the network (``.refused`` lists attempts)."""
    return _fetcher_class()()


def render_html(kind: str | DocumentKind, ctx) -> str:
    """The document as a complete HTML page (autoescaped: user text cannot inject markup)."""
    k = kind_get(kind)
    expected = CONTEXT_TYPES[k.code]
    if not isinstance(ctx, expected):
        raise ValidationFailed(
            "document_context_mismatch",
            f"文书“{k.title}”需要 {expected.__name__}，收到 {type(ctx).__name__}",
            field="ctx",
        )
    return render_to_string(k.template, {"kind": k, **context_as_dict(ctx)})


def html_to_pdf(html: str, *, fetcher=None) -> bytes:
    """PDF bytes for an HTML page; same input → same bytes (no dates in the metadata)."""
    from weasyprint import HTML

    fetcher = fetcher or local_only_fetcher()
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()


def render_pdf(kind: str | DocumentKind, ctx) -> bytes:
    """The document as an A4 PDF with embedded CJK fonts."""
    cjk_font_check()
    return html_to_pdf(render_html(kind, ctx))


def pdf_font_names(pdf: bytes) -> set[str]:
    """The base font names embedded in a PDF (``Noto-Serif-CJK-SC`` …, subset tag removed)."""
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            base = str(ref.get_object().get("/BaseFont", ""))
            names.add(base.lstrip("/").split("+", 1)[-1])
    return names


@functools.lru_cache(maxsize=1)
def cjk_font_check() -> str:
    """Render a probe once per process; the embedded font name, or raise if it is not CJK."""
    probe = html_to_pdf(
        '<html><body style="font-family: \'Noto Serif CJK SC\', \'Noto Sans CJK SC\', '
        '\'WenQuanYi Micro Hei\', serif">最低生活保障</body></html>'
    )
    names = pdf_font_names(probe)
    cjk = sorted(n for n in names if any(m.lower() in n.lower() for m in CJK_FONT_MARKERS))
    if not cjk:
        raise DocumentRenderError(
            "document_cjk_font_missing",
            "未找到中文字体，文书无法正确显示汉字。请安装 Debian 软件包 fonts-noto-cjk。",
            fonts=sorted(names),
        )
    return cjk[0]
