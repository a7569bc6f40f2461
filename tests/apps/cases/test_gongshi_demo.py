"""The demo county turns the 社会救助年审 plan 三(2) steps on (issue 20 §2–4): 申请情况公示, 驻村干部, 民主听证."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.cases.config import region_config
from jiuzhu.apps.synthetic.demo import demo_users_load
from jiuzhu.apps.synthetic.demo_procedure import demo_procedure_load
from tests.conftest import TOWNSHIP_A, VILLAGE_A

pytestmark = pytest.mark.django_db


def test_demo_county_defaults_follow_the_annual_review_plan(regions, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    demo_users_load()
    users = User.objects.count()
    assert demo_procedure_load() is True
    s = region_config(VILLAGE_A).settings
    assert s.application_notice and s.survey_resident_cadre and s.hearing
    assert User.objects.get(username="township").resident_cadre and User.objects.count() == users
    assert demo_procedure_load() is False  # once


def test_workflow_cli_sets_and_shows_the_optional_steps(regions, capsys):
    call_command("workflow", "set", "--region", TOWNSHIP_A, "--application-notice", "true", "--hearing", "是")
    capsys.readouterr()
    call_command("workflow", "show", "--region", VILLAGE_A)
    shown = json.loads(capsys.readouterr().out)
    assert shown["application_notice"] is True and shown["hearing"] is True and shown["survey_resident_cadre"] is False
    with pytest.raises(CommandError) as exc:
        call_command("workflow", "set", "--region", TOWNSHIP_A, "--survey-resident-cadre", "maybe")
    assert exc.value.returncode == 2 and "应为 true 或 false" in str(exc.value)
