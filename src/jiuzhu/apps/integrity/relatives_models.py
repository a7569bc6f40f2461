"""The register of staff near relatives (干部近亲属备案, R-HH-09 / R-WF-03): one row per relative a member
of staff (村(居)委会, township or county) declares, or the county imports. The ID number is sealed like a
registry person's (SM4 ciphertext, HMAC-SM3 blind index, mask): matching joins the blind index columns
only, never the plaintext."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models
from django.db.models import Q

# R-HH-09: spouse, parents, children, siblings, paternal/maternal grandparents and grandchildren; and the
# member of staff themselves (年审方案: 干部“对本人及近亲属享受低保情况进行登记备案”)
RELATIONS = {
    "self": "本人",
    "spouse": "配偶",
    "parent": "父母",
    "child": "子女",
    "sibling": "兄弟姐妹",
    "grandparent": "祖父母、外祖父母",
    "grandchild": "孙子女、外孙子女",
}


class StaffRelative(models.Model):
    class Source(models.TextChoices):
        DECLARED = "declared", "本人登记"
        IMPORTED = "imported", "县级导入"

    staff = models.ForeignKey(django_settings.AUTH_USER_MODEL, verbose_name="工作人员", on_delete=models.PROTECT,
                              related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="工作人员所属区划", on_delete=models.PROTECT,
                               related_name="+")
    name = models.CharField("近亲属姓名", max_length=50)
    relation = models.CharField("关系", max_length=16, choices=list(RELATIONS.items()))
    id_number_enc = models.TextField("身份证号(密文)")
    id_number_bidx = models.CharField("身份证号索引", max_length=64)
    id_number_masked = models.CharField("身份证号", max_length=18)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.DECLARED)
    created_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("登记时间")
    removed_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    removed_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作人员近亲属"
        ordering = ["region_id", "staff_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "id_number_bidx"], condition=Q(removed_at__isnull=True),
                                    name="staff_relative_once"),
        ]
        indexes = [models.Index(fields=["id_number_bidx"], name="staff_relative_bidx"),
                   models.Index(fields=["region", "id"], name="staff_relative_region")]

    def __str__(self):
        return f"{self.name}（{self.get_relation_display()}）"
