from django.urls import reverse

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.registry.services import household_create
from tests.conftest import AS_OF, VILLAGE_B


def _rows(html: str) -> str:
    return html.split('id="audit-table"')[1] if 'id="audit-table"' in html else ""


def test_non_readers_get_403(client, caseworker, village_user, reviewer):
    for user in (caseworker, village_user, reviewer):
        client.force_login(user)
        assert client.get(reverse("web:audit_list")).status_code == 403


def test_nav_link_only_for_readers(client, caseworker, inspector):
    client.force_login(caseworker)
    assert reverse("web:audit_list") not in client.get(reverse("web:workbench")).content.decode()
    client.force_login(inspector)
    assert reverse("web:audit_list") in client.get(reverse("web:workbench")).content.decode()


def test_readers_see_events_in_their_subtree(client, county_user, inspector, admin_user, household):
    # given a household created in township A and a region-less system event
    audit_record(actor=None, action="system.job", subject_type="job", subject_id=1)
    for user, sees_system in ((county_user, False), (inspector, True), (admin_user, True)):
        client.force_login(user)
        # when they open the audit log
        html = _rows(client.get(reverse("web:audit_list")).content.decode())
        # then township A's event is shown; the region-less one only to inspector and admin
        assert "新增家庭" in html and "caseworker_a" in html
        assert ("system.job" in html) is sees_system


def test_township_reader_scope_excludes_other_townships(client, household, outsider, household_data, regions):
    # a reader whose region is township B (constructed like the personas) sees only B's events
    from jiuzhu.apps.accounts.models import User
    from jiuzhu.apps.accounts.roles import Role

    household_create(actor=outsider, data=household_data(region=VILLAGE_B), as_of=AS_OF)
    reader = User.objects.create(username="county_b", role=Role.COUNTY, region_id=outsider.region_id)
    client.force_login(reader)
    html = _rows(client.get(reverse("web:audit_list")).content.decode())
    assert "caseworker_b" in html and "caseworker_a" not in html


def test_filter_by_action_and_keyset_paging(client, inspector, household, monkeypatch):
    from jiuzhu.apps.accounts import audit_selectors as selectors

    for i in range(3):
        audit_record(actor=inspector, action="pii.view_id_number", subject_type="person", subject_id=i)
    client.force_login(inspector)
    html = _rows(client.get(reverse("web:audit_list"), {"action": "household.create"}).content.decode())
    assert "新增家庭" in html and "查看完整身份证号" not in html
    monkeypatch.setattr(selectors.audit_events_page, "__kwdefaults__",
                        {**selectors.audit_events_page.__kwdefaults__, "limit": 2})
    resp = client.get(reverse("web:audit_list"), {"action": "pii."})
    newest = AuditEvent.objects.order_by("-id")[:3]
    page = resp.content.decode()
    assert f"before={newest[1].id}" in page and "action=pii." in page
    html = _rows(client.get(reverse("web:audit_list"), {"action": "pii.", "before": newest[1].id}).content.decode())
    assert newest[2].chain == "330127000"  # the inspector's events chain in the county's own chain
    assert f'<td data-label="链-序号" class="mono">330127000-{newest[2].seq}</td>' in html
    assert f'<td data-label="链-序号" class="mono">330127000-{newest[0].seq}</td>' not in html
