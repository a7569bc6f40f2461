"""R-DM-05: a member's death schedules the household's recheck within 3 months."""

from datetime import date

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.registry.models import Membership
from jiuzhu.apps.registry.services import member_end

from .lifecycle_helpers import enrollment, make_enrollment, people  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
DIED = date(2026, 11, 20)


def spouse_of(household):
    return Membership.objects.get(household=household, end_date__isnull=True, relation="spouse").person


def test_death_brings_the_recheck_forward_and_opens_a_recheck_case(people, household):
    # given an enrollment whose next recheck is a year away
    e = make_enrollment(household, next_recheck=date(2027, 7, 1))
    spouse = spouse_of(household)
    # when the village assistant records the spouse's death
    member_end(actor=people["village"], person_id=spouse.pk, reason="death", as_of=DIED, note="病故")
    # then the recheck is due within 3 months of the death, on record with its ground
    e.refresh_from_db()
    assert e.next_recheck == date(2027, 2, 20) and e.version == 2
    change = e.changes.get()
    assert change.kind == "recheck" and change.old_amount == change.new_amount == e.amount
    assert "李秀英" in change.reason and "R-DM-05" in change.legal_ground and change.source == f"death:{spouse.pk}"
    # and a recheck case is open, due on that date, for the caseworker to start
    case = Case.objects.get(enrollment=e)
    assert case.kind == "recheck" and case.state == "scheduled" and case.is_open and case.channel == "recheck"
    assert case.number.startswith("FHDB")
    deadline = case.deadlines.get()
    assert (deadline.step, deadline.due, deadline.rule_id, deadline.status) == ("recheck", date(2027, 2, 20), "R-DM-05",
                                                                               "open")
    assert (case.task_role, case.next_step, case.next_due) == ("township_caseworker", "recheck", date(2027, 2, 20))
    assert list(case.events.values_list("action", flat=True)) == ["schedule"]
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["household.member_end", "enrollment.death_recheck", "case.schedule"]


def test_death_keeps_an_earlier_recheck_and_hurries_an_open_one(people, household):
    e = make_enrollment(household, next_recheck=date(2027, 1, 10))
    spouse = spouse_of(household)
    member_end(actor=people["caseworker"], person_id=spouse.pk, reason="death", as_of=DIED)
    e.refresh_from_db()
    assert e.next_recheck == date(2027, 1, 10)  # already sooner than 3 months
    assert Case.objects.get(enrollment=e).next_due == date(2027, 2, 20)
    # a second death, later, moves nothing; an earlier open deadline is kept
    head = household.head
    Membership.objects.filter(person=head, end_date__isnull=True).update(relation="other")
    member_end(actor=people["caseworker"], person_id=head.pk, reason="death", as_of=date(2026, 12, 5))
    assert Case.objects.filter(enrollment=e).count() == 1
    assert Case.objects.get(enrollment=e).deadlines.get().due == date(2027, 2, 20)


def test_moving_out_does_not_schedule_a_recheck(people, household, enrollment):
    member_end(actor=people["caseworker"], person_id=spouse_of(household).pk, reason="moved", as_of=DIED)
    assert not Case.objects.exists()
    assert Enrollment.objects.get(pk=enrollment.pk).changes.count() == 0


def test_stopped_enrollments_are_not_rechecked(people, household):
    make_enrollment(household, status="stopped")
    member_end(actor=people["caseworker"], person_id=spouse_of(household).pk, reason="death", as_of=DIED)
    assert not Case.objects.exists()
