"""月末对账 of the township 备用金 (R-TA-07, issue 14 §2).

For a month and every township in the actor's scope, one SQL aggregation over the fund's entries gives
the opening balance (everything before the month), the month's allocations, replenishments and draws,
and the closing balance they add up to; the same query reads the ledger's own running balance at the
month's end (``balance_after`` of the last entry) and the fund's balance now, so the figures are
checked to the fen twice: against the ledger's closing balance and, with what came after the month,
against the fund's balance. No per-draw loop (``jiuzhu bench temporary`` measures it against one).

A finished month that reconciles can be confirmed by the township (``reserve_reconcile_confirm``);
the county sees every township's figures and status."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Case as CaseWhen
from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.scope import in_scope, scope_filter, scope_q
from jiuzhu.apps.registry.pii import mask_name
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from jiuzhu.rules.explain import yuan

from .models import ReserveEntry, ReserveFund, ReserveReconciliation

TOWNSHIP_LEVEL = 4
ZERO = Decimal("0.00")
MONEY: DecimalField = DecimalField(max_digits=16, decimal_places=2)
Kind = ReserveEntry.Kind


def parse_month(value, *, field: str = "month") -> date:
    """``2026-11`` (or a date) → 2026-11-01; anything else → a Chinese error naming ``field``."""
    if isinstance(value, date):
        return date(value.year, value.month, 1)
    text = str(value or "").strip()
    year, _, month = text.partition("-")
    if len(year) == 4 and year.isdigit() and month.isdigit() and len(month) <= 2 and 1 <= int(month) <= 12 \
            and int(year) >= 2000:
        return date(int(year), int(month), 1)
    raise ValidationFailed("reserve.month", f"对账月份（{field}）“{text[:20]}”格式错误，应为 YYYY-MM（如 2026-11）",
                           field=field)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month as [start, end) instants in the local time zone."""
    tz = timezone.get_current_timezone()
    return (datetime.combine(month, time.min, tzinfo=tz), datetime.combine(next_month(month), time.min, tzinfo=tz))


@dataclass
class MonthRow:
    code: str
    name: str
    has_fund: bool = False
    opening: Decimal = ZERO
    allocated: Decimal = ZERO
    replenished: Decimal = ZERO
    drawn: Decimal = ZERO
    draws: int = 0
    ledger_closing: Decimal = ZERO  # the ledger's running balance at the month's end
    after: Decimal = ZERO  # what came in less what went out after the month
    balance: Decimal = ZERO  # the fund's balance now
    confirmed_at: datetime | None = None
    lines: list = field(default_factory=list)

    @property
    def closing(self) -> Decimal:
        return self.opening + self.allocated + self.replenished - self.drawn

    @property
    def matched(self) -> bool:
        """Checked to the fen: the figures add up to the ledger's closing balance and to the fund's balance."""
        return self.closing == self.ledger_closing and self.closing + self.after == self.balance

    @property
    def status(self) -> str:
        if not self.matched:
            return "对账不符"
        if self.confirmed_at is not None:
            return "已确认"
        return "待确认" if self.has_fund else "未设立备用金"


def _fen(value) -> Decimal:
    """Sums come back as Decimal('500') on SQLite: every figure to the fen."""
    return Decimal(value if value is not None else 0).quantize(ZERO)


def _sum(kind_q: Q, when: Q):
    return Coalesce(Sum("entries__amount", filter=kind_q & when), Value(ZERO), output_field=MONEY)


def month_rows(*, actor, month: date, township: str | None = None) -> list[MonthRow]:
    """Every township in scope (or one) with the month's figures: one aggregation query over the entries."""
    start, end = month_bounds(month)
    regions = scope_filter(Region.objects.filter(level=TOWNSHIP_LEVEL), actor, "code")
    if township is not None:
        regions = regions.filter(code=township)
    rows = {code: MonthRow(code, name) for code, name in regions.order_by("code").values_list("code", "name")}
    signed = CaseWhen(When(entries__kind=Kind.DRAW, then=-F("entries__amount")), default=F("entries__amount"),
                   output_field=MONEY)
    before, inside, later = Q(entries__at__lt=start), Q(entries__at__gte=start, entries__at__lt=end), Q(entries__at__gte=end)
    last = ReserveEntry.objects.filter(fund=OuterRef("pk"), at__lt=end).order_by("-id").values("balance_after")[:1]
    confirmed = ReserveReconciliation.objects.filter(fund=OuterRef("pk"), month=month).values("confirmed_at")[:1]
    funds = (ReserveFund.objects.filter(scope_q(actor, "region"))
             .filter(**({"pk": township} if township is not None else {}))
             .annotate(opening=Coalesce(Sum(signed, filter=before), Value(ZERO), output_field=MONEY),
                       allocated=_sum(Q(entries__kind=Kind.ALLOCATION), inside),
                       replenished=_sum(Q(entries__kind=Kind.REPLENISHMENT), inside),
                       drawn=_sum(Q(entries__kind=Kind.DRAW), inside),
                       draws=Count("entries", filter=Q(entries__kind=Kind.DRAW) & inside),
                       after=Coalesce(Sum(signed, filter=later), Value(ZERO), output_field=MONEY),
                       ledger=Subquery(last), confirmed=Subquery(confirmed))
             .values_list("pk", "balance", "opening", "allocated", "replenished", "drawn", "draws", "after", "ledger",
                          "confirmed"))
    for pk, balance, opening, allocated, replenished, drawn, draws, after, ledger, confirmed_at in funds:
        row = rows.get(pk)
        if row is None:
            continue
        row.has_fund, row.balance, row.opening, row.allocated = True, _fen(balance), _fen(opening), _fen(allocated)
        row.replenished, row.drawn, row.draws, row.after = _fen(replenished), _fen(drawn), draws, _fen(after)
        row.ledger_closing, row.confirmed_at = _fen(ledger), confirmed_at
    return list(rows.values())


def month_totals(rows: list[MonthRow]) -> dict:
    keys = ("opening", "allocated", "replenished", "drawn", "closing", "balance")
    out: dict = {k: sum((getattr(r, k) for r in rows), ZERO) for k in keys}
    out.update(draws=sum(r.draws for r in rows), matched=all(r.matched for r in rows),
               confirmed=sum(1 for r in rows if r.confirmed_at is not None), funds=sum(1 for r in rows if r.has_fund))
    return out


def township_sheet(*, actor, township: str, month: date) -> MonthRow:
    """One township's month with its entries (each draw with its case number and masked recipient)."""
    if not in_scope(actor, township):
        raise NotFound("reserve.township", "乡镇不存在或不在您的管辖范围内", field="township")
    found = month_rows(actor=actor, month=month, township=township)
    if not found:
        raise NotFound("reserve.township", "乡镇不存在或不在您的管辖范围内", field="township")
    row = found[0]
    start, end = month_bounds(month)
    entries = (ReserveEntry.objects.filter(fund_id=township, at__gte=start, at__lt=end)
               .select_related("case__applicant", "replenishment").order_by("id"))
    row.lines = [_line(e) for e in entries]
    return row


def _line(e: ReserveEntry) -> dict:
    case, request = e.case, e.replenishment
    return {"date": timezone.localtime(e.at).date(), "kind": e.get_kind_display(), "is_draw": e.kind == Kind.DRAW,
            "case": case.number if case else "", "case_id": e.case_id,
            "recipient": mask_name(case.applicant.name) if case else "", "reference": e.reference,
            "amount": e.amount, "balance_after": e.balance_after,
            "note": request.number if request and e.kind == Kind.REPLENISHMENT else e.note}


def reserve_reconcile_confirm(*, actor, township: str, month, now: datetime) -> ReserveReconciliation:
    """The township confirms a finished month that reconciles to the fen (once per month)."""
    if not can(actor, "reserve.reconcile"):
        raise Forbidden("reserve.role", "您的角色不能确认备用金对账")
    month = parse_month(month)
    if next_month(month) > timezone.localtime(now).date():
        raise Conflict("reserve.month_open", f"{month:%Y年%m月}尚未结束，月末后方可对账", field="month")
    with transaction.atomic():
        fund = ReserveFund.objects.select_for_update().filter(scope_q(actor, "region")).filter(pk=township).first()
        if fund is None:
            raise NotFound("reserve.no_fund", "本乡镇尚未设立备用金或不在您的管辖范围内", field="township")
        row = month_rows(actor=actor, month=month, township=township)[0]
        if row.confirmed_at is not None:
            raise Conflict("reserve.reconciled", f"{month:%Y年%m月}已确认对账", field="month")
        if not row.matched:
            raise Conflict("reserve.mismatch", f"对账不符：收支合计期末余额 {yuan(row.closing)}，台账余额 "
                                               f"{yuan(row.ledger_closing)}，请核查后再确认", field="month")
        done = ReserveReconciliation.objects.create(
            fund=fund, month=month, opening=row.opening, allocated=row.allocated, replenished=row.replenished,
            drawn=row.drawn, draw_count=row.draws, closing=row.closing, confirmed_by=actor, confirmed_at=now)
        audit_record(actor=actor, action="reserve.reconcile_confirm", subject_type="reserve_fund", subject_id=township,
                     region_code=township, details={"month": f"{month:%Y-%m}", "closing": str(row.closing),
                                                    "draws": row.draws}, at=now)
    return done
