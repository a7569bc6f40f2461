"""Liveness (``/v1/health``), without authentication."""

from ninja import Router, Schema

router = Router(tags=["system"])


class HealthOut(Schema):
    status: str


@router.get("", response=HealthOut, auth=None, summary="健康检查")
def health(request):
    return {"status": "ok"}
