from django.db import models
from django.db.models import Q

from .choices import (
    AreaType,
    DisabilityKind,
    Employment,
    Health,
    MoveReason,
    ObligorRelation,
    Relation,
    Sex,
)


class Person(models.Model):
    """A natural person. ID number and phone are encrypted (SM4-GCM) with an HMAC-SM3 blind index."""

    name = models.CharField("姓名", max_length=50)
    id_number_enc = models.TextField("身份证号(密文)")
    id_number_bidx = models.CharField("身份证号索引", max_length=64, unique=True)
    id_number_masked = models.CharField("身份证号", max_length=18)
    birth_date = models.DateField("出生日期")
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    phone_enc = models.TextField("联系电话(密文)", blank=True)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True)
    hukou_region = models.ForeignKey("regions.Region", verbose_name="户籍地", on_delete=models.PROTECT,
                                     related_name="+", null=True)
    disability_kind = models.CharField("残疾类别", max_length=16, choices=DisabilityKind.choices, default="none")
    disability_grade = models.PositiveSmallIntegerField("残疾等级", default=0)
    health = models.CharField("健康状况", max_length=16, choices=Health.choices, default="healthy")
    employment = models.CharField("就业状况", max_length=24, choices=Employment.choices, blank=True)
    # Declared monthly income by kind (R-INC-02), yuan; verified values come from verification later.
    wage = models.DecimalField("工资性收入(元/月)", max_digits=14, decimal_places=2, default=0)
    business = models.DecimalField("经营净收入(元/月)", max_digits=14, decimal_places=2, default=0)
    property_income = models.DecimalField("财产净收入(元/月)", max_digits=14, decimal_places=2, default=0)
    transfer = models.DecimalField("转移净收入(元/月)", max_digits=14, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "人员"
        indexes = [models.Index(fields=["name"], name="person_name_idx", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return self.name


class Household(models.Model):
    """A household (共同生活家庭, R-HH-02). Scoped by ``region`` = hukou village (R-HH-01)."""

    region = models.ForeignKey("regions.Region", verbose_name="户籍所在村(居)", on_delete=models.PROTECT,
                               related_name="+")
    residence_region = models.ForeignKey("regions.Region", verbose_name="居住地村(居)", on_delete=models.PROTECT,
                                         related_name="+")
    area_type = models.CharField("城乡类别", max_length=8, choices=AreaType.choices)
    address = models.CharField("居住地址", max_length=200, blank=True)
    head = models.ForeignKey(Person, verbose_name="户主", on_delete=models.PROTECT, null=True, related_name="+")
    head_name = models.CharField("户主姓名", max_length=50, blank=True)
    member_count = models.PositiveSmallIntegerField("共同生活人数", default=0)
    bank_account_enc = models.TextField("银行账号(密文)", blank=True)
    bank_account_masked = models.CharField("银行账号", max_length=40, blank=True)
    bank_name = models.CharField("开户行", max_length=100, blank=True)
    # Declared assets (R-AST): deposits and securities, vehicles, housing, registered business capital.
    financial_assets = models.DecimalField("金融资产(元)", max_digits=14, decimal_places=2, default=0)
    vehicle_count = models.PositiveSmallIntegerField("机动车数(汽车)", default=0)
    max_vehicle_value = models.DecimalField("最高车辆价值(元)", max_digits=14, decimal_places=2, default=0)
    residential_properties = models.PositiveSmallIntegerField("住房套数", default=0)
    business_capital = models.DecimalField("市场主体注册资本(元)", max_digits=14, decimal_places=2, default=0)
    # 临时登记: a one-person record made for an emergency (R-TA-04), not a registered household; left out of
    # household lists and registry statistics until merged into a real household (apps/registry/minimal.py).
    minimal = models.BooleanField("临时登记", default=False, db_default=False)  # raw bulk inserts omit it
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "家庭"
        indexes = [models.Index(fields=["region", "id"], name="household_region_id_idx")]

    def __str__(self):
        return f"{self.head_name or '—'}户（{self.number}）"

    @property
    def number(self) -> str:
        return f"H{self.pk:08d}" if self.pk else ""

    @property
    def separated(self) -> bool:
        """人户分离: hukou and residence differ."""
        return self.region_id != self.residence_region_id


class Membership(models.Model):
    """A person's membership of a household over time; at most one open membership per person."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    relation = models.CharField("与户主关系", max_length=16, choices=Relation.choices)
    co_resident = models.BooleanField("共同生活", default=True)
    start_date = models.DateField("加入日期")
    end_date = models.DateField("离开日期", null=True, blank=True)
    end_reason = models.CharField("离开原因", max_length=16, choices=MoveReason.choices, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "家庭成员关系"
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(end_date__isnull=True), name="one_open_membership"),
        ]
        indexes = [models.Index(fields=["household", "end_date"], name="membership_household_idx")]

    @property
    def active(self) -> bool:
        return self.end_date is None


class Obligor(models.Model):
    """A legal support obligor outside the household (法定赡养/抚养/扶养义务人, R-HH-10)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="obligors")
    supported = models.ForeignKey(Person, verbose_name="被赡(抚、扶)养人", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=50)
    relation = models.CharField("与被赡养人关系", max_length=16, choices=ObligorRelation.choices)
    id_number_enc = models.TextField("身份证号(密文)", blank=True)
    id_number_masked = models.CharField("身份证号", max_length=18, blank=True)
    monthly_income = models.DecimalField("月收入(元)", max_digits=14, decimal_places=2, null=True, blank=True)
    household_size = models.PositiveSmallIntegerField("其家庭人数", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "赡(抚、扶)养义务人"
