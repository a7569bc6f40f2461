"""Accessibility (issue 13 §5): axe-core (vendored for tests only, tests/e2e/vendor/) on the main pages,
each opened by the persona who works there, finds no serious or critical violation; and the application
form can be filled and submitted with the keyboard only.

The fixtures build the data the pages show with the services (a case in notice, an enrollment, a payroll
batch built by the background job); the pages are only read here.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import COUNTY, VILLAGE_A
from tests.e2e.test_case_flow import CHROMIUM, CHROMIUM_ARGS, work_calendar  # noqa: F401  (shared fixture)
from tests.e2e.walk import BrowserWalk

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SHOTS = Path(os.environ.get("JIUZHU_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots")
             ) / "accessibility"
BLOCKING = ("serious", "critical")

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("needs_chromium")]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = b.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900},
                                bypass_csp=True)  # the app's CSP forbids the injected axe script
        page = context.new_page()
        page.set_default_timeout(15000)
        yield context, page
        context.close()
        b.close()


@pytest.fixture
def world(work_calendar, household, village_user, caseworker, reviewer, county_user, inspector, admin_user,  # noqa: F811
          settings, tmp_path):
    """A dibao case in its notice, an enrollment with a bank account, a payroll batch (built by its job)."""
    from django.utils import timezone

    from jiuzhu.apps.accounts.roles import Role
    from jiuzhu.apps.jobs.services import job_enqueue
    from tests.apps.cases.flow import act, to_reviewed
    from tests.apps.payments.conftest import enroll, make_household, user
    from tests.jobs_helpers import run_jobs

    settings.JIUZHU_FILES_DIR = tmp_path
    people = {"caseworker": caseworker, "county": county_user}
    case, day = to_reviewed(people, household, date(2026, 11, 23))
    case = act(caseworker, case, "publish_notice", day)
    enrollment = enroll(make_household(VILLAGE_A, head="王秀兰", members=3), amount="1200.50", klass="B", persons=3)
    job_enqueue(kind="payroll.prepare", params={"region": COUNTY, "month": "2026-12"}, actor=county_user,
                region_code=COUNTY, now=timezone.now())
    assert run_jobs() == 1
    from jiuzhu.apps.payments.models import PayrollBatch

    return {"case": case, "household": household, "enrollment": enrollment, "batch": PayrollBatch.objects.get(),
            "village": village_user, "caseworker": caseworker, "lead": reviewer, "county": county_user,
            "checker": user("county_checker", Role.COUNTY, COUNTY, "钱审核"), "inspector": inspector,
            "admin": admin_user}


def pages(w) -> list[tuple[str, str | None, str]]:
    """(name, persona, path) of the main pages."""
    return [
        ("login", None, "/login/"),
        ("workbench", "caseworker", "/"),
        ("case_list", "caseworker", "/cases/"),
        ("case_detail", "caseworker", f"/cases/{w['case'].pk}/"),
        ("case_new", "village", f"/households/{w['household'].pk}/apply/"),
        ("household_list", "caseworker", "/households/"),
        ("household_detail", "caseworker", f"/households/{w['household'].pk}/"),
        ("enrollment_list", "county", "/enrollments/"),
        ("enrollment_detail", "county", f"/enrollments/{w['enrollment'].pk}/"),
        ("payroll_list", "county", "/payroll/"),
        ("payroll_detail", "checker", f"/payroll/{w['batch'].pk}/"),
        ("alert_list", "county", "/alerts/"),
        ("dashboard", "county", "/dashboard/"),
        ("audit_list", "inspector", "/audit/"),
        ("job_list", "county", "/jobs/"),
        ("system_index", "admin", "/system/"),
        ("system_users", "admin", "/system/users/"),
        ("calendar", "admin", "/calendar/"),
        ("system_tokens", "admin", "/system/tokens/"),
        ("system_settings", "admin", "/system/settings/"),
        ("system_audit_check", "admin", "/system/audit/"),
        ("system_standards", "county", "/system/standards/"),
        # the village assistant works on a phone: the same pages at 390 px
        ("phone:household_detail", "village", f"/households/{w['household'].pk}/"),
        ("phone:case_new", "village", f"/households/{w['household'].pk}/apply/"),
        ("phone:case_detail", "village", f"/cases/{w['case'].pk}/"),
    ]


def axe_violations(page) -> list[dict]:
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")  # folded forms too
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
    }""")


def report(found: dict[str, list[dict]]) -> str:
    lines = []
    for name, violations in found.items():
        for v in violations:
            if v["impact"] in BLOCKING:
                lines.append(f"[{name}] {v['impact']} {v['id']}: {v['help']}")
                for n in v["nodes"][:5]:
                    lines.append(f"    {n['target']}\n      {n['summary'].replace(chr(10), chr(10) + '      ')}")
    return "\n".join(lines)


def test_main_pages_have_no_serious_or_critical_axe_violation(live_server, world, browser):
    context, page = browser
    # the check itself finds what it must: a nameless button and an unlabelled field
    page.set_content('<html lang="zh"><body><main><button></button><input type="text"></main></body></html>')
    assert {v["id"] for v in axe_violations(page) if v["impact"] in BLOCKING} >= {"button-name", "label"}
    walk = type("Walk", (BrowserWalk,), {"shots_dir": SHOTS})(live_server, context, page)
    found: dict[str, list[dict]] = {}
    current = object()
    for name, persona, path in pages(world):
        if name.startswith("phone:"):
            page.set_viewport_size({"width": 390, "height": 844})
        if persona != current:
            if persona is None:
                context.clear_cookies()
            else:
                walk.login(world[persona])
            current = persona
        response = page.goto(f"{walk.url}{path}")
        assert response is not None and response.status == 200, (name, path)
        page.wait_for_load_state("networkidle")
        found[name] = axe_violations(page)
        if name == "case_detail":  # and with the first action's form loaded into the page
            page.locator("#case-actions .button-row a.button").first.click()
            page.locator("#action-form").wait_for()
            found["case_action_form"] = axe_violations(page)
    counts = {name: sum(v["impact"] in BLOCKING for v in vs) for name, vs in found.items()}
    print("\naxe serious/critical violations per page:", counts)
    print("axe all violations per page:", {n: [f"{v['id']}({v['impact']})" for v in vs] for n, vs in found.items()})
    assert sum(counts.values()) == 0, "\n" + report(found)


def test_application_form_by_keyboard_only(live_server, work_calendar, household, village_user, browser):  # noqa: F811
    """Tab to each field (each shows where the focus is), Space ticks a box, arrows choose an option,
    Enter submits."""
    context, page = browser
    walk = type("Walk", (BrowserWalk,), {"shots_dir": SHOTS})(live_server, context, page)
    walk.login(village_user)
    page.goto(f"{walk.url}/households/{household.pk}/apply/")

    def focus_visible() -> bool:
        return page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
            return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; }""")

    def tab_to(element_id: str, limit: int = 80):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
                assert focus_visible(), f"#{element_id} shows no focus indicator"
                return
        raise AssertionError(f"#{element_id} is not reachable with Tab")

    tab_to("id_applicant")
    page.keyboard.press("ArrowDown")  # the first member
    assert page.input_value("#id_applicant") != ""
    for box in ("id_id_checked", "id_authorization_signed"):
        tab_to(box)
        page.keyboard.press("Space")
        assert page.is_checked(f"#{box}")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    assert page.evaluate("document.activeElement.closest('form').id") == "case-new-form"
    assert focus_visible(), "the submit button shows no focus indicator"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    assert page.inner_text("#case-state") == "已提交"
