"""Two approvals numbering their 低保证 at the same moment, in two real transactions (PostgreSQL): the
sequence row lock gives them different, consecutive numbers (issue 20 §7, concurrency-safe)."""

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from jiuzhu.apps.enrollment import certificates
from jiuzhu.apps.enrollment.models import CertificateSequence
from tests.conftest import VILLAGE_A
from tests.flushable_audit import _audit_triggers_back_after_flush, _django_db_helper  # noqa: F401

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="needs row locks and concurrent transactions (PostgreSQL only)")


@pytest.mark.django_db(transaction=True)
def test_two_numbers_at_once_are_distinct(regions, monkeypatch):
    # the year's sequence row exists (inserting it, a second transaction waits on the first's insert anyway)
    CertificateSequence.objects.create(prefix="DB3301272026")
    barrier = threading.Barrier(2, timeout=10)
    monkeypatch.setattr(certificates, "number_terms", lambda code, on: ("county_year_seq", 5))
    real = CertificateSequence.objects.bulk_create
    numbers, errors = [], []

    def create_then_wait(*args, **kwargs):
        out = real(*args, **kwargs)
        barrier.wait()  # both transactions have inserted (or skipped) the row; now both lock it
        return out

    monkeypatch.setattr(CertificateSequence.objects, "bulk_create", create_then_wait)

    def take():
        try:
            with transaction.atomic():
                numbers.append(certificates.next_number("dibao", VILLAGE_A, date(2026, 12, 15)))
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(numbers) == ["DB330127202600001", "DB330127202600002"]
