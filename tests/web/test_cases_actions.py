"""Starting a case and acting on it through the forms: success, errors next to their field, 409/403
on top, stale versions, htmx partials, photo and scan uploads."""

from django.urls import reverse

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.models import Case, CaseAttachment
from jiuzhu.apps.registry.models import Person
from tests.web.helpers import field_error

from .test_cases_support import SURVEY, act, case_in, people, submit, tiny_png  # noqa: F401

HTMX = {"HTTP_HX_REQUEST": "true"}


def _action_url(case, action):
    return reverse("web:case_action", args=[case.pk, action])


def _apply_post(household, **extra):
    return {"program": "dibao", "applicant": str(household.head_id), "channel": "village", "id_checked": "on",
            "authorization_signed": "on", "economic_form_signed": "on", "note": "", **extra}


def test_village_assistant_starts_a_case_from_the_household_page(client, people, household):
    client.force_login(people["village"])
    # given the form, with the head preselected and only the village channel offered
    page = client.get(reverse("web:case_new", args=[household.pk])).content.decode()
    assert "已核验身份证件" in page and "已签署委托授权书" in page and "近亲属申报" in page
    assert "村(居)协理员代办" in page and "一门受理窗口" not in page
    # when they submit it with a near-relative declaration (second row left empty)
    post = _apply_post(household, has_relatives="on", **{
        "relatives[0].member": "张建国", "relatives[0].staff_name": "张村长", "relatives[0].staff_position": "村委会主任",
        "relatives[0].relation": "兄弟", "relatives[1].member": "", "relatives[1].staff_name": ""})
    resp = client.post(reverse("web:case_new", args=[household.pk]), post)
    # then the case exists, flagged for relative filing, and the browser goes to its page
    case = Case.objects.get(household=household)
    assert resp.status_code == 302 and resp.url == reverse("web:case_detail", args=[case.pk])
    assert case.state == "submitted" and case.channel == "village" and case.relative_flag
    assert "张村长" in case.relative_note


def test_submit_form_errors_show_next_to_their_field_and_create_nothing(client, people, household):
    client.force_login(people["caseworker"])
    url = reverse("web:case_new", args=[household.pk])
    # declared relatives without rows
    resp = client.post(url, _apply_post(household, channel="window", has_relatives="on"))
    page = resp.content.decode()
    assert resp.status_code == 422
    assert field_error(page, "relatives") == "申报有近亲属时须逐一填写"
    assert 'name="has_relatives" checked' in page  # the input is kept
    # a row with a missing staff position: the error sits on that row's field
    resp = client.post(url, _apply_post(household, channel="window", has_relatives="on", **{
        "relatives[0].member": "张建国", "relatives[0].staff_name": "张村长", "relatives[0].relation": "兄弟"}))
    assert field_error(resp.content.decode(), "relatives[0].staff_position") == "其职务：不能为空"
    # a channel the caseworker cannot use here
    resp = client.post(url, _apply_post(household, channel="online"))
    assert "申请渠道无效" in field_error(resp.content.decode(), "channel")
    assert not Case.objects.exists()


def test_action_form_lists_the_payload_fields_with_chinese_labels(client, people, household):
    case = case_in(people, household, "accepted")
    client.force_login(people["caseworker"])
    page = client.get(_action_url(case, "record_survey")).content.decode()
    for label in ("调查日期", "调查人员", "居住及生活状况", "调查结论", "现场照片", "上传照片"):
        assert label in page, label
    assert "生活自理能力" not in page  # tekun-only fields are hidden on a dibao case
    assert f'name="version" value="{case.version}"' in page


def test_bad_form_shows_error_next_to_field_and_changes_nothing(client, people, household):
    case = case_in(people, household, "accepted")
    events = AuditEvent.objects.count()
    client.force_login(people["caseworker"])
    post = {"version": case.version, "date": "2026-11-28", "investigators": "王经办",
            "living_conditions": "砖混住房", "findings": "属实"}
    resp = client.post(_action_url(case, "record_survey"), post)
    page = resp.content.decode()
    assert resp.status_code == 422
    assert field_error(page, "investigators") == "调查人员：至少需要 2 项"
    assert "王经办" in page and "砖混住房" in page  # what was typed stays
    case.refresh_from_db()
    assert case.state == "accepted" and AuditEvent.objects.count() == events


def test_verification_item_error_is_placed_on_its_row(client, people, household):
    case = case_in(people, household, "verifying")
    client.force_login(people["county"])
    page = client.get(_action_url(case, "record_verification")).content.decode()
    assert "核对项目" in page and "工资性收入" in page and "张建国" in page  # members offered by name
    post = {"version": case.version, "conclusion": "consistent",
            "items[0].member": "", "items[0].source": "", "items[0].amount": "",  # empty row: dropped
            "items[1].member": str(household.head_id), "items[1].source": "人社", "items[1].item": "wage",
            "items[1].amount": "12.345", "items[1].as_of": "2026-10-31"}
    resp = client.post(_action_url(case, "record_verification"), post)
    assert resp.status_code == 422
    assert field_error(resp.content.decode(), "items[0].amount") == "金额(元)：最多两位小数"
    case.refresh_from_db()
    assert case.state == "verifying"


def test_successful_action_redirects_to_the_case_and_records_it(client, people, household):
    Person.objects.filter(pk=household.head_id).update(wage="300.00")  # the wage declared
    case = case_in(people, household, "verifying")
    client.force_login(people["county"])
    post = {"version": case.version, "conclusion": "consistent", "note": "与申报一致",
            "items[0].member": str(household.head_id), "items[0].source": "人社", "items[0].item": "wage",
            "items[0].amount": "300.00", "items[0].as_of": "2026-10-31"}
    resp = client.post(_action_url(case, "record_verification"), post)
    assert resp.status_code == 302 and resp.url == reverse("web:case_detail", args=[case.pk])
    case.refresh_from_db()
    assert case.state == "verified"
    page = client.get(resp.url).content.decode()
    assert "家庭经济状况核对报告" in page and "工资性收入" in page and "300.00" in page and "人社" in page


def test_consistent_beyond_the_tolerance_is_an_error_on_the_conclusion_with_the_table(client, people, household):
    # given a head who declared no wage, and the county entering a wage of 300 found by 人社
    case = case_in(people, household, "verifying")
    client.force_login(people["county"])
    page = client.get(_action_url(case, "record_verification")).content.decode()
    assert "申报与核对对比" in page and "10 元、申报额的 5%" in page  # the tolerance, before anything is typed
    post = {"version": case.version, "conclusion": "consistent", "note": "",
            "items[0].member": str(household.head_id), "items[0].source": "人社", "items[0].item": "wage",
            "items[0].amount": "300.00", "items[0].as_of": "2026-10-31"}
    # when "与申报一致" is chosen
    resp = client.post(_action_url(case, "record_verification"), post)
    html = resp.content.decode()
    # then the error under the conclusion names the item, and the table marks it
    assert resp.status_code == 422
    assert "张建国 工资性收入（元/月） 申报 0.00、核对 300.00" in field_error(html, "conclusion")
    table = html[html.index('id="declared-comparison"'):]
    assert 'data-item="wage" class="row-danger"' in table and "超出容差" in table and "+300.00" in table
    case.refresh_from_db()
    assert case.state == "verifying"
    # and "与申报不一致" is recorded
    resp = client.post(_action_url(case, "record_verification"), {**post, "conclusion": "inconsistent"})
    assert resp.status_code == 302
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    figures = page[page.index('id="case-figures"'):]
    assert "收入与财产（申报与核对）" in page and "300.00" in figures


def test_stale_page_gets_the_conflict_message_and_nothing_changes(client, people, household):
    # given the caseworker opened the extend form on a page showing version v
    case = case_in(people, household, "verifying")
    client.force_login(people["caseworker"])
    stale = case.version
    page = client.get(_action_url(case, "extend") + f"?v={stale}").content.decode()
    assert f'name="version" value="{stale}"' in page
    # when someone else acts on the case first
    act(people["county"], case, "record_verification", {"items": [], "conclusion": "consistent"})
    # then submitting the stale form is refused with the Chinese message on top
    resp = client.post(_action_url(case, "terminate"), {"version": stale, "reason_code": "moved_away"})
    page = resp.content.decode()
    assert resp.status_code == 409
    assert "已被他人处理" in page and 'id="action-error"' in page
    case.refresh_from_db()
    assert case.state == "verified" and case.is_open


def test_wrong_role_gets_the_message_on_top(client, people, household):
    case = submit(people["caseworker"], household)
    client.force_login(people["reviewer"])
    resp = client.post(_action_url(case, "request_verification"), {"version": case.version})
    page = resp.content.decode()
    assert resp.status_code == 403
    assert "您的角色不能执行“提请核对”" in page and 'id="action-error"' in page
    # and the form is not even offered to them
    resp = client.get(_action_url(case, "request_verification"))
    assert resp.status_code == 409 and "您现在不能执行“提请核对”" in resp.content.decode()
    case.refresh_from_db()
    assert case.state == "submitted"


def test_htmx_form_is_a_partial_and_success_redirects_by_header(client, people, household):
    case = submit(people["caseworker"], household)
    client.force_login(people["caseworker"])
    resp = client.get(_action_url(case, "request_verification"), **HTMX)
    page = resp.content.decode()
    assert resp.status_code == 200 and "<html" not in page and 'id="action-panel"' in page
    resp = client.post(_action_url(case, "withdraw"), {"version": case.version, "reason": ""}, **HTMX)
    assert resp.status_code == 422 and field_error(resp.content.decode(), "reason") == "理由：不能为空"
    resp = client.post(_action_url(case, "request_verification"), {"version": case.version}, **HTMX)
    assert resp.status_code == 200 and resp["HX-Redirect"] == reverse("web:case_detail", args=[case.pk])
    case.refresh_from_db()
    assert case.state == "verifying"


def test_survey_photo_upload_then_survey_with_the_photo(client, people, household):
    case = case_in(people, household, "accepted")
    client.force_login(people["village"])
    upload = reverse("web:case_upload", args=[case.pk])
    # a text file named .png is refused by content, next to the file field
    from django.core.files.uploadedfile import SimpleUploadedFile
    bad = SimpleUploadedFile("p.png", b"not an image", content_type="image/png")
    resp = client.post(upload, {"kind": "photo", "back": "survey", "file": bad}, **HTMX)
    assert resp.status_code == 422
    assert field_error(resp.content.decode(), "file").startswith("文件类型不支持，只接受 JPEG、PNG：")
    assert not CaseAttachment.objects.exists()
    # a real PNG is stored and comes back checked in the photo list
    photo = SimpleUploadedFile("现场.png", tiny_png(), content_type="image/png")
    resp = client.post(upload, {"kind": "photo", "back": "survey", "file": photo}, **HTMX)
    att = CaseAttachment.objects.get(case=case)
    assert resp.status_code == 200 and f'value="{att.pk}" checked' in resp.content.decode()
    # the village assistant records the survey with it
    post = {"version": case.version, **{k: v for k, v in SURVEY.items() if k != "investigators"},
            "investigators": "王经办、陈协理", "photos": [att.pk]}
    resp = client.post(_action_url(case, "record_survey"), post)
    assert resp.status_code == 302
    case.refresh_from_db()
    assert case.state == "surveyed" and case.records.get(kind="survey").data["photos"] == [att.pk]
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    file_url = reverse("web:case_file", args=[case.pk, att.pk])
    assert f'<img src="{file_url}"' in page
    resp = client.get(file_url)
    assert resp.status_code == 200 and resp["Content-Type"] == "image/png" and resp.content == tiny_png()


def test_scan_upload_of_authorization_on_the_case_page(client, people, household):
    # given a case submitted without the signed authorization: 提请核对 is not offered
    case = submit(people["caseworker"], household, authorization_signed=False)
    client.force_login(people["caseworker"])
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert ">提请核对</a>" not in page and "尚未上传扫描件" in page
    # when the scan of the signed authorization is uploaded
    from django.core.files.uploadedfile import SimpleUploadedFile
    scan = SimpleUploadedFile("授权书.pdf", b"%PDF-1.4 scan\n%%EOF\n", content_type="application/pdf")
    resp = client.post(reverse("web:case_upload", args=[case.pk]), {"kind": "authorization", "back": "case",
                                                                    "file": scan})
    assert resp.status_code == 302
    # then it is listed and 提请核对 becomes available
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert "委托授权书：授权书.pdf" in page and ">提请核对</a>" in page
    # and an empty upload gets a Chinese error next to the file field
    resp = client.post(reverse("web:case_upload", args=[case.pk]), {"kind": "id_card", "back": "case"})
    assert resp.status_code == 422 and field_error(resp.content.decode(), "file") == "请选择要上传的文件"


def test_relative_filed_case_needs_home_visit_shown_on_the_group(client, people, household):
    # given a relative-filed case awaiting confirmation
    case = case_in(people, household, "awaiting_confirmation", has_relatives=True, relatives=[
        {"member": "张建国", "staff_name": "张村长", "staff_position": "村委会主任", "relation": "兄弟"}])
    client.force_login(people["reviewer"])
    url = _action_url(case, "confirm")
    page = client.get(url).content.decode()
    assert "入户核查" in page and 'id="relative-hint"' in page
    meeting = {"version": case.version, "meeting_date": "2026-11-28", "members_present": "周组长\n吴委员\n郑委员",
               "opinion": "同意"}
    # when the group confirms without the home visit
    resp = client.post(url, meeting)
    # then the error is on the 入户核查 group and nothing changes
    assert resp.status_code == 422
    assert field_error(resp.content.decode(), "home_visit") == "该申请已做近亲属备案，审核确认须录入入户核查情况"
    case.refresh_from_db()
    assert case.state == "awaiting_confirmation"
    # a half-filled home visit names its missing field
    resp = client.post(url, {**meeting, "home_visit.date": "2026-11-27", "home_visit.findings": "属实"})
    assert field_error(resp.content.decode(), "home_visit.visitors") == "核查人员：至少需要 1 项"
    # with the home visit recorded, the case is approved
    resp = client.post(url, {**meeting, "home_visit.date": "2026-11-27", "home_visit.visitors": "周组长",
                             "home_visit.findings": "情况属实"})
    assert resp.status_code == 302
    case.refresh_from_db()
    assert case.state == "approved"
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert "入户核查日期：2026-11-27" in page and "周组长、吴委员、郑委员" in page


def test_tekun_survey_form_has_the_self_care_fields(client, people, household):
    case = submit(people["caseworker"], household, program="tekun")
    for persona, action, payload in (("caseworker", "request_verification", {}),
                                     ("county", "record_verification", {"conclusion": "consistent"}),
                                     ("caseworker", "accept", {})):
        case = act(people[persona], case, action, payload)
    client.force_login(people["caseworker"])
    page = client.get(_action_url(case, "record_survey")).content.decode()
    assert "生活自理能力未达项数(6项)" in page and "义务人有赡(抚、扶)养能力" in page
    post = {"version": case.version, **{k: v for k, v in SURVEY.items() if k != "investigators"},
            "investigators": "王经办、陈协理", "obligors_able": "false"}
    resp = client.post(_action_url(case, "record_survey"), post)
    assert resp.status_code == 422
    assert field_error(resp.content.decode(), "adl_failed") == "特困供养须录入生活自理能力评估（6 项中未达项数）"
    resp = client.post(_action_url(case, "record_survey"), {**post, "adl_failed": "5"})
    assert resp.status_code == 302
    case.refresh_from_db()
    assert case.state == "surveyed" and case.records.get(kind="survey").data["obligors_able"] is False


def test_initial_review_form_shows_the_figures_the_proposal_uses(client, people, household):
    # given a head who declared 5000 a month and 核对 that found 600 ("与申报不一致")
    Person.objects.filter(pk=household.head_id).update(wage="5000.00")
    case = case_in(people, household, "verifying")
    act(people["county"], case, "record_verification", {"items": [
        {"member": household.head_id, "source": "人社", "item": "wage", "amount": "600.00", "as_of": "2026-10-31"}],
        "conclusion": "inconsistent", "note": "工资低于申报"})
    for persona, action, payload in (("caseworker", "accept", {}), ("caseworker", "record_survey", SURVEY)):
        case = act(people[persona], case, action, payload)
    client.force_login(people["caseworker"])
    # when the caseworker opens the 初审 form
    page = client.get(_action_url(case, "initial_review")).content.decode()
    # then the engine's preview and the table of figures show the verified wage as the one used
    assert 'id="review-preview"' in page
    table = page[page.index('id="declared-comparison"'):]
    row = table[table.index('data-item="wage"'):table.index("</tr>", table.index('data-item="wage"'))]
    assert "5000.00" in row and "600.00" in row and "-4400.00" in row
