"""The demo county's integrity work (issue 15), so its pages show data: a 举报 against an enrolled
household in 千岛湖镇 taken in by the township, a proposed 失信 record awaiting the county's decision, and
a recovery item for a month paid after an unreported change — each through its service, as the
township caseworker does it in the browser."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.integrity import complaints, recovery, services
from jiuzhu.apps.integrity.models import Complaint
from jiuzhu.apps.payments.models import PaymentLine
from jiuzhu.apps.regions.codes import subtree_range

from .demo import DEMO_TOWNSHIPS


def demo_integrity_load(*, at: datetime | None = None) -> bool:
    """False when already loaded, or when the demo has no paid month in the township yet."""
    now = at or timezone.now()
    township = DEMO_TOWNSHIPS[0]
    if Complaint.objects.filter(region_id=township).exists():
        return False
    caseworker = User.objects.filter(username="township").first()
    low, high = subtree_range(township)
    line = (PaymentLine.objects.filter(region_id__gte=low, region_id__lte=high, status="paid",
                                       enrollment__program="dibao").select_related("enrollment").order_by("id").first())
    if caseworker is None or line is None or line.enrollment is None:
        return False
    enrollment = line.enrollment
    today = timezone.localtime(now).date()
    complaints.complaint_intake(actor=caseworker, now=now, data={
        "category": "report", "channel": "phone", "region": township, "enrollment": enrollment.pk,
        "received_on": (today - timedelta(days=2)).isoformat(),
        "content": "反映该户子女在外务工收入较高，家中新购轿车，仍领取低保（演示数据）",
        "anonymous": True})
    services.credit_propose(actor=caseworker, now=now, data={
        "person": enrollment.household.head_id, "behaviour": "concealed_income",
        "facts": "核查发现该户隐瞒子女务工收入，继续领取低保金（演示数据）", "amount": str(line.amount)})
    recovery.recovery_raise(actor=caseworker, now=now, data={
        "enrollment": enrollment.pk, "reason": "undeclared_change", "months": [line.month.strftime("%Y-%m")],
        "note": "家庭收入变化未如实报告，该月多发（演示数据）"})
    return True
