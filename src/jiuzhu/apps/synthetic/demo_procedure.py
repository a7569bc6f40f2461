"""The demo county's settings for the optional steps of the 社会救助年审 plan 三(2) (issue 20 §2–4):
申请情况公示, a 驻村干部 among the survey's investigators and the 民主听证 — all on, as the seed plan
writes them. Loaded after the demo world: the cases scripted there keep the path they started on (a
case keeps the settings of its submit), new applications in the browser take the plan's full path."""

from __future__ import annotations

from django.db import transaction

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.cases.config import OPTIONAL_STEPS, region_config
from jiuzhu.apps.cases.settings_services import workflow_setting_set

from .demo import DEMO_COUNTY, DEMO_TOWNSHIPS, demo_password

SOURCE = "社会救助年审工作方案 三(2)：申请情况公示、入户调查(含驻村干部)、民主听证"
# A township cadre stationed in a village (驻村干部): one of the two investigators of a survey.
CADRE = ("zhucun", Role.CASEWORKER, DEMO_TOWNSHIPS[0], "吴驻村")


def demo_procedure_load() -> bool:
    """Turn the three steps on for the demo county and add its 驻村干部; False when already done."""
    settings = region_config(DEMO_COUNTY).settings
    if all(getattr(settings, f) for f in OPTIONAL_STEPS) and User.objects.filter(username=CADRE[0]).exists():
        return False
    with transaction.atomic():
        workflow_setting_set(actor=None, region_code=DEMO_COUNTY, data={**{f: True for f in OPTIONAL_STEPS},
                                                                         "source": SOURCE})
        username, role, region, name = CADRE
        if not User.objects.filter(username=username).exists():
            user = User(username=username, role=role, region_id=region, display_name=name, resident_cadre=True)
            user.set_password(demo_password(username))
            user.save()
            audit_record(actor=None, action="user.create", subject_type="user", subject_id=user.pk,
                         after={"username": username, "role": role, "region": region, "resident_cadre": True},
                         details={"demo": True})
    return True
