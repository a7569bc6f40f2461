"""失信 records (R-PEN-04): the township proposes, the county decides (maker-checker), the record is
listed for a region-set period and removed at its end or on credit repair; the person may appeal.

The database holds the rules a bug must not break: the decider is never the proposer, and a listed or
removed record always has a decider and a listing period (CHECK constraints).
"""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models
from django.db.models import F, Q

BEHAVIOURS = {  # R-PEN-04 typical listed behaviours; a region enables one by setting its listing period
    "forged_materials": "伪造证明材料、冒名顶替",
    "concealed_income": "隐瞒收入、财产或家庭状况变化继续领取",
    "concealed_death": "隐瞒救助对象死亡继续领取",
    "obstruction": "拒绝、阻碍调查核实",
    "staff_favouritism": "工作人员优亲厚友、违规办理（人情保、关系保）",
}


class CreditRecord(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "待县级决定"
        LISTED = "listed", "已列入失信名单"
        REJECTED = "rejected", "不予列入"
        REMOVED = "removed", "已移出"

    class Appeal(models.TextChoices):
        NONE = "", "无"
        PENDING = "pending", "申诉待处理"
        UPHELD = "upheld", "申诉成立（已撤销）"
        DISMISSED = "dismissed", "申诉不成立"

    person = models.ForeignKey("registry.Person", verbose_name="当事人", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="乡镇（街道）", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", verbose_name="相关案件", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    behaviour = models.CharField("失信情形", max_length=32, choices=list(BEHAVIOURS.items()))
    facts = models.TextField("事实经过")
    amount = models.DecimalField("涉及金额(元)", max_digits=14, decimal_places=2, default=0)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField("提出时间")
    decided_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decision = models.TextField("决定意见", blank=True)
    decision_number = models.CharField("决定文号", max_length=60, blank=True)
    listed_from = models.DateField("列入日期", null=True, blank=True)
    listed_until = models.DateField("列入期满", null=True, blank=True)
    removed_at = models.DateTimeField("移出时间", null=True, blank=True)
    removed_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    removal_reason = models.TextField("移出原因", blank=True)
    appeal = models.CharField("申诉", max_length=10, choices=Appeal.choices, default="", blank=True)
    appeal_text = models.TextField("申诉理由", blank=True)
    appeal_at = models.DateTimeField("申诉时间", null=True, blank=True)
    appeal_decision = models.TextField("申诉处理意见", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "失信记录"
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(name="credit_decider_not_proposer",
                                   condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by"))),
            models.CheckConstraint(name="credit_listed_has_decision",
                                   condition=Q(status__in=["proposed", "rejected"])
                                   | Q(decided_by__isnull=False, listed_from__isnull=False, listed_until__isnull=False)),
            models.CheckConstraint(name="credit_amount_not_negative", condition=Q(amount__gte=0)),
        ]
        indexes = [models.Index(fields=["person", "status"], name="credit_person_status")]

    def __str__(self):
        return f"失信记录 {self.pk}"


class CreditEvidence(models.Model):
    """An evidence file of a record; bytes encrypted under JIUZHU_FILES_DIR/integrity/<record>/, not in the DB."""

    record = models.ForeignKey(CreditRecord, on_delete=models.CASCADE, related_name="evidence")
    filename = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]


RECOVERY_REASONS = {
    "death": "死亡后继续发放",
    "undeclared_change": "未如实报告家庭状况变化",
    "fraud": "虚报、隐瞒、伪造骗取",
    "error": "经办差错多发",
}


class RecoveryItem(models.Model):
    """A wrong payment to recover (R-PEN-01 责令退回): the paid months, the refund notice, instalments,
    receipts, and 核销 (write-off) only with the county's approval — a different user, checked by the DB."""

    class Status(models.TextChoices):
        OPEN = "open", "待追回"
        WRITE_OFF_PROPOSED = "write_off_proposed", "核销待县级审批"
        SETTLED = "settled", "已追回"
        WRITTEN_OFF = "written_off", "已核销"

    enrollment = models.ForeignKey("enrollment.Enrollment", verbose_name="在保对象", on_delete=models.PROTECT,
                                   related_name="+")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="乡镇（街道）", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("原因", max_length=20, choices=list(RECOVERY_REASONS.items()))
    source = models.CharField("来源", max_length=12, default="caseworker")  # caseworker | monitoring
    note = models.TextField("情况说明", blank=True)
    total = models.DecimalField("应追回金额(元)", max_digits=14, decimal_places=2)
    received = models.DecimalField("已追回金额(元)", max_digits=14, decimal_places=2, default=0)
    written_off = models.DecimalField("核销金额(元)", max_digits=14, decimal_places=2, default=0)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPEN)
    raised_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField("登记时间")
    notice_number = models.CharField("退款通知书编号", max_length=40, blank=True)
    notified_at = models.DateTimeField("通知时间", null=True, blank=True)
    write_off_amount = models.DecimalField("申请核销金额(元)", max_digits=14, decimal_places=2, null=True, blank=True)
    write_off_reason = models.TextField("核销理由", blank=True)
    write_off_proposed_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.PROTECT, related_name="+")
    write_off_approved_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.PROTECT, related_name="+")
    write_off_decided_at = models.DateTimeField("核销审批时间", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "追回款项"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(name="recovery_amounts_balance",
                                   condition=Q(received__gte=0, written_off__gte=0, total__gt=0)
                                   & Q(received__lte=F("total") - F("written_off"))),
            models.CheckConstraint(name="recovery_write_off_approved",
                                   condition=Q(written_off=0)
                                   | Q(status="written_off", write_off_approved_by__isnull=False,
                                       write_off_proposed_by__isnull=False)
                                   & ~Q(write_off_approved_by=F("write_off_proposed_by"))),
            models.CheckConstraint(name="recovery_written_off_has_amount",
                                   condition=~Q(status="written_off") | Q(written_off__gt=0)),
        ]

    @property
    def outstanding(self):
        return self.total - self.received - self.written_off


class RecoveryMonth(models.Model):
    """One wrongly paid month: a month is recovered at most once per enrollment."""

    item = models.ForeignKey(RecoveryItem, on_delete=models.CASCADE, related_name="months")
    enrollment = models.ForeignKey("enrollment.Enrollment", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("所属月份")
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2)
    payment_line_id = models.BigIntegerField("发放明细编号")

    class Meta:
        ordering = ["month"]
        constraints = [models.UniqueConstraint(fields=["enrollment", "month"], name="recovery_month_once")]


class RecoveryInstalment(models.Model):
    item = models.ForeignKey(RecoveryItem, on_delete=models.CASCADE, related_name="instalments")
    seq = models.PositiveSmallIntegerField("期数")
    due = models.DateField("应还日期")
    amount = models.DecimalField("应还金额(元)", max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["item", "seq"], name="recovery_instalment_seq")]


class RecoveryReceipt(models.Model):
    item = models.ForeignKey(RecoveryItem, on_delete=models.CASCADE, related_name="receipts")
    received_on = models.DateField("到账日期")
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["received_on", "id"]
        constraints = [models.CheckConstraint(name="recovery_receipt_positive", condition=Q(amount__gt=0))]


COMPLAINT_CATEGORIES = {"complaint": "投诉", "report": "举报", "petition": "信访", "objection": "公示异议"}
COMPLAINT_CHANNELS = {"window": "窗口", "phone": "电话（12349）", "letter": "来信", "online": "网上", "visit": "来访",
                      "notice": "长期公示反馈"}


class Complaint(models.Model):
    """A complaint, 举报, 信访 or objection (R-PUB-05): intake from any channel, a handler in scope, a
    deadline from the region's dated parameters, investigation, result, reply, satisfaction. The
    reporter's name and phone are encrypted; an anonymous report's reporter is shown only to the county
    handler, and each look is audited (the audit never holds the identity)."""

    class Status(models.TextChoices):
        RECEIVED = "received", "待受理"
        HANDLING = "handling", "办理中"
        NOT_ACCEPTED = "not_accepted", "不予受理"
        CONCLUDED = "concluded", "已办结待答复"
        REPLIED = "replied", "已答复"

    class Result(models.TextChoices):
        NONE = "", "—"
        FOUNDED = "founded", "属实"
        PARTLY = "partly", "部分属实"
        UNFOUNDED = "unfounded", "不属实"

    class Satisfaction(models.TextChoices):
        NONE = "", "未评价"
        SATISFIED = "satisfied", "满意"
        BASIC = "basic", "基本满意"
        UNSATISFIED = "unsatisfied", "不满意"

    category = models.CharField("类别", max_length=10, choices=list(COMPLAINT_CATEGORIES.items()))
    channel = models.CharField("渠道", max_length=10, choices=list(COMPLAINT_CHANNELS.items()))
    region = models.ForeignKey("regions.Region", verbose_name="乡镇（街道）", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    enrollment = models.ForeignKey("enrollment.Enrollment", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    content = models.TextField("反映内容")
    received_on = models.DateField("收到日期")
    anonymous = models.BooleanField("匿名", default=False)
    reporter_enc = models.TextField("反映人(密文)", blank=True)  # JSON {name, phone}, sealed
    reporter_masked = models.CharField("反映人", max_length=60, blank=True)
    handler = models.ForeignKey(django_settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    status = models.CharField("状态", max_length=14, choices=Status.choices, default=Status.RECEIVED)
    accept_due = models.DateField("受理决定期限", null=True, blank=True)
    due = models.DateField("办结期限", null=True, blank=True)
    extended = models.BooleanField("已延期", default=False)
    investigation = models.TextField("调查核实情况", blank=True)
    result = models.CharField("核实结论", max_length=10, choices=Result.choices, default="", blank=True)
    result_text = models.TextField("处理结果", blank=True)
    concluded_on = models.DateField("办结日期", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    satisfaction = models.CharField("满意度", max_length=12, choices=Satisfaction.choices, default="", blank=True)
    created_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "投诉举报信访"
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(name="complaint_anonymous_unmasked",
                                   condition=Q(anonymous=False) | Q(reporter_masked="")),
            models.CheckConstraint(name="complaint_replied_after_result",
                                   condition=~Q(status__in=["concluded", "replied"]) | ~Q(result="")),
        ]
        indexes = [models.Index(fields=["status", "due"], name="complaint_status_due")]


from .relatives_models import StaffRelative  # noqa: E402,F401  (the register of staff near relatives, issue 15 §4)
from .selfcheck_models import RectificationItem, SelfCheckCampaign  # noqa: E402,F401  (自查自纠, issue 15 §5)
