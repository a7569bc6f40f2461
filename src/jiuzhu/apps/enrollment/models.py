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
    created_at = models.DateTimeField(auto_now_add=True)

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
