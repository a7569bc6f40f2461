"""The 特困监护照护 section of the county dashboard (issue 16 §7), for users with ``care.supervise``:
persons by placement and by care-fee class, last month's visit completion, overdue visits now,
this quarter's satisfaction and the running 摸底 campaigns' progress — by township, in the user's
region (or the township chosen in the dashboard's filter). Same panels as the statistics (chart,
table, xlsx sheet), each linking to its care page; read from the care selectors (grouped queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.urls import reverse

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.care import figures, selectors
from jiuzhu.apps.stats.panels import Panel
from jiuzhu.rules import care as rules
from jiuzhu.rules.care_supervision import quarter_of, quarter_start

PREFIX = "care_"


@dataclass
class CarePanel(Panel):
    link: str = ""
    link_text: str = ""


def _percent(part: int, whole: int) -> float:
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))) if whole else 0.0


def _chart(categories: list[str], series: list[tuple[str, list]]) -> dict:
    return {"categories": categories, "series": [{"name": name, "data": data} for name, data in series]}


def _scoped(user, township: str | None):
    """The user, or the same user narrowed to the township already checked by the dashboard's filter."""
    if not township:
        return user
    return SimpleNamespace(region_id=township, is_active=user.is_active, role=getattr(user, "role", ""), pk=user.pk)


def last_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def by_class(counts: dict, total: int, labels: dict, missing: str) -> list[tuple[str, int]]:
    """(label, persons) for each class; those without one recorded under ``missing``."""
    out = [(label, counts.get(code, 0)) for code, label in labels.items()]
    rest = total - sum(n for _, n in out)
    if rest:
        out.append((missing, rest))
    return out


def _class_panel(key: str, title: str, rows: list[tuple[str, int]], link: str, note: str) -> CarePanel:
    return CarePanel(key=PREFIX + key, title=title, headers=["类别", "人数"], rows=[list(r) for r in rows],
                     chart=_chart([r[0] for r in rows], [("人数", [r[1] for r in rows])]), note=note,
                     link=link, link_text="查看监护照护统计")


def panels(user, today: date, township: str | None = None) -> list[CarePanel]:
    """The care panels for ``user`` ([] without ``care.supervise``)."""
    if not can(user, "care.supervise"):
        return []
    actor = _scoped(user, township)
    report, supervision, as_of = reverse("web:care_report"), reverse("web:care_supervision"), f"截至 {today:%Y-%m-%d}"
    c = selectors.counts(actor)
    out = [
        _class_panel("placement", "特困人员供养方式", by_class(c["placement"], c["total"], rules.PLACEMENTS,
                                                      "分散供养（未登记）"), report, as_of),
        _class_panel("care_class", "特困人员照料护理等级", by_class(c["care_class"], c["total"], rules.CARE_CLASSES,
                                                         "未评估"), report, as_of),
    ]
    month = last_month(today)
    done = selectors.completion(actor, [month])
    out.append(CarePanel(
        key=PREFIX + "completion", title=f"探访完成率（{month.year}年{month.month}月，按乡镇）",
        headers=["乡镇(街道)", "应探访人数", "已探访人数", "完成率"],
        rows=[[r["name"], r["due"], r["done"], rules.completion_rate(r["done"], r["due"])] for r in done],
        chart=_chart([r["name"] for r in done], [("应探访", [r["due"] for r in done]),
                                                ("已探访", [r["done"] for r in done])]),
        note="分散供养特困人员，按当月在保人数计", link=report, link_text="查看各月探访完成率"))
    late = figures.overdue_by_township(actor, today)
    out.append(CarePanel(
        key=PREFIX + "overdue", title="未按期探访（按乡镇）", headers=["乡镇(街道)", "分散供养人数", "未按期探访人数", "占比"],
        rows=[[r["name"], r["dispersed"], r["overdue"], r["share"]] for r in late],
        chart=_chart([r["name"] for r in late], [("未按期探访", [r["overdue"] for r in late])]),
        note=as_of, link=reverse("web:care_list") + "?overdue=1", link_text="查看未按期探访名单"))
    start = quarter_start(quarter_of(today))
    sat = [r for r in figures.satisfaction_by_township(actor, start) if r["surveys"]]
    out.append(CarePanel(
        key=PREFIX + "satisfaction", title=f"满意度调查（{quarter_of(today)}，按乡镇）",
        headers=["乡镇(街道)", "调查份数", "总体评价均分", "满意人数", "满意率"],
        rows=[[r["name"], r["surveys"], r["mean"], r["satisfied_count"], r["satisfied"]] for r in sat],
        chart=_chart([r["name"] for r in sat], [("满意率（%）", [_percent(r["satisfied_count"], r["surveys"])
                                                               for r in sat])]),
        note="总体评价 1–5 分，“基本满意”及以上计为满意；只列本季度有调查的乡镇", link=supervision, link_text="查看督导检查与满意度"))
    progress = figures.survey_progress(actor)
    if progress:
        out.append(CarePanel(
            key=PREFIX + "survey", title="摸底排查进度（按乡镇）", headers=["乡镇(街道)", "应摸底人数", "已完成", "未完成", "完成率"],
            rows=[[r["name"], r["total"], r["done"], r["pending"], r["percent"]] for r in progress],
            chart=_chart([r["name"] for r in progress], [("已完成", [r["done"] for r in progress]),
                                                         ("未完成", [r["pending"] for r in progress])]),
            stack="survey", note="进行中的摸底排查", link=reverse("web:care_survey_list"), link_text="查看摸底排查"))
    return out
