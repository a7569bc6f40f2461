"""The refund notice (退款通知书, R-PEN-01 责令退回) as a PDF, rendered like the other 附件 documents
(WeasyPrint, CJK fonts embedded). Numbering: 追退〔year〕<item id>; issuing it is audited."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.documents.render import cjk_font_check, html_to_pdf
from jiuzhu.apps.regions.codes import ancestors, level_of
from jiuzhu.apps.regions.models import Region
from jiuzhu.rules.errors import Conflict, Forbidden
from jiuzhu.rules.workflow.enrollment import add_months

from .models import RECOVERY_REASONS, RecoveryItem
from .recovery import SUBJECT, lock_item

PROGRAMS = {"dibao": "最低生活保障", "tekun": "特困人员救助供养"}


def notice_html(item: RecoveryItem, today) -> str:
    names = dict(Region.objects.filter(code__in=[item.region_id, *ancestors(item.region_id)])
                 .values_list("code", "name"))
    county = next((names.get(c, "") for c in ancestors(item.region_id) if level_of(c) == 3), "")
    township = names.get(item.region_id, "")
    return render_to_string("integrity/recovery_notice.html", {
        "kind": {"title": "社会救助资金退回通知书", "attachment_label": ""}, "item": item,
        "household": item.household, "program": PROGRAMS.get(item.enrollment.program, item.enrollment.program),
        "reason": RECOVERY_REASONS.get(item.reason, item.reason), "months": list(item.months.all()),
        "instalments": list(item.instalments.all()), "outstanding": item.outstanding,
        "township": f"{county}{township}", "county": county, "issuer": f"{county}{township}人民政府",
        "today": today, "due": add_months(today, 1)})


def recovery_notice(*, actor, item_id, now: datetime) -> bytes:
    """The notice PDF; the first issue gives the item its notice number."""
    if not can(actor, "recovery.operate"):
        raise Forbidden("forbidden", "您的角色不能出具退款通知书")
    cjk_font_check()
    today = timezone.localdate(now)
    with transaction.atomic():
        item = lock_item(actor, item_id)
        if item.status in (RecoveryItem.Status.SETTLED, RecoveryItem.Status.WRITTEN_OFF):
            raise Conflict("recovery.state", f"该款项当前为“{item.get_status_display()}”，无需再通知退款")
        if not item.notice_number:
            item.notice_number, item.notified_at = f"追退〔{today.year}〕{item.pk}号", now
            item.save(update_fields=["notice_number", "notified_at", "updated_at"])
        audit_record(actor=actor, action="recovery.notice", subject_type=SUBJECT, subject_id=item.pk,
                     region_code=item.region_id, after={"notice_number": item.notice_number}, at=now)
        html = notice_html(item, today)
    return html_to_pdf(html)
