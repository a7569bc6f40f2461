from jiuzhu.apps.registry.selectors import households_page
from jiuzhu.apps.registry.services import household_create
from tests.conftest import AS_OF, VILLAGE_B


def test_household_create_and_list(caseworker, household_data, outsider):
    # given a caseworker of township A
    # when they register a household
    hh = household_create(actor=caseworker, data=household_data(), as_of=AS_OF)
    # then it is listed for them and invisible to township B
    assert [h.pk for h in households_page(actor=caseworker).items] == [hh.pk]
    assert households_page(actor=outsider).items == []
    assert hh.member_count == 2 and hh.head_name == "张建国"
    assert VILLAGE_B != hh.region_id
