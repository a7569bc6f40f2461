"""The permission matrix (issue 18 §7): one table of role → permission names, used by services,
views, templates and the API; no other module keeps a set of roles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jiuzhu.apps.accounts.permissions import MATRIX, has_permission, permissions_of, roles_with
from jiuzhu.apps.accounts.roles import Role, can

SRC = Path(__file__).resolve().parents[2] / "src" / "jiuzhu"


class Actor:
    def __init__(self, role, active=True):
        self.role, self.is_active, self.is_authenticated = role, active, True


@pytest.mark.parametrize(
    "permission, allowed",
    [
        ("payroll.operate", {Role.COUNTY}),
        ("registry.write", {Role.VILLAGE, Role.CASEWORKER, Role.COUNTY}),
        ("pii.view_full", {Role.CASEWORKER, Role.REVIEWER, Role.COUNTY}),
        ("audit.read", {Role.INSPECTOR, Role.ADMIN, Role.COUNTY}),
        ("calendar.import", {Role.ADMIN, Role.COUNTY}),
        ("lowincome.read", set(Role) - set()),
    ],
)
def test_each_role_holds_exactly_the_permissions_of_the_matrix(permission, allowed):
    for role in Role:
        assert has_permission(Actor(role), permission) is (role in allowed), (permission, role)


def test_an_inactive_or_missing_actor_holds_nothing():
    assert not has_permission(Actor(Role.ADMIN, active=False), "accounts.manage")
    assert not has_permission(None, "accounts.manage")
    assert not can(None, "audit.read")


def test_every_permission_has_chinese_text_and_an_unknown_name_is_an_error():
    assert all(re.search(r"[\u4e00-\u9fff]", text) for _, text in MATRIX.values())
    with pytest.raises(KeyError):
        roles_with("payroll.steal")
    assert "payroll.operate" in permissions_of(Role.COUNTY) and "payroll.operate" not in permissions_of(Role.ADMIN)


def test_every_permission_name_used_in_code_and_templates_is_in_the_matrix():
    used = set()
    for path in SRC.rglob("*"):
        if path.suffix in (".py", ".html") and path.name != "permissions.py":
            text = path.read_text(encoding="utf-8")
            used |= set(re.findall(r'(?:can\(\s*[\w.]+\s*,\s*|roles_required\(\s*|\|may:|has_permission\(\s*[\w.]+\s*,\s*)"([a-z_]+\.[a-z_]+)"', text))
            used |= set(re.findall(r'_role\(actor, "([a-z_]+\.[a-z_]+)"', text))
    assert used, "the scan found no permission names"
    assert used <= set(MATRIX), used - set(MATRIX)


def test_no_module_outside_the_matrix_keeps_a_set_of_roles():
    """Role sets live in accounts.permissions only (the workflow tables in rules.workflow hold the
    roles of each case step as data, by design)."""
    role_values = "|".join(sorted(r.value for r in Role))
    pattern = re.compile(r"(frozenset|set)\(\{[^}]*(Role\.[A-Z]+|\"(" + role_values + r")\")|=\s*\{\s*\"(" + role_values + r")\"")
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if rel in ("apps/accounts/permissions.py",) or rel.startswith(("rules/workflow/", "benchmarks/", "apps/synthetic/")):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and not line.startswith("ROLE_CHANNELS = "):  # channels per role: workflow data
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert offenders == []
