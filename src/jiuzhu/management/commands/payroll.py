"""``jiuzhu payroll run | approve | export | reconcile | show | layouts`` — the monthly payroll at the console.

``run --region CODE --month YYYY-MM`` prepares the month's batch (or returns the one already
prepared, unchanged) and writes its preview file with masked accounts; it prints the batch id and
the file path. Running it again changes nothing and prints the same. Once the batch is approved (by
another person: ``approve --batch ID --user NAME``), ``export`` writes the bank file with the real
accounts; ``run`` for an approved month is refused naming the batch, or prepares a supplementary
batch when something is left to pay. Errors: exit 2 with a Chinese message naming the field or row.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.payments import selectors, services
from jiuzhu.apps.payments.layouts import layouts
from jiuzhu.apps.payments.models import PayrollBatch
from jiuzhu.apps.payments.results import MAX_FILE_BYTES as MAX_RESULT_BYTES
from jiuzhu.core.uploads import read_bytes

from ._base import JiuzhuCommand

STATUS = dict(PayrollBatch.Status.choices)


class _Bars:
    """rich progress bars on stderr, one task per stage (stdout keeps only the results)."""

    def __init__(self, enabled: bool):
        self.progress = None
        self.tasks: dict[str, int] = {}
        if enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), console=Console(stderr=True))

    def __call__(self, stage: str, done: int, total: int):
        if self.progress is None:
            return
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=max(total, 1))
        self.progress.update(self.tasks[stage], completed=min(done, max(total, 1)))

    def __enter__(self):
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.stop()


def _user(name: str | None, *, required: bool = False):
    if not name:
        if required:
            raise CommandError("请用 --user 指定审核人（县民政工作人员）", returncode=2)
        return None
    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        raise CommandError(f"--user：用户“{name}”不存在或已停用", returncode=2)
    return user


def _batch_id(value: str) -> int:
    if not str(value).isdigit():
        raise CommandError(f"--batch：批次 ID“{value}”无效，应为数字", returncode=2)
    return int(value)


class Command(JiuzhuCommand):
    help = "社会化发放：run 生成月度批次 | approve 审核 | export 生成银行文件 | reconcile 导入银行回盘 | show 查看 | layouts 文件格式"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("run", help="生成（或取回）某区划某月的发放批次，并写出预览文件")
        p.add_argument("--region", required=True, help="县(市、区)或乡镇区划代码，12位")
        p.add_argument("--month", required=True, help="发放月份 YYYY-MM")
        p.add_argument("--user", help="制单人用户名（默认为控制台操作员）")
        p = sub.add_parser("approve", help="审核批次（须与制单人不同）")
        p.add_argument("--batch", required=True)
        p.add_argument("--user", required=True, help="审核人用户名")
        p = sub.add_parser("export", help="为已审核批次生成银行代发文件")
        p.add_argument("--batch", required=True)
        p.add_argument("--layout", default="default", help="文件格式名（见 layouts）")
        p.add_argument("--format", default="csv", choices=services.FORMATS, dest="fmt")
        p.add_argument("--user")
        p = sub.add_parser("reconcile", help="导入银行回盘文件，逐笔标记成功/失败")
        p.add_argument("--batch", required=True)
        p.add_argument("file")
        p.add_argument("--layout", default=None, help="回盘格式（默认与导出的代发文件相同）")
        p.add_argument("--user")
        p = sub.add_parser("show", help="查看批次及按乡镇、分类的汇总")
        p.add_argument("--batch", required=True)
        sub.add_parser("layouts", help="列出银行文件格式")

    def handle(self, *args, action, **opts):
        bars = _Bars(enabled=opts.get("verbosity", 1) > 0)
        now = timezone.now()
        if action == "run":
            with bars:
                batch = services.payroll_prepare(actor=_user(opts["user"]), region_code=opts["region"],
                                                 month=opts["month"], now=now, progress=bars)
                path = services.payroll_preview(actor=None, batch_id=batch.pk, progress=bars)
            self._summary(batch)
            self.stdout.write(f"文件 {path}")
            self.stdout.write(f"（预览文件，账号已遮蔽；审核：jiuzhu payroll approve --batch {batch.pk} --user 审核人；"
                              f"审核后生成银行文件：jiuzhu payroll export --batch {batch.pk}）")
        elif action == "approve":
            batch = services.payroll_approve(actor=_user(opts["user"], required=True),
                                             batch_id=_batch_id(opts["batch"]), now=now)
            self._summary(batch)
        elif action == "export":
            with bars:
                batch, path = services.payroll_export(actor=_user(opts["user"]), batch_id=_batch_id(opts["batch"]),
                                                      layout=opts["layout"], fmt=opts["fmt"], now=now, progress=bars)
            self._summary(batch)
            self.stdout.write(f"文件 {path}")
        elif action == "reconcile":
            path = Path(opts["file"])
            if not path.is_file():
                raise CommandError(f"回盘文件不存在：{path}", returncode=2)
            result = services.payroll_reconcile(actor=_user(opts["user"]), batch_id=_batch_id(opts["batch"]),
                                                content=read_bytes(path, limit=MAX_RESULT_BYTES),
                                                filename=path.name, layout=opts["layout"],
                                                now=now)
            verb = "对账完成" if result["changed"] else "已对账，结果相同，未作更改"
            self.stdout.write(f"批次 {result['batch_id']}（{result['number']}）{verb}：成功 {result['paid']} 笔，"
                              f"失败 {result['failed']} 笔（金额 {result['failed_amount']} 元，将结转下一批次补发）")
        elif action == "show":
            self._show(selectors.batch_get(actor=None, batch_id=_batch_id(opts["batch"])))
        else:
            for name, layout in layouts().items():
                titles = "、".join(t for _, t in layout.columns)
                self.stdout.write(f"{name}\t{layout.label}\t{layout.encoding}\t{titles}")

    def _summary(self, batch):
        extra = []
        if batch.totals.get("carried"):
            extra.append(f"含结转失败明细 {batch.totals['carried']} 笔")
        if batch.totals.get("missing_account"):
            extra.append(f"另有 {batch.totals['missing_account']} 个在保对象缺少银行账号未纳入")
        self.stdout.write(
            f"批次 {batch.pk} {batch.number}（{STATUS[batch.status]}）：{batch.households} 户，{batch.persons} 人，"
            f"{batch.totals.get('lines', 0)} 笔，金额 {batch.total_amount} 元" + ("；" + "；".join(extra) if extra else ""))

    def _show(self, batch):
        self._summary(batch)
        self.stdout.write(f"制单 {batch.prepared_by or '控制台'} {timezone.localtime(batch.prepared_at):%Y-%m-%d %H:%M}；"
                          f"审核 {batch.approved_by or '—'}；银行文件 {batch.bank_file or '—'}")
        self.stdout.write("乡镇\t分类\t户数\t人数\t笔数\t金额(元)")
        for row in selectors.batch_totals(batch=batch):
            self.stdout.write(f"{row['township_name']}\t{row['klass'] or '—'}\t{row['households']}\t{row['persons']}\t"
                              f"{row['lines']}\t{row['amount']}")
        counts = selectors.batch_status_counts(batch=batch)
        self.stdout.write("；".join(f"{label} {counts[key][0]} 笔 {counts[key][1]:.2f} 元"
                                   for key, label in (("pending", "待发放"), ("paid", "已发放"), ("failed", "失败"))))
