"""Monthly statistics facts (月度统计): a small aggregate table, one row per month × township ×
program × metric × category, recomputed from the raw data by ``services.stats_compute`` (never
counted by hand). Counts are whole numbers, money in yuan (two decimals), shares and working days
in tenths."""

from __future__ import annotations

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
