"""Chinese names of the audit actions, for the audit page (and anything else that lists events).

Every ``audit_record(action=…)`` in the code has a label here (tests/apps/test_audit_labels.py reads
the call sites): literal actions in ``LABELS``, and the families built at run time — ``case.<action>``
(the workflow's action labels), ``enrollment.<kind>`` (the enrollment changes) and
``pii.view_<field>`` — from their own label tables, so a new workflow action is named without an edit here.
"""

from __future__ import annotations

from jiuzhu.rules.workflow.enrollment import TRANSITIONS as ENROLLMENT_TRANSITIONS
from jiuzhu.rules.workflow.states import ACTION_LABELS as CASE_ACTION_LABELS

LABELS = {
    # accounts
    "account.locked": "账号锁定", "account.unlock": "账号解锁", "user.create": "新增用户",
    "user.password_set": "设置密码", "token.create": "创建 API 令牌", "token.revoke": "吊销 API 令牌",
    "user.update": "修改用户", "user.activate": "启用用户", "user.deactivate": "停用用户",
    "user.resident_cadre": "设置驻村干部",
    # audit, backup, keys, system
    "audit.anchor": "审计链锚定", "audit.verify": "审计链校验", "backup.create": "数据备份", "keys.reencrypt": "密钥轮换重新加密",
    "demo.load": "载入演示数据", "registry.seed": "生成合成家庭", "regions.import": "导入行政区划",
    "calendar.import": "导入工作日历", "stats.compute": "统计汇总计算",
    "stats.return_export": "导出月度统计报表", "stats.return_refused": "月度统计报表与发放台账不符，拒绝导出",
    "stats.pilot_report_save": "保存试点评估报告草稿", "stats.pilot_report_export": "导出试点评估报告", "job.retry": "重试后台任务",
    "job.cancel": "取消后台任务",
    # 临时救助备用金 (issue 14 §2)
    "reserve.allocate": "拨付临时救助备用金", "reserve.draw": "备用金支付临时救助",
    "temporary.ledger_export": "导出临时救助台账",
    "reserve.replenish_request": "申请补充备用金", "reserve.replenish_approve": "批准补充备用金",
    "reserve.replenish_refuse": "不予补充备用金", "reserve.reconcile_confirm": "确认备用金月末对账",
    "reserve.reconcile_export": "导出备用金对账单",
    # households and personal data
    "household.create": "新增家庭", "household.update": "修改家庭", "household.member_add": "添加成员",
    "household.member_end": "成员离开", "household.member_move": "成员迁移", "household.minimal_create": "急难救助临时登记",
    "household.minimal_merge": "临时登记并入家庭",
    "household.declared_income_set": "登记申报收入", "household.declared_income_clear": "删除申报收入",
    "household.declared_assets": "登记申报财产",
    "pii.view_id_number": "查看完整身份证号", "pii.view_phone": "查看完整电话号码",
    "pii.view_bank_account": "查看完整银行账号",
    # cases
    "case.attachment_add": "上传案件材料", "case.document_download": "下载案件文书",
    "case.file_download": "下载一人一档", "case.deadline_moved": "办理时限因放假安排调整",
    "case.recheck_due": "复核到期", "workflow.settings": "修改审核确认流程设置",
    # integrity (失信 records)
    "credit.propose": "提出失信记录", "credit.decide": "决定失信记录", "credit.remove": "移出失信名单",
    "credit.appeal": "登记失信申诉", "credit.appeal_decide": "处理失信申诉", "credit.evidence_add": "上传失信证据",
    "credit.export": "导出失信名单",
    "relative.declare": "登记工作人员近亲属", "relative.remove": "撤销工作人员近亲属登记",
    "relative.import": "导入工作人员近亲属",
    "recovery.raise": "登记追回款项", "recovery.plan": "安排分期退款", "recovery.receive": "登记退款到账",
    "recovery.write_off_propose": "申请核销", "recovery.write_off_decide": "审批核销",
    "recovery.notice": "出具退款通知书", "recovery.ledger_export": "导出追回台账",
    "recovery.detect": "由死亡预警生成追回款项",
    "selfcheck.start": "发起自查自纠", "selfcheck.run": "完成自查自纠检查", "selfcheck.report": "导出自查自纠报告",
    "rectification.resolve": "办理整改事项",
    "complaint.intake": "登记投诉举报", "complaint.assign": "分派承办人", "complaint.accept": "信访受理决定",
    "complaint.extend": "延长办理期限", "complaint.investigate": "登记调查核实", "complaint.conclude": "投诉举报办结",
    "complaint.reply": "出具答复意见书", "complaint.satisfaction": "登记满意度", "complaint.reporter_view": "查看举报人身份",
    # verification and monitoring
    "data.ingest": "导入部门数据", "verification.run": "家庭经济状况核对", "monitor.scan": "监测预警扫描",
    "alert.create": "产生预警", "alert.dispose": "处置预警", "alert.deadline_moved": "预警处置时限调整",
    "referral.create": "转介", "referral.feedback": "转介反馈", "referral.close": "转介办结",
    "intake.record": "一门受理登记",
    "care.capacity": "登记民事行为能力", "care.assessment": "生活自理能力评估",
    "care.guardian": "确定监护人", "care.guardian_end": "终止监护关系", "care.agreement_upload": "上传签字监护照料协议",
    "care.visit": "登记探视巡访", "care.placement": "登记供养方式（含转换）",
    "care.visit_check": "抽查探视巡访", "care.satisfaction": "满意度调查", "care.evaluate": "照料服务季度评估",
    "care.urge": "督办未按期探访",
    "care.profile_open": "建立监护照护档案", "care.transfer": "转换供养方式（集中/分散）",
    "care.entrusted_upload": "上传签字委托照料协议", "care.survey_start": "启动特困人员摸底排查",
    "care.survey_item": "登记摸底排查情况", "care.survey_close": "结束特困人员摸底排查",
    "care.survey_export": "导出摸底台账",
    "lowincome.register": "低收入人口登记", "lowincome.import": "导入低收入人口名册",
    "lowincome.export": "导出低收入人口名册",
    # 低收入和支出型贫困家庭认定 (apps/lowincome)
    "lowincome.recognize": "认定低收入家庭（进入台账）", "lowincome.remove": "清退低收入家庭",
    "lowincome.ledger_export": "导出低收入家庭台账", "lowincome.review_tasks": "生成低收入家庭年审复核任务",
    "lowincome.recheck": "低收入家庭年审复核结论",
    # enrollments, standards, reviews
    "enrollment.recheck": "在保对象复核", "enrollment.death_recheck": "成员死亡复核",
    "enrollment.graduation_end": "渐退期满停发", "enrollment.standard_adjust": "按新标准调整保障金",
    "ledger.import": "导入在保对象台账", "ledger.export": "导出在保对象台账",
    "ledger.export_full": "导出在保对象台账（完整号码）",
    "standard.propose": "提出标准调整", "standard.preview": "预览标准调整", "standard.approve": "批准标准调整",
    "standard.apply": "执行标准调整", "review.start": "启动年审", "review.close": "结束年审",
    "recheck.schedule_due": "安排到期复核",
    "certificate.issue": "发放低保证/特困证", "certificate.reissue": "换发低保证/特困证",
    "certificate.revoke": "注销低保证/特困证", "enrollment.file_record": "退出备案",
    # exports and batch documents
    "export.cases": "导出救助案件", "export.cases.full": "导出救助案件（完整号码）",
    "export.households": "导出家庭", "export.households.full": "导出家庭（完整号码）",
    "export.enrollments": "导出在保对象", "export.enrollments.full": "导出在保对象（完整号码）",
    "export.download": "下载导出文件", "documents.batch": "批量生成告知书", "documents.batch_download": "下载批量告知书",
    # payroll
    "payroll.prepare": "生成发放批次", "payroll.approve": "审核发放批次", "payroll.export": "生成银行代发文件",
    "payroll.download": "下载银行代发文件", "payroll.reconcile": "银行回盘对账",
    "payroll.reminder": "发放提醒", "payroll.discard_incomplete": "清理未完成的发放批次",
}
FAMILIES = {
    "case.": {**CASE_ACTION_LABELS, "schedule": "安排复核"},
    "enrollment.": {kind: t.label for kind, t in ENROLLMENT_TRANSITIONS.items()},
}


def action_label(action: str) -> str:
    """The Chinese name of an audit action; the action itself when it is unknown (never empty)."""
    if action in LABELS:
        return LABELS[action]
    for prefix, labels in FAMILIES.items():
        if action.startswith(prefix) and action[len(prefix):] in labels:
            return labels[action[len(prefix):]]
    return action


def known_actions() -> list[tuple[str, str]]:
    """Every labelled action, sorted by action, for filters."""
    found = dict(LABELS)
    for prefix, labels in FAMILIES.items():
        found.update({prefix + k: v for k, v in labels.items()})
    return sorted(found.items())


SUBJECT_LABELS = {
    "alert": "预警", "api_token": "API 令牌", "audit_anchor": "审计锚点", "audit_chain": "审计链", "export": "导出", "backup": "备份", "calendar": "工作日历",
    "case": "案件", "credit_record": "失信记录", "recovery_item": "追回款项", "complaint": "投诉举报", "enrollment": "在保对象", "household": "家庭", "job": "后台任务", "keyring": "密钥",
    "lowincome_entry": "低收入人口", "monitor_scan": "监测扫描", "intake": "一门受理",
    "payroll_batch": "发放批次", "person": "人员",
    "referral": "转介", "region": "区划", "reserve_fund": "临时救助备用金",
    "reserve_replenishment": "补充备用金申请", "review_campaign": "年审", "snapshot": "部门数据快照",
    "standard_change": "标准调整", "user": "用户", "verification_request": "核对",
}
