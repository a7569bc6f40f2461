"""Realistic filled contexts for tests, previews and the demo (see ``contexts.sample_context``).

Place: 淳安县千岛湖镇珍珠半岛村 (the demo county's township A). Amounts are illustrative, not policy.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from . import contexts as c
from .kinds import kind_get

COUNTY, TOWNSHIP, VILLAGE = "淳安县", "千岛湖镇", "珍珠半岛村"
TOWNSHIP_GOV = f"{TOWNSHIP}人民政府"
REMEDY = c.Remedy(reconsideration_body=f"{COUNTY}人民政府", litigation_court=f"{COUNTY}人民法院")


def _dibao_household() -> c.Household:
    return c.Household(
        head_name="张建国",
        address=f"{COUNTY}{TOWNSHIP}{VILLAGE}12号",
        area_type="农村",
        phone_masked="139****1234",
        members=(
            c.Member("张建国", "户主", "330127********1236", 61, "男", "慢性病（高血压）", "", "部分丧失劳动能力",
                     (c.IncomeItem("工资性收入（零工）", D("1500.00")),)),
            c.Member("李秀英", "配偶", "330127********2845", 59, "女", "重病（乳腺癌术后）", "", "完全丧失劳动能力",
                     (c.IncomeItem("经营净收入（务农）", D("600.00")),)),
            c.Member("张小军", "子女", "330127********0411", 16, "男", "健康", "", "无劳动能力（在校学生）"),
            c.Member("王桂兰", "母亲", "330127********3029", 88, "女", "慢性病", "肢体残疾二级", "完全丧失劳动能力",
                     (c.IncomeItem("转移净收入（基础养老金）", D("365.50")),)),
        ),
    )


def _tekun_household() -> c.Household:
    return c.Household(
        head_name="王德福",
        address=f"{COUNTY}{TOWNSHIP}{VILLAGE}37号",
        area_type="农村",
        phone_masked="",
        members=(
            c.Member("王德福", "户主", "330127********1517", 78, "男", "慢性病（慢阻肺）", "视力残疾三级", "完全丧失劳动能力",
                     (c.IncomeItem("转移净收入（基础养老金）", D("365.50")),)),
        ),
    )


def _declaration(program: str) -> c.Declaration:
    if program == "tekun":
        return c.Declaration(D("365.50"), D("365.50"), D("3200.00"), housing="自有砖木结构平房1间，约30平方米",
                             assets=(c.AssetItem("存款", "农商银行活期存款", D("3200.00")),))
    return c.Declaration(
        monthly_income_total=D("2465.50"),
        monthly_income_per_capita=D("616.38"),
        financial_assets_total=D("12000.00"),
        housing="自建砖混结构住房1处，约90平方米，唯一住房",
        assets=(c.AssetItem("存款", "农商银行定期存款", D("12000.00")),
                c.AssetItem("机动车辆", "无", None),
                c.AssetItem("房产", "自建住房1处（唯一住房）", None)),
        obligors=(c.Obligor("张丽", "女儿（已出嫁）", "330127********2340", "杭州市萧山区", D("200.00")),),
    )


def _verification(program: str) -> c.Verification:
    name = "王德福" if program == "tekun" else "张建国"
    return c.Verification(
        report_number="淳民核〔2026〕第0388号",
        report_date=date(2026, 11, 6),
        conclusion="经核对，申请家庭收入和财产状况与申报基本一致，符合申请条件。",
        rows=(
            c.VerificationRow(name, "县人力社保局", "基础养老金", D("365.50") if program == "tekun" else None,
                              date(2026, 10, 31)),
            c.VerificationRow(name, "人民银行（金融机构）", "银行存款余额", D("3200.00") if program == "tekun"
                              else D("12000.00"), date(2026, 10, 31)),
            c.VerificationRow(name, "县公安局", "机动车辆登记", None, date(2026, 11, 3)),
            c.VerificationRow(name, "县自然资源和规划局", "不动产登记", None, date(2026, 11, 4)),
        ),
    )


def _survey(program: str) -> c.Survey:
    self_care = None
    if program == "tekun":
        self_care = c.SelfCare(
            activities=(("进食", True), ("穿衣", False), ("上下床", True), ("如厕", True),
                        ("室内行走", True), ("洗澡", False)),
            level="部分丧失生活自理能力",
        )
        findings = "本人无劳动能力、无生活来源，无法定赡养、抚养、扶养义务人，符合特困人员认定条件。"
        living = "独居，房屋陈旧，家中无大件电器，日常由邻居帮助购物。"
    else:
        findings = "家庭收入主要来源于零工和务农，配偶患重病长期治疗，实际生活困难，与申报情况一致。"
        living = "住房简陋，家用电器仅电视机、冰箱各1台，无机动车辆，子女在读高中。"
    return c.Survey(
        survey_date=date(2026, 11, 10),
        investigators=("陈志明（镇经办人）", "刘小芳（村协理员）"),
        living_conditions=living,
        findings=findings,
        neighbours="走访邻居2户，反映情况属实。",
        self_care=self_care,
    )


def _amount(program: str) -> D:
    return D("1860.00") if program == "tekun" else D("2334.50")


def _review(program: str) -> c.Review:
    if program == "tekun":
        trace = (c.TraceLine("R-TK-01", "无劳动能力、无生活来源、无义务人", "符合"),
                 c.TraceLine("R-TK-04", "基本生活标准（低保标准×1.3）", "1,560.00 元"),
                 c.TraceLine("R-TK-06", "照料护理标准（部分丧失生活自理能力）", "300.00 元"),
                 c.TraceLine("R-TK-07", "月供养金额", "1,860.00 元"))
        cls = ""
    else:
        trace = (c.TraceLine("R-DB-03", "家庭月人均收入 2,465.50 ÷ 4", "616.38 元"),
                 c.TraceLine("R-DB-03", "低保标准（2026年）", "1,200.00 元"),
                 c.TraceLine("R-DB-05", "人均金融资产 3,000.00 元 ≤ 限额", "符合"),
                 c.TraceLine("R-DB-07", "补差：1,200.00 × 4 − 2,465.50", "2,334.50 元"),
                 c.TraceLine("R-DB-09", "分类施保", "B类"))
        cls = "B"
    return c.Review("grant", cls, _amount(program), trace,
                    "经核对、入户调查，符合条件，拟纳入保障范围。", "陈志明", date(2026, 11, 12))


def _header(kind: str, program: str, doc_date: date) -> c.Header:
    return c.Header(COUNTY, TOWNSHIP, VILLAGE, "JZ-330127100-2026-00042", program, doc_date)


def _notice(program: str, long_term: bool) -> c.Notice:
    head = "王德福" if program == "tekun" else "张建国"
    size = 1 if program == "tekun" else 4
    rows = (c.NoticeRow(head, size, _amount(program)),
            c.NoticeRow("何美华", 2, D("980.00")),
            c.NoticeRow("徐长根", 1, D("1200.00")))
    if long_term:
        return c.Notice(date(2026, 11, 27), None, "0571-65012345", rows, TOWNSHIP_GOV)
    return c.Notice(date(2026, 11, 13), date(2026, 11, 19), "0571-65012345", rows, TOWNSHIP_GOV)


def sample_build(kind: str, program: str = "dibao"):
    code = kind_get(kind).code
    hh = _tekun_household() if program == "tekun" else _dibao_household()
    decl = _declaration(program)
    if code == "authorization":
        return c.AuthorizationContext(_header(code, program, date(2026, 11, 2)), hh, f"{COUNTY}民政局")
    if code == "economic_info":
        return c.EconomicInfoContext(_header(code, program, date(2026, 11, 2)), hh, decl)
    if code == "application":
        reason = ("本人患慢性病，配偶患重病长期治疗，母亲年迈且残疾，儿子在读，家庭收入低、医疗支出大，"
                  "生活困难，特申请最低生活保障。") if program == "dibao" else "本人年老体弱，无劳动能力，无生活来源，无子女，特申请特困人员救助供养。"
        return c.ApplicationContext(_header(code, program, date(2026, 11, 7)), hh, decl, reason,
                                    date(2026, 11, 7), agent_name="刘小芳（村协理员）")
    if code == "survey":
        return c.SurveyContext(_header(code, program, date(2026, 11, 10)), hh, decl, _survey(program),
                               _verification(program))
    if code == "confirmation_form":
        conf = c.Confirmation(
            meeting_date=date(2026, 11, 24),
            members_present=("周国平（组长）", "吴晓燕", "郑立新", "孙建华（纪检）"),
            opinion="申请材料齐全，公示无异议，经集体研究，同意纳入。",
            decision="approve", monthly_amount=_amount(program), start_month=date(2026, 12, 1),
            support_mode="分散供养" if program == "tekun" else "",
            certificate_number="千岛湖镇低保证第2026-0153号",
        )
        return c.ConfirmationFormContext(_header(code, program, date(2026, 11, 24)), hh, decl,
                                         _verification(program), _survey(program), _review(program),
                                         None, conf)
    if code == "initial_notice":
        return c.InitialNoticeContext(_header(code, program, date(2026, 11, 13)), _notice(program, False))
    if code == "denial_letter":
        denial = c.Denial(
            letter_number="千民救不字〔2026〕第7号",
            application_date=date(2026, 11, 7),
            reasons=("经家庭经济状况核对，你家共同生活家庭成员名下存款合计 86,500.00 元，"
                     "人均金融资产超过规定限额；",
                     "家庭成员张小强名下登记有小型轿车1辆（非营运）。"),
            legal_basis="《社会救助暂行办法》第九条、《最低生活保障审核确认办法》（民发〔2021〕57号）第十四条",
            issuer=TOWNSHIP_GOV,
            remedy=REMEDY,
        )
        return c.DenialLetterContext(_header(code, program, date(2026, 11, 26)), hh, denial)
    if code == "confirmation_notice":
        return c.ConfirmationNoticeContext(_header(code, program, date(2026, 11, 27)), _notice(program, True))
    if code == "adjustment_notice":
        adj = c.Adjustment(
            notice_number="千民救调字〔2026〕第12号",
            action="decrease",
            old_amount=_amount(program),
            new_amount=_amount(program) - D("600.00"),
            effective_month=date(2027, 1, 1),
            reason="经年度复核，家庭成员张小军已就业，月工资收入增加。",
            legal_ground="《最低生活保障审核确认办法》（民发〔2021〕57号）第三十二条、第三十三条",
            issuer=TOWNSHIP_GOV,
            remedy=REMEDY,
        )
        return c.AdjustmentNoticeContext(_header(code, program, date(2026, 12, 20)), hh, adj)
    return _notice_sample(code, program, hh)


def _notice_sample(code: str, program: str, hh: c.Household):
    """The written notices of a step (年审 plan 三(2)一; 审核确认权下放 plan 二(二)1–2)."""
    applied = date(2026, 11, 2)
    if code == "acceptance_notice":
        return c.AcceptanceNoticeContext(_header(code, program, date(2026, 11, 7)), hh, "千民救受字〔2026〕第42号",
                                         applied, date(2026, 11, 7), date(2026, 11, 12), date(2026, 11, 30),
                                         TOWNSHIP_GOV, "0571-65012345")
    if code == "non_acceptance_notice":
        return c.NonAcceptanceNoticeContext(_header(code, program, date(2026, 11, 7)), hh, "千民救不受字〔2026〕第3号",
                                            applied, ("申请人户籍不在本乡镇，且未提出人户分离例外申请。",), TOWNSHIP_GOV,
                                            REMEDY)
    if code == "ineligible_notice":
        return c.IneligibleNoticeContext(_header(code, program, date(2026, 11, 6)), hh, "千民救核字〔2026〕第5号",
                                         applied, "HDJZ-2026-00042", date(2026, 11, 5),
                                         "家庭成员名下存款合计 86,500.00 元，人均金融资产超过规定限额。", TOWNSHIP_GOV)
    if code == "materials_notice":
        return c.MaterialsNoticeContext(_header(code, program, date(2026, 11, 6)), hh, "千民救补字〔2026〕第8号",
                                        applied, ("配偶李秀英的重病诊断证明", "张小军的在校就读证明"), TOWNSHIP_GOV,
                                        "0571-65012345")
    raise AssertionError(code)  # unreachable: kind_get validated the code
