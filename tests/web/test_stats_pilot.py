"""The pilot evaluation report page (/dashboard/pilot-report/): sections with SVG charts and the
editable texts, saving a draft, the exports, bad input under its field, scope."""

from __future__ import annotations

import io
import re

import pytest
from python_calamine import CalamineWorkbook

from jiuzhu.apps.stats.models import PilotReportDraft
from tests.apps.stats.conftest import stats_world  # noqa: F401  (fixture)
from tests.apps.stats.test_pilot_report import computed  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
URL = "/dashboard/pilot-report/"


def test_county_edits_saves_and_exports(client, county_user, computed):  # noqa: F811
    client.force_login(county_user)
    html = client.get(URL).content.decode()
    for key in ("progress", "beneficiaries", "funds", "efficiency", "effect"):
        assert f'id="section-{key}"' in html and f'name="text_{key}"' in html
    assert html.count("<svg") >= 8 and "淳安县社会救助试点工作总结报告（2026年1月至2026年12月）" in html
    assert re.search(r'<textarea id="id_text_funds"[^>]*>2026年1月至2026年12月共发放救助金 \d', html)
    assert 'id="pilot-report"' in client.get("/dashboard/").content.decode()
    response = client.post(URL, {"kind": "final", "year": "2026", "text_progress": "审核确认权下放后办理提速。",
                                 "text_funds": ""})
    assert response.status_code == 302 and "kind=final" in response["Location"]
    assert PilotReportDraft.objects.get().texts == {"progress": "审核确认权下放后办理提速。"}
    page = client.get(response["Location"]).content.decode()
    assert "审核确认权下放后办理提速。</textarea>" in page and "已保存报告草稿" in page
    xlsx = client.get(URL, {"kind": "final", "year": "2026", "format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_name("报告正文").to_python()
    assert ["一、进展情况", "审核确认权下放后办理提速。"] in [r[:2] for r in rows]


@pytest.mark.parametrize(("query", "field", "words"), [
    ({"kind": "quarterly"}, "kind", "报告类型"),
    ({"kind": "custom", "start": "2026-09", "end": "2026-03"}, "end", "不能早于起始月份"),
    ({"kind": "custom", "start": "2026-9"}, "start", "格式错误"),
    ({"kind": "final", "year": "20x6"}, "year", "年度"),
    ({"kind": "final", "format": "docx"}, "format", "导出格式"),
])
def test_bad_input_is_shown_under_its_field(client, county_user, regions, query, field, words):
    client.force_login(county_user)
    response = client.get(URL, query)
    assert response.status_code == 422
    error = re.search(rf'id="err-{field}" role="alert">([^<]*)<', response.content.decode()).group(1)
    assert words in error


def test_bad_text_keeps_what_was_typed_and_saves_nothing(client, county_user, computed):  # noqa: F811
    client.force_login(county_user)
    response = client.post(URL, {"kind": "final", "text_effect": "效" * 3001, "text_progress": "保留我"})
    html = response.content.decode()
    assert response.status_code == 422 and 'id="err-effect"' in html and "实施效果" in html
    assert "保留我</textarea>" in html and not PilotReportDraft.objects.exists()


def test_scope(client, caseworker, village_user, inspector, regions):
    for who in (caseworker, village_user):
        client.force_login(who)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"kind": "final", "text_progress": "x"}).status_code == 403
    client.force_login(caseworker)
    assert 'id="pilot-report"' not in client.get("/dashboard/").content.decode()
    client.force_login(inspector)
    html = client.get(URL).content.decode()
    assert "保存草稿</button>" not in html and "readonly" in html
    assert client.post(URL, {"kind": "final", "text_progress": "x"}).status_code == 403
    assert not PilotReportDraft.objects.exists()
