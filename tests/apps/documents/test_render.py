"""Each of the nine documents renders to a printable A4 PDF with real Chinese text, offline."""

from __future__ import annotations

import io
import socket
from dataclasses import replace

import pytest
from pypdf import PdfReader

from jiuzhu.apps.documents import render
from jiuzhu.apps.documents.contexts import sample_context
from jiuzhu.apps.documents.formatting import format_yuan
from jiuzhu.apps.documents.kinds import KIND_CODES, kind_get
from jiuzhu.apps.documents.render import pdf_font_names, render_html, render_pdf
from jiuzhu.rules.errors import ValidationFailed

from .conftest import pdf_text


def _amounts(code, ctx):
    """The amounts each document must print (authorization carries none; denial none of its own)."""
    if code == "economic_info":
        return [ctx.declaration.monthly_income_total, ctx.declaration.monthly_income_per_capita]
    if code in ("application", "survey"):
        return [ctx.declaration.monthly_income_total]
    if code == "confirmation_form":
        return [ctx.review.proposed_amount, ctx.confirmation.monthly_amount]
    if code in ("initial_notice", "confirmation_notice"):
        return [r.monthly_amount for r in ctx.notice.rows]
    if code == "adjustment_notice":
        return [ctx.adjustment.old_amount, ctx.adjustment.new_amount]
    return []


@pytest.mark.parametrize("code", KIND_CODES)
def test_pdf_has_title_head_and_amounts(rendered, code):
    doc = rendered[code]
    # then the title, the attachment number and the household head's name are real text
    assert kind_get(code).title in doc.text
    assert kind_get(code).attachment_label in doc.text
    assert "张建国" in doc.text
    for amount in _amounts(code, doc.ctx):
        assert format_yuan(amount).replace(" ", "") in doc.text, amount


@pytest.mark.parametrize("code", KIND_CODES)
def test_pdf_is_a4_and_embeds_a_cjk_font(rendered, code):
    doc = rendered[code]
    reader = PdfReader(io.BytesIO(doc.pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    fonts = pdf_font_names(doc.pdf)
    assert any("Noto-Serif-CJK-SC" in name for name in fonts), fonts
    assert "\ufffd" not in doc.text  # nothing lost in extraction
    assert f"第1页共{doc.pages}页" in doc.text


def test_documents_carry_their_specific_content(rendered):
    denial = rendered["denial_letter"]
    assert "六十日内向淳安县人民政府申请行政复议" in denial.text
    assert "六个月内，依法向淳安县人民法院提起行政诉讼" in denial.text
    assert "送达回证" in denial.text
    confirmation = rendered["confirmation_form"]
    assert "R-DB-07" in confirmation.text and "2026年12月" in confirmation.text
    assert "同意纳入" in confirmation.text
    assert "盖章" in confirmation.text and "签字" in confirmation.text
    survey = rendered["survey"]
    assert "陈志明（镇经办人）、刘小芳（村协理员）" in survey.text
    adjustment = rendered["adjustment_notice"]
    assert "2027年1月" in adjustment.text and "减发" in adjustment.text


def test_public_notices_show_no_id_or_address(rendered):
    for code in ("initial_notice", "confirmation_notice"):
        text = rendered[code].text
        assert "********" not in text and "12号" not in text and "慢性病" not in text


def test_tekun_survey_prints_the_self_care_assessment():
    text, _ = pdf_text(render_pdf("survey", sample_context("survey", "tekun")))
    assert "生活自理能力评估" in text and "部分丧失生活自理能力" in text
    assert "特困人员救助供养" in text and "王德福" in text


def test_user_text_is_escaped():
    # given a household head whose name carries markup
    ctx = sample_context("authorization")
    evil = "张<script>alert(1)</script>&"
    head = replace(ctx.household.members[0], name=evil)
    ctx = replace(ctx, household=replace(ctx.household, head_name=evil,
                                         members=(head, *ctx.household.members[1:])))
    # when rendered
    html = render_html("authorization", ctx)
    text, _ = pdf_text(render_pdf("authorization", ctx))
    # then it is printed as text, never as markup
    assert "<script>" not in html
    assert "张&lt;script&gt;alert(1)&lt;/script&gt;&amp;" in html
    assert "张<script>alert(1)</script>&" in text


def test_wrong_context_type_is_refused():
    with pytest.raises(ValidationFailed) as err:
        render_html("denial_letter", sample_context("survey"))
    assert err.value.code == "document_context_mismatch"


def test_same_context_same_bytes(rendered):
    doc = rendered["initial_notice"]
    assert render_pdf("initial_notice", doc.ctx) == doc.pdf


REMOTE_HTML = """<html><head>
<link rel="stylesheet" href="https://cdn.example.com/style.css">
<style>@import url("http://203.0.113.5/x.css");
@font-face { font-family: Remote; src: url("https://fonts.example.com/f.woff2"); }
body { font-family: Remote, "Noto Serif CJK SC"; background: url("http://203.0.113.5/bg.png"); }</style>
</head><body><img src="http://203.0.113.5/logo.png"><p>最低生活保障</p></body></html>"""


@pytest.fixture
def no_network(monkeypatch):
    attempts = []

    def boom(*args, **kwargs):
        attempts.append(args)
        raise AssertionError("network access during document rendering")

    monkeypatch.setattr(socket, "create_connection", boom)
    monkeypatch.setattr(socket, "getaddrinfo", boom)
    monkeypatch.setattr(socket.socket, "connect", boom)
    return attempts


def test_render_pdf_never_fetches_a_remote_url(monkeypatch, no_network):
    # given a template that (wrongly) references remote resources, and a spy on the fetcher
    fetchers = []

    def spy():
        fetchers.append(render._fetcher_class()())
        return fetchers[-1]

    monkeypatch.setattr(render, "local_only_fetcher", spy)
    monkeypatch.setattr(render, "render_html", lambda kind, ctx: REMOTE_HTML)
    # when rendered
    pdf = render_pdf("authorization", sample_context("authorization"))
    # then the PDF is made, every remote URL was refused and no socket was touched
    assert pdf.startswith(b"%PDF-")
    refused = fetchers[-1].refused
    assert {"https://cdn.example.com/style.css", "http://203.0.113.5/x.css",
            "http://203.0.113.5/logo.png", "https://fonts.example.com/f.woff2"} <= set(refused)
    assert no_network == []
