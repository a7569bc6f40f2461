"""Monthly statistics facts (月度统计): a small aggregate table, one row per month × township ×
program × metric × category, recomputed from the raw data by ``services.stats_compute`` (never
counted by hand). Counts are whole numbers, money in yuan (two decimals), shares and working days
in tenths."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class StatFact(models.Model):
    month = models.DateField("月份")  # the 1st of the month
    region = models.CharField("乡镇(街道)代码", max_length=12)
    program = models.CharField("项目", max_length=12)  # dibao | tekun | temporary | all
    metric = models.CharField("指标", max_length=40)
    category = models.CharField("分类", max_length=60, blank=True, default="")
    value = models.DecimalField("数值", max_digits=18, decimal_places=2)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = verbose_name_plural = "月度统计"
        constraints = [models.UniqueConstraint(fields=["month", "region", "program", "metric", "category"],
                                               name="stat_fact_unique")]
        indexes = [models.Index(fields=["region", "month"], name="stat_fact_region_month")]


class PilotReportDraft(models.Model):
    """The county's edited text of a pilot evaluation report (试点评估报告) for one period: one text
    per section (``pilot_report.SECTIONS``); the figures are never stored, they are read afresh from
    the facts when the report is shown or exported. Saving is audited (``stats.pilot_report_save``)."""

    region = models.CharField("县（市、区）代码", max_length=12)
    kind = models.CharField("报告类型", max_length=12)  # midterm | final | dec20 | custom
    start = models.DateField("起始月份")  # the 1st of the month
    end = models.DateField("结束月份")
    texts = models.JSONField("各部分正文", default=dict)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="保存人")
    updated_at = models.DateTimeField("保存时间")

    class Meta:
        verbose_name = verbose_name_plural = "试点评估报告草稿"
        constraints = [models.UniqueConstraint(fields=["region", "kind", "start", "end"], name="pilot_report_draft_unique")]
