"""POST /api/v1/payroll/batches/{id}/reconcile: the bank's result file through the API (multipart), the
same service as the web page — a good file marks paid/failed; a bad file gives the JSON error format
(422 naming ``file``, every bad row listed, nothing applied); another township's user gets 404."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.payments.models import PaymentLine, PayrollBatch
from jiuzhu.apps.payments.services import payroll_approve, payroll_export, payroll_prepare
from tests.apps.payments.conftest import checker, maker, world  # noqa: F401
from tests.bad_files import CHINESE
from tests.conftest import COUNTY

pytestmark = pytest.mark.django_db
MONTH = f"{timezone.localdate():%Y-%m}"


def url(batch_id) -> str:
    return f"/api/v1/payroll/batches/{batch_id}/reconcile"


def state():
    return (list(PayrollBatch.objects.order_by("pk").values()), list(PaymentLine.objects.order_by("pk").values()),
            AuditEvent.objects.count())


@pytest.fixture
def exported(world):
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=timezone.now())
    payroll_approve(actor=world.checker, batch_id=batch.pk, now=timezone.now())
    _, path = payroll_export(actor=world.maker, batch_id=batch.pk, now=timezone.now())
    return batch, list(csv.reader(io.StringIO(path.read_text())))[1:]


def result(rows, failed="", account_of_row2=None, name="回盘.csv") -> SimpleUploadedFile:
    lines = ["序号,银行账号,收款人,金额(元),处理结果,返回码,失败原因"]
    for r in rows:
        account = account_of_row2 if account_of_row2 and r[0] == "2" else r[2]
        lines.append(f"{r[0]},{account},{r[1]},{r[4]},{'失败' if r[0] == failed else '成功'},,")
    return SimpleUploadedFile(name, "\n".join(lines).encode(), content_type="text/csv")


def test_reconcile_marks_paid_and_failed_and_a_second_upload_changes_nothing(client, bearer, world, exported):
    batch, rows = exported
    headers = bearer(world.maker)
    # when the county uploads the bank's result with line 2 failed
    response = client.post(url(batch.pk), {"file": result(rows, failed="2")}, **headers)
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["batch"], body["paid"], body["failed"], body["changed"]) == (str(batch.pk), len(rows) - 1, 1, True)
    assert PayrollBatch.objects.get(pk=batch.pk).status == "reconciled"
    assert PaymentLine.objects.filter(batch=batch, status="failed").count() == 1
    # the same file again: nothing changes
    again = client.post(url(batch.pk), {"file": result(rows, failed="2")}, **headers)
    assert again.status_code == 200 and again.json()["changed"] is False
    # a different outcome for a reconciled batch: 409
    other = client.post(url(batch.pk), {"file": result(rows, failed="3")}, **headers)
    assert other.status_code == 409 and other.json()["code"] == "payroll.already_reconciled"


@pytest.mark.parametrize("upload", ["unknown_account", "not_a_table", "empty", "missing"])
def test_bad_files_give_the_json_error_format_and_change_nothing(client, bearer, world, exported, upload):
    batch, rows = exported
    headers = bearer(world.maker)
    before = state()
    files = {
        "unknown_account": {"file": result(rows, account_of_row2="6222999900001111")},
        "not_a_table": {"file": SimpleUploadedFile("回盘.csv", b"\x00\xff\xfe garbage", content_type="text/csv")},
        "empty": {"file": SimpleUploadedFile("回盘.csv", b"", content_type="text/csv")},
        "missing": {},
    }[upload]
    # when
    response = client.post(url(batch.pk), files, **headers)
    # then a 4xx in the API's error format, in Chinese, naming the file
    assert response.status_code in (400, 422), response.content
    data = response.json()
    assert set(data) == {"code", "message", "details"} and CHINESE.search(data["message"])
    assert "file" in str(data["details"])
    assert state() == before
    if upload == "unknown_account":
        assert data["code"] == "payroll.result_invalid" and "未做任何处理" in data["message"]
        assert any("未知账号" in str(e) for e in data["details"]["errors"])


def test_another_township_and_non_county_roles_cannot_reconcile(client, bearer, world, exported, inspector):
    batch, rows = exported
    outsider, reader = bearer(world.outsider), bearer(inspector)
    before = state()
    # the outsider (township B) does not see the county's batch: 404, and an unknown batch is 404 alike
    attack = client.post(url(batch.pk), {"file": result(rows)}, **outsider)
    assert attack.status_code == 404 and CHINESE.search(attack.json()["message"])
    assert client.post(url(batch.pk + 1000), {"file": result(rows)}, **outsider).status_code == 404
    # the county's inspector reads batches but may not reconcile: 403
    denied = client.post(url(batch.pk), {"file": result(rows)}, **reader)
    assert denied.status_code == 403 and CHINESE.search(denied.json()["message"])
    assert state() == before


def test_session_upload_needs_the_csrf_token(world, exported):
    from django.test import Client

    batch, rows = exported
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.maker)
    before = state()
    # without the CSRF token the session may not write
    refused = browser.post(url(batch.pk), {"file": result(rows)})
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    assert state() == before
    # with it (as the web page sends it), the upload is applied
    token = "a1" * 16  # the CSRF secret, as the page's cookie holds it
    browser.cookies["csrftoken"] = token
    done = browser.post(url(batch.pk), {"file": result(rows)}, HTTP_X_CSRFTOKEN=token)
    assert done.status_code == 200 and done.json()["paid"] == len(rows)
