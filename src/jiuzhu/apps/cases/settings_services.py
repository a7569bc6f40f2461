"""Set a region's workflow settings, checked against the national bounds (R-WF-14, S7 四(一))."""

from __future__ import annotations

from django.db import transaction

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.models import Region
from jiuzhu.rules.errors import ValidationFailed
from jiuzhu.rules.workflow import WorkflowSettings
from jiuzhu.rules.workflow.tables import check_settings

from .config import OPTIONAL_STEPS, region_config
from .models import WorkflowSetting

FIELDS = ("confirmation_level", "verify_before_accept", "overall_limit_wd", "overall_limit_extended_wd",
          "step_limits", "objection_phone", "policy", "source", *OPTIONAL_STEPS)


def workflow_setting_set(*, actor, region_code: str, data: dict) -> WorkflowSetting:
    """Create or change the settings row of a county or township (cases keep the settings they started with)."""
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ValidationFailed("region.unknown", f"区划代码 {region_code} 不存在", field="region")
    if region.level not in (1, 2, 3, 4):
        raise ValidationFailed("region.level", "流程设置只能设在省、市、县或乡镇一级", field="region")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationFailed("workflow.unknown_field", f"不认识的设置项：{unknown[0]}", field=unknown[0])
    current = region_config(region_code)
    merged = {"confirmation_level": current.settings.confirmation_level,
              "verify_before_accept": current.settings.verify_before_accept,
              "overall_limit_wd": current.settings.overall_limit_wd,
              "overall_limit_extended_wd": current.settings.overall_limit_extended_wd,
              "step_limits": dict(current.settings.step_limits),
              **{f: getattr(current.settings, f) for f in OPTIONAL_STEPS}, **data}
    for f in OPTIONAL_STEPS:
        if not isinstance(merged[f], bool):
            labels = {"application_notice": "申请情况公示", "survey_resident_cadre": "入户调查须有驻村干部",
                      "hearing": "民主听证"}
            raise ValidationFailed("workflow.invalid", f"{labels[f]}应为 true 或 false", field=f)
    try:
        settings = WorkflowSettings(merged["confirmation_level"], bool(merged["verify_before_accept"]),
                                    int(merged["overall_limit_wd"]), int(merged["overall_limit_extended_wd"]),
                                    dict(merged["step_limits"] or {}),
                                    **{f: merged[f] for f in OPTIONAL_STEPS})
    except (TypeError, ValueError):
        raise ValidationFailed("workflow.invalid", "时限应为整数", field="overall_limit_wd") from None
    problems = check_settings(settings)
    if problems:
        field, message = problems[0]
        raise ValidationFailed("workflow.bounds", message, field=field)
    with transaction.atomic():
        row, _ = WorkflowSetting.objects.get_or_create(region=region)
        before = {f: getattr(row, f) for f in FIELDS}
        row.confirmation_level = settings.confirmation_level
        row.verify_before_accept = settings.verify_before_accept
        row.overall_limit_wd = settings.overall_limit_wd
        row.overall_limit_extended_wd = settings.overall_limit_extended_wd
        row.step_limits = dict(settings.step_limits)
        for f in OPTIONAL_STEPS:
            setattr(row, f, getattr(settings, f))
        for f in ("objection_phone", "policy", "source"):
            if f in data:
                setattr(row, f, str(data[f])[:200])
        row.save()
        audit_record(actor=actor, action="workflow.settings", subject_type="region", subject_id=region_code,
                     region_code=region_code, before=before, after={f: getattr(row, f) for f in FIELDS})
    return row
