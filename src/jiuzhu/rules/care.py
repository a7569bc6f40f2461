"""特困人员监护照护: civil capacity, self-care assessment, guardian class and visit dates
(national-rules §14 R-GRD-01…05, §10 R-TK-14; the seed 特困人员监护照护试点工作方案).

Civil capacity (民事行为能力: can the person understand their own acts) and self-care ability
(生活自理能力: the 6 ADLs, which set the care fee) are different facts and are kept apart: a person
with a physical disability may lack self-care and keep full capacity; a person with a mental
disability may look after themselves and still need a guardian.

Pure: no Django, no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .errors import ValidationFailed
from .rounding import round_yuan
from .tekun import care_level
from .terms import Terms

CAPACITY = {"full": "完全民事行为能力", "limited": "限制民事行为能力", "none": "无民事行为能力"}
CAPACITY_BASIS = {"disability": "智力或精神残疾等级", "court": "人民法院判决", "assessment": "评估（鉴定）意见"}
NEEDS_GUARDIAN = ("limited", "none")

ADLS = {"eating": "进食", "dressing": "穿衣", "transfer": "上下床", "toileting": "如厕", "walking": "室内行走",
        "bathing": "洗澡"}  # R-TK-14, in the order of S3 art.21
ASSESSORS = {"medical": "医疗机构", "third_party": "县级委托的第三方机构"}
# R-TK-14 tiers and the seed's names for them (全自理 = 具备, 半失能 = 部分丧失, 失能 = 完全丧失)
CARE_CLASSES = {"self_care": "全自理", "partial": "半失能", "full": "失能"}
PLACEMENTS = {"dispersed": "分散供养", "centralized": "集中供养"}
INSTITUTION_KINDS = {"elder_home": "敬老院（供养服务机构）", "mental_health": "精神卫生机构", "other": "其他机构"}

GUARDIAN_CLASSES = {"I": "Ⅰ类（法定近亲属）", "II": "Ⅱ类（愿意担任的个人或组织）", "III": "Ⅲ类（村(居)委会或镇街民政）"}
# Civil Code art.28: spouse → parents and children → other near relatives (order 1, 2, 3)
RELATIVES = {"spouse": ("配偶", 1), "parent": ("父母", 2), "child": ("子女", 2), "sibling": ("兄弟姐妹", 3),
             "grandparent": ("祖父母、外祖父母", 3), "grandchild": ("孙子女、外孙子女", 3)}
GUARDIAN_KINDS = {**{k: v[0] for k, v in RELATIVES.items()}, "person": "其他愿意担任的个人",
                  "organisation": "愿意担任的组织", "village_committee": "村(居)民委员会",
                  "civil_affairs": "镇街民政部门"}
# 摸底排查 (seed 二(一)): why capacity is lacking, and how the person lives
CAPACITY_CAUSES = {"intellectual": "智力障碍", "mental": "精神障碍", "illness": "其他疾病", "none": "无"}
LIVING = {"alone": "独居", "with_family": "与亲属共同生活", "with_others": "寄居亲友或他人家", "institution": "在供养机构"}
CONSENT_BY = {"village_committee": "村(居)民委员会", "civil_affairs": "民政部门"}

FINDINGS = {"food": "饮食", "housing": "住房", "health": "身体健康", "hygiene": "个人及居室卫生", "safety": "安全",
            "caregiver": "照料人履责"}
FINDING_LEVELS = {"good": "良好", "attention": "需关注", "problem": "存在问题"}

DEFAULT_VISIT_INTERVAL_DAYS = 30  # R-GRD-05 [LOCAL]: the seed's monthly visit
MAX_VISIT_INTERVAL_DAYS = 31  # "at least monthly": a region may visit more often, not less
DEFAULT_ASSESSMENT_MONTHS = 12  # R-TK-17: yearly re-check


def check_capacity(capacity: str, basis: str, detail: str, *, disability_kind: str, disability_grade: int) -> None:
    """A capacity other than full needs its basis (R-GRD-01 applies to persons lacking capacity):
    a disability grade must be an intellectual or mental disability on record; a court decision or
    an assessment names its document."""
    if capacity not in CAPACITY:
        raise ValidationFailed("care.capacity", f"民事行为能力无效，可选：{'、'.join(CAPACITY.values())}", field="capacity")
    if capacity == "full":
        return
    if basis not in CAPACITY_BASIS:
        raise ValidationFailed("care.capacity_basis", f"{CAPACITY[capacity]}须注明认定依据：{'、'.join(CAPACITY_BASIS.values())}",
                               field="capacity_basis")
    if basis == "disability":
        if disability_kind not in ("intellectual", "mental", "multiple") or not disability_grade:
            raise ValidationFailed("care.capacity_basis",
                                   "户籍登记中该人员没有智力或精神残疾等级，不能以残疾等级作为认定依据；"
                                   "请改选法院判决或评估意见，或先更正残疾信息", field="capacity_basis")
    elif not detail.strip():
        raise ValidationFailed("care.capacity_detail", f"请填写{CAPACITY_BASIS[basis]}的文书名称和编号",
                               field="capacity_detail")


def care_class(failed: Iterable[str], terms: Terms) -> str:
    """The care-fee class from the ADLs not achieved (R-TK-14): self_care / partial / full."""
    items = list(failed)
    unknown = [a for a in items if a not in ADLS]
    if unknown:
        raise ValidationFailed("care.adl", f"未知的日常生活活动项目：{'、'.join(unknown)}", field="adl")
    return care_level(len(set(items)), terms)[0]


def tekun_monthly_amount(klass: str, terms: Terms) -> Decimal:
    """The month's support for a care class (R-TK-13 basic + R-TK-14 care), as evaluate_tekun computes it."""
    if terms.tekun_basic_standard is not None:
        basic = round_yuan(terms.tekun_basic_standard)
    else:
        basic = round_yuan(terms.tekun_basic_multiplier * terms.standard)
    ratio = {"self_care": terms.care_ratio_self_care, "partial": terms.care_ratio_partial,
             "full": terms.care_ratio_full}[klass]
    return basic + round_yuan(ratio * terms.standard)


def add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(d.day, last))


def check_assessment(assessed_on: date, today: date, assessor: str, assessor_name: str) -> None:
    if assessor not in ASSESSORS:
        raise ValidationFailed("care.assessor", f"评估主体无效，可选：{'、'.join(ASSESSORS.values())}", field="assessor")
    if not assessor_name.strip():
        raise ValidationFailed("care.assessor_name", "请填写评估机构名称", field="assessor_name")
    if assessed_on > today:
        raise ValidationFailed("care.assessed_on", f"评估日期 {assessed_on.isoformat()} 晚于今天，不能登记",
                               field="assessed_on")


@dataclass(frozen=True)
class Relative:
    relation: str  # a RELATIVES key
    name: str
    able: bool  # willing and able to act as guardian


def expected_guardian_class(relatives: Iterable[Relative], willing_other: bool) -> str:
    """R-GRD-01 / seed 二(二): Ⅰ if an able near relative exists, else Ⅱ if a willing person or
    organisation (with consent), else Ⅲ."""
    if any(r.able for r in relatives):
        return "I"
    return "II" if willing_other else "III"


def check_guardian(*, guardian_class: str, guardian_kind: str, relatives: list[Relative], consent_by: str,
                   committee_capable: bool) -> None:
    """Refuse a guardian class that does not follow from the persons recorded (R-GRD-01), naming why."""
    if guardian_class not in GUARDIAN_CLASSES:
        raise ValidationFailed("care.guardian_class", "监护类别无效，可选：Ⅰ类、Ⅱ类、Ⅲ类", field="guardian_class")
    if guardian_kind not in GUARDIAN_KINDS:
        raise ValidationFailed("care.guardian_kind", "监护人身份无效", field="guardian_kind")
    for r in relatives:
        if r.relation not in RELATIVES:
            raise ValidationFailed("care.relatives", f"近亲属关系无效：{r.relation}", field="relatives")
    able = [r for r in relatives if r.able]
    willing_other = guardian_kind in ("person", "organisation")
    expected = expected_guardian_class(relatives, willing_other)
    if guardian_class == "I":
        if guardian_kind not in RELATIVES:
            raise ValidationFailed("care.guardian_class", "Ⅰ类监护人须为法定近亲属（配偶、父母、子女、兄弟姐妹、"
                                   "祖父母、外祖父母、孙子女、外孙子女）", field="guardian_kind")
        if not any(r.relation == guardian_kind for r in able):
            raise ValidationFailed("care.guardian_class", f"近亲属名单中没有能够担任监护人的{GUARDIAN_KINDS[guardian_kind]}，"
                                   "不能登记为Ⅰ类监护", field="guardian_kind")
        first = min(RELATIVES[r.relation][1] for r in able)
        if RELATIVES[guardian_kind][1] > first:
            ahead = "、".join(f"{RELATIVES[r.relation][0]}{r.name}" for r in able if RELATIVES[r.relation][1] == first)
            raise ValidationFailed("care.guardian_order", f"按民法典第二十八条的顺序，应由{ahead}担任监护人；"
                                   "如其不能履行监护职责，请在近亲属名单中注明“不能担任”", field="guardian_kind")
        return
    if able:
        names = "、".join(f"{RELATIVES[r.relation][0]}{r.name}" for r in able)
        raise ValidationFailed("care.guardian_class", f"有能够担任监护人的法定近亲属（{names}），应确定为Ⅰ类监护",
                               field="guardian_class")
    if guardian_class == "II":
        if not willing_other:
            raise ValidationFailed("care.guardian_class", "Ⅱ类监护人须为愿意担任监护人的个人或组织", field="guardian_kind")
        if consent_by not in CONSENT_BY:
            raise ValidationFailed("care.consent_by", "Ⅱ类监护须经住所地村(居)民委员会或民政部门同意，请注明同意单位",
                                   field="consent_by")
        return
    if expected == "II":
        raise ValidationFailed("care.guardian_class", "有愿意担任监护人的个人或组织，应确定为Ⅱ类监护", field="guardian_class")
    if guardian_kind not in ("village_committee", "civil_affairs"):
        raise ValidationFailed("care.guardian_class", "Ⅲ类监护人须为村(居)民委员会或镇街民政部门", field="guardian_kind")
    if guardian_kind == "civil_affairs" and committee_capable:
        raise ValidationFailed("care.guardian_class", "村(居)民委员会具备履行监护职责条件的，由村(居)民委员会担任Ⅲ类监护人；"
                               "只有其不具备条件时才由镇街民政部门担任", field="guardian_kind")


def check_placement(placement: str, *, institution_kind: str, institution: str, caregiver: str,
                    has_guardian: bool, guardian_consent: bool) -> None:
    """Seed 二(三): 集中供养 in a named institution — a 精神卫生机构 for those unsuited to an elder-care
    home, with the guardian's consent; 分散供养 with a named entrusted caregiver (R-GRD-04, R-GRD-05
    [LOCAL-EX] "name an entrusted caregiver")."""
    if placement == "centralized":
        if institution_kind not in INSTITUTION_KINDS:
            raise ValidationFailed("care.institution_kind", "集中供养须选择供养机构类型", field="institution_kind")
        if not institution.strip():
            raise ValidationFailed("care.institution", "集中供养须填写供养机构名称", field="institution")
        if institution_kind == "mental_health" and not has_guardian:
            raise ValidationFailed("care.guardian_consent", "入住精神卫生机构须经监护人同意：该人员尚未确定监护人，"
                                   "请先确定监护人", field="guardian_consent")
        if institution_kind == "mental_health" and not guardian_consent:
            raise ValidationFailed("care.guardian_consent", "入住精神卫生机构须经监护人同意，请确认已取得监护人同意",
                                   field="guardian_consent")
    elif placement == "dispersed":
        if not caregiver.strip():
            raise ValidationFailed("care.caregiver", "分散供养须明确委托照料人（平日有人照应、生病有人看护）",
                                   field="caregiver")
    else:
        raise ValidationFailed("care.placement", "供养方式无效，可选：分散供养、集中供养", field="placement")


def check_visit_date(visited_on: date, *, today: date, start_month: date, stopped_month: date | None) -> None:
    """A visit is dated on or before today and within the person's enrollment (from its first month
    to the month before it stopped)."""
    if visited_on > today:
        raise ValidationFailed("care.visited_on", f"探访日期 {visited_on.isoformat()} 晚于今天，不能登记",
                               field="visited_on")
    if visited_on < start_month:
        raise ValidationFailed("care.visited_on", f"探访日期早于该人员纳入特困供养的月份（{start_month:%Y年%m月}），不能登记",
                               field="visited_on")
    if stopped_month is not None and visited_on >= stopped_month:
        raise ValidationFailed("care.visited_on", f"该人员自 {stopped_month:%Y年%m月} 起已停止供养，探访日期不在供养期内",
                               field="visited_on")


def visit_interval(value: int | None) -> int:
    """The region's visit interval in days, at least monthly (seed 三(三); R-GRD-05)."""
    if value is None:
        return DEFAULT_VISIT_INTERVAL_DAYS
    return max(1, min(int(value), MAX_VISIT_INTERVAL_DAYS))


def next_visit_due(last_visit: date | None, start_month: date, interval_days: int) -> date:
    """The date by which the next visit is due: the interval after the last visit, or after the
    enrollment began for a person never visited."""
    return (last_visit or start_month) + timedelta(days=interval_days)


def completion_rate(done: int, due: int) -> str:
    return "—" if not due else f"{100 * done / due:.1f}%"


def check_survey(*, capacity: str, capacity_cause: str, care_wish: str, institution_kind: str) -> None:
    """A 摸底台账 line (seed 二(一)): capacity lacking names its cause (智力障碍、精神障碍或其他疾病);
    a wish for 集中供养 names the kind of institution (敬老院, or a 精神卫生机构 for those unsuited to
    an elder-care home); a wish for 分散供养 names none."""
    if capacity in NEEDS_GUARDIAN and capacity_cause not in ("intellectual", "mental", "illness"):
        raise ValidationFailed("care.capacity_cause", f"{CAPACITY[capacity]}须注明原因：智力障碍、精神障碍或其他疾病",
                               field="capacity_cause")
    if care_wish == "centralized" and institution_kind not in INSTITUTION_KINDS:
        raise ValidationFailed("care.institution_kind", "选择集中供养的，请注明意向机构类型", field="institution_kind")
    if care_wish == "dispersed" and institution_kind:
        raise ValidationFailed("care.institution_kind", "选择分散供养的，不填意向机构类型", field="institution_kind")
