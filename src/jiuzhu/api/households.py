"""Registry: households (``/v1/households``). Thin: parse → one service/selector → return."""

from __future__ import annotations

from django.utils import timezone
from ninja import Query, Router, Status

from jiuzhu.apps.registry import selectors, services
from jiuzhu.apps.registry.selectors import HouseholdFilter

from .household_schemas import HouseholdDetail, HouseholdIn, HouseholdPage, HouseholdQuery
from .schemas import RowId, errors

router = Router(tags=["households"])


def _page(request, filters: HouseholdQuery) -> dict:
    page = selectors.households_page(
        actor=request.auth,
        filters=HouseholdFilter(q=filters.q, village=filters.village, area_type=filters.area_type),
        after=filters.after, limit=filters.limit)
    return {"items": page.items, "next_after": page.next_after}


@router.get("", response={200: HouseholdPage, **errors(422)}, summary="家庭列表（按管辖范围，键集分页）",
            description="按身份证号查找请用 `POST /v1/households/search`：查询串会进入访问日志和代理日志。")
def household_list(request, filters: Query[HouseholdQuery]):
    return _page(request, filters)


@router.post("/search", response={200: HouseholdPage, **errors(422)},
             summary="家庭查找（条件放在请求体中，身份证号不进入 URL 和日志）")
def household_search(request, payload: HouseholdQuery):
    return _page(request, payload)


@router.post("", response={201: HouseholdDetail, **errors(403, 409, 422)}, summary="登记家庭")
def household_create(request, payload: HouseholdIn):
    data = payload.model_dump(mode="json")
    household = services.household_create(actor=request.auth, data=data, as_of=timezone.localdate())
    return Status(201, household)


@router.get("/{household_id}", response={200: HouseholdDetail, **errors(404, 422)}, summary="家庭详情（成员、历史）")
def household_detail(request, household_id: RowId):
    return selectors.household_get(actor=request.auth, household_id=household_id)
