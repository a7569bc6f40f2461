"""The demo county's settings for the optional steps of the 社会救助年审 plan 三(2) (issue 20 §2–4):
申请情况公示, a 驻村干部 among the survey's investigators and the 民主听证 — all on, as the seed plan
writes them. Loaded after the demo world: the cases scripted there keep the path they started on (a
case keeps the settings of its submit), new applications in the browser take the plan's full path."""

from __future__ import annotations

from django.db import transaction

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.services import user_set_resident_cadre
from jiuzhu.apps.cases.config import OPTIONAL_STEPS, region_config
from jiuzhu.apps.cases.settings_services import workflow_setting_set

from .demo import DEMO_COUNTY

SOURCE = "社会救助年审工作方案 三(2)：申请情况公示、入户调查(含驻村干部)、民主听证"
# The demo caseworker 李经办 is also stationed in a village (驻村干部): with 王协理 the two investigators.
CADRE = "township"


def demo_procedure_load() -> bool:
    """Turn the three steps on for the demo county and mark its 驻村干部; False when already done."""
    settings = region_config(DEMO_COUNTY).settings
    if all(getattr(settings, f) for f in OPTIONAL_STEPS) and User.objects.filter(username=CADRE,
                                                                                 resident_cadre=True).exists():
        return False
    with transaction.atomic():
        workflow_setting_set(actor=None, region_code=DEMO_COUNTY, data={**{f: True for f in OPTIONAL_STEPS},
                                                                         "source": SOURCE})
        if User.objects.filter(username=CADRE).exists():
            user_set_resident_cadre(actor=None, username=CADRE, resident_cadre=True)
    return True
