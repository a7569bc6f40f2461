"""Case documents (``/v1/cases/{id}/documents``, ``/v1/cases/{id}/archive``): PDFs and the case-file ZIP."""

from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Schema

from jiuzhu.apps.cases import document_services
from jiuzhu.apps.documents.kinds import ALL_KIND_CODES, is_kind
from jiuzhu.rules.errors import NotFound

from .schemas import RowId, errors

router = Router(tags=["cases"])


class DocumentOut(Schema):
    kind: str
    title: str
    attachment: str


def _file(name: str, data: bytes, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@router.get("/{case_id}/documents", response={200: list[DocumentOut], **errors(404, 422)},
            summary="案件当前可生成的文书（附件1–9；临时救助：审批表、先行救助登记表、转介函）")
def documents_list(request, case_id: RowId):
    return document_services.case_documents_available(actor=request.auth, case_id=case_id, now=timezone.now())


@router.get("/{case_id}/documents/{kind}", response={200: None, **errors(404, 422)},
            summary="下载一份文书（PDF）",
            description="未知的文书种类 404 `document.unknown_kind`（details.allowed 列出可选种类）；"
                        "案件当前阶段尚不能生成的 404 `document.unavailable`；案件不存在或不在管辖范围 404 `not_found`。",
            openapi_extra={"responses": {200: {
                "description": "PDF", "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}})
def document_download(request, case_id: RowId, kind: str):
    if not is_kind(kind):  # a path segment naming no resource: 404 like an unavailable one, with its own code
        raise NotFound("document.unknown_kind", f"未知的文书种类：{kind[:40]}", field="kind", allowed=list(ALL_KIND_CODES))
    name, pdf = document_services.case_document_download(actor=request.auth, case_id=case_id, kind=kind,
                                                         now=timezone.now())
    return _file(name, pdf, "application/pdf")


@router.get("/{case_id}/archive", response={200: None, **errors(404, 422)},
            summary="下载一人一档（ZIP：附件按序 + 索引）", openapi_extra={"responses": {200: {
                "description": "ZIP", "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}}})
def archive_download(request, case_id: RowId):
    name, data = document_services.case_file_download(actor=request.auth, case_id=case_id, now=timezone.now())
    return _file(name, data, "application/zip")
