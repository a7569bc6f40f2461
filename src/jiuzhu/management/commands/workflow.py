from __future__ import annotations

import json

from django.core.management.base import CommandError

from jiuzhu.apps.cases.config import OPTIONAL_STEPS, region_config
from jiuzhu.apps.cases.settings_services import workflow_setting_set
from jiuzhu.rules.errors import DomainError

from ._base import JiuzhuCommand


def _bool(value: str) -> bool:
    if value.lower() in ("true", "1", "yes", "是"):
        return True
    if value.lower() in ("false", "0", "no", "否"):
        return False
    raise CommandError(f"“{value}”应为 true 或 false", returncode=2)


class Command(JiuzhuCommand):
    help = "审核确认流程设置：show --region CODE | set --region CODE [--confirmation-level …] …"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("show", help="显示区划适用的流程设置（含继承）")
        p.add_argument("--region", required=True)
        p = sub.add_parser("set", help="设置县或乡镇的流程（须在国家规定时限之内）")
        p.add_argument("--region", required=True)
        p.add_argument("--confirmation-level", choices=["township", "county"])
        p.add_argument("--verify-before-accept", type=_bool)
        p.add_argument("--overall-limit-wd", type=int)
        p.add_argument("--overall-limit-extended-wd", type=int)
        p.add_argument("--step-limits", help='JSON，如 {"survey": 3}')
        p.add_argument("--objection-phone")
        p.add_argument("--policy")
        # 社会救助年审 plan 三(2)二、三、五 (issue 20 §2–4)
        p.add_argument("--application-notice", type=_bool, help="申请情况公示（受理次日起不少于5个工作日）")
        p.add_argument("--survey-resident-cadre", type=_bool, help="入户调查须至少2人，其中1人为驻村干部")
        p.add_argument("--hearing", type=_bool, help="核对有预警或申请情况公示有异议时，初审前组织民主听证")

    def handle(self, *args, action, region, **opts):
        if action == "show":
            cfg = region_config(region)
            s = cfg.settings
            self.stdout.write(json.dumps({
                "region": region, "confirmation_level": s.confirmation_level,
                "verify_before_accept": s.verify_before_accept, "overall_limit_wd": s.overall_limit_wd,
                "overall_limit_extended_wd": s.overall_limit_extended_wd, "step_limits": s.step_limits,
                "objection_phone": cfg.objection_phone, "policy": cfg.policy, "source": cfg.source,
                **{f: getattr(s, f) for f in OPTIONAL_STEPS},
            }, ensure_ascii=False))
            return
        data = {k: opts[k] for k in ("confirmation_level", "verify_before_accept", "overall_limit_wd",
                                     "overall_limit_extended_wd", "objection_phone", "policy", *OPTIONAL_STEPS)
                if opts.get(k) is not None}
        if opts.get("step_limits"):
            try:
                data["step_limits"] = json.loads(opts["step_limits"])
            except json.JSONDecodeError:
                raise CommandError("--step-limits 应为 JSON 对象", returncode=2) from None
        try:
            workflow_setting_set(actor=None, region_code=region, data=data)
        except DomainError as exc:
            raise CommandError(f"{exc.details.get('field', '')}：{exc.message}", returncode=2) from None
        self.stdout.write(f"已更新 {region} 的审核确认流程设置")
