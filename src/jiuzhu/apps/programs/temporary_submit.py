"""Opening a 临时救助 case (issue 14 §1). 急难型 is filed with the township where the emergency happened,
whatever the person's hukou (R-TA-04); 支出型 with the household's township."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.cases import config, registry
from jiuzhu.apps.cases.engine import ActionContext, finish, local_today, run_guards
from jiuzhu.apps.cases.models import Case, CaseEvent
from jiuzhu.apps.cases.services import ROLE_CHANNELS
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.apps.registry.minimal import refuse_minimal
from jiuzhu.apps.registry.models import Household, Membership, Person
from jiuzhu.core.validation import validate
from jiuzhu.rules.errors import Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.workflow.model import CASEWORKER
from jiuzhu.rules.workflow.tables import transition

from .temporary_payloads import TemporarySubmitPayload

VILLAGE_LEVEL = 5


def temporary_submit(*, actor, household_id, applicant_id, channel: str, payload, now: datetime) -> Case:
    if not can(actor, registry.permission("temporary", "submit")):
        raise Forbidden("case.role", "您的角色不能登记临时救助")
    today = local_today(now)
    problems: list[dict] = []
    cleaned: TemporarySubmitPayload | None = None
    try:
        cleaned = validate(TemporarySubmitPayload, payload, today=today)  # type: ignore[assignment]
    except ValidationFailed as exc:
        problems.extend(exc.details.get("errors") or [{"field": exc.details.get("field", ""), "message": exc.message}])
    household = Household.objects.filter(pk=household_id).first() if str(household_id).isdigit() else None
    if household is None:
        raise NotFound("not_found", "家庭不存在", field="household")
    applicant = Person.objects.filter(pk=applicant_id).first() if str(applicant_id).isdigit() else None
    if applicant is None:
        problems.append({"field": "applicant", "code": "case.applicant", "message": "申请人不存在"})
    # township staff (the caseworker's channels, also for the township reviewer paying first): window or village
    if channel not in ROLE_CHANNELS.get(getattr(actor, "role", ""), ROLE_CHANNELS[CASEWORKER]):
        problems.append({"field": "channel", "code": "case.channel", "message": "申请渠道无效"})
    if problems or cleaned is None or applicant is None:
        first = problems[0] if problems else {"field": "payload", "message": "申请内容无效"}
        raise ValidationFailed(first.get("code") or "payload.invalid", first["message"], field=first["field"],
                               errors=problems)
    if cleaned.kind == "emergency":
        region_id = cleaned.place_region  # R-TA-04: where it happened, whatever the hukou
        place = Region.objects.filter(pk=region_id).first()
        if place is None or place.level != VILLAGE_LEVEL:
            raise ValidationFailed("ta.place_region", "急难发生地须为村(社区)区划代码", field="place_region")
        if not in_scope(actor, region_id):
            raise NotFound("ta.place_out_of_scope", "急难发生地不在您的管辖范围内", field="place_region")
    else:
        region_id = household.region_id
        if not in_scope(actor, region_id):
            raise NotFound("not_found", "家庭不存在或不在您的管辖范围内", field="household")
        refuse_minimal(household, "expenditure", "kind")  # R-TA-02 needs the household's income and assets
        if not Membership.objects.filter(household=household, person=applicant, end_date__isnull=True).exists():
            raise ValidationFailed("case.applicant_not_member", "申请人不是该家庭的在册成员", field="applicant")
    cfg = config.region_config(region_id)
    row = transition("temporary", cfg.settings, None, "submit", cleaned.kind)
    if row is None or row.to_state is None or getattr(actor, "role", None) not in row.roles:
        raise Forbidden("case.role", "您的角色不能登记临时救助")
    ctx = ActionContext(actor=actor, action="submit", payload=cleaned, now=now, household=household,
                        applicant=applicant, program="temporary")
    with transaction.atomic():
        Household.objects.select_for_update().filter(pk=household.pk).first()
        run_guards(row, ctx)
        case = Case.objects.create(
            program="temporary", kind=cleaned.kind, household=household, applicant=applicant, region_id=region_id,
            channel=channel, state=row.to_state, settings=config.settings_snapshot(cfg.settings),
            submitted_at=now, created_by=actor)
        ctx.case = case
        ctx.event = CaseEvent.objects.create(case=case, at=now, action="submit", actor=actor, actor_name=actor.username,
                                             role=actor.role, to_state=row.to_state,
                                             payload=cleaned.model_dump(mode="json"))
        ctx.record("ta_intake", {**cleaned.model_dump(mode="json"), "channel": channel})
        finish(case, row, ctx, {"state": None, "version": 0})
    return case
