"""The legal basis shown behind 依据: every rule the trace cites has documents and articles; sources
are shown as document title and article; members by name."""

import re
from pathlib import Path

import jiuzhu.rules
from jiuzhu.rules.basis import name_members, param_label, plain_step, rule_basis, source_title, split_cited_source

RULES = Path(jiuzhu.rules.__file__).parent


def test_every_rule_cited_in_a_trace_has_a_basis():
    cited = set()
    for path in RULES.glob("*.py"):
        cited |= set(re.findall(r'trace\.add\(\s*"(R-[A-Z]+-\d+)"', path.read_text(encoding="utf-8")))
    assert len(cited) > 20
    missing = sorted(r for r in cited if not rule_basis(r)["sources"])
    assert not missing, f"rules without a basis in rules/basis.py: {missing}"
    assert rule_basis("R-DB-01")["sources"][0] == "《社会救助暂行办法》（国务院令第649号）第九条"


def test_source_title_keeps_issuer_title_and_article():
    src = ("杭州市民政局、杭州市财政局《关于调整最低生活保障等社会救助标准的通知》（2024-12-24发布，自2025-01-23起施行）"
           "第一条：最低生活保障标准由每人每月1259元调整为每人每月1301元；据转载 https://example.org")
    assert source_title(src) == "杭州市民政局、杭州市财政局《关于调整最低生活保障等社会救助标准的通知》第一条"
    assert source_title("reference policy (spec/reference-policy.md §1)") == "参考政策（演示用，spec/reference-policy.md）"
    assert source_title("示例值，待核实（demo value, unverified）") == "示例值，待核实"


def test_split_cited_source_and_plain_step():
    assert split_cited_source("基本生活标准（本地公布金额；出处：某《办法》第二条）") == ("基本生活标准（本地公布金额）", "某《办法》第二条")
    assert split_cited_source("人均收入 100.00") == ("人均收入 100.00", "")
    assert name_members("成员 7 计算收入；成员 8", {7: "张三"}) == "张三 计算收入；成员 8"
    step = "注意：政策 p 中以下 2 项参数为示例值，待核实，不得作为正式决定依据：a.b、c.d"
    assert plain_step("PARAM", step, {}) == "注意：政策 p 中以下 2 项参数为示例值，待核实，不得作为正式决定依据"


def test_param_labels():
    assert param_label("dibao.tiers.3.upper_ratio") == "第3档人均收入上限（标准的倍数）"
    assert param_label("rigid.disposable_income.urban") == "上年度居民人均可支配收入（城市）"
    assert param_label("unknown.key") == "unknown.key"
