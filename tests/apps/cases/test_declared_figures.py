"""Issue 13 §1 "Declared vs verified": the 核对 result is compared item by item with the declaration
under the county tolerance, and the case page, the 初审 proposal and 附件2/4/5 use one set of figures."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from jiuzhu.apps.cases.documents import contexts
from jiuzhu.apps.programs.figures import case_figures, comparison_view
from jiuzhu.apps.registry.models import Household, Person
from jiuzhu.rules.errors import ValidationFailed

from .flow import EVENT_DAY, SURVEY, act, submit

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)


def _declare(household, *, wage="0", financial="0"):
    head = household.memberships.get(relation="head").person
    Person.objects.filter(pk=head.pk).update(wage=Decimal(wage))
    Household.objects.filter(pk=household.pk).update(financial_assets=Decimal(financial))
    return head


def _item(member, item, amount):
    return {"member": member, "source": "人社", "item": item, "amount": str(amount), "as_of": EVENT_DAY}


def _verify(people, household, items, conclusion):
    case = submit(people["caseworker"], household, day=DAY)
    case = act(people["caseworker"], case, "request_verification", DAY + timedelta(days=1))
    return act(people["county"], case, "record_verification", DAY + timedelta(days=2),
               {"items": items, "conclusion": conclusion, "note": "核对"})


def test_consistent_is_refused_when_an_item_differs_beyond_the_tolerance_and_names_it(people, household):
    # given a declared wage of 2000 (淳安县 tolerance: max(10 元, 5 %) = 100 元)
    head = _declare(household, wage="2000")
    case = submit(people["caseworker"], household, day=DAY)
    case = act(people["caseworker"], case, "request_verification", DAY + timedelta(days=1))
    # when the county records "与申报一致" with a verified wage of 2101
    with pytest.raises(ValidationFailed) as err:
        act(people["county"], case, "record_verification", DAY + timedelta(days=2),
            {"items": [_item(head.pk, "wage", "2101")], "conclusion": "consistent", "note": ""})
    # then it is refused, naming the member, the item and both figures; nothing is recorded
    assert err.value.code == "verification.differs_from_declaration"
    assert err.value.details["field"] == "conclusion"
    assert "张建国 工资性收入（元/月） 申报 2000.00、核对 2101.00" in err.value.message
    assert "10 元、申报额的 5%" in err.value.message
    case.refresh_from_db()
    assert case.state == "verifying" and not case.records.filter(kind="verification").exists()
    # and within the tolerance (2100 = 2000 + 5 %) it is recorded
    case = act(people["county"], case, "record_verification", DAY + timedelta(days=2),
               {"items": [_item(head.pk, "wage", "2100")], "conclusion": "consistent", "note": ""})
    assert case.state == "verified"


def test_counts_and_assets_are_compared_and_inconsistent_may_always_be_recorded(people, household):
    head = _declare(household, financial="1000")
    items = [_item(head.pk, "financial", "5000"), _item(head.pk, "vehicle", "20000")]
    case = submit(people["caseworker"], household, day=DAY)
    case = act(people["caseworker"], case, "request_verification", DAY + timedelta(days=1))
    with pytest.raises(ValidationFailed) as err:
        act(people["county"], case, "record_verification", DAY + timedelta(days=2),
            {"items": items, "conclusion": "consistent", "note": ""})
    assert "全户 金融资产（元） 申报 1000.00、核对 5000.00" in err.value.message
    assert "全户 机动车（辆） 申报 0、核对 1" in err.value.message
    case = act(people["county"], case, "record_verification", DAY + timedelta(days=2),
               {"items": items, "conclusion": "inconsistent", "note": "存款与车辆与申报不符"})
    assert case.state == "verified"


def test_an_item_verification_did_not_report_keeps_the_declaration(people, household):
    # given a declared wage and no wage item in the 核对 result
    head = _declare(household, wage="800")
    case = _verify(people, household, [_item(head.pk, "transfer", "0")], "consistent")
    view = comparison_view(case, case.records.get(kind="verification").data["items"], DAY)
    wage = next(r for r in view["rows"] if r["item"] == "wage")
    # then the wage is not a difference and the declared figure is the one used
    assert (wage["verified"], wage["used"], wage["within"]) == ("—", "800.00", True)
    assert not view["differing"]


def test_documents_print_the_per_capita_income_of_the_proposal_not_the_declaration(people, household):
    """The bug of issue 13: 附件 showed a declared per-capita income above the standard next to "拟纳入"."""
    # given a head who declared a wage far above the standard, and 核对 that found 600 a month
    head = _declare(household, wage="5000")
    case = _verify(people, household, [_item(head.pk, "wage", "600")], "inconsistent")
    d = DAY + timedelta(days=3)
    case = act(people["caseworker"], case, "accept", d)
    case = act(people["caseworker"], case, "record_survey", d, {**SURVEY, "date": d.isoformat()})
    case = act(people["caseworker"], case, "initial_review", d, {"opinion": "grant"})
    proposal = case.proposal["result"]
    assert proposal["status"] == "dibao"  # the verified wage makes the household eligible
    # when the documents are built
    docs = contexts(case, d)
    # then 附件2, 附件4 and 附件5 print the proposal's per-capita income (below the standard), not 2500
    pci = Decimal(proposal["per_capita_income"])
    for kind in ("economic_info", "survey", "confirmation_form"):
        decl = docs[kind].declaration
        assert decl.monthly_income_per_capita == pci, kind
        assert decl.monthly_income_per_capita < Decimal(proposal["standard"]), kind
        assert "核对" in decl.basis
    # and the head's row shows the verified wage
    member = next(m for m in docs["confirmation_form"].household.members if m.name == "张建国")
    assert [(i.item, i.monthly_amount) for i in member.income_items] == [("工资性收入", Decimal("600.00"))]


def test_before_verification_the_documents_use_the_declaration_evaluated_as_the_preview(people, household):
    from jiuzhu.web.case_queries import review_preview

    _declare(household, wage="1000")
    case = submit(people["caseworker"], household, day=DAY)
    figures = case_figures(case, DAY)
    preview = review_preview(case=case, today=DAY)
    decl = contexts(case, DAY)["economic_info"].declaration
    assert figures is not None and "尚未核对" in figures.basis
    # the counted income (wage less the employment deduction, R-INC-04), not the gross 1000 ÷ 2 = 500
    assert decl.monthly_income_per_capita == Decimal(preview["result"]["per_capita_income"])
    assert decl.monthly_income_per_capita < Decimal("500.00")
