"""The HTTP API (v1): Bearer auth by default, error bodies ``{"code", "message", "details"}``."""

from ninja import NinjaAPI

from . import case_documents, cases, enrollments, health, households, jobs, monitoring, payroll, persons, rules, tasks
from .auth import BearerToken
from .errors import install_handlers

api = NinjaAPI(
    title="救助 Jiuzhu API",
    version="1",
    description="社会救助平台接口。认证：`Authorization: Bearer <token>`（`jiuzhu token create --user NAME`）。"
                "错误统一为 `{\"code\", \"message\", \"details\"}`。身份证号、电话、银行账号在响应中均已脱敏。",
    urls_namespace="api",
    openapi_url="/openapi.json",
    auth=BearerToken(),
)
install_handlers(api)

api.add_router("/v1/health", health.router)
api.add_router("/v1/households", households.router)
api.add_router("/v1/persons", persons.router)
api.add_router("/v1/rules", rules.router)
api.add_router("/v1/cases", cases.router)
api.add_router("/v1/cases", case_documents.router)
api.add_router("/v1/tasks", tasks.router)
api.add_router("/v1/enrollments", enrollments.router)
api.add_router("/v1/payroll", payroll.router)
api.add_router("/v1/monitoring", monitoring.router)
api.add_router("/v1/jobs", jobs.router)
