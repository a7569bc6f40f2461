"""Reads of the low-income register (低保边缘、刚性支出困难、临时救助), always through the actor's region
scope: the entries page with filters, whether an entry is monitored today (as the scan decides), the
rows of an export, and the household a register form names."""

from __future__ import annotations

import re
from datetime import date

from django.db.models import Q

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.cases.config import region_config
from jiuzhu.apps.regions.codes import is_valid_code, subtree_range
from jiuzhu.apps.regions.scope import in_scope, scope_filter
from jiuzhu.apps.registry import pii
from jiuzhu.apps.registry.models import Household
from jiuzhu.rules import idcard
from jiuzhu.rules.errors import Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.monitoring import monitor_terms
from jiuzhu.rules.params import load_policy

from .models import REGISTER_CATEGORIES, LowIncomeEntry
from .selectors import PAGE

VALIDITY = {"valid": "有效", "expired": "已过期"}


def _register_reader(actor):
    if not can(actor, "lowincome.read"):
        raise Forbidden("monitor.read_role", "您的角色无权查看低收入人口登记")


def temporary_since(region_code: str, today: date) -> date:
    """临时救助 entries count as monitored from this day on (the region's ``monitor.temporary_within_months``)."""
    if not is_valid_code(region_code or ""):
        return monitor_terms(None, today).temporary_since
    return monitor_terms(load_policy(region_config(region_code).policy), today).temporary_since


def _valid_q(today: date, since: date) -> Q:
    """Monitored today, as the scan decides (population.population_sql)."""
    lasting = ~Q(category="temporary") & (Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    return Q(recognized_on__lte=today) & (lasting | Q(category="temporary", recognized_on__gte=since))


def entry_valid(entry: LowIncomeEntry, today: date, since: date) -> bool:
    if entry.recognized_on > today:
        return False
    if entry.category == "temporary":
        return entry.recognized_on >= since
    return entry.valid_until is None or entry.valid_until >= today


def register_entries(*, actor, today: date, category: str = "", region_code: str = "", validity: str = "",
                     page: int = 1, page_size: int = PAGE):
    """(entries of the page newest first, has next page, 临时救助 cut-off day) in the actor's scope."""
    _register_reader(actor)
    qs = scope_filter(LowIncomeEntry.objects.all(), actor)
    if region_code and is_valid_code(region_code) and in_scope(actor, region_code):
        low, high = subtree_range(region_code)
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    if category in REGISTER_CATEGORIES:
        qs = qs.filter(category=category)
    since = temporary_since(getattr(actor, "region_id", "") or "", today)
    if validity == "valid":
        qs = qs.filter(_valid_q(today, since))
    elif validity == "expired":
        qs = qs.exclude(_valid_q(today, since))
    page = max(int(page or 1), 1)
    rows = list(qs.select_related("household", "region", "created_by").order_by("-id")
                [(page - 1) * page_size: page * page_size + 1])
    return rows[:page_size], len(rows) > page_size, since


def register_rows(*, actor, region_code: str):
    """Every entry of ``region_code``'s subtree (actor None: the command-line operator), for the export."""
    if actor is not None:
        _register_reader(actor)
    low, high = subtree_range(region_code)
    qs = LowIncomeEntry.objects.filter(region_id__gte=low, region_id__lte=high)
    if actor is not None:
        qs = scope_filter(qs, actor)
    return qs.select_related("household", "household__head", "region", "created_by").order_by("region_id", "id")


def register_household(*, actor, ref: str) -> Household:
    """The household a register form names: its number (H00000012), its id, or its head's ID number (blind
    index). Another region's household is "not found", like an unknown one."""
    text = str(ref or "").strip()
    if not text:
        raise ValidationFailed("monitor.household", "请填写家庭编号或户主身份证号（字段：household）", field="household")
    qs = scope_filter(Household.objects.all(), actor)
    normalized = idcard.normalize(text)
    if len(normalized) == 18:
        qs = qs.filter(head__id_number_bidx=pii.id_number_index(normalized))
    else:
        m = re.match(r"^[Hh]?0*(\d{1,18})$", text)
        if not m or not 0 < int(m[1]) < 2**63:
            raise ValidationFailed("monitor.household", f"“{text[:30]}”不是家庭编号（如 H00000012）或18位身份证号"
                                   "（字段：household）", field="household")
        qs = qs.filter(pk=int(m[1]))
    household = qs.first()
    if household is None:
        raise NotFound("not_found", "家庭不存在或不在您的管辖范围内", field="household")
    return household
