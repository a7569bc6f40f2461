"""Non-co-resident supporters in a case (issue 20 §5, 社会救助年审 plan 三(2)四): "对不共同居住的法定赡养、抚养关系
成员的收入财产进行核实计算" — declared or 核对 income of the obligors enters the proposal, with its trace."""

from datetime import date, timedelta

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.registry.services import household_create
from jiuzhu.rules.errors import ValidationFailed
from tests.conftest import make_id

from .flow import EVENT_DAY, SURVEY, act, submit, verification

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 2)
AS_OF = date(2026, 11, 1)


@pytest.fixture
def supported(caseworker, household_data):
    """A head with a son living elsewhere who earns 9000 a month in a household of 3."""
    data = household_data()
    son = {"name": "张明", "relation": "child", "supported_id_number": data["members"][0]["id_number"],
           "id_number": make_id(date(1990, 4, 2)), "monthly_income": "9000", "household_size": 3}
    return household_create(actor=caseworker, data={**data, "obligors": [son]}, as_of=AS_OF)


def _reviewed(people, household, verified=None):
    cw = people["caseworker"]
    case = submit(cw, household, day=DAY)
    d = DAY
    for actor, action, payload in [(cw, "request_verification", {}),
                                   (people["county"], "record_verification", verified or verification()),
                                   (cw, "accept", {}), (cw, "record_survey", {**SURVEY}),
                                   (cw, "initial_review", {"opinion": "grant"})]:
        d += timedelta(days=1)
        case = act(actor, case, action, d, payload)
    return case


def _support_steps(case):
    return [s for s in case.proposal["result"]["trace"] if "赡(抚、扶)养费 =" in s["step"]]


def test_declared_obligor_income_enters_the_calculation(people, supported):
    """对不共同居住的法定赡养、抚养关系成员的收入财产进行核实计算 (declared: 9000, 3 persons)."""
    case = _reviewed(people, supported)
    obligor = supported.obligors.get()
    assert case.proposal["request"]["obligors"] == [{"id": f"o{obligor.pk}", "monthly_income": "9000.00",
                                                      "household_size": 3}]
    # rural standard 1301 in the demo county: (9000 − 2 × 1301 × 3) × 0.3 = 358.20
    steps = _support_steps(case)
    assert len(steps) == 1 and steps[0]["value"] == "358.20"


def test_verified_obligor_income_replaces_the_declared(people, supported):
    obligor = supported.obligors.get()
    verified = {**verification(), "obligors": [{"obligor": obligor.pk, "monthly_income": "12000.00",
                                                "as_of": EVENT_DAY}]}
    case = _reviewed(people, supported, verified)
    assert case.proposal["request"]["obligors"][0]["monthly_income"] == "12000.00"
    assert _support_steps(case)[0]["value"] == "1258.20"  # (12000 − 7806) × 0.3


def test_a_household_without_obligors_sends_none(people, household):
    case = _reviewed(people, household)
    assert "obligors" not in case.proposal["request"] and not _support_steps(case)


@pytest.mark.parametrize("obligors, field", [
    ([{"obligor": 999999, "monthly_income": "1.00", "as_of": EVENT_DAY}], "obligors[0].obligor"),
    ([{"obligor": 1, "monthly_income": "-1", "as_of": EVENT_DAY}], "obligors[0].monthly_income"),
    ([{"obligor": 1, "monthly_income": "1", "as_of": "2027-01-01"}], "obligors[0].as_of"),
])
def test_bad_obligor_in_the_verification_report_is_refused(people, supported, obligors, field):
    cw = people["caseworker"]
    case = submit(cw, supported, day=DAY)
    case = act(cw, case, "request_verification", DAY + timedelta(days=1))
    audit = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        act(people["county"], case, "record_verification", DAY + timedelta(days=2),
            {**verification(), "obligors": obligors})
    assert exc.value.details["field"] == field and AuditEvent.objects.count() == audit
    assert not case.records.filter(kind="verification").exists()


def test_another_households_obligor_is_refused(people, supported, household_data, caseworker):
    """Scope: an obligor registered for another household cannot be entered on this case."""
    elder = make_id(date(1950, 1, 1))
    other = household_create(actor=caseworker, data=household_data(
        members=[{"name": "钱老汉", "id_number": elder, "relation": "head"}],
        obligors=[{"name": "钱大", "relation": "child", "supported_id_number": elder, "monthly_income": "100"}]),
        as_of=AS_OF)
    foreign = other.obligors.get()
    cw = people["caseworker"]
    case = submit(cw, supported, day=DAY)
    case = act(cw, case, "request_verification", DAY + timedelta(days=1))
    with pytest.raises(ValidationFailed) as exc:
        act(people["county"], case, "record_verification", DAY + timedelta(days=2),
            {**verification(), "obligors": [{"obligor": foreign.pk, "monthly_income": "1", "as_of": EVENT_DAY}]})
    assert exc.value.details["field"] == "obligors[0].obligor" and "不是本家庭登记" in exc.value.message
