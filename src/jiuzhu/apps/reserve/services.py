"""备用金 services (R-TA-07): the county allocates, a township case draws. Each locks the fund row
(``select_for_update``) so concurrent draws queue; the CHECK constraint is the last line."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.explain import yuan

from .models import ReserveEntry, ReserveFund

TOWNSHIP_LEVEL = 4


def township_of(region_code: str) -> str:
    return region_code[:9] + "000"


def _amount(amount) -> Decimal:
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (ArithmeticError, ValueError):
        raise ValidationFailed("reserve.amount", "金额：须为数字", field="amount") from None
    if not Decimal(0) < value <= Decimal("99999999.99"):
        raise ValidationFailed("reserve.amount", "金额：须大于0", field="amount")
    return value


def reserve_allocate(*, actor, township_code: str, amount, note: str = "", now: datetime) -> ReserveEntry:
    """The county allocates (拨付) to a township's fund."""
    if not can(actor, "reserve.allocate"):
        raise Forbidden("reserve.role", "您的角色不能拨付备用金")
    value = _amount(amount)
    region = Region.objects.filter(pk=township_code, level=TOWNSHIP_LEVEL).first()
    if region is None or not in_scope(actor, township_code):
        raise NotFound("reserve.township", "乡镇不存在或不在您的管辖范围内", field="township")
    with transaction.atomic():
        ReserveFund.objects.get_or_create(region=region)
        fund = ReserveFund.objects.select_for_update().get(pk=township_code)
        before = fund.balance
        fund.balance = before + value
        fund.updated_at = now
        fund.save()
        entry = ReserveEntry.objects.create(fund=fund, kind=ReserveEntry.Kind.ALLOCATION, amount=value,
                                            balance_after=fund.balance, note=note[:200], at=now, actor=actor)
        audit_record(actor=actor, action="reserve.allocate", subject_type="reserve_fund", subject_id=township_code,
                     region_code=township_code, before={"balance": str(before)},
                     after={"balance": str(fund.balance)}, reason=note[:500], at=now)
    return entry


def reserve_draw(*, actor, case, amount, reference: str, now: datetime, note: str = "") -> ReserveEntry:
    """Pay ``amount`` for ``case`` from its township's fund (inside the case action's transaction): refused,
    with nothing written, when the balance is short or this case was paid for ``reference`` already."""
    value = _amount(amount)
    township = township_of(case.region_id)
    with transaction.atomic():
        fund = ReserveFund.objects.select_for_update().filter(pk=township).first()
        balance = fund.balance if fund is not None else Decimal(0)
        if fund is None or balance < value:
            raise Conflict("reserve.insufficient", f"乡镇备用金余额 {yuan(balance)} 不足以支付 {yuan(value)}，"
                                                   "请申请县级补充备用金或改由银行发放", field="from_reserve",
                           balance=str(balance))
        if ReserveEntry.objects.filter(case=case, reference=reference, kind=ReserveEntry.Kind.DRAW).exists():
            raise Conflict("reserve.paid_twice", "本案件该笔救助已从备用金支付，不能重复支付", field="from_reserve")
        try:
            with transaction.atomic():
                ReserveFund.objects.filter(pk=township).update(balance=F("balance") - value, updated_at=now)
        except IntegrityError:  # the CHECK: never below zero
            raise Conflict("reserve.insufficient", "乡镇备用金余额不足", field="from_reserve") from None
        fund.refresh_from_db(fields=["balance"])
        entry = ReserveEntry.objects.create(fund=fund, kind=ReserveEntry.Kind.DRAW, amount=value,
                                            balance_after=fund.balance, case=case, reference=reference,
                                            note=note[:200], at=now, actor=actor)
        audit_record(actor=actor, action="reserve.draw", subject_type="reserve_fund", subject_id=township,
                     region_code=township, before={"balance": str(balance)}, after={"balance": str(fund.balance)},
                     reason=f"{case.number} {reference}", at=now)
    return entry
