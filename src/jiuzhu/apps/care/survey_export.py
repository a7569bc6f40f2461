"""The 摸底台账 as xlsx (issue 16 §2, seed 二(一) 建立工作台账): one line per person in the actor's
scope, in the ledger's columns, IDs masked, text never a formula (core.spreadsheets); the export is
audited (``care.survey_export``)."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.models import Region
from jiuzhu.core.spreadsheets import xlsx_workbook
from jiuzhu.rules import care as rules

from .models import SurveyCampaign
from .survey_read import ledger

LEDGER_COLUMNS = ["序号", "乡镇(街道)", "村(居)", "姓名", "性别", "年龄", "身份证号", "现供养方式", "民事行为能力", "原因",
                  "居住情况", "照料护理意愿", "意向机构类型", "现照料人", "照料人电话", "走访日期", "走访人", "排查状态", "备注"]
SEX = {"M": "男", "F": "女"}


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _row(n: int, i, names: dict, today: date) -> list:
    care = getattr(i.enrollment, "care", None)
    placement = rules.PLACEMENTS.get(care.placement, "") if care else "分散供养（未登记）"
    return [n, names.get(i.region_id[:9] + "000", ""), names.get(i.region_id, i.region_id), i.person.name,
            SEX.get(i.person.sex, ""), _age(i.person.birth_date, today), i.person.id_number_masked, placement,
            rules.CAPACITY.get(i.capacity, ""), rules.CAPACITY_CAUSES.get(i.capacity_cause, ""),
            rules.LIVING.get(i.living, ""), rules.PLACEMENTS.get(i.care_wish, ""),
            rules.INSTITUTION_KINDS.get(i.institution_kind, ""), i.caregiver, i.caregiver_phone,
            i.visited_on.isoformat() if i.visited_on else "", i.visitor_name, "已排查" if i.done else "未排查", i.notes]


def ledger_xlsx(*, actor, campaign: SurveyCampaign, now: datetime) -> bytes:
    today = timezone.localtime(now).date()
    lines = list(ledger(actor=actor, campaign=campaign))
    codes = {i.region_id for i in lines} | {i.region_id[:9] + "000" for i in lines}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    buf = BytesIO()
    wb = xlsx_workbook(buf, {"in_memory": True})
    head = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True})
    title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    cell = wb.add_format({"border": 1})
    ws = wb.add_worksheet("摸底台账")
    ws.merge_range(0, 0, 0, len(LEDGER_COLUMNS) - 1,
                   f"{campaign.region.name} {campaign.year} 年度特困人员监护照护摸底排查台账", title)
    done = sum(i.done for i in lines)
    ws.write(1, 0, f"导出日期：{today.isoformat()}　共 {len(lines)} 人，已排查 {done} 人")
    ws.write_row(2, 0, LEDGER_COLUMNS, head)
    for n, i in enumerate(lines, start=1):
        ws.write_row(2 + n, 0, _row(n, i, names, today), cell)
    ws.set_row(2, 30)
    ws.set_column(0, 0, 6)
    ws.set_column(1, len(LEDGER_COLUMNS) - 1, 13)
    ws.freeze_panes(3, 4)
    wb.close()
    audit_record(actor=actor, action="care.survey_export", subject_type="care_survey", subject_id=campaign.pk,
                 region_code=getattr(actor, "region_id", "") or campaign.region_id,
                 details={"rows": len(lines), "done": done}, at=now)
    return buf.getvalue()
