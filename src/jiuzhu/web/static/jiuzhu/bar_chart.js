// Bar charts (ECharts, vendored; no map, no CDN): every <div data-bar-chart="ID"> is drawn from the
// json_script with that id: {categories, series: [{name, data}]}. data-stack stacks the series;
// data-colors is a comma-separated palette; data-all-labels shows every category label.
(function () {
  if (typeof echarts === "undefined") return;
  document.querySelectorAll("[data-bar-chart]").forEach(function (box) {
    var source = document.getElementById(box.getAttribute("data-bar-chart"));
    if (!source) return;
    var d = JSON.parse(source.textContent);
    var stack = box.getAttribute("data-stack") || undefined;
    var colors = (box.getAttribute("data-colors") || "#2f7d32,#0b5cad,#c0392b,#b7791f,#8a8f98").split(",");
    var chart = echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 20, bottom: 40, top: 40 },
      xAxis: { type: "category", data: d.categories,
               axisLabel: box.hasAttribute("data-all-labels") ? { interval: 0 } : {} },
      yAxis: { type: "value", minInterval: 1 },
      color: colors,
      series: d.series.map(function (s) { return { name: s.name, type: "bar", stack: stack, data: s.data }; })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
