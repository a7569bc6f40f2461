"""The pilot evaluation report (issue 17 §4): periods and their errors, figures equal to the monthly
statistics facts, the PDF for 2026 with SVG charts and Chinese text (extracted), the county's edited
text in both exports (audited draft), region scope (township and another county)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.stats.models import PilotReportDraft, StatFact
from jiuzhu.apps.stats.pilot_period import parse_period
from jiuzhu.apps.stats.pilot_report import build_report
from jiuzhu.apps.stats.pilot_report_export import pilot_report, pilot_report_export, pilot_report_save, report_xlsx
from jiuzhu.apps.stats.services import stats_compute
from jiuzhu.apps.stats.svg_chart import bar_chart_svg, nice_ticks
from jiuzhu.rules.errors import Forbidden, NotFound, ValidationFailed
from tests.apps.payments.conftest import user
from tests.apps.stats.conftest import DEC, NOV, NOW, stats_world  # noqa: F401  (fixture)
from tests.conftest import COUNTY

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(("raw", "span"), [
    ({"kind": "midterm", "year": "2026"}, (date(2026, 1, 1), date(2026, 6, 1))),
    ({"kind": "final", "year": "2026"}, (date(2026, 1, 1), date(2026, 12, 1))),  # capped at this month
    ({"kind": "dec20"}, (date(2026, 1, 1), date(2026, 11, 1))),
    ({"kind": "final", "year": "2025"}, (date(2025, 1, 1), date(2025, 12, 1))),
    ({"kind": "custom", "start": "2026-03", "end": "2026-05", "year": ""}, (date(2026, 3, 1), date(2026, 5, 1))),
])
def test_periods(raw, span):
    p = parse_period(raw, today=TODAY)
    assert (p.start, p.end) == span


@pytest.mark.parametrize(("raw", "field", "words"), [
    ({"kind": "quarterly"}, "kind", "报告类型"),
    ({}, "kind", "报告类型"),
    ({"kind": "custom", "start": "2026-09", "end": "2026-03"}, "end", "不能早于起始月份"),
    ({"kind": "custom", "start": "2026-13", "end": "2026-03"}, "start", "格式错误"),
    ({"kind": "custom", "end": "2026-03"}, "start", "起始月份"),
    ({"kind": "custom", "start": "2026-01", "end": "2027-01"}, "end", "晚于本月"),
    ({"kind": "final", "year": "2030"}, "year", "尚未开始"),
    ({"kind": "final", "year": "二〇二六"}, "year", "四位数字"),
    ({"kind": "final", "year": "1999"}, "year", "年度"),
])
def test_bad_periods_name_the_field_in_chinese(raw, field, words):
    with pytest.raises(ValidationFailed) as err:
        parse_period(raw, today=TODAY)
    assert err.value.details["field"] == field
    assert words in err.value.message


def test_svg_chart_escapes_labels_and_scales():
    svg = bar_chart_svg({"categories": ["<村>", "千岛湖镇"], "series": [{"name": "金额", "data": [Decimal("1234.5"), None]}]},
                        title="发放金额", stacked=True)
    assert svg.startswith("<svg") and "&lt;村&gt;" in svg and "<村>" not in svg and "千岛湖镇" in svg
    assert nice_ticks(1234.5)[-1] >= 1234.5 and nice_ticks(0) == [0.0, 1.0]
    assert "暂无数据" in bar_chart_svg({"categories": [], "series": []})


@pytest.fixture
def computed(stats_world):  # noqa: F811
    for month in (NOV, DEC):
        stats_compute(month=month, region_code=COUNTY, actor=stats_world.maker, now=NOW)
    return stats_world


def _fact_sum(metric, **where):
    return sum((f.value for f in StatFact.objects.filter(metric=metric, **where)), Decimal(0))


def test_figures_equal_the_statistics_facts(county_user, computed):
    report = build_report(actor=county_user, region=COUNTY, period=parse_period({"kind": "final"}, today=TODAY))
    fig = report.figures
    assert fig["paid_total"] == _fact_sum("paid.amount") and fig["paid_total"] > 0
    assert fig["paid_dibao"] == _fact_sum("paid.amount", program="dibao")
    assert fig["new"] == _fact_sum("enroll.new") and fig["stopped"] == _fact_sum("enroll.stopped") == 1
    assert fig["adjusted"] == _fact_sum("enroll.adjusted")
    assert fig["persons_end"] == _fact_sum("enrolled.persons", month=DEC) > 0  # a stock: the last month only
    assert fig["dibao_households"] == _fact_sum("enrolled.households", month=DEC, program="dibao")
    assert fig["tekun_persons"] == _fact_sum("enrolled.persons", month=DEC, program="tekun") == 1
    assert fig["centralized"] == 1
    assert fig["closed"] == _fact_sum("cases.closed", category="application")
    assert fig["measured"] == _fact_sum("cases.measured")
    per = (fig["paid_dibao"] / _fact_sum("paid.persons", program="dibao")).quantize(Decimal("0.01"))
    assert fig["per_capita_dibao"] == per
    funds = next(s for s in report.sections if s.key == "funds")
    towns = {r[0]: r for r in funds.panels[1].rows}
    assert set(towns) == {"千岛湖镇", "文昌镇"} or {"千岛湖镇", "文昌镇"} <= set(towns)
    assert towns["千岛湖镇"][4] == Decimal("490") and towns["千岛湖镇"][5] == Decimal("355")  # the county's floors
    assert f"{fig['paid_total']}" in next(s for s in report.sections if s.key == "funds").text
    assert report.missing == [f"2026-{m:02d}" for m in range(1, 11)]  # only November and December were computed
    assert [s.title for s in report.sections] == ["一、进展情况", "二、受益人群", "三、资金使用", "四、办理效率", "五、实施效果"]


def test_pdf_and_xlsx_carry_charts_and_the_edited_text(county_user, computed):
    raw = {"kind": "final", "year": "2026"}
    texts = {"progress": "试点以来审核确认权下放到乡镇，办理明显提速。", "effect": "=HYPERLINK(\"http://x\")"}
    draft = pilot_report_save(actor=county_user, raw=raw, texts=texts, now=NOW, today=TODAY)
    assert draft.texts == texts
    event = AuditEvent.objects.get(action="stats.pilot_report_save")
    assert event.details["changed"] == ["effect", "progress"]
    report, loaded = pilot_report(actor=county_user, raw=raw, today=TODAY)
    assert loaded == draft
    sections = {s.key: s for s in report.sections}
    assert sections["progress"].text == texts["progress"]
    assert sections["funds"].text == sections["funds"].generated  # not edited: the generated sentence
    pdf = pilot_report_export(actor=county_user, report=report, fmt="pdf", now=NOW, today=TODAY)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")
    for words in ("社会救助试点工作总结报告", "一、进展情况", "五、实施效果", "审核确认权下放到乡镇",
                  "新增和停保（按月）", "发放金额（元，按月）", "千岛湖镇", "核对率（%，按乡镇）"):
        assert words.replace(" ", "") in text.replace(" ", ""), words
    book = CalamineWorkbook.from_filelike(io.BytesIO(report_xlsx(report)))
    assert book.sheet_names[0] == "报告正文" and len(book.sheet_names) == 1 + len(report.panels)
    cells = book.get_sheet_by_name("报告正文").to_python()
    assert ["五、实施效果", texts["effect"]] in [row[:2] for row in cells]  # text, never a formula
    assert AuditEvent.objects.filter(action="stats.pilot_report_export").count() == 1
    with pytest.raises(ValidationFailed) as err:
        pilot_report_export(actor=county_user, report=report, fmt="docx", now=NOW, today=TODAY)
    assert err.value.details["field"] == "format"


def test_bad_text_is_refused_and_nothing_saved(county_user, computed):
    with pytest.raises(ValidationFailed) as err:
        pilot_report_save(actor=county_user, raw={"kind": "final"}, texts={"funds": "字" * 3001}, now=NOW, today=TODAY)
    assert err.value.details["field"] == "funds" and "资金使用" in err.value.message
    with pytest.raises(ValidationFailed) as err:
        pilot_report_save(actor=county_user, raw={"kind": "custom", "start": "2026-05", "end": "2026-02"},
                          texts={}, now=NOW, today=TODAY)
    assert err.value.details["field"] == "end"
    assert not PilotReportDraft.objects.exists()


def test_scope_township_and_another_county(county_user, caseworker, inspector, regions, computed):
    with pytest.raises(Forbidden):
        pilot_report(actor=caseworker, raw={"kind": "final"}, today=TODAY)
    with pytest.raises(Forbidden):  # the inspector reads, only county staff edit
        pilot_report_save(actor=inspector, raw={"kind": "final"}, texts={}, now=NOW, today=TODAY)
    city = Region.objects.get(code=COUNTY).parent
    Region.objects.create(code="330122000000", name="桐庐县", level=3, parent=city)
    other = user("tonglu_county", "county_staff", "330122000000", "桐庐县民政")
    report, _draft = pilot_report(actor=other, raw={"kind": "final"}, today=TODAY)
    assert report.towns == [] and report.figures["paid_total"] == 0 and report.figures["persons_end"] == 0
    with pytest.raises(NotFound):
        pilot_report(actor=other, raw={"kind": "final"}, today=TODAY, region=COUNTY)
    pilot_report_save(actor=county_user, raw={"kind": "final"}, texts={"progress": "淳安县的正文"}, now=NOW, today=TODAY)
    report, draft = pilot_report(actor=other, raw={"kind": "final"}, today=TODAY)
    assert draft is None and "淳安县的正文" not in report.sections[0].text
