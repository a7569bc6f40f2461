"""The demo county's pilot evaluation report draft (试点评估报告, issue 17 §4): the year's final
report with the 进展情况 text edited by the county, so the report page opens on a saved draft (the
other sections keep their generated sentences; the figures come from the monthly statistics)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.stats.pilot_report_export import pilot_report_save

from .demo import DEMO_COUNTY

PROGRESS = ("按照县试点方案，审核确认权已下放到各乡镇（街道），乡镇受理、调查、审核确认一并办理，县民政局负责监督抽查。"
            "试点以来全县低保、特困申请均在乡镇办结，具体数字见下表。")


def demo_pilot_report_load(*, at: datetime) -> int:
    """Save the draft as the demo county user; the draft's id."""
    county = User.objects.get(username="county", region_id=DEMO_COUNTY)
    today = timezone.localtime(at).date()
    draft = pilot_report_save(actor=county, raw={"kind": "final", "year": str(today.year)}, texts={"progress": PROGRESS},
                              now=at, today=today)
    return draft.pk
