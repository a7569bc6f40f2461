"""What each action accepts. One pydantic model per action: the services validate with it and the
API documents it in OpenAPI. Errors become ``ValidationFailed`` naming the field in Chinese."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from jiuzhu.core.validation import validate
from jiuzhu.rules.workflow.states import (
    EXTEND_REASONS,
    GRADUATION_REASONS,
    HEARING_CONCLUSIONS,
    OBJECTION_CONCLUSIONS,
    RECHECK_OUTCOMES,
    TEKUN_TERMINATION_GROUNDS,
    TERMINATE_REASONS,
    TERMINATION_NOTICE_PLACES,
    TERMINATION_REPORTERS,
)

RowRef = Annotated[int, Field(ge=1, le=2**63 - 1)]  # a database id: fits the column, never overflows a query
Name = Annotated[str, Field(min_length=1, max_length=50)]  # a person named in a list (investigators …)
Line = Annotated[str, Field(min_length=1, max_length=500)]  # one item of a list of reasons or materials


def _not_after_today(value: dt.date, info: ValidationInfo) -> dt.date:
    """A past event (survey, meeting, verification data, delivery) cannot be dated after the action's
    day; the day comes from the caller's ``now`` (validation context ``today``), never the clock."""
    today = (info.context or {}).get("today")
    if today is not None and value > today:
        raise PydanticCustomError("date_in_future", "不能晚于办理当日 {today}", {"today": today.isoformat()})
    return value


PastDate = Annotated[dt.date, AfterValidator(_not_after_today)]  # the date of an event that has happened


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RelativeDeclaration(Payload):
    member: str = Field(title="成员姓名", min_length=1, max_length=50)
    staff_name: str = Field(title="工作人员或村(居)委会成员姓名", min_length=1, max_length=50)
    staff_position: str = Field(title="其职务", min_length=1, max_length=100)
    relation: str = Field(title="亲属关系", min_length=1, max_length=20)


class SubmitPayload(Payload):
    """一证一书 + household economic information form + near-relative declaration (R-WF-3)."""

    id_checked: bool = Field(False, title="已核验身份证件")
    authorization_signed: bool = Field(False, title="已签署委托授权书")
    economic_form_signed: bool = Field(True, title="已填写家庭经济状况信息表")
    integrity_pledge: bool = Field(False, title="已签署守信承诺书")  # R-PEN-03 truthful declaration
    has_relatives: bool = Field(False, title="有近亲属为民政经办人员或村(居)委会成员")
    relatives: list[RelativeDeclaration] = Field(default_factory=list, title="近亲属申报")
    note: str = Field("", title="备注", max_length=500)
    # 人户分离 (综合改革 plan 二(四)): the exception of applying where the applicant lives.
    residence_application: bool = Field(False, title="人户分离，因特殊原因无法迁移户籍，向经常居住地乡镇申请")
    hukou_obstacle: str = Field("", title="无法迁移户籍的特殊原因", max_length=500)

    @model_validator(mode="after")
    def _check(self):
        if self.has_relatives and not self.relatives:
            raise ValueError("relatives|申报有近亲属时须逐一填写")
        if self.residence_application and not self.hukou_obstacle:
            raise ValueError("hukou_obstacle|向经常居住地申请时须说明无法迁移户籍的特殊原因")
        return self


class IdAuthorizationPayload(Payload):
    """一证一书 recorded after submit: the applicant's ID checked, the 委托授权书 (authorization for the
    economic verification) signed. What was recorded before stays; at least one box is ticked."""

    id_checked: bool = Field(False, title="已核验身份证件")
    authorization_signed: bool = Field(False, title="已签署委托授权书")
    integrity_pledge: bool = Field(False, title="已签署守信承诺书")
    signed_on: PastDate | None = Field(None, title="签署日期")
    note: str = Field("", title="备注", max_length=500)

    @model_validator(mode="after")
    def _check(self):
        if not (self.id_checked or self.authorization_signed or self.integrity_pledge):
            raise ValueError("authorization_signed|请勾选“已核验身份证件”“已签署委托授权书”或“已签署守信承诺书”（至少一项）")
        return self


class NotePayload(Payload):
    note: str = Field("", title="备注", max_length=500)


class VerificationItem(Payload):
    member: RowRef = Field(title="成员编号")
    source: str = Field(title="数据来源", min_length=1, max_length=60)
    item: Literal["wage", "business", "property", "transfer", "social_insurance", "income_tax", "medical_extra",
                  "financial", "vehicle", "residential_property", "business_capital"] = Field(title="项目")
    amount: Decimal = Field(title="金额(元)", ge=0, max_digits=14, decimal_places=2)
    as_of: PastDate = Field(title="数据日期")


class VerifiedObligor(Payload):
    """A non-co-resident legal obligor's household as 核对 found it (年审 plan 三(2)四)."""

    obligor: RowRef = Field(title="义务人编号")
    monthly_income: Decimal = Field(title="义务人月收入(元)", ge=0, max_digits=14, decimal_places=2)
    financial: Decimal = Field(Decimal(0), title="义务人金融资产(元)", ge=0, max_digits=14, decimal_places=2)
    as_of: PastDate = Field(title="数据日期")


class VerificationPayload(Payload):
    items: list[VerificationItem] = Field(default_factory=list, title="核对项目")
    obligors: list[VerifiedObligor] = Field(default_factory=list, max_length=30, title="不共同居住的义务人")
    conclusion: Literal["consistent", "inconsistent"] = Field(title="核对结论")
    note: str = Field("", title="说明", max_length=2000)


class ReasonPayload(Payload):
    reason: str = Field(title="理由", min_length=1, max_length=2000)


class RefuseAcceptancePayload(Payload):
    """年审 plan 三(2)一: an application not accepted is told why in a 不予受理告知书."""

    reasons: list[Line] = Field(title="不予受理理由", min_length=1, max_length=10)
    note: str = Field("", title="备注", max_length=500)


class MaterialsPayload(Payload):
    missing: list[Line] = Field(title="需补正材料", min_length=1, max_length=30)


class SurveyPayload(Payload):
    date: PastDate = Field(title="调查日期")
    investigators: list[Name] = Field(title="调查人员", min_length=2, max_length=10)
    living_conditions: str = Field(title="居住及生活状况", min_length=1, max_length=2000)
    findings: str = Field(title="调查结论", min_length=1, max_length=2000)
    photos: list[RowRef] = Field(default_factory=list, max_length=50, title="现场照片")
    adl_failed: int | None = Field(None, title="生活自理能力未达项数(6项)", ge=0, le=6)
    obligors_able: bool | None = Field(None, title="义务人有赡(抚、扶)养能力")
    obligor_notes: str = Field("", title="义务人情况", max_length=2000)
    # 年审 plan 三(2)三: staff accounts among the investigators (where the region requires a 驻村干部).
    investigator_accounts: list[Annotated[str, Field(min_length=1, max_length=150)]] = Field(
        default_factory=list, max_length=10, title="调查人员中的工作人员账号(含驻村干部)")


class ReviewPayload(Payload):
    opinion: Literal["grant", "deny"] = Field(title="初审意见")
    amount: Decimal | None = Field(None, title="月保障金(元)", ge=0, max_digits=14, decimal_places=2)
    klass: Literal["A", "B", "C", "D"] | None = Field(None, title="分类")
    # 单人户施保 (R-HH-06): None follows the rules' proposal; True enrolls only the proposed members.
    single_person: bool | None = Field(None, title="单人户施保")
    override_reason: str = Field("", title="调整理由", max_length=2000)
    note: str = Field("", title="初审说明", max_length=2000)


class ObjectionPayload(Payload):
    content: str = Field(title="异议内容", min_length=1, max_length=2000)
    objector: str = Field("", title="异议人", max_length=50)
    contact: str = Field("", title="联系方式", max_length=40)


class AppraisalPayload(Payload):
    date: PastDate = Field(title="评议日期")
    participants: int = Field(title="参加人数", ge=1, le=500)
    representatives: int = Field(title="其中村(居)民代表人数", ge=0, le=500)
    votes_for: int = Field(title="同意票", ge=0)
    votes_against: int = Field(title="反对票", ge=0)
    outcome: Literal["eligible", "ineligible"] = Field(title="评议结论")
    minutes: str = Field("", title="评议记录", max_length=4000)

    @model_validator(mode="after")
    def _check(self):
        if self.representatives > self.participants:
            raise ValueError("representatives|村(居)民代表人数不能超过参加人数")
        if self.representatives * 3 < self.participants * 2:
            raise ValueError("representatives|村(居)民代表应占参加人数的三分之二以上（WF-8）")
        if self.votes_for + self.votes_against > self.participants:
            raise ValueError("votes_for|票数合计不能超过参加人数")
        return self


class ReinvestigatePayload(Payload):
    date: PastDate = Field(title="复核日期")
    findings: str = Field(title="复核结论", min_length=1, max_length=2000)
    # Required on a 特困 termination's objection (R-TK-16: investigate and decide); optional elsewhere.
    conclusion: Literal[tuple(OBJECTION_CONCLUSIONS)] | None = Field(  # type: ignore[valid-type]
        None, title="异议处理结论")


class HomeVisit(Payload):
    date: PastDate = Field(title="入户核查日期")
    visitors: list[Name] = Field(title="核查人员", min_length=1, max_length=10)
    findings: str = Field(title="核查情况", min_length=1, max_length=2000)


class ConfirmPayload(Payload):
    meeting_date: PastDate = Field(title="审核确认会日期")
    members_present: list[Name] = Field(title="参会人员", min_length=3, max_length=30)
    opinion: str = Field(title="审核确认意见", min_length=1, max_length=2000)
    home_visit: HomeVisit | None = Field(None, title="入户核查")
    support_mode: Literal["centralized", "dispersed"] | None = Field(None, title="供养方式")
    guardian_class: Literal["I", "II", "III"] | None = Field(None, title="监护类别")
    guardian_name: str = Field("", title="监护人", max_length=50)
    care_agreement: str = Field("", title="照料服务协议", max_length=200)


class RejectPayload(Payload):
    meeting_date: PastDate = Field(title="审核确认会日期")
    members_present: list[Name] = Field(title="参会人员", min_length=3, max_length=30)
    reasons: list[Line] = Field(title="不予批准理由", min_length=1, max_length=10)


class DeliveryPayload(Payload):
    date: PastDate = Field(title="送达日期")
    method: Literal["in_person", "mail", "village"] = Field(title="送达方式")
    note: str = Field("", title="备注", max_length=500)


class SpotCheckPayload(HomeVisit):
    pass


class TerminatePayload(Payload):
    reason_code: Literal[tuple(TERMINATE_REASONS)] = Field(title="终止原因")  # type: ignore[valid-type]
    note: str = Field("", title="说明", max_length=2000)


class ExtendPayload(Payload):
    reason_code: Literal[tuple(EXTEND_REASONS)] = Field(title="延期原因")  # type: ignore[valid-type]
    note: str = Field("", title="说明", max_length=2000)


class RecheckReviewPayload(Payload):
    """The township's recheck opinion (R-DM-02); the rules engine proposes, a different opinion needs a reason."""

    outcome: Literal[tuple(RECHECK_OUTCOMES)] = Field(title="复核意见")  # type: ignore[valid-type]
    amount: Decimal | None = Field(None, title="调整后月保障金(元)", ge=0, max_digits=14, decimal_places=2)
    klass: Literal["A", "B", "C", "D"] | None = Field(None, title="分类")
    graduation_reason: Literal[tuple(GRADUATION_REASONS)] | None = Field(  # type: ignore[valid-type]
        None, title="渐退原因")
    override_reason: str = Field("", title="调整理由", max_length=2000)
    note: str = Field("", title="复核说明", max_length=2000)


class TerminationNoticePayload(Payload):
    """The proposed termination of a 特困 person, publicized 7 days (R-TK-15/16). The ground and reason
    stay in the case; the public notice shows the name and the proposed termination only."""

    ground: Literal[tuple(TEKUN_TERMINATION_GROUNDS)] = Field(title="终止情形")  # type: ignore[valid-type]
    reason: str = Field(title="拟终止理由", min_length=1, max_length=2000)
    reported_by: Literal[tuple(TERMINATION_REPORTERS)] = Field(title="报告人")  # type: ignore[valid-type]
    place: Literal[tuple(TERMINATION_NOTICE_PLACES)] = Field(  # type: ignore[valid-type]
        "residence_village", title="公示地点")
    note: str = Field("", title="备注", max_length=500)


class DecidePayload(Payload):
    """The deciding level's decision on a recheck (R-DM-03): it applies the opinion from next month."""

    outcome: Literal[tuple(RECHECK_OUTCOMES)] = Field(title="复核决定")  # type: ignore[valid-type]
    reason: str = Field(title="决定理由", min_length=1, max_length=2000)
    legal_ground: str = Field("", title="法律依据", max_length=300)
    meeting_date: PastDate | None = Field(None, title="审核确认会日期")
    note: str = Field("", title="备注", max_length=500)


class ApplicationObjectionPayload(ObjectionPayload):
    """An objection to the 申请情况公示, taken like those of the 7-day initial notice."""


class HearingSteps(Payload):
    """The five steps the 年审 plan 三(2)五 lists, each with what was done."""

    policy: str = Field(title="宣讲政策", min_length=1, max_length=2000)
    situation: str = Field(title="介绍情况", min_length=1, max_length=2000)
    deliberation: str = Field(title="现场评议", min_length=1, max_length=2000)
    conclusion: str = Field(title="形成结论", min_length=1, max_length=2000)
    signing: str = Field(title="签字确认", min_length=1, max_length=2000)


class HearingAttendee(Payload):
    name: Name = Field(title="姓名")
    capacity: str = Field(title="身份(村民代表、驻村干部等)", min_length=1, max_length=50)
    signed: bool = Field(False, title="已签字")


class HearingPayload(Payload):
    date: PastDate = Field(title="听证日期")
    place: str = Field(title="听证地点", min_length=1, max_length=200)
    host: Name = Field(title="主持人")
    steps: HearingSteps = Field(title="听证程序")
    attendees: list[HearingAttendee] = Field(title="参加人员", min_length=3, max_length=100)
    conclusion: Literal[tuple(HEARING_CONCLUSIONS)] = Field(title="听证结论")  # type: ignore[valid-type]
    conclusion_text: str = Field(title="结论说明", min_length=1, max_length=2000)
    # Empty: the case's latest uploaded 民主听证签字表.
    signed_sheet: RowRef | None = Field(None, title="签字确认表(附件编号)")

    @model_validator(mode="after")
    def _check(self):
        if not any(a.signed for a in self.attendees):
            raise ValueError("attendees|签字确认：参加人员中须有人签字确认")
        unsigned = [a.name for a in self.attendees if not a.signed]
        if len(unsigned) * 2 >= len(self.attendees):
            raise ValueError(f"attendees|签字确认：过半数参加人员未签字（{'、'.join(unsigned[:5])}）")
        return self


PAYLOADS: dict[str, type[Payload]] = {
    "submit": SubmitPayload, "record_id_authorization": IdAuthorizationPayload,
    "request_verification": NotePayload, "record_verification": VerificationPayload,
    "notify_ineligible": ReasonPayload, "object": ReasonPayload, "request_materials": MaterialsPayload,
    "refuse_acceptance": RefuseAcceptancePayload,
    "accept": NotePayload, "record_survey": SurveyPayload, "initial_review": ReviewPayload,
    "publish_notice": NotePayload, "forward_denial": NotePayload, "record_objection": ObjectionPayload, "hold_appraisal": AppraisalPayload,
    "reinvestigate": ReinvestigatePayload, "close_notice": NotePayload, "record_spot_check": SpotCheckPayload,
    "confirm": ConfirmPayload, "reject": RejectPayload, "deliver_denial": DeliveryPayload,
    "file_record": NotePayload, "withdraw": ReasonPayload,
    "terminate": TerminatePayload, "extend": ExtendPayload,
    "recheck_review": RecheckReviewPayload, "decide": DecidePayload, "cancel": ReasonPayload,
    "start_termination_notice": TerminationNoticePayload,
    "record_application_objection": ApplicationObjectionPayload, "hold_hearing": HearingPayload,
}

def clean_payload(action: str, data, *, today: dt.date | None = None) -> Payload:
    """Validate ``data`` for ``action``; the first problem becomes ``ValidationFailed`` with its field.
    ``today`` (the action's day): dates of past events after it are refused."""
    return validate(PAYLOADS[action], data, today=today)
