"""Enrollment pages: list with filters and keyset paging, detail with changes and payments, change
forms with Chinese field errors, the 附件9 download, scheduling a recheck; township B sees nothing."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.enrollment.services import enrollment_adjust
from jiuzhu.apps.payments.models import PaymentLine, PayrollBatch
from jiuzhu.apps.registry.services import household_create
from tests.apps.enrollment.lifecycle_helpers import make_enrollment
from tests.conftest import AS_OF

from .helpers import field_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrollment(household):
    return make_enrollment(household, next_recheck=timezone.localdate().replace(day=1))


def test_list_filters_and_pages(client, caseworker, household_data, enrollment):
    for i in range(3):
        data = household_data()
        data["members"][0]["name"] = "王" + "一二三"[i] + "山"
        make_enrollment(household_create(actor=caseworker, data=data, as_of=AS_OF), klass="A", next_recheck=None)
    client.force_login(caseworker)
    page = client.get(reverse("web:enrollment_list")).content.decode()
    assert "张建国" in page and "王一山" in page and "800.00" in page
    page = client.get(reverse("web:enrollment_list"), {"klass": "C"}).content.decode()
    assert "张建国" in page and "王一山" not in page
    page = client.get(reverse("web:enrollment_list"), {"recheck": "overdue"}).content.decode()
    assert "张建国" in page and "王二山" not in page
    page = client.get(reverse("web:enrollment_list"), {"name": "王"}).content.decode()
    assert "张建国" not in page and "王三山" in page
    # keyset paging: the next page starts below the last id shown
    ids = list(Enrollment.objects.order_by("-pk").values_list("pk", flat=True))
    page = client.get(reverse("web:enrollment_list"), {"after": ids[1]}).content.decode()
    assert "回到第一页" in page and len(re.findall(r'href="/enrollments/\d+/"', page)) == 2


def test_detail_shows_changes_payments_and_buttons(client, caseworker, enrollment, household):
    change = enrollment_adjust(actor=caseworker, enrollment_id=enrollment.pk, amount="700.00", reason="收入增加",
                               now=timezone.now())
    batch = PayrollBatch.objects.create(region_id=household.region_id, month=date(2026, 11, 1),
                                        prepared_at=timezone.now(), prepared_by=caseworker)
    PaymentLine.objects.create(batch=batch, enrollment=enrollment, household=household, region_id=household.region_id,
                               month=date(2026, 11, 1), program="dibao", persons=2, amount=Decimal("800.00"),
                               status="paid")
    client.force_login(caseworker)
    page = client.get(reverse("web:enrollment_detail", args=[enrollment.pk])).content.decode()
    assert 'id="change-table"' in page and "800.00 → 700.00" in page and "收入增加" in page
    assert reverse("web:change_notice", args=[change.pk]) in page
    assert 'id="payment-table"' in page and "2026年11月" in page and "已发放" in page
    for kind in ("adjust", "suspend", "stop", "graduate"):
        assert reverse("web:enrollment_change", args=[enrollment.pk, kind]) in page
    assert "安排复核" in page


def test_change_form_errors_by_field_in_chinese_then_success(client, caseworker, enrollment):
    client.force_login(caseworker)
    url = reverse("web:enrollment_change", args=[enrollment.pk, "adjust"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"amount": "abc", "reason": "收入变化", "version": enrollment.version})
    assert response.status_code == 422
    assert "应为数字" in field_error(response.content.decode(), "amount")
    response = client.post(url, {"amount": "600", "reason": "", "version": enrollment.version})
    assert response.status_code == 422 and "不能为空" in field_error(response.content.decode(), "reason")
    assert Enrollment.objects.get(pk=enrollment.pk).amount == Decimal("800.00")
    response = client.post(url, {"amount": "600.00", "reason": "收入变化", "version": enrollment.version})
    assert response.status_code == 302 and response["Location"] == reverse("web:enrollment_detail",
                                                                           args=[enrollment.pk])
    assert Enrollment.objects.get(pk=enrollment.pk).amount == Decimal("600.00")
    # the same form posted again with the old version: refused, nothing changes
    response = client.post(url, {"amount": "500.00", "reason": "收入变化", "version": enrollment.version})
    assert response.status_code == 409 and "已被他人修改" in response.content.decode()


def test_graduate_form_offers_the_reasons_and_stop_downloads_a_notice(client, caseworker, enrollment):
    client.force_login(caseworker)
    page = client.get(reverse("web:enrollment_change", args=[enrollment.pk, "graduate"])).content.decode()
    assert "就业使家庭人均收入超过标准" in page
    response = client.post(reverse("web:enrollment_change", args=[enrollment.pk, "stop"]),
                           {"reason": "人均收入超过标准", "version": enrollment.version})
    assert response.status_code == 302
    change = Enrollment.objects.get(pk=enrollment.pk).changes.get()
    pdf = client.get(reverse("web:change_notice", args=[change.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    # a stopped enrollment offers no change but may not be stopped twice
    response = client.get(reverse("web:enrollment_change", args=[enrollment.pk, "stop"]))
    assert response.status_code == 409


def test_schedule_recheck_opens_a_case(client, caseworker, enrollment):
    client.force_login(caseworker)
    response = client.post(reverse("web:enrollment_schedule", args=[enrollment.pk]), {"reason": "群众举报"})
    case = Case.objects.get(enrollment=enrollment)
    assert response.status_code == 302 and response["Location"] == reverse("web:case_detail", args=[case.pk])
    page = client.get(response["Location"]).content.decode()
    assert "待复核" in page and "提请核对" in page


def test_township_b_sees_nothing_and_changes_nothing(client, outsider, village_user, enrollment):
    client.force_login(outsider)
    assert "张建国" not in client.get(reverse("web:enrollment_list")).content.decode()
    assert client.get(reverse("web:enrollment_detail", args=[enrollment.pk])).status_code == 404
    url = reverse("web:enrollment_change", args=[enrollment.pk, "stop"])
    assert client.post(url, {"reason": "x"}).status_code == 404
    assert client.post(reverse("web:enrollment_schedule", args=[enrollment.pk]), {"reason": "x"}).status_code == 404
    assert Enrollment.objects.get(pk=enrollment.pk).status == "active" and not Case.objects.exists()
    # the village assistant sees the enrollment but has no change buttons, and a POST is refused
    client.force_login(village_user)
    page = client.get(reverse("web:enrollment_detail", args=[enrollment.pk])).content.decode()
    assert "张建国" in page and reverse("web:enrollment_change", args=[enrollment.pk, "stop"]) not in page
    assert client.post(url, {"reason": "x", "version": enrollment.version}).status_code == 403
