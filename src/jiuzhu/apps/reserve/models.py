"""The township 临时救助备用金 (reserve fund, R-TA-07; issue 14 §2): allocations from the county,
draws tied to a case, replenishment requests listing the draws and their approval (an entry of its
own), and the township's month-end reconciliation. The balance is kept on the fund row and can never
go negative (a database CHECK; draws lock the row first, services.py)."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models
from django.db.models import Q


class ReserveFund(models.Model):
    region = models.OneToOneField("regions.Region", verbose_name="乡镇(街道)", on_delete=models.PROTECT,
                                  primary_key=True, related_name="+")
    balance = models.DecimalField("余额(元)", max_digits=14, decimal_places=2, default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "临时救助备用金"
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="reserve_balance_never_negative")]

    def __str__(self):
        return f"{self.region_id} 备用金"


class ReserveEntry(models.Model):
    class Kind(models.TextChoices):
        ALLOCATION = "allocation", "县级拨付"
        DRAW = "draw", "救助支出"
        REPLENISHMENT = "replenishment", "县级补充"

    fund = models.ForeignKey(ReserveFund, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2)
    balance_after = models.DecimalField("结余(元)", max_digits=14, decimal_places=2)
    case = models.ForeignKey("cases.Case", verbose_name="案件", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    reference = models.CharField("支付事项", max_length=24, blank=True)  # advance | stage-N
    # a draw: the pending or approved request listing it; a replenishment: the request it fulfils
    replenishment = models.ForeignKey("ReserveReplenishment", verbose_name="补充申请", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="entries")
    note = models.CharField("说明", max_length=200, blank=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "备用金收支"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="reserve_entry_amount_positive"),
            models.CheckConstraint(condition=Q(kind__in=["allocation", "replenishment"], case__isnull=True)
                                   | Q(kind="draw", case__isnull=False), name="reserve_draw_has_case"),
            models.CheckConstraint(condition=~Q(kind="replenishment") | Q(replenishment__isnull=False),
                                   name="reserve_replenishment_has_request"),
            # one payment per case and purpose: a person is never paid twice for one case from the fund
            models.UniqueConstraint(fields=["case", "reference"], condition=Q(kind="draw"), name="reserve_draw_once"),
        ]
        indexes = [models.Index(fields=["fund", "at"], name="reserve_entry_fund_at"),
                   # the ledger's running balance at a moment: a fund's last entry before it, in ledger order
                   models.Index(fields=["fund", "id"], name="reserve_entry_fund_id")]


class ReserveReplenishment(models.Model):
    """补充备用金申请: the township lists the draws since the last request; a county user other than the
    requester approves it (the replenishment entry) or refuses it with a reason (the draws are free again)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待县级审批"
        APPROVED = "approved", "已批准补充"
        REFUSED = "refused", "不予补充"

    fund = models.ForeignKey(ReserveFund, on_delete=models.PROTECT, related_name="replenishments")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    amount = models.DecimalField("申请金额(元)", max_digits=14, decimal_places=2)
    draw_count = models.PositiveIntegerField("支出笔数")
    # what was listed when requested (entry id, date, case number, amount): kept when a refusal frees the draws
    listing = models.JSONField("所列支出", default=list)
    note = models.CharField("申请说明", max_length=200, blank=True)
    requested_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField("审批意见", max_length=500, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "补充备用金申请"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="reserve_replenishment_amount_positive"),
            models.UniqueConstraint(fields=["fund"], condition=Q(status="pending"), name="reserve_one_pending_request"),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"BC{self.requested_at:%Y}{self.pk:06d}"


class ReserveReconciliation(models.Model):
    """月末对账: the township confirms a finished month's figures, which matched the ledger to the fen."""

    fund = models.ForeignKey(ReserveFund, on_delete=models.PROTECT, related_name="reconciliations")
    month = models.DateField("月份")  # first day
    opening = models.DecimalField("期初余额(元)", max_digits=14, decimal_places=2)
    allocated = models.DecimalField("县级拨付(元)", max_digits=14, decimal_places=2)
    replenished = models.DecimalField("县级补充(元)", max_digits=14, decimal_places=2)
    drawn = models.DecimalField("救助支出(元)", max_digits=14, decimal_places=2)
    draw_count = models.PositiveIntegerField("支出笔数")
    closing = models.DecimalField("期末余额(元)", max_digits=14, decimal_places=2)
    confirmed_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField()

    class Meta:
        ordering = ["-month"]
        verbose_name = verbose_name_plural = "备用金月末对账"
        constraints = [models.UniqueConstraint(fields=["fund", "month"], name="reserve_reconciled_once")]
