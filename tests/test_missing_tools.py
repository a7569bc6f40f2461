"""An optional tool (chromium, Java + PySpark) missing: the test is skipped on a developer's machine,
but fails under CI=true, where `make test` installs it (issue 12 §2)."""

from __future__ import annotations

import pytest

from tests.conftest import missing_tool


@pytest.mark.parametrize(("ci", "outcome"), [
    ("true", pytest.fail.Exception),
    (None, pytest.skip.Exception),
    ("false", pytest.skip.Exception),
])
def test_missing_tool_fails_under_ci_and_skips_elsewhere(monkeypatch, ci, outcome):
    # given CI set (or not)
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    # when a test finds chromium missing
    with pytest.raises(outcome) as raised:
        missing_tool("Debian chromium is not installed at /usr/bin/chromium")
    # then the message names the tool
    assert "chromium" in str(raised.value)
