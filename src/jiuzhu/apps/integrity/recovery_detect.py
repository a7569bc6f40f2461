"""Recovery items detected from the death alerts of the monitoring scan (issue 15 §2): the scan reads
the 户籍/death department data and raises ``death`` alerts; an enrollment of the deceased alone (a
single-person enrollment of that person, or a one-person household) paid for months after the month of
death gets a recovery item for those months (source ``monitoring``). Months already recovered are
skipped; running it again creates nothing new."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.monitoring.models import Alert
from jiuzhu.apps.payments.models import PaymentLine
from jiuzhu.apps.regions.scope import scope_filter
from jiuzhu.rules.errors import Forbidden
from jiuzhu.rules.workflow.enrollment import add_months

from .models import RecoveryItem, RecoveryMonth
from .recovery import SUBJECT, _snapshot
from .services import township_of


def recovery_detect(*, actor, now: datetime) -> list[RecoveryItem]:
    if not can(actor, "recovery.operate"):
        raise Forbidden("forbidden", "您的角色不能生成追回款项")
    created = []
    alerts = scope_filter(Alert.objects.filter(type="death"), actor).order_by("id")
    for alert in alerts.iterator():
        after = add_months(alert.event_date.replace(day=1), 1)
        enrollments = Enrollment.objects.filter(household_id=alert.household_id).filter(
            Q(person_id=alert.person_id) | Q(person__isnull=True, persons=1))
        for enrollment in enrollments:
            taken = RecoveryMonth.objects.filter(enrollment=enrollment).values("month")
            lines = list(PaymentLine.objects.filter(enrollment_id=enrollment.pk, status=PaymentLine.Status.PAID,
                                                    month__gte=after).exclude(month__in=taken).order_by("month"))
            if not lines:
                continue
            region = township_of(enrollment.region_id)
            try:
                with transaction.atomic():
                    item = RecoveryItem.objects.create(
                        enrollment=enrollment, household_id=enrollment.household_id, region_id=region,
                        reason="death", source="monitoring", total=sum(line.amount for line in lines),
                        note=f"监测预警（编号 {alert.pk}）：{alert.event_date.isoformat()} 死亡，之后月份继续发放",
                        raised_by=actor, raised_at=now)
                    RecoveryMonth.objects.bulk_create([
                        RecoveryMonth(item=item, enrollment=enrollment, month=line.month, amount=line.amount,
                                      payment_line_id=line.pk) for line in lines])
                    audit_record(actor=actor, action="recovery.detect", subject_type=SUBJECT, subject_id=item.pk,
                                 region_code=region, at=now, after={**_snapshot(item), "alert": alert.pk,
                                                                    "months": [f"{x.month:%Y-%m}" for x in lines]})
            except IntegrityError:  # a month recovered meanwhile: the next run picks up the rest
                continue
            created.append(item)
    return created
