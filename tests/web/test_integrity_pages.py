"""失信 pages: the township proposes with field errors, the county decides (not its own), the case page
warns the caseworker, the outsider gets 404, the county exports CSV/JSON."""

from __future__ import annotations

import json

from django.urls import reverse
from django.utils import timezone

from jiuzhu.apps.cases.services import case_submit
from jiuzhu.apps.integrity.models import CreditRecord
from jiuzhu.apps.registry.pii import open_
from tests.web.helpers import field_error

GOOD = {"behaviour": "concealed_income", "facts": "隐瞒儿子在外务工工资收入，继续领取低保", "amount": "1200.50"}


def _propose(client, caseworker, household, **over):
    client.force_login(caseworker)
    id_number = open_(household.head.id_number_enc, purpose="id_number")
    return client.post(reverse("web:credit_list"), {"id_number": id_number, **GOOD, **over})


def test_propose_then_county_decides_and_the_case_page_warns(client, caseworker, county_user, village_user,
                                                            household):
    response = _propose(client, caseworker, household)
    record = CreditRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:credit_detail", args=[record.pk])
    page = client.get(reverse("web:credit_detail", args=[record.pk])).content.decode()
    assert "待县级决定" in page and 'id="credit-decide"' not in page  # the township cannot decide
    client.force_login(county_user)
    refused = client.post(reverse("web:credit_action", args=[record.pk, "decide"]), {"decision": "属实"})
    assert refused.status_code == 400 and field_error(refused.content.decode(), "approve")
    done = client.post(reverse("web:credit_action", args=[record.pk, "decide"]),
                       {"approve": "yes", "decision": "经调查属实", "decision_number": "淳民〔2026〕2号"})
    assert done.status_code == 302 and CreditRecord.objects.get().status == "listed"
    # a new application of the household shows the record to the caseworker
    case = case_submit(actor=caseworker, program="dibao", household_id=household.pk, applicant_id=household.head_id,
                       channel="window", now=timezone.now(),
                       payload={"id_checked": True, "authorization_signed": True})
    client.force_login(caseworker)
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert 'id="credit-banner"' in page and "隐瞒收入" in page and 'id="pledge-missing"' in page
    client.force_login(village_user)  # R-PUB-03: the village assistant does not see the record
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert 'id="credit-banner"' not in page and "隐瞒收入" not in page


def test_bad_input_is_shown_next_to_the_field(client, caseworker, household):
    for over, field in (({"behaviour": "nothing"}, "behaviour"), ({"facts": ""}, "facts"),
                        ({"amount": "-5"}, "amount"), ({"id_number": "33012719700101001X"}, "id_number"),
                        ({"case": "abc"}, "case")):
        response = _propose(client, caseworker, household, **over)
        assert response.status_code in (400, 404, 422), over
        assert field_error(response.content.decode(), field), over
    assert not CreditRecord.objects.exists()


def test_outsider_gets_not_found_and_cannot_act(client, caseworker, outsider, household):
    _propose(client, caseworker, household)
    record = CreditRecord.objects.get()
    client.force_login(outsider)
    assert client.get(reverse("web:credit_detail", args=[record.pk])).status_code == 404
    assert client.post(reverse("web:credit_action", args=[record.pk, "appeal"]), {"text": "x申诉"}).status_code == 404
    assert "暂无失信记录" in client.get(reverse("web:credit_list")).content.decode()
    assert client.get(reverse("web:credit_export")).status_code == 403


def test_county_exports_csv_and_json_and_refuses_a_bad_date(client, caseworker, county_user, household):
    _propose(client, caseworker, household)
    client.force_login(county_user)
    client.post(reverse("web:credit_action", args=[CreditRecord.objects.get().pk, "decide"]),
                {"approve": "yes", "decision": "属实"})
    csv_body = client.get(reverse("web:credit_export"), {"format": "csv"}).content.decode("utf-8-sig")
    assert household.head.name in csv_body
    data = json.loads(client.get(reverse("web:credit_export"), {"format": "json"}).content)
    assert data["count"] == 1
    assert client.get(reverse("web:credit_export"), {"as_of": "2026-13-01"}).status_code == 400
    assert client.get(reverse("web:credit_export"), {"format": "xml"}).status_code == 400


def test_evidence_upload_refuses_a_text_file(client, caseworker, household):
    _propose(client, caseworker, household)
    record = CreditRecord.objects.get()
    from django.core.files.uploadedfile import SimpleUploadedFile
    bad = SimpleUploadedFile("evil.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client.post(reverse("web:credit_action", args=[record.pk, "evidence"]), {"file": bad})
    assert response.status_code in (400, 422) and field_error(response.content.decode(), "file")
    assert not record.evidence.exists()


def test_submit_form_offers_the_pledge_and_keeps_it(client, caseworker, household):
    from jiuzhu.apps.cases.models import Case
    from jiuzhu.apps.integrity.selectors import case_pledge
    client.force_login(caseworker)
    form = client.get(reverse("web:case_new", args=[household.pk])).content.decode()
    assert "已签署守信承诺书" in form and 'name="integrity_pledge"' in form
    resp = client.post(reverse("web:case_new", args=[household.pk]), {
        "program": "dibao", "applicant": str(household.head_id), "channel": "window", "id_checked": "on",
        "authorization_signed": "on", "economic_form_signed": "on", "integrity_pledge": "on", "note": ""})
    case = Case.objects.get(household=household)
    assert resp.status_code == 302 and case_pledge(case) is True
    page = client.get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert 'id="pledge-missing"' not in page and 'id="credit-banner"' not in page


def test_evidence_upload_and_download_in_scope_only(client, caseworker, outsider, household, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.web.test_cases_support import tiny_png
    settings.JIUZHU_FILES_DIR = str(tmp_path)
    _propose(client, caseworker, household)
    record = CreditRecord.objects.get()
    png = tiny_png()
    response = client.post(reverse("web:credit_action", args=[record.pk, "evidence"]),
                           {"file": SimpleUploadedFile("证据.png", png, content_type="image/png")})
    assert response.status_code == 302
    item = record.evidence.get()
    assert png not in next(tmp_path.rglob("*.png")).read_bytes()  # encrypted at rest
    assert client.get(reverse("web:credit_evidence", args=[record.pk, item.pk])).content == png
    client.force_login(outsider)
    assert client.get(reverse("web:credit_evidence", args=[record.pk, item.pk])).status_code == 404
