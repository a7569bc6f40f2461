"""Department data sources, their dated snapshots, and verification requests and reports.

Bytes (snapshots, rejects, item tables, PDFs) live in files under ``JIUZHU_FILES_DIR``; the rows
here hold their paths (relative to that directory) and SHA-256 digests."""

from __future__ import annotations

from django.db import models


class DataSource(models.Model):
    """A department dataset (declared in jiuzhu.batch.datasets)."""

    code = models.CharField("代码", max_length=32, primary_key=True)
    name = models.CharField("名称", max_length=60)
    department = models.CharField("提供部门", max_length=100)
    schema_version = models.PositiveSmallIntegerField("数据格式版本", default=1)

    class Meta:
        verbose_name = verbose_name_plural = "核对数据来源"

    def __str__(self):
        return self.name


class Snapshot(models.Model):
    """One imported file of a source as of a date: blind-indexed rows in Parquet, rejects beside."""

    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="snapshots")
    as_of = models.DateField("数据日期")
    path = models.CharField("快照文件", max_length=300)
    rows = models.PositiveBigIntegerField("导入行数", default=0)
    rejects = models.PositiveBigIntegerField("退回行数", default=0)
    rejects_path = models.CharField("退回行文件", max_length=300, blank=True)
    persons = models.PositiveBigIntegerField("涉及人数", default=0)
    input_name = models.CharField("原文件名", max_length=200)
    input_sha256 = models.CharField("原文件SHA-256", max_length=64)
    sha256 = models.CharField("快照SHA-256", max_length=64)
    schema_version = models.PositiveSmallIntegerField("数据格式版本", default=1)
    imported_at = models.DateTimeField("导入时间")
    imported_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "核对数据快照"
        constraints = [models.UniqueConstraint(fields=["source", "as_of", "input_sha256"], name="snapshot_once")]
        indexes = [models.Index(fields=["source", "-as_of", "-id"], name="snapshot_latest_idx")]

    def __str__(self):
        return f"{self.source_id}@{self.as_of}"


class VerificationRequest(models.Model):
    """One run of the engine: for one case or a batch of cases (a region's cases awaiting verification)."""

    class Kind(models.TextChoices):
        CASE = "case", "单个案件"
        BATCH = "batch", "批量"

    class Status(models.TextChoices):
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField("核对基准日")
    period_months = models.PositiveSmallIntegerField("收入计算期(月)", default=12)
    snapshots = models.JSONField("使用的快照", default=list)
    engine = models.CharField("计算引擎", max_length=12, default="duckdb")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.DONE)
    cases = models.PositiveIntegerField("案件数", default=0)
    items_path = models.CharField("核对项目文件", max_length=300, blank=True)
    digest = models.CharField("结果摘要(SM3)", max_length=64, blank=True)
    seconds = models.FloatField("耗时(秒)", default=0)
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "核对请求"
        indexes = [models.Index(fields=["region", "-id"], name="verif_request_region_idx")]


class VerificationReport(models.Model):
    """The report for one case: items with source and date, totals, asset test, differences,
    persons not verifiable. ``digest`` is the SM3 of its content: same request on the same
    snapshots → same digest."""

    request = models.ForeignKey(VerificationRequest, on_delete=models.PROTECT, related_name="reports")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="村(居)", on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField("核对基准日")
    conclusion = models.CharField("核对结论", max_length=16,
                                  choices=[("consistent", "与申报一致"), ("inconsistent", "与申报不一致")])
    data = models.JSONField("报告内容")
    digest = models.CharField("报告摘要(SM3)", max_length=64)
    pdf_path = models.CharField("PDF文件", max_length=300, blank=True)
    created_at = models.DateTimeField("出具时间")
    submitted_at = models.DateTimeField("录入案件时间", null=True, blank=True)
    submitted_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "核对报告"
        indexes = [models.Index(fields=["case", "-id"], name="verif_report_case_idx"),
                   models.Index(fields=["region", "-id"], name="verif_report_region_idx")]

    @property
    def number(self) -> str:
        return f"HD{self.as_of:%Y%m%d}-{self.pk:06d}" if self.pk else ""
