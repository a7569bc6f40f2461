"""Issue 18 §4: every upload page refuses a bad file (UTF-16, binary garbage, cut short, 10 MB random,
empty) with a 4xx page showing a Chinese message that names the problem — never a 500 — and nothing
is written."""

from __future__ import annotations

from html import unescape

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jiuzhu.apps.enrollment.ledger_columns import HEADERS
from jiuzhu.apps.payments.services import payroll_approve, payroll_export, payroll_prepare
from tests.apps.payments.conftest import checker, maker, world  # noqa: F401
from tests.bad_files import BAD_KINDS, CHINESE, EXPECTED, bad_content, files_under, png_bytes, table_counts, xlsx_bytes
from tests.conftest import COUNTY

from .test_cases_support import case_in, people  # noqa: F401

pytestmark = pytest.mark.django_db

TAX_CSV = "身份证号,姓名,所属月份,所得项目,收入额,已缴税额\n330127197005170011,张三,2026-10-01,wage,3000.00,0\n"
RESULT_CSV = "序号,银行账号,收款人,金额(元),处理结果,返回码,失败原因\n1,6228480000000000001,张建国,650.00,成功,,\n"
REGISTER = [["序号", "家庭编号", "户主姓名", "户主身份证号", "类别", "认定日期", "有效期至", "说明"], ["1"] * 8]


def upload(kind: str, fmt: str, good: bytes, text: str, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"bad_{kind}.{name}", bad_content(kind, fmt, good, text))


def assert_refused(kind: str, post, *, before: dict, files: set):
    # when the bad file is posted
    resp = post()
    # then a 4xx page names the problem in Chinese, and nothing is written
    html = unescape(resp.content.decode())
    assert 400 <= resp.status_code < 500, (resp.status_code, html[:500])
    main = html.split("<main", 1)[-1]
    assert CHINESE.search(main) and EXPECTED[kind].search(main), (kind, main[:1500])
    assert table_counts() == before
    assert files_under(settings.JIUZHU_FILES_DIR) == files


def _state():
    return table_counts(), files_under(settings.JIUZHU_FILES_DIR)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", BAD_KINDS)
def test_data_upload_refuses_bad_files(client, county_user, kind, fmt):
    # given the county user on the department data page
    client.force_login(county_user)
    good = TAX_CSV.encode() if fmt == "csv" else xlsx_bytes([r.split(",") for r in TAX_CSV.splitlines()])
    before, files = _state()
    assert_refused(kind, lambda: client.post(reverse("web:data_upload"), {
        "source": "tax", "as_of": "2026-11-30", "file": upload(kind, fmt, good, TAX_CSV, fmt)}),
        before=before, files=files)


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_register_upload_refuses_bad_files(client, county_user, kind):
    # given the county user on the low-income register page
    client.force_login(county_user)
    before, files = _state()
    assert_refused(kind, lambda: client.post(reverse("web:register_upload"), {
        "region": COUNTY, "file": upload(kind, "xlsx", xlsx_bytes(REGISTER), ",".join(REGISTER[0]), "xlsx")}),
        before=before, files=files)


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_ledger_upload_refuses_bad_files(client, caseworker, kind):
    # given the township caseworker on the enrollment ledger page
    client.force_login(caseworker)
    before, files = _state()
    header = ",".join(HEADERS)
    assert_refused(kind, lambda: client.post(reverse("web:ledger_upload"), {
        "region": caseworker.region_id, "file": upload(kind, "xlsx", xlsx_bytes([list(HEADERS)]), header, "xlsx")}),
        before=before, files=files)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", BAD_KINDS)
def test_payroll_reconcile_upload_refuses_bad_files(client, world, kind, fmt):
    # given an exported batch and its maker on the batch page
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=timezone.localdate().replace(day=1),
                            now=timezone.now())
    payroll_approve(actor=world.checker, batch_id=batch.pk, now=timezone.now())
    payroll_export(actor=world.maker, batch_id=batch.pk, now=timezone.now())
    client.force_login(world.maker)
    good = RESULT_CSV.encode() if fmt == "csv" else xlsx_bytes([r.split(",") for r in RESULT_CSV.splitlines()])
    before, files = _state()
    assert_refused(kind, lambda: client.post(reverse("web:payroll_reconcile", args=[batch.pk]), {
        "file": upload(kind, fmt, good, RESULT_CSV, fmt)}), before=before, files=files)


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_case_photo_upload_refuses_bad_files(client, people, household, kind):
    # given an accepted case and the village assistant adding a survey photo
    case = case_in(people, household, "accepted")
    client.force_login(people["village"])
    before, files = _state()
    assert_refused(kind, lambda: client.post(reverse("web:case_upload", args=[case.pk]), {
        "kind": "photo", "back": "case", "file": upload(kind, "png", png_bytes(), "not an image", "png")}),
        before=before, files=files)


@pytest.mark.parametrize("content, words", [
    (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200), "二进制"),
    ("这不是图片".encode(), "文本"),
    (b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "PDF"),
], ids=["program", "text", "pdf-as-photo"])
def test_a_non_image_renamed_png_is_refused(client, people, household, content, words):
    # given an accepted case
    case = case_in(people, household, "accepted")
    client.force_login(people["village"])
    before, files = _state()
    # when something that is not a JPEG/PNG is uploaded as 现场.png
    resp = client.post(reverse("web:case_upload", args=[case.pk]), {
        "kind": "photo", "back": "case", "file": SimpleUploadedFile("现场.png", content, content_type="image/png")})
    # then it is refused by content, saying what the file really is
    html = unescape(resp.content.decode())
    assert resp.status_code == 422 and "文件类型不支持，只接受 JPEG、PNG" in html and words in html
    assert _state() == (before, files)


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_calendar_upload_refuses_bad_files(client, admin_user, kind):
    """The calendar page keeps its own policy (issue 17); checked here against the same bad files."""
    client.force_login(admin_user)
    text = "date,kind,name\n2027-01-01,holiday,元旦\n"
    before = table_counts()
    resp = client.post(reverse("web:calendar_admin"), {"file": upload(kind, "csv", text.encode(), text, "csv")})
    assert 400 <= resp.status_code < 500 and CHINESE.search(resp.content.decode().split("<main", 1)[-1])
    assert table_counts() == before
