"""Every audit action written anywhere in the code has a Chinese label on the audit page.

The action names are read from the source: each ``audit_record(action=…)`` call and each event dict
given to ``audit_record_many``. Actions built at run time (f-strings) must belong to a family whose
members are listed below; a new family fails here until it is named."""

from __future__ import annotations

import ast
from pathlib import Path

import jiuzhu
from jiuzhu.apps.audit.labels import action_label, known_actions
from jiuzhu.rules.workflow.enrollment import TRANSITIONS
from jiuzhu.rules.workflow.states import ACTION_LABELS

SRC = Path(jiuzhu.__file__).parent
FAMILIES = {  # prefix of an f-string action → every action it can produce
    "case.": [f"case.{a}" for a in ACTION_LABELS] + ["case.schedule"],
    "enrollment.": [f"enrollment.{k}" for k in TRANSITIONS],
    "pii.view_": ["pii.view_id_number", "pii.view_phone"],
    "export.": ["export.cases", "export.households", "export.enrollments"],
    "certificate.": ["certificate.revoke", "certificate.reissue"],
}


def _constants(tree: ast.Module) -> dict[str, str]:
    return {t.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)}


def _actions(expr, constants: dict, where: str) -> list[str]:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return [expr.value]
    if isinstance(expr, ast.IfExp):
        return _actions(expr.body, constants, where) + _actions(expr.orelse, constants, where)
    if isinstance(expr, ast.Name) and expr.id in constants:
        return [constants[expr.id]]
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):  # "a." + ("x" if … else "")
        return [a + b for a in _actions(expr.left, constants, where) for b in _actions(expr.right, constants, where)]
    if isinstance(expr, ast.JoinedStr):
        head = expr.values[0]
        prefix = head.value if isinstance(head, ast.Constant) else ""
        assert prefix in FAMILIES, f"{where}: action {ast.unparse(expr)} is built at run time; list its family here"
        return FAMILIES[prefix]
    raise AssertionError(f"{where}: cannot read the audit action {ast.unparse(expr)}")


def audit_actions() -> dict[str, str]:
    """Every audit action in the code → where it is written."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
            where = f"{path.relative_to(SRC)}:{node.lineno}"
            exprs = []
            if name == "audit_record":
                exprs = [k.value for k in node.keywords if k.arg == "action"]
                assert exprs, f"{where}: audit_record without action="
            elif name == "audit_record_many":
                exprs = [v for d in ast.walk(node) if isinstance(d, ast.Dict)
                         for k, v in zip(d.keys, d.values, strict=True)
                         if isinstance(k, ast.Constant) and k.value == "action"]
            for expr in exprs:
                for action in _actions(expr, constants, where):
                    found.setdefault(action, where)
    return found


def test_the_scan_finds_the_known_call_sites():
    actions = audit_actions()
    # a literal, a constant (demo.load), both arms of a conditional, a family and an audit_record_many dict
    for expected in ("household.create", "demo.load", "ledger.export", "ledger.export_full", "case.accept",
                     "alert.create", "pii.view_id_number"):
        assert expected in actions
    assert len(actions) > 60


def test_every_audit_action_has_a_chinese_label():
    missing = {a: where for a, where in audit_actions().items() if action_label(a) == a}
    assert not missing, f"audit actions without a label in apps/audit/labels.py: {missing}"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for _, label in known_actions())


def test_unknown_action_is_shown_as_itself():
    assert action_label("something.new") == "something.new"
    assert action_label("case.accept") == "受理"
