"""The reply to the complainant (答复意见书, R-PUB-05 "feed back the result") as a PDF, like the other
documents. Issuing it moves a concluded item to 已答复; an anonymous reporter is addressed as 反映人."""

from __future__ import annotations

import json
from datetime import datetime

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.documents.render import cjk_font_check, html_to_pdf
from jiuzhu.apps.regions.codes import ancestors, level_of
from jiuzhu.apps.regions.models import Region
from jiuzhu.core.crypto import keyring
from jiuzhu.rules.errors import Conflict

from .complaints import PURPOSE, SUBJECT, _handler_only, _snapshot, lock
from .models import COMPLAINT_CATEGORIES, COMPLAINT_CHANNELS, Complaint


def complaint_reply(*, actor, complaint_id, now: datetime) -> bytes:
    cjk_font_check()
    today = timezone.localdate(now)
    with transaction.atomic():
        c = lock(actor, complaint_id)
        _handler_only(actor, c)
        if c.status not in (Complaint.Status.CONCLUDED, Complaint.Status.REPLIED):
            raise Conflict("complaint.state", "办结后才能出具答复意见书")
        before = _snapshot(c)
        if c.status == Complaint.Status.CONCLUDED:
            c.status, c.replied_at = Complaint.Status.REPLIED, now
            c.save()
        audit_record(actor=actor, action="complaint.reply", subject_type=SUBJECT, subject_id=c.pk,
                     region_code=c.region_id, before=before, after=_snapshot(c), at=now)
        name = ""
        if not c.anonymous and c.reporter_enc:
            name = json.loads(keyring().decrypt(c.reporter_enc, purpose=PURPOSE)).get("name", "")
        names = dict(Region.objects.filter(code__in=[c.region_id, *ancestors(c.region_id)]).values_list("code", "name"))
        county = next((names.get(x, "") for x in ancestors(c.region_id) if level_of(x) == 3), "")
        html = render_to_string("integrity/complaint_reply.html", {
            "kind": {"title": "答复意见书", "attachment_label": ""}, "c": c, "addressee": name or "反映人",
            "number": f"答复〔{today.year}〕{c.pk}号", "category": COMPLAINT_CATEGORIES.get(c.category, ""),
            "channel": COMPLAINT_CHANNELS.get(c.channel, ""), "result": c.get_result_display(),
            "issuer": f"{county}{names.get(c.region_id, '')}人民政府", "today": today})
    return html_to_pdf(html)
