from django.db import models

from .codes import LEVELS, in_subtree, subtree_range


class Region(models.Model):
    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("层级", choices=sorted(LEVELS.items()))
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    full_name = models.CharField("全称", max_length=400, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    @property
    def level_label(self) -> str:
        return LEVELS[self.level]

    def subtree_range(self) -> tuple[str, str]:
        return subtree_range(self.code)

    def contains(self, code: str) -> bool:
        return in_subtree(code, self.code)
