// 监测预警：按预警类型和处置方式的堆叠柱状图 (ECharts, vendored; no map). Data from the json_script beside it.
(function () {
  var box = document.getElementById("alert-chart");
  var data = document.getElementById("alert-chart-data");
  if (!box || !data || typeof echarts === "undefined") return;
  var d = JSON.parse(data.textContent);
  var chart = echarts.init(box, null, { renderer: "svg" });
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 20, bottom: 40, top: 40 },
    xAxis: { type: "category", data: d.categories, axisLabel: { interval: 0 } },
    yAxis: { type: "value", minInterval: 1 },
    color: ["#c0392b", "#2f7d32", "#0b5cad", "#b7791f", "#8a8f98"],
    series: d.series.map(function (s) { return { name: s.name, type: "bar", stack: "outcome", data: s.data }; })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
