"""`jiuzhu standard propose | preview | approve | apply | show`: a new dated standard (物价联动)."""

from __future__ import annotations

from pathlib import Path

from jiuzhu.apps.enrollment.standard import change_get, describe, standard_approve, standard_propose
from jiuzhu.apps.enrollment.standard_apply import standard_apply
from jiuzhu.apps.enrollment.standard_preview import standard_preview
from jiuzhu.apps.enrollment.standard_xlsx import write_preview_xlsx

from ._bars import Bars, user_named
from ._base import JiuzhuCommand

ACTION_WORDS = {"adjust": "调整", "unchanged": "不变", "keep": "维持原金额（渐退期）", "review": "待复核"}


class Command(JiuzhuCommand):
    help = ("标准调整（物价联动）：simulate 政策测算（不改变数据）；propose 录入新标准；preview 逐人测算并按乡镇、分类汇总；approve 由另一人审批；"
            "apply 按审批的预览调整在保对象（可重复执行，不会重复调整）；show 查看")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("propose", help="录入新的标准（起始日期须为某月1日）")
        p.add_argument("--region", required=True, help="区划代码（县级及以上）")
        p.add_argument("--area-type", required=True, choices=["urban", "rural"], help="urban 城市 / rural 农村")
        p.add_argument("--program", default="dibao", choices=["dibao", "tekun"],
                       help="dibao 低保标准（默认）/ tekun 特困人员基本生活标准")
        p.add_argument("--amount", required=True, help="新标准（元/人/月）")
        p.add_argument("--start", required=True, help="起始日期 YYYY-MM-01")
        p.add_argument("--source", required=True, help="出处：文件名称、文号及条款")
        p.add_argument("--user", help="提出人用户名（不填则为系统操作员）")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("preview", help="测算每个在保对象的新金额（列式批量计算）")
        p.add_argument("--id", type=int, required=True)
        p.add_argument("--xlsx", help="同时导出预览表（汇总 + 明细）")
        p.add_argument("--json", action="store_true", help="输出汇总 JSON")
        p.add_argument("--user")
        p.add_argument("--no-progress", action="store_true")
        p = sub.add_parser("approve", help="审批（审批人须不同于提出人）")
        p.add_argument("--id", type=int, required=True)
        p.add_argument("--user", required=True, help="审批人用户名")
        p = sub.add_parser("apply", help="按审批的预览调整金额，自标准起始月份生效")
        p.add_argument("--id", type=int, required=True)
        p.add_argument("--user")
        p.add_argument("--json", action="store_true")
        p.add_argument("--no-progress", action="store_true")
        p = sub.add_parser("simulate", help="政策测算：按新参数值对全部登记家庭测算，不改变任何数据")
        p.add_argument("--region", required=True, help="区划代码（县级及以上）")
        p.add_argument("--start", required=True, help="起始日期 YYYY-MM-01")
        p.add_argument("--set", action="append", default=[], metavar="参数=值", dest="settings",
                       help="新参数值，可重复，如 dibao.standard.rural=1400、edge.multiplier=2、dibao.tiers.1.upper_ratio=0.25")
        p.add_argument("--xlsx", help="同时导出测算表（汇总、乡镇、受影响家庭）")
        p.add_argument("--json", action="store_true", help="输出汇总 JSON")
        p.add_argument("--user")
        p.add_argument("--no-progress", action="store_true")
        p = sub.add_parser("show", help="查看一项标准调整及其最近的预览汇总")
        p.add_argument("--id", type=int, required=True)
        p.add_argument("--json", action="store_true")

    def handle(self, *args, action, **opts):
        getattr(self, f"_{action}")(**opts)

    def _propose(self, *, region, area_type, program, amount, start, source, user, json, **_):
        change = standard_propose(actor=user_named(user), region_code=region, program=program, area_type=area_type,
                                  amount=amount, start_date=start, source=source)
        if json:
            self.emit_json({"id": change.pk, "status": change.status, "key": change.key, "amount": str(change.amount),
                            "start": change.start_date.isoformat()})
            return
        self.stdout.write(f"已录入标准调整 {change.pk}：{describe(change)}（待预览、审批）")

    def _preview(self, *, id, xlsx, json, user, no_progress, **_):
        with Bars(not no_progress) as bars:
            preview = standard_preview(actor=user_named(user), change_id=id, progress=bars)
        rows = 0
        if xlsx:
            rows = write_preview_xlsx(preview, Path(xlsx))
        if json:
            self.emit_json(preview.summary)
            return
        self._print_summary(preview.change, preview.summary)
        if xlsx:
            self.stdout.write(f"预览表已导出：{xlsx}（明细 {rows} 行）")

    def _approve(self, *, id, user, **_):
        change = standard_approve(actor=user_named(user, required=True), change_id=id)
        self.stdout.write(f"标准调整 {change.pk} 已审批（审批人 {change.approved_by.username}）：{describe(change)}")

    def _apply(self, *, id, user, json, no_progress, **_):
        with Bars(not no_progress) as bars:
            result = standard_apply(actor=user_named(user), change_id=id, progress=bars)
        if json:
            self.emit_json(result)
            return
        if result["already_applied"]:
            self.stdout.write(f"标准调整 {id} 已于此前应用（调整 {result['applied_count']} 人次），本次未作改动")
            return
        self.stdout.write(f"标准调整 {id} 已应用：调整 {result['adjusted']} 人次，自 {result['effective_month'][:7]} 起生效；"
                          f"待复核 {result['review']} 人次未调整")

    def _simulate(self, *, region, start, settings, xlsx, json, user, no_progress, **_):
        from jiuzhu.apps.enrollment.simulation import affected, run_simulation
        from jiuzhu.apps.enrollment.simulation_xlsx import write_simulation_xlsx
        from jiuzhu.rules.errors import ValidationFailed

        changes = {}
        for item in settings:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise ValidationFailed("simulation.set_invalid", f"“{item}”应写成 参数=值（字段：--set）", field="set")
            changes[key.strip()] = value.strip()
        with Bars(not no_progress) as bars:
            sim = run_simulation(actor=user_named(user), region_code=region, start_date=start, changes=changes,
                                 progress=bars)
        if xlsx:
            write_simulation_xlsx(sim.summary, affected(sim.rows), xlsx)
        if json:
            self.emit_json(sim.summary)
            return
        s = sim.summary
        self.stdout.write(f"政策测算（{s['region_name'] or s['region']}，自 {s['start']} 起；仅测算，未改变任何数据）")
        for c in s["changes"]:
            self.stdout.write(f"  {c['label']}：{c['previous']} → {c['value']}")
        counts = s["counts"]
        self.stdout.write(f"登记家庭 {s['households']} 户（在保 {s['enrolled']} 户）：新纳入 {counts['enter']}、退出 {counts['leave']}、"
                          f"类别变化 {counts['class']}、金额变化 {counts['amount']}；新增边缘 {s['edge_in']}、退出边缘 {s['edge_out']}")
        self.stdout.write(f"月保障金 {s['old_month']} → {s['new_month']} 元；每月增支 {s['diff_month']} 元，每年增支 {s['diff_year']} 元")
        t = s.get("tekun") or {}
        if t.get("enrolled"):
            self.stdout.write(f"特困人员 {t['enrolled']} 人：供养金额变化 {t['changed']} 人，每月增支 {t['diff_month']} 元，"
                              f"每年增支 {t['diff_year']} 元" + (f"（{t['unmatched']} 人未匹配照料等级，未计入）"
                                                               if t["unmatched"] else ""))
        self.stdout.write("乡镇\t登记家庭\t在保\t新纳入\t退出\t类别变化\t月增支\t年增支")
        for t in s["townships"]:
            self.stdout.write(f"{t['township_name'] or t['township']}\t{t['households']}\t{t['enrolled']}\t{t['enter']}\t"
                              f"{t['leave']}\t{t['klass']}\t{t['diff_month']}\t{t['diff_year']}")
        for w in s.get("warnings", []):
            self.stdout.write(f"提示：{w}")
        if xlsx:
            self.stdout.write(f"测算表已导出：{xlsx}")

    def _show(self, *, id, json, **_):
        change = change_get(actor=None, change_id=id)
        if json:
            self.emit_json({"id": change.pk, "status": change.status, "region": change.region_id, "key": change.key,
                            "amount": str(change.amount), "start": change.start_date.isoformat(),
                            "source": change.source, "summary": change.preview_summary})
            return
        self.stdout.write(f"标准调整 {change.pk}（{change.get_status_display()}）：{describe(change)}；出处：{change.source}")
        if change.preview_summary:
            self._print_summary(change, change.preview_summary)

    def _print_summary(self, change, s):
        counts = s["counts"]
        self.stdout.write(f"标准调整 {change.pk}：{describe(change)}")
        self.stdout.write(f"在保对象 {counts['total']} 个：" + "、".join(
            f"{ACTION_WORDS[a]} {counts[a]}" for a in ("adjust", "unchanged", "keep", "review")))
        self.stdout.write(f"月金额合计 {s['old_total']} → {s['new_total']} 元（差额 {s['diff']} 元）")
        self.stdout.write("乡镇\t分类\t人次\t调整\t待复核\t原金额\t新金额\t差额")
        for t in s["totals"]:
            self.stdout.write(f"{t['township_name'] or t['township']}\t{t['class'] or '—'}\t{t['count']}\t{t['adjusted']}\t"
                              f"{t['review']}\t{t['old_total']}\t{t['new_total']}\t{t['diff']}")
        for w in s.get("warnings", []):
            self.stdout.write(f"提示：{w['message']}")
