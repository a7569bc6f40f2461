from django.contrib.auth.models import AbstractUser
from django.db import models

from .roles import Role


class User(AbstractUser):
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, null=True)
    display_name = models.CharField("姓名", max_length=50, blank=True)
    post = models.CharField("职务", max_length=50, blank=True)
    # 驻村干部: the 年审 plan 三(2)三 wants one of the ≥ 2 household-survey investigators to be one.
    resident_cadre = models.BooleanField("驻村干部", default=False, db_default=False)
    failed_logins = models.PositiveSmallIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""

    @property
    def staff_label(self) -> str:
        """What timelines and documents print for a member of staff: full name and post
        (``张丽（千岛湖镇社会事务办经办人）``); the role stands in for a missing post, the
        username for a missing name."""
        post = self.post or self.role_label
        name = self.display_name or self.username
        return f"{name}（{post}）" if post else name


class ApiToken(models.Model):
    """Per-user API token; only its SM3 hash is stored. Shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=100, blank=True)
    prefix = models.CharField("前缀", max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"


class ThrottleHit(models.Model):
    """One failed attempt counted against a throttle key (SM3 of ``kind:value``: a user name or a client
    address, never stored in clear). Rows older than the window are deleted as new ones come in."""

    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "限流记录"
        indexes = [models.Index(fields=["key", "at"], name="throttle_key_at")]
