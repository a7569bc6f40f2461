from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from jiuzhu.apps.accounts.audit_selectors import audit_events_page
from jiuzhu.apps.audit.labels import SUBJECT_LABELS, known_actions

from ..forms import parse_int
from .common import roles_required

# Shown in the action filter (groups by prefix, then every action by name); the filter also accepts
# any prefix typed by hand. Each event's action is shown by its Chinese name (apps/audit/labels.py).
GROUPS = (
    ("case.", "案件办理（全部）"), ("household.", "家庭登记（全部）"), ("pii.", "查看完整个人信息（全部）"),
    ("enrollment.", "在保对象变更（全部）"), ("payroll.", "社会化发放（全部）"), ("account.", "账号（全部）"),
)
KNOWN_ACTIONS = GROUPS + tuple(known_actions())


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
        "labels": dict(KNOWN_ACTIONS), "subjects": SUBJECT_LABELS,
    })
