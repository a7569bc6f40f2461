"""Wrong payments and recovery (issue 15 §2): raised by a caseworker for paid months, notice PDF,
instalments, receipts, 核销 only with county approval (service and DB), ledger by township, no month
recovered twice and no recovered month paid again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.integrity import recovery, recovery_ledger
from jiuzhu.apps.integrity.models import RecoveryItem
from jiuzhu.apps.payments.models import PaymentLine, PayrollBatch
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed

from .conftest import T0

RAISE = {"reason": "death", "months": ["2026-10", "2026-11"], "note": "户主于2026年9月死亡，家属未报告"}


def raise_item(actor, paid, **over):
    return recovery.recovery_raise(actor=actor, data={"enrollment": paid.enrollment.pk, **RAISE, **over}, now=T0)


def test_raise_totals_the_paid_months_and_audits(caseworker, paid):
    item = raise_item(caseworker, paid)
    assert item.total == Decimal("1300.00") and item.status == "open" and item.region_id == "330127100000"
    assert [m.month for m in item.months.all()] == [date(2026, 10, 1), date(2026, 11, 1)]
    assert AuditEvent.objects.filter(action="recovery.raise", subject_id=str(item.pk)).count() == 1


@pytest.mark.parametrize(("over", "field"), [
    ({"reason": "whim"}, "reason"),
    ({"months": []}, "months"),
    ({"months": ["2026-13"]}, "months[0]"),
    ({"months": ["2026/10"]}, "months[0]"),
    ({"months": ["2026-12"]}, "months"),  # not paid
    ({"enrollment": 0}, "enrollment"),
    ({"note": "x" * 2001}, "note"),
    ({"extra": 1}, "extra"),
])
def test_bad_input_names_the_field_and_changes_nothing(caseworker, paid, over, field):
    with pytest.raises(ValidationFailed) as exc:
        raise_item(caseworker, paid, **over)
    assert exc.value.details.get("field") == field
    assert not RecoveryItem.objects.exists()


def test_a_month_is_recovered_once(caseworker, paid):
    raise_item(caseworker, paid)
    with pytest.raises(Conflict) as exc:
        raise_item(caseworker, paid, months=["2026-09", "2026-11"])
    assert "2026-11" in exc.value.message and RecoveryItem.objects.count() == 1


def test_outsider_township_cannot_raise_or_touch(caseworker, outsider, paid):
    with pytest.raises(NotFound):
        raise_item(outsider, paid)
    item = raise_item(caseworker, paid)
    with pytest.raises(NotFound):
        recovery.recovery_receive(actor=outsider, item_id=item.pk, now=T0,
                                  data={"amount": "10", "received_on": "2026-12-01"})
    assert not recovery_ledger.items_visible(actor=outsider).exists()
    assert recovery_ledger.ledger(actor=outsider)["rows"] == []


def test_receipts_settle_and_refuse_more_than_outstanding(caseworker, paid):
    item = raise_item(caseworker, paid)
    with pytest.raises(ValidationFailed) as exc:
        recovery.recovery_receive(actor=caseworker, item_id=item.pk, now=T0,
                                  data={"amount": "1300.01", "received_on": "2026-12-01"})
    assert exc.value.details["field"] == "amount"
    with pytest.raises(ValidationFailed) as exc:
        recovery.recovery_receive(actor=caseworker, item_id=item.pk, now=T0,
                                  data={"amount": "100", "received_on": "2026-12-08"})  # after today
    assert exc.value.details["field"] == "received_on"
    recovery.recovery_receive(actor=caseworker, item_id=item.pk, now=T0,
                              data={"amount": "300", "received_on": "2026-12-01"})
    recovery.recovery_receive(actor=caseworker, item_id=item.pk, now=T0,
                              data={"amount": "1000", "received_on": "2026-12-07"})
    item.refresh_from_db()
    assert item.status == "settled" and item.outstanding == 0
    with pytest.raises(Conflict):
        recovery.recovery_receive(actor=caseworker, item_id=item.pk, now=T0,
                                  data={"amount": "1", "received_on": "2026-12-07"})


def test_instalments_split_what_is_outstanding(caseworker, paid):
    item = raise_item(caseworker, paid)
    recovery.recovery_plan(actor=caseworker, item_id=item.pk, now=T0, data={"count": 3, "first_due": "2027-01-10"})
    amounts = list(item.instalments.values_list("amount", flat=True))
    assert sum(amounts) == Decimal("1300.00") and amounts[0] == Decimal("433.33") and amounts[-1] == Decimal("433.34")
    assert list(item.instalments.values_list("due", flat=True))[-1] == date(2027, 3, 10)
    with pytest.raises(ValidationFailed) as exc:
        recovery.recovery_plan(actor=caseworker, item_id=item.pk, now=T0, data={"count": 0, "first_due": "2027-01-10"})
    assert exc.value.details["field"] == "count"
    with pytest.raises(ValidationFailed) as exc:
        recovery.recovery_plan(actor=caseworker, item_id=item.pk, now=T0, data={"count": 2, "first_due": "2026-01-01"})
    assert exc.value.details["field"] == "first_due"


def test_write_off_needs_county_approval_by_another_user(caseworker, county_user, county_user2, paid):
    item = raise_item(caseworker, paid)
    recovery.recovery_receive(actor=caseworker, item_id=item.pk, now=T0,
                              data={"amount": "300", "received_on": "2026-12-01"})
    recovery.recovery_write_off_propose(actor=caseworker, item_id=item.pk, now=T0,
                                        data={"reason": "户主死亡，无遗产可供追回"})
    with pytest.raises(Forbidden):
        recovery.recovery_write_off_decide(actor=caseworker, item_id=item.pk, now=T0,
                                           data={"approve": True, "note": "同意"})
    done = recovery.recovery_write_off_decide(actor=county_user, item_id=item.pk, now=T0,
                                              data={"approve": True, "note": "同意核销"})
    assert done.status == "written_off" and done.written_off == Decimal("1000.00") and done.outstanding == 0
    # a county user cannot approve their own proposal
    other = raise_item(caseworker, paid, months=["2026-09"])
    recovery.recovery_write_off_propose(actor=county_user, item_id=other.pk, now=T0, data={"reason": "无力偿还，经调查属实"})
    with pytest.raises(Conflict):
        recovery.recovery_write_off_decide(actor=county_user, item_id=other.pk, now=T0,
                                           data={"approve": True, "note": "同意"})
    recovery.recovery_write_off_decide(actor=county_user2, item_id=other.pk, now=T0, data={"approve": False, "note": "继续追回"})
    assert RecoveryItem.objects.get(pk=other.pk).status == "open"


def test_database_refuses_a_write_off_without_approval(caseworker, county_user, paid):
    item = raise_item(caseworker, paid)
    with pytest.raises(IntegrityError), transaction.atomic():
        RecoveryItem.objects.filter(pk=item.pk).update(status="written_off", written_off=item.total)
    with pytest.raises(IntegrityError), transaction.atomic():  # approver = proposer
        RecoveryItem.objects.filter(pk=item.pk).update(status="written_off", written_off=item.total,
                                                       write_off_proposed_by=county_user,
                                                       write_off_approved_by=county_user)
    with pytest.raises(IntegrityError), transaction.atomic():  # more received than owed
        RecoveryItem.objects.filter(pk=item.pk).update(received=item.total + 1)


def test_a_receipt_after_the_proposal_blocks_the_stale_write_off(caseworker, county_user, paid):
    item = raise_item(caseworker, paid)
    recovery.recovery_write_off_propose(actor=caseworker, item_id=item.pk, now=T0, data={"reason": "无力偿还，经调查属实"})
    recovery.recovery_receive(actor=caseworker, item_id=item.pk, now=T0,
                              data={"amount": "100", "received_on": "2026-12-07"})
    with pytest.raises(Conflict) as exc:
        recovery.recovery_write_off_decide(actor=county_user, item_id=item.pk, now=T0,
                                           data={"approve": True, "note": "同意"})
    assert exc.value.code == "recovery.changed"
    item.refresh_from_db()
    assert item.written_off == 0 and item.received == Decimal("100.00")


def test_a_recovered_month_is_never_paid_again(caseworker, paid):
    item = raise_item(caseworker, paid)
    month = item.months.first()
    batch = PayrollBatch.objects.create(region_id="330127000000", month=month.month, kind="supplementary", seq=5,
                                        prepared_at=T0)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(batch=batch, enrollment=paid.enrollment, household=paid.enrollment.household,
                                   region_id=paid.enrollment.region_id, month=month.month, program="dibao",
                                   persons=2, amount=Decimal("650"))


def test_ledger_by_township_and_xlsx(caseworker, county_user, paid):
    item = raise_item(caseworker, paid)
    recovery.recovery_receive(actor=caseworker, item_id=item.pk, now=T0, data={"amount": "300", "received_on": "2026-12-01"})
    data = recovery_ledger.ledger(actor=county_user)
    assert data["rows"][0]["name"] and data["rows"][0]["outstanding"] == Decimal("1000.00")
    assert data["sums"]["items"] == 1
    content = recovery_ledger.ledger_xlsx(actor=county_user, now=timezone.now())
    assert content[:2] == b"PK"


def test_notice_pdf_numbers_the_item(caseworker, paid):
    item = raise_item(caseworker, paid)
    from jiuzhu.apps.integrity.recovery_documents import notice_html, recovery_notice
    pdf = recovery_notice(actor=caseworker, item_id=item.pk, now=T0)
    assert pdf.startswith(b"%PDF")
    item.refresh_from_db()
    assert item.notice_number == f"追退〔2026〕{item.pk}号"
    html = notice_html(item, date(2026, 12, 7))
    assert "1,300.00" in html or "1300.00" in html


def _death_alert(household, person, died, region="330127100201"):
    from jiuzhu.apps.monitoring.models import Alert, MonitorScan
    scan = MonitorScan.objects.create(region_id="330127000000", as_of=date(2026, 12, 1), created_at=T0)
    return Alert.objects.create(scan=scan, dedup_key=f"death:{person.pk}", type="death", source="hukou_death",
                                person=person, household=household, region_id=region, category="hardship",
                                event_date=died, detected_on=date(2026, 12, 1), due_date=date(2026, 12, 10),
                                suggested="verify_close")


def test_detection_from_death_alerts_recovers_months_after_the_death(caseworker, outsider, household):
    from jiuzhu.apps.enrollment.models import Enrollment
    from jiuzhu.apps.integrity.recovery_detect import recovery_detect

    from .conftest import make_paid
    single = make_paid(household)
    Enrollment.objects.filter(pk=single.enrollment.pk).update(person=household.head)
    _death_alert(household, household.head, date(2026, 9, 20))
    assert recovery_detect(actor=outsider, now=T0) == []  # not in the outsider's township
    items = recovery_detect(actor=caseworker, now=T0)
    assert len(items) == 1 and items[0].source == "monitoring" and items[0].total == Decimal("1300.00")
    assert [m.month for m in items[0].months.all()] == [date(2026, 10, 1), date(2026, 11, 1)]
    assert recovery_detect(actor=caseworker, now=T0) == []  # idempotent
