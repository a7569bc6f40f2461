"""Household list, detail, create and edit: parse → authorize → one service/selector → render."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from jiuzhu.apps.programs.temporary_followup import lasting_suggestion
from jiuzhu.apps.regions.selectors import villages_in_scope
from jiuzhu.apps.registry import declared, selectors, services
from jiuzhu.apps.registry.choices import AreaType
from jiuzhu.apps.registry.minimal import NOT_FOR_MINIMAL
from jiuzhu.rules.errors import DomainError, NotFound

from .. import case_queries, forms
from ..followup_links import with_links
from .common import roles_required, scoped

WRITE_DENIED = "您的角色无权登记或修改家庭信息"
LIST_PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def household_list(request):
    """The search form posts (an ID number never travels in a URL, so never in an access log or a
    Referer); name and filter pages stay linkable by GET."""
    source = request.POST if request.method == "POST" else request.GET
    filters = selectors.HouseholdFilter(
        q=source.get("q", "").strip()[:50],
        village=source.get("village", "").strip()[:12],
        area_type=source.get("area_type", "").strip()[:8],
    )
    page = selectors.households_page(actor=request.user, filters=filters,
                                     after=forms.parse_int(request.GET.get("after")), limit=LIST_PAGE_SIZE)
    # An ID number (or a run of its digits) is never put into a link: it finds one household at most.
    linkable_q = "" if selectors.is_id_number(filters.q) or re.search(r"\d{6}", filters.q) else filters.q
    params = {k: v for k, v in (("q", linkable_q),
                                ("village", filters.village), ("area_type", filters.area_type)) if v}
    next_url = "?" + urlencode({**params, "after": page.next_after}) if page.next_after else ""
    return render(request, "web/household_list.html", {
        "page": page, "filters": filters, "next_url": next_url, "paged": bool(request.GET.get("after")),
        "first_url": "?" + urlencode(params), "villages": villages_in_scope(actor=request.user),
        "area_types": AreaType.choices,
        "export_query": urlencode({k: v for k, v in (("name", linkable_q), ("village", filters.village),
                                                      ("area_type", filters.area_type)) if v}),
    })


def declared_context(members) -> dict:
    """The declaration the rules read: each member's income by kind (monthly), the household's assets."""
    rows = [{"person": ms.person, "form": f"income-{ms.person_id}", "items": declared.income_rows(ms.person)}
            for ms in members]
    for row in rows:
        row["total"] = sum((i["monthly"] for i in row["items"]), declared.CENT * 0)
    return {"members": rows, "income_kinds": list(declared.INCOME_LABELS.items()),
            "periods": list(declared.PERIODS.items())}


def _asset_fields(hh, posted: dict | None) -> list[tuple[str, str, str]]:
    """(name, label, value) of the assets form: what was posted after an error, else the declaration."""
    current = declared.declared_assets_of(hh)
    return [(k, label, posted.get(k, "") if posted is not None else str(current[k]))
            for k, label in declared.ASSET_INPUT_LABELS.items()]


def minimal_limits() -> list[tuple[str, str]]:
    return [("申请低保、特困供养", NOT_FOR_MINIMAL["application"]), ("支出型临时救助", NOT_FOR_MINIMAL["expenditure"])]


def detail_context(request, hh, **extra) -> dict:
    members = selectors.household_members(household=hh)
    return {
        "hh": hh,
        "members": members,
        "declared": declared_context(members),
        "asset_rows": declared.asset_rows(hh),
        "asset_fields": _asset_fields(hh, extra.get("declared_values") if extra.get("declared_form") == "assets" else None),
        "history": selectors.household_history(household=hh),
        "obligors": selectors.household_obligors(household=hh),
        "cases": case_queries.household_cases(actor=request.user, household_id=hh.pk),
        # a 临时登记 record: no application buttons nor suggestion, the reasons instead (issue 14 loose end)
        "followup": None if hh.minimal else with_links(lasting_suggestion(hh, timezone.localdate()), hh.pk),
        "minimal_limits": minimal_limits() if hh.minimal else [],
        "choices": forms.CHOICES,
        "add_member": extra.pop("add_member", forms.blank_member()),
        "add_errors": extra.pop("add_errors", forms.FormErrors()),
        **extra,
    }


@login_required
@scoped
def household_detail(request, household_id: int):
    hh = selectors.household_get(actor=request.user, household_id=household_id)
    return render(request, "web/household_detail.html", detail_context(request, hh))


def _form_context(request, **extra) -> dict:
    return {"villages": villages_in_scope(actor=request.user), "area_types": AreaType.choices,
            "choices": forms.CHOICES, "blank_row": {"values": forms.blank_member(), "errors": {}}, **extra}


@login_required
@roles_required("registry.write", WRITE_DENIED)
@require_http_methods(["GET", "POST"])
def household_create(request):
    if request.method == "GET":
        villages = villages_in_scope(actor=request.user)
        # Defaults so an untouched form can pass: the user's own village (or the only one in reach);
        # the residence stays "与户籍地相同" (the service takes the registration village).
        codes = [v.code for v in villages]
        own = request.user.region_id if request.user.region_id in codes else (codes[0] if len(codes) == 1 else "")
        return render(request, "web/household_form.html", _form_context(
            request, values={"area_type": "rural", "region_code": own, "residence_region_code": ""},
            rows=forms.member_rows([]), errors=forms.FormErrors()))
    data, rows = forms.household_data_from_post(request.POST)
    as_of = timezone.localdate()
    try:
        hh = services.household_create(actor=request.user, data=data, as_of=as_of)
    except DomainError as exc:
        errors = forms.FormErrors(forms.error_items(exc))
        return render(request, "web/household_form.html", _form_context(
            request, values=data, rows=forms.member_rows(rows, errors), errors=errors), status=422)
    return redirect("web:household_detail", household_id=hh.pk)


@login_required
@roles_required("registry.write", WRITE_DENIED)
@scoped
@require_http_methods(["GET", "POST"])
def household_edit(request, household_id: int):
    if request.method == "GET":
        hh = selectors.household_get(actor=request.user, household_id=household_id)
        values = {"residence_region_code": hh.residence_region_id, "area_type": hh.area_type,
                  "address": hh.address, "bank_name": hh.bank_name}
        return render(request, "web/household_form.html", _form_context(
            request, hh=hh, values=values, version=hh.version, errors=forms.FormErrors()))
    data = forms.household_edit_data_from_post(request.POST)
    version = forms.parse_int(request.POST.get("version"))
    try:
        hh = services.household_update(actor=request.user, household_id=household_id, data=data,
                                       version=version, as_of=timezone.localdate())
    except NotFound:
        raise
    except DomainError as exc:
        hh = selectors.household_get(actor=request.user, household_id=household_id)
        return render(request, "web/household_form.html", _form_context(
            request, hh=hh, values=data, version=version,
            errors=forms.FormErrors(forms.error_items(exc))), status=exc.status)
    return redirect("web:household_detail", household_id=hh.pk)
