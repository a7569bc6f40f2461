"""Enrollments (在保对象): created by an approved case; the lifecycle grows in the payments issue."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Enrollment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "在保"
        SUSPENDED = "suspended", "暂停"
        STOPPED = "stopped", "停保"
        GRADUATING = "graduating", "渐退期"

    LIVE = ("active", "suspended", "graduating")

    program = models.CharField("项目", max_length=8)
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="enrollments")
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", help_text="单人户施保时的成员")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, on_delete=models.PROTECT, related_name="enrollments")
    klass = models.CharField("分类", max_length=2, blank=True)
    amount = models.DecimalField("月保障金(元)", max_digits=14, decimal_places=2)
    persons = models.PositiveSmallIntegerField("保障人数")
    start_month = models.DateField("起始月份")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ACTIVE)
    graduating_until = models.DateField("渐退期至", null=True, blank=True)
    next_recheck = models.DateField("下次复核", null=True, blank=True)
    decided_on = models.DateField("确认日期")
    stopped_month = models.DateField("停发起始月份", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "在保对象"
        constraints = [
            models.UniqueConstraint(fields=["household", "program"],
                                    condition=Q(person__isnull=True, status__in=["active", "suspended", "graduating"]),
                                    name="enrollment_one_live_per_household"),
            models.UniqueConstraint(fields=["person", "program"],
                                    condition=Q(person__isnull=False, status__in=["active", "suspended", "graduating"]),
                                    name="enrollment_one_live_per_person"),
        ]
        indexes = [models.Index(fields=["region", "program", "status"])]


class EnrollmentChange(models.Model):
    """One change of an enrollment (amount, status), effective from a month, with reason and legal ground."""

    class Kind(models.TextChoices):
        ADJUST = "adjust", "调整金额"
        SUSPEND = "suspend", "暂停"
        RESUME = "resume", "恢复"
        STOP = "stop", "停保"
        GRADUATE = "graduate", "渐退"
        STANDARD = "standard", "标准调整"
        RECHECK = "recheck", "复核"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField("变更类型", max_length=10, choices=Kind.choices)
    old_amount = models.DecimalField("原金额", max_digits=14, decimal_places=2)
    new_amount = models.DecimalField("新金额", max_digits=14, decimal_places=2)
    old_status = models.CharField(max_length=12)
    new_status = models.CharField(max_length=12)
    old_class = models.CharField(max_length=2, blank=True)
    new_class = models.CharField(max_length=2, blank=True)
    effective_month = models.DateField("生效月份")
    reason = models.TextField("理由")
    legal_ground = models.CharField("法律依据", max_length=300)
    source = models.CharField("来源", max_length=40, blank=True, help_text="case:<id> / standard:<id> / ledger")
    actor = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    # 综合改革 plan 二(二)：在审批新增和出保结束后5个工作日内上报县民政局备案 — an exit (stop, class change)
    # decided by a township is filed with the county like a new approval (enrollment/filings.py).
    filing_due = models.DateField("报县备案期限", null=True, blank=True)
    filed_on = models.DateField("报县备案日期", null=True, blank=True)
    filed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["enrollment_id", "effective_month", "id"]
        # (effective_month): the payroll reads the changes effective after the paid month in bulk
        # (payments/snapshot.read_changes) — a few recent months out of years of history.
        indexes = [models.Index(fields=["enrollment", "effective_month"]),
                   models.Index(fields=["effective_month"], name="enrollment_change_effective"),
                   models.Index(fields=["filing_due"], condition=models.Q(filing_due__isnull=False),
                                name="enrollment_change_filing")]


from .models_certificate import Certificate, CertificateIssue, CertificateSequence  # noqa: E402,F401  (低保证/特困证)
from .models_standard import StandardChange  # noqa: E402,F401  (标准调整; apps/enrollment/standard*.py)
