"""自查自纠 campaigns and their rectification items (issue 15 §5; checks in jiuzhu.rules.selfcheck).

A county campaign runs its checks over the whole caseload as a background job; each hit becomes a
rectification item for the township, due in the region's working days, closed with one outcome. The
database keeps the rules a bug must not break: a hit is stored once per campaign, a resolved item has
an outcome, a resolver and a time, "recover" links its recovery item and "stop" its enrollment change."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models
from django.db.models import Q

from jiuzhu.rules.selfcheck import CHECKS, OUTCOMES


class SelfCheckCampaign(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "检查中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey("regions.Region", verbose_name="县（市、区）", on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField("检查基准日")
    checks = models.JSONField("检查项目", default=list)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.QUEUED)
    job_id = models.BigIntegerField("后台任务", null=True, blank=True)
    population = models.PositiveIntegerField("在保人数", default=0)
    matched = models.PositiveIntegerField("可比对人数", default=0)
    hits = models.PositiveIntegerField("疑点数", default=0)
    counts = models.JSONField("按检查项目", default=dict, blank=True)
    skipped = models.JSONField("无数据未检查", default=list, blank=True)
    snapshots = models.JSONField("使用的快照", default=list, blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    due_date = models.DateField("整改期限", null=True, blank=True)
    error = models.CharField("错误", max_length=500, blank=True)
    seconds = models.FloatField("耗时(秒)", default=0)
    created_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("发起时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "自查自纠"
        ordering = ["-created_at", "-id"]

    @property
    def check_labels(self) -> list[str]:
        return [CHECKS[c].label for c in self.checks if c in CHECKS]


class RectificationItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "待整改"
        RESOLVED = "resolved", "已整改"

    campaign = models.ForeignKey(SelfCheckCampaign, on_delete=models.PROTECT, related_name="items")
    key = models.CharField(max_length=80)  # check:enrollment:person (0 for a household check)
    check_code = models.CharField("检查项目", max_length=24, choices=[(c.code, c.label) for c in CHECKS.values()])
    enrollment = models.ForeignKey("enrollment.Enrollment", verbose_name="在保对象", on_delete=models.PROTECT,
                                   related_name="+")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="乡镇（街道）", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("regions.Region", verbose_name="村(居)", on_delete=models.PROTECT, related_name="+")
    event_date = models.DateField("疑点日期", null=True, blank=True)
    amount = models.DecimalField("涉及金额(元)", max_digits=14, decimal_places=2, default=0)
    detail = models.CharField("疑点说明", max_length=200, blank=True)
    evidence = models.JSONField("依据", default=dict, blank=True)
    due_date = models.DateField("整改期限")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField("整改结果", max_length=12, blank=True, choices=list(OUTCOMES.items()))
    result = models.TextField("核查情况", blank=True)
    resolved_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolved_at = models.DateTimeField("整改时间", null=True, blank=True)
    recovery = models.ForeignKey("integrity.RecoveryItem", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    change = models.ForeignKey("enrollment.EnrollmentChange", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = verbose_name_plural = "整改事项"
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="rectification_once_per_campaign"),
            models.CheckConstraint(name="rectification_resolved_complete",
                                   condition=Q(status="open", outcome="", resolved_by__isnull=True)
                                   | Q(status="resolved", resolved_by__isnull=False, resolved_at__isnull=False)
                                   & ~Q(outcome="") & ~Q(result="")),
            models.CheckConstraint(name="rectification_recover_linked",
                                   condition=~Q(outcome="recover") | Q(recovery__isnull=False)),
            models.CheckConstraint(name="rectification_stop_linked",
                                   condition=~Q(outcome="stop") | Q(change__isnull=False)),
        ]
        indexes = [models.Index(fields=["campaign", "region", "status"], name="rectification_campaign_region")]

    @property
    def check_label(self) -> str:
        return CHECKS[self.check_code].label if self.check_code in CHECKS else self.check_code

    @property
    def check_rule(self) -> str:
        return CHECKS[self.check_code].rule if self.check_code in CHECKS else ""
