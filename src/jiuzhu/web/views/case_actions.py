"""One form per case action (built from that action's payload model) and file uploads (survey
photos, 一证一书 scans). A form is a page, or an htmx partial swapped into the case page.
Errors: 422 next to the field; 409/403 as a message on top; a case outside the user's region is 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.cases import selectors, services
from jiuzhu.apps.cases.files import DEFAULT_MAX, MAX_BYTES, attachment_add
from jiuzhu.apps.cases.payloads import PAYLOADS
from jiuzhu.apps.integrity import relatives_match
from jiuzhu.apps.programs.figures import comparison_or_none, verification_items
from jiuzhu.apps.registry import selectors as registry
from jiuzhu.rules.errors import DomainError, Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.workflow.states import ACTION_LABELS

from .. import case_display as display
from .. import case_forms, case_queries
from ..forms import parse_int
from .cases import case_page_context
from .common import scoped

ACTIONS = frozenset(a for a in PAYLOADS if a != "submit")
MEMBER_ACTIONS = frozenset({"record_verification"})


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _known(action: str):
    if action not in ACTIONS:
        raise NotFound("case.unknown_action", f"未知操作：{action}")


def _photo_ids(case) -> list[int]:
    return [a.pk for a in case_queries.case_attachments(case=case) if a.kind == "photo"]


def _context(request, case, action, *, raw, errors, version, blocked=False, upload_errors=None,
             items=None) -> dict:
    today = timezone.localdate()
    specs = case_forms.action_specs(action, case.program)
    allowed, guarded = selectors.case_actions(case=case, actor=request.user, today=today)
    label = ACTION_LABELS.get(action, action)
    if action not in allowed and not errors.general:
        reason = next((b["message"] for b in guarded if b["action"] == action), "")
        errors.general.append(f"暂不能办理“{label}”：{reason}" if reason
                              else f"案件当前为“{case.state_label}”，您现在不能执行“{label}”")
    ctx = {
        "case": case, "action": action, "label": label, "version": version, "errors": errors,
        "fields": case_forms.bind(specs, raw, errors.fields), "show_form": action in allowed and not blocked,
        "upload_errors": upload_errors or {}, "can_upload": can(request.user, "case.attach"),
        "register_match": action == "confirm" and relatives_match.has_register_match(case),
    }
    if action in MEMBER_ACTIONS:
        ctx["members"] = [m.person for m in registry.household_members(household=case.household)]
    if action == "record_verification":  # declared vs the items entered, under the county tolerance
        ctx["comparison"] = comparison_or_none(case, items or [], today)
    if action == "record_survey":
        ctx["photos"] = [a for a in case_queries.case_attachments(case=case) if a.kind == "photo"]
    if action == "initial_review" and ctx["show_form"]:
        names = {m.person_id: m.person.name for m in registry.household_members(household=case.household)}
        ctx["preview"] = display.proposal_view(case_queries.review_preview(case=case, today=today), names)
        ctx["comparison"] = comparison_or_none(case, verification_items(case) or [], today)  # the figures it used
    return ctx


def _render(request, ctx: dict, status: int = 200):
    template = "web/_case_action_form.html" if is_htmx(request) else "web/case_action.html"
    return render(request, template, ctx, status=status)


def _done(request, url: str):
    if is_htmx(request):
        response = HttpResponse("")
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@login_required
@scoped
@require_http_methods(["GET", "POST"])
def case_action(request, case_id: int, action: str):
    _known(action)
    case = selectors.case_get(actor=request.user, case_id=case_id)
    specs = case_forms.action_specs(action, case.program)
    if request.method == "GET":
        # The version of the page the user looked at (the button carries it), else the current one.
        version = parse_int(request.GET.get("v")) or case.version
        raw = case_forms.initial_values(specs)
        if action == "record_survey":
            raw["photos"] = _photo_ids(case)
        ctx = _context(request, case, action, raw=raw, errors=case_forms.ActionErrors(), version=version)
        return _render(request, ctx, 200 if ctx["show_form"] else 409)
    payload, raw = case_forms.parse(specs, request.POST)
    version = parse_int(request.POST.get("version"))
    try:
        services.case_act(actor=request.user, case_id=case.pk, action=action, payload=payload,
                          now=timezone.now(), version=version)
    except NotFound:
        raise
    except DomainError as exc:
        errors = case_forms.ActionErrors(exc, specs)
        blocked = not isinstance(exc, ValidationFailed)  # 409/403: refresh first, the form would fail again
        ctx = _context(request, case, action, raw=raw, errors=errors, version=version, blocked=blocked,
                       items=payload.get("items") if isinstance(payload, dict) else None)
        ctx["conflict"] = blocked
        return _render(request, ctx, exc.status)
    return _done(request, reverse("web:case_detail", args=[case.pk]))


@login_required
@require_POST
@scoped
def case_upload(request, case_id: int):
    """Upload a survey photo (JPEG/PNG) or a scan of 一证一书; the service checks type by content."""
    kind = request.POST.get("kind", "").strip()
    upload = request.FILES.get("file")
    # Read at most one byte past the limit: the service refuses anything longer without us holding it all.
    content = upload.read(MAX_BYTES.get(kind, DEFAULT_MAX) + 1) if upload else b""
    survey = request.POST.get("back") == "survey"
    checked = [int(v) for v in request.POST.getlist("photos") if v.isdigit()]
    try:
        att = attachment_add(actor=request.user, case_id=case_id, kind=kind, filename=getattr(upload, "name", ""),
                             content=content, now=timezone.now())
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        case = selectors.case_get(actor=request.user, case_id=case_id)
        upload_errors = {str(exc.details.get("field") or "file"): [exc.message]}
        if survey and is_htmx(request):
            return render(request, "web/_case_photos.html", _photos_ctx(case, checked, upload_errors),
                          status=exc.status)
        if survey:
            raw = {"photos": checked}
            ctx = _context(request, case, "record_survey", raw=raw, errors=case_forms.ActionErrors(),
                           version=parse_int(request.POST.get("version")) or case.version,
                           upload_errors=upload_errors)
            return render(request, "web/case_action.html", ctx, status=exc.status)
        return render(request, "web/case_detail.html",
                      case_page_context(request, case, upload_errors=upload_errors), status=exc.status)
    if survey and is_htmx(request):
        case = selectors.case_get(actor=request.user, case_id=case_id)
        return render(request, "web/_case_photos.html", _photos_ctx(case, checked + [att.pk], {}))
    if survey:
        return redirect(reverse("web:case_action", args=[case_id, "record_survey"]))
    return redirect(reverse("web:case_detail", args=[case_id]) + "#files")


def _photos_ctx(case, checked: list[int], upload_errors: dict) -> dict:
    photos = [a for a in case_queries.case_attachments(case=case) if a.kind == "photo"]
    field = case_forms.Bound(case_forms.Spec("photos", "现场照片", "photos"), "photos", checked, [])
    return {"case": case, "photos": photos, "f": field, "upload_errors": upload_errors}
