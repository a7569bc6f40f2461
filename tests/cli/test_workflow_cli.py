"""``jiuzhu workflow show|set``: region workflow settings within the national bounds."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.models import WorkflowSetting
from tests.conftest import COUNTY, TOWNSHIP_A, VILLAGE_A

pytestmark = pytest.mark.django_db


def test_show_defaults_then_set_inherited_by_township(regions, capsys):
    call_command("workflow", "show", "--region", VILLAGE_A)
    shown = json.loads(capsys.readouterr().out)
    assert shown["confirmation_level"] == "township" and shown["overall_limit_wd"] == 20
    call_command("workflow", "set", "--region", COUNTY, "--confirmation-level", "county",
                 "--overall-limit-wd", "30", "--overall-limit-extended-wd", "45", "--objection-phone", "0571-12345")
    call_command("workflow", "show", "--region", VILLAGE_A)
    shown = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert shown["confirmation_level"] == "county" and shown["objection_phone"] == "0571-12345"
    assert AuditEvent.objects.filter(action="workflow.settings").count() == 1


@pytest.mark.parametrize("args,field", [
    (["--overall-limit-wd", "25"], "overall_limit_wd"),  # delegated: at most 20
    (["--overall-limit-extended-wd", "50"], "overall_limit_extended_wd"),
    (["--step-limits", '{"survey": 9}'], "step_limits.survey"),
    (["--step-limits", '{"nonsense": 1}'], "step_limits.nonsense"),
])
def test_out_of_national_bounds_refused_and_nothing_saved(regions, args, field):
    with pytest.raises(CommandError) as exc:
        call_command("workflow", "set", "--region", TOWNSHIP_A, *args)
    assert exc.value.returncode == 2 and field in str(exc.value)
    assert not WorkflowSetting.objects.exists()


def test_village_level_refused(regions):
    with pytest.raises(CommandError) as exc:
        call_command("workflow", "set", "--region", VILLAGE_A, "--overall-limit-wd", "10")
    assert "乡镇" in str(exc.value)
