"""``jiuzhu review start | status | due | graduation-end`` — the annual review (年审) and due rechecks.

``start --region CODE --year YYYY`` opens a recheck case for every enrollment of the region (running
it again adds only what is missing); ``status`` prints progress per township (``--json``: progress, the
year's summary and each township's 月人均补差 against the region's floor, ``benefit_floors``); ``due`` lists enrollments whose recheck is due (``--create`` opens them);
``graduation-end`` stops enrollments whose 渐退 period has ended. Progress bars go to stderr.
Without ``--user`` the first active county account of the region acts. Errors: exit 2, Chinese.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.enrollment.services import enrollments_graduation_end
from jiuzhu.apps.regions.codes import ancestors, is_valid_code
from jiuzhu.apps.reviews import selectors, services

from ._bars import Bars, user_named
from ._base import JiuzhuCommand

PHASES = {"snapshot": "读取在保对象快照", "write": "写入复核任务"}


def _date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}：日期“{value}”格式错误，应为 YYYY-MM-DD", returncode=2) from None


def _actor(name: str | None, region: str) -> User:
    if name:
        return user_named(name)
    if not is_valid_code(region):
        raise CommandError(f"--region：区划代码“{region}”无效，应为 12 位数字", returncode=2)
    user = (User.objects.filter(role=Role.COUNTY, is_active=True, region_id__in=[region, *ancestors(region)])
            .order_by("id").first())
    if user is None:
        raise CommandError("该区划没有可代为操作的县民政账号，请用 --user 指定操作人", returncode=2)
    return user


def _now(day: dt.date | None):
    """The clock, or noon of ``--date`` (local time) for jobs run for another day."""
    if day is None:
        return timezone.now()
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 12, 0))


class Command(JiuzhuCommand):
    help = "年审与复核：start 启动年审 | status 年审进度 | due 到期复核 | graduation-end 渐退期满停发"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("start", help="启动（或补齐）某区划某年度的年审：为每个在保对象生成复核任务")
        p.add_argument("--region", required=True, help="区划代码（县或乡镇，12 位）")
        p.add_argument("--year", required=True, help="年度，如 2027")
        p.add_argument("--due", help="复核办结期限 YYYY-MM-DD（默认当年 5 月 30 日）")
        p.add_argument("--user", help="操作人（县民政账号）")
        p.add_argument("--no-progress", action="store_true", help="不显示进度条")
        p = sub.add_parser("status", help="年审进度（按乡镇、村）")
        p.add_argument("--region", required=True, help="区划代码")
        p.add_argument("--year", required=True, help="年度")
        p.add_argument("--user", help="查看人（按其管辖范围统计）")
        p.add_argument("--json", action="store_true", help="输出 JSON（进度、年度汇总、各乡镇月人均补差）")
        p.add_argument("--date", help="月人均补差下限按此日期取值 YYYY-MM-DD（默认今天）")
        p = sub.add_parser("due", help="列出复核到期的在保对象；--create 为其生成复核任务")
        p.add_argument("--region", required=True, help="区划代码")
        p.add_argument("--date", help="按此日期判断（默认今天）")
        p.add_argument("--within", type=int, default=30, help="提前天数（默认 30）")
        p.add_argument("--create", action="store_true", help="生成复核任务")
        p.add_argument("--user", help="操作人")
        p.add_argument("--json", action="store_true", help="输出 JSON")
        p.add_argument("--no-progress", action="store_true", help="不显示进度条")
        p = sub.add_parser("graduation-end", help="渐退期满的在保对象停止保障")
        p.add_argument("--date", help="按此日期判断（默认今天）")

    def handle(self, *args, action, **opts):
        getattr(self, f"_{action.replace('-', '_')}")(**opts)

    def _start(self, *, region, year, due, user, no_progress, **_):
        actor = _actor(user, region)
        with Bars(enabled=not no_progress) as bars:
            campaign, created = services.review_start(
                actor=actor, region_code=region, year=year, now=timezone.now(), due=_date(due, "--due"),
                progress=lambda phase, done, total: bars(PHASES.get(phase, phase), done, total))
        self.stdout.write(f"{campaign.year} 年度年审（{campaign.region_id}，编号 {campaign.pk}）：新建复核任务 {created} 件，"
                          f"累计 {campaign.cases_created} 件，复核办结期限 {campaign.due.isoformat()}")

    def _status(self, *, region, year, user, json, date=None, **_):
        actor = _actor(user, region)
        if not str(year).isdigit():
            raise CommandError(f"--year：年度“{year}”无效，应为四位数字", returncode=2)
        campaign = selectors.campaign_find(actor=actor, region_code=region, year=int(year))
        progress = selectors.review_progress(actor=actor, campaign=campaign)
        if json:
            summary = selectors.review_summary(actor=actor, campaign=campaign)
            floors = selectors.benefit_floors(actor=actor, campaign=campaign,
                                              as_of=_date(date, "--date") or timezone.localdate())
            self.emit_json({"progress": progress, "summary": summary, "policy_note": campaign.policy_note,
                            "benefit_floors": floors})
            return
        t = progress["total"]
        self.stdout.write(f"{campaign.year} 年度年审（{campaign.region.name}）：共 {t['total']} 件，已决定 {t['decided']} 件"
                          f"（{t['percent']}%），办理中 {t['open']} 件（逾期 {t['overdue']} 件），已取消 {t['cancelled']} 件；"
                          f"办结期限 {progress['due']}")
        self.stdout.write("乡镇　合计　办理中　逾期　继续　调整　停保　渐退　取消　完成率")
        for row in progress["townships"]:
            self.stdout.write(f"{row['name'] or row['code']}　{row['total']}　{row['open']}　{row['overdue']}　"
                              f"{row['continue']}　{row['adjust']}　{row['stop']}　{row['graduate']}　"
                              f"{row['cancelled']}　{row['percent']}%")

    def _due(self, *, region, date, within, create, user, json, no_progress, **_):
        actor = _actor(user, region)
        with Bars(enabled=create and not no_progress) as bars:
            def report(phase, done, total):
                bars(PHASES.get(phase, phase), done, total)
            result = services.review_due(actor=actor, region_code=region, now=_now(_date(date, "--date")),
                                         within_days=within, create=create, progress=report)
        if json:
            self.emit_json({**result, "rows": [{**r, "next_recheck": r["next_recheck"].isoformat()
                                                if r["next_recheck"] else None, "due": r["due"].isoformat()}
                                               for r in result["rows"]]})
            return
        self.stdout.write(f"{result['date']} 复核到期（{result['within_days']} 天内）：{result['due']} 件，"
                          f"其中已过期 {result['overdue']} 件；新建复核任务 {result['created']} 件")

    def _graduation_end(self, *, date, **_):
        day = _date(date, "--date") or timezone.localdate()
        count = enrollments_graduation_end(today=day, now=_now(day))
        self.stdout.write(f"{day.isoformat()} 渐退期满停发：{count} 户")
