"""The township 临时救助备用金 (reserve fund, R-TA-07; issue 14 §2): allocations from the county and
draws tied to a case. The balance is kept on the fund row and can never go negative (a database
CHECK; draws lock the row first, services.py)."""

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

    fund = models.ForeignKey(ReserveFund, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2)
    balance_after = models.DecimalField("结余(元)", max_digits=14, decimal_places=2)
    case = models.ForeignKey("cases.Case", verbose_name="案件", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    reference = models.CharField("支付事项", max_length=24, blank=True)  # advance | stage-N
    note = models.CharField("说明", max_length=200, blank=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "备用金收支"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="reserve_entry_amount_positive"),
            models.CheckConstraint(condition=Q(kind="allocation", case__isnull=True) | Q(kind="draw", case__isnull=False),
                                   name="reserve_draw_has_case"),
            # one payment per case and purpose: a person is never paid twice for one case from the fund
            models.UniqueConstraint(fields=["case", "reference"], condition=Q(kind="draw"), name="reserve_draw_once"),
        ]
        indexes = [models.Index(fields=["fund", "at"], name="reserve_entry_fund_at")]
