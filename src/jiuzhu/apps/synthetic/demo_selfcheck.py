"""The demo county's 自查自纠 (issue 15 §5), so its pages show data: the county starts a campaign with
every check over the demo's department data and case records; it runs here at once (its background job,
when the worker picks it up later, finds it done); the township closes one hit as a false alarm — each
through its service, as the users do it in the browser."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.integrity.selfcheck import selfcheck_run, selfcheck_start
from jiuzhu.apps.integrity.selfcheck_models import RectificationItem, SelfCheckCampaign
from jiuzhu.apps.integrity.selfcheck_resolve import rectification_resolve
from jiuzhu.rules.selfcheck import CHECKS

from .demo import DEMO_COUNTY, DEMO_TOWNSHIPS


def demo_selfcheck_load(*, at: datetime | None = None) -> bool:
    """False when a campaign exists already or the demo users are missing."""
    now = at or timezone.now()
    if SelfCheckCampaign.objects.filter(region_id=DEMO_COUNTY).exists():
        return False
    county, township = User.objects.filter(username="county").first(), User.objects.filter(username="township").first()
    if county is None or township is None:
        return False
    today = timezone.localtime(now).date()
    campaign = selfcheck_start(actor=county, region_code=DEMO_COUNTY, now=now, data={
        "name": f"{today.year}年度社会救助自查自纠（演示）", "as_of": today.isoformat(), "checks": list(CHECKS)})
    selfcheck_run(campaign_id=campaign.pk, now=now)
    item = RectificationItem.objects.filter(campaign=campaign, region_id=DEMO_TOWNSHIPS[0]).order_by("id").first()
    if item is not None:
        rectification_resolve(actor=township, item_id=item.pk, now=now, data={
            "outcome": "false_alarm", "result": "入户核实：登记信息与实际情况一致，不影响保障资格（演示数据）"})
    return True
