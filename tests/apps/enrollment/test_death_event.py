"""The registry announces a death through ``registry.events`` (it imports no app above it); the
enrollment app listens from its ``ready()`` and runs inside the registry's transaction (R-DM-05)."""

from datetime import date

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.enrollment.services import enrollment_death_reported
from jiuzhu.apps.registry import events
from jiuzhu.apps.registry.models import Membership
from jiuzhu.apps.registry.services import member_end
from jiuzhu.rules.errors import Conflict

from .lifecycle_helpers import enrollment, make_enrollment, people  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
DIED = date(2026, 11, 20)


def test_the_enrollment_listens_once_to_deaths_reported_in_the_registry():
    # given the apps started (EnrollmentConfig.ready registered the listener)
    # when it is registered again
    events.on_death_reported(enrollment_death_reported)
    # then a death still reaches it once
    assert events._DEATH_LISTENERS.count(enrollment_death_reported) == 1


def test_a_listener_that_fails_undoes_the_member_end(people, household, monkeypatch):
    # given an enrollment, and a listener after the enrollment's that refuses
    e = make_enrollment(household, next_recheck=date(2027, 7, 1))
    spouse = Membership.objects.get(household=household, end_date__isnull=True, relation="spouse").person

    def refuse(**event):
        raise Conflict("test.refused", "拒绝", field="person")

    monkeypatch.setattr(events, "_DEATH_LISTENERS", [*events._DEATH_LISTENERS, refuse])
    audit_before = AuditEvent.objects.count()
    # when the death is recorded
    with pytest.raises(Conflict):
        member_end(actor=people["village"], person_id=spouse.pk, reason="death", as_of=DIED)
    # then nothing is written: the member, the enrollment's recheck date and the audit log are as before
    assert Membership.objects.filter(person=spouse, end_date__isnull=True).exists()
    e.refresh_from_db()
    assert e.next_recheck == date(2027, 7, 1) and e.version == 1 and not e.changes.exists()
    assert AuditEvent.objects.count() == audit_before
