"""系统管理: the index of the admin tools the user may use, and the audit-chain check (``jiuzhu audit
verify`` as a background job; the page shows the last run and polls a running one)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.jobs.selectors import latest_of_kind

from . import jobs
from .common import forbidden, roles_required

TOOLS = (  # (permission, url name, title, what it does)
    ("accounts.manage", "web:system_users", "用户", "新建用户，修改角色、区划、姓名和职务，解除锁定，重设密码，停用"),
    ("tokens.manage", "web:system_tokens", "API 令牌", "为用户签发（只显示一次）和吊销 API 令牌"),
    ("calendar.import", "web:calendar_admin", "工作日历", "查看各年放假安排，导入国务院办公厅放假通知"),
    ("settings.manage", "web:system_settings", "审核确认流程设置", "各县、乡镇的审核确认层级、先核对后受理、办理时限"),
    ("standard.manage", "web:system_standards", "保障标准调整", "录入新标准、预览影响、另一人审批"),
    ("audit.verify", "web:system_audit", "审计日志校验", "校验审计日志哈希链和签名锚点"),
)


def tools_for(user) -> list[dict]:
    return [{"url": reverse(name), "title": title, "text": text} for perm, name, title, text in TOOLS if can(user, perm)]


@login_required
@require_GET
def system_index(request):
    tools = tools_for(request.user)
    if not tools:
        return forbidden(request, "系统管理仅供系统管理员（及有相应职责的县民政、纪检人员）使用")
    return render(request, "web/system/index.html", {"tools": tools})


@login_required
@roles_required("audit.verify", "只有系统管理员和纪检监督人员可以校验审计日志")
@require_http_methods(["GET", "POST"])
def audit_check(request):
    if request.method == "POST":
        job = jobs.enqueue(request, kind="audit.verify", params={}, region_code=None)
        return redirect(jobs.with_job(reverse("web:system_audit"), job))
    last = latest_of_kind(actor=request.user, kind="audit.verify")
    context = jobs.started_job(request) or (jobs.job_view(last) if last else {})
    result = last.result if last is not None and last.status == "succeeded" else None
    return render(request, "web/system/audit_check.html", {**context, "last": last, "result": result})
