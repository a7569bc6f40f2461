"""Monthly payroll (社会化发放): batches with maker-checker, lines that cannot pay a month twice."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class PayrollBatch(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", "正常发放"
        SUPPLEMENTARY = "supplementary", "补发"

    class Status(models.TextChoices):
        PREPARED = "prepared", "已生成待审核"
        APPROVED = "approved", "已审核锁定"
        RECONCILED = "reconciled", "已对账"

    region = models.ForeignKey("regions.Region", verbose_name="发放区划", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("发放月份")  # the 1st of the month paid
    kind = models.CharField("批次类型", max_length=14, choices=Kind.choices, default=Kind.REGULAR)
    seq = models.PositiveSmallIntegerField("批次序号", default=1)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PREPARED)
    households = models.PositiveIntegerField("户数", default=0)
    persons = models.PositiveIntegerField("人数", default=0)
    total_amount = models.DecimalField("金额合计", max_digits=16, decimal_places=2, default=0)
    prepared_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField()
    approved_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    bank_file = models.CharField("银行文件", max_length=300, blank=True)
    bank_file_sha256 = models.CharField(max_length=64, blank=True)
    reconciled_at = models.DateTimeField(null=True, blank=True)
    # Totals report written once by the columnar job: {"by_township_class": [...], "carried": n,
    # "missing_account": n} (amounts as decimal strings), so the pages never re-aggregate the lines.
    totals = models.JSONField("汇总", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "发放批次"
        constraints = [
            models.UniqueConstraint(fields=["region", "month", "kind", "seq"], name="payroll_batch_unique"),
            models.UniqueConstraint(fields=["region", "month"], condition=Q(kind="regular"),
                                    name="payroll_one_regular_batch_per_month"),
        ]

    @property
    def number(self) -> str:
        tag = "ZC" if self.kind == "regular" else "BF"
        return f"{self.region_id}-{self.month:%Y%m}-{tag}{self.seq:02d}"


class PaymentLine(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待发放"
        PAID = "paid", "已发放"
        FAILED = "failed", "发放失败"

    # No single-column indexes on batch (the (batch, id) index covers it), region (lines are read
    # through their batch) or carried_from (partial index below): every index costs each bulk insert.
    # The month has a BRIN index (PostgreSQL only, migration 0005): a month's lines are read by the
    # statistics and the ledger check; BRIN costs next to nothing on bulk inserts.
    # No database foreign keys either: lines are written in bulk (a million per county and month) from
    # the enrollment snapshot of the same build, and PostgreSQL would check and key-share-lock every
    # referenced row one by one at commit — the slowest step of a large batch. Every build checks the
    # references of all its lines in one set-based query instead (building.check_references) and fails
    # the whole batch if one is missing; nothing deletes enrollments, households or regions (PROTECT).
    batch = models.ForeignKey(PayrollBatch, on_delete=models.PROTECT, related_name="lines", db_index=False,
                              db_constraint=False)
    # A line pays an enrollment's month, or one payment of a case (临时救助 by bank: ``reference`` is
    # ``advance`` or ``stage-N``, claimed once in CaseClaim) — exactly one of the two.
    enrollment = models.ForeignKey("enrollment.Enrollment", on_delete=models.PROTECT, related_name="payments",
                                   db_constraint=False, null=True, blank=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", db_constraint=False,
                             db_index=False, null=True, blank=True)
    reference = models.CharField("支付事项", max_length=24, blank=True, default="", db_default="")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+",
                                  db_constraint=False, db_index=False)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False,
                               db_constraint=False)
    month = models.DateField("所属月份")
    program = models.CharField(max_length=12)  # dibao, tekun, temporary (a case line)
    klass = models.CharField(max_length=2, blank=True)
    persons = models.PositiveSmallIntegerField()
    amount = models.DecimalField("金额", max_digits=14, decimal_places=2)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    result_code = models.CharField("银行返回码", max_length=20, blank=True)
    result_message = models.CharField("银行返回信息", max_length=200, blank=True)
    carried_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     db_index=False, db_constraint=False)

    class Meta:
        verbose_name = verbose_name_plural = "发放明细"
        constraints = [
            # No enrollment is paid twice for one month: a failed line may be carried to a later
            # batch, every other line holds the month.
            models.UniqueConstraint(fields=["enrollment", "month"], condition=~Q(status="failed"),
                                    name="payment_once_per_enrollment_month"),
            # ... nor one payment of a case (a failed line is re-issued once, like an enrollment's)
            models.UniqueConstraint(fields=["case", "reference"], condition=Q(case__isnull=False) & ~Q(status="failed"),
                                    name="payment_once_per_case_reference"),
            models.CheckConstraint(condition=Q(enrollment__isnull=False, case__isnull=True)
                                   | Q(enrollment__isnull=True, case__isnull=False),
                                   name="payment_line_enrollment_or_case"),
        ]
        # (batch, id), not (batch, region): a batch's lines arrive in id order, so each insert goes to
        # the index's right edge instead of a random page, and the pages of a batch walk by id; failed
        # lines (the only ones read by status and month, to be carried) in a small partial index instead
        # of a (status, month) entry for every line. At a million lines per batch these two indexes
        # were a third of COPY's time (issue 19).
        indexes = [models.Index(fields=["batch", "id"], name="payment_batch_id_idx"),
                   models.Index(fields=["month"], condition=Q(status="failed"), name="payment_failed_month_idx"),
                   models.Index(fields=["carried_from"], condition=Q(carried_from__isnull=False),
                                name="payment_carried_from_idx"),
                   # a case's lines (few: 临时救助 by bank), for the claims not yet paid or to re-issue
                   models.Index(fields=["case", "reference"], condition=Q(case__isnull=False),
                                name="payment_case_line_idx")]


class CaseClaim(models.Model):
    """One payment of one case and purpose (临时救助: ``advance`` 先行救助 or ``stage-N``), whatever the
    channel: written in the same transaction as the payment itself (a 备用金 draw, cash or in kind
    handed over, or a bank payment that the next payroll batch carries as a line). The unique key
    is the last line: the same case stage is never paid twice, whichever channel came first."""

    class Channel(models.TextChoices):
        RESERVE = "reserve", "乡镇备用金"
        BANK = "bank", "银行代发"
        CASH = "cash", "现金"
        IN_KIND = "in_kind", "实物"

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField("支付事项", max_length=24)  # advance | stage-N
    channel = models.CharField("支付渠道", max_length=8, choices=Channel.choices)
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2)
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False)
    paid_on = models.DateField("支付日期")
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "救助支付登记"
        constraints = [
            models.UniqueConstraint(fields=["case", "reference"], name="case_claim_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="case_claim_amount_positive"),
        ]
        # the payroll reads the bank claims of a region range
        indexes = [models.Index(fields=["region"], condition=Q(channel="bank"), name="case_claim_bank_region")]
