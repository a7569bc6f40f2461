"""Issue 12 §3.6 "Long-term notice (长期公示)": it ends when the enrollment stops and shows the new amount
after an adjustment; the public page never shows a stopped household or an old amount."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.enrollment.services import (
    enrollment_adjust,
    enrollment_graduate,
    enrollment_stop,
    enrollment_suspend,
    enrollments_graduation_end,
)
from jiuzhu.apps.programs.selectors import public_notices

from .flow import MEETING, act, at, to_confirmation

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 2)
CONFIRMED = date(2026, 11, 16)
LATER = date(2026, 11, 25)  # the initial notice (7 days from about 11-07) is over: only the long-term one runs


def _approved(people, household) -> Enrollment:
    case, _ = to_confirmation(people, household, DAY)
    case = act(people["reviewer"], case, "confirm", CONFIRMED, MEETING)
    return Enrollment.objects.get(case=case)


def _long_term(name: str, today: date = LATER) -> list[dict]:
    return [r for r in public_notices(today=today) if r["kind"] == "long_term" and r["name"] == name]


def test_long_term_notice_shows_the_new_amount_after_an_adjustment(people, household):
    # given an approved household on the public page with its approved amount
    e = _approved(people, household)
    [row] = _long_term(household.head_name)
    assert (row["household_size"], row["amount"]) == (2, e.amount)
    # when its amount is adjusted (in force from next month)
    new = e.amount - Decimal("100.00")
    enrollment_adjust(actor=people["caseworker"], enrollment_id=e.pk, amount=new, reason="家庭成员务工收入增加",
                      now=at(date(2026, 11, 20)))
    # then the public page shows the new amount, never the old one
    [row] = _long_term(household.head_name)
    assert row["amount"] == new
    assert all(r["amount"] != e.amount for r in _long_term(household.head_name))


@pytest.mark.parametrize("change, shown", [
    (enrollment_stop, False),       # 停保: the notice ends
    (enrollment_suspend, True),     # 暂停: still an enrolled household (payment paused)
])
def test_long_term_notice_ends_when_the_enrollment_stops(people, household, change, shown):
    # given an approved household on the public page
    e = _approved(people, household)
    assert _long_term(household.head_name)
    # when the enrollment changes
    change(actor=people["caseworker"], enrollment_id=e.pk, reason="家庭人均收入已超过低保标准", now=at(date(2026, 11, 20)))
    # then a stopped household is never shown; a suspended one stays
    assert bool(_long_term(household.head_name)) is shown


def test_long_term_notice_stays_through_graduation_and_ends_when_it_ends(people, household):
    # given an approved household in its graduation period (渐退, still paid)
    e = _approved(people, household)
    enrollment_graduate(actor=people["caseworker"], enrollment_id=e.pk, graduation_reason="employment_income",
                        reason="家庭成员就业", now=at(date(2026, 11, 20)))
    assert _long_term(household.head_name)
    # when the period ends and the monthly sweep stops it, then the notice is gone
    e.refresh_from_db()
    assert enrollments_graduation_end(today=e.stopped_month, now=at(e.stopped_month)) == 1
    assert not _long_term(household.head_name, today=e.stopped_month)
