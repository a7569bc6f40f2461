"""Automatic follow-up of temporary assistance (issue 14 §3).

* A household helped by 支出型 assistance enters the low-income register (monitoring) as 临时救助 with the
  reason when its payments are closed (``ta_close_payments``), through the register's own service, once
  per case (R-TA-06 跟进救助; R-SYS-03 the monitored population).
* A household whose hardship is lasting — the decision said so, or at least
  ``temporary.lasting_min_cases`` temporary-assistance cases granted within
  ``temporary.lasting_window_months`` (rules/intake.py) — gets a suggestion to apply for dibao/特困,
  unless it already holds one or has an application open. The suggestion links the application forms
  with what is known already (programme, applicant, the reason)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q

from jiuzhu.apps.cases.config import region_config
from jiuzhu.apps.cases.models import Case, CaseRecord
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.monitoring.models import LowIncomeEntry
from jiuzhu.apps.monitoring.services import lowincome_register
from jiuzhu.apps.regions.scope import scope_filter
from jiuzhu.apps.registry.models import Household
from jiuzhu.rules.intake import intake_terms, lasting_hardship
from jiuzhu.rules.monitoring import months_back
from jiuzhu.rules.params.loader import load_policy

from .temporary_payloads import CATEGORIES

BASIC_PROGRAMS = ("dibao", "tekun")
LIST_LIMIT = 50


def close_payments(ctx):
    """``ta_close_payments``: the closing note, and for 支出型 the household's entry in the register."""
    ctx.record("ta_closed", ctx.payload.model_dump(mode="json"))
    if ctx.case.kind == "expenditure":
        register_expenditure(ctx.case, actor=ctx.actor, now=ctx.now, today=ctx.today)


def register_expenditure(case, *, actor, now, today: date) -> LowIncomeEntry:
    """The case's 临时救助 entry in the low-income register; the one already there when run again (the
    same case, or the same household registered as 临时救助 today by hand)."""
    known = (LowIncomeEntry.objects.filter(source_case=case).first()
             or LowIncomeEntry.objects.filter(household_id=case.household_id, category="temporary",
                                              recognized_on=today).first())
    if known is not None:
        return known
    intake = case.records.filter(kind="ta_intake").order_by("id").first()
    category = CATEGORIES.get((intake.data if intake else {}).get("category", ""), "")
    note = f"支出型临时救助（案件 {case.number}{'，' + category if category else ''}）已发放完毕，自动登记"
    entry = lowincome_register(actor=actor, now=now, source_case=case, data={
        "household": case.household_id, "category": "temporary", "recognized_on": today, "note": note[:300]})
    return entry


def _terms(region_code: str, today: date):
    return intake_terms(load_policy(region_config(region_code).policy), today)


def _covered(household_ids) -> set[int]:
    """Households already holding dibao/特困 or with such an application open."""
    live = set(Enrollment.objects.filter(household_id__in=household_ids, program__in=BASIC_PROGRAMS,
                                         status__in=Enrollment.LIVE).values_list("household_id", flat=True))
    return live | set(Case.objects.filter(household_id__in=household_ids, program__in=BASIC_PROGRAMS, is_open=True)
                      .values_list("household_id", flat=True))


def _prefill(household, reason: str) -> dict:
    """What the application form starts with (the web layer turns it into links)."""
    return {"applicant": str(household.head_id or ""), "note": f"临时救助跟进：{reason}，建议申请低保或特困供养"[:500],
            "programs": [("dibao", "低保"), ("tekun", "特困供养")]}


def _granted(qs, since: date):
    """Temporary-assistance cases opened since ``since`` that gave help: approved, or paid first (先行救助)."""
    return (qs.filter(program="temporary", submitted_at__date__gte=since)
            .filter(Q(decided_status="granted") | Q(decided_amount__gt=0))
            .exclude(state__in=("rejected", "withdrawn")))


def lasting_suggestion(household, today: date) -> dict | None:
    """{"reason", "prefill"} when the household's hardship is lasting and it has no dibao/特困 yet."""
    terms = _terms(household.region_id, today)
    since = months_back(today, terms.lasting_window_months)
    cases = _granted(Case.objects.filter(household=household), since)
    count = cases.count()
    if not count or household.pk in _covered([household.pk]):
        return None
    flagged = CaseRecord.objects.filter(case__in=cases, kind="ta_decision", data__lasting_hardship=True).exists()
    reason = lasting_hardship(count, flagged, terms)
    return {"reason": reason, "prefill": _prefill(household, reason)} if reason else None


def lasting_suggestions(*, actor, today: date) -> list[dict]:
    """The households in the actor's scope with a suggestion (the task list), at most ``LIST_LIMIT``.
    Candidates are found in one grouped query with the terms of the actor's region; each is then checked
    with its own region's terms (``lasting_suggestion``)."""
    if not getattr(actor, "region_id", None):
        return []
    terms = _terms(actor.region_id, today)
    granted = _granted(scope_filter(Case.objects.all(), actor), months_back(today, terms.lasting_window_months))
    rows = (granted.values("household_id")
            .annotate(n=Count("id", distinct=True),
                      flagged=Count("records", filter=Q(records__kind="ta_decision",
                                                        records__data__lasting_hardship=True)))
            .filter(Q(n__gte=terms.lasting_min_cases) | Q(flagged__gt=0))
            .order_by("-n", "household_id"))
    ids = [r["household_id"] for r in rows[:LIST_LIMIT * 2]]
    covered = _covered(ids)
    households = {h.pk: h for h in Household.objects.filter(pk__in=set(ids) - covered)}
    out = []
    for household_id in ids:
        suggestion = lasting_suggestion(households[household_id], today) if household_id in households else None
        if suggestion:
            out.append({"household": households[household_id], **suggestion})
        if len(out) >= LIST_LIMIT:
            break
    return out
