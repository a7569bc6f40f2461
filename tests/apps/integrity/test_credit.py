"""失信 records (issue 15 §1, R-PEN-04): township proposes, county decides (a different user), listing
period and removal from dated region parameters, appeal, scope, bad input, export, case banner."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.services import case_submit
from jiuzhu.apps.integrity import export, selectors, services
from jiuzhu.apps.integrity.models import CreditRecord
from jiuzhu.apps.registry.pii import open_
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.conftest import COUNTY, PASSWORD

GOOD = {"behaviour": "concealed_death", "facts": "母亲于2026年3月去世，家属未报告，继续领取低保金", "amount": "3600"}


@pytest.fixture
def county_user2(regions):
    user = User(username="county_checker", role=Role.COUNTY, region_id=COUNTY, display_name="县复核")
    user.set_password(PASSWORD)
    user.save()
    return user


def propose(actor, household, **over):
    return services.credit_propose(actor=actor, data={"person": household.head_id, **GOOD, **over}, now=timezone.now())


def test_propose_and_county_decides_listing_for_the_region_period(caseworker, county_user, household):
    record = propose(caseworker, household)
    assert record.status == "proposed" and record.region_id == "330127100000" and record.amount == Decimal("3600")
    listed = services.credit_decide(actor=county_user, record_id=record.pk, now=timezone.now(),
                                    data={"approve": True, "decision": "经调查属实，列入", "decision_number": "淳民〔2026〕1号"})
    today = timezone.localdate()
    assert listed.status == "listed" and listed.listed_from == today
    assert listed.listed_until == date(today.year + 5, today.month, today.day)  # concealed_death: 60 months
    actions = list(AuditEvent.objects.filter(subject_type="credit_record", subject_id=str(record.pk))
                   .values_list("action", flat=True))
    assert actions == ["credit.propose", "credit.decide"]


def test_maker_checker_the_proposer_cannot_decide(county_user, caseworker, household):
    # given a county user who may propose? no: proposals are the township's — a county user is refused
    with pytest.raises(Forbidden):
        propose(county_user, household)
    record = propose(caseworker, household)
    # the township cannot decide
    with pytest.raises(Forbidden):
        services.credit_decide(actor=caseworker, record_id=record.pk, now=timezone.now(),
                               data={"approve": True, "decision": "同意列入"})
    # the database refuses a decision by the proposer even when a service is bypassed
    record.status, record.decided_by, record.listed_from, record.listed_until = (
        "listed", caseworker, date(2026, 12, 7), date(2029, 12, 7))
    with pytest.raises(IntegrityError), transaction.atomic():
        record.save()


def test_service_refuses_a_county_user_deciding_their_own_proposal(county_user, caseworker, household):
    record = propose(caseworker, household)
    CreditRecord.objects.filter(pk=record.pk).update(proposed_by=county_user)  # a county-proposed record
    with pytest.raises(Conflict) as exc:
        services.credit_decide(actor=county_user, record_id=record.pk, now=timezone.now(),
                               data={"approve": True, "decision": "同意列入"})
    assert exc.value.code == "credit.maker_checker"
    assert CreditRecord.objects.get(pk=record.pk).status == "proposed"


def test_listed_record_without_decision_is_refused_by_the_database(caseworker, household):
    record = propose(caseworker, household)
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditRecord.objects.filter(pk=record.pk).update(status="listed")


@pytest.mark.parametrize(("over", "field"), [
    ({"behaviour": "littering"}, "behaviour"),
    ({"behaviour": ""}, "behaviour"),
    ({"facts": "太短"}, "facts"),
    ({"amount": "-1"}, "amount"),
    ({"amount": "abc"}, "amount"),
    ({"amount": "1.234"}, "amount"),
    ({"person": None, "id_number": ""}, "id_number"),
    ({"person": None, "id_number": "123"}, "id_number"),
    ({"person": 0}, "person"),
    ({"case": -3}, "case"),
    ({"extra": "x"}, "extra"),
])
def test_bad_input_names_the_field_and_changes_nothing(caseworker, household, over, field):
    with pytest.raises((ValidationFailed, NotFound)) as exc:
        propose(caseworker, household, **over)
    assert exc.value.details.get("field") == field
    assert not CreditRecord.objects.exists()


def test_unknown_person_and_foreign_case_are_not_found(caseworker, household):
    with pytest.raises(NotFound):
        propose(caseworker, household, person=10**9)
    with pytest.raises(NotFound) as exc:
        propose(caseworker, household, case=10**9)
    assert exc.value.details["field"] == "case"


def test_outsider_township_cannot_propose_see_or_act(caseworker, outsider, county_user, household):
    with pytest.raises(NotFound):
        propose(outsider, household)
    record = propose(caseworker, household)
    assert not selectors.records_visible(actor=outsider).exists()
    with pytest.raises(NotFound):
        selectors.record_get(actor=outsider, record_id=record.pk)
    with pytest.raises(NotFound):
        services.credit_appeal(actor=outsider, record_id=record.pk, data={"text": "不服"}, now=timezone.now())


def test_removal_waits_for_the_credit_repair_minimum(caseworker, county_user, household):
    record = propose(caseworker, household)
    services.credit_decide(actor=county_user, record_id=record.pk, data={"approve": True, "decision": "列入"},
                           now=timezone.now())
    with pytest.raises(Conflict) as exc:
        services.credit_remove(actor=county_user, record_id=record.pk, data={"reason": "已退回全部款项"},
                               now=timezone.now())
    assert "信用修复最早" in exc.value.message
    later = timezone.now() + timedelta(days=370)  # past the 12-month minimum of the demo county
    removed = services.credit_remove(actor=county_user, record_id=record.pk, data={"reason": "已退回全部款项"},
                                     now=later)
    assert removed.status == "removed" and removed.removed_by == county_user


def test_appeal_upheld_withdraws_the_listing(caseworker, county_user, household):
    record = propose(caseworker, household)
    services.credit_decide(actor=county_user, record_id=record.pk, data={"approve": True, "decision": "列入"},
                           now=timezone.now())
    services.credit_appeal(actor=caseworker, record_id=record.pk, data={"text": "死亡后款项已全部退回"}, now=timezone.now())
    with pytest.raises(Conflict):
        services.credit_appeal(actor=caseworker, record_id=record.pk, data={"text": "再次申诉"}, now=timezone.now())
    with pytest.raises(Forbidden):
        services.credit_appeal_decide(actor=caseworker, record_id=record.pk, data={"upheld": True, "decision": "成立"},
                                      now=timezone.now())
    done = services.credit_appeal_decide(actor=county_user, record_id=record.pk,
                                         data={"upheld": True, "decision": "核实已退回"}, now=timezone.now())
    assert done.status == "removed" and done.appeal == "upheld"


def test_rejected_record_cannot_be_decided_again(caseworker, county_user, county_user2, household):
    record = propose(caseworker, household)
    services.credit_decide(actor=county_user, record_id=record.pk, data={"approve": False, "decision": "证据不足"},
                           now=timezone.now())
    with pytest.raises(Conflict):
        services.credit_decide(actor=county_user2, record_id=record.pk, data={"approve": True, "decision": "列入"},
                               now=timezone.now())


def test_export_has_only_listed_records_with_the_layout_fields(caseworker, county_user, household, household_data):
    listed = propose(caseworker, household)
    services.credit_decide(actor=county_user, record_id=listed.pk, now=timezone.now(),
                           data={"approve": True, "decision": "列入", "decision_number": "=HYPERLINK(1)"})
    propose(caseworker, household, behaviour="obstruction")  # still proposed: not exported
    body, ctype = export.credit_export(actor=county_user, fmt="csv", as_of=timezone.localdate(), now=timezone.now())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [label for _, label in export.FIELDS] and len(rows) == 2
    head = household.head
    assert rows[1][1] == head.name and rows[1][3] == open_(head.id_number_enc, purpose="id_number")
    assert rows[1][7].startswith("'")  # a formula-looking 文书号 is neutralised
    data = json.loads(export.credit_export(actor=county_user, fmt="json", as_of=timezone.localdate(),
                                           now=timezone.now())[0])
    assert data["count"] == 1 and set(data["records"][0]) == {k for k, _ in export.FIELDS}
    assert ctype.startswith("text/csv")
    assert AuditEvent.objects.filter(action="credit.export").count() == 2


def test_only_the_county_exports(caseworker):
    with pytest.raises(Forbidden):
        export.credit_export(actor=caseworker, fmt="csv", as_of=date(2026, 12, 7), now=timezone.now())


def test_household_records_and_pledge_for_the_case_page(caseworker, county_user, household):
    record = propose(caseworker, household)
    assert [r.pk for r in selectors.household_records(household_id=household.pk, today=date(2026, 12, 7))] == [record.pk]
    case = case_submit(actor=caseworker, program="dibao", household_id=household.pk, applicant_id=household.head_id,
                       channel="window", now=timezone.now(),
                       payload={"id_checked": True, "authorization_signed": True, "integrity_pledge": True})
    assert selectors.case_pledge(case) is True
