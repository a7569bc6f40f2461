"""User administration services (the 系统管理 pages and ``jiuzhu user``): update, deactivate, scope and
permission checks; each change audited, each refusal changes nothing."""

from __future__ import annotations

import pytest

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.accounts.services import user_create, user_set_active, user_update
from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.rules.errors import Forbidden, ValidationFailed
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B

GOOD = "Ziyou-Pingdeng-2026"


def snapshot():
    return list(User.objects.order_by("pk").values()), AuditEvent.objects.count()


def test_update_changes_and_audits_only_what_changed(admin_user, caseworker):
    # when the admin gives the caseworker a post and moves them to township B
    user = user_update(actor=admin_user, user=caseworker, role=Role.CASEWORKER, region_code=TOWNSHIP_B,
                       display_name="张经办", post="社会事务办科员")
    # then the row and one audit event say so
    assert (user.region_id, user.display_name, user.post) == (TOWNSHIP_B, "张经办", "社会事务办科员")
    event = AuditEvent.objects.get(action="user.update")
    assert event.details["changes"]["region_id"] == [TOWNSHIP_A, TOWNSHIP_B] and "role" not in event.details["changes"]
    # and an unchanged save writes nothing
    before = AuditEvent.objects.count()
    user_update(actor=admin_user, user=user, role=user.role, region_code=user.region_id, display_name=user.display_name,
                post=user.post)
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("actor_name, kwargs, error, words", [
    ("caseworker", {}, Forbidden, "只有系统管理员"),
    ("admin_user", {"role": "boss"}, ValidationFailed, "角色"),
    ("admin_user", {"region_code": "999999999999"}, ValidationFailed, "所属区划"),
    ("admin_user", {"post": "长" * 51}, ValidationFailed, "职务"),
])
def test_update_refusals_change_nothing(request, admin_user, caseworker, actor_name, kwargs, error, words):
    actor = request.getfixturevalue(actor_name)
    before = snapshot()
    args = {"role": Role.CASEWORKER, "region_code": TOWNSHIP_A, "display_name": "", "post": "", **kwargs}
    with pytest.raises(error) as exc:
        user_update(actor=actor, user=caseworker, **args)
    assert words in exc.value.message and snapshot() == before


def test_township_admin_cannot_reach_another_township(admin_user, caseworker, outsider):
    User.objects.filter(pk=admin_user.pk).update(region_id=TOWNSHIP_B)
    admin_user.refresh_from_db()
    before = snapshot()
    with pytest.raises(ValidationFailed):
        user_set_active(actor=admin_user, user=caseworker, active=False)
    with pytest.raises(ValidationFailed):
        user_update(actor=admin_user, user=outsider, role=Role.CASEWORKER, region_code=COUNTY, display_name="",
                    post="")
    with pytest.raises(ValidationFailed):
        user_create(actor=admin_user, username="intruder", password=GOOD, role=Role.CASEWORKER, region_code=TOWNSHIP_A)
    assert snapshot() == before


def test_deactivate_not_self_and_audited(admin_user, caseworker):
    with pytest.raises(ValidationFailed):
        user_set_active(actor=admin_user, user=admin_user, active=False)
    user_set_active(actor=admin_user, user=caseworker, active=False)
    caseworker.refresh_from_db()
    assert not caseworker.is_active
    assert AuditEvent.objects.filter(action="user.deactivate", subject_id=str(caseworker.pk)).count() == 1


def test_create_stores_post(admin_user):
    user = user_create(actor=admin_user, username="li.si", password=GOOD, role=Role.REVIEWER, region_code=TOWNSHIP_A,
                       display_name="李四", post="乡镇审核确认小组组长")
    assert User.objects.get(pk=user.pk).post == "乡镇审核确认小组组长"
