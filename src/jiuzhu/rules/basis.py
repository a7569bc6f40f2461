"""The legal basis of each rule the evaluation cites, for people: the rule's subject and the
documents with their articles (from domain/national-rules.md), so the trace can show
“《社会救助暂行办法》第九条” behind a 依据 disclosure instead of a bare rule ID.

Also the Chinese names of the dated parameters and a cleaned-up form of their sources.
"""

from __future__ import annotations

import re

S1 = "《社会救助暂行办法》（国务院令第649号）"
S2 = "《最低生活保障审核确认办法》（民发〔2021〕57号）"
S3 = "《特困人员认定办法》（民发〔2021〕43号）"
S5 = "《刚性支出困难家庭认定办法》"
S6 = "中共中央办公厅、国务院办公厅《关于改革完善社会救助制度的意见》"
S7 = "民政部等《关于进一步做好最低生活保障等社会救助兜底工作的通知》（民发〔2022〕83号）"
S8 = "《关于加强低收入人口动态监测做好分层分类社会救助工作的意见》（国办发〔2023〕39号）"
S9 = "民政部、财政部《关于进一步加强和改进临时救助工作的意见》（民发〔2018〕23号）"
LOCAL = "本地政策参数（省、市、县文件）"

# rule ID → (what the rule says, [(document, article), …])
RULE_BASIS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "R-DB-01": ("低保条件：人均收入低于当地低保标准且财产符合规定", [(S1, "第九条"), (S6, "二")]),
    "R-DB-02": ("低保标准由省或设区的市人民政府确定、公布", [(S1, "第十条")]),
    "R-DB-03": ("低保金按家庭人均收入与低保标准的差额发给", [(S1, "第十二条"), (S2, "第二十三条")]),
    "R-DB-04": ("分类施保：对老年人、未成年人、重度残疾人、重病患者等增发", [(S1, "第十二条第二款"), (S2, "第二十七条")]),
    "R-HH-06": ("低保边缘家庭中的重病重残人员单人户施保", [(S2, "第八条")]),
    "R-INC-02": ("家庭收入的范围", [(S2, "第十三条第一款")]),
    "R-INC-03": ("不计入家庭收入的项目", [(S2, "第十三条第二款")]),
    "R-INC-04": ("就业成本等必要支出可以扣减", [(S2, "第十三条第三款"), (S6, "十一")]),
    "R-INC-09": ("收入计算期", [(S5, "第四条"), (LOCAL, "")]),
    "R-AST-04": ("家庭财产的范围", [(S2, "第十四条")]),
    "R-AST-05": ("家庭财产限额", [(S2, "第十四条"), (LOCAL, "")]),
    "R-DM-02": ("定期复核周期", [(S2, "第三十一条"), (S6, "七")]),
    "R-DM-04": ("就业后的渐退期", [(S2, "第三十三条"), (S6, "十一"), (S7, "一（三）")]),
    "R-DM-05": ("成员死亡后的复核", [(S7, "")]),
    "R-LI-02": ("低保边缘家庭认定", [(S8, "二"), (S2, "第八条第二款"), (S7, "一（四）")]),
    "R-LI-03": ("刚性支出困难家庭认定条件", [(S5, "第四条")]),
    "R-LI-04": ("刚性支出的项目", [(S5, "第五条")]),
    "R-LI-05": ("刚性支出困难家庭认定程序和有效期", [(S5, "第六条至第十一条")]),
    "R-TK-01": ("特困人员认定条件", [(S3, "第四条"), (S1, "第十四条")]),
    "R-TK-02": ("无劳动能力的认定", [(S3, "第五条")]),
    "R-TK-03": ("无生活来源的认定", [(S3, "第六条")]),
    "R-TK-04": ("法定义务人无履行义务能力的认定", [(S3, "第八条")]),
    "R-TK-13": ("特困人员救助供养标准", [(S1, "第十五条第二款")]),
    "R-TK-14": ("生活自理能力评估", [(S3, "第二十条至第二十三条")]),
    "R-TA-01": ("临时救助对象", [(S1, "第四十七条")]),
    "R-TA-02": ("急难型与支出型临时救助", [(S9, "二（一）"), (S6, "十五")]),
    "R-TA-03": ("临时救助程序、先行救助与审批权限", [(S1, "第四十八条"), (S9, "二（二）")]),
    "R-TA-05": ("临时救助标准", [(S1, "第四十九条"), (S9, "二（三）")]),
    "R-STD-01": ("救助标准的制定和调整", [(S1, "第十条"), (S6, "六")]),
}
PARAM_RULE = "PARAM"

PARAM_LABELS = {
    "dibao.standard.urban": "城市低保标准", "dibao.standard.rural": "农村低保标准",
    "dibao.method": "保障金计算方法", "dibao.rounding": "保障金取整单位",
    "dibao.special_addon_ratio": "分类施保加发比例", "dibao.per_capita_minimum": "人均最低保障金",
    "dibao.tiers.count": "分档档数", "income.employment_deduction_rate": "就业成本扣除比例",
    "income.employment_deduction_cap": "就业成本扣除上限", "assets.financial_months": "人均金融资产上限（标准的月数）",
    "assets.vehicle_value_limit": "机动车单辆价值上限", "assets.vehicle_count_limit": "机动车数量上限",
    "assets.residential_property_limit": "住房套数上限", "assets.business_capital_limit": "经营主体注册资本上限",
    "edge.multiplier": "低保边缘家庭收入线（标准的倍数）", "tekun.basic_multiplier": "特困基本生活标准（低保标准的倍数）",
    "rigid.expenditure_ratio": "刚性支出占家庭收入比例", "rigid.lookback_months": "刚性支出计算期（月）",
    "rigid.validity_months": "刚性支出困难家庭认定有效期（月）", "temporary.township_limit_multiple": "乡镇临时救助审批额度",
    "temporary.emergency_asset_test": "急难型临时救助财产审查",
}
_PARAM_PATTERNS = (
    (re.compile(r"^dibao\.tiers\.(\d+)\.upper_ratio$"), "第{0}档人均收入上限（标准的倍数）"),
    (re.compile(r"^dibao\.tiers\.(\d+)\.amount_ratio$"), "第{0}档保障比例"),
    (re.compile(r"^dibao\.township_avg_benefit_min\.(\w+)$"), "乡镇低保月人均补差下限（{0}）"),
    (re.compile(r"^graduation\.months\.(\w+)$"), "渐退期（月）：{0}"),
    (re.compile(r"^graduation\.income_max_multiple\.(\w+)$"), "渐退收入上限（标准的倍数）：{0}"),
    (re.compile(r"^rigid\.disposable_income\.(\w+)$"), "上年度居民人均可支配收入（{0}）"),
    (re.compile(r"^tekun\.care_ratio\.(\w+)$"), "特困照料护理标准比例（{0}）"),
    (re.compile(r"^temporary\.cap_multiple\.(\w+)$"), "临时救助上限（标准的倍数）：{0}"),
)
_WORDS = {"urban": "城市", "rural": "农村", "self_care": "具备生活自理能力", "partial": "部分丧失",
          "full": "完全丧失", "emergency": "急难型", "expenditure": "支出型"}
_UNVERIFIED_ENGLISH = re.compile(r"（demo value[^）]*）|\(demo value[^)]*\)| ?local default, unverified")


def rule_basis(rule: str) -> dict:
    """``{rule, subject, sources: ["《…》第九条", …]}`` for a rule ID (an unknown ID: no sources)."""
    subject, docs = RULE_BASIS.get(rule, ("", []))
    return {"rule": rule, "subject": subject, "sources": [f"{doc}{article}" for doc, article in docs]}


def param_label(key: str) -> str:
    if key in PARAM_LABELS:
        return PARAM_LABELS[key]
    for pattern, template in _PARAM_PATTERNS:
        m = pattern.match(key)
        if m:
            return template.format(*(_WORDS.get(g, g) for g in m.groups()))
    return key


def source_text(source: str) -> str:
    """A parameter's source note as people read it: the English gloss dropped, a reference policy named."""
    text = _UNVERIFIED_ENGLISH.sub("", source).strip()
    if text.startswith("reference policy"):
        return "参考政策（演示用，spec/reference-policy.md）"
    return text or "未注明出处"


_MEMBER = re.compile(r"成员 (\d+)")


def name_members(text: str, names: dict) -> str:
    """``成员 17`` (the trace names members by id) → the member's name where 17 is a known person id."""
    def sub(m):
        return names.get(int(m.group(1))) or m.group(0)
    return _MEMBER.sub(sub, text)


PARAM_SPLIT = "不得作为正式决定依据："


def plain_step(rule: str, step: str, names: dict) -> str:
    """A trace step for print: members by name; the 待核实 note without its list of parameter keys."""
    if rule == PARAM_RULE and PARAM_SPLIT in step:
        step = step.split(PARAM_SPLIT, 1)[0] + "不得作为正式决定依据"
    return name_members(step, names)


_TITLE = re.compile(r"([^；;，,：:（）()]*?)(《[^》]+》)")
_ARTICLE = re.compile(r"第[一二三四五六七八九十百零〇\d]+条(?:第[一二三四五六七八九十\d]+款)?")
_CITED = re.compile(r"[（(；;]出处：(.+?)）$")


def source_title(source: str) -> str:
    """A parameter's source as document title and article: ``杭州市民政局、杭州市财政局《关于调整…的通知》第一条``;
    a source naming no document (a demo value) as its cleaned note."""
    text = source_text(source)
    m = _TITLE.search(text)
    if m is None:
        return text
    article = _ARTICLE.search(text, m.end())
    near = article and article.start() - m.end() <= 40  # the article of that document, not a later one
    return f"{m.group(1).strip()}{m.group(2)}{article.group(0) if near and article else ''}"


def split_cited_source(step: str) -> tuple[str, str]:
    """(step without its trailing ``出处：…``, the source) — ("…", "") when the step cites none."""
    m = _CITED.search(step)
    if m is None:
        return step, ""
    head = step[:m.start()]
    return (head + "）" if "（" in head and not head.endswith("）") else head), m.group(1)
