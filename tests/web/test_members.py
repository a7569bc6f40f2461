from datetime import date

from django.urls import reverse

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.registry import pii
from jiuzhu.apps.registry.models import Membership
from jiuzhu.apps.registry.services import household_create
from tests.conftest import AS_OF, bad_check_digit, make_id
from tests.web.helpers import field_error


def _member(household, relation):
    return household.memberships.get(relation=relation, end_date__isnull=True).person


def _add_post(**overrides):
    data = {"name": "张小明", "id_number": make_id(date(2010, 6, 1)), "relation": "child",
            "disability_kind": "none", "disability_grade": "0", "health": "healthy", "co_resident": "on"}
    data.update(overrides)
    return data


def test_add_member(client, caseworker, household):
    client.force_login(caseworker)
    resp = client.post(reverse("web:member_add", args=[household.pk]), _add_post())
    assert resp.status_code == 302
    household.refresh_from_db()
    assert household.member_count == 3
    page = client.get(reverse("web:household_detail", args=[household.pk])).content.decode()
    assert "张小明" in page and "子女" in page


def test_add_member_error_is_shown_next_to_its_field(client, caseworker, household):
    client.force_login(caseworker)
    bad = bad_check_digit(make_id(date(2010, 6, 1)))
    resp = client.post(reverse("web:member_add", args=[household.pk]), _add_post(id_number=bad))
    html = resp.content.decode()
    assert resp.status_code == 422
    assert field_error(html, "member-id_number") == "身份证号校验位错误，请核对后重新输入"
    assert f'value="{bad}"' in html
    household.refresh_from_db()
    assert household.member_count == 2


def test_end_membership_keeps_history(client, caseworker, household):
    spouse = _member(household, "spouse")
    client.force_login(caseworker)
    resp = client.post(reverse("web:member_end", args=[household.pk, spouse.pk]), {"reason": "death", "note": "病故"})
    assert resp.status_code == 302
    page = client.get(reverse("web:household_detail", args=[household.pk])).content.decode()
    history = page.split('id="history-table"')[1]
    assert "李秀英" in history and "死亡" in history and "病故" in history
    assert Membership.objects.get(person=spouse).end_reason == "death"


def test_end_without_reason_shows_error(client, caseworker, household):
    spouse = _member(household, "spouse")
    client.force_login(caseworker)
    resp = client.post(reverse("web:member_end", args=[household.pk, spouse.pk]), {"reason": ""})
    assert resp.status_code == 422 and "请选择离开原因" in resp.content.decode()
    assert Membership.objects.get(person=spouse).end_date is None


def test_move_member_to_another_household(client, caseworker, household, household_data):
    other = household_create(actor=caseworker, data=household_data(), as_of=AS_OF)
    spouse = _member(household, "spouse")
    client.force_login(caseworker)
    resp = client.post(reverse("web:member_move", args=[household.pk, spouse.pk]),
                       {"to_household": other.number, "relation": "sibling"})
    assert resp.status_code == 302 and resp.url == reverse("web:household_detail", args=[other.pk])
    other.refresh_from_db()
    assert other.member_count == 3
    assert Membership.objects.get(person=spouse, end_date__isnull=True).household_id == other.pk


def test_move_to_household_outside_scope_is_a_form_error(client, caseworker, outsider, household, household_data):
    from tests.conftest import VILLAGE_B

    foreign = household_create(actor=outsider, data=household_data(region=VILLAGE_B), as_of=AS_OF)
    spouse = _member(household, "spouse")
    client.force_login(caseworker)
    resp = client.post(reverse("web:member_move", args=[household.pk, spouse.pk]),
                       {"to_household": foreign.number, "relation": "sibling"})
    assert resp.status_code == 422 and "迁入家庭不存在或不在您的管辖范围内" in resp.content.decode()
    assert Membership.objects.get(person=spouse, end_date__isnull=True).household_id == household.pk


def test_reveal_returns_full_number_and_writes_audit_event(client, caseworker, household):
    head = _member(household, "head")
    client.force_login(caseworker)
    page = client.get(reverse("web:household_detail", args=[household.pk])).content.decode()
    assert "显示完整号码" in page and reverse("web:person_reveal", args=[head.pk]) in page
    before = AuditEvent.objects.filter(action="pii.view_id_number").count()
    resp = client.post(reverse("web:person_reveal", args=[head.pk]), HTTP_HX_REQUEST="true")
    assert resp.status_code == 200
    assert pii.open_(head.id_number_enc, purpose="id_number") in resp.content.decode()
    event = AuditEvent.objects.filter(action="pii.view_id_number").latest("id")
    assert AuditEvent.objects.filter(action="pii.view_id_number").count() == before + 1
    assert event.subject_id == str(head.pk) and event.actor_name == "caseworker_a"


def test_reveal_is_post_only(client, caseworker, household):
    client.force_login(caseworker)
    assert client.get(reverse("web:person_reveal", args=[_member(household, "head").pk])).status_code == 405


def test_roles_without_full_pii_get_403_and_no_audit(client, village_user, inspector, household):
    head = _member(household, "head")
    for user in (village_user, inspector):
        client.force_login(user)
        resp = client.post(reverse("web:person_reveal", args=[head.pk]))
        assert resp.status_code == 403
        assert pii.open_(head.id_number_enc, purpose="id_number") not in resp.content.decode()
    assert not AuditEvent.objects.filter(action="pii.view_id_number").exists()


def test_outsider_reveal_is_404_and_not_audited(client, outsider, household):
    head = _member(household, "head")
    client.force_login(outsider)
    resp = client.post(reverse("web:person_reveal", args=[head.pk]))
    assert resp.status_code == 404
    assert pii.open_(head.id_number_enc, purpose="id_number") not in resp.content.decode()
    assert not AuditEvent.objects.filter(action="pii.view_id_number").exists()


def test_outsider_cannot_change_members(client, outsider, household, household_data):
    # given township B's caseworker with a household of their own
    from tests.conftest import VILLAGE_B

    own = household_create(actor=outsider, data=household_data(region=VILLAGE_B), as_of=AS_OF)
    spouse = _member(household, "spouse")
    client.force_login(outsider)
    # when they try every member change against township A's household
    assert client.post(reverse("web:member_add", args=[household.pk]), _add_post()).status_code == 404
    assert client.post(reverse("web:member_end", args=[household.pk, spouse.pk]),
                       {"reason": "death"}).status_code == 404
    # ... also through their own household's URL
    assert client.post(reverse("web:member_end", args=[own.pk, spouse.pk]), {"reason": "death"}).status_code == 404
    assert client.post(reverse("web:member_move", args=[household.pk, spouse.pk]),
                       {"to_household": own.number, "relation": "sibling"}).status_code == 404
    # then nothing changed
    household.refresh_from_db()
    assert household.member_count == 2 and household.version == 1
    assert Membership.objects.get(person=spouse).end_date is None


def test_read_only_roles_get_403_on_member_changes(client, inspector, reviewer, household):
    spouse = _member(household, "spouse")
    for user in (inspector, reviewer):
        client.force_login(user)
        assert client.post(reverse("web:member_add", args=[household.pk]), _add_post()).status_code == 403
        assert client.post(reverse("web:member_end", args=[household.pk, spouse.pk]),
                           {"reason": "death"}).status_code == 403
        assert client.post(reverse("web:member_move", args=[household.pk, spouse.pk]),
                           {"to_household": household.number, "relation": "sibling"}).status_code == 403
    household.refresh_from_db()
    assert household.member_count == 2
