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
