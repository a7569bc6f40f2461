"""The HTTP API (v1): Bearer auth by default, error bodies ``{"code", "message", "details"}``."""

from ninja import NinjaAPI

from . import (
    case_documents,
    case_evaluation,
    case_events,
    cases,
    enrollments,
    health,
    households,
    intake,
    jobs,
    monitoring,
    payroll,
    persons,
    regions,
    reserve,
    rules,
    tasks,
    workcalendar,
)
from .auth import BearerToken, WebSession
from .errors import install_handlers
from .renderer import LocalTimeRenderer

DESCRIPTION = """社会救助平台接口。

**认证**：`Authorization: Bearer <token>`（管理员页面或 `jiuzhu token create --user NAME` 生成）；
或网页登录会话（Cookie，供案件页面调用）——通过会话的写操作（POST 等）须带 `X-CSRFToken` 请求头，否则 403 `csrf_failed`。

**错误**：统一为 `{"code", "message", "details"}`，`message` 为中文并指明字段。资源不存在或不在本人管辖范围内一律 404
（`code` 区分原因，如 `not_found`、`document.unknown_kind`、`document.unavailable`）；字段错误 422；无权 403；状态冲突 409。

**编号**：响应中所有记录编号（`id` 及 `household`、`applicant`、`person` 等引用）均为**十进制数字字符串**（如 `"12"`），
避免超出 JavaScript 安全整数范围；请求中的编号（路径、查询参数、请求体）可写作整数或数字字符串。区划以 12 位代码字符串表示。

**时间**：日期为 `YYYY-MM-DD`；时间一律为北京时间并带时区 `+08:00`（如 `2026-12-07T10:00:00+08:00`）。

**人员**：响应中的人员显示姓名（`*_name` 或 `actor`），用户名只在需要作为标识时给出（`*_username`）。

身份证号、电话、银行账号在响应中均已脱敏。"""

api = NinjaAPI(
    title="救助 Jiuzhu API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/openapi.json",
    auth=[BearerToken(), WebSession()],
    renderer=LocalTimeRenderer(),
)
install_handlers(api)

api.add_router("/v1/health", health.router)
api.add_router("/v1/households", households.router)
api.add_router("/v1/persons", persons.router)
api.add_router("/v1/rules", rules.router)
api.add_router("/v1/cases", cases.router)
api.add_router("/v1/cases", case_documents.router)
api.add_router("/v1/cases", case_events.router)
api.add_router("/v1/cases", case_evaluation.router)
api.add_router("/v1/tasks", tasks.router)
api.add_router("/v1/enrollments", enrollments.router)
api.add_router("/v1/payroll", payroll.router)
api.add_router("/v1/monitoring", monitoring.router)
api.add_router("/v1/intake", intake.router)
api.add_router("/v1/reserve", reserve.router)
api.add_router("/v1/jobs", jobs.router)
api.add_router("/v1/regions", regions.router)
api.add_router("/v1/calendar", workcalendar.router)
