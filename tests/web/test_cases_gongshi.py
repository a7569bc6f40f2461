"""Issue 20 §2–4 in the browser: the 申请情况公示 on /gongshi/ and in the case, the survey form's 驻村干部
accounts, and the 民主听证 form with its five steps (社会救助年审 plan 三(2)二、三、五)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from jiuzhu.apps.cases.files import attachment_add
from jiuzhu.apps.cases.models import Notice
from tests.conftest import TOWNSHIP_A
from tests.web.helpers import field_error

from .test_cases_support import SURVEY, act, people, submit, tiny_png  # noqa: F401


def _settings_on():
    from tests.apps.cases.flow import workflow_setting

    workflow_setting(TOWNSHIP_A, application_notice=True, hearing=True)


def _surveyed(people, household, conclusion="inconsistent"):
    case = submit(people["caseworker"], household)
    case = act(people["caseworker"], case, "request_verification")
    case = act(people["county"], case, "record_verification", {"conclusion": conclusion})
    case = act(people["caseworker"], case, "accept")
    return act(people["caseworker"], case, "record_survey", SURVEY)


def test_application_notice_on_the_public_page_and_in_the_case_without_amount(client, people, household):
    """申请情况公示: name, household size, program — no amount — on /gongshi/ and in the case."""
    _settings_on()
    case = _surveyed(people, household, "consistent")
    notice = case.notices.get(kind=Notice.Kind.APPLICATION)
    today = timezone.localdate()
    assert notice.starts_on == today + timedelta(days=1)
    assert "申请情况公示" not in client.get(reverse("web:public_notices")).content.decode().split("</form>")[1]
    Notice.objects.filter(pk=notice.pk).update(starts_on=today)  # its first day
    page = client.get(reverse("web:public_notices")).content.decode()
    row = page.split("申请情况公示</td>")[0].rsplit("<tr>", 1)[1]
    assert household.head.name in row and "<td data-label=\"月保障金(元)\">—</td>" in row
    client.force_login(people["caseworker"])
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert "申请情况公示" in page


def test_hearing_form_with_the_five_steps(client, people, household, settings, tmp_path):
    """民主听证应遵循宣讲政策、介绍情况、现场评议、形成结论、签字确认程序进行."""
    settings.JIUZHU_FILES_DIR = tmp_path / "files"
    _settings_on()
    case = _surveyed(people, household)
    client.force_login(people["caseworker"])
    url = reverse("web:case_action", args=[case.pk, "hold_hearing"])
    page = client.get(url).content.decode()
    for step in ("宣讲政策", "介绍情况", "现场评议", "形成结论", "签字确认"):
        assert step in page
    post = {"date": timezone.localdate().isoformat(), "place": "村委会", "host": "周书记",
            "steps.policy": "宣讲政策", "steps.situation": "介绍情况", "steps.deliberation": "逐一评议",
            "steps.conclusion": "形成结论", "steps.signing": "签字确认",
            **{f"attendees[{i}].{k}": v for i, (n, c) in enumerate([("周书记", "书记"), ("吴驻村", "驻村干部"),
                                                                   ("村民丙", "村民代表")])
               for k, v in (("name", n), ("capacity", c), ("signed", "on"))},
            "conclusion": "eligible", "conclusion_text": "符合条件", "version": case.version}
    # a missing step is shown next to its field
    resp = client.post(url, {**post, "steps.policy": ""})
    assert resp.status_code == 422 and field_error(resp.content.decode(), "steps.policy")
    # no signed sheet uploaded yet
    resp = client.post(url, post)
    assert resp.status_code == 422 and "民主听证签字表" in field_error(resp.content.decode(), "signed_sheet")
    attachment_add(actor=people["caseworker"], case_id=case.pk, kind="hearing_sheet", filename="sheet.png",
                   content=tiny_png(8, 8), now=timezone.now())
    resp = client.post(url, post)
    assert resp.status_code == 302
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert "民主听证" in page and "吴驻村（驻村干部，已签字）" in page


def test_outsider_cannot_open_the_hearing_form(client, people, household):
    _settings_on()
    case = _surveyed(people, household)
    client.force_login(people["outsider"])
    assert client.get(reverse("web:case_action", args=[case.pk, "hold_hearing"])).status_code == 404
