"""Reads for monitoring, always through the actor's region scope: the alert queue (by township), one
alert with its referrals, the counts by type and outcome for the chart, recent scans."""

from __future__ import annotations

from datetime import date

from django.db.models import Count

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.regions.codes import is_valid_code, subtree_range
from jiuzhu.apps.regions.scope import in_scope, scope_filter
from jiuzhu.rules.errors import Forbidden, NotFound
from jiuzhu.rules.monitoring import ALERT_TYPE_LABELS, DISPOSITIONS

from .models import Alert, MonitorScan

PAGE = 100


def _reader(actor):
    if not can(actor, "monitoring.read"):
        raise Forbidden("monitor.read_role", "您的角色无权查看监测预警")


def _scoped(actor, region_code: str = ""):
    qs = scope_filter(Alert.objects.all(), actor)
    if region_code and is_valid_code(region_code) and in_scope(actor, region_code):
        low, high = subtree_range(region_code)
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    return qs


def alerts_queue(*, actor, today: date, type: str = "", status: str = "", overdue: bool = False,
                 region_code: str = "", page: int = 1, strict: bool = False):
    """(alerts of the page, has next page): open ones first by due date, then the rest newest first.
    ``strict``: a region outside the actor's scope is "not found" instead of ignored (the API)."""
    _reader(actor)
    if strict and region_code and not (is_valid_code(region_code) and in_scope(actor, region_code)):
        raise NotFound("not_found", f"区划 {region_code} 不存在或不在您的管辖范围内", field="region")
    qs = _scoped(actor, region_code)
    if type in ALERT_TYPE_LABELS:
        qs = qs.filter(type=type)
    if status in Alert.Status.values:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(due_date__lt=today).exclude(status=Alert.Status.CLOSED)
    page = max(int(page or 1), 1)
    rows = list(qs.select_related("person", "household", "region").order_by("status", "due_date", "id")
                [(page - 1) * PAGE: page * PAGE + 1])
    return rows[:PAGE], len(rows) > PAGE


def alert_get(*, actor, alert_id) -> Alert:
    _reader(actor)
    alert = None
    if str(alert_id).isdigit() and int(alert_id) < 2**63:
        alert = (Alert.objects.select_related("person", "household", "region", "scan", "disposed_by", "recheck_case")
                 .filter(pk=alert_id).first())
    if alert is None or not in_scope(actor, alert.region_id):
        raise NotFound("not_found", "预警不存在或不在您的管辖范围内")
    return alert


def alert_referrals(*, actor, alert: Alert) -> list:
    _reader(actor)
    return list(alert.referrals.select_related("sent_by", "feedback_by").order_by("id"))


def alert_counts(*, actor, region_code: str = "") -> dict:
    """{type: {outcome: n}} where the outcome is the disposition, or 待处置 for open alerts."""
    _reader(actor)
    out: dict = {t: {} for t in ALERT_TYPE_LABELS}
    rows = _scoped(actor, region_code).values("type", "disposition").annotate(n=Count("id")).order_by()
    for r in rows:
        outcome = r["disposition"] or "pending"
        out.setdefault(r["type"], {})[outcome] = out.get(r["type"], {}).get(outcome, 0) + r["n"]
    return out


def chart_data(counts: dict) -> dict:
    """Stacked bars: one bar per alert type, one series per outcome (待处置 + the four of R-SYS-06)."""
    outcomes = [("pending", "待处置"), *DISPOSITIONS.items()]
    types = list(ALERT_TYPE_LABELS)
    return {"categories": [ALERT_TYPE_LABELS[t] for t in types],
            "series": [{"name": label, "data": [counts.get(t, {}).get(code, 0) for t in types]}
                       for code, label in outcomes]}


def scans_recent(*, actor, limit: int = 10) -> list[MonitorScan]:
    _reader(actor)
    return list(scope_filter(MonitorScan.objects.all(), actor).select_related("region").order_by("-id")[:limit])

