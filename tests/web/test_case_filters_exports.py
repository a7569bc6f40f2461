"""Case list filters (township, village, program, state, overdue, submission dates) and the xlsx
exports of cases, households and enrollments with those filters: masked ID numbers by default, full
numbers only for roles that may see them (audited); the outsider's township cannot widen its scope."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.registry import pii
from jiuzhu.apps.registry.services import household_create
from tests.conftest import AS_OF, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A, VILLAGE_A2, VILLAGE_B

from .test_cases_support import people, submit  # noqa: F401  (people is a fixture)

URL = "/cases/"


def _household(actor, household_data, name, **kw):
    data = household_data(**kw)
    data["members"][0]["name"] = name
    return household_create(actor=actor, data=data, as_of=AS_OF)


@pytest.fixture
def cases(people, household, household_data):
    other = _household(people["caseworker"], household_data, "王大山", region=VILLAGE_A2)
    a1 = submit(people["caseworker"], household)
    a2 = submit(people["caseworker"], other)
    Case.objects.filter(pk=a2.pk).update(overdue=True, submitted_at=timezone.now() - timedelta(days=40))
    b_house = _household(people["outsider"], household_data, "李文昌", region=VILLAGE_B)
    b1 = submit(people["outsider"], b_house)
    return {"a1": a1, "a2": Case.objects.get(pk=a2.pk), "b1": b1, "a_house": household, "b_house": b_house}


def rows_of(resp) -> list[list]:
    content = b"".join(resp.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_filters_by_township_village_overdue_and_dates(client, people, cases):
    # given the county user sees cases of both townships
    client.force_login(people["county"])
    page = client.get(URL).content.decode()
    assert all(cases[k].number in page for k in ("a1", "a2", "b1"))
    assert 'id="id_township"' in page and "千岛湖镇" in page and "文昌镇" in page
    # when filtering by township, village, overdue and dates, then only the matching cases are listed
    page = client.get(URL, {"township": TOWNSHIP_B}).content.decode()
    assert cases["b1"].number in page and cases["a1"].number not in page
    page = client.get(URL, {"township": TOWNSHIP_A, "village": VILLAGE_A2}).content.decode()
    assert cases["a2"].number in page and cases["a1"].number not in page and "宋家湖村" in page
    page = client.get(URL, {"overdue": "1"}).content.decode()
    assert cases["a2"].number in page and cases["a1"].number not in page and cases["b1"].number not in page
    today = timezone.localdate()
    page = client.get(URL, {"submitted_from": (today - timedelta(days=1)).isoformat(),
                            "submitted_to": today.isoformat()}).content.decode()
    assert cases["a1"].number in page and cases["a2"].number not in page
    page = client.get(URL, {"submitted_to": (today - timedelta(days=30)).isoformat()}).content.decode()
    assert cases["a2"].number in page and cases["a1"].number not in page
    # the export links carry the same filters
    page = client.get(URL, {"township": TOWNSHIP_B, "overdue": "1"}).content.decode()
    assert "/exports/cases.xlsx?township=330127101000&amp;overdue=1" in page


@pytest.mark.parametrize("params, field, words", [
    ({"township": "330127999000"}, "township", "乡镇(街道)：不存在或不在您的管辖范围内"),
    ({"township": "abc"}, "township", "乡镇(街道)：不存在或不在您的管辖范围内"),
    ({"village": TOWNSHIP_A}, "village", "村(居)：不存在或不在您的管辖范围内"),
    ({"township": TOWNSHIP_B, "village": VILLAGE_A}, "village", "村(居)：不属于所选乡镇(街道)"),
    ({"program": "nope"}, "program", "项目：取值无效"),
    ({"state": "nope"}, "state", "状态：取值无效"),
    ({"overdue": "maybe"}, "overdue", "仅看逾期：取值无效"),
    ({"submitted_from": "2026-13-01"}, "submitted_from", "申请日期起：日期格式应为 YYYY-MM-DD"),
    ({"submitted_from": "2026-12-01", "submitted_to": "2026-11-01"}, "submitted_to", "申请日期止：不能早于申请日期起"),
])
def test_bad_filter_is_shown_under_its_field_and_lists_nothing(client, people, cases, params, field, words):
    client.force_login(people["county"])
    resp = client.get(URL, params)
    page = resp.content.decode()
    assert resp.status_code == 422 and f'id="err-{field}"' in page and words in page
    assert cases["a1"].number not in page and 'id="exports"' not in page


def test_outsider_cannot_filter_or_export_township_a(client, people, cases):
    # given the caseworker of township B
    client.force_login(people["outsider"])
    # when they ask for township A's cases or villages on the list or the exports
    for params in ({"township": TOWNSHIP_A}, {"village": VILLAGE_A}):
        page = client.get(URL, params).content.decode()
        assert cases["a1"].number not in page and "不在您的管辖范围内" in page
        for kind in ("cases", "households", "enrollments"):
            resp = client.get(reverse("web:export", args=[kind]), params)
            assert resp.status_code == 422 and "不在您的管辖范围内" in resp.content.decode()
    # then an unfiltered export holds only their own township
    rows = rows_of(client.get(reverse("web:export", args=["cases"])))
    numbers = [r[0] for r in rows[1:]]
    assert numbers == [cases["b1"].number]
    rows = rows_of(client.get(reverse("web:export", args=["households"])))
    assert [r[1] for r in rows[1:]] == ["李文昌"]


def test_exports_mask_id_numbers_and_full_numbers_are_audited(client, people, cases):
    head = cases["a_house"].head
    full = pii.open_(head.id_number_enc, purpose="id_number")
    client.force_login(people["caseworker"])
    # masked by default (and the export is audited as such)
    resp = client.get(reverse("web:export", args=["cases"]), {"village": VILLAGE_A})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = rows_of(resp)
    assert rows[0][:5] == ["案件编号", "项目", "类别", "申请人", "身份证号"]
    assert [r[0] for r in rows[1:]] == [cases["a1"].number]
    assert rows[1][4] == head.id_number_masked and full not in str(rows)
    event = AuditEvent.objects.get(action="export.cases")
    assert event.details["rows"] == 1 and event.details["full_id_numbers"] is False
    assert event.details["filters"] == {"village": VILLAGE_A}
    # the 完整证件号 option for a role allowed to see full numbers: full and audited
    rows = rows_of(client.get(reverse("web:export", args=["households"]), {"village": VILLAGE_A, "full": "1"}))
    assert rows[0][2] == "户主身份证号" and full in [r[2] for r in rows[1:]]
    event = AuditEvent.objects.get(action="export.households.full")
    assert event.details["full_id_numbers"] is True and event.actor_id == people["caseworker"].pk


def test_full_numbers_refused_to_roles_without_the_permission(client, people, cases, inspector):
    # given the inspector, who may read but not see full ID numbers
    client.force_login(inspector)
    page = client.get(URL).content.decode()
    assert 'id="export-cases"' in page and 'id="export-cases-full"' not in page
    before = AuditEvent.objects.count()
    # when they ask for the full export, then 403 with a Chinese reason and nothing audited as exported
    resp = client.get(reverse("web:export", args=["cases"]), {"full": "1"})
    assert resp.status_code == 403 and "无权导出完整证件号" in resp.content.decode()
    assert AuditEvent.objects.count() == before
    assert client.get(reverse("web:export", args=["nonsense"])).status_code == 422


def test_formula_text_is_written_as_text(client, people, household):
    from jiuzhu.apps.registry.models import Household

    Household.objects.filter(pk=household.pk).update(address='=HYPERLINK("http://x")')
    client.force_login(people["caseworker"])
    resp = client.get(reverse("web:export", args=["households"]))
    content = b"".join(resp.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert rows[1][6] == '=HYPERLINK("http://x")'  # a text cell, not a formula
    import zipfile

    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet


def test_household_and_enrollment_lists_export_with_their_own_filters(client, people, cases):
    from jiuzhu.apps.enrollment.models import Enrollment

    client.force_login(people["caseworker"])
    page = client.get(reverse("web:household_list"), {"village": VILLAGE_A2, "area_type": "rural"}).content.decode()
    assert "/exports/households.xlsx?village=330127100202&amp;area_type=rural" in page
    assert 'id="export-households-full"' in page
    rows = rows_of(client.get(reverse("web:export", args=["households"]), {"village": VILLAGE_A2}))
    assert [r[1] for r in rows[1:]] == ["王大山"]
    rows = rows_of(client.get(reverse("web:export", args=["households"]), {"area_type": "urban"}))
    assert all(r[4] == "城市" for r in rows[1:])
    page = client.get(reverse("web:enrollment_list"), {"status": "active", "program": "dibao"}).content.decode()
    assert "/exports/enrollments.xlsx?program=dibao&amp;status=active" in page
    resp = client.get(reverse("web:export", args=["enrollments"]), {"status": "nope", "klass": "Z"})
    assert resp.status_code == 422 and "状态：取值无效" in resp.content.decode() and "分类：取值无效" in resp.content.decode()
    assert rows_of(client.get(reverse("web:export", args=["enrollments"])))[0][:4] == ["在保编号", "项目", "户主", "户主身份证号"]
    assert Enrollment.objects.count() == 0


def test_enrollment_export_content_masked_full_and_scoped(client, people, household, outsider):
    from decimal import Decimal

    from tests.apps.enrollment.standard_helpers import enroll

    enroll(household, amount=Decimal("1200.50"), klass="C")
    full = pii.open_(household.head.id_number_enc, purpose="id_number")
    client.force_login(people["caseworker"])
    rows = rows_of(client.get(reverse("web:export", args=["enrollments"]), {"status": "active"}))
    assert rows[1][1:4] == ["最低生活保障", household.head_name, household.head.id_number_masked]
    assert rows[1][7] == 1200.5 and full not in str(rows)
    rows = rows_of(client.get(reverse("web:export", args=["enrollments"]), {"full": "1"}))
    assert rows[1][3] == full
    assert AuditEvent.objects.filter(action="export.enrollments.full", actor_id=people["caseworker"].pk).exists()
    assert len(rows_of(client.get(reverse("web:export", args=["enrollments"]), {"status": "stopped"}))) == 1
    # the outsider's export of the same list is empty
    client.force_login(outsider)
    assert len(rows_of(client.get(reverse("web:export", args=["enrollments"])))) == 1


def test_large_export_runs_as_a_job_downloaded_only_by_its_requester(client, people, cases, monkeypatch):
    from jiuzhu.apps.exports import services
    from jiuzhu.apps.jobs.models import Job
    from tests.jobs_helpers import run_jobs

    monkeypatch.setattr(services, "INLINE_ROWS", 1)
    client.force_login(people["county"])
    # given more rows than are written inline, the page offers a background job (a GET queues nothing)
    resp = client.get(reverse("web:export", args=["cases"]), {"township": TOWNSHIP_A, "full": "1"})
    page = resp.content.decode()
    assert resp.status_code == 200 and "共 <strong>2</strong> 行" in page and Job.objects.count() == 0
    # when the user asks for it
    resp = client.post(reverse("web:export", args=["cases"]), {"township": TOWNSHIP_A, "full": "1"})
    job = Job.objects.get()
    assert resp.status_code == 302 and job.params["filters"] == {"township": TOWNSHIP_A}
    assert run_jobs() == 1
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["rows"] == 2
    assert reverse("web:export_download", args=[job.pk]) in client.get(reverse("web:job_detail", args=[job.pk])).content.decode()
    # then the requester downloads the workbook with full numbers (export and download audited)
    rows = rows_of(client.get(reverse("web:export_download", args=[job.pk])))
    assert sorted(r[0] for r in rows[1:]) == sorted([cases["a1"].number, cases["a2"].number])
    full = pii.open_(cases["a_house"].head.id_number_enc, purpose="id_number")
    assert full in [r[4] for r in rows[1:]]
    assert AuditEvent.objects.filter(action="export.cases.full", actor_id=people["county"].pk).count() == 1
    assert AuditEvent.objects.filter(action="export.download", actor_id=people["county"].pk).count() == 1
    # and nobody else can
    for other in (people["caseworker"], people["outsider"]):
        client.force_login(other)
        assert client.get(reverse("web:export_download", args=[job.pk])).status_code == 404
    # a role without full numbers cannot queue a full export either
    client.force_login(people["county"])
    from jiuzhu.apps.accounts.models import User

    User.objects.filter(pk=people["county"].pk).update(role="inspector")
    resp = client.post(reverse("web:export", args=["cases"]), {"full": "1"})
    assert resp.status_code == 403 and Job.objects.count() == 1


def test_filter_choices_follow_the_users_region(client, people, cases):
    # the township caseworker picks among their villages, with no township choice
    client.force_login(people["caseworker"])
    page = client.get(URL).content.decode()
    assert 'id="id_township"' not in page and "宋家湖村" in page and "王家源村" not in page
    # the village assistant has neither (their one village is their whole scope)
    client.force_login(people["village"])
    page = client.get(URL).content.decode()
    assert 'id="id_township"' not in page and 'id="id_village"' not in page and 'id="exports"' in page
    resp = client.get(URL, {"village": VILLAGE_A2})
    assert resp.status_code == 422 and "村(居)：不存在或不在您的管辖范围内" in resp.content.decode()
