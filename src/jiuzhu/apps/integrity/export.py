"""The county's 失信 list for the public credit information platform (R-PEN-04): CSV and JSON with only
the fields the platform's layout needs (docs/integrity.md). A full snapshot of the records listed on
``as_of``: a record removed since the last push is absent from the next one. The ID number is opened
for the file only, and the export is audited."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.codes import level_of
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import scope_filter
from jiuzhu.apps.registry import pii
from jiuzhu.core.spreadsheets import neutralise
from jiuzhu.rules.errors import Forbidden

from .models import BEHAVIOURS, CreditRecord

LAYOUT = "jiuzhu-credit-1"
FIELDS = [  # (key, 中文列名)
    ("record_no", "记录编号"), ("name", "姓名"), ("id_type", "证件类型"), ("id_number", "证件号码"),
    ("behaviour_code", "失信行为代码"), ("behaviour", "失信行为"), ("amount", "涉及金额(元)"),
    ("decision_number", "认定文书号"), ("decided_on", "认定日期"), ("listed_from", "列入日期"),
    ("listed_until", "列入期满日期"), ("authority", "认定部门"), ("authority_code", "认定部门区划代码"),
]


def _rows(actor, as_of: date) -> list[dict]:
    county = actor.region_id if level_of(actor.region_id or "000000000000") <= 3 else ""
    authority = Region.objects.filter(code=county).values_list("name", flat=True).first() or ""
    qs = (scope_filter(CreditRecord.objects.select_related("person"), actor)
          .filter(status=CreditRecord.Status.LISTED, listed_from__lte=as_of, listed_until__gt=as_of)
          .order_by("listed_from", "id"))
    return [{
        "record_no": f"JZSX{r.pk:08d}", "name": r.person.name, "id_type": "居民身份证",
        "id_number": pii.open_(r.person.id_number_enc, purpose="id_number"),
        "behaviour_code": r.behaviour, "behaviour": BEHAVIOURS.get(r.behaviour, r.behaviour),
        "amount": f"{r.amount:.2f}", "decision_number": r.decision_number,
        "decided_on": r.decided_at.date().isoformat() if r.decided_at else "",
        "listed_from": r.listed_from.isoformat() if r.listed_from else "",
        "listed_until": r.listed_until.isoformat() if r.listed_until else "",
        "authority": f"{authority}民政局" if authority else "", "authority_code": county,
    } for r in qs]


def credit_export(*, actor, fmt: str, as_of: date, now: datetime) -> tuple[bytes, str]:
    """(file bytes, content type) of the list in ``fmt`` ('csv' or 'json')."""
    if not can(actor, "integrity.export"):
        raise Forbidden("forbidden", "您的角色不能导出失信名单（由县级民政部门报送）")
    rows = _rows(actor, as_of)
    if fmt == "json":
        body = json.dumps({"layout": LAYOUT, "as_of": as_of.isoformat(), "count": len(rows),
                           "fields": dict(FIELDS), "records": rows}, ensure_ascii=False, indent=1).encode()
        ctype = "application/json; charset=utf-8"
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([label for _, label in FIELDS])
        for row in rows:  # a leading = + - @ (a free-text 文书号) must not become a spreadsheet formula
            writer.writerow([neutralise(row[key]) for key, _ in FIELDS])
        body = ("\ufeff" + out.getvalue()).encode("utf-8")
        ctype = "text/csv; charset=utf-8"
    audit_record(actor=actor, action="credit.export", subject_type="export", subject_id=LAYOUT,
                 region_code=actor.region_id or "", after={"format": fmt, "rows": len(rows), "as_of": as_of.isoformat()},
                 at=now)
    return body, ctype
