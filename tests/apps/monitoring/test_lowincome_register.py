"""The register page under 预警: list in scope with filters, the form (Chinese errors next to the field),
the xlsx upload (all rows or none) and export; another township gets 404 and changes nothing."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from jiuzhu.apps.jobs.models import Job
from jiuzhu.apps.monitoring.models import LowIncomeEntry
from tests.conftest import VILLAGE_A2
from tests.jobs_helpers import run_jobs

from .register_helpers import good_rows, register_file

pytestmark = pytest.mark.django_db
URL = "/alerts/register/"


def _error(html: str, name: str) -> str | None:
    m = re.search(rf'<p class="field-error" id="err-{re.escape(name)}"[^>]*>(.*?)</p>', html, re.S)
    return unescape(m.group(1)) if m else None


def _entries() -> set:
    return set(LowIncomeEntry.objects.values_list("household_id", "category", "recognized_on"))


def test_url_and_page_for_each_reader(client, homes, village_user, caseworker, inspector):
    assert reverse("web:register_list") == URL
    client.force_login(village_user)
    html = client.get(URL).content.decode()
    assert 'id="register-form"' in html and 'id="upload-form"' in html and "王五" not in html  # 宋家湖村: not hers
    assert 'href="/alerts/register/"' in client.get("/").content.decode()  # her nav link
    client.force_login(caseworker)
    html = client.get(URL).content.decode()
    assert "王五户" in html and "低保边缘家庭" in html and 'id="register-table"' in html
    assert 'id="register-link"' in client.get(reverse("web:alert_list")).content.decode()
    client.force_login(inspector)
    html = client.get(URL).content.decode()
    assert "王五户" in html and 'id="register-form"' not in html  # reads, cannot register


def test_register_by_number_and_by_head_id(client, homes, ids, caseworker):
    client.force_login(caseworker)
    r = client.post(URL, {"household": homes["zhou"].number, "category": "temporary", "recognized_on": "2026-10-01",
                          "valid_until": "", "note": "因病"})
    assert r.status_code == 302
    r = client.post(URL, {"household": ids["chen"], "category": "rigid_expenditure", "recognized_on": "2026-09-01",
                          "valid_until": "2027-08-31", "note": ""})
    assert r.status_code == 302
    assert {(homes["zhou"].pk, "temporary", date(2026, 10, 1)),
            (homes["chen"].pk, "rigid_expenditure", date(2026, 9, 1))} <= _entries()
    html = client.get(URL).content.decode()
    assert "周八户" in html and "陈七户" in html


@pytest.mark.parametrize("change, field, words", [
    ({"category": "dibao"}, "category", "类别“dibao”无效"),
    ({"recognized_on": "2026-02-30"}, "recognized_on", "认定(救助)日期"),
    ({"recognized_on": "2099-01-01"}, "recognized_on", "不能晚于今天"),
    ({"valid_until": "2026-01-01"}, "valid_until", "不能早于认定日期"),
    ({"household": ""}, "household", "请填写家庭编号"),
    ({"household": "第12户"}, "household", "不是家庭编号"),
    ({"household": "H99999999"}, "household", "不存在或不在您的管辖范围内"),
    ({"household": "{wang}", "category": "edge", "recognized_on": "2026-03-01"}, "category", "不能重复登记"),
])
def test_bad_input_shows_chinese_error_next_to_field(client, homes, caseworker, change, field, words):
    client.force_login(caseworker)
    before = _entries()
    data = {"household": homes["zhou"].number, "category": "edge", "recognized_on": "2026-10-01", "valid_until": "",
            "note": "", **change}
    data["household"] = data["household"].replace("{wang}", homes["wang"].number)
    r = client.post(URL, data)
    assert r.status_code in (404, 409, 422)
    assert words in (_error(r.content.decode(), field) or "")
    assert _entries() == before


def test_outsider_cannot_register_or_see_township_a(client, homes, ids, outsider):
    client.force_login(outsider)
    before = _entries()
    for ref in (homes["zhou"].number, str(homes["zhou"].pk), ids["zhou"]):
        r = client.post(URL, {"household": ref, "category": "edge", "recognized_on": "2026-10-01"})
        assert r.status_code == 404 and "不存在或不在您的管辖范围内" in _error(r.content.decode(), "household")
    assert _entries() == before
    html = client.get(URL).content.decode()
    assert "王五户" not in html
    assert "王五户" not in client.get(URL + f"?region={VILLAGE_A2}").content.decode()


def test_inspector_and_reviewer_cannot_register(client, homes, inspector, reviewer):
    for user in (inspector, reviewer):
        client.force_login(user)
        r = client.post(URL, {"household": homes["zhou"].number, "category": "edge", "recognized_on": "2026-10-01"})
        assert r.status_code == 403
        assert client.post(reverse("web:register_upload"), {}).status_code == 403
    assert LowIncomeEntry.objects.count() == 1


def test_filters(client, homes, caseworker):
    LowIncomeEntry.objects.create(household=homes["zhou"], region_id=homes["zhou"].region_id, category="edge",
                                  recognized_on=date(2024, 1, 1), valid_until=date(2024, 12, 31),
                                  created_at=homes["zhou"].created_at)
    client.force_login(caseworker)
    expired = client.get(URL + "?validity=expired").content.decode()
    assert "周八户" in expired and "王五户" not in expired and "已过期" in expired
    valid = client.get(URL + "?validity=valid").content.decode()
    assert "王五户" in valid and "周八户" not in valid
    assert "王五户" not in client.get(URL + "?category=temporary").content.decode()
    assert "王五户" in client.get(URL + f"?region={VILLAGE_A2}").content.decode()
    assert "周八户" not in client.get(URL + f"?region={VILLAGE_A2}").content.decode()


def _upload(client, path):
    """Post the file; the import runs as a background job (run here as ``jiuzhu worker`` would); returns the
    page the upload redirected to, showing the job's outcome."""
    with open(path, "rb") as fh:
        r = client.post(reverse("web:register_upload"), {"file": fh})
    assert r.status_code == 302 and "job=" in r["Location"], r.content.decode()[:500]
    run_jobs()
    return unescape(client.get(r["Location"]).content.decode())


def test_upload_all_or_nothing(client, tmp_path, homes, ids, caseworker):
    client.force_login(caseworker)
    rows = good_rows(homes, ids)
    rows[2] = {**rows[2], "认定日期": "2026-13-01"}
    html = _upload(client, register_file(tmp_path / "bad.xlsx", rows))
    assert "失败" in html and "第4行【认定日期】" in html and 'class="job-errors"' in html
    assert LowIncomeEntry.objects.count() == 1
    assert Job.objects.get(kind="monitoring.register_import").status == Job.Status.FAILED
    html = _upload(client, register_file(tmp_path / "good.xlsx", good_rows(homes, ids)))
    assert "导入完成：3 条登记" in html and LowIncomeEntry.objects.count() == 4
    r = client.post(reverse("web:register_upload"), {})
    assert r.status_code == 422 and "请选择" in r.content.decode()
    assert not list((Path(settings.JIUZHU_FILES_DIR) / "uploads").glob("*/*"))  # the stored uploads are gone


def test_outsider_upload_names_a_households_not_found(client, tmp_path, homes, ids, outsider):
    client.force_login(outsider)
    html = _upload(client, register_file(tmp_path / "r.xlsx", good_rows(homes, ids)))
    assert "没有此家庭" in html
    assert LowIncomeEntry.objects.count() == 1


def test_upload_into_another_township_is_not_found(client, tmp_path, homes, ids, outsider):
    client.force_login(outsider)
    with open(register_file(tmp_path / "r.xlsx", good_rows(homes, ids)), "rb") as fh:
        r = client.post(reverse("web:register_upload"), {"file": fh, "region": homes["wang"].region_id})
    assert r.status_code == 404 and not Job.objects.exists()


def test_export_download(client, homes, caseworker, outsider):
    client.force_login(caseworker)
    r = client.get(reverse("web:register_download"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert r.content[:2] == b"PK"
    client.force_login(outsider)
    assert client.get(reverse("web:register_download") + "?region=330127100000").status_code == 404
