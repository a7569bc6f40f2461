"""人户分离 at submit (issue 20 §9), 社会救助综合改革试点工作方案 二(四): "申请人经常居住地与户籍所在地不一致的，
应将户籍迁移到居住地后，再向户籍所在地镇人民政府提出申请。因特殊原因无法迁移的，通过社会救助系统查询未享受低保的，
可向经常居住地镇人民政府提出申请。" """

from datetime import date

import pytest

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.registry.services import household_create
from jiuzhu.rules.errors import Conflict, NotFound, ValidationFailed
from tests.conftest import AS_OF, VILLAGE_A, VILLAGE_A2, VILLAGE_B

from .flow import submit

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)
EXCEPTION = {"residence_application": True, "hukou_obstacle": "租住房屋，房东不同意落户"}


@pytest.fixture
def separated(caseworker, household_data):
    """Hukou in 珍珠半岛村 (千岛湖镇), living in 王家源村 (文昌镇)."""
    return household_create(actor=caseworker, data=household_data(residence_region_code=VILLAGE_B), as_of=AS_OF)


def test_ying_jiang_huji_qianyi_dao_juzhudi_hou_zai_xiang_hujisuozaidi_shenqing(people, separated):
    """综合改革 plan 二(四)：应将户籍迁移到居住地后，再向户籍所在地镇人民政府提出申请."""
    with pytest.raises(ValidationFailed) as err:
        submit(people["caseworker"], separated, day=DAY)
    assert err.value.code == "case.hukou_residence" and err.value.details["field"] == "residence_application"
    assert "应将户籍迁移到居住地后" in err.value.message and "综合改革" in err.value.message
    assert not Case.objects.exists()


def test_yin_teshu_yuanyin_wufa_qianyi_ke_xiang_jingchang_juzhudi_shenqing(people, separated):
    """综合改革 plan 二(四)：因特殊原因无法迁移的，……可向经常居住地镇人民政府提出申请."""
    # when the residence township's caseworker takes the application, with the reason the hukou cannot move
    case = submit(people["outsider"], separated, day=DAY, **EXCEPTION)
    # then the case belongs to the township where the applicant lives, and that township handles it
    assert case.region_id == VILLAGE_B and case.state == "submitted"
    assert case.records.get(kind="intake").data["hukou_obstacle"] == EXCEPTION["hukou_obstacle"]


def test_the_exception_needs_its_reason(people, separated):
    with pytest.raises(ValidationFailed) as err:
        submit(people["outsider"], separated, day=DAY, residence_application=True)
    assert err.value.details["field"] == "hukou_obstacle"
    assert not Case.objects.exists()


def test_tongguo_xitong_chaxun_yi_xiangshou_dibao_bu_neng_xiang_juzhudi_shenqing(people, separated):
    """综合改革 plan 二(四)：通过社会救助系统查询未享受低保的 — one already enrolled may not use the exception."""
    Enrollment.objects.create(program="dibao", household=separated, region_id=VILLAGE_A, klass="C", amount=500,
                              persons=2, start_month=date(2026, 7, 1), decided_on=date(2026, 6, 20))
    with pytest.raises(Conflict) as err:
        submit(people["outsider"], separated, day=DAY, **EXCEPTION)
    assert err.value.code == "case.separated_enrolled" and "已享受最低生活保障" in err.value.message
    assert not Case.objects.exists()


def test_no_exception_without_separation_and_same_township_is_not_separated(people, caseworker, household_data):
    same_township = household_create(actor=caseworker, data=household_data(residence_region_code=VILLAGE_A2),
                                     as_of=AS_OF)
    with pytest.raises(ValidationFailed) as err:
        submit(caseworker, same_township, day=DAY, **EXCEPTION)
    assert err.value.code == "case.not_separated"
    assert submit(caseworker, same_township, day=DAY).region_id == VILLAGE_A


def test_scope_an_outsider_cannot_use_the_exception_for_a_household_living_elsewhere(people, household):
    with pytest.raises(NotFound):  # 珍珠半岛村 household living at home: township B has no business with it
        submit(people["outsider"], household, day=DAY, **EXCEPTION)
    with pytest.raises(NotFound):
        submit(people["outsider"], household, day=DAY)
    assert not Case.objects.exists()


def test_tekun_applications_are_not_bound_by_the_dibao_rule(people, separated):
    assert submit(people["caseworker"], separated, program="tekun", day=DAY).region_id == VILLAGE_A
