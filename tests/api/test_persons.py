"""/api/v1/persons/{id}/reveal: full numbers only for roles that need them, always audited, scoped."""

from jiuzhu.apps.audit.models import AuditEvent

from .conftest import post_json


def _url(person):
    return f"/api/v1/persons/{person.pk}/reveal"


def _full_id(person):
    from jiuzhu.apps.registry import pii

    return pii.open_(person.id_number_enc, purpose="id_number")


def test_caseworker_reveals_id_number_and_it_is_audited(client, bearer, caseworker, household):
    # given
    head = household.head
    headers = bearer(caseworker)
    # when
    response = post_json(client, _url(head), {"field": "id_number"}, headers)
    # then
    assert response.status_code == 200
    assert response.json() == {"person_id": str(head.pk), "field": "id_number", "value": _full_id(head)}
    event = AuditEvent.objects.get(action="pii.view_id_number", subject_id=str(head.pk))
    assert event.actor_id == caseworker.pk and event.region_code == household.region_id


def test_reveal_phone(client, bearer, reviewer, household):
    # given / when
    response = post_json(client, _url(household.head), {"field": "phone"}, bearer(reviewer))
    # then
    assert response.status_code == 200 and response.json()["value"] == "13905711234"
    assert AuditEvent.objects.filter(action="pii.view_phone", actor_id=reviewer.pk).count() == 1


def test_inspector_may_not_reveal(client, bearer, inspector, household):
    # given / when
    response = post_json(client, _url(household.head), {"field": "id_number"}, bearer(inspector))
    # then
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert _full_id(household.head) not in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="pii.").exists()


def test_outsider_reveal_is_404(client, bearer, outsider, household):
    # given / when
    response = post_json(client, _url(household.head), {"field": "id_number"}, bearer(outsider))
    # then
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not AuditEvent.objects.filter(action__startswith="pii.").exists()


def test_unknown_person_is_404(client, bearer, caseworker, household):
    # given / when
    response = post_json(client, f"/api/v1/persons/{household.head.pk + 999}/reveal", {}, bearer(caseworker))
    # then
    assert response.status_code == 404


def test_bad_field_is_422(client, bearer, caseworker, household):
    # given / when
    response = post_json(client, _url(household.head), {"field": "bank"}, bearer(caseworker))
    # then
    assert response.status_code == 422
    assert response.json()["details"]["errors"][0]["field"] == "body.field"
