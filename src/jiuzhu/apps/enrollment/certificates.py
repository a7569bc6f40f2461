"""低保证 / 特困证: issued with the enrollment an approval creates, reissued (same number) when the amount
or class changes, revoked when the enrollment stops (seed 审核确认权下放 plan 二(二)5). Numbers come from
the region's dated parameters (``certificate.number_format``, ``certificate.sequence_digits``); the
sequence is taken under a row lock, so two approvals at once never get the same number."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import F
from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases.config import region_config
from jiuzhu.rules.certificate import DEFAULT_DIGITS, DEFAULT_FORMAT, certificate_number, certificate_prefix
from jiuzhu.rules.errors import DomainError
from jiuzhu.rules.params import load_policy

from .models import Enrollment, EnrollmentChange
from .models_certificate import Certificate, CertificateIssue, CertificateSequence

CERTIFIED = ("dibao", "tekun")


def number_terms(region_code: str, as_of: date) -> tuple[str, int]:
    """(format, digits) of the region's policy on ``as_of``; the defaults when it sets none."""
    policy = load_policy(region_config(region_code).policy)

    def value(key: str, default: str) -> str:
        try:
            return str(policy.lookup(key, as_of))
        except DomainError:  # not set by this policy (or not yet in force): the default
            return default

    return value("certificate.number_format", DEFAULT_FORMAT), int(value("certificate.sequence_digits",
                                                                        str(DEFAULT_DIGITS)))


def next_number(program: str, region_code: str, on: date) -> str:
    number_format, digits = number_terms(region_code, on)
    prefix = certificate_prefix(program, region_code, on.year, number_format)
    CertificateSequence.objects.bulk_create([CertificateSequence(prefix=prefix)], ignore_conflicts=True)
    row = CertificateSequence.objects.select_for_update().get(prefix=prefix)
    CertificateSequence.objects.filter(pk=row.pk).update(last=F("last") + 1)
    return certificate_number(prefix, row.last + 1, digits)


def _holder(e: Enrollment) -> str:
    if e.person is not None:
        return e.person.name
    return e.case.applicant.name if e.case is not None else (e.household.head_name or "")


def certificate_issue(e: Enrollment, *, actor, now: datetime) -> Certificate:
    """A new certificate for a new enrollment (inside the approval's transaction)."""
    on = timezone.localtime(now).date()
    cert = Certificate.objects.create(enrollment=e, program=e.program, region_id=e.region_id, holder_name=_holder(e),
                                      number=next_number(e.program, e.region_id, on), issued_on=on)
    _history(cert, e, CertificateIssue.Kind.ISSUE, on, "审核确认批准，发证", None, actor, now)
    audit_record(actor=actor, action="certificate.issue", subject_type="enrollment", subject_id=e.pk,
                 region_code=e.region_id, details={"number": cert.number}, at=now)
    return cert


def _history(cert, e, kind, on, reason, change, actor, now):
    CertificateIssue.objects.create(certificate=cert, kind=kind, on=on, klass=e.klass, amount=e.amount,
                                    persons=e.persons, reason=reason[:300], change=change, actor=actor, at=now)


def certificate_on_change(e: Enrollment, change: EnrollmentChange, *, actor, now: datetime) -> None:
    """Keep the certificate in step with a change: a stop revokes it; a new amount or class reissues it
    with the same number (the number names the holder's enrollment, the printed amount changes)."""
    cert = Certificate.objects.filter(enrollment=e, status=Certificate.Status.VALID).first()
    if cert is None:
        return
    on = timezone.localtime(now).date()
    if e.status == Enrollment.Status.STOPPED:
        cert.status, cert.revoked_on = Certificate.Status.REVOKED, on
        cert.save(update_fields=["status", "revoked_on"])
        _history(cert, e, CertificateIssue.Kind.REVOKE, on, f"停止保障，收回注销：{change.reason}", change, actor, now)
    elif change.new_amount != change.old_amount or change.new_class != change.old_class:
        _history(cert, e, CertificateIssue.Kind.REISSUE, on, f"{change.get_kind_display()}，换发：{change.reason}",
                 change, actor, now)
    else:
        return
    audit_record(actor=actor, action=f"certificate.{'revoke' if cert.status == 'revoked' else 'reissue'}",
                 subject_type="enrollment", subject_id=e.pk, region_code=e.region_id,
                 details={"number": cert.number, "change": change.pk}, at=now)


def certificates_revoke_stopped(ids: list[int], *, on: date, now: datetime, actor=None) -> int:
    """Bulk: revoke the certificates of enrollments stopped in bulk (graduation periods ended)."""
    certs = list(Certificate.objects.filter(enrollment_id__in=ids, status=Certificate.Status.VALID)
                 .select_related("enrollment"))
    if not certs:
        return 0
    CertificateIssue.objects.bulk_create([CertificateIssue(
        certificate=c, kind=CertificateIssue.Kind.REVOKE, on=on, klass=c.enrollment.klass, amount=c.enrollment.amount,
        persons=c.enrollment.persons, reason="渐退期满停发，收回注销", actor=actor, at=now) for c in certs])
    Certificate.objects.filter(pk__in=[c.pk for c in certs]).update(status=Certificate.Status.REVOKED, revoked_on=on)
    return len(certs)
