"""The kind registry, the context dataclasses' guards and the printed formats."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.apps.documents import contexts as c
from jiuzhu.apps.documents.formatting import format_date, format_month, format_yuan
from jiuzhu.apps.documents.kinds import ALL_KIND_CODES, KIND_CODES, KINDS, NOTICE_KINDS, kind_get
from jiuzhu.rules.errors import ValidationFailed

SEED_ORDER = [
    (1, "authorization", "委托授权书"),
    (2, "economic_info", "申请家庭经济状况信息表"),
    (3, "application", "社会救助申请书"),
    (4, "survey", "入户调查表"),
    (5, "confirmation_form", "最低生活保障(特困供养)审核确认表"),
    (6, "initial_notice", "新增最低生活保障(特困供养)对象初审公示单"),
    (7, "denial_letter", "最低生活保障(特困供养)不予批准决定书"),
    (8, "confirmation_notice", "最低生活保障(特困供养)对象审核确认公示单"),
    (9, "adjustment_notice", "最低生活保障(特困供养)金调整(停发)告知书"),
]


def test_registry_follows_the_seed_order():
    assert [(k.number, k.code, k.title) for k in KINDS] == SEED_ORDER
    assert KIND_CODES == tuple(code for _, code, _ in SEED_ORDER)
    assert set(c.CONTEXT_TYPES) == set(ALL_KIND_CODES)
    assert kind_get("survey").template == "documents/04_survey.html"
    assert kind_get("survey").attachment_label == "附件4"


def test_step_notices_are_kinds_without_an_attachment_number_bound_after_the_application():
    """年审 plan 三(2)一 / 审核确认权下放 plan 二(二)1–2: 受理告知书、不予受理告知书、核对不符告知、一次性告知."""
    titles = {k.code: k.title for k in NOTICE_KINDS}
    assert titles["acceptance_notice"] == "申请最低生活保障(特困供养)受理告知书"
    assert titles["non_acceptance_notice"] == "申请最低生活保障(特困供养)不予受理告知书"
    for k in NOTICE_KINDS:
        assert k.attachment_label == "" and kind_get("application").order < k.order < kind_get("survey").order


@pytest.mark.parametrize("kind", [k.code for k in NOTICE_KINDS])
def test_step_notice_samples_render_with_the_name_and_number(kind):
    from jiuzhu.apps.documents.render import render_html

    ctx = c.sample_context(kind)
    html = render_html(kind, ctx)
    assert kind_get(kind).title in html and ctx.household.head_name in html and ctx.notice_number in html


def test_step_notices_refuse_empty_reasons_or_items():
    base = c.sample_context("non_acceptance_notice")
    with pytest.raises(ValidationFailed):
        c.NonAcceptanceNoticeContext(base.header, base.household, "1", date(2026, 1, 1), (), "某镇人民政府", base.remedy)
    m = c.sample_context("materials_notice")
    with pytest.raises(ValidationFailed):
        c.MaterialsNoticeContext(m.header, m.household, "1", date(2026, 1, 1), ("",), "某镇人民政府", "12345")


def test_unknown_kind_is_a_clear_error():
    with pytest.raises(ValidationFailed) as err:
        kind_get("payslip")
    assert err.value.code == "document_kind_unknown"


@pytest.mark.parametrize(
    "case, value, expected",
    [
        ("thousands", Decimal("1234"), "1,234.00 元"),
        ("cents", Decimal("2334.5"), "2,334.50 元"),
        ("million", Decimal("1234567.89"), "1,234,567.89 元"),
        ("zero", Decimal("0.00"), "0.00 元"),
        ("none", None, "—"),
    ],
)
def test_format_yuan(case, value, expected):
    assert format_yuan(value) == expected, case


def test_format_refuses_float_and_sub_fen():
    with pytest.raises(TypeError):
        format_yuan(1234.5)
    with pytest.raises(ValueError):
        format_yuan(Decimal("1.005"))


def test_dates_print_in_chinese():
    assert format_date(date(2026, 11, 30)) == "2026年11月30日"
    assert format_month(date(2026, 12, 1)) == "2026年12月"
    assert "年" in format_date(None) and "2" not in format_date(None)


def test_money_fields_refuse_float():
    # given a notice row with a float amount / when built / then refused with a code
    with pytest.raises(ValidationFailed) as err:
        c.NoticeRow("张建国", 4, 2334.5)
    assert err.value.code == "document_money_invalid"


def test_member_refuses_unmasked_id_number():
    with pytest.raises(ValidationFailed) as err:
        c.Member("张建国", "户主", "330127196503081236", 61, "男", "健康", "", "有劳动能力")
    assert err.value.code == "document_id_unmasked"
    assert c.Member("张建国", "户主", "3301**********1236", 61, "男", "健康", "", "有劳动能力")


def test_survey_needs_two_investigators():
    with pytest.raises(ValidationFailed) as err:
        c.Survey(date(2026, 11, 10), ("陈志明",), "", "")
    assert err.value.code == "document_investigators_too_few"


def test_adjustment_stop_has_no_new_amount():
    remedy = c.Remedy("淳安县人民政府", "淳安县人民法院")
    args = dict(notice_number="1", old_amount=Decimal("100.00"), effective_month=date(2027, 1, 1),
                reason="r", legal_ground="g", issuer="i", remedy=remedy)
    assert c.Adjustment(action="stop", new_amount=None, **args).action_label == "停发"
    with pytest.raises(ValidationFailed):
        c.Adjustment(action="stop", new_amount=Decimal("50.00"), **args)
    with pytest.raises(ValidationFailed):
        c.Adjustment(action="decrease", new_amount=None, **args)


def test_remedy_uses_the_statutory_periods_and_named_bodies():
    text = c.Remedy("淳安县人民政府", "淳安县人民法院").text_for("本决定书")
    assert "自收到本决定书之日起六十日内向淳安县人民政府申请行政复议" in text
    assert "自收到本决定书之日起六个月内，依法向淳安县人民法院提起行政诉讼" in text


@pytest.mark.parametrize("program", ["dibao", "tekun"])
@pytest.mark.parametrize("kind", KIND_CODES)
def test_sample_context_fits_its_kind(kind, program):
    ctx = c.sample_context(kind, program)
    assert isinstance(ctx, c.CONTEXT_TYPES[kind])
    assert ctx.header.program == program
