// 年审进度：各乡镇柱状图 (ECharts, vendored). Data comes from the json_script next to the chart.
(function () {
  var box = document.getElementById("township-chart");
  var data = document.getElementById("township-chart-data");
  if (!box || !data || typeof echarts === "undefined") return;
  var d = JSON.parse(data.textContent);
  var chart = echarts.init(box, null, { renderer: "svg" });
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 20, bottom: 30, top: 40 },
    xAxis: { type: "category", data: d.categories },
    yAxis: { type: "value", minInterval: 1 },
    color: ["#2f7d32", "#0b5cad", "#c0392b", "#8a8f98"],
    series: d.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
