"""Walk every entry of every transition table (dibao, tekun × verify_before_accept × confirmation_level),
and of every recheck table (dibao, tekun × confirmation_level).

For each row and each of its from-states a case is driven into that state (depth-first; each branch is
rolled back to a savepoint, so one case serves a whole table), then:
- every role outside the row is refused (Forbidden, 403) and the case, its timeline, deadlines and the
  audit log stay exactly as they were;
- ``allowed_actions`` lists the action for the allowed role exactly when the action then succeeds;
- the allowed role performs it: next state, deadlines created (due on the work calendar, calendar
  version kept) and deadlines met, one event and one audit event.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from django.db import transaction

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.cases.selectors import allowed_actions
from jiuzhu.apps.workcalendar.selectors import work_calendar
from jiuzhu.rules.errors import Conflict, DomainError, Forbidden
from jiuzhu.rules.workflow import WorkflowSettings, table_for
from jiuzhu.rules.workflow.deadlines import due_date
from jiuzhu.rules.workflow.model import CASEWORKER, COUNTY, REVIEWER, VILLAGE
from jiuzhu.rules.workflow.states import CLOSED_STATES
from tests.apps.enrollment.lifecycle_helpers import make_enrollment
from tests.apps.reviews.recheck_flow import DECISION, schedule
from tests.conftest import COUNTY as COUNTY_CODE

from .flow import (
    APPRAISAL,
    EVENT_DAY,
    HOME_VISIT,
    MEETING,
    REJECT,
    SURVEY,
    TEKUN_MEETING,
    TEKUN_SURVEY,
    act,
    submit,
    verification,
    workflow_setting,
)

pytestmark = pytest.mark.django_db
START = date(2026, 10, 12)  # after National Day; the deepest branch stays inside the 2026 calendar
ORDER = (CASEWORKER, REVIEWER, COUNTY, VILLAGE)  # who performs a row when several roles may
# Actions that keep the state but change what may happen next (so the walk goes on from there).
ENABLING = {"record_spot_check", "request_verification", "record_verification", "record_id_authorization"}
# The walk's case is submitted without 一证一书 (as by the API's minimal body): it is recorded later.
NO_ID_AUTHORIZATION = {"id_checked": False, "authorization_signed": False}

CONFIGS = [(program, verify, level) for program in ("dibao", "tekun") for verify in (True, False)
           for level in ("township", "county")]


def payloads(program):
    survey, meeting = (TEKUN_SURVEY, TEKUN_MEETING) if program == "tekun" else (SURVEY, MEETING)
    return {
        "record_id_authorization": [{"id_checked": True, "authorization_signed": True}],
        "request_verification": [{}], "record_verification": [verification()],
        "notify_ineligible": [{"reason": "核对发现家庭存款超过当地标准"}],
        "object": [{"reason": "申请人提供新的银行流水，对核对结果提出异议"}],
        "request_materials": [{"missing": ["户口簿复印件", "残疾人证"]}], "accept": [{}],
        "refuse_acceptance": [{"reasons": ["申请人户籍不在本乡镇"]}],
        "record_survey": [survey],
        "initial_review": [{"opinion": "grant"}, {"opinion": "deny", "override_reason": "入户发现有经营收入未申报"}],
        "publish_notice": [{}], "forward_denial": [{}],
        "record_objection": [{"content": "有村民反映其家中有小轿车", "objector": "匿名"}],
        "hold_appraisal": [APPRAISAL], "reinvestigate": [{"date": EVENT_DAY, "findings": "经复核，车辆已于去年出售"}],
        "close_notice": [{}], "record_spot_check": [HOME_VISIT], "confirm": [meeting], "reject": [REJECT],
        "deliver_denial": [{"date": EVENT_DAY, "method": "in_person"}], "file_record": [{}],
        "withdraw": [{"reason": "申请人书面申请撤回"}], "terminate": [{"reason_code": "refused_cooperation"}],
        "extend": [{"reason_code": "complex_household"}],
    }


def recheck_payloads(program):
    """A payload may be a function of the case (the decision follows the case's opinion)."""
    tekun = program == "tekun"
    reviews = [{"outcome": "stop", "override_reason": "义务人已具备赡养能力"},
               {"outcome": "continue", "override_reason": "情况无变化"}] if tekun \
        else [{"outcome": "continue", "override_reason": "收入变化为暂时情况"}]
    return {
        "request_verification": [{}], "record_verification": [verification()],
        "record_survey": [TEKUN_SURVEY if tekun else SURVEY], "recheck_review": reviews,
        "decide": [lambda case: {**DECISION, "outcome": case.decided_status}],
        "start_termination_notice": [{"ground": "obligor_able", "reason": "其子已稳定就业，具备赡养能力",
                                      "reported_by": "village_committee"}],
        "record_objection": [{"content": "其子收入不稳定，无力赡养", "objector": "匿名"}],
        "reinvestigate": [{"date": EVENT_DAY, "findings": "经调查，其子收入稳定", "conclusion": "unfounded"}],
        "cancel": [{"reason": "对象已迁出本县"}], "extend": [{"reason_code": "force_majeure"}],
    }


@contextmanager
def rolled_back():
    sid = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(sid)


def snapshot(case):
    case = Case.objects.get(pk=case.pk)
    return {"state": case.state, "version": case.version, "events": case.events.count(),
            "audit": AuditEvent.objects.filter(action__startswith="case.").count(),
            "deadlines": sorted(case.deadlines.values_list("id", "step", "status", "due"))}


class Walk:
    def __init__(self, program, settings, users, kind="application"):
        self.program, self.settings, self.users = program, settings, users
        self.table = table_for(program, settings, kind)
        self.payloads = payloads(program) if kind == "application" else recheck_payloads(program)
        # After a notice starts: applications go on after it ended; rechecks also during it (objections).
        self.notice_steps = (8,) if kind == "application" else (1, 8)
        self.outcomes: dict[tuple, set] = {}
        self.seen: set = set()
        self.refused_roles: set = set()  # (action, state) pairs whose outside roles were tried

    def listing(self, case, day):
        return {role: allowed_actions(case=case, actor=user, today=day) for role, user in self.users.items()}

    def visit(self, case, day):
        listing = self.listing(case, day)
        for role, actions in listing.items():  # the listing never offers what the table does not give the role
            assert set(actions) <= {r.action for r in self.table if case.state in r.from_states and role in r.roles}
        key = (case.state, tuple(sorted((k, tuple(v)) for k, v in listing.items())))
        if key in self.seen:
            return
        self.seen.add(key)
        for row in [r for r in self.table if case.state in r.from_states]:
            for payload in self.payloads[row.action]:
                payload = payload(case) if callable(payload) else payload
                with rolled_back():
                    after = self.attempt(case, row, payload, day, listing)
                    if after is not None and (row.to_state is not None or row.action in ENABLING):
                        notice = any(rule.unit == "days" for rule in row.creates)
                        for step in (self.notice_steps if notice else (1,)):
                            self.visit(after, day + timedelta(days=step))

    def attempt(self, case, row, payload, day, listing):
        before = snapshot(case)
        outsiders = [role for role in self.users if role not in row.roles]
        assert not any(row.action in listing[role] for role in outsiders), row.action
        if (row.action, case.state) not in self.refused_roles:  # once per (action, from-state) is enough
            self.refused_roles.add((row.action, case.state))
            for role in outsiders:
                with pytest.raises(Forbidden) as refused:
                    act(self.users[role], case, row.action, day, payload)
                assert refused.value.status == 403 and "您的角色不能执行" in refused.value.message
            assert snapshot(case) == before, row.action  # versions, counts and ids only grow: one look suffices
        role = next(r for r in ORDER if r in row.roles)
        listed = row.action in listing[role]
        outcome = self.outcomes.setdefault((row.action, case.state), set())
        try:
            after = act(self.users[role], case, row.action, day, payload)
        except DomainError as exc:
            assert isinstance(exc, Conflict) and not listed, (row.action, case.state, exc.code, exc.message)
            assert snapshot(case) == before
            outcome.add(exc.code)
            return None
        assert listed, (row.action, case.state)
        outcome.add("done")
        self.check_effects(case, after, row, day, before)
        return after

    def check_effects(self, case, after, row, day, before):
        assert after.state == (row.to_state or case.state)
        assert after.is_open == (after.state not in CLOSED_STATES)
        assert after.version == before["version"] + 1
        assert list(after.events.order_by("-id").values_list("action", flat=True)[:1]) == [row.action]
        assert after.events.count() == before["events"] + 1
        case_audit = AuditEvent.objects.filter(action__startswith="case.")
        assert case_audit.count() == before["audit"] + 1
        assert case_audit.order_by("-id").first().action == f"case.{row.action}"
        old_ids = {d[0] for d in before["deadlines"]}
        live_before = {d[1]: d[0] for d in before["deadlines"] if d[2] in ("open", "overdue")}
        new = {d.step: d for d in after.deadlines.exclude(id__in=old_ids)}
        expected = [(r.step, r) for r in row.creates]
        if row.starts_overall:
            expected.append(("overall", None))
        assert sorted(new) == sorted(step for step, _ in expected)
        calendar = work_calendar()
        for step, rule in expected:
            d = new[step]
            assert d.status == "open" and d.starts_on == day and d.calendar_version == after.calendar_version != ""
            if rule is None:
                assert d.amount == self.settings.overall_limit_wd
            else:
                assert d.due == due_date(calendar, rule, day)
        statuses = dict(after.deadlines.filter(id__in=old_ids).values_list("id", "status"))
        for step, deadline_id in live_before.items():
            if step in row.meets:
                assert statuses[deadline_id] == "met", (row.action, step)
            elif "*" in row.meets:
                assert statuses[deadline_id] == "cancelled", (row.action, step)
            elif step == "overall" and row.action == "extend":
                assert after.deadlines.get(id=deadline_id).amount == self.settings.overall_limit_extended_wd
            else:
                assert statuses[deadline_id] in ("open", "overdue"), (row.action, step)


@pytest.fixture
def users(caseworker, reviewer, county_user, village_user, inspector):
    return {CASEWORKER: caseworker, REVIEWER: reviewer, COUNTY: county_user, VILLAGE: village_user,
            "inspector": inspector}


@pytest.mark.parametrize("program, verify_first, level", CONFIGS,
                         ids=[f"{p}-{'verify_first' if v else 'accept_first'}-{lvl}" for p, v, lvl in CONFIGS])
def test_every_entry_of_the_table(users, household, program, verify_first, level):
    # given the county's settings for the path (as an administrator sets them)
    workflow_setting(COUNTY_CODE, level=level, verify_first=verify_first)
    walk = Walk(program, WorkflowSettings(level, verify_first), users)
    submit_row = next(r for r in walk.table if r.action == "submit")
    # when roles outside ``submit`` try to start a case, and then the walk visits every state
    for role in set(users) - submit_row.roles:
        with pytest.raises(Forbidden):
            submit(users[role], household, program=program, day=START, channel="window")
    assert not Case.objects.exists() and not AuditEvent.objects.filter(action__startswith="case.").exists()
    case = submit(users[VILLAGE], household, program=program, day=START, **NO_ID_AUTHORIZATION)
    assert case.state == submit_row.to_state and case.settings["confirmation_level"] == level
    assert sorted(case.deadlines.values_list("step", flat=True)) == [r.step for r in submit_row.creates]
    walk.visit(case, START + timedelta(days=1))
    # then every (action, from-state) of the table was performed; only ``extend`` before the overall
    # clock has started is refused, by its guard
    pairs = {(r.action, s) for r in walk.table for s in r.from_states}
    assert set(walk.outcomes) == pairs == walk.refused_roles
    refused = {pair for pair, outcome in walk.outcomes.items() if "done" not in outcome}
    early = {"submitted"} | ({"awaiting_materials"} if not verify_first else set())
    assert refused == {("extend", state) for state in early}
    assert all(walk.outcomes[pair] == {"case.overall_not_started"} for pair in refused)


RECHECK_CONFIGS = [(program, level) for program in ("dibao", "tekun") for level in ("township", "county")]


@pytest.mark.parametrize("program, level", RECHECK_CONFIGS, ids=[f"recheck-{p}-{lvl}" for p, lvl in RECHECK_CONFIGS])
def test_every_entry_of_the_recheck_table(users, household, program, level):
    # given the county's confirmation level and a live enrollment (tekun: of the head, R-TK-16 rows)
    workflow_setting(COUNTY_CODE, level=level)
    walk = Walk(program, WorkflowSettings(level), users, kind="recheck")
    tekun = program == "tekun"
    enrollment = make_enrollment(household, program=program, klass="" if tekun else "C",
                                 person=household.head if tekun else None)
    # when the caseworker schedules the recheck and the walk visits every state
    case = schedule(users[CASEWORKER], enrollment, START)
    assert case.kind == "recheck" and case.state == "scheduled"
    walk.visit(case, START + timedelta(days=1))
    # then every (action, from-state) of the table was performed by its role and refused to the others
    pairs = {(r.action, s) for r in walk.table for s in r.from_states}
    assert set(walk.outcomes) == pairs == walk.refused_roles
    assert {pair for pair, outcome in walk.outcomes.items() if "done" not in outcome} == set()
    if tekun:  # the termination guards refused what the listing did not offer
        assert walk.outcomes[("decide", "proposed")] == {"done", "recheck.termination_notice_missing"}
        assert walk.outcomes[("decide", "termination_notice")] == {"done", "recheck.termination_notice_running"}
        assert walk.outcomes[("record_objection", "termination_notice")] == {"done", "case.notice_over"}
        assert ("start_termination_notice", "proposed") in pairs
