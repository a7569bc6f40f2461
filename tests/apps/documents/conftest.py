"""Render the nine sample documents once per test session (≈2 s) and share them."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from pypdf import PdfReader

from jiuzhu.apps.documents.contexts import sample_context
from jiuzhu.apps.documents.kinds import KINDS
from jiuzhu.apps.documents.render import render_pdf


@dataclass(frozen=True)
class Rendered:
    ctx: object
    pdf: bytes
    text: str  # extracted text, all whitespace removed (lines wrap anywhere in CJK)
    pages: int


def pdf_text(pdf: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", "", text), len(reader.pages)


@pytest.fixture(scope="session")
def rendered() -> dict[str, Rendered]:
    out = {}
    for kind in KINDS:
        ctx = sample_context(kind.code)
        pdf = render_pdf(kind.code, ctx)
        text, pages = pdf_text(pdf)
        out[kind.code] = Rendered(ctx, pdf, text, pages)
    return out
