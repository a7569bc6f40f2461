"""A new dated standard entered by county staff (标准调整 / 物价联动), its preview, approval and application."""

from __future__ import annotations

from django.db import models


class StandardChange(models.Model):
    """One dated value of ``dibao.standard.<area>`` or ``tekun.basic_standard.<area>`` for a region's
    policy: proposed → (previewed) → approved by another user → applied to every live enrollment."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待审批"
        APPROVED = "approved", "已审批"
        APPLIED = "applied", "已调整"

    class Program(models.TextChoices):
        DIBAO = "dibao", "低保标准"
        TEKUN = "tekun", "特困人员基本生活标准"

    region = models.ForeignKey("regions.Region", verbose_name="调整区划", on_delete=models.PROTECT, related_name="+")
    policy = models.CharField("政策", max_length=40, help_text="调整所依据的政策文件（区划代码或政策名）")
    program = models.CharField("标准类别", max_length=8, choices=Program.choices, default=Program.DIBAO)
    area_type = models.CharField("城乡类别", max_length=8, choices=[("urban", "城市"), ("rural", "农村")])
    amount = models.DecimalField("新标准(元/人/月)", max_digits=14, decimal_places=2)
    start_date = models.DateField("起始日期")
    source = models.CharField("出处（文件名称、文号及条款）", max_length=300)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PROPOSED)
    prepared_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField()
    preview_path = models.CharField("预览文件", max_length=300, blank=True)
    preview_sha256 = models.CharField(max_length=64, blank=True)
    preview_at = models.DateTimeField(null=True, blank=True)
    preview_summary = models.JSONField("预览汇总", default=dict, blank=True)
    approved_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_sha256 = models.CharField("审批时的预览哈希", max_length=64, blank=True)
    applied_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_count = models.PositiveIntegerField("调整人次", default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = verbose_name_plural = "标准调整"
        constraints = [
            models.UniqueConstraint(fields=["region", "program", "area_type", "start_date"],
                                    name="standard_change_one_per_start"),
        ]
        indexes = [models.Index(fields=["region", "status"])]

    def __str__(self):
        return f"{self.get_program_display()}（{self.get_area_type_display()}）{self.amount} 元，自 {self.start_date}"

    @property
    def key(self) -> str:
        return f"{'dibao.standard' if self.program == 'dibao' else 'tekun.basic_standard'}.{self.area_type}"
