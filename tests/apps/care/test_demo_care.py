"""The demo county's care records are loaded through the services, once."""

from __future__ import annotations

import pytest

from jiuzhu.apps.care.models import CareProfile, Guardianship, SurveyCampaign, Visit
from jiuzhu.apps.synthetic.demo import DEMO_COUNTY, demo_users_load
from jiuzhu.apps.synthetic.demo_care import demo_care_load

from .conftest import NOW

pytestmark = pytest.mark.django_db


def test_demo_care_load_once(tekun):
    demo_users_load()
    assert demo_care_load(now=NOW) == 1
    profile = CareProfile.objects.get(enrollment=tekun)
    assert profile.capacity == "none" and profile.care_class == "self_care"
    assert Guardianship.objects.get(profile=profile).guardian_class == "III"
    assert Visit.objects.filter(profile=profile).count() == 2
    campaign = SurveyCampaign.objects.get(region_id=DEMO_COUNTY)  # the 摸底排查, complete
    assert [(i.enrollment_id, i.done, i.capacity) for i in campaign.items.all()] == [(tekun.pk, True, "none")]
    assert demo_care_load(now=NOW) == 0
    assert SurveyCampaign.objects.count() == 1


def test_demo_care_supervision_load_once(tekun):
    from jiuzhu.apps.care.models import Evaluation, SatisfactionSurvey, VisitCheck
    from jiuzhu.apps.synthetic.demo_care_supervision import demo_care_supervision_load

    demo_users_load()
    demo_care_load(now=NOW)
    made = demo_care_supervision_load(now=NOW)
    assert VisitCheck.objects.count() == 2 and SatisfactionSurvey.objects.count() == 1
    assert Evaluation.objects.get().subject == "邻居（演示）"
    assert made == 4  # the person was visited this month: no township to 督办
    assert demo_care_supervision_load(now=NOW) == 0
