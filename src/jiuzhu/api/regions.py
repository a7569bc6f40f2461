"""Regions (``/v1/regions``, 行政区划): the caller's own region and the regions under it. Thin: one selector;
a code outside the caller's region subtree is "not found" (404 ``region.not_found``)."""

from __future__ import annotations

from ninja import Query, Router, Schema
from pydantic import Field

from jiuzhu.apps.regions import selectors
from jiuzhu.apps.regions.codes import LEVELS, parent_of

from .schemas import errors

router = Router(tags=["regions"])
CODE = r"^\d{12}$"


class RegionOut(Schema):
    code: str = Field(description="12位区划代码")
    name: str
    full_name: str = Field(description="全称（省市县乡村）")
    level: int = Field(description="层级：" + "、".join(f"{k}={v}" for k, v in LEVELS.items()))
    level_label: str
    parent: str | None = Field(description="上级区划代码；最上级为 null")


class RegionListQuery(Schema):
    level: int | None = Field(None, title="层级", ge=1, le=5, description="只列该层级：3 县、4 乡镇(街道)、5 村(居)")
    limit: int = Field(1000, title="最多返回条数", ge=1, le=5000)


class SubtreeQuery(Schema):
    depth: int = Field(1, title="向下层数", ge=1, le=4, description="1 = 直接下级；2 = 下级及再下一级 …")
    limit: int = Field(1000, title="最多返回条数", ge=1, le=5000)


class RegionList(Schema):
    items: list[RegionOut]


class RegionTree(Schema):
    region: RegionOut
    items: list[RegionOut] = Field(description="下级区划，按代码排序")


def region_out(r) -> dict:
    return {"code": r.code, "name": r.name, "full_name": r.full_name or r.name, "level": r.level,
            "level_label": LEVELS.get(r.level, ""), "parent": r.parent_id or parent_of(r.code)}


@router.get("", response={200: RegionList, **errors(422)}, summary="本人管辖范围内的行政区划（含本级），按代码排序")
def region_list(request, filters: Query[RegionListQuery]):
    rows = selectors.regions_in_scope(actor=request.auth, level=filters.level)[:filters.limit]
    return {"items": [region_out(r) for r in rows]}


@router.get("/{code}", response={200: RegionTree, **errors(404, 422)}, summary="一个区划及其下级（子树）",
            description="区划不存在或不在本人管辖范围内 404（region.not_found）。")
def region_subtree(request, code: str, filters: Query[SubtreeQuery]):
    region, rows = selectors.region_subtree(actor=request.auth, code=code, depth=filters.depth, limit=filters.limit)
    return {"region": region_out(region), "items": [region_out(r) for r in rows]}
