"""摸底排查 pages (issue 16 §2): the campaigns (start one for a township or the county), a campaign's
progress by township and village with the persons still to visit, the phone form for one person's
line, closing, and the 摸底台账 as xlsx. Thin: parse → one selector or service → render."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.apps.care import survey, survey_export, survey_read
from jiuzhu.rules import care as rules
from jiuzhu.rules.errors import DomainError, Forbidden

from .care import _errors
from .common import roles_required, scoped

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = 300


def _labels() -> dict:
    return {"capacities": rules.CAPACITY, "causes": rules.CAPACITY_CAUSES, "living": rules.LIVING,
            "placements": rules.PLACEMENTS, "institution_kinds": rules.INSTITUTION_KINDS}


@login_required
@roles_required("care.read", "您的角色无权查看特困人员摸底排查")
@scoped
@require_http_methods(["GET", "POST"])
def care_survey_list(request):
    today = timezone.localdate()
    ctx = {"campaigns": survey_read.campaigns_visible(request.user), "errors": {}, "raw": {}, "today": today,
           "default_region": request.user.region_id, "default_year": today.year}
    if request.method == "GET":
        return render(request, "web/care_survey_list.html", ctx)
    post = request.POST
    try:
        due = date.fromisoformat(post["due"]) if post.get("due") else None
    except ValueError:
        return render(request, "web/care_survey_list.html",
                      {**ctx, "errors": {"due": "完成期限格式应为 YYYY-MM-DD"}, "raw": post}, status=400)
    try:
        campaign, _added = survey.survey_start(actor=request.user, region_code=post.get("region", "").strip(),
                                               year=post.get("year", ""), due=due, now=timezone.now())
    except DomainError as exc:
        if exc.status == 403:
            raise
        return render(request, "web/care_survey_list.html", {**ctx, "errors": _errors(exc), "raw": post}, status=400)
    return redirect("web:care_survey_detail", campaign.pk)


@login_required
@roles_required("care.read", "您的角色无权查看特困人员摸底排查")
@scoped
@require_GET
def care_survey_detail(request, campaign_id: int):
    campaign = survey_read.campaign_get(actor=request.user, campaign_id=campaign_id)
    village = request.GET.get("village", "").strip()[:12]
    pending = request.GET.get("pending") == "1"
    rows = list(survey_read.items(actor=request.user, campaign=campaign, village=village, pending=pending)[:PAGE + 1])
    return render(request, "web/care_survey_detail.html", {
        "c": campaign, "progress": survey_read.progress(actor=request.user, campaign=campaign), "rows": rows[:PAGE],
        "more": len(rows) > PAGE, "village": village, "pending": pending, "may_record": survey.may_record(request.user),
        **_labels()})


def _item_data(post) -> dict:
    keys = ("visited_on", "visitor_name", "capacity", "capacity_cause", "living", "care_wish", "institution_kind",
            "caregiver", "caregiver_phone", "notes")
    return {k: post.get(k, "").strip() for k in keys}


@login_required
@roles_required("care.read", "您的角色不能登记摸底排查")
@scoped
@require_http_methods(["GET", "POST"])
def care_survey_item(request, campaign_id: int, enrollment_id: int):
    if not survey.may_record(request.user):
        raise Forbidden("care.role", "您的角色不能登记摸底排查情况（须由村(居)协理员、乡镇经办人或县民政办理）")
    item = survey.item_get(request.user, campaign_id, enrollment_id)
    recorded = {k: getattr(item, k) or "" for k in ("visitor_name", "capacity", "capacity_cause", "living", "care_wish",
                                                    "institution_kind", "caregiver", "caregiver_phone", "notes")}
    if item.visited_on:
        recorded["visited_on"] = item.visited_on.isoformat()
    ctx = {"item": item, "c": item.campaign, "person": item.person, "today": timezone.localdate(), "errors": {},
           "raw": recorded if item.done else {}, "default_visitor": request.user.display_name or request.user.username, **_labels()}
    if request.method == "GET":
        return render(request, "web/care_survey_item.html", ctx)
    try:
        survey.survey_record(actor=request.user, campaign_id=campaign_id, enrollment_id=enrollment_id,
                             data=_item_data(request.POST), now=timezone.now())
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return render(request, "web/care_survey_item.html", {**ctx, "errors": _errors(exc), "raw": request.POST},
                      status=400)
    return redirect(reverse("web:care_survey_detail", args=[campaign_id]) + f"?village={item.region_id}&pending=1")


@login_required
@roles_required("care.capacity", "您的角色不能结束摸底排查（须由乡镇经办人或县民政办理）")
@scoped
@require_POST
def care_survey_close(request, campaign_id: int):
    try:
        survey.survey_close(actor=request.user, campaign_id=campaign_id, now=timezone.now())
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
    return redirect("web:care_survey_detail", campaign_id)


@login_required
@roles_required("care.read", "您的角色无权导出摸底台账")
@scoped
@require_GET
def care_survey_xlsx(request, campaign_id: int):
    campaign = survey_read.campaign_get(actor=request.user, campaign_id=campaign_id)
    today = timezone.localdate()
    content = survey_export.ledger_xlsx(actor=request.user, campaign=campaign, now=timezone.now())
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="care-survey-{campaign.pk}-{today:%Y%m%d}.xlsx"'
    return response
