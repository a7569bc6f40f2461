"""Standard adjustment (标准调整 / 物价联动, R-STD-01, R-DB-02): propose a new dated standard, approve it
(maker-checker), and the policy a region evaluates with once standards entered as data are applied.

Preview: :mod:`.standard_preview`; apply: :mod:`.standard_apply`; spreadsheet: :mod:`.standard_xlsx`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases.config import region_config, region_configs
from jiuzhu.apps.regions.codes import ancestors, is_valid_code, level_of
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.evaluate import evaluate_facts, result_dict
from jiuzhu.rules.params import Policy, load_policy
from jiuzhu.rules.params.overlay import check_dated_value, with_dated_values
from jiuzhu.rules.standard_checks import (
    PROGRAM_WORDS,
    standard_key,
    standard_violations,
)

from .models_standard import StandardChange

AREA_WORDS = {"urban": "城市", "rural": "农村"}


def require_standard_actor(actor, region_code: str | None = None) -> None:
    """``actor`` None is the operator at the command line (trusted like ``regions import``);
    a user must be county staff whose region contains ``region_code``."""
    if actor is None:
        return
    if not can(actor, "standard.manage"):
        raise Forbidden("forbidden", "只有县级民政工作人员可以办理标准调整")
    if region_code and not in_scope(actor, region_code):
        raise NotFound("not_found", "标准调整不存在或不在您的管辖范围内")


def change_get(*, actor, change_id: int, lock: bool = False) -> StandardChange:
    qs = StandardChange.objects.select_for_update() if lock else StandardChange.objects
    change = qs.filter(pk=change_id).first()
    if change is None or (actor is not None and not in_scope(actor, change.region_id)):
        raise NotFound("not_found", f"标准调整 {change_id} 不存在或不在您的管辖范围内")
    require_standard_actor(actor, change.region_id)
    return change


def base_policy_name(region_code: str) -> str:
    return region_config(region_code).policy


def region_policy(region_code: str, *, exclude: int | None = None) -> Policy:
    """The policy ``region_code`` evaluates with: its policy files plus every applied standard change
    of the region or an ancestor, in start order. A change the files have since taken over (a
    file value starting on or after it) is not laid over twice."""
    chain = [region_code, *ancestors(region_code)]
    applied = (StandardChange.objects.filter(status=StandardChange.Status.APPLIED, region_id__in=chain)
               .exclude(pk=exclude).order_by("start_date", "id"))
    return _overlay(load_policy(base_policy_name(region_code)), applied)


def region_policies(region_codes) -> dict[str, tuple[str, Policy]]:
    """``region_policy`` for many regions at once (one query): region → (key, policy). Regions with the
    same policy files and the same applied changes share the key and the Policy object; the key is
    the policy name, followed by ``+`` and the change ids when changes apply (``reference+3.7``)."""
    applied = list(StandardChange.objects.filter(status=StandardChange.Status.APPLIED).order_by("start_date", "id"))
    configs = region_configs(set(region_codes))
    shared: dict[str, Policy] = {}
    out = {}
    for code in set(region_codes):
        chain = {code, *ancestors(code)}
        changes = [c for c in applied if c.region_id in chain]
        name = configs[code].policy
        key = name + ("+" + ".".join(str(c.pk) for c in changes) if changes else "")
        if key not in shared:
            shared[key] = _overlay(load_policy(name), changes)
        out[code] = (key, shared[key])
    return out


def _overlay(base: Policy, changes) -> Policy:
    additions: dict[str, list] = {}
    for change in changes:
        existing = base.params.get(change.key)
        if existing and existing[-1].start >= change.start_date:
            continue
        additions.setdefault(change.key, []).append((change.start_date, change.amount, change.source))
    return with_dated_values(base, additions) if additions else base


def region_evaluate(request: dict, *, region_code: str, policy: str | None = None) -> dict:
    """Evaluate a rules request (§6) for a case of ``region_code``: under the region's policy with its
    applied standard changes (R-STD-01), so a request whose ``as_of`` falls on or after a new
    standard's start uses it, and an earlier one the old standard. An explicit ``policy`` other
    than the region's own is evaluated as it is (no overlay: the changes belong to the region's)."""
    from jiuzhu.rules.parse import parse_facts

    own = base_policy_name(region_code)
    chosen = region_policy(region_code) if policy in (None, "", own) else load_policy(policy)
    return result_dict(evaluate_facts(parse_facts(request), chosen))


def policy_with_change(change: StandardChange) -> tuple[Policy, Policy]:
    """(policy before, policy with ``change``) for the change's region; refuses (field ``amount``) a
    standard that breaks a national bound on its start date."""
    before = region_policy(change.region_id, exclude=change.pk)
    after = with_dated_values(before, {change.key: [(change.start_date, change.amount, change.source)]})
    violations = standard_violations(after, change.start_date)
    if violations:
        first = violations[0]
        raise ValidationFailed("standard.national_bound", f"{first.message}（字段：amount）", field="amount",
                               rule=first.rule, parameter=first.parameter,
                               errors=[{"field": "amount", "code": "national_bound", "message": v.message}
                                       for v in violations])
    return before, after


def _parse_inputs(region_code, program, area_type, amount, start_date) -> tuple[Decimal, date]:
    if not is_valid_code(region_code or "") or not Region.objects.filter(code=region_code).exists():
        raise ValidationFailed("standard.region_invalid", f"区划代码“{region_code}”不存在（字段：region）", field="region")
    if level_of(region_code) > 3:
        raise ValidationFailed("standard.region_level", "标准由省、设区的市或县级确定，区划应为县级及以上（字段：region）",
                               field="region")
    if program not in PROGRAM_WORDS:
        raise ValidationFailed("standard.program_invalid", "标准类别应为 dibao（低保标准）或 tekun（特困人员基本生活标准）"
                               "（字段：program）", field="program")
    if area_type not in AREA_WORDS:
        raise ValidationFailed("standard.area_invalid", "城乡类别应为 urban（城市）或 rural（农村）（字段：area_type）",
                               field="area_type")
    if isinstance(start_date, str):
        try:
            start_date = date.fromisoformat(start_date.strip())
        except ValueError:
            raise ValidationFailed("standard.start_invalid", f"起始日期“{start_date}”格式错误，应为 YYYY-MM-01"
                                   "（字段：start_date）", field="start_date") from None
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount).strip())
    except InvalidOperation:
        raise ValidationFailed("standard.amount_invalid", f"标准金额“{amount}”不是有效金额（字段：amount）",
                               field="amount") from None
    return value, start_date


def standard_propose(*, actor, region_code: str, program: str = "dibao", area_type: str, amount, start_date,
                     source: str, now=None) -> StandardChange:
    """Record a proposed dated standard. Checked at once: start on the 1st of a month and after every
    value in force (``start_date``), a positive amount with at most two decimals (``amount``), a cited
    source (``source``), and the national bounds with the new value in force (``amount``)."""
    now = now or timezone.now()
    value, start = _parse_inputs(region_code, program, area_type, amount, start_date)
    require_standard_actor(actor, region_code)
    key = standard_key(program, area_type)
    before = region_policy(region_code)
    value = check_dated_value(before, key, start, value, source).quantize(Decimal("0.01"))
    change = StandardChange(region_id=region_code, policy=base_policy_name(region_code), program=program,
                            area_type=area_type, amount=value, start_date=start, source=source.strip()[:300],
                            prepared_by=actor, prepared_at=now)
    policy_with_change(change)
    try:
        with transaction.atomic():
            change.save()
            audit_record(actor=actor, action="standard.propose", subject_type="standard_change", subject_id=change.pk,
                         region_code=region_code, after=_state(change),
                         details={"key": key, "amount": str(value), "start": start.isoformat()})
    except IntegrityError:
        raise Conflict("standard.duplicate", f"该区划已有自 {start.isoformat()} 起的同类标准调整（字段：start_date）",
                       field="start_date") from None
    return change


def standard_approve(*, actor, change_id: int, now=None) -> StandardChange:
    """Maker-checker: a county user other than the one who proposed approves the latest preview."""
    now = now or timezone.now()
    if actor is None:
        raise ValidationFailed("standard.approver_required", "审批须指定审批人（字段：user）", field="user")
    with transaction.atomic():
        change = change_get(actor=actor, change_id=change_id, lock=True)
        if change.status != StandardChange.Status.PROPOSED:
            raise Conflict("standard.not_proposed", f"标准调整 {change.pk} 当前状态为“{change.get_status_display()}”，不能审批",
                           field="status")
        if change.prepared_by_id is not None and change.prepared_by_id == actor.pk:
            raise Forbidden("standard.same_user", "审批人不能是提出人（经办与审批须由不同人员完成）", field="user")
        if not change.preview_sha256:
            raise Conflict("standard.no_preview", "请先生成调整预览，核对后再审批", field="preview")
        from .standard_preview import preview_file_ok

        if not preview_file_ok(change):
            raise Conflict("standard.preview_changed", "预览文件缺失或已被改动，请重新生成预览", field="preview")
        change.status = StandardChange.Status.APPROVED
        change.approved_by, change.approved_at, change.approved_sha256 = actor, now, change.preview_sha256
        change.version = F("version") + 1
        change.save()
        change.refresh_from_db()
        audit_record(actor=actor, action="standard.approve", subject_type="standard_change", subject_id=change.pk,
                     region_code=change.region_id, after=_state(change),
                     details={"preview_sha256": change.preview_sha256, **_counts(change)})
    return change


def _counts(change: StandardChange) -> dict:
    counts = (change.preview_summary or {}).get("counts", {})
    return {k: int(v) for k, v in counts.items()}


def _state(change: StandardChange) -> dict:
    return {"status": change.status, "key": change.key, "amount": str(change.amount),
            "start": change.start_date.isoformat(), "source": change.source}


def describe(change: StandardChange) -> str:
    return (f"{AREA_WORDS[change.area_type]}{PROGRAM_WORDS[change.program]}调整为 {change.amount} 元/人/月，"
            f"自 {change.start_date:%Y年%m月} 起")
