"""Browser test of the payroll pages (社会化发放): the county maker prepares this month's batch in the UI,
a second county user approves it, exports and downloads the bank file, uploads the bank's result
file with one failed line; next month's batch carries the failed line; the enrollment's page shows
its payment history. A screenshot after every step (var/screenshots/payroll_flow/)."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from tests.conftest import COUNTY, VILLAGE_A, VILLAGE_B
from tests.e2e.walk import BrowserWalk
from tests.jobs_helpers import run_jobs

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses that without this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(os.environ.get("JIUZHU_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots")
             ) / "payroll_flow"
RESULT_HEADER = ["序号", "银行账号", "收款人", "金额(元)", "处理结果", "返回码", "失败原因"]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.usefixtures("needs_chromium"),  # skipped without chromium, failed under CI=true
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = b.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15000)
        yield context, page
        context.close()
        b.close()


@pytest.fixture
def payroll_people(regions, county_user, settings, tmp_path):
    """The maker (县民政), a second 县民政 user who checks, and three payable enrollments."""
    from jiuzhu.apps.accounts.roles import Role
    from tests.apps.payments.conftest import enroll, make_household, user

    settings.JIUZHU_FILES_DIR = tmp_path
    e = {
        "a1": enroll(make_household(VILLAGE_A, head="张建国"), amount="650.00", klass="A"),
        "a2": enroll(make_household(VILLAGE_A, head="王秀兰", members=3), amount="1200.50", klass="B", persons=3),
        "b1": enroll(make_household(VILLAGE_B, head="陈志强", members=4), amount="999.99", klass="C", persons=4),
    }
    return {"maker": county_user, "checker": user("county_checker", Role.COUNTY, COUNTY, "钱审核"), "e": e}


class Walk(BrowserWalk):
    shots_dir = SHOTS


def result_file(bank_csv: str, failed_seq: str) -> bytes:
    """The bank's answer to the bank file: every line paid except ``failed_seq``."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(RESULT_HEADER)
    for r in csv.reader(io.StringIO(bank_csv)):
        if r and r[0].isdigit():
            bad = r[0] == failed_seq
            w.writerow([r[0], r[2], r[1], r[4], "失败" if bad else "成功", "E101" if bad else "0000",
                        "账户已销户" if bad else ""])
    return out.getvalue().encode("utf-8")


def test_payroll_month_through_the_ui(live_server, payroll_people, browser):
    from playwright.sync_api import expect

    from jiuzhu.apps.payments.models import PaymentLine

    context, page = browser
    walk = Walk(live_server, context, page)
    maker, checker = payroll_people["maker"], payroll_people["checker"]
    today = timezone.localdate()
    month = f"{today:%Y-%m}"
    next_month = f"{today.year + (today.month == 12)}-{today.month % 12 + 1:02d}"

    # 1. the county maker prepares this month's batch for the county
    walk.login(maker)
    page.goto(f"{walk.url}/payroll/")
    page.select_option("#id_region", COUNTY)
    page.fill("#id_month", month)
    walk.shot("prepare_form")
    page.click("#prepare-submit")
    # the batch is built by a background job: the page shows its progress, then a link to the batch
    expect(page.locator(".job-status")).to_contain_text("生成发放批次")
    walk.shot("prepare_queued")
    # (the worker's round runs here, in the test's thread: the in-memory SQLite test database's one
    # connection is shared with the live server, and must not run two transactions at once)
    assert run_jobs() == 1
    page.locator("a.job-result").click()
    page.wait_for_url(re.compile(r".*/payroll/\d+/$"))
    batch_id = int(re.search(r"/payroll/(\d+)/$", page.url).group(1))
    expect(page.locator("#batch-status")).to_have_text("已生成待审核")
    expect(page.locator("#batch-total")).to_contain_text("2850.49")
    assert page.locator("#lines tbody tr").count() == 3
    assert page.locator("#approve").count() == 0 and page.is_visible("#own-batch")  # not their own
    walk.shot("prepared")

    # 2. a second county user approves, exports and downloads the bank file
    walk.login(checker)
    page.goto(f"{walk.url}/payroll/{batch_id}/")
    expect(page.locator("#approve-totals")).to_contain_text("2850.49")
    page.check("#id_confirm")
    page.click("#approve")
    expect(page.locator("#batch-status")).to_have_text("已审核锁定")
    walk.shot("approved")
    page.select_option("#id_format", "csv")
    page.click("#export")
    page.locator("#download").wait_for()
    walk.shot("exported")
    with page.expect_download() as info:
        page.click("#download")
    download = info.value
    bank_csv = Path(download.path()).read_bytes().decode("utf-8-sig")
    assert download.suggested_filename.endswith(".csv")
    rows = [r for r in csv.reader(io.StringIO(bank_csv)) if r and r[0].isdigit()]
    assert len(rows) == 3 and all("*" not in r[2] for r in rows)  # full accounts for the bank

    # 3. ... uploads the bank's result: the second line failed
    failed_payee = rows[1][1]
    page.set_input_files("#id_file", files=[{"name": "回盘.csv", "mimeType": "text/csv",
                                             "buffer": result_file(bank_csv, rows[1][0])}])
    walk.shot("result_chosen")
    page.click("#reconcile")
    expect(page.locator("#batch-status")).to_have_text("已对账")
    expect(page.locator("#status-counts")).to_contain_text("已发放 2 笔")
    expect(page.locator("#status-counts")).to_contain_text("失败 1 笔")
    failed_row = page.locator("#lines tbody tr", has_text="发放失败")
    expect(failed_row).to_contain_text(failed_payee)
    expect(failed_row).to_contain_text("待结转下一批次")
    walk.shot("reconciled")

    # 4. next month's batch carries the failed line (for its own month), the first batch links to it
    walk.login(maker)
    page.goto(f"{walk.url}/payroll/")
    page.select_option("#id_region", COUNTY)
    page.fill("#id_month", next_month)
    page.click("#prepare-submit")
    expect(page.locator(".job-status")).to_contain_text("生成发放批次")
    assert run_jobs() == 1
    page.locator("a.job-result").click()
    page.wait_for_url(re.compile(r".*/payroll/\d+/$"))
    carried = page.locator("#lines tbody tr", has_text="结转")
    expect(carried).to_have_count(1)
    expect(carried).to_contain_text(failed_payee)
    assert page.locator("#lines tbody tr").count() == 4
    walk.shot("next_month_carries")
    page.goto(f"{walk.url}/payroll/{batch_id}/")
    expect(page.locator("#lines tbody tr", has_text="发放失败")).to_contain_text("已结转")
    walk.shot("failed_line_carried")

    # 5. the enrollment's page shows the payment history: failed, then carried into next month's batch
    failed = PaymentLine.objects.get(batch_id=batch_id, status="failed")
    page.goto(f"{walk.url}/enrollments/")
    walk.shot("enrollment_list")
    page.click(f"a[href='/enrollments/{failed.enrollment_id}/']")
    page.wait_for_url(re.compile(rf".*/enrollments/{failed.enrollment_id}/$"))
    history = page.locator("#payment-table tbody tr")
    expect(history).to_have_count(3)  # this month failed, the carried line for it, next month's line
    expect(page.locator("#payment-table")).to_contain_text("发放失败")
    expect(page.locator("#payment-table")).to_contain_text("账户已销户")
    expect(page.locator("#payment-table")).to_contain_text("待发放")
    walk.shot("enrollment_payment_history")

    print("\nscreenshots:\n" + "\n".join(str(p) for p in walk.shots))
    assert all(p.exists() and p.stat().st_size > 0 for p in walk.shots)
