"""Recovery pages: a caseworker raises an item (errors next to the field), prints the notice, records a
receipt and proposes 核销; the county approves; the ledger page and xlsx; the outsider gets 404."""

from __future__ import annotations

import io

from django.urls import reverse
from python_calamine import CalamineWorkbook

from jiuzhu.apps.integrity.models import RecoveryItem
from tests.apps.integrity.conftest import make_paid
from tests.web.helpers import field_error


def test_raise_receive_write_off_and_ledger(client, caseworker, county_user, household):
    paid = make_paid(household)
    client.force_login(caseworker)
    bad = client.post(reverse("web:recovery_list"), {"enrollment": paid.enrollment.pk, "reason": "death",
                                                     "months": "2026-10, 2026-12", "note": ""})
    assert bad.status_code == 422 and "2026-12" in field_error(bad.content.decode(), "months")
    assert field_error(client.post(reverse("web:recovery_list"), {"enrollment": paid.enrollment.pk, "reason": "death",
                                                                  "months": "十月"}).content.decode(), "months")
    ok = client.post(reverse("web:recovery_list"), {"enrollment": paid.enrollment.pk, "reason": "death",
                                                    "months": "2026-10，2026-11", "note": "死亡未报告"})
    item = RecoveryItem.objects.get()
    assert ok.status_code == 302 and item.total == 1300
    pdf = client.get(reverse("web:recovery_notice", args=[item.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    over = client.post(reverse("web:recovery_action", args=[item.pk, "receive"]),
                       {"amount": "5000", "received_on": "2026-12-01"})
    assert field_error(over.content.decode(), "amount")
    client.post(reverse("web:recovery_action", args=[item.pk, "receive"]), {"amount": "300", "received_on": "2026-12-01"})
    client.post(reverse("web:recovery_action", args=[item.pk, "write_off"]), {"reason": "户主死亡，无遗产可供追回"})
    page = client.get(reverse("web:recovery_detail", args=[item.pk])).content.decode()
    assert "核销待县级审批" in page and 'id="recovery-write-off-decide"' not in page
    client.force_login(county_user)
    missing = client.post(reverse("web:recovery_action", args=[item.pk, "write_off_decide"]), {"note": "同意"})
    assert missing.status_code == 400 and field_error(missing.content.decode(), "approve")
    client.post(reverse("web:recovery_action", args=[item.pk, "write_off_decide"]), {"approve": "yes", "note": "同意核销"})
    assert RecoveryItem.objects.get().status == "written_off"
    ledger = client.get(reverse("web:recovery_list")).content.decode()
    assert "千岛湖镇" in ledger and 'id="ledger-sum"' in ledger
    xlsx = client.get(reverse("web:recovery_ledger_xlsx"))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "乡镇（街道）" and rows[1][2] == 1300 and rows[-1][0] == "合计"


def test_outsider_cannot_see_or_act(client, caseworker, outsider, household):
    paid = make_paid(household)
    client.force_login(caseworker)
    client.post(reverse("web:recovery_list"), {"enrollment": paid.enrollment.pk, "reason": "fraud", "months": "2026-11"})
    item = RecoveryItem.objects.get()
    client.force_login(outsider)
    assert client.get(reverse("web:recovery_detail", args=[item.pk])).status_code == 404
    assert client.get(reverse("web:recovery_notice", args=[item.pk])).status_code == 404
    assert client.post(reverse("web:recovery_action", args=[item.pk, "receive"]),
                       {"amount": "1", "received_on": "2026-12-01"}).status_code == 404
    raised = client.post(reverse("web:recovery_list"), {"enrollment": paid.enrollment.pk, "reason": "fraud",
                                                        "months": "2026-10"})
    assert raised.status_code == 404 and field_error(raised.content.decode(), "enrollment")
    assert RecoveryItem.objects.count() == 1


def test_detect_button_reports_the_count(client, caseworker, village_user):
    client.force_login(caseworker)
    page = client.post(reverse("web:recovery_detect")).content.decode()
    assert 'id="detected"' in page and "0 件" in page
    client.force_login(village_user)
    assert client.post(reverse("web:recovery_detect")).status_code == 403
