"""Case list, case page, starting a case from a household, and attachment files.
Thin: parse → authorize (scope lives in the selectors) → one service/selector → render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.accounts.staff import staff_near
from jiuzhu.apps.cases import case_filters, selectors, services
from jiuzhu.apps.cases import registry as engine_registry
from jiuzhu.apps.cases.files import KINDS, attachment_bytes
from jiuzhu.apps.cases.models import Channel
from jiuzhu.apps.cases.payloads import SubmitPayload
from jiuzhu.apps.integrity import relatives_match
from jiuzhu.apps.integrity import selectors as integrity_selectors
from jiuzhu.apps.payments.claims import claims_of
from jiuzhu.apps.programs.figures import comparison_or_none, verification_items
from jiuzhu.apps.registry import selectors as registry
from jiuzhu.rules.errors import DomainError, NotFound
from jiuzhu.rules.workflow.states import ACTION_LABELS, PROGRAM_LABELS, STATE_LABELS

from .. import case_display as display
from .. import case_forms, case_queries
from ..forms import parse_int
from . import case_documents
from .common import roles_required, scoped

LIST_PAGE_SIZE = 50
SCAN_KINDS = [(k, v) for k, v in KINDS.items() if k != "photo"]  # 一证一书 and other scans
SUBMIT_EXTRA = ("program", "applicant", "channel")
VILLAGE_POSTS = ("村(居)委会主任", "村(居)委会委员", "村党组织书记", "村(居)务监督委员会成员")


@login_required
def case_list(request):
    """Filters by GET (township, village, program, state, overdue, submission dates, name), newest first,
    paged by id; a bad or out-of-scope filter is shown under its field and lists nothing."""
    errors: dict[str, str] = {}
    try:
        filters = case_filters.parse_filters(request.user, request.GET)
    except DomainError as exc:
        errors = {e["field"]: e["message"] for e in exc.details.get("errors", [])}
        filters = None
    rows: list = []
    if filters is not None:
        qs = case_filters.cases_filtered(actor=request.user, filters=filters)
        after = parse_int(request.GET.get("after"))
        rows = list((qs.filter(pk__lt=after) if after else qs)[:LIST_PAGE_SIZE + 1])
    more, rows = len(rows) > LIST_PAGE_SIZE, rows[:LIST_PAGE_SIZE]
    params = filters.as_params() if filters else {}
    shown = {k: request.GET.get(k, "").strip() for k in case_filters.FIELDS}
    next_url = "?" + urlencode({**params, "after": rows[-1].pk}) if more and rows else ""
    return render(request, "web/case_list.html", {
        "cases": rows, "filters": shown, "errors": errors, "next_url": next_url,
        "first_url": "?" + urlencode(params), "paged": bool(request.GET.get("after")),
        "query": urlencode(params), "may_export_full": can(request.user, "pii.view_full"),
        "states": STATE_LABELS.items(), "programs": PROGRAM_LABELS.items(), "today": timezone.localdate(),
        **case_filters.filter_regions(actor=request.user, township=filters.township if filters else ""),
    }, status=422 if errors else 200)


def case_page_context(request, case, **extra) -> dict:
    """Everything the case page shows for this user (used again when an upload fails)."""
    today = timezone.localdate()
    members = registry.household_members(household=case.household)
    attachments = case_queries.case_attachments(case=case)
    allowed, blocked = selectors.case_actions(case=case, actor=request.user, today=today)
    return {
        "case": case, "today": today,
        "actions": [(a, ACTION_LABELS.get(a, a)) for a in allowed], "blocked": blocked,
        "deadlines": (deadline_rows := display.deadline_rows(selectors.case_deadlines(case=case), today)),
        "provisional_deadlines": any(d["provisional"] for d in deadline_rows),
        "timeline": display.timeline_rows(selectors.case_timeline(case=case)),
        "records": display.record_rows(case_queries.case_records(case=case),
                                       {m.person_id: m.person.name for m in members}),
        "proposal": display.proposal_view(case.proposal, {m.person_id: m.person.name for m in members}),
        "notices": display.notice_rows(case_queries.case_notices(case=case)),
        # the figures the case uses: 核对 over declaration, item by item (issue 13 §1)
        "comparison": comparison_or_none(case, verification_items(case) or [], today),
        "scans": [a for a in attachments if a.kind != "photo"],
        "photos": [a for a in attachments if a.kind == "photo"],
        "kind_labels": KINDS, "scan_kinds": SCAN_KINDS,
        "can_upload": can(request.user, "case.attach") and (case.is_open or case.state == "approved"),
        "channel_label": display.CHANNEL_LABELS.get(case.channel, case.channel),
        "upload_errors": extra.pop("upload_errors", {}),
        **case_documents.documents_section(request, case, today),
        # 失信 records of the household's members and the 守信承诺 (issue 15 §1)
        "credit_records": integrity_selectors.household_records(household_id=case.household_id, today=today)
        if can(request.user, "integrity.read") else [],
        "integrity_pledge": integrity_selectors.case_pledge(case),
        # registered near relatives of staff in the household (issue 15 §4; read once, with the guards)
        "staff_relatives": relatives_match.case_relatives(case),
        # each payment of the case once, with its channel and, by bank, the payroll line (issue 14 §2)
        "payments": claims_of(case.pk),
        **extra,
    }


@login_required
@scoped
@require_GET
def case_detail(request, case_id: int):
    case = selectors.case_get(actor=request.user, case_id=case_id)
    return render(request, "web/case_detail.html", case_page_context(request, case))


def _submit_context(request, hh, raw: dict, errors) -> dict:
    specs = case_forms.specs_for(SubmitPayload)
    role_channels = services.ROLE_CHANNELS.get(request.user.role, set())
    memberships = registry.household_members(household=hh)
    staff = staff_near(region_code=hh.region_id)
    return {
        # the member drop-downs of the form (近亲属申报) list people; the applicant drop-down memberships
        "hh": hh, "memberships": memberships, "members": [m.person for m in memberships],
        "staff": staff, "staff_posts": sorted({s["post"] for s in staff} | set(VILLAGE_POSTS)),
        "fields": case_forms.bind(specs, raw, errors.fields),
        # programs that open their cases with their own form (临时救助) or page (低收入家庭认定, /lowincome/)
        "programs": [(k, v) for k, v in PROGRAM_LABELS.items()
                     if engine_registry.program_submit(k) is None and k != "lowinc"],
        "channels": [(c.value, c.label) for c in Channel if c in role_channels],
        "raw": raw, "errors": errors,
    }


@login_required
@roles_required("case.submit", "您的角色不能提交申请")
@scoped
@require_http_methods(["GET", "POST"])
def case_new(request, household_id: int):
    hh = registry.household_get(actor=request.user, household_id=household_id)
    specs = case_forms.specs_for(SubmitPayload)
    if request.method == "GET":
        raw = {**case_forms.initial_values(specs), "program": "dibao", "applicant": str(hh.head_id or ""),
               "channel": "village" if request.user.role == "village_assistant" else "window"}
        raw.update(_prefill(request.GET))
        return render(request, "web/case_new.html", _submit_context(request, hh, raw, case_forms.ActionErrors()))
    payload, raw = case_forms.parse(specs, request.POST)
    raw.update({k: request.POST.get(k, "").strip() for k in SUBMIT_EXTRA})
    try:
        case = services.case_submit(actor=request.user, program=raw["program"], household_id=hh.pk,
                                    applicant_id=raw["applicant"], channel=raw["channel"], payload=payload,
                                    now=timezone.now())
    except NotFound:
        raise
    except DomainError as exc:
        errors = case_forms.ActionErrors(exc, specs, extra_fields=SUBMIT_EXTRA)
        return render(request, "web/case_new.html", _submit_context(request, hh, raw, errors), status=exc.status)
    return redirect("web:case_detail", case_id=case.pk)


def _prefill(query) -> dict:
    """What a link from 一门受理 or a follow-up suggestion already knows (issue 14 §3, §4): the programme,
    the applicant and a note; the form is still checked on submit like any other."""
    out = {}
    if query.get("program", "") in PROGRAM_LABELS:
        out["program"] = query["program"]
    if query.get("applicant", "").isdigit():
        out["applicant"] = query["applicant"]
    if query.get("note"):
        out["note"] = query["note"][:500]
    return out


@login_required
@scoped
@require_GET
def case_file(request, case_id: int, attachment_id: int):
    att = case_queries.attachment_get(actor=request.user, case_id=case_id, attachment_id=attachment_id)
    response = HttpResponse(attachment_bytes(att), content_type=att.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    disposition = "inline" if att.content_type.startswith("image/") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{att.pk}.{att.path.rsplit(".", 1)[-1]}"'
    return response

