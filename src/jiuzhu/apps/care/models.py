"""特困人员监护照护 (issue 16): per enrolled tekun person a care profile (civil capacity and the latest
self-care class, kept apart), self-care assessments, guardianships with their agreement, and the
monthly visits (探视巡访) with photos. The enrollment stays the record of support; this app only
reads it and changes its amount through ``enrollment.services.change_apply``."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from jiuzhu.rules.care import (
    ASSESSORS,
    CAPACITY,
    CAPACITY_BASIS,
    CAPACITY_CAUSES,
    CARE_CLASSES,
    CONSENT_BY,
    GUARDIAN_CLASSES,
    GUARDIAN_KINDS,
    INSTITUTION_KINDS,
    LIVING,
    PLACEMENTS,
)
from jiuzhu.rules.care_supervision import CHECK_METHODS, CHECK_RESULTS, GRADES, RESPONDENTS, SUBJECT_KINDS


class CareProfile(models.Model):
    enrollment = models.OneToOneField("enrollment.Enrollment", on_delete=models.PROTECT, related_name="care")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="村(居)", on_delete=models.PROTECT, related_name="+")
    placement = models.CharField("供养方式", max_length=12, choices=list(PLACEMENTS.items()), default="dispersed")
    capacity = models.CharField("民事行为能力", max_length=8, choices=list(CAPACITY.items()), blank=True)
    capacity_basis = models.CharField("认定依据", max_length=12, choices=list(CAPACITY_BASIS.items()), blank=True)
    capacity_detail = models.CharField("依据文书", max_length=200, blank=True)
    capacity_on = models.DateField("认定日期", null=True, blank=True)
    institution_kind = models.CharField("机构类型", max_length=16, choices=list(INSTITUTION_KINDS.items()), blank=True)
    institution = models.CharField("供养机构", max_length=100, blank=True)
    caregiver = models.CharField("委托照料人", max_length=100, blank=True)
    caregiver_phone = models.CharField("照料人电话", max_length=20, blank=True)
    care_fee = models.DecimalField("照料服务费(元/月)", max_digits=10, decimal_places=2, null=True, blank=True)
    caregiver_duties = models.TextField("照料职责", blank=True)
    placement_since = models.DateField("供养方式起始", null=True, blank=True)
    placement_review_on = models.DateField("委托照料协议复核日期", null=True, blank=True)
    consent_guardian = models.CharField("同意入住的监护人", max_length=100, blank=True)
    entrusted_signed_path = models.CharField("签字委托照料协议扫描件", max_length=300, blank=True)
    entrusted_signed_sha256 = models.CharField(max_length=64, blank=True)
    entrusted_signed_type = models.CharField(max_length=40, blank=True)
    care_class = models.CharField("照料护理等级", max_length=10, choices=list(CARE_CLASSES.items()), blank=True)
    assessed_on = models.DateField("最近评估日期", null=True, blank=True)
    next_assessment = models.DateField("下次评估", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "监护照护档案"
        indexes = [models.Index(fields=["region", "placement"], name="care_profile_region_idx"),
                   models.Index(fields=["institution"], name="care_profile_institution_idx")]


class Assessment(models.Model):
    """A self-care assessment (生活自理能力评估, R-TK-14): the ADLs not achieved set the care class."""

    profile = models.ForeignKey(CareProfile, on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField("评估日期")
    assessor = models.CharField("评估主体", max_length=12, choices=list(ASSESSORS.items()))
    assessor_name = models.CharField("评估机构", max_length=100)
    adl_failed = models.JSONField("不能完成的项目", default=list)
    care_class = models.CharField("照料护理等级", max_length=10, choices=list(CARE_CLASSES.items()))
    next_due = models.DateField("下次评估")
    change = models.ForeignKey("enrollment.EnrollmentChange", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "生活自理能力评估"


class Guardianship(models.Model):
    """A guardian (R-GRD-01) and the 监护照料协议; ``temporary`` is temporary care (民法典第三十四条)."""

    profile = models.ForeignKey(CareProfile, on_delete=models.PROTECT, related_name="guardianships")
    guardian_class = models.CharField("监护类别", max_length=4, choices=list(GUARDIAN_CLASSES.items()))
    guardian_kind = models.CharField("监护人身份", max_length=20, choices=list(GUARDIAN_KINDS.items()))
    guardian_name = models.CharField("监护人", max_length=100)
    guardian_phone = models.CharField("联系电话", max_length=20, blank=True)
    relatives = models.JSONField("近亲属情况", default=list)
    consent_by = models.CharField("同意单位", max_length=20, choices=list(CONSENT_BY.items()), blank=True)
    committee_capable = models.BooleanField("村(居)委会具备履职条件", default=True)
    duties = models.TextField("监护职责")
    start = models.DateField("开始日期")
    review_on = models.DateField("复核日期")
    temporary = models.BooleanField("临时生活照料", default=False)
    ended_on = models.DateField("终止日期", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=200, blank=True)
    signed_path = models.CharField("签字协议扫描件", max_length=300, blank=True)
    signed_sha256 = models.CharField(max_length=64, blank=True)
    signed_type = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "监护关系"
        constraints = [models.UniqueConstraint(fields=["profile", "temporary"], condition=Q(ended_on__isnull=True),
                                               name="care_one_current_guardian")]


class Visit(models.Model):
    """A 探视巡访 of a dispersed person: findings by area, needs, and the referral they became."""

    profile = models.ForeignKey(CareProfile, on_delete=models.PROTECT, related_name="visits")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField("探访日期")
    visitor = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    visitor_name = models.CharField("探访人", max_length=100)
    findings = models.JSONField("探访情况", default=dict)
    notes = models.TextField("情况说明", blank=True)
    needs = models.TextField("需求", blank=True)
    alert = models.ForeignKey("monitoring.Alert", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "探视巡访"
        indexes = [models.Index(fields=["profile", "-visited_on"], name="care_visit_profile_idx"),
                   models.Index(fields=["region", "visited_on"], name="care_visit_region_idx")]


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="photos")
    path = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()


class VisitCheck(models.Model):
    """A county spot check (督导抽查) of a recorded visit: by phone or on site, with its result."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="checks")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    checked_on = models.DateField("抽查日期")
    method = models.CharField("抽查方式", max_length=10, choices=list(CHECK_METHODS.items()))
    result = models.CharField("抽查结果", max_length=12, choices=list(CHECK_RESULTS.items()))
    note = models.TextField("情况说明", blank=True)
    checker = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "探访抽查"
        indexes = [models.Index(fields=["region", "checked_on"], name="care_check_region_idx")]


class SatisfactionSurvey(models.Model):
    """A satisfaction survey (满意度调查) of a person or their guardian: a score 1–5 per item."""

    profile = models.ForeignKey(CareProfile, on_delete=models.PROTECT, related_name="satisfactions")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    surveyed_on = models.DateField("调查日期")
    respondent = models.CharField("受访人", max_length=10, choices=list(RESPONDENTS.items()))
    scores = models.JSONField("评分", default=dict)
    overall = models.PositiveSmallIntegerField("总体评价")
    comment = models.TextField("意见建议", blank=True)
    surveyor = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "满意度调查"
        indexes = [models.Index(fields=["region", "surveyed_on"], name="care_survey_region_idx")]
        constraints = [models.CheckConstraint(condition=Q(overall__gte=1, overall__lte=5), name="care_survey_overall_1_5")]


class Evaluation(models.Model):
    """The quarterly evaluation (绩效评估) of a caregiver or an institution in a township, with the figures
    of the quarter it was based on."""

    region = models.ForeignKey("regions.Region", verbose_name="乡镇(街道)", on_delete=models.PROTECT, related_name="+")
    quarter = models.DateField("季度（首日）")
    subject_kind = models.CharField("评估对象类型", max_length=12, choices=list(SUBJECT_KINDS.items()))
    subject = models.CharField("评估对象", max_length=100)
    score = models.PositiveSmallIntegerField("评分")
    grade = models.CharField("等级", max_length=10, choices=list(GRADES.items()))
    figures = models.JSONField("本季度情况", default=dict)
    note = models.TextField("评估意见", blank=True)
    evaluator = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "照料服务季度评估"
        constraints = [models.UniqueConstraint(fields=["region", "quarter", "subject_kind", "subject"],
                                               name="care_one_evaluation_per_quarter"),
                       models.CheckConstraint(condition=Q(score__lte=100), name="care_evaluation_score_100")]


class VisitUrge(models.Model):
    """The county's 督办 of a township's missed visits: how many were overdue, by when to catch up."""

    region = models.ForeignKey("regions.Region", verbose_name="乡镇(街道)", on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField("督办日期")
    overdue = models.PositiveIntegerField("督办时未按期探访人数")
    due = models.DateField("完成期限")
    note = models.TextField("督办意见", blank=True)
    issued_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "探访督办"
        indexes = [models.Index(fields=["region", "-issued_on"], name="care_urge_region_idx")]
class SurveyCampaign(models.Model):
    """摸底排查 (seed 二(一)): one per township (or county) and year; an item for every enrolled tekun person."""

    class Status(models.TextChoices):
        RUNNING = "running", "进行中"
        CLOSED = "closed", "已结束"

    region = models.ForeignKey("regions.Region", verbose_name="排查区划", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.RUNNING)
    due = models.DateField("完成期限")
    items_created = models.PositiveIntegerField("排查人数", default=0)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField("启动时间")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "特困人员摸底排查"
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="care_one_survey_per_region_year")]


class SurveyItem(models.Model):
    """One person's line in the 摸底台账: the visit, capacity, living situation, care wishes, caregiver."""

    campaign = models.ForeignKey(SurveyCampaign, on_delete=models.PROTECT, related_name="items")
    enrollment = models.ForeignKey("enrollment.Enrollment", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="村(居)", on_delete=models.PROTECT, related_name="+")
    done = models.BooleanField("已排查", default=False)
    visited_on = models.DateField("走访日期", null=True, blank=True)
    visitor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    visitor_name = models.CharField("走访人", max_length=100, blank=True)
    capacity = models.CharField("民事行为能力", max_length=8, choices=list(CAPACITY.items()), blank=True)
    capacity_cause = models.CharField("原因", max_length=12, choices=list(CAPACITY_CAUSES.items()), blank=True)
    living = models.CharField("居住情况", max_length=16, choices=list(LIVING.items()), blank=True)
    care_wish = models.CharField("照料护理意愿", max_length=12, choices=list(PLACEMENTS.items()), blank=True)
    institution_kind = models.CharField("意向机构类型", max_length=16, choices=list(INSTITUTION_KINDS.items()),
                                        blank=True)
    caregiver = models.CharField("现照料人", max_length=100, blank=True)
    caregiver_phone = models.CharField("照料人电话", max_length=20, blank=True)
    notes = models.TextField("备注", blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "摸底台账"
        constraints = [models.UniqueConstraint(fields=["campaign", "enrollment"], name="care_survey_one_per_person")]
        indexes = [models.Index(fields=["campaign", "region", "done"], name="care_survey_progress_idx")]
