"""特困人员监护照护 pages (issue 16): the persons in scope with capacity, care class, guardian and the
visit due date (missed visits first for the township), one person's profile with the capacity,
assessment and guardian forms, the phone form for a monthly visit (photos, needs → referral), the
agreement PDF and signed copy, and visit photos. Thin: parse → one selector or service → render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.apps.care import guardians, placements, selectors, services, visits
from jiuzhu.rules import care as rules
from jiuzhu.rules.errors import DomainError, NotFound
from jiuzhu.rules.monitoring import DEPARTMENTS

from .common import roles_required, scoped

PAGE = 200


def _errors(exc: DomainError) -> dict:
    errors: dict[str, str] = {}
    for e in exc.details.get("errors") or []:
        errors.setdefault(str(e.get("field", "")).split(".")[0] or "general", e.get("message", exc.message))
    errors.setdefault(str(exc.details.get("field") or "general").split(".")[0], exc.message)
    return errors


def _labels() -> dict:
    return {"capacities": rules.CAPACITY, "bases": rules.CAPACITY_BASIS, "adls": rules.ADLS,
            "assessors": rules.ASSESSORS, "care_classes": rules.CARE_CLASSES, "placements": rules.PLACEMENTS,
            "institution_kinds": rules.INSTITUTION_KINDS,
            "guardian_classes": rules.GUARDIAN_CLASSES, "guardian_kinds": rules.GUARDIAN_KINDS,
            "relatives_kinds": {k: v[0] for k, v in rules.RELATIVES.items()}, "consents": rules.CONSENT_BY,
            "findings": rules.FINDINGS, "levels": rules.FINDING_LEVELS, "departments": DEPARTMENTS}


@login_required
@roles_required("care.read", "您的角色无权查看特困人员监护照护档案")
@require_GET
def care_list(request):
    today = timezone.localdate()
    only_overdue = request.GET.get("overdue") == "1"
    plan = request.GET.get("schedule") == "1" and not only_overdue
    month = None
    if only_overdue:
        qs = selectors.overdue(request.user, today)
    elif plan:
        qs, month, _last = selectors.schedule(request.user, today)
    else:
        qs = selectors.with_due(selectors.persons(request.user), today).order_by("region_id", "id")
    rows = list(qs[:PAGE + 1])
    return render(request, "web/care_list.html", {
        "rows": rows[:PAGE], "more": len(rows) > PAGE, "today": today, "only_overdue": only_overdue,
        "plan": plan, "plan_month": month,
        "overdue_count": selectors.overdue(request.user, today).count(), "open_urges": _open_urges(request.user, today),
        **_labels()})


def _open_urges(actor, today) -> list[dict]:
    """The newest 督办 of each township still behind (issue 16 §5: missed visits, 督办 by the county)."""
    from jiuzhu.apps.care import supervision_selectors

    seen: set[str] = set()
    out = []
    for u in supervision_selectors.urges(actor, today):
        if u["urge"].region_id not in seen:
            seen.add(u["urge"].region_id)
            if u["overdue_now"]:
                out.append(u)
    return out


def _detail_context(request, profile, **extra) -> dict:
    return {"p": profile, "e": profile.enrollment, "person": profile.person,
            "guardians": list(selectors.guardians_of(profile)), "visits": list(selectors.visits_of(profile)[:24]),
            "assessments": list(selectors.assessments_of(profile)[:10]),
            "caregiver_flagged": selectors.caregiver_flagged(profile),
            **_supervision(profile),
            "today": timezone.localdate(), "errors": {}, "raw": {}, "form": "", **_labels(), **extra}


def _supervision(profile) -> dict:
    """The county's spot checks of the listed visits and the satisfaction surveys (issue 16 §6)."""
    from jiuzhu.apps.care import supervision_selectors
    from jiuzhu.rules import care_supervision

    checks: dict[int, list] = {}
    if profile.pk is None:  # not yet opened (a GET writes nothing): no checks, no surveys
        return {"visit_checks": checks, "surveys": [], "check_methods": care_supervision.CHECK_METHODS,
                "check_results": care_supervision.CHECK_RESULTS, "respondents": care_supervision.RESPONDENTS,
                "survey_items": care_supervision.SURVEY_ITEMS}
    for c in supervision_selectors.checks_of(profile):
        checks.setdefault(c.visit_id, []).append(c)
    return {"visit_checks": checks, "surveys": list(supervision_selectors.surveys_of(profile)),
            "check_methods": care_supervision.CHECK_METHODS, "check_results": care_supervision.CHECK_RESULTS,
            "respondents": care_supervision.RESPONDENTS, "survey_items": care_supervision.SURVEY_ITEMS}


FORMS = {"capacity": services.capacity_record, "assessment": services.assessment_record,
         "guardian": guardians.guardian_record, "placement": placements.placement_record}


def _form_data(request, form: str) -> dict:
    post = request.POST
    if form == "capacity":
        return {k: post.get(k, "").strip() for k in ("capacity", "capacity_basis", "capacity_detail", "capacity_on")}
    if form == "placement":
        data = {k: post.get(k, "").strip() for k in ("placement", "institution_kind", "institution", "caregiver",
                                                     "caregiver_phone", "caregiver_duties", "since", "reason")}
        return {**data, "care_fee": post.get("care_fee", "").strip() or None,
                "review_on": post.get("placement_review_on", "").strip() or None,
                "guardian_consent": post.get("guardian_consent") == "1"}
    if form == "assessment":
        return {"assessed_on": post.get("assessed_on", ""), "assessor": post.get("assessor", ""),
                "assessor_name": post.get("assessor_name", "").strip(), "adl_failed": post.getlist("adl_failed")}
    relatives = []
    for i in range(6):
        name = post.get(f"rel_name_{i}", "").strip()
        if name:
            relatives.append({"relation": post.get(f"rel_relation_{i}", ""), "name": name,
                              "able": post.get(f"rel_able_{i}") == "1"})
    return {"guardian_class": post.get("guardian_class", ""), "guardian_kind": post.get("guardian_kind", ""),
            "guardian_name": post.get("guardian_name", "").strip(), "guardian_phone": post.get("guardian_phone", ""),
            "relatives": relatives, "consent_by": post.get("consent_by", ""),
            "committee_capable": post.get("committee_capable") != "0", "duties": post.get("duties", "").strip(),
            "start": post.get("start", ""), "review_on": post.get("review_on", ""),
            "temporary": post.get("temporary") == "1"}


@login_required
@roles_required("care.read", "您的角色无权查看特困人员监护照护档案")
@scoped
@require_http_methods(["GET", "POST"])
def care_detail(request, enrollment_id: int):
    profile = services.profile_get(actor=request.user, enrollment_id=enrollment_id)
    if request.method == "GET":
        return render(request, "web/care_detail.html", _detail_context(request, profile))
    form = request.POST.get("form", "")
    if form not in FORMS:
        raise NotFound("not_found", "未知的表单")
    data = _form_data(request, form)
    try:
        FORMS[form](actor=request.user, enrollment_id=enrollment_id, data=data, now=timezone.now())
    except DomainError as exc:
        if exc.status == 403:
            raise
        profile = services.profile_get(actor=request.user, enrollment_id=enrollment_id)  # as it is now
        return render(request, "web/care_detail.html",
                      _detail_context(request, profile, errors=_errors(exc), raw=request.POST, form=form), status=400)
    return redirect(reverse("web:care_detail", args=[enrollment_id]) + f"#{form}")


@login_required
@roles_required("care.visit", "您的角色不能登记探视巡访（须由村(居)协理员或乡镇经办人办理）")
@scoped
@require_http_methods(["GET", "POST"])
def care_visit(request, enrollment_id: int):
    profile = services.profile_get(actor=request.user, enrollment_id=enrollment_id)
    ctx = {"p": profile, "person": profile.person, "today": timezone.localdate(), "errors": {}, "raw": {},
           "default_visitor": request.user.display_name or request.user.username, **_labels()}
    if request.method == "GET":
        return render(request, "web/care_visit.html", ctx)
    post = request.POST
    data = {"visited_on": post.get("visited_on", ""), "visitor_name": post.get("visitor_name", "").strip(),
            "findings": {k: post.get(f"finding_{k}", "") for k in rules.FINDINGS if post.get(f"finding_{k}")},
            "notes": post.get("notes", "").strip(), "needs": post.get("needs", "").strip(),
            "need_department": post.get("need_department", "")}
    photos = [(f.name, f.read()) for f in request.FILES.getlist("photos")[:rules_max_photos() + 1]]
    try:
        visits.visit_record(actor=request.user, enrollment_id=enrollment_id, data=data, photos=photos,
                            now=timezone.now())
    except DomainError as exc:
        if exc.status == 403:
            raise
        return render(request, "web/care_visit.html", {**ctx, "errors": _errors(exc), "raw": post}, status=400)
    return redirect(reverse("web:care_detail", args=[enrollment_id]) + "#visits")


def rules_max_photos() -> int:
    from jiuzhu.apps.care.files import MAX_PHOTOS

    return MAX_PHOTOS


@login_required
@roles_required("care.photo", "您的角色无权查看探视巡访照片")
@scoped
@require_GET
def care_photo(request, photo_id: int):
    photo, content = visits.photo_get(actor=request.user, photo_id=photo_id)
    response = HttpResponse(content, content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@roles_required("care.read", "您的角色无权查看监护照料协议")
@scoped
@require_GET
def care_agreement(request, guardianship_id: int):
    g, pdf = guardians.agreement_pdf(actor=request.user, guardianship_id=guardianship_id)
    return file_response(pdf, "application/pdf", filename=f"agreement-{g.pk}.pdf")


def file_response(content: bytes, content_type: str, *, filename: str = "") -> HttpResponse:
    """A document inline (``filename``) or a private scan (never cached)."""
    response = HttpResponse(content, content_type=content_type)
    if filename:
        response["Content-Disposition"] = f"inline; filename={filename}"
    else:
        response["Cache-Control"] = "private, no-store"
    return response


@login_required
@roles_required("care.photo", "您的角色无权查看监护协议扫描件")
@scoped
@require_GET
def care_agreement_signed(request, guardianship_id: int):
    from jiuzhu.apps.care.files import read

    g = guardians.guardianship_get(request.user, guardianship_id, lock=False)
    if not g.signed_path:
        raise NotFound("not_found", "尚未上传签字协议")
    return file_response(read(g.signed_path), g.signed_type)


@login_required
@roles_required("care.guardian", "您的角色不能终止监护关系（须由乡镇经办人或县民政办理）")
@scoped
@require_POST
def care_guardian_end(request, guardianship_id: int):
    g = guardians.guardianship_get(request.user, guardianship_id, lock=False)
    data = {"ended_on": request.POST.get("ended_on", ""), "end_reason": request.POST.get("end_reason", "").strip()}
    try:
        guardians.guardian_end(actor=request.user, guardianship_id=guardianship_id, data=data, now=timezone.now())
    except DomainError as exc:
        if exc.status == 403:
            raise
        profile = services.profile_get(actor=request.user, enrollment_id=g.profile.enrollment_id)
        return render(request, "web/care_detail.html", _detail_context(
            request, profile, end_errors={"for": g.pk, "message": exc.message}), status=400)
    return redirect(reverse("web:care_detail", args=[g.profile.enrollment_id]) + "#guardian")


@login_required
@roles_required("care.guardian", "您的角色不能上传签字监护照料协议（须由乡镇经办人或县民政办理）")
@scoped
@require_POST
def care_agreement_upload(request, guardianship_id: int):
    g = guardians.guardianship_get(request.user, guardianship_id, lock=False)
    upload = request.FILES.get("file")
    try:
        guardians.agreement_upload(actor=request.user, guardianship_id=guardianship_id,
                                   filename=upload.name if upload else "", content=upload.read() if upload else b"",
                                   now=timezone.now())
    except DomainError as exc:
        if exc.status == 403:
            raise
        profile = services.profile_get(actor=request.user, enrollment_id=g.profile.enrollment_id)
        return render(request, "web/care_detail.html", _detail_context(
            request, profile, errors={"file": exc.message}, upload_for=g.pk), status=400)
    return redirect(reverse("web:care_detail", args=[g.profile.enrollment_id]) + "#guardian")
