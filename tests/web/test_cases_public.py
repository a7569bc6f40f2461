"""/gongshi/: the public notice page needs no login and shows only what may be published."""

import re
from datetime import date

from django.urls import reverse
from django.utils import timezone

from jiuzhu.apps.cases.services import case_act
from jiuzhu.apps.registry.services import household_create
from tests.conftest import AS_OF, VILLAGE_A2, VILLAGE_B

from .test_cases_support import MEETING, case_in, people  # noqa: F401

BANK = "6228480012345678901"


def _household(actor, household_data, region, name, phone="13905711234"):
    data = household_data(region=region, bank_account=BANK, bank_name="农业银行千岛湖支行",
                          address=f"{name}家门牌88号")
    data["members"][0].update(name=name, phone=phone)
    return household_create(actor=actor, data=data, as_of=AS_OF), data


def test_notice_page_needs_no_login_and_lists_initial_and_long_term_notices(client, people, household_data):
    hh_a, data_a = _household(people["caseworker"], household_data, VILLAGE_A2, "钱公示")
    hh_b, data_b = _household(people["outsider"], household_data, VILLAGE_B, "孙长期", phone="13600000001")
    in_notice = case_in(people, hh_a, "in_notice")
    approved = case_in(people, hh_b, "awaiting_confirmation", caseworker=people["outsider"])
    reviewer_b = people["reviewer"].__class__.objects.create_user(
        username="reviewer_b", password="x", role="township_reviewer", region_id="330127101000")
    case_act(actor=reviewer_b, case_id=approved.pk, action="confirm", payload=MEETING, now=timezone.now())

    # when an anonymous visitor opens the page
    resp = client.get(reverse("web:public_notices"))
    page = resp.content.decode()

    # then both notices are listed with name, size, amount, program, village, dates and phone
    assert resp.status_code == 200
    in_notice.refresh_from_db()
    assert "钱公示" in page and "孙长期" in page and "宋家湖村" in page and "王家源村" in page
    assert "初审公示" in page and "审核确认长期公示" in page and "最低生活保障" in page
    assert f"{in_notice.decided_amount:.2f}" in page and "12345" in page and "长期" in page
    # and nothing else about the households or the cases
    body = page[page.index("<main"):]
    for data, hh in ((data_a, hh_a), (data_b, hh_b)):
        for m in data["members"]:
            # no ID number, not even its last four digits (a masked form); the tail may occur inside another
            # number such as the 12345 supervision phone, so only a tail not preceded by a digit counts
            assert m["id_number"] not in page and not re.search(rf"(?<!\d){m['id_number'][-4:]}<", body)
        assert data["members"][0]["phone"] not in page and data["address"] not in page
        assert BANK not in page and BANK[-4:] not in body and "农业银行" not in page
        assert hh.number not in page and "李秀英" not in page  # the other member
        assert hh.head.id_number_masked not in page and hh.head.birth_date.isoformat() not in page
    for case in (in_notice, approved):
        assert case.number not in page and f"/cases/{case.pk}/" not in page
    assert not re.search(r"\d{17}[\dX]", page)  # no ID-shaped number at all


def test_notice_page_filters_by_township_and_village(client, people, household_data):
    hh_a, _ = _household(people["caseworker"], household_data, VILLAGE_A2, "钱公示")
    hh_b, _ = _household(people["outsider"], household_data, VILLAGE_B, "孙公示", phone="13600000001")
    case_in(people, hh_a, "in_notice")
    case_in(people, hh_b, "in_notice", caseworker=people["outsider"])
    url = reverse("web:public_notices")
    page = client.get(url, {"township": "330127100000"}).content.decode()
    assert "钱公示" in page and "孙公示" not in page and "宋家湖村" in page  # the village filter is offered
    page = client.get(url, {"township": "330127100000", "village": "330127100201"}).content.decode()
    assert "钱公示" not in page and "当前没有公示" in page
    page = client.get(url, {"township": "330127101000", "village": VILLAGE_B}).content.decode()
    assert "孙公示" in page and "钱公示" not in page
    page = client.get(url, {"township": "bogus' OR 1=1"}).content.decode()  # ignored, not an error
    assert "钱公示" in page and "孙公示" in page


def test_withdrawn_and_expired_notices_are_not_shown(client, people, household_data):
    hh, _ = _household(people["caseworker"], household_data, VILLAGE_A2, "钱撤回")
    case = case_in(people, hh, "in_notice")
    case_act(actor=people["caseworker"], case_id=case.pk, action="withdraw", payload={"reason": "书面申请撤回"},
             now=timezone.now())
    assert "钱撤回" not in client.get(reverse("web:public_notices")).content.decode()


def test_public_page_never_shows_a_stopped_household_or_an_old_amount(client, people, household):
    """Issue 12 §3.6: the long-term notice (长期公示) ends when the enrollment stops and shows the new
    amount after an adjustment; the public page never shows a stopped household or an old amount."""
    import time_machine

    from jiuzhu.apps.enrollment.models import Enrollment
    from jiuzhu.apps.enrollment.services import enrollment_adjust, enrollment_stop
    from tests.apps.cases.flow import MEETING as FLOW_MEETING
    from tests.apps.cases.flow import act, at, to_confirmation

    # given a household approved on 2026-11-16 (its initial notice ended in November)
    case, _ = to_confirmation(people, household, date(2026, 11, 2))
    case = act(people["reviewer"], case, "confirm", date(2026, 11, 16), FLOW_MEETING)
    e = Enrollment.objects.get(case=case)
    old, new = f"{e.amount:.2f}", f"{e.amount - 100:.2f}"
    url = reverse("web:public_notices")
    with time_machine.travel("2026-11-25 10:00 +0800", tick=False):
        assert old in client.get(url).content.decode()
        # when the amount is adjusted, then the page shows the new amount only
        enrollment_adjust(actor=people["caseworker"], enrollment_id=e.pk, amount=e.amount - 100,
                          reason="家庭成员务工收入增加", now=at(date(2026, 11, 25)))
        page = client.get(url).content.decode()
        assert household.head_name in page and new in page and old not in page
        # when the enrollment stops, then the household is gone from the page
        enrollment_stop(actor=people["caseworker"], enrollment_id=e.pk, reason="家庭人均收入已超过低保标准",
                        now=at(date(2026, 11, 26)))
        assert household.head_name not in client.get(url).content.decode()
