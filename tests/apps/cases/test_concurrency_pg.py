"""Two people confirming the same case at the same moment, in two real transactions (PostgreSQL).

Each thread has its own database connection; a barrier inside ``case_act`` (just before the case row
is locked) makes both transactions overlap. SQLite serializes writers on the whole file, so the race
this guards against cannot happen there.
"""

import importlib
import threading
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.db import connection

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases import engine
from jiuzhu.apps.cases.models import CaseEvent
from jiuzhu.apps.cases.services import case_act
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.workcalendar.models import CalendarYear
from jiuzhu.apps.workcalendar.selectors import calendar_cache_clear
from jiuzhu.rules.errors import Conflict
from tests.flushable_audit import _audit_triggers_back_after_flush, _django_db_helper  # noqa: F401

from .flow import MEETING, at, to_confirmation

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="needs row locks and concurrent transactions (PostgreSQL only)")
SEED = importlib.import_module("jiuzhu.apps.workcalendar.migrations.0002_seed_2004_2026")




@pytest.fixture
def work_calendar(transactional_db):
    """The holiday tables come from a data migration; an earlier transactional test's flush empties them."""
    if not CalendarYear.objects.exists():
        SEED.forwards(apps, None)
    calendar_cache_clear()


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_one_wins_one_conflicts(work_calendar, people, household, monkeypatch):
    # given a committed case awaiting confirmation, and two members of the group on it
    case, d = to_confirmation(people, household, date(2026, 11, 2))
    reviewer = people["reviewer"]
    barrier = threading.Barrier(2, timeout=10)
    real_lock = engine.lock_case

    def lock_after_both_arrive(actor, case_id):
        barrier.wait()  # both transactions are open inside case_act; now both go for the row
        return real_lock(actor, case_id)

    monkeypatch.setattr(engine, "lock_case", lock_after_both_arrive)
    outcomes = []

    def confirm():
        try:
            case_act(actor=reviewer, case_id=case.pk, action="confirm", payload=MEETING,
                     now=at(d + timedelta(days=1)))
            outcomes.append("approved")
        except Exception as exc:  # noqa: BLE001 — any other failure must show in the assertion below
            outcomes.append(exc)
        finally:
            connection.close()

    # when both confirm at once
    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    # then exactly one wins; the other gets the 409 "wrong state" with the state it found
    assert sorted(map(str, outcomes)).count("approved") == 1 and len(outcomes) == 2
    lost = next(o for o in outcomes if o != "approved")
    assert isinstance(lost, Conflict) and lost.status == 409 and lost.code == "case.wrong_state"
    assert lost.message == "案件当前状态为“已批准”，不能执行“审核确认(批准)”"
    # and exactly one enrollment, one confirm event, one confirm audit event
    assert Enrollment.objects.filter(case_id=case.pk).count() == 1
    assert CaseEvent.objects.filter(case_id=case.pk, action="confirm").count() == 1
    assert AuditEvent.objects.filter(action="case.confirm", subject_id=str(case.pk)).count() == 1
