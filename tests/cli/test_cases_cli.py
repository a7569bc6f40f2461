"""`jiuzhu cases mark-overdue`: marks passed deadlines overdue and prints the counts in Chinese."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.cases.services import case_submit


def _submit(actor, household):
    return case_submit(actor=actor, program="dibao", household_id=household.pk, applicant_id=household.head_id,
                       channel="window", payload={"id_checked": True, "authorization_signed": True},
                       now=timezone.now())


def _run(*args) -> str:
    out = io.StringIO()
    call_command("cases", "mark-overdue", *args, stdout=out)
    return out.getvalue()


def test_mark_overdue_marks_and_counts_then_is_idempotent(caseworker, household):
    # given a submitted case whose request_verification deadline (3 wd) passes by the given date
    case = _submit(caseworker, household)
    later = (timezone.localdate() + timedelta(days=30)).isoformat()
    # when the job runs today: nothing is late yet
    assert "新标记逾期环节 0 个，新增逾期案件 0 件" in _run()
    # when it runs for a date 30 days ahead
    out = _run("--date", later)
    # then one deadline and one case are marked, and the case is on the supervision list
    assert f"{later} 逾期检查完成：新标记逾期环节 1 个，新增逾期案件 1 件" in out
    case.refresh_from_db()
    assert case.overdue
    # and running it again changes nothing
    assert "新标记逾期环节 0 个，新增逾期案件 0 件" in _run("--date", later)
    assert Case.objects.filter(overdue=True).count() == 1


def test_mark_overdue_bad_date_exits_2_in_chinese(db):
    with pytest.raises(CommandError) as exc:
        _run("--date", "2026-02-30")
    assert exc.value.returncode == 2 and "格式错误" in str(exc.value)
