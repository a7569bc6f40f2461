"""`jiuzhu verify run --case ID | --region CODE [--submit]`: the verification engine from the command line."""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError
from django.utils import timezone

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.verification.selectors import pending_cases
from jiuzhu.apps.verification.services import verification_run, verification_run_batch, verification_submit
from jiuzhu.batch.engines import ENGINES

from ._bars import Bars, user_named
from ._base import JiuzhuCommand


class _System:
    """The operator without --user: 县级核对机构 of the given county, may run but not submit."""

    role, is_active, is_authenticated, pk, username = "county_staff", True, True, None, "system"

    def __init__(self, region_id: str):
        self.region_id = region_id


class Command(JiuzhuCommand):
    help = "家庭经济状况核对：run --case ID | --region CODE [--submit]（--submit 须用 --user 指定县民政用户）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("run", help="对一个案件或一个区划内所有待核对案件进行核对，出具核对报告")
        target = p.add_mutually_exclusive_group(required=True)
        target.add_argument("--case", help="案件编号")
        target.add_argument("--region", help="区划代码：核对其中所有待核对的案件")
        p.add_argument("--submit", action="store_true", help="将核对报告录入案件（record_verification）")
        p.add_argument("--user", help="操作人用户名（县民政；--submit 时必填）")
        p.add_argument("--as-of", help="核对基准日（默认今天）")
        p.add_argument("--months", type=int, default=12, help="收入计算期（月，默认 12）")
        p.add_argument("--engine", default="duckdb", choices=ENGINES, help="计算引擎（默认 duckdb）")
        p.add_argument("--pdf", action="store_true", help="批量核对时也为每份报告生成 PDF")
        p.add_argument("--json", action="store_true")
        p.add_argument("--no-progress", action="store_true")

    def handle(self, *args, action, case, region, submit, user, as_of, months, engine, pdf, json, no_progress, **_):
        actor = user_named(user, required=submit)
        day = None
        if as_of:
            try:
                day = date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"--as-of “{as_of}”格式错误，应为 YYYY-MM-DD", returncode=2) from None
        now = timezone.now()
        if actor is None:
            code = region or (Case.objects.filter(pk=case).values_list("region_id", flat=True).first()
                              if str(case).isdigit() else None)
            if not code or not Region.objects.filter(pk=code).exists():
                raise CommandError(f"区划或案件不存在：{region or case}", returncode=2)
            actor = _System(code[:6].ljust(12, "0"))
        with Bars(not no_progress) as bars:
            if case:
                reports = [verification_run(actor=actor, case_id=case, now=now, as_of=day, months=months,
                                            engine=engine, progress=bars)]
            else:
                if not Region.objects.filter(pk=region).exists():
                    raise CommandError(f"区划不存在：{region}", returncode=2)
                ids = pending_cases(actor=actor, region_code=region)
                if not ids:
                    self._emit(json, {"region": region, "cases": 0, "reports": []}, f"{region} 没有待核对的案件")
                    return
                request = verification_run_batch(actor=actor, case_ids=ids, now=now, as_of=day, months=months,
                                                 engine=engine, region=region, progress=bars)
                reports = list(request.reports.order_by("case_id"))
                if pdf:
                    from jiuzhu.apps.verification.pdf import report_pdf

                    for i, r in enumerate(reports):
                        bars("生成 PDF", i, len(reports))
                        report_pdf(r)
                    bars("生成 PDF", len(reports), len(reports))
            submitted = []
            if submit:
                for i, r in enumerate(reports):
                    bars("录入案件", i, len(reports))
                    verification_submit(actor=actor, report_id=r.pk, now=now)
                    submitted.append(r.pk)
                bars("录入案件", len(reports), len(reports))
        rows = [{"report": r.pk, "number": r.number, "case": r.case_id, "conclusion": r.conclusion,
                 "differences": len(r.data["differences"]), "not_verifiable": len(r.data["not_verifiable"]),
                 "digest": r.digest, "pdf": r.pdf_path, "submitted": r.pk in submitted} for r in reports]
        lines = [f"案件 {x['case']}：报告 {x['number']}，{'与申报一致' if x['conclusion'] == 'consistent' else '与申报不一致'}"
                 f"，差异 {x['differences']} 项，不可核对 {x['not_verifiable']} 人"
                 + ("，已录入案件" if x["submitted"] else "") for x in rows]
        self._emit(json, {"cases": len(rows), "reports": rows}, "\n".join(lines))

    def _emit(self, json, data, text):
        if json:
            self.emit_json(data)
        else:
            self.stdout.write(text)
