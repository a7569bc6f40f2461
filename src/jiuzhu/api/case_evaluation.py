"""The engine's proposal before the initial opinion (``GET /v1/cases/{id}/evaluation``): a read-only
evaluate of the case with the registry's declaration overridden by the verification findings, under the
region's policy, as of today. No state change, no version change, nothing recorded."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from jiuzhu.apps.programs.evaluation import case_evaluation

from .schemas import IdStr, RowId, errors

router = Router(tags=["cases"])


class SinglePerson(Schema):
    member: IdStr = Field(description="成员（人员编号）")
    amount: str = Field(description="单人户施保月保障金（元）")


class EvaluationOut(Schema):
    case: IdStr
    number: str
    state: str
    version: int = Field(description="案件版本（测算不改变版本）")
    policy: str = Field(description="所用政策（区划政策或 reference）")
    as_of: date = Field(description="测算日期（今天）")
    status: str = Field(description="测算结论：dibao / tekun / edge（低保边缘）/ ineligible 等")
    monthly_amount: str | None = Field(None, description="测算月保障金（元）")
    klass: str = Field("", description="分类施保类别（A/B/C/D）")
    reasons: list = Field(description="测算理由（规则编号与说明）")
    single_persons: list[SinglePerson] = Field(description="单人户施保对象（低保边缘家庭中的重病重残成员）")
    request: dict = Field(description="送入规则引擎的家庭数据（申报，核对结果优先）")
    result: dict = Field(description="规则引擎的完整结果（含逐步说明 trace）")


@router.get("/{case_id}/evaluation", response={200: EvaluationOut, **errors(404, 409, 422)},
            summary="规则引擎测算（初审前的建议，只读）",
            description="按家庭登记的申报数据（有核对结果的以核对结果为准）、本区划政策和今天的日期测算，与初审时记录的建议同源；"
                        "不改变案件状态和版本，不写任何记录。家庭数据不完整时 409（case.evaluation_unavailable）；"
                        "案件不存在或不在本人管辖范围内 404。")
def case_evaluate(request, case_id: RowId):
    case, proposal = case_evaluation(actor=request.auth, case_id=case_id, today=timezone.localdate())
    result = proposal["result"]
    return {"case": case.pk, "number": case.number, "state": case.state, "version": case.version,
            "policy": proposal["policy"], "as_of": proposal["as_of"], "status": result.get("status", ""),
            "monthly_amount": result.get("monthly_amount"), "klass": result.get("class") or "",
            "reasons": result.get("reasons") or [], "single_persons": proposal["single_persons"],
            "request": proposal["request"], "result": result}
