"""The 年审 recheck of a recognized low-income household (年审 plan 四(三), 五(一)1): each valid register
entry of the campaign's region gets one task; its decision keeps the recognition or removes (清退) it."""

from __future__ import annotations

from django.db import models

from jiuzhu.rules.lowincome import RECHECK_OUTCOMES


class LowIncomeRecheck(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "待复核"
        DONE = "done", "已复核"

    entry = models.ForeignKey("monitoring.LowIncomeEntry", on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey("reviews.ReviewCampaign", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="村(居)", on_delete=models.PROTECT, related_name="+")
    due = models.DateField("复核办结期限")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField("复核结论", max_length=8, choices=list(RECHECK_OUTCOMES.items()), blank=True)
    note = models.CharField("复核说明", max_length=500, blank=True)
    decided_on = models.DateField("复核日期", null=True, blank=True)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = verbose_name_plural = "低收入家庭年审复核"
        constraints = [models.UniqueConstraint(fields=["entry", "campaign"], name="lowinc_recheck_once_per_campaign")]
        indexes = [models.Index(fields=["region", "status"], name="lowinc_recheck_region_idx")]
