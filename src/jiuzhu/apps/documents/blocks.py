"""Building blocks of the document contexts (see ``contexts``): plain values, validated on construction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from jiuzhu.rules.errors import ValidationFailed

PROGRAM_LABELS = {"dibao": "最低生活保障", "tekun": "特困人员救助供养", "lowinc": "低收入和支出型贫困家庭认定",
                  "temporary": "临时救助"}
PROGRAM_SHORT = {"dibao": "最低生活保障", "tekun": "特困供养", "temporary": "临时救助"}

# 行政复议法（2023年修订）第二十条、第二十四条；行政诉讼法第四十六条、第十八条.
REMEDY_TEXT = (
    "如对本决定不服，可以自收到{document}之日起六十日内向{reconsideration_body}申请行政复议；"
    "也可以自收到{document}之日起六个月内，依法向{litigation_court}提起行政诉讼。"
)


def _money_ok(value, field: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, Decimal) or not value.is_finite() or value.as_tuple().exponent < -2:
        raise ValidationFailed(
            "document_money_invalid", f"金额必须是最多两位小数的 Decimal：{field}", field=field, value=repr(value)
        )


def _require(cond: bool, code: str, message: str, field: str) -> None:
    if not cond:
        raise ValidationFailed(code, message, field=field)


@dataclass(frozen=True)
class Header:
    county: str  # 县（市、区）, e.g. 淳安县
    township: str  # 乡镇（街道）, e.g. 千岛湖镇
    village: str  # 村（社区）, e.g. 珍珠半岛村
    case_number: str
    program: str  # "dibao" | "tekun"
    doc_date: date  # 文书日期 (落款日期)

    def __post_init__(self):
        _require(self.program in PROGRAM_LABELS, "document_program_invalid", "救助类别无效", "header.program")

    @property
    def program_label(self) -> str:
        return PROGRAM_LABELS[self.program]

    @property
    def program_short(self) -> str:
        return PROGRAM_SHORT[self.program]

    @property
    def township_gov(self) -> str:  # 千岛湖镇人民政府 / 某某街道办事处
        return self.township + ("办事处" if self.township.endswith("街道") else "人民政府")

    @property
    def village_committee(self) -> str:  # 珍珠半岛村民委员会 / 某某社区居民委员会
        if self.village.endswith("村"):
            return self.village + "民委员会"
        if self.village.endswith("社区"):
            return self.village + "居民委员会"
        return self.village + "村（居）民委员会"


@dataclass(frozen=True)
class IncomeItem:
    item: str  # 工资性收入、经营净收入、财产净收入、转移净收入 …
    monthly_amount: Decimal

    def __post_init__(self):
        _money_ok(self.monthly_amount, "income_item.monthly_amount")


@dataclass(frozen=True)
class Member:
    name: str
    relation: str  # 与户主关系：户主、配偶、子女、父母 …
    id_number_masked: str
    age: int
    sex: str  # 男 / 女
    health: str  # 健康 / 慢性病 / 重病 …
    disability: str  # "" 无; or e.g. 肢体残疾二级
    labour_capacity: str  # 有劳动能力 / 部分丧失劳动能力 / 完全丧失劳动能力 / 无劳动能力（未成年）
    income_items: Sequence[IncomeItem] = ()

    def __post_init__(self):
        digits = sum(ch.isdigit() for ch in self.id_number_masked)
        _require(
            not self.id_number_masked or ("*" in self.id_number_masked and digits <= 10),
            "document_id_unmasked", "文书中的身份证号码必须脱敏", "member.id_number_masked",
        )

    @property
    def monthly_income(self) -> Decimal:
        return sum((i.monthly_amount for i in self.income_items), Decimal("0.00"))


@dataclass(frozen=True)
class Household:
    head_name: str  # 户主（申请人）姓名
    address: str
    area_type: str  # 城市 / 农村
    members: Sequence[Member]
    phone_masked: str = ""

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class AssetItem:
    category: str  # 存款 / 有价证券 / 商业保险 / 机动车辆 / 房产 / 经营性资产 …
    description: str
    amount: Decimal | None = None

    def __post_init__(self):
        _money_ok(self.amount, "asset_item.amount", optional=True)


@dataclass(frozen=True)
class Obligor:  # 法定赡养、抚养、扶养义务人
    name: str
    relation: str
    id_number_masked: str
    address: str
    monthly_support: Decimal

    def __post_init__(self):
        _money_ok(self.monthly_support, "obligor.monthly_support")


@dataclass(frozen=True)
class Declaration:  # 申报的家庭收入与财产（附件2、3）
    monthly_income_total: Decimal
    monthly_income_per_capita: Decimal
    financial_assets_total: Decimal
    housing: str = ""  # 住房情况
    assets: Sequence[AssetItem] = ()
    obligors: Sequence[Obligor] = ()
    basis: str = ""  # 申报数据（尚未核对） / 核对后数据: which figures the amounts are (issue 13 §1)

    def __post_init__(self):
        for name in ("monthly_income_total", "monthly_income_per_capita", "financial_assets_total"):
            _money_ok(getattr(self, name), f"declaration.{name}")


@dataclass(frozen=True)
class VerificationRow:
    member: str
    source: str  # 数据来源：公安、人社、住建、市场监管、税务、银行 …
    item: str
    amount: Decimal | None
    as_of: date

    def __post_init__(self):
        _money_ok(self.amount, "verification_row.amount", optional=True)


@dataclass(frozen=True)
class Verification:  # 家庭经济状况核对报告摘要
    report_number: str
    report_date: date
    conclusion: str
    rows: Sequence[VerificationRow] = ()


@dataclass(frozen=True)
class SelfCare:  # 特困人员生活自理能力评估（6项）
    activities: Sequence[tuple[str, bool]]  # (进食, True=能自理)
    level: str  # 具备生活自理能力 / 部分丧失 / 完全丧失

    @property
    def failed_count(self) -> int:
        return sum(1 for _, ok in self.activities if not ok)


@dataclass(frozen=True)
class Survey:
    survey_date: date
    investigators: Sequence[str]
    living_conditions: str
    findings: str
    neighbours: str = ""  # 邻里访问情况
    self_care: SelfCare | None = None  # tekun only

    def __post_init__(self):
        _require(len(self.investigators) >= 2, "document_investigators_too_few", "入户调查人员不得少于2人",
                 "survey.investigators")


@dataclass(frozen=True)
class TraceLine:  # one line of the rules engine's explanation
    rule_id: str
    step: str
    value: str


@dataclass(frozen=True)
class Review:  # 初审
    proposed_status: str  # "grant" 拟纳入 | "deny" 拟不纳入
    proposed_class: str  # 分类施保 A/B/C/D, "" if none
    proposed_amount: Decimal | None  # 月保障金额
    trace: Sequence[TraceLine]
    caseworker_opinion: str
    caseworker_name: str
    review_date: date
    override_reason: str = ""  # 经办人改变规则引擎建议的理由

    def __post_init__(self):
        _require(self.proposed_status in ("grant", "deny"), "document_review_status_invalid",
                 "初审意见无效", "review.proposed_status")
        _money_ok(self.proposed_amount, "review.proposed_amount", optional=True)

    @property
    def proposed_label(self) -> str:
        return "拟纳入" if self.proposed_status == "grant" else "拟不纳入"


@dataclass(frozen=True)
class Appraisal:  # 村级民主评议（仅在公示有争议时）
    meeting_date: date
    participants: int
    result: str  # 通过 / 未通过
    summary: str


@dataclass(frozen=True)
class Confirmation:  # 领导小组审核确认
    meeting_date: date
    members_present: Sequence[str]
    opinion: str
    decision: str  # "approve" | "reject"
    monthly_amount: Decimal | None
    start_month: date | None  # first day of the first paid month
    support_mode: str = ""  # tekun: 集中供养 / 分散供养
    certificate_number: str = ""

    def __post_init__(self):
        _require(self.decision in ("approve", "reject"), "document_decision_invalid", "审核确认结论无效",
                 "confirmation.decision")
        _money_ok(self.monthly_amount, "confirmation.monthly_amount", optional=True)

    @property
    def decision_label(self) -> str:
        return "同意纳入" if self.decision == "approve" else "不予批准"


@dataclass(frozen=True)
class NoticeRow:  # public notices show only these three (R-PUB)
    name: str
    household_size: int
    monthly_amount: Decimal
    certificate_number: str = ""  # 附件8: the 低保证/特困证 issued at approval

    def __post_init__(self):
        _money_ok(self.monthly_amount, "notice_row.monthly_amount")


@dataclass(frozen=True)
class Notice:
    start_date: date
    end_date: date | None  # None = 长期公示
    objection_phone: str
    rows: Sequence[NoticeRow]
    publisher: str  # e.g. 千岛湖镇人民政府


@dataclass(frozen=True)
class Remedy:  # 救济途径
    reconsideration_body: str  # e.g. 淳安县人民政府
    litigation_court: str  # e.g. 淳安县人民法院

    def text_for(self, document: str) -> str:
        return REMEDY_TEXT.format(document=document, reconsideration_body=self.reconsideration_body,
                                  litigation_court=self.litigation_court)

    @property
    def notice_text(self) -> str:  # printed on a 告知书
        return self.text_for("本告知书")


@dataclass(frozen=True)
class Denial:
    letter_number: str  # 文号
    application_date: date
    reasons: Sequence[str]
    legal_basis: str
    issuer: str  # 作出决定的机关, e.g. 千岛湖镇人民政府
    remedy: Remedy

    def __post_init__(self):
        _require(len(self.reasons) >= 1, "document_denial_no_reason", "不予批准必须说明理由", "denial.reasons")

    @property
    def remedy_text(self) -> str:
        return self.remedy.text_for("本决定书")


@dataclass(frozen=True)
class Adjustment:
    notice_number: str
    action: str  # "increase" 增发 | "decrease" 减发 | "stop" 停发
    old_amount: Decimal
    new_amount: Decimal | None  # None when stopped
    effective_month: date
    reason: str
    legal_ground: str
    issuer: str
    remedy: Remedy
    copies: tuple[str, ...] = ()  # 抄送: e.g. the village committee of a 特困 person whose support stops (R-TK-16)
    # 年审 plan 三(2)一: a stop of a recipient who has died is sent to the co-resident members ("" = the head)
    addressee: str = ""

    def __post_init__(self):
        _require(self.action in ("increase", "decrease", "stop"), "document_adjustment_invalid",
                 "调整类型无效", "adjustment.action")
        _require((self.action == "stop") == (self.new_amount is None), "document_adjustment_invalid",
                 "停发时不填调整后金额，增发或减发时必须填写", "adjustment.new_amount")
        _money_ok(self.old_amount, "adjustment.old_amount")
        _money_ok(self.new_amount, "adjustment.new_amount", optional=True)

    @property
    def remedy_text(self) -> str:
        return self.remedy.text_for("本告知书")

    @property
    def action_label(self) -> str:
        return {"increase": "增发", "decrease": "减发", "stop": "停发"}[self.action]


def village_committee_name(village: str) -> str:
    """The committee of a village (村民委员会) or community (居民委员会), as a notice is copied to it."""
    if village.endswith("村"):
        return f"{village}民委员会"
    if village.endswith("社区"):
        return f"{village}居民委员会"
    return f"{village}村(居)民委员会"
