from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from jiuzhu.apps.accounts.audit_selectors import audit_events_page

from ..forms import parse_int
from .common import roles_required

# Shown in the action filter; the filter also accepts any prefix typed by hand.
KNOWN_ACTIONS = (
    ("household.", "家庭登记（全部）"),
    ("household.create", "新增家庭"),
    ("household.update", "修改家庭"),
    ("household.member_add", "添加成员"),
    ("household.member_end", "成员离开"),
    ("household.member_move", "成员迁移"),
    ("household.declared_", "申报收入与财产（全部）"),
    ("pii.", "查看完整个人信息（全部）"),
    ("pii.view_id_number", "查看完整身份证号"),
    ("account.locked", "账号锁定"),
)


@login_required
@roles_required("audit.read", "您的角色无权查看审计日志")
def audit_list(request):
    action = request.GET.get("action", "").strip()[:80]
    page = audit_events_page(actor=request.user, action=action, before=parse_int(request.GET.get("before")))
    next_url = ""
    if page.next_before:
        next_url = "?" + urlencode({**({"action": action} if action else {}), "before": page.next_before})
    return render(request, "web/audit_list.html", {
        "page": page, "action": action, "actions": KNOWN_ACTIONS, "next_url": next_url,
        "labels": dict(KNOWN_ACTIONS),
    })
