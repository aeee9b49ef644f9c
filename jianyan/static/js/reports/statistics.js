/* The statistics page's charts (ECharts). The figures come from the page in a json_script element
   (#stats-charts), never from inline script; every chart also has its numbers in the tables below it. */
(function () {
  "use strict";
  var palette = ["#9b1c1c", "#1c4f8a", "#1d6b35", "#b7791f", "#6b46c1", "#2c7a7b", "#c05621"];
  var grid = { left: 8, right: 16, top: 30, bottom: 40, containLabel: true };

  var options = {
    trend: function (d) {
      return {
        color: palette, tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: grid,
        xAxis: { type: "category", data: d.years },
        yAxis: [{ type: "value", minInterval: 1, name: "件" },
                { type: "value", min: 0, max: 100, name: "%", splitLine: { show: false } }],
        series: [
          { name: "收到", type: "bar", data: d.received },
          { name: "立案", type: "bar", data: d.registered },
          { name: "办结", type: "bar", data: d.closed },
          { name: "办结率", type: "line", yAxisIndex: 1, data: d.completion }
        ]
      };
    },
    themes: function (d) {
      return {
        color: palette, tooltip: { trigger: "axis", axisPointer: { type: "shadow" } }, legend: { bottom: 0 }, grid: grid,
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: d.names, inverse: true, axisLabel: { width: 90, overflow: "truncate" } },
        series: [{ name: "立案", type: "bar", data: d.registered }, { name: "已答复", type: "bar", data: d.replied }]
      };
    },
    units: function (d) {
      return {
        color: palette, tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v + "%"; } },
        legend: { bottom: 0 }, grid: grid,
        xAxis: { type: "value", min: 0, max: 100 },
        yAxis: { type: "category", data: d.names, inverse: true, axisLabel: { width: 90, overflow: "truncate" } },
        series: [{ name: "按期办复率", type: "bar", data: d.on_time }, { name: "满意率", type: "bar", data: d.satisfaction }]
      };
    },
    sectors: function (d) {
      return {
        color: palette, tooltip: { trigger: "item", formatter: "{b}：{c} 件（{d}%）" }, legend: { bottom: 0, type: "scroll" },
        series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], data: d, label: { formatter: "{b}\n{c}" } }]
      };
    }
  };

  function draw() {
    var source = document.getElementById("stats-charts");
    if (!window.echarts || !source) return;
    var data = JSON.parse(source.textContent);
    var charts = [];
    Array.prototype.forEach.call(document.querySelectorAll("[data-stats-chart]"), function (el) {
      var name = el.getAttribute("data-stats-chart");
      if (!options[name] || !data[name]) return;
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(options[name](data[name]));
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
