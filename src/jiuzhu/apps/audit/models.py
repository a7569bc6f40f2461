from django.db import models

GENESIS = "0" * 64


class AuditEvent(models.Model):
    """Append-only, hash-chained. Database triggers refuse UPDATE and DELETE.

    The log is a set of chains, one per township (``chain``: the first 9 digits of the event's
    region code; "" for events without a region, such as logins and system jobs). ``seq`` counts
    within the chain. Actions in different townships therefore never wait for each other's chain
    head, and each township's history can be verified on its own."""

    chain = models.CharField("哈希链", max_length=12, blank=True, default="")
    seq = models.BigIntegerField("序号")
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
    # The audit key (key file, outside the database) whose HMAC-SM3 is ``hash``; "" for events written
    # before the keyed chain (plain SM3).
    key_id = models.CharField("审计密钥编号", max_length=16, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "审计事件"
        ordering = ["id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_chain_seq")]


class AuditChain(models.Model):
    """One row per chain, holding its head; updating it first serializes that chain's writers.
    Database triggers let the head only move forward: no DELETE, ``seq`` never decreases."""

    chain = models.CharField(primary_key=True, max_length=12)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)
