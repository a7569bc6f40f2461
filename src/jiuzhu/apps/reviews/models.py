"""Annual review campaigns (社会救助年审, seed plan 社会救助年审工作方案): one per region and year.

Its recheck cases (apps/cases, ``kind = recheck``) carry the campaign; progress and the summary
are read from them and from the enrollment changes (selectors.py).
"""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models


class ReviewCampaign(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "进行中"
        CLOSED = "closed", "已结束"

    region = models.ForeignKey("regions.Region", verbose_name="年审区划", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.RUNNING)
    due = models.DateField("复核办结期限")
    policy = models.CharField("救助政策(参数集)", max_length=40)
    policy_note = models.TextField("适用标准说明", blank=True)
    cases_created = models.PositiveIntegerField("已生成复核任务", default=0)
    created_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField("启动时间")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "年审"
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="review_one_campaign_per_region_year")]

    def __str__(self):
        return f"{self.year} 年度年审（{self.region_id}）"
