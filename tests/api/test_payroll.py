"""/api/v1/payroll: prepare (idempotent), list and detail with totals, approve (maker-checker), bank file;
bad input (422 naming the field, nothing created), another township's user (404, nothing changes)."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone

from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.payments.models import PaymentLine, PayrollBatch
from tests.apps.payments.conftest import enroll, make_household, user
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A, VILLAGE_B

from .conftest import post_json

pytestmark = pytest.mark.django_db
URL = "/api/v1/payroll/batches"


def this_month() -> str:
    return f"{timezone.localdate():%Y-%m}"


@pytest.fixture
def payroll_world(regions, settings, tmp_path):
    settings.JIUZHU_FILES_DIR = tmp_path
    enroll(make_household(VILLAGE_A, head="张建国"), amount="650.00", klass="A")
    enroll(make_household(VILLAGE_A, head="王秀兰", members=3), amount="1200.50", klass="B", persons=3)
    enroll(make_household(VILLAGE_B, head="陈志强", members=4), amount="999.99", klass="C", persons=4)
    return {"maker": user("county_maker", Role.COUNTY, COUNTY, "赵制单"),
            "checker": user("county_checker", Role.COUNTY, COUNTY, "钱审核")}


def counts() -> tuple:
    return (PayrollBatch.objects.count(), PaymentLine.objects.count(),
            list(PayrollBatch.objects.order_by("pk").values_list("status", flat=True)), AuditEvent.objects.count())


def test_prepare_list_detail_approve_and_bank_file(client, bearer, payroll_world):
    maker, checker = bearer(payroll_world["maker"]), bearer(payroll_world["checker"])
    # when the county maker prepares this month's county batch
    response = post_json(client, URL, {"region": COUNTY, "month": this_month()}, maker)
    # then it is created with totals by township and class
    assert response.status_code == 201, response.content
    batch = response.json()
    assert (batch["status"], batch["kind"], batch["households"], batch["persons"], batch["lines"]) == \
        ("prepared", "regular", 3, 9, 3)
    assert batch["total_amount"] == "2850.49" and batch["prepared_by"] == "赵制单"
    totals = {(r["township"], r["klass"]): r for r in batch["totals"]}
    assert totals[(TOWNSHIP_A, "B")]["amount"] == "1200.50" and totals[(TOWNSHIP_B, "C")]["households"] == 1
    assert {t["township"]: t["amount"] for t in batch["townships"]} == {TOWNSHIP_A: "1850.50", TOWNSHIP_B: "999.99"}
    assert batch["by_status"]["pending"] == {"lines": 3, "amount": "2850.49"}
    # asking again returns the same batch (200), nothing new
    again = post_json(client, URL, {"region": COUNTY, "month": this_month()}, maker)
    assert again.status_code == 200 and again.json()["id"] == batch["id"]
    # listed and readable
    listed = client.get(URL, {"month": this_month()}, **maker).json()["items"]
    assert [b["id"] for b in listed] == [batch["id"]]
    assert client.get(URL, {"status": "approved"}, **maker).json()["items"] == []
    assert client.get(f"{URL}/{batch['id']}", **maker).json()["number"] == batch["number"]
    # no bank file before approval
    early = client.get(f"{URL}/{batch['id']}/bankfile", **maker)
    assert early.status_code == 409 and early.json()["code"] == "payroll.not_approved"
    # the checker approves
    approved = post_json(client, f"{URL}/{batch['id']}/approve", {}, checker)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == "钱审核"
    again = post_json(client, f"{URL}/{batch['id']}/approve", {}, checker)
    assert again.status_code == 409 and again.json()["code"] == "payroll.already_approved"
    # and the bank file downloads with full accounts (CSV, then xlsx)
    response = client.get(f"{URL}/{batch['id']}/bankfile", {"format": "csv"}, **maker)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["序号", "收款人", "银行账号"] and len([r for r in rows[1:] if r and r[0].isdigit()]) == 3
    assert all("*" not in r[2] for r in rows[1:4])
    xlsx = client.get(f"{URL}/{batch['id']}/bankfile", {"format": "xlsx"}, **maker)
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"
    assert AuditEvent.objects.filter(action="payroll.download").count() == 2
    bad = client.get(f"{URL}/{batch['id']}/bankfile", {"format": "pdf"}, **maker)
    assert bad.status_code == 422 and bad.json()["details"]["field"] == "format"


def test_approving_ones_own_batch_is_refused_naming_the_rule(client, bearer, payroll_world):
    maker = bearer(payroll_world["maker"])
    batch = post_json(client, URL, {"region": COUNTY, "month": this_month()}, maker).json()
    before = counts()
    response = post_json(client, f"{URL}/{batch['id']}/approve", {}, maker)
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "payroll.self_approval" and "制单与审核须由不同人员办理" in body["message"]
    assert counts() == before


@pytest.mark.parametrize("payload, field", [
    ({"region": "abc", "month": "2026-12"}, "region"),
    ({"region": COUNTY, "month": "2026-13"}, "month"),
    ({"region": COUNTY}, "month"),
    ({"region": "330127999999", "month": "2026-12"}, "region"),  # no such region
    ({"region": COUNTY, "month": "2099-01"}, "month"),  # later than next month
    # issue 12 §3.7: a payroll month must lie within the enrollment period of the region's data
    ({"region": COUNTY, "month": "0001-01"}, "month"),  # before the region's first enrollment
])
def test_bad_prepare_input_is_422_naming_the_field(client, bearer, payroll_world, payload, field):
    maker = bearer(payroll_world["maker"])
    before = counts()
    response = post_json(client, URL, payload, maker)
    assert response.status_code == 422, response.content
    body = response.json()
    named = body["details"].get("field") or ",".join(e["field"] for e in body["details"].get("errors", []))
    assert field in named and (field in body["message"] or "发放" in body["message"])
    assert counts() == before


def test_other_township_gets_404_and_nothing_changes(client, bearer, payroll_world, outsider, caseworker):
    # given a township A batch prepared by the county maker
    maker = bearer(payroll_world["maker"])
    batch = post_json(client, URL, {"region": TOWNSHIP_A, "month": this_month()}, maker).json()
    b_headers, a_headers = bearer(outsider), bearer(caseworker)
    before = counts()
    # township B's caseworker can neither see, approve, download nor prepare township A's
    assert client.get(f"{URL}/{batch['id']}", **b_headers).status_code == 404
    assert post_json(client, f"{URL}/{batch['id']}/approve", {}, b_headers).status_code == 404
    assert client.get(f"{URL}/{batch['id']}/bankfile", **b_headers).status_code == 404
    assert post_json(client, URL, {"region": TOWNSHIP_A, "month": this_month()}, b_headers).status_code == 404
    assert client.get(URL, **b_headers).json()["items"] == []
    # township A's caseworker reads it but may not approve (role)
    assert client.get(f"{URL}/{batch['id']}", **a_headers).status_code == 200
    refused = post_json(client, f"{URL}/{batch['id']}/approve", {}, a_headers)
    assert refused.status_code == 403 and refused.json()["code"] == "payroll.role"
    assert counts() == before
    assert client.get(URL).status_code == 401


def test_openapi_documents_the_payroll_operations(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {URL, f"{URL}/{{batch_id}}", f"{URL}/{{batch_id}}/approve", f"{URL}/{{batch_id}}/bankfile"} <= set(paths)
    assert "201" in paths[URL]["post"]["responses"] and "403" in paths[f"{URL}/{{batch_id}}/approve"]["post"]["responses"]
