"""低保证 / 特困证 (seed 审核确认权下放 plan 二(二)5): one certificate per enrollment, numbered at approval;
its issue history (issued, reissued when the amount or class changes — same number —, revoked at a stop)."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models


class CertificateSequence(models.Model):
    """The last sequence used per number prefix (program + region part + year); incremented under a row lock."""

    prefix = models.CharField(max_length=20, unique=True)
    last = models.PositiveIntegerField(default=0)


class Certificate(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", "有效"
        REVOKED = "revoked", "已注销"

    enrollment = models.OneToOneField("enrollment.Enrollment", on_delete=models.PROTECT, related_name="certificate")
    program = models.CharField("项目", max_length=8)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("证号", max_length=24, unique=True)
    holder_name = models.CharField("持证人", max_length=50)
    issued_on = models.DateField("发证日期")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.VALID)
    revoked_on = models.DateField("注销日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "低保证/特困证"
        indexes = [models.Index(fields=["region", "program", "status"], name="certificate_region_idx")]


class CertificateIssue(models.Model):
    """One line of a certificate's history: what was printed on it, when and why."""

    class Kind(models.TextChoices):
        ISSUE = "issue", "发证"
        REISSUE = "reissue", "换发"
        REVOKE = "revoke", "注销"

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="issues")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    on = models.DateField("日期")
    klass = models.CharField("分类", max_length=2, blank=True)
    amount = models.DecimalField("月保障金(元)", max_digits=14, decimal_places=2)
    persons = models.PositiveSmallIntegerField("保障人数")
    reason = models.CharField("原因", max_length=300)
    change = models.ForeignKey("enrollment.EnrollmentChange", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    actor = models.ForeignKey(django_settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["certificate_id", "id"]
