"""The written notice of a change (seed 附件9 最低生活保障(特困供养)金调整(停发)告知书, R-DM-03:
a reduction or stop is notified with its reasons, a stop in writing), rendered from the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from jiuzhu.apps.cases import documents as case_documents
from jiuzhu.apps.cases.config import region_config
from jiuzhu.apps.documents import contexts as c
from jiuzhu.apps.documents.blocks import village_committee_name
from jiuzhu.apps.documents.kinds import kind_get
from jiuzhu.apps.documents.render import render_pdf
from jiuzhu.apps.registry.choices import MoveReason
from jiuzhu.apps.registry.models import Membership
from jiuzhu.rules.errors import NotFound

from .models import Enrollment, EnrollmentChange

ZERO = Decimal("0.00")
STOPPING = ("stop", "suspend", "graduate")


@dataclass
class _Subject:
    """What the case document builders read (header, household block), for an enrollment."""

    enrollment: Enrollment

    def __getattr__(self, name):
        return getattr(self.enrollment, name)

    @property
    def number(self) -> str:
        e = self.enrollment
        return e.case.number if e.case_id else f"ZB{e.pk:08d}"

    @property
    def applicant(self):
        e = self.enrollment
        return e.person if e.person_id else e.household.head


def _recipient(e: Enrollment):
    """Who the enrollment's benefit is for: the person (特困, 单人户施保) or the applicant of the household."""
    if e.person_id:
        return e.person
    return e.case.applicant if e.case_id else e.household.head


def stop_addressees(e: Enrollment) -> tuple[object, list[str]] | None:
    """年审 plan 三(2)一：对清退人员已死亡的，应将告知书发送至其共同生活成员；已死亡且无共同生活成员的，无需发放.
    None when the recipient is alive; else (the deceased, names of the co-resident members still in the
    household — empty: no notice)."""
    person = _recipient(e)
    if person is None or not Membership.objects.filter(person=person, end_reason=MoveReason.DEATH).exists():
        return None
    names = list(Membership.objects.filter(household_id=e.household_id, end_date__isnull=True, co_resident=True)
                 .exclude(person=person).order_by("id").values_list("person__name", flat=True))
    return person, names


def _action(change: EnrollmentChange) -> tuple[str, Decimal, Decimal | None]:
    """(附件9 action, old amount, new amount) or NotFound when the change needs no notice."""
    if change.kind in STOPPING or change.new_status == "stopped":
        dead = stop_addressees(change.enrollment)
        if dead is not None and not dead[1]:
            raise NotFound("document.unavailable", f"{dead[0].name}已死亡且无共同生活成员，无需发放停发告知书",
                           field="change")
        return "stop", change.old_amount, None
    if change.kind == "resume":
        return "increase", ZERO, change.new_amount
    if change.new_amount != change.old_amount:
        action = "increase" if change.new_amount > change.old_amount else "decrease"
        return action, change.old_amount, change.new_amount
    raise NotFound("document.unavailable", "该变更未改变保障金，无需出具调整(停发)告知书", field="change")


def notice_context(change: EnrollmentChange, today: date) -> c.AdjustmentNoticeContext:
    """附件9 for ``change``, dated on the decision (the change's day), not ``today`` when it is printed."""
    e = change.enrollment
    action, old, new = _action(change)
    subject = _Subject(e)
    decided = timezone.localtime(change.at).date()
    header = case_documents.header(subject, decided)
    household = case_documents.household(subject, decided)
    effective = change.effective_month
    reason = change.reason.strip()
    if change.kind == "suspend":
        reason = f"暂停发放：{reason}"
    elif change.kind == "graduate" and e.stopped_month:
        effective = e.stopped_month  # the notice announces the stop after the graduation period
    if reason and reason[-1] not in "。；！":
        reason += "。"
    dead = stop_addressees(e) if action == "stop" else None
    addressee = ""
    if dead is not None:  # _action refused the case with no member left
        addressee = f"{'、'.join(dead[1])}（{dead[0].name}的共同生活家庭成员）"
        reason = f"{dead[0].name}已死亡。{reason}"
    delegated = region_config(e.region_id).settings.confirmation_level == "township"
    issuer = header.township_gov if delegated else f"{header.county}民政局"
    word = "停字" if action == "stop" else "调字"
    adjustment = c.Adjustment(
        notice_number=f"{header.township}救{word}〔{change.at.year}〕第{change.pk}号", action=action,
        old_amount=Decimal(old).quantize(ZERO), new_amount=None if new is None else Decimal(new).quantize(ZERO),
        effective_month=effective, reason=reason, legal_ground=change.legal_ground, issuer=issuer,
        remedy=c.Remedy(f"{header.county}人民政府", f"{header.county}人民法院"),
        # R-TK-16: a 特困 person's termination is notified in writing to the person and the village committee
        copies=(village_committee_name(header.village),) if e.program == "tekun" and action == "stop" else (),
        addressee=addressee)
    return c.AdjustmentNoticeContext(header, household, adjustment)


def change_notice_pdf(*, change: EnrollmentChange, today: date) -> tuple[str, bytes]:
    """(filename, PDF) of the change's 附件9 notice."""
    ctx = notice_context(change, today)
    kind = kind_get("adjustment_notice")
    return f"{ctx.header.case_number}-{change.pk}-{kind.title}.pdf", render_pdf(kind, ctx)


def change_has_notice(change: EnrollmentChange) -> bool:
    try:
        _action(change)
    except NotFound:
        return False
    return True
