"""The shared bar-chart script draws in a real browser (Chromium, the vendored ECharts, no server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "src" / "jiuzhu" / "web" / "static"
CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [pytest.mark.e2e,
              pytest.mark.usefixtures("needs_chromium")]  # skipped without chromium, failed under CI=true

PAGE = """<!doctype html><html><body>
<div id="plain" data-bar-chart="plain-data" style="width:600px;height:300px"></div>
<script id="plain-data" type="application/json">{plain}</script>
<div id="stacked" data-bar-chart="stacked-data" data-stack="outcome" data-all-labels style="width:600px;height:300px"></div>
<script id="stacked-data" type="application/json">{stacked}</script>
<script src="{echarts}"></script><script src="{script}"></script></body></html>"""


def test_plain_and_stacked_charts_render(tmp_path):
    from playwright.sync_api import sync_playwright

    plain = {"categories": ["千岛湖镇", "文昌镇"], "series": [{"name": "已完成", "data": [3, 1]},
                                                         {"name": "待办", "data": [2, 5]}]}
    stacked = {"categories": ["登记失业", "家庭成员死亡"], "series": [{"name": "待处置", "data": [4, 1]},
                                                              {"name": "落实政策", "data": [2, 0]}]}
    html = tmp_path / "chart.html"
    html.write_text(PAGE.format(plain=json.dumps(plain, ensure_ascii=False), stacked=json.dumps(stacked, ensure_ascii=False),
                                echarts=(STATIC / "vendor" / "echarts" / "echarts.min.js").as_uri(),
                                script=(STATIC / "jiuzhu" / "bar_chart.js").as_uri()), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(html.as_uri())
        for box in ("plain", "stacked"):
            page.wait_for_selector(f"#{box} svg")
            text = page.inner_html(f"#{box}")
            assert "path" in text
        assert "千岛湖镇" in page.inner_html("#plain") and "家庭成员死亡" in page.inner_html("#stacked")
        browser.close()
    assert errors == []
