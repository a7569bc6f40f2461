"""系统管理 · 审核确认流程设置: each county and township of the admin's region with its effective
settings (its own or inherited), and the edit form (checked against the national bounds by
``cases.settings_services.workflow_setting_set``, audited; cases keep the settings they started with)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from jiuzhu.apps.cases.config import region_config
from jiuzhu.apps.cases.models import WorkflowSetting
from jiuzhu.apps.cases.settings_services import workflow_setting_set
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.apps.regions.selectors import region_get, regions_in_scope
from jiuzhu.rules.errors import DomainError, NotFound, ValidationFailed
from jiuzhu.rules.workflow.states import STEP_LABELS
from jiuzhu.rules.workflow.tables import NATIONAL_CAPS, SEED_STEP_LIMITS

from .common import roles_required, scoped
from .system_users import _errors

DENIED = "只有系统管理员可以修改审核确认流程设置"
LEVELS = (1, 2, 3, 4)
INT_FIELDS = {"overall_limit_wd": "总办理时限(工作日)", "overall_limit_extended_wd": "延长后时限(工作日)"}


def _steps(limits: dict, raw=None, errors: dict | None = None) -> list[dict]:
    return [{"key": k, "label": STEP_LABELS.get(k, k), "default": d, "cap": NATIONAL_CAPS.get(k, 45),
             "value": raw.get(f"step_{k}", "") if raw is not None else (str(limits[k]) if k in limits else ""),
             "error": (errors or {}).get(f"step_limits.{k}", "")}
            for k, d in SEED_STEP_LIMITS.items()]


@login_required
@roles_required("settings.manage", DENIED)
@require_http_methods(["GET"])
def settings_list(request):
    own = set(WorkflowSetting.objects.values_list("region_id", flat=True))
    rows = [{"region": r, "config": region_config(r.code), "own": r.code in own}
            for r in regions_in_scope(actor=request.user).filter(level__in=LEVELS)]
    return render(request, "web/system/settings.html", {"rows": rows})


def _region(request, code: str):
    region = region_get(code) if code.isdigit() and len(code) == 12 else None
    if region is None or region.level not in LEVELS or not in_scope(request.user, code):
        raise NotFound("not_found", "区划不存在或不在您的管辖范围内")
    return region


def _form(config, region_code) -> dict:
    row = WorkflowSetting.objects.filter(region_id=region_code).first()
    s = config.settings
    return {"confirmation_level": s.confirmation_level, "verify_before_accept": s.verify_before_accept,
            "overall_limit_wd": str(s.overall_limit_wd), "overall_limit_extended_wd": str(s.overall_limit_extended_wd),
            "objection_phone": row.objection_phone if row else "", "policy": row.policy if row else "",
            "source": row.source if row else ""}


def _parse(post) -> tuple[dict, dict]:
    """(data for the service, errors by field): integers are checked here so every bad one is named."""
    errors: dict[str, str] = {}
    data: dict = {"confirmation_level": post.get("confirmation_level", ""),
                  "verify_before_accept": post.get("verify_before_accept") == "on"}
    for key, title in INT_FIELDS.items():
        raw = post.get(key, "").strip()
        if not raw.isdigit():
            errors[key] = f"{title}：应为正整数"
        else:
            data[key] = int(raw)
    steps = {}
    for key in SEED_STEP_LIMITS:
        raw = post.get(f"step_{key}", "").strip()
        if raw and not raw.isdigit():
            errors[f"step_limits.{key}"] = f"{STEP_LABELS.get(key, key)}：应为正整数，留空用默认值"
        elif raw:
            steps[key] = int(raw)
    data["step_limits"] = steps
    for key, title, limit in (("objection_phone", "监督举报电话", 40), ("policy", "救助政策(参数集)", 40),
                              ("source", "依据", 200)):
        value = post.get(key, "").strip()
        if len(value) > limit:
            errors[key] = f"{title}：过长（最多 {limit} 个字）"
        data[key] = value
    return data, errors


@login_required
@roles_required("settings.manage", DENIED)
@scoped
@require_http_methods(["GET", "POST"])
def settings_edit(request, region_code: str):
    region = _region(request, region_code)
    config = region_config(region.code)
    if request.method == "GET":
        return render(request, "web/system/settings_edit.html", {
            "region": region, "config": config, "form": _form(config, region.code),
            "steps": _steps(config.settings.step_limits), "errors": {}})
    data, errors = _parse(request.POST)
    try:
        if errors:
            first = next(iter(errors.items()))
            raise ValidationFailed("workflow.invalid", first[1], field=first[0],
                                   errors=[{"field": f, "message": m} for f, m in errors.items()])
        workflow_setting_set(actor=request.user, region_code=region.code, data=data)
    except DomainError as exc:
        form = {**{k: request.POST.get(k, "") for k in _form(config, region.code)},
                "verify_before_accept": request.POST.get("verify_before_accept") == "on"}
        errors = _errors(exc)
        return render(request, "web/system/settings_edit.html", {
            "region": region, "config": config, "form": form, "errors": errors,
            "steps": _steps({}, raw=request.POST, errors=errors)}, status=exc.status)
    messages.success(request, f"已保存{region.name}的审核确认流程设置（新提交的案件适用，已在办案件不变）")
    return redirect("web:system_settings_edit", region_code=region.code)
