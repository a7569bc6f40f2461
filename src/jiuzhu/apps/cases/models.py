"""Cases (审核确认案件) and each step's record. State changes only through services.py."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from jiuzhu.rules.workflow import WorkflowSettings
from jiuzhu.rules.workflow.states import PROGRAM_LABELS, STATE_LABELS
from jiuzhu.rules.workflow.tables import check_settings

PROGRAMS = [(k, v) for k, v in PROGRAM_LABELS.items()]
STATES = [(k, v) for k, v in STATE_LABELS.items()]


class Channel(models.TextChoices):
    WINDOW = "window", "一门受理窗口"
    VILLAGE = "village", "村(居)协理员代办"
    ONLINE = "online", "网上申请"
    RECHECK = "recheck", "依职权复核"


class WorkflowSetting(models.Model):
    """A region's workflow settings; the nearest ancestor's row applies (workflow.md)."""

    region = models.OneToOneField("regions.Region", on_delete=models.PROTECT, primary_key=True)
    confirmation_level = models.CharField("审核确认层级", max_length=8, default="township",
                                          choices=[("township", "乡镇(下放)"), ("county", "县级")])
    verify_before_accept = models.BooleanField("先核对后申请", default=True)
    overall_limit_wd = models.PositiveSmallIntegerField("总办理时限(工作日)", default=20)
    overall_limit_extended_wd = models.PositiveSmallIntegerField("延长后时限(工作日)", default=30)
    step_limits = models.JSONField("环节时限", default=dict, blank=True)
    objection_phone = models.CharField("监督举报电话", max_length=40, blank=True)
    policy = models.CharField("救助政策(参数集)", max_length=40, blank=True,
                              help_text="留空则按区划代码自上级继承；均无时用 reference")
    source = models.CharField("依据", max_length=200, blank=True)
    # 年审 plan 三(2)二、三、五 (issue 20 §2–4): optional steps, off unless the region turns them on.
    application_notice = models.BooleanField("申请情况公示", default=False, db_default=False,
                                             help_text="自受理申请的次日起在村(居)委员会公示申请情况，不少于5个工作日")
    survey_resident_cadre = models.BooleanField("入户调查须有驻村干部", default=False, db_default=False,
                                                help_text="由至少2人(其中1人须为驻村干部)开展入户调查")
    hearing = models.BooleanField("民主听证", default=False, db_default=False,
                                  help_text="对公示有异议或核对有预警人员，初审前组织民主听证")

    class Meta:
        verbose_name = verbose_name_plural = "审核确认流程设置"

    def __str__(self):
        return f"{self.region_id} 审核确认流程设置"

    def clean(self):
        """Refuse values outside the national bounds (R-WF-14, S7 四(一)) with the field named."""
        problems: dict[str, list[str]] = {}
        for field, message in check_settings(WorkflowSettings(
                self.confirmation_level, self.verify_before_accept, self.overall_limit_wd or 0,
                self.overall_limit_extended_wd or 0, dict(self.step_limits or {}))):
            problems.setdefault(field.split(".")[0], []).append(message)
        if problems:
            raise ValidationError(problems)


class Case(models.Model):
    class Kind(models.TextChoices):
        APPLICATION = "application", "申请"
        RECHECK = "recheck", "复核"

    program = models.CharField("项目", max_length=8, choices=PROGRAMS)
    kind = models.CharField("类别", max_length=12, choices=Kind.choices, default=Kind.APPLICATION)
    # A recheck (复核) is of one enrollment; in an annual review (年审) it belongs to the campaign.
    enrollment = models.ForeignKey("enrollment.Enrollment", verbose_name="在保记录", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="rechecks")
    campaign = models.ForeignKey("reviews.ReviewCampaign", verbose_name="年审", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="cases")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="cases")
    applicant = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="村(居)", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField("申请渠道", max_length=8, choices=Channel.choices)
    state = models.CharField("状态", max_length=24, choices=STATES)
    is_open = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    settings = models.JSONField("流程设置(提交时)", default=dict)
    calendar_version = models.CharField("工作日历版本", max_length=40, blank=True)
    relative_flag = models.BooleanField("近亲属备案", default=False)
    relative_note = models.CharField("近亲属备案说明", max_length=200, blank=True)
    overall_started_on = models.DateField("总时限起算日", null=True, blank=True)
    extended = models.BooleanField("已延长时限", default=False)
    overdue = models.BooleanField("逾期", default=False)
    # Set when an official holiday schedule moved one of the case's due dates (时限因放假安排调整).
    deadline_moved_on = models.DateField("时限调整日期", null=True, blank=True)
    # Denormalized "what happens next" for the task list (kept by the services).
    task_role = models.CharField(max_length=24, blank=True)
    next_step = models.CharField(max_length=32, blank=True)
    next_due = models.DateField(null=True, blank=True)
    # Why the next action is blocked now (a guard's message, shown as "等待：…" in the task list); "" = actionable.
    task_waiting = models.CharField("等待原因", max_length=200, blank=True, default="", db_default="")
    proposal = models.JSONField("规则引擎建议", default=dict, blank=True)
    decided_status = models.CharField("认定结果", max_length=16, blank=True)
    decided_class = models.CharField("分类", max_length=2, blank=True)
    decided_amount = models.DecimalField("月保障金(元)", max_digits=14, decimal_places=2, null=True, blank=True)
    spot_check_sampled = models.BooleanField("县级抽查", default=False)
    filed = models.BooleanField("已报县备案", default=False)
    submitted_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "审核确认案件"
        constraints = [
            # One open application per household and program; a recheck runs beside it, once per enrollment.
            models.UniqueConstraint(fields=["household", "program"], condition=Q(is_open=True, kind="application"),
                                    name="case_one_open_per_household_program"),
            models.UniqueConstraint(fields=["enrollment"], condition=Q(is_open=True, kind="recheck"),
                                    name="case_one_open_recheck_per_enrollment"),
        ]
        indexes = [
            # ``id`` too: my_tasks picks its page of ids from this index alone (index-only scan).
            models.Index(fields=["task_role", "region", "next_due", "id"], condition=~Q(task_role=""),
                         name="case_open_tasks"),
            models.Index(fields=["region", "state"], name="case_region_state"),
            models.Index(fields=["region"], condition=Q(overdue=True), name="case_overdue_region"),
            models.Index(fields=["campaign", "region"], condition=Q(campaign__isnull=False), name="case_campaign_region"),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        prefix = ("FH" if self.kind == "recheck" else "") + {"dibao": "DB", "lowinc": "DS"}.get(self.program, "TK")
        return f"{prefix}{timezone.localtime(self.submitted_at):%Y}{self.pk:08d}"

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def program_label(self) -> str:
        return PROGRAM_LABELS.get(self.program, self.program)


class CaseDeadline(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "进行中"
        MET = "met", "已完成"
        OVERDUE = "overdue", "已逾期"
        CANCELLED = "cancelled", "已取消"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    step = models.CharField("环节", max_length=32)
    rule_id = models.CharField("依据", max_length=16, blank=True)
    amount = models.PositiveSmallIntegerField()
    unit = models.CharField(max_length=4, default="wd")
    supervised = models.BooleanField(default=True)
    starts_on = models.DateField("起算日")
    due = models.DateField("截止日")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    met_on = models.DateField(null=True, blank=True)
    calendar_version = models.CharField(max_length=40, blank=True)
    # Counted over a year without an official holiday schedule (暂定): recomputed when it is imported.
    provisional = models.BooleanField("暂定", default=False, db_default=False)

    class Meta:
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["status", "due"], condition=Q(status="open", supervised=True),
                                name="deadline_open_due")]

    @property
    def late(self) -> bool:
        """Met after its due date. A notice period is a span, not a duty, so it is never late."""
        return bool(self.supervised and self.met_on and self.met_on > self.due)


class CaseEvent(models.Model):
    """The case timeline: one row per action (the audit log holds the tamper-evident copy)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    action = models.CharField(max_length=32)
    actor = models.ForeignKey(django_settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=150)
    role = models.CharField(max_length=24, blank=True)
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class CaseRecord(models.Model):
    """What a step recorded (verification report, survey, review, appraisal, meeting …)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="records")
    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(max_length=24)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["case", "kind"])]


class CaseAttachment(models.Model):
    """A scanned document, photo or generated PDF; bytes live under JIUZHU_VAR_DIR/files, not in the DB."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField("类别", max_length=24)
    filename = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]


class Notice(models.Model):
    """A public notice (公示). Holds only what may be published: name, household size, amount. A
    termination notice (R-TK-16) publishes the name and the proposed termination only: its size and
    amount columns are placeholders (1, 0.00) that never leave ``programs.selectors.public_notices``."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "初审公示"
        LONG_TERM = "long_term", "审核确认长期公示"
        TERMINATION = "termination", "拟终止特困供养公示"
        APPLICATION = "application", "申请情况公示"  # 年审 plan 三(2)二: name, household size, program; no amount

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # A long-term notice follows its enrollment (issue 12 §3.6): the public page reads the household size
    # and amount in force from it and ends the notice when it stops; size and amount here are as published.
    enrollment = models.ForeignKey("enrollment.Enrollment", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="notices")
    program = models.CharField(max_length=8, choices=PROGRAMS)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=50)
    household_size = models.PositiveSmallIntegerField("保障人数")
    amount = models.DecimalField("月保障金(元)", max_digits=14, decimal_places=2)
    objection_phone = models.CharField("监督举报电话", max_length=40, blank=True)
    starts_on = models.DateField("公示开始")
    ends_on = models.DateField("公示截止", null=True, blank=True)
    withdrawn = models.BooleanField(default=False)

    class Meta:
        ordering = ["-starts_on", "id"]
        indexes = [models.Index(fields=["region", "starts_on"])]
