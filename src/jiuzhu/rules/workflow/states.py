"""State and action labels users see (zh-hans). Names are the contract of workflow.md."""

STATE_LABELS = {
    "submitted": "已提交",
    "verifying": "核对中",
    "verified": "已核对",
    "awaiting_materials": "待补正",
    "accepted": "已受理",
    "surveyed": "已入户调查",
    "reviewed": "已初审",
    "in_notice": "公示中",
    "disputed": "有异议",
    "awaiting_confirmation": "待审核确认",
    "approved": "已批准",
    "rejected": "不予批准",
    "closed_ineligible": "核对不符·已告知",
    "not_accepted": "不予受理",
    "withdrawn": "撤回",
    "terminated": "终止审核",
    # Rechecks (复核, R-DM-02): verifying / verified / surveyed are shared with applications.
    "scheduled": "待复核",
    "proposed": "已提出复核意见",
    "rechecked": "已复核",
    "cancelled": "已取消复核",
    # 特困 termination procedure on a recheck (R-TK-16): 7-day notice, objections investigated.
    "termination_notice": "拟终止公示中",
    "termination_disputed": "拟终止公示有异议",
    # 临时救助 (issue 14, rules/workflow/temporary.py)
    "advance_paid": "已先行救助·待补办",
    "county_review": "待县级审批",
    "council": "待一事一议",
    "paying": "发放中",
}

CLOSED_STATES = frozenset({"approved", "rejected", "closed_ineligible", "not_accepted", "withdrawn", "terminated",
                           "rechecked", "cancelled"})
OPEN_STATES = frozenset(STATE_LABELS) - CLOSED_STATES

ACTION_LABELS = {
    "submit": "提交申请",
    "record_id_authorization": "登记一证一书",
    "request_verification": "提请核对",
    "record_verification": "录入核对报告",
    "notify_ineligible": "告知核对不符",
    "object": "申请人对核对结果提出异议",
    "request_materials": "一次性告知补正材料",
    "accept": "受理",
    "refuse_acceptance": "不予受理",
    "record_survey": "录入入户调查",
    "initial_review": "提出初审意见",
    "publish_notice": "发布初审公示",
    "record_objection": "登记公示异议",
    "hold_appraisal": "组织民主评议",
    "reinvestigate": "重新调查核实",
    "close_notice": "公示期满",
    "forward_denial": "报送审核确认(拟不予批准)",
    "record_spot_check": "县级抽查入户",
    "confirm": "审核确认(批准)",
    "reject": "不予批准",
    "deliver_denial": "送达不予批准决定书",
    "file_record": "报县备案",
    "withdraw": "撤回申请",
    "terminate": "终止审核",
    "extend": "延长办理时限",
    "schedule": "安排复核",
    "recheck_review": "提出复核意见",
    "decide": "作出复核决定",
    "cancel": "取消复核",
    "start_termination_notice": "发布拟终止特困供养公示",
    # 年审 plan 三(2)二、五 (optional per region)
    "record_application_objection": "登记申请情况公示异议",
    "hold_hearing": "录入民主听证",
    # 临时救助 (issue 14)
    "ta_pay_advance": "先行救助发放",
    "ta_complete_follow_up": "补办完成",
    "ta_accept": "受理临时救助申请",
    "ta_record_verification": "录入核对结果",
    "ta_record_survey": "录入入户调查",
    "ta_publish_notice": "公示(或登记免于公示)",
    "ta_approve": "乡镇审批(批准)",
    "ta_refer_county": "报县级审批",
    "ta_county_approve": "县级审批(批准)",
    "ta_refer_council": "提交一事一议",
    "ta_council_approve": "一事一议批准",
    "ta_reject": "不予救助",
    "ta_pay": "发放救助(分阶段)",
    "ta_close_payments": "发放完毕办结",
    # 低收入和支出型贫困家庭认定 (年审 plan 四(三), rules/workflow/lowincome.py)
    "assess_lowincome": "提出认定意见",
    "recognize": "作出认定(低收入家庭)",
}

STEP_LABELS = {
    "request_verification": "提请核对",
    "verification_report": "核对报告",
    "acceptance": "受理或告知",
    "survey": "入户调查",
    "initial_review": "初审意见",
    "initial_opinion": "调查及初审意见",
    "publish_notice": "发布公示",
    "notice_period": "公示期",
    "appraisal": "民主评议或复核",
    "confirmation": "审核确认",
    "denial_letter": "出具不予批准决定书",
    "county_filing": "报县备案",
    "overall": "总办理时限",
    "recheck": "复核办结期限",
    "objection_handling": "异议调查核实及决定",
    "follow_up": "先行救助后补办核对、调查、公示",
    "ta_county": "县级审批",
}

PROGRAM_LABELS = {"dibao": "最低生活保障", "tekun": "特困人员救助供养", "temporary": "临时救助",
                  "lowinc": "低收入和支出型贫困家庭认定"}

# Reasons for which the overall limit may be extended (R-WF-10: 特殊情况).
EXTEND_REASONS = {
    "complex_household": "家庭情况复杂，需进一步调查核实",
    "objection_reinvestigation": "公示有异议，需重新调查或民主评议",
    "cross_region_verification": "需跨地区核对经济状况",
    "force_majeure": "不可抗力等特殊情况",
}

# Reasons for terminating the review (R-WF-15).
TERMINATE_REASONS = {
    "refused_cooperation": "申请人无正当理由拒绝配合入户调查或核对",
    "false_information": "申请人隐瞒或虚报家庭经济状况",
    "applicant_deceased": "申请人死亡",
    "moved_away": "申请人户籍或居住地迁出本辖区",
}

# Case kinds: an application (申请审核确认) or a recheck of an enrollment (复核, R-DM-02/05).
KIND_LABELS = {"application": "申请", "recheck": "复核", "emergency": "急难型", "expenditure": "支出型"}

# What a recheck decides (R-DM-02/03/04): keep, change the amount or class, stop, or 渐退.
RECHECK_OUTCOMES = {
    "continue": "继续保障（不变）",
    "adjust": "调整保障金或分类",
    "stop": "停止保障",
    "graduate": "渐退（期满停发）",
}

# Graduation reason codes (rules/graduation.py; the period per reason is the region's parameter).
GRADUATION_REASONS = {
    "employment_income": "就业使家庭人均收入超过标准",
    "pension_1_2x": "已领取养老保险金，人均收入在标准1至2倍",
    "graduate_employment": "家庭成员高中或大学毕业后就业",
    "difficult_employment": "就业困难家庭经推荐就业且稳定",
    "disabled_employment": "残疾对象经推荐就业且稳定",
    "epidemic": "受疫情影响",
}

# 特困 termination grounds (R-TK-15, 《特困人员认定办法》第二十四条).
TEKUN_TERMINATION_GROUNDS = {
    "deceased": "死亡、被宣告失踪或者被宣告死亡",
    "labour_capacity": "具备或者恢复劳动能力",
    "imprisoned": "依法被判处刑罚，且在监狱服刑",
    "income_assets": "收入和财产状况不再符合特困人员认定条件",
    "obligor_able": "法定义务人具有了履行义务能力或者新增具有履行义务能力的法定义务人",
    "voluntary": "自愿申请退出特困人员救助供养",
}
# Who reported the change to the township (R-TK-16, 《特困人员认定办法》第二十五条).
TERMINATION_REPORTERS = {
    "caregiver": "照料服务人",
    "care_institution": "供养服务机构",
    "village_committee": "村(居)民委员会",
    "township": "乡镇人民政府(街道办事处)核查发现",
}
# Where the proposed termination is publicized (R-TK-16: in the village or the institution).
TERMINATION_NOTICE_PLACES = {"residence_village": "所在村(社区)", "care_institution_site": "供养服务机构"}
# The conclusion of a 民主听证 (年审 plan 三(2)五: 形成结论).
HEARING_CONCLUSIONS = {"eligible": "符合救助条件", "ineligible": "不符合救助条件",
                       "further_investigation": "需进一步调查核实"}
# How a re-investigation answered the objection.
OBJECTION_CONCLUSIONS = {"founded": "异议成立", "unfounded": "异议不成立"}
# The referral a termination decision suggests (R-TK-16, 《特困人员认定办法》第二十七条).
REFERRAL_ROUTES = {"dibao": "最低生活保障", "temporary": "临时救助"}
