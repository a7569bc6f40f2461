"""系统管理 · 审核确认流程设置, 保障标准调整 and 审计日志校验 pages: view and edit with validation (bad
input named under its field, nothing changed), maker-checker on standards (the proposer cannot
approve; the checker confirms the preview they saw), the audit check as a background job."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.config import region_config
from jiuzhu.apps.cases.models import WorkflowSetting
from jiuzhu.apps.enrollment.models import StandardChange
from jiuzhu.apps.jobs.models import Job
from tests.apps.enrollment.standard_helpers import START, county_checker, enroll, hh_factory  # noqa: F401
from tests.apps.test_audit import behind_the_triggers
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from tests.jobs_helpers import run_jobs

from .helpers import field_error

SOURCE = "淳安县民政局、淳安县财政局《关于调整最低生活保障标准的通知》（淳民〔2026〕8号）第一条"


def html(resp) -> str:
    return resp.content.decode()


def settings_state():
    return list(WorkflowSetting.objects.order_by("pk").values()), AuditEvent.objects.count()


def settings_post(**overrides):
    data = {"confirmation_level": "township", "verify_before_accept": "on", "overall_limit_wd": "18",
            "overall_limit_extended_wd": "30", "objection_phone": "0571-65012345", "policy": "", "source": "县方案"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_views_and_edits_township_settings(client, admin_user):
    client.force_login(admin_user)
    page = html(client.get(reverse("web:system_settings")))
    assert "千岛湖镇" in page and "文昌镇" in page and "沿用上级或默认" in page
    url = reverse("web:system_settings_edit", args=[TOWNSHIP_A])
    assert 'name="step_survey"' in html(client.get(url))
    resp = client.post(url, settings_post(verify_before_accept=None, step_survey="2"))
    assert resp.status_code == 302
    config = region_config(TOWNSHIP_A)
    assert config.settings.verify_before_accept is False and config.settings.overall_limit_wd == 18
    assert config.settings.step_limits == {"survey": 2} and config.objection_phone == "0571-65012345"
    assert region_config(TOWNSHIP_B).settings.verify_before_accept is True  # the other township unchanged
    assert AuditEvent.objects.filter(action="workflow.settings", subject_id=TOWNSHIP_A, actor_id=admin_user.pk).exists()


@pytest.mark.parametrize("overrides, field, words", [
    ({"overall_limit_wd": "abc"}, "overall_limit_wd", "总办理时限(工作日)：应为正整数"),
    ({"overall_limit_wd": "25"}, "overall_limit_wd", "总办理时限应在 1 至 20 个工作日之间"),
    ({"overall_limit_extended_wd": "10"}, "overall_limit_extended_wd", "延长后的办理时限应不少于总时限"),
    ({"confirmation_level": "village"}, "confirmation_level", "审核确认层级只能是"),
    ({"step_survey": "x"}, "step_survey", "应为正整数"),
    ({"step_survey": "9"}, "step_survey", "环节时限应为 1 至 3 的整数"),
    ({"objection_phone": "1" * 41}, "objection_phone", "监督举报电话：过长"),
])
def test_settings_bad_input_named_and_nothing_changed(client, admin_user, overrides, field, words):
    client.force_login(admin_user)
    before = settings_state()
    resp = client.post(reverse("web:system_settings_edit", args=[TOWNSHIP_A]), settings_post(**overrides))
    assert resp.status_code == 422 and words in (field_error(html(resp), field) or ""), html(resp)
    assert settings_state() == before


def test_settings_of_a_region_outside_the_scope_are_not_found(client, admin_user):
    from jiuzhu.apps.accounts.models import User

    User.objects.filter(pk=admin_user.pk).update(region_id=TOWNSHIP_B)
    client.force_login(admin_user)
    before = settings_state()
    assert "千岛湖镇" not in html(client.get(reverse("web:system_settings")))
    for code in (TOWNSHIP_A, COUNTY, "abc", "330127100201"):
        assert client.post(reverse("web:system_settings_edit", args=[code]), settings_post()).status_code == 404
    assert settings_state() == before


def test_standard_propose_preview_and_approve_by_another_user(client, county_user, county_checker, hh_factory):
    enroll(hh_factory(incomes=(100, 100)))
    client.force_login(county_user)
    resp = client.post(reverse("web:system_standards"), {
        "region": COUNTY, "program": "dibao", "area_type": "rural", "amount": "1350",
        "start_date": START.isoformat(), "source": SOURCE})
    change = StandardChange.objects.get()
    assert resp.status_code == 302 and change.prepared_by == county_user
    url = reverse("web:system_standard", args=[change.pk])
    resp = client.post(reverse("web:system_standard_action", args=[change.pk, "preview"]))
    assert resp.status_code == 302 and "?job=" in resp["Location"] and run_jobs() == 1
    assert "查看标准调整" in html(client.get(resp["Location"]))
    change.refresh_from_db()
    page = html(client.get(url))
    assert change.preview_sha256 and 'id="preview-counts"' in page and "千岛湖镇" in page
    # the proposer cannot approve, not even by posting directly
    assert 'id="approve-btn"' not in page and "须由另一名县民政工作人员审批" in page
    resp = client.post(reverse("web:system_standard_action", args=[change.pk, "approve"]),
                       {"confirm": "on", "sha256": change.preview_sha256})
    assert resp.status_code == 403 and "审批人不能是提出人" in html(resp)
    # the checker must tick the confirmation and approve the preview they saw
    client.force_login(county_checker)
    assert 'id="approve-btn"' in html(client.get(url))
    approve = reverse("web:system_standard_action", args=[change.pk, "approve"])
    resp = client.post(approve, {"sha256": change.preview_sha256})
    assert resp.status_code == 422 and "我已核对预览汇总" in html(resp)
    resp = client.post(approve, {"confirm": "on", "sha256": "0" * 64})
    assert resp.status_code == 409 and "预览已重新生成" in html(resp)
    change.refresh_from_db()
    assert change.status == "proposed"
    client.post(approve, {"confirm": "on", "sha256": change.preview_sha256})
    change.refresh_from_db()
    assert change.status == "approved" and change.approved_by == county_checker
    # then the change is applied as a job
    assert 'id="apply-btn"' in html(client.get(url))
    client.post(reverse("web:system_standard_action", args=[change.pk, "apply"]))
    assert run_jobs() == 1
    change.refresh_from_db()
    assert change.status == "applied" and 'id="applied"' in html(client.get(url))
    # and its 附件9 notices are generated in one batch job, offered on the job's page
    assert 'id="notices-btn"' in html(client.get(url))
    resp = client.post(reverse("web:system_standard_action", args=[change.pk, "notices"]))
    assert resp.status_code == 302 and run_jobs() == 1
    job = Job.objects.get(kind="documents.notice_batch")
    assert job.status == Job.Status.SUCCEEDED and job.result["documents"] == 1, job.error
    assert "下载文书：1 份告知书" in html(client.get(resp["Location"]))


def test_standard_apply_before_approval_is_refused_on_the_page(client, county_user):
    client.force_login(county_user)
    client.post(reverse("web:system_standards"), {"region": COUNTY, "program": "dibao", "area_type": "rural",
                                                  "amount": "1350", "start_date": START.isoformat(), "source": SOURCE})
    change = StandardChange.objects.get()
    resp = client.post(reverse("web:system_standard_action", args=[change.pk, "apply"]))
    assert resp.status_code == 409 and "尚未审批，不能应用" in html(resp) and Job.objects.count() == 0


@pytest.mark.parametrize("overrides, field, words", [
    ({"amount": "abc"}, "amount", "不是有效金额"),
    ({"start_date": "2026-07-15"}, "start_date", "2026-07-15"),
    ({"source": ""}, "source", "出处：必填"),
    ({"region": TOWNSHIP_A}, "region", "县级及以上"),
    ({"area_type": "mars"}, "area_type", "城乡类别"),
])
def test_standard_bad_input_named_and_nothing_saved(client, county_user, overrides, field, words):
    client.force_login(county_user)
    data = {"region": COUNTY, "program": "dibao", "area_type": "rural", "amount": "1350",
            "start_date": START.isoformat(), "source": SOURCE, **overrides}
    resp = client.post(reverse("web:system_standards"), data)
    assert resp.status_code in (409, 422) and words in (field_error(html(resp), field) or ""), html(resp)
    assert StandardChange.objects.count() == 0


def test_standard_pages_refuse_other_roles(client, admin_user, caseworker):
    for user in (admin_user, caseworker):
        client.force_login(user)
        resp = client.get(reverse("web:system_standards"))
        assert resp.status_code == 403 and "只有县级民政工作人员可以办理保障标准调整" in html(resp)


def test_audit_check_runs_as_a_job_and_shows_the_result(client, admin_user, inspector, caseworker):
    client.force_login(admin_user)
    assert "尚未在本页校验过" in html(client.get(reverse("web:system_audit")))
    resp = client.post(reverse("web:system_audit"))
    assert resp.status_code == 302 and "?job=" in resp["Location"]
    assert run_jobs() == 1
    page = html(client.get(resp["Location"]))
    assert "审计日志完整" in page and 'id="verify-result"' in page
    assert Job.objects.get().result["intact"] is True
    # a tampered event: the next check names it
    event = AuditEvent.objects.order_by("id").first()
    with behind_the_triggers() as cur:
        cur.execute("UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", [event.pk])
    client.force_login(inspector)
    client.post(reverse("web:system_audit"))
    assert run_jobs() == 1
    page = html(client.get(reverse("web:system_audit")))
    assert "审计日志被篡改" in page and "forged" in page
    client.force_login(caseworker)
    resp = client.post(reverse("web:system_audit"))
    assert resp.status_code == 403 and "只有系统管理员和纪检监督人员" in html(resp)
