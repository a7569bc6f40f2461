"""Claims (支付登记): one payment of one case and purpose, whatever the channel (issue 14 §2).

A program's payment step calls ``case_claim`` inside its own transaction, before it pays: a 备用金
draw, cash or goods handed over, or a bank payment. A bank claim is what the payroll reads: the next
batch prepared for the region carries it as a line (snapshot.read_case_claims), so it reaches the
bank file and the result import like any other line; the other channels are paid when claimed.

The unique key ``(case, reference)`` is the guarantee: a second payment of the same case stage —
through the same channel or another, from this request or a concurrent one — is refused with a
Chinese message naming the earlier payment, and the caller's transaction writes nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction

from jiuzhu.rules.errors import Conflict

from .models import CaseClaim

CHANNEL_LABELS = dict(CaseClaim.Channel.choices)


def reference_label(reference: str) -> str:
    """``advance`` → 先行救助, ``stage-2`` → 第2期救助."""
    if reference == "advance":
        return "先行救助"
    if reference.startswith("stage-"):
        return f"第{reference[6:]}期救助"
    return reference


def _refusal(case, reference: str, earlier: CaseClaim | None, field: str) -> Conflict:
    what = f"案件 {case.number} 的{reference_label(reference)}"
    if earlier is None:
        text = f"{what}正由他人同时支付，本次未支付，请刷新后查看"
        return Conflict("payment.claimed", text, field=field, reference=reference)
    text = (f"{what}已于 {earlier.paid_on:%Y-%m-%d} 经{CHANNEL_LABELS.get(earlier.channel, earlier.channel)}"
            f"支付 {earlier.amount} 元，同一案件同一笔救助不能重复支付")
    return Conflict("payment.claimed", text, field=field, reference=reference, channel=earlier.channel,
                    earlier_amount=str(earlier.amount))


def case_claim(*, actor, case, reference: str, channel: str, amount, paid_on: date, now: datetime,
               field: str = "modality") -> CaseClaim:
    """Record that ``case`` is paid ``amount`` for ``reference`` through ``channel``; refused (Conflict
    ``payment.claimed``, nothing written) when that case and reference were paid already."""
    if channel not in CHANNEL_LABELS:
        raise ValueError(f"unknown payment channel {channel!r}")
    earlier = CaseClaim.objects.filter(case_id=case.pk, reference=reference).first()
    if earlier is not None:
        raise _refusal(case, reference, earlier, field)
    try:
        with transaction.atomic():  # a savepoint: the concurrent twin's row makes this insert fail
            return CaseClaim.objects.create(case_id=case.pk, reference=reference, channel=channel, amount=amount,
                                            household_id=case.household_id, region_id=case.region_id,
                                            paid_on=paid_on, actor=actor, at=now)
    except IntegrityError:
        raise _refusal(case, reference, None, field) from None


def claims_of(case_id: int) -> list[dict]:
    """The case's payments with their channel and, for a bank payment, the payroll line's status."""
    from .models import PaymentLine

    lines: dict[str, PaymentLine] = {}
    for line in (PaymentLine.objects.filter(case_id=case_id).select_related("batch").order_by("id")):
        lines[line.reference] = line  # the latest line of each reference (a failed one re-issued)
    out = []
    for c in CaseClaim.objects.filter(case_id=case_id).order_by("id"):
        found = lines.get(c.reference)
        out.append({"reference": c.reference, "label": reference_label(c.reference), "channel": c.channel,
                    "channel_label": CHANNEL_LABELS[c.channel], "amount": c.amount, "paid_on": c.paid_on,
                    "line_status": found.get_status_display() if found else ("待纳入发放批次" if c.channel == "bank"
                                                                         else "已支付"),
                    "batch": found.batch.number if found else ""})
    return out
