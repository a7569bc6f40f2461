"""Payroll pages: prepare, approve (not one's own), export and download, reconcile with listed rows;
township B sees nothing of township A's batch."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.payments.models import PaymentLine, PayrollBatch
from jiuzhu.apps.payments.services import payroll_approve, payroll_export, payroll_prepare
from jiuzhu.apps.registry import pii
from tests.apps.payments.conftest import checker, maker, world  # noqa: F401
from tests.conftest import COUNTY, TOWNSHIP_A
from tests.jobs_helpers import run_jobs

MONTH = f"{timezone.localdate():%Y-%m}"


def page(resp) -> str:
    return resp.content.decode()


def state():
    return (list(PayrollBatch.objects.order_by("pk").values()), list(PaymentLine.objects.order_by("pk").values()),
            AuditEvent.objects.count())


def test_nav_and_list(client, world, village_user):
    client.force_login(world.maker)
    html = page(client.get(reverse("web:workbench")))
    assert reverse("web:payroll_list") in html and ">发放<" in html
    html = page(client.get(reverse("web:payroll_list")))
    assert "生成月度发放批次" in html and "千岛湖镇（330127100000）" in html
    client.force_login(village_user)
    assert client.get(reverse("web:payroll_list")).status_code == 403


def test_prepare_approve_export_download_pages(client, world):
    client.force_login(world.maker)
    resp = client.post(reverse("web:payroll_prepare"), {"region": COUNTY, "month": MONTH})
    # queued as a background job: the list page shows it, with a link to the batch once it has run
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("web:payroll_list") + "?job=")
    assert "已提交后台任务：生成发放批次" in page(client.get(resp["Location"]))
    assert run_jobs() == 1
    batch = PayrollBatch.objects.get()
    assert f'href="{reverse("web:payroll_detail", args=[batch.pk])}"' in page(client.get(resp["Location"]))
    html = page(client.get(reverse("web:payroll_detail", args=[batch.pk])))
    assert batch.number in html and "已生成待审核" in html
    assert "千岛湖镇" in html and "2650.50" in html  # township subtotal
    assert "本批次由您制单，须由另一名县民政工作人员审核" in html and 'id="approve"' not in html
    assert world.households.a1.bank_account_masked in html
    assert pii.open_(world.households.a1.bank_account_enc, purpose="bank_account") not in html
    # the maker's own approval is refused even when posted directly
    resp = client.post(reverse("web:payroll_approve", args=[batch.pk]))
    assert resp.status_code == 403 and "不能审核自己生成的批次" in page(resp)
    # the checker approves, exports, downloads
    client.force_login(world.checker)
    html = page(client.get(reverse("web:payroll_detail", args=[batch.pk])))
    assert 'id="approve"' in html
    totals = {"households": str(batch.households), "persons": str(batch.persons), "amount": f"{batch.total_amount:.2f}"}
    assert f"共 <strong>{batch.households}</strong> 户、<strong>{batch.persons}</strong> 人" in html
    # without ticking the confirmation, or with totals other than the batch's, nothing is approved
    before = state()
    resp = client.post(reverse("web:payroll_approve", args=[batch.pk]), totals)
    assert resp.status_code == 422 and "我已核对户数、人数和金额合计" in page(resp) and 'id="err-confirm"' in page(resp)
    resp = client.post(reverse("web:payroll_approve", args=[batch.pk]), {**totals, "amount": "1.00", "confirm": "on"})
    assert resp.status_code == 409 and "批次汇总已变化" in page(resp)
    assert state() == before
    client.post(reverse("web:payroll_approve", args=[batch.pk]), {**totals, "confirm": "on"})
    assert PayrollBatch.objects.get().status == "approved"
    resp = client.post(reverse("web:payroll_export", args=[batch.pk]), {"layout": "default_gbk", "format": "csv"})
    assert resp.status_code == 302
    resp = client.get(reverse("web:payroll_download", args=[batch.pk]))
    assert resp.status_code == 200 and resp["Cache-Control"] == "no-store"
    content = b"".join(resp.streaming_content).decode("gbk")
    assert pii.open_(world.households.b1.bank_account_enc, purpose="bank_account") in content
    assert AuditEvent.objects.filter(action="payroll.download").count() == 1
    # preparing the approved month again: refused naming the batch
    resp = client.post(reverse("web:payroll_prepare"), {"region": COUNTY, "month": MONTH})
    assert run_jobs() == 1
    status = page(client.get(resp["Location"]))
    assert "失败" in status and f"（ID {batch.pk}）" in status and PayrollBatch.objects.count() == 1


def test_prepare_page_refuses_a_month_before_the_regions_data(client, world):
    """Issue 12 §3.7: a payroll month must lie within the enrollment period of the region's data."""
    # given the county maker on the payroll page
    client.force_login(world.maker)
    before = state()
    # when they prepare the payroll for 0001-01
    resp = client.post(reverse("web:payroll_prepare"), {"region": COUNTY, "month": "0001-01"})
    # then the page says why in Chinese and nothing is created
    assert resp.status_code == 422 and "发放月份 1年1月 早于该区划最早可发放的月份" in page(resp)
    assert state() == before


@pytest.fixture
def exported(world):
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=timezone.now())
    payroll_approve(actor=world.checker, batch_id=batch.pk, now=timezone.now())
    _, path = payroll_export(actor=world.maker, batch_id=batch.pk, now=timezone.now())
    rows = list(csv.reader(io.StringIO(path.read_text())))[1:]
    return batch, rows


def result(rows, failed="", account_of_row2=None) -> SimpleUploadedFile:
    lines = ["序号,银行账号,收款人,金额(元),处理结果,返回码,失败原因"]
    for r in rows:
        account = account_of_row2 if account_of_row2 and r[0] == "2" else r[2]
        lines.append(f"{r[0]},{account},{r[1]},{r[4]},{'失败' if r[0] == failed else '成功'},,")
    return SimpleUploadedFile("回盘.csv", "\n".join(lines).encode(), content_type="text/csv")


def test_reconcile_page_lists_bad_rows_and_applies_nothing(client, world, exported):
    batch, rows = exported
    client.force_login(world.maker)
    before = state()
    resp = client.post(reverse("web:payroll_reconcile", args=[batch.pk]),
                       {"file": result(rows, account_of_row2="6222999900001111")})
    assert resp.status_code == 422
    html = page(resp)
    assert "未做任何处理" in html and "第 3 行：银行账号与本批次第 2 行不符（未知账号）" in html
    assert state() == before
    resp = client.post(reverse("web:payroll_reconcile", args=[batch.pk]), {})
    assert resp.status_code == 400 and "请选择银行回盘文件" in page(resp)


def test_reconcile_page_marks_failed_lines_for_carrying(client, world, exported):
    batch, rows = exported
    client.force_login(world.maker)
    resp = client.post(reverse("web:payroll_reconcile", args=[batch.pk]), {"file": result(rows, failed="4")})
    assert resp.status_code == 302
    html = page(client.get(reverse("web:payroll_detail", args=[batch.pk]) + "?status=failed"))
    assert "已对账" in html and "待结转下一批次" in html
    assert "失败 1 笔" in html


def test_township_b_sees_nothing_of_township_a(client, world):
    batch = payroll_prepare(actor=world.maker, region_code=TOWNSHIP_A, month=MONTH, now=timezone.now())
    client.force_login(world.outsider)
    assert batch.number not in page(client.get(reverse("web:payroll_list")))
    before = state()
    for name, method in (("payroll_detail", "get"), ("payroll_download", "get"), ("payroll_approve", "post"),
                         ("payroll_export", "post"), ("payroll_reconcile", "post")):
        resp = getattr(client, method)(reverse(f"web:{name}", args=[batch.pk]))
        assert resp.status_code in (403, 404), name
        assert "张建国" not in page(resp)
    resp = client.get(reverse("web:payroll_detail", args=[batch.pk]))
    assert resp.status_code == 404 and "不存在或不在您的管辖范围内" in page(resp)
    resp = client.post(reverse("web:payroll_prepare"), {"region": TOWNSHIP_A, "month": MONTH})
    assert resp.status_code == 404
    assert state() == before
    # township A's caseworker reads the batch but has no actions
    client.force_login(world.caseworker)
    html = page(client.get(reverse("web:payroll_detail", args=[batch.pk])))
    assert batch.number in html and 'id="approve"' not in html and 'id="export"' not in html


def test_lines_are_paged_by_id_within_the_batch(client, world, monkeypatch):
    from jiuzhu.apps.payments import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 3)
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=timezone.now())
    client.force_login(world.maker)
    html = page(client.get(reverse("web:payroll_detail", args=[batch.pk])))
    ids = sorted(batch.lines.values_list("pk", flat=True))
    assert f"?after={ids[2]}" in html and "张建国" in html and "陈志强" not in html
    html = page(client.get(reverse("web:payroll_detail", args=[batch.pk]) + f"?after={ids[2]}"))
    assert "陈志强" in html and "张建国" not in html and "下一页" not in html
