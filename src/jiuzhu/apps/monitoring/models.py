"""Low-income population monitoring (低收入人口动态监测, R-SYS-02..07): the low-income register entries
not held by enrollments (低保边缘、刚性支出、临时救助), scan runs, alerts (预警) with their disposition
(R-SYS-06) and referrals to other departments with their feedback (转办推送, 一户一条救助链)."""

from __future__ import annotations

from django.db import models

from jiuzhu.rules.monitoring import (
    ALERT_TYPE_LABELS,
    CATEGORIES,
    DEPARTMENTS,
    DISPOSITIONS,
)

REGISTER_CATEGORIES = ("edge", "rigid_expenditure", "temporary")


class LowIncomeEntry(models.Model):
    """A household recognized as 低保边缘 / 刚性支出困难 or given 临时救助 (R-LI-02, R-LI-03, R-TA):
    dibao and 特困 come from the enrollments, these from this register."""

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="村(居)", on_delete=models.PROTECT, related_name="+")
    category = models.CharField("类别", max_length=20,
                                choices=[(c, CATEGORIES[c]) for c in REGISTER_CATEGORIES])
    recognized_on = models.DateField("认定(救助)日期")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间")
    # 年审 plan 四(三): the recognition case that made the entry (None: a legacy entry kept by hand), and
    # its removal (清退): the entry then ends the day before ``removed_on`` (``valid_until``).
    source_case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    removed_on = models.DateField("清退日期", null=True, blank=True)
    removal_reason = models.CharField("清退原因", max_length=300, blank=True, default="", db_default="")

    class Meta:
        verbose_name = verbose_name_plural = "低收入人口登记"
        indexes = [models.Index(fields=["region", "category"], name="lowincome_region_idx")]
        # one recognition is registered once (a re-imported list cannot double it)
        constraints = [models.UniqueConstraint(fields=["household", "category", "recognized_on"],
                                               name="lowincome_once_per_recognition")]


class MonitorScan(models.Model):
    """One scan of a region's monitored population against the latest snapshots."""

    region = models.ForeignKey("regions.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField("监测日期")
    engine = models.CharField("计算引擎", max_length=12, default="duckdb")
    snapshots = models.JSONField("使用的快照", default=list)
    params = models.JSONField("使用的参数", default=dict)
    population = models.PositiveIntegerField("监测人数", default=0)
    matched = models.PositiveIntegerField("可比对人数", default=0)
    candidates = models.PositiveIntegerField("命中规则数", default=0)
    created = models.PositiveIntegerField("新增预警数", default=0)
    counts = models.JSONField("按类型新增", default=dict)
    calendar_version = models.CharField("工作日历版本", max_length=40, blank=True)
    digest = models.CharField("结果摘要(SM3)", max_length=64, blank=True)
    seconds = models.FloatField("耗时(秒)", default=0)
    created_at = models.DateTimeField("扫描时间")
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "监测扫描"
        indexes = [models.Index(fields=["region", "-id"], name="monitor_scan_region_idx")]


class Alert(models.Model):
    """A warning (预警) about one monitored person, due at the township by ``due_date``."""

    class Status(models.TextChoices):
        OPEN = "open", "待处置"
        IN_PROGRESS = "in_progress", "处置中"
        CLOSED = "closed", "已办结"

    scan = models.ForeignKey(MonitorScan, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts",
                             help_text="empty for an alert raised by a visit (apps.care)")
    dedup_key = models.CharField("去重键", max_length=120)
    type = models.CharField("预警类型", max_length=24, choices=list(ALERT_TYPE_LABELS.items()))
    source = models.CharField("数据来源", max_length=32)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="村(居)", on_delete=models.PROTECT, related_name="+")
    category = models.CharField("监测类别", max_length=20, choices=list(CATEGORIES.items()))
    event_date = models.DateField("事件日期")
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2, default=0)
    detail = models.CharField("详情", max_length=200, blank=True)
    breadwinner = models.BooleanField("主要劳动力", default=False)
    detected_on = models.DateField("发现日期")
    due_date = models.DateField("处置期限")
    calendar_version = models.CharField("工作日历版本", max_length=40, blank=True)
    due_provisional = models.BooleanField("期限暂定", default=False, db_default=False)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    suggested = models.CharField("建议处置", max_length=16, choices=list(DISPOSITIONS.items()))
    disposition = models.CharField("处置方式", max_length=16, choices=list(DISPOSITIONS.items()), blank=True)
    result = models.TextField("处置结果", blank=True)
    disposed_on = models.DateField("处置日期", null=True, blank=True)
    disposed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField("办结日期", null=True, blank=True)
    recheck_case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = verbose_name_plural = "预警"
        constraints = [models.UniqueConstraint(fields=["dedup_key"], name="alert_dedup_key_unique")]
        indexes = [models.Index(fields=["region", "status", "due_date"], name="alert_region_status_idx"),
                   models.Index(fields=["region", "type"], name="alert_region_type_idx")]

    @property
    def number(self) -> str:
        return f"YJ{self.detected_on:%Y%m%d}-{self.pk:06d}" if self.pk else ""


class Intake(models.Model):
    """一门受理 (综合改革 plan; issue 14 §4): a household's needs recorded once at the township window or
    by the village assistant; each need is handled here (an application) or referred (``referrals``)."""

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="村(居)", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField("受理渠道", max_length=10)
    needs = models.JSONField("困难需求", default=list)
    description = models.CharField("困难情况", max_length=1000)
    received_on = models.DateField("受理日期")
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "一门受理"
        indexes = [models.Index(fields=["region", "-received_on"], name="intake_region_idx")]

    @property
    def number(self) -> str:
        return f"SL{self.received_on:%Y%m%d}-{self.pk:06d}" if self.pk else ""


class Referral(models.Model):
    """A push to a department (分类推送 of an alert, or a referral ticket of an intake, 转介) and that
    department's response; an intake's ticket is due in working days and closed with a note."""

    class Status(models.TextChoices):
        SENT = "sent", "已推送，待反馈"
        ANSWERED = "answered", "已反馈"
        CLOSED = "closed", "已办结"

    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals")
    intake = models.ForeignKey(Intake, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals")
    region = models.ForeignKey("regions.Region", verbose_name="村(居)", null=True, on_delete=models.PROTECT,
                               related_name="+")
    need = models.CharField("困难需求", max_length=20, blank=True, default="")
    department = models.CharField("推送部门", max_length=16, choices=list(DEPARTMENTS.items()))
    note = models.CharField("推送说明", max_length=500)
    sent_on = models.DateField("推送日期")
    sent_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField("反馈期限", null=True, blank=True)
    calendar_version = models.CharField("工作日历版本", max_length=40, blank=True, default="")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SENT)
    feedback = models.TextField("部门反馈", blank=True)
    assisted = models.BooleanField("已给予救助", null=True, blank=True)
    feedback_on = models.DateField("反馈日期", null=True, blank=True)
    feedback_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closing_note = models.TextField("办结说明", blank=True, default="")
    closed_on = models.DateField("办结日期", null=True, blank=True)
    closed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "转办推送"
        constraints = [
            models.UniqueConstraint(fields=["alert", "department"], name="referral_once_per_department"),
            models.UniqueConstraint(fields=["intake", "department"], name="referral_once_per_intake_department"),
            models.CheckConstraint(condition=models.Q(alert__isnull=False) | models.Q(intake__isnull=False),
                                   name="referral_has_origin"),
        ]
        indexes = [models.Index(fields=["region", "department", "status"], name="referral_region_dept_idx")]

    @property
    def number(self) -> str:
        return f"ZJ{self.sent_on:%Y%m%d}-{self.pk:06d}" if self.pk else ""

    @property
    def household(self):
        """The household referred (the intake's, or the alert's)."""
        return self.intake.household if self.intake_id else self.alert.household

    @property
    def due(self):
        """The response deadline: the ticket's own, or for an alert's push the alert's."""
        return self.due_date or (self.alert.due_date if self.alert_id else None)
