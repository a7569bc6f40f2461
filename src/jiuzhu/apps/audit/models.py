from django.db import models


class AuditEvent(models.Model):
    """Append-only, hash-chained. Database triggers refuse UPDATE and DELETE."""

    seq = models.BigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间")
    actor_id = models.BigIntegerField("操作人ID", null=True)
    actor_name = models.CharField("操作人", max_length=150)
    role = models.CharField("角色", max_length=40, blank=True)
    region_code = models.CharField("区划", max_length=12, blank=True, db_index=True)
    action = models.CharField("操作", max_length=80, db_index=True)
    subject_type = models.CharField("对象类型", max_length=40)
    subject_id = models.CharField("对象", max_length=64)
    before_digest = models.CharField("变更前摘要", max_length=64, blank=True)
    after_digest = models.CharField("变更后摘要", max_length=64, blank=True)
    details = models.JSONField("说明", default=dict, blank=True)
    reason = models.CharField("理由", max_length=500, blank=True)
    prev_hash = models.CharField("前一事件哈希", max_length=64)
    hash = models.CharField("哈希(SM3)", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "审计事件"
        ordering = ["seq"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]


class AuditHead(models.Model):
    """Single row holding the chain head; updating it first serializes writers on every database."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
