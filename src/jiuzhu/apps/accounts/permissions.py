"""The permission matrix: role → permission names. The one place that says who may do what.

Services check a name (``require(actor, "payroll.approve", …)``), views decorate with the same name
(``@roles_required("payroll.approve", …)``) and templates ask ``{% if user|may:"payroll.approve" %}``;
no other module keeps a set of roles. Region scope is separate (``regions.scope``): a permission
says *what* a role may do, the scope says *where*.

The case workflow's own actions are the exception by design: who may take each step is part of the
transition tables (``rules.workflow``), data like the states themselves.
"""

from __future__ import annotations

from .roles import Role

V, CW, RV, CO, INS, AD = Role.VILLAGE, Role.CASEWORKER, Role.REVIEWER, Role.COUNTY, Role.INSPECTOR, Role.ADMIN
TOWNSHIP_AND_ABOVE = frozenset({CW, RV, CO, INS, AD})

# name → (roles, what it allows, in Chinese: shown on the admin page and in "not allowed" messages)
MATRIX: dict[str, tuple[frozenset, str]] = {
    "registry.write": (frozenset({V, CW, CO}), "新增、修改家庭和成员"),
    "pii.view_full": (frozenset({CW, RV, CO}), "查看完整身份证号、银行账号、电话（每次查看均审计）"),
    "audit.read": (frozenset({INS, AD, CO}), "查看审计日志"),
    "audit.read_unregioned": (frozenset({INS, AD}), "查看无区划的审计事件（登录、锁定、系统任务）"),
    "accounts.manage": (frozenset({AD}), "管理用户、角色和行政区划"),
    "tokens.manage": (frozenset({AD}), "签发、吊销 API 令牌"),
    "settings.manage": (frozenset({AD}), "查看、修改各区划的审核确认流程设置"),
    "audit.verify": (frozenset({AD, INS}), "校验审计日志哈希链"),
    "calendar.watch": (frozenset({CO, AD}), "接收次年放假安排未导入的提醒"),
    "calendar.import": (frozenset({AD, CO}), "导入工作日历（放假安排）"),
    "case.submit": (frozenset({V, CW}), "提交救助申请（受理渠道见 cases.services.ROLE_CHANNELS）"),
    "temporary.record": (frozenset({V, CW, RV}), "登记临时救助（急难型、支出型；急难型由发生地乡镇受理）"),
    "reserve.allocate": (frozenset({CO}), "向乡镇拨付临时救助备用金"),
    "reserve.view": (frozenset({CW, RV, CO, INS}), "查看临时救助备用金余额及收支"),
    "temporary.ledger": (frozenset({CW, RV, CO, INS}), "查看、导出临时救助台账（乡镇本乡镇，县级全县）"),
    "reserve.request": (frozenset({CW, RV, CO}), "申请补充备用金（乡镇申请，或县级代乡镇申请）"),
    "reserve.reconcile": (frozenset({CW, RV}), "确认本乡镇备用金月末对账"),
    "reserve.approve": (frozenset({CO}), "审批乡镇补充备用金申请（不能审批本人提出的申请）"),
    "case.attach": (frozenset({V, CW, CO}), "上传申请材料扫描件和照片"),
    "case.supervise": (frozenset({CO, INS}), "查看逾期督办清单"),
    "data.read": (frozenset({CO, AD, INS}), "查看部门数据快照"),
    "data.ingest": (frozenset({CO, AD}), "导入部门数据"),
    "verification.read": (TOWNSHIP_AND_ABOVE, "查看家庭经济状况核对报告"),
    "verification.run": (frozenset({CO, CW}), "发起家庭经济状况核对（乡镇可预核）"),
    "verification.submit": (frozenset({CO}), "将核对报告录入案件"),
    "monitoring.read": (TOWNSHIP_AND_ABOVE, "查看监测预警"),
    "monitoring.scan": (frozenset({CO, CW, AD}), "发起监测扫描"),
    "monitoring.dispose": (frozenset({CW, CO}), "处置、推送预警，登记部门反馈"),
    "intake.record": (frozenset({V, CW, CO}), "一门受理：登记困难需求并向相关部门转介"),
    "care.read": (frozenset({V, CW, RV, CO, INS}), "查看特困人员监护照护档案（民事行为能力、监护、探访记录）"),
    "care.capacity": (frozenset({CW, CO}), "登记民事行为能力、供养方式和生活自理能力评估"),
    "care.guardian": (frozenset({CW, CO}), "确定监护人、签订和上传监护照料协议、安排临时生活照料"),
    "care.visit": (frozenset({V, CW}), "登记探视巡访（含照片和需求转办）"),
    "care.photo": (frozenset({V, CW, CO, INS}), "查看探视巡访照片和监护协议扫描件"),
    "care.supervise": (frozenset({CW, RV, CO, INS}), "查看未按期探访清单、探访完成率和监护照护统计"),
    "care.check": (frozenset({CO, INS}), "抽查探视巡访记录（电话回访或实地核查）"),
    "care.satisfaction": (frozenset({V, CW, CO}), "登记特困人员及其监护人满意度调查"),
    "care.evaluate": (frozenset({CW, CO}), "登记委托照料人、供养机构季度评估"),
    "care.urge": (frozenset({CO}), "督办乡镇未按期探访"),
    "lowincome.read": (TOWNSHIP_AND_ABOVE | {V}, "查看、导出低收入人口登记"),
    "lowincome.register": (frozenset({CW, CO, V}), "登记、导入低收入人口"),
    "enrollment.ledger_import": (frozenset({CW, CO}), "导入在保对象台账"),
    "certificate.read": (TOWNSHIP_AND_ABOVE, "查看、导出低保证/特困证登记"),
    "filing.read": (TOWNSHIP_AND_ABOVE, "查看报县备案清单（新增批准和出保）"),
    "filing.record": (frozenset({CW}), "将出保（停保、分类变更）报县备案"),
    "standard.manage": (frozenset({CO}), "录入、测算、审批、应用保障标准"),
    "review.read": (TOWNSHIP_AND_ABOVE, "查看年审进度"),
    "review.start": (frozenset({CO}), "启动年审、生成到期复核"),
    "review.schedule": (frozenset({CO, CW}), "为到期在保对象安排复核"),
    "integrity.read": (TOWNSHIP_AND_ABOVE, "查看失信记录"),
    "integrity.propose": (frozenset({CW}), "提出失信记录、上传证据、登记申诉（乡镇）"),
    "integrity.decide": (frozenset({CO}), "决定列入、移出失信名单，处理申诉（县级，不能决定本人提出的记录）"),
    "integrity.export": (frozenset({CO}), "导出失信名单（报送信用信息平台）"),
    "relatives.declare": (frozenset({V, CW, RV, CO}), "登记本人的近亲属（村(居)委会、乡镇、县级工作人员）"),
    "relatives.read": (frozenset({CW, RV, CO, INS}), "查看本辖区工作人员近亲属登记和比对结果（身份证号脱敏）"),
    "relatives.import": (frozenset({CO}), "导入工作人员近亲属名单（xlsx），撤销他人的登记"),
    "recovery.read": (TOWNSHIP_AND_ABOVE, "查看追回款项和县级追回台账"),
    "recovery.operate": (frozenset({CW, CO}), "登记追回款项、出具退款通知书、安排分期、登记到账、申请核销"),
    "recovery.write_off": (frozenset({CO}), "审批核销追回款项（不能审批本人的申请）"),
    "complaint.read": (TOWNSHIP_AND_ABOVE, "查看投诉、举报、信访和督办清单"),
    "complaint.intake": (frozenset({CW, CO}), "登记投诉、举报、信访、公示异议"),
    "complaint.assign": (frozenset({CW, CO}), "分派承办人、批准延长办理期限"),
    "complaint.handle": (frozenset({CW, CO}), "办理投诉举报：受理决定、调查核实、办结、答复、满意度"),
    "complaint.reveal_reporter": (frozenset({CO}), "查看举报人身份（县级承办人；每次查看均审计）"),
    "selfcheck.read": (TOWNSHIP_AND_ABOVE, "查看自查自纠、疑点和整改情况（乡镇只看本乡镇）"),
    "selfcheck.start": (frozenset({CO}), "发起自查自纠（县级，全县在保对象）"),
    "selfcheck.resolve": (frozenset({CW, CO}), "办理自查自纠整改事项（误报、调整、停保、追回）"),
    "payroll.read": (frozenset({CO, INS, AD, CW, RV}), "查看发放批次"),
    "payroll.operate": (frozenset({CO}), "生成、审核、导出发放批次，导入银行回盘"),
    "dashboard.read": (frozenset({CO, INS, AD, CW, RV}), "查看统计看板"),
    "stats.compute": (frozenset({CO, AD}), "重新计算统计"),
    "stats.report_edit": (frozenset({CO}), "编辑试点评估报告正文"),
    "jobs.read": (TOWNSHIP_AND_ABOVE, "查看后台任务（本人发起的；县民政另可看本辖区的，管理员可看全部）"),
    "jobs.read_all": (frozenset({AD}), "查看全部后台任务"),
    "jobs.read_region": (frozenset({CO}), "查看本辖区的后台任务"),
}


def roles_with(name: str) -> frozenset:
    """The roles holding permission ``name`` (an unknown name is a programming error)."""
    return MATRIX[name][0]


def has_permission(actor, name: str) -> bool:
    roles = roles_with(name)
    return bool(actor and getattr(actor, "is_authenticated", True) and getattr(actor, "is_active", False)
                and getattr(actor, "role", None) in roles)


def permissions_of(role: str) -> list[str]:
    return [name for name, (roles, _) in MATRIX.items() if role in roles]


def describe(name: str) -> str:
    return MATRIX[name][1]
