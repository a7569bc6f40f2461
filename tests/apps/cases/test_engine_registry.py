"""Programs register with the case engine (cases/registry.py): the engine imports no app above it, yet
every guard the tables name and every action's step is there when the engine runs (issue 18 §7)."""

from __future__ import annotations

from itertools import product

import pytest

from jiuzhu.apps.cases import registry
from jiuzhu.apps.cases.guards import GUARDS
from jiuzhu.apps.cases.services import SERVICES
from jiuzhu.apps.programs import guards as program_guards
from jiuzhu.apps.programs import review
from jiuzhu.rules.workflow import WorkflowSettings
from jiuzhu.rules.workflow.tables import table_for

PROGRAM_STEPS = ("initial_review", "confirm", "recheck_review", "decide", "cancel", "start_termination_notice")


def _all_rows():
    for program, level, verify_first, kind in product(("dibao", "tekun"), ("township", "county"), (True, False),
                                                      ("application", "recheck")):
        yield from table_for(program, WorkflowSettings(level, verify_first), kind)


def test_every_guard_the_tables_name_is_known_to_the_engine():
    # given every transition table (both programs, both confirmation levels, applications and rechecks)
    named = {name for row in _all_rows() for name in row.guards}
    # then the engine has a guard for each name, the programs' own among them
    assert named - set(GUARDS) == set()
    assert {"no_active_enrollment", "enrollment_live"} <= named
    assert GUARDS["no_active_enrollment"] is program_guards.no_active_enrollment


def test_every_action_of_the_tables_has_a_service_and_the_program_steps_are_registered():
    # given every action the tables allow after submit
    actions = {row.action for row in _all_rows()} - {"submit"}
    # then the engine dispatches each one, and the steps that touch enrollments come from the programs
    assert actions - set(SERVICES) == set()
    assert set(PROGRAM_STEPS) <= set(registry._HANDLERS)
    assert registry._HANDLERS["confirm"] is review.confirm_writes


def test_a_second_registration_under_a_taken_name_is_refused():
    # given the programs' guard registered at start-up
    # when the same function is registered again, nothing changes
    registry.register_guard("no_active_enrollment", program_guards.no_active_enrollment)
    # but another function under that name is refused, naming it
    with pytest.raises(RuntimeError, match="no_active_enrollment"):
        registry.register_guard("no_active_enrollment", lambda ctx: None)
    with pytest.raises(RuntimeError, match="confirm"):
        registry.register_handler("confirm", lambda ctx: None)
    # then the registered ones are still in place
    assert GUARDS["no_active_enrollment"] is program_guards.no_active_enrollment
    assert registry._HANDLERS["confirm"] is review.confirm_writes


def test_an_action_without_a_registered_step_fails_loudly():
    # given an action no program registered a step for
    step = registry.handler("no_such_action")
    # when the engine runs it
    # then it fails naming the action instead of silently skipping the step
    with pytest.raises(RuntimeError, match="no_such_action"):
        step(object())


def test_a_document_lookup_nobody_registered_gives_the_default():
    # given a lookup name that no program registered
    # when the engine's documents ask for it
    # then they get the default, and the registered one is there
    assert registry.lookup("no_such_lookup", object(), default="—") == "—"
    assert "adjustment_notice" in registry.documents()
