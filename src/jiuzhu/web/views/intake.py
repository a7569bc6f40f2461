"""一门受理 and referral tickets (issue 14 §4): the intake form from a household page, the intake with its
tickets and the applications it opens prefilled (基本生活 → 低保/特困, 急难 → 临时救助), the tickets per
department with filters, the overdue view (the township's list, the county's count per township) and one
ticket with its response and closing. Thin: parse → one selector or service → render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.monitoring import intake as services
from jiuzhu.apps.monitoring import intake_selectors as selectors
from jiuzhu.apps.monitoring.intake_person import OUTCOMES, intake_record_person
from jiuzhu.apps.monitoring.models import Referral
from jiuzhu.apps.regions.selectors import regions_in_scope, villages_in_scope
from jiuzhu.apps.registry import selectors as registry
from jiuzhu.apps.registry.choices import AreaType
from jiuzhu.apps.registry.minimal import NOT_FOR_MINIMAL
from jiuzhu.rules.errors import DomainError
from jiuzhu.rules.intake import INTAKE_DEPARTMENTS, NEED_DEPARTMENT, NEEDS
from jiuzhu.rules.monitoring import DEPARTMENTS

from .common import roles_required, scoped

INTAKE_FIELDS = ("person", "needs", "description", "departments", "note")
READ_DENIED = "您的角色无权查看转介记录"


def _errors(exc: DomainError, fields) -> dict:
    field = str(exc.details.get("field") or "").split(".")[0]
    return {field: exc.message} if field in fields else {"general": exc.message}


def _intake_context(request, hh, raw: dict, errors: dict) -> dict:
    terms = services.terms_for_region(hh.region_id, timezone.localdate())
    hint = {d: NEEDS[n] for n, d in NEED_DEPARTMENT.items()}
    return {"hh": hh, "members": registry.household_members(household=hh), "needs": terms.needs.items(),
            "departments": [(c, label, hint.get(c, "")) for c, label in terms.departments.items()],
            "due_wd": terms.due_wd, "due_source": terms.sources["intake.referral_due_wd"]["source"],
            "raw": raw, "errors": errors}


@login_required
@roles_required("intake.record", "您的角色不能登记一门受理")
@scoped
@require_http_methods(["GET", "POST"])
def intake_new(request, household_id: int):
    hh = registry.household_get(actor=request.user, household_id=household_id)
    if request.method == "GET":
        raw = {"person": str(hh.head_id or ""), "needs": [], "departments": []}
        return render(request, "web/intake_new.html", _intake_context(request, hh, raw, {}))
    post = request.POST
    raw = {"person": post.get("person", "").strip(), "needs": post.getlist("needs"),
           "departments": post.getlist("departments"), "description": post.get("description", "").strip(),
           "note": post.get("note", "").strip()}
    data = {"household": hh.pk, **{k: v for k, v in raw.items() if v or k in ("needs", "description")}}
    if raw["person"]:
        data["person"] = raw["person"]
    try:
        intake = services.intake_record(actor=request.user, data=data, now=timezone.now())
    except DomainError as exc:
        return render(request, "web/intake_new.html", _intake_context(request, hh, raw, _errors(exc, INTAKE_FIELDS)),
                      status=exc.status)
    messages.success(request, f"已受理，转介 {intake.referrals.count()} 个部门")
    return redirect("web:intake_detail", intake_id=intake.pk)


PERSON_FIELDS = ("name", "id_number", "phone", "address", "area_type")


def _person_errors(exc: DomainError) -> tuple[dict, dict]:
    """(errors of the person block by field, the others as ``_errors``)."""
    items = exc.details.get("errors") or [{"field": exc.details.get("field", ""), "message": exc.message}]
    person: dict[str, list[str]] = {}
    for item in items:
        field = str(item.get("field") or "")
        if field.startswith("person."):
            person.setdefault(field.split(".", 1)[1], []).append(item["message"])
    if person:
        return person, {}
    field = str(exc.details.get("field") or "")
    return {}, ({field: exc.message} if field in (*INTAKE_FIELDS, "place_region") else {"general": exc.message})


def _person_context(request, raw: dict, person: dict, errors: dict, person_errors: dict) -> dict:
    region = getattr(request.user, "region_id", "") or ""
    terms = services.terms_for_region(region, timezone.localdate())
    hint = {d: NEEDS[n] for n, d in NEED_DEPARTMENT.items()}
    return {"needs": terms.needs.items(), "departments": [(c, label, hint.get(c, "")) for c, label in
                                                          terms.departments.items()],
            "due_wd": terms.due_wd, "raw": raw, "errors": errors, "person": person, "person_errors": person_errors,
            "area_types": AreaType.choices, "villages": villages_in_scope(actor=request.user)}


@login_required
@roles_required("intake.record", "您的角色不能登记一门受理")
@require_http_methods(["GET", "POST"])
def intake_person_new(request):
    """一门受理 for a person without a registered household: the 临时登记 record and the intake in one form."""
    if request.method == "GET":
        raw = {"needs": [], "departments": [], "place_region": ""}
        return render(request, "web/intake_person.html",
                      _person_context(request, raw, {"area_type": AreaType.RURAL}, {}, {}))
    post = request.POST
    raw = {"needs": post.getlist("needs"), "departments": post.getlist("departments"),
           "description": post.get("description", "").strip(), "note": post.get("note", "").strip(),
           "place_region": post.get("place_region", "").strip()}
    person = {f: post.get(f"person_{f}", "").strip() for f in PERSON_FIELDS}
    data = {k: v for k, v in raw.items() if k != "place_region" and (v or k in ("needs", "description"))}
    try:
        intake, outcome = intake_record_person(actor=request.user, person=person, place_region=raw["place_region"],
                                               data=data, now=timezone.now())
    except DomainError as exc:
        person_errors, errors = _person_errors(exc)
        return render(request, "web/intake_person.html", _person_context(request, raw, person, errors, person_errors),
                      status=exc.status)
    messages.success(request, f"{OUTCOMES[outcome]}；已受理，转介 {intake.referrals.count()} 个部门")
    return redirect("web:intake_detail", intake_id=intake.pk)


def _applications(intake) -> list[dict]:
    """The applications the intake opens prefilled: 基本生活 → 低保/特困 (and 支出型临时救助), 急难 → 急难型."""
    hh = intake.household
    applicant = str(intake.person_id or hh.head_id or "")
    note = f"一门受理 {intake.number}：{intake.description}"[:500]
    out = []
    if "basic_living" in intake.needs and not hh.minimal:  # a 临时登记 record: see minimal_note
        for program, label in (("dibao", "申请低保"), ("tekun", "申请特困供养")):
            out.append({"label": label, "id": f"apply-{program}", "permission": "case.submit",
                        "url": reverse("web:case_new", args=[hh.pk]) + "?"
                        + urlencode({"program": program, "applicant": applicant, "note": note})})
    for need, kind, category, label in (("emergency", "emergency", "other", "登记急难型临时救助"),
                                        ("basic_living", "expenditure", "living", "登记支出型临时救助")):
        if need in intake.needs and not (hh.minimal and kind == "expenditure"):
            out.append({"label": label, "id": f"apply-{kind}", "permission": "temporary.record", "url": reverse("web:temporary_new", args=[hh.pk]) + "?"
                        + urlencode({"kind": kind, "category": category, "applicant": applicant,
                                     "circumstance": intake.description[:2000], "place_region": hh.region_id})})
    return out


@login_required
@scoped
@require_GET
def intake_detail(request, intake_id: int):
    intake = selectors.intake_get(actor=request.user, intake_id=intake_id)
    apps = [a for a in _applications(intake) if can(request.user, a["permission"])]
    return render(request, "web/intake_detail.html", {
        "intake": intake, "need_labels": [NEEDS.get(n, n) for n in intake.needs],
        "tickets": selectors.intake_tickets(intake), "department_labels": DEPARTMENTS, "applications": apps,
        "minimal_note": NOT_FOR_MINIMAL["application"] if intake.household.minimal else "",
        "today": timezone.localdate()})


def _filters(request) -> dict:
    g = request.GET
    page = g.get("page", "1")
    return {"department": g.get("department", "") if g.get("department", "") in DEPARTMENTS else "",
            "status": g.get("status", "") if g.get("status", "") in Referral.Status.values else "",
            "overdue": g.get("overdue", "") == "1", "region": g.get("region", "")[:12],
            "page": int(page) if page.isdigit() and 0 < int(page) < 10**6 else 1}


def _list(request, template: str, *, overdue: bool):
    f = _filters(request)
    today = timezone.localdate()
    rows, more = selectors.referral_list(actor=request.user, today=today, department=f["department"],
                                         status=f["status"], overdue=overdue or f["overdue"], region_code=f["region"],
                                         page=f["page"])
    params = request.GET.copy()
    params["page"] = f["page"] + 1
    context = {"rows": rows, "more": more, "provisional_note": any(r.due_provisional for r in rows), "next_url": "?" + params.urlencode(), "filters": f, "today": today,
               "departments": [(c, DEPARTMENTS[c]) for c in (*INTAKE_DEPARTMENTS, *[d for d in DEPARTMENTS
                                                                                    if d not in INTAKE_DEPARTMENTS])],
               "department_labels": DEPARTMENTS, "statuses": Referral.Status.choices,
               "townships": regions_in_scope(actor=request.user, level=4)}
    if overdue:
        context["by_township"] = selectors.overdue_by_township(actor=request.user, today=today)
    return render(request, template, context)


@login_required
@roles_required("monitoring.read", READ_DENIED)
@require_GET
def referral_list(request):
    return _list(request, "web/referral_list.html", overdue=False)


@login_required
@roles_required("monitoring.read", READ_DENIED)
@require_GET
def referral_overdue(request):
    return _list(request, "web/referral_overdue.html", overdue=True)


def _detail(request, referral, *, errors=None, raw=None, status=200):
    return render(request, "web/referral_detail.html", {
        "r": referral, "department": DEPARTMENTS.get(referral.department, referral.department),
        "need": NEEDS.get(referral.need, ""), "today": timezone.localdate(), "errors": errors or {}, "raw": raw or {},
        "can_act": can(request.user, "monitoring.dispose")}, status=status)


@login_required
@roles_required("monitoring.read", READ_DENIED)
@scoped
@require_GET
def referral_detail(request, referral_id: int):
    return _detail(request, selectors.referral_get(actor=request.user, referral_id=referral_id))


@login_required
@roles_required("monitoring.dispose", "您的角色不能登记部门反馈")
@scoped
@require_POST
def referral_respond(request, referral_id: int):
    referral = selectors.referral_get(actor=request.user, referral_id=referral_id)
    assisted = request.POST.get("assisted", "")
    raw = {"feedback": request.POST.get("feedback", "").strip(), "feedback_on": request.POST.get("feedback_on", "").strip(),
           "assisted": assisted}
    data: dict = {"feedback": raw["feedback"], "feedback_on": raw["feedback_on"] or None}
    if assisted in ("1", "0"):
        data["assisted"] = assisted == "1"
    try:
        services.referral_respond(actor=request.user, referral_id=referral.pk, data=data, now=timezone.now())
    except DomainError as exc:
        return _detail(request, referral, errors=_errors(exc, ("feedback", "assisted", "feedback_on")), raw=raw,
                       status=exc.status)
    messages.success(request, "已登记部门反馈")
    return redirect("web:referral_detail", referral_id=referral.pk)


@login_required
@roles_required("monitoring.dispose", "您的角色不能办结转介")
@scoped
@require_POST
def referral_close(request, referral_id: int):
    referral = selectors.referral_get(actor=request.user, referral_id=referral_id)
    raw = {"closing_note": request.POST.get("closing_note", "").strip()}
    try:
        services.referral_close(actor=request.user, referral_id=referral.pk, data=raw, now=timezone.now())
    except DomainError as exc:
        return _detail(request, referral, errors=_errors(exc, ("closing_note",)), raw=raw, status=exc.status)
    messages.success(request, "转介已办结")
    return redirect("web:referral_detail", referral_id=referral.pk)
