"""Scope attack: the township-B caseworker (``outsider``) gets 404 for everything of township A's
case — page, action forms, actions, uploads, files, starting a case — and nothing changes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.files import attachment_add
from jiuzhu.apps.cases.models import Case, CaseAttachment, CaseEvent

from .test_cases_support import case_in, people, submit, tiny_png  # noqa: F401


@pytest.fixture
def target(people, household):
    """Township A's case in the survey step, with one photo."""
    from django.utils import timezone

    case = case_in(people, household, "accepted")
    att = attachment_add(actor=people["caseworker"], case_id=case.pk, kind="photo", filename="a.png",
                         content=tiny_png(), now=timezone.now())
    return case, att


def _snapshot(case):
    case.refresh_from_db()
    return (case.state, case.version, CaseEvent.objects.count(), CaseAttachment.objects.count(),
            AuditEvent.objects.count())


def _assert_404(resp):
    assert resp.status_code == 404
    page = resp.content.decode()
    assert "不存在或不在您的管辖范围内" in page
    assert "张建国" not in page


def test_outsider_cannot_see_the_case_page_forms_or_files(client, people, target):
    case, att = target
    client.force_login(people["outsider"])
    _assert_404(client.get(reverse("web:case_detail", args=[case.pk])))
    for action in ("record_survey", "withdraw", "terminate", "extend", "record_verification"):
        _assert_404(client.get(reverse("web:case_action", args=[case.pk, action])))
        _assert_404(client.get(reverse("web:case_action", args=[case.pk, action]), HTTP_HX_REQUEST="true"))
    _assert_404(client.get(reverse("web:case_file", args=[case.pk, att.pk])))


def test_outsider_actions_and_uploads_are_404_and_change_nothing(client, people, target):
    case, att = target
    before = _snapshot(case)
    client.force_login(people["outsider"])
    posts = {
        "record_survey": {"version": case.version, "date": "2026-11-28", "investigators": "甲、乙",
                          "living_conditions": "x", "findings": "y", "photos": [att.pk]},
        "withdraw": {"version": case.version, "reason": "申请人书面申请撤回"},
        "terminate": {"version": case.version, "reason_code": "moved_away"},
        "extend": {"version": case.version, "reason_code": "force_majeure"},
    }
    for action, post in posts.items():
        _assert_404(client.post(reverse("web:case_action", args=[case.pk, action]), post))
    for kind in ("photo", "authorization", "id_card"):
        upload = SimpleUploadedFile("x.png", tiny_png(), content_type="image/png")
        _assert_404(client.post(reverse("web:case_upload", args=[case.pk]),
                                {"kind": kind, "back": "survey", "file": upload}))
    assert _snapshot(case) == before


def test_outsider_cannot_start_a_case_for_township_a_household(client, people, household):
    client.force_login(people["outsider"])
    url = reverse("web:case_new", args=[household.pk])
    _assert_404(client.get(url))
    _assert_404(client.post(url, {"program": "dibao", "applicant": str(household.head_id), "channel": "window",
                                  "id_checked": "on", "authorization_signed": "on"}))
    assert not Case.objects.exists()


def test_unknown_action_and_missing_case_are_404(client, people, household):
    case = submit(people["caseworker"], household)
    client.force_login(people["caseworker"])
    assert client.get(reverse("web:case_action", args=[case.pk, "approve_everything"])).status_code == 404
    assert client.get(reverse("web:case_action", args=[case.pk, "submit"])).status_code == 404
    assert client.get(reverse("web:case_detail", args=[999999])).status_code == 404


def test_case_pages_need_login(client, people, household):
    case = submit(people["caseworker"], household)
    for url in (reverse("web:case_list"), reverse("web:case_detail", args=[case.pk]),
                reverse("web:case_action", args=[case.pk, "withdraw"]), reverse("web:case_new", args=[household.pk])):
        resp = client.get(url)
        assert resp.status_code == 302 and resp.url.startswith(reverse("web:login")), url
