"""Recording a 临时救助 case from a household (issue 14 §1): 急难型 at the township where it happened,
支出型 with the household's township. The case page afterwards is the generic one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from jiuzhu.apps.cases import services
from jiuzhu.apps.programs.temporary_payloads import TemporarySubmitPayload
from jiuzhu.apps.programs.temporary_person import temporary_submit_person
from jiuzhu.apps.regions.selectors import villages_in_scope
from jiuzhu.apps.registry import selectors as registry
from jiuzhu.apps.registry.choices import AreaType
from jiuzhu.apps.registry.minimal import NOT_FOR_MINIMAL
from jiuzhu.rules.errors import DomainError, NotFound

from .. import case_forms
from .common import roles_required, scoped

EXTRA = ("applicant",)
SELECTS = ("place_region",)
PREFILL = ("kind", "category", "circumstance", "occurred_on", "need")


def _context(request, hh, raw: dict, errors, duplicate=None) -> dict:
    specs = case_forms.specs_for(TemporarySubmitPayload)
    fields = [f for f in case_forms.bind(specs, raw, errors.fields) if f.spec.name not in SELECTS]
    return {"hh": hh, "memberships": registry.household_members(household=hh), "fields": fields,
            "villages": villages_in_scope(actor=request.user), "raw": raw, "errors": errors, "duplicate": duplicate,
            "minimal_note": NOT_FOR_MINIMAL["expenditure"]}


@login_required
@roles_required("temporary.record", "您的角色不能登记临时救助")
@scoped
@require_http_methods(["GET", "POST"])
def temporary_new(request, household_id: int):
    hh = registry.household_get(actor=request.user, household_id=household_id)
    specs = case_forms.specs_for(TemporarySubmitPayload)
    if request.method == "GET":
        raw = {**case_forms.initial_values(specs), "kind": "emergency", "applicant": str(hh.head_id or ""),
               "place_region": hh.residence_region_id or hh.region_id}
        # prefilled from 一门受理 (issue 14 §4): only the form's own fields, checked again on submit
        raw.update({k: request.GET[k][:2000] for k in (*PREFILL, *EXTRA, *SELECTS) if request.GET.get(k)})
        return render(request, "web/temporary_new.html", _context(request, hh, raw, case_forms.ActionErrors()))
    payload, raw = case_forms.parse(specs, request.POST)
    raw.update({k: request.POST.get(k, "").strip() for k in EXTRA + SELECTS})
    payload["place_region"] = raw["place_region"]
    channel = "village" if request.user.role == "village_assistant" else "window"
    try:
        case = services.case_submit(actor=request.user, program="temporary", household_id=hh.pk,
                                    applicant_id=raw["applicant"], channel=channel, payload=payload,
                                    now=timezone.now())
    except NotFound as exc:
        if exc.details.get("field") != "place_region":
            raise
        errors = case_forms.ActionErrors(exc, specs, extra_fields=EXTRA + SELECTS)
        return render(request, "web/temporary_new.html", _context(request, hh, raw, errors), status=exc.status)
    except DomainError as exc:
        errors = case_forms.ActionErrors(exc, specs, extra_fields=EXTRA + SELECTS)
        duplicate = exc.details if exc.code == "ta.duplicate_emergency" else None
        return render(request, "web/temporary_new.html", _context(request, hh, raw, errors, duplicate),
                      status=exc.status)
    return redirect("web:case_detail", case_id=case.pk)


PERSON_FIELDS = ("name", "id_number", "phone", "address", "area_type")
PERSON_EXTRA = tuple(f"person.{f}" for f in PERSON_FIELDS) + SELECTS + ("kind",)


def _person_context(request, raw: dict, person: dict, errors, duplicate=None) -> dict:
    specs = case_forms.specs_for(TemporarySubmitPayload)
    fields = [f for f in case_forms.bind(specs, raw, errors.fields) if f.spec.name not in (*SELECTS, "kind")]
    person_errors = {k.split(".", 1)[1]: v for k, v in errors.fields.items() if k.startswith("person.")}
    return {"fields": fields, "villages": villages_in_scope(actor=request.user), "raw": raw, "person": person,
            "person_errors": person_errors, "kind_errors": errors.fields.get("kind"), "errors": errors,
            "duplicate": duplicate, "area_types": AreaType.choices}


@login_required
@roles_required("temporary.record", "您的角色不能登记临时救助")
@scoped
@require_http_methods(["GET", "POST"])
def temporary_person_new(request):
    """无登记家庭人员急难救助: the person (a minimal record) and the emergency, in one form (issue 14 §1)."""
    specs = case_forms.specs_for(TemporarySubmitPayload)
    if request.method == "GET":
        raw = {**case_forms.initial_values(specs), "kind": "emergency"}
        person = {"area_type": AreaType.RURAL}
        return render(request, "web/temporary_person_new.html",
                      _person_context(request, raw, person, case_forms.ActionErrors()))
    payload, raw = case_forms.parse(specs, request.POST)
    payload["kind"] = raw["kind"] = "emergency"
    payload["place_region"] = raw["place_region"] = request.POST.get("place_region", "").strip()
    person = {f: request.POST.get(f"person_{f}", "").strip() for f in PERSON_FIELDS}
    channel = "village" if request.user.role == "village_assistant" else "window"
    try:
        result = temporary_submit_person(actor=request.user, person=person, channel=channel, payload=payload,
                                         now=timezone.now())
    except NotFound as exc:
        if exc.details.get("field") != "place_region":
            raise
        errors = case_forms.ActionErrors(exc, specs, extra_fields=PERSON_EXTRA)
        return render(request, "web/temporary_person_new.html", _person_context(request, raw, person, errors),
                      status=exc.status)
    except DomainError as exc:
        errors = case_forms.ActionErrors(exc, specs, extra_fields=PERSON_EXTRA)
        duplicate = exc.details if exc.code == "ta.duplicate_emergency" else None
        return render(request, "web/temporary_person_new.html",
                      _person_context(request, raw, person, errors, duplicate), status=exc.status)
    messages.success(request, f"{result.message}；已登记急难型临时救助 {result.case.number}")
    return redirect("web:case_detail", case_id=result.case.pk)
