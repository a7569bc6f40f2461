"""Declared income (per member, by kind) and household assets on the household page: add, change and
delete items. Thin: parse → one registry service → redirect, or the page again with the errors
next to the fields of the form that failed (422)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jiuzhu.apps.registry import declared, selectors
from jiuzhu.rules.declared import ASSET_KINDS
from jiuzhu.rules.errors import DomainError, NotFound

from .. import forms
from .common import roles_required, scoped
from .households import WRITE_DENIED, detail_context

FIELD_NAMES = ("kind", "amount", "period", *ASSET_KINDS)


def _errors(exc: DomainError) -> dict:
    fields: dict[str, list[str]] = {}
    general = []
    for item in forms.error_items(exc):
        name = (item.get("field") or "").split(".")[0]
        if name in FIELD_NAMES:
            fields.setdefault(name, []).append(item["message"])
        else:
            general.append(item["message"])
    return {"fields": fields, "general": general}


def _page_with_errors(request, household_id: int, exc: DomainError, form: str, values: dict):
    hh = selectors.household_get(actor=request.user, household_id=household_id)
    ctx = detail_context(request, hh, declared_form=form, declared_values=values, declared_errors=_errors(exc))
    return render(request, "web/household_detail.html", ctx, status=exc.status)


def _url(household_id: int, anchor: str) -> str:
    return reverse("web:household_detail", args=[household_id]) + f"#{anchor}"


def _post(request, names) -> dict:
    return {k: request.POST.get(k, "").strip() for k in names if request.POST.get(k, "").strip() != ""}


@login_required
@require_POST
@roles_required("registry.write", WRITE_DENIED)
@scoped
def income_set(request, household_id: int, person_id: int):
    data = _post(request, ("kind", "amount", "period"))
    try:
        declared.declared_income_set(actor=request.user, household_id=household_id, person_id=person_id, data=data)
    except NotFound:
        raise
    except DomainError as exc:
        return _page_with_errors(request, household_id, exc, f"income-{person_id}", data)
    return redirect(_url(household_id, f"declared-{person_id}"))


@login_required
@require_POST
@roles_required("registry.write", WRITE_DENIED)
@scoped
def income_clear(request, household_id: int, person_id: int):
    kind = request.POST.get("kind", "").strip()
    try:
        declared.declared_income_clear(actor=request.user, household_id=household_id, person_id=person_id, kind=kind)
    except NotFound:
        raise
    except DomainError as exc:
        return _page_with_errors(request, household_id, exc, f"income-{person_id}", {"kind": kind})
    return redirect(_url(household_id, f"declared-{person_id}"))


@login_required
@require_POST
@roles_required("registry.write", WRITE_DENIED)
@scoped
def assets_update(request, household_id: int):
    data = _post(request, ASSET_KINDS)
    try:
        declared.declared_assets_update(actor=request.user, household_id=household_id, data=data,
                                        version=forms.parse_int(request.POST.get("version")))
    except NotFound:
        raise
    except DomainError as exc:
        return _page_with_errors(request, household_id, exc, "assets", data)
    return redirect(_url(household_id, "declared-assets"))
