"""Case attachments: type by content (not name), size limits, region scope, bytes on disk not in the DB."""

import hashlib
from datetime import date

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.files import attachment_add, attachment_bytes
from jiuzhu.apps.cases.models import CaseAttachment
from jiuzhu.rules.errors import Forbidden, NotFound, ValidationFailed
from tests.web.test_cases_support import tiny_png

from .flow import SURVEY, act, at, submit

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 2)
_JFIF = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"


def jpeg(size: int = 340) -> bytes:
    """A structurally whole JPEG (header, start of scan, scan data, end of image) of ``size`` bytes."""
    return _JFIF + bytes(size - len(_JFIF) - 2) + b"\xff\xd9"


JPEG = jpeg()
PNG = tiny_png(16, 16)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(300) + b"\n%%EOF\n"


@pytest.fixture
def files_dir(settings, tmp_path):
    settings.JIUZHU_FILES_DIR = tmp_path / "files"
    return settings.JIUZHU_FILES_DIR


@pytest.fixture
def case(people, household):
    return submit(people["caseworker"], household, day=DAY)


def add(actor, case, content, kind="photo", filename="现场.jpg"):
    return attachment_add(actor=actor, case_id=case.pk, kind=kind, filename=filename, content=content, now=at(DAY))


@pytest.mark.parametrize("content, ctype, ext", [(JPEG, "image/jpeg", "jpg"), (PNG, "image/png", "png")],
                         ids=["jpeg", "png"])
def test_photos_are_stored_as_files_under_the_files_dir(people, case, files_dir, content, ctype, ext):
    # when the village assistant uploads a survey photo
    att = add(people["village"], case, content, filename="门口.JPG")
    # then the bytes are a file under JIUZHU_FILES_DIR named by their hash (encrypted there, issue 18 §5),
    # and the row only points at it
    sha = hashlib.sha256(content).hexdigest()
    assert (att.content_type, att.size, att.sha256, att.path) == (ctype, len(content), sha, f"{case.pk}/{sha}.{ext}")
    assert (files_dir / att.path).exists() and attachment_bytes(att) == content
    row = CaseAttachment.objects.filter(pk=att.pk).values().get()
    assert not any(isinstance(v, (bytes, memoryview)) for v in row.values())
    assert AuditEvent.objects.filter(action="case.attachment_add", subject_id=str(case.pk)).count() == 1


def test_pdf_is_a_document_not_a_photo(people, case, files_dir):
    # when a PDF is uploaded as a photo
    with pytest.raises(ValidationFailed) as exc:
        add(people["caseworker"], case, PDF, filename="scan.jpg")
    # then it is refused; as the scanned authorization it is accepted
    assert exc.value.details["field"] == "file" and exc.value.message.startswith("文件类型不支持，只接受 JPEG、PNG：")
    att = add(people["caseworker"], case, PDF, kind="authorization", filename="授权书.pdf")
    assert att.content_type == "application/pdf"


@pytest.mark.parametrize("kind, message", [("photo", "只接受 JPEG、PNG"), ("id_card", "只接受 JPEG、PNG 或 PDF")])
def test_a_renamed_text_file_is_refused(people, case, files_dir, kind, message):
    with pytest.raises(ValidationFailed) as exc:
        add(people["caseworker"], case, "这不是图片，只是改了扩展名".encode(), kind=kind, filename="photo.jpg")
    assert exc.value.code == "attachment.type" and exc.value.message.startswith(f"文件类型不支持，{message}：")
    assert not CaseAttachment.objects.exists() and not files_dir.exists()


@pytest.mark.parametrize("kind, limit_mb", [("photo", 5), ("authorization", 10)])
def test_oversize_files_are_refused(people, case, files_dir, kind, limit_mb):
    # given a file one byte over the limit, and one exactly at it
    limit = limit_mb * 1024 * 1024
    with pytest.raises(ValidationFailed) as exc:
        add(people["caseworker"], case, jpeg(limit + 1), kind=kind)
    assert exc.value.code == "attachment.size" and exc.value.message == f"文件过大，不能超过 {limit_mb} MB"
    assert not CaseAttachment.objects.exists()
    assert add(people["caseworker"], case, jpeg(limit), kind=kind).size == limit


def test_empty_file_and_unknown_kind_are_refused(people, case, files_dir):
    with pytest.raises(ValidationFailed) as empty:
        add(people["caseworker"], case, b"")
    assert empty.value.message == "文件“现场.jpg”是空文件（0 字节），请重新选择"
    with pytest.raises(ValidationFailed) as kind:
        add(people["caseworker"], case, JPEG, kind="selfie")
    assert kind.value.details["field"] == "kind" and kind.value.message.startswith("材料类别无效")


def test_other_township_gets_not_found_and_other_roles_are_refused(people, case, files_dir):
    audit = AuditEvent.objects.count()
    with pytest.raises(NotFound) as other:
        add(people["outsider"], case, JPEG)
    assert other.value.message == "案件不存在或不在您的管辖范围内"
    with pytest.raises(Forbidden) as role:
        add(people["reviewer"], case, JPEG)
    assert role.value.message == "您的角色不能上传案件材料"
    assert not CaseAttachment.objects.exists() and AuditEvent.objects.count() == audit
    assert not files_dir.exists()


def test_survey_photos_must_belong_to_the_case(people, case, household_data, files_dir):
    cw = people["caseworker"]
    photo = add(people["village"], case, PNG)
    case = act(cw, case, "request_verification", DAY)
    case = act(people["county"], case, "record_verification", DAY, {"items": [], "conclusion": "consistent"})
    case = act(cw, case, "accept", DAY)
    # when the survey names a photo id that is not this case's
    with pytest.raises(ValidationFailed) as exc:
        act(cw, case, "record_survey", DAY, {**SURVEY, "photos": [photo.pk + 1000]})
    assert exc.value.details["field"] == "photos" and exc.value.message == f"照片 {photo.pk + 1000} 不属于本案件"
    # then with its own photo the survey is recorded
    case = act(cw, case, "record_survey", DAY, {**SURVEY, "photos": [photo.pk]})
    assert case.records.get(kind="survey").data["photos"] == [photo.pk]
