/* 建言 Jianyan: the little behaviour the pages need on top of plain forms and htmx.
   Every page works without it; it adds rows to list inputs, keyboard moves in lists, and charts. */
(function () {
  "use strict";

  // Add a row (a suggestion, a co-signer) from a <template>, and remove one.
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      var list = document.getElementById(add.getAttribute("data-add-row"));
      var tpl = document.getElementById(add.getAttribute("data-template"));
      if (list && tpl) {
        var row = tpl.content.firstElementChild.cloneNode(true);
        list.appendChild(row);
        renumber(list);
        var input = row.querySelector("textarea, input");
        if (input) input.focus();
      }
      event.preventDefault();
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      var item = remove.closest("li");
      var parent = item && item.parentElement;
      if (item && parent && parent.children.length > 1) {
        item.remove();
        renumber(parent);
        var last = parent.querySelector("li:last-child textarea, li:last-child input");
        if (last) last.focus();
      } else if (item) {
        var field = item.querySelector("textarea, input");
        if (field) { field.value = ""; field.focus(); }
      }
      event.preventDefault();
    }
  });

  function renumber(list) {
    Array.prototype.forEach.call(list.querySelectorAll(".num"), function (el, i) { el.textContent = (i + 1) + "."; });
  }

  // Lists: j / k (or ↓ / ↑ with Alt) move between rows, "/" goes to the search box.
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey) return;
    if (event.key === "/") {
      var search = document.getElementById("site-search");
      if (search) { search.focus(); event.preventDefault(); }
      return;
    }
    if (event.key !== "j" && event.key !== "k") return;
    var links = Array.prototype.slice.call(document.querySelectorAll("[data-row-link]"));
    if (!links.length) return;
    var i = links.indexOf(document.activeElement);
    var next = event.key === "j" ? Math.min(i + 1, links.length - 1) : Math.max(i - 1, 0);
    links[next].focus();
    event.preventDefault();
  });

  // Charts (ECharts, loaded only on the pages that draw them).
  var charts = [];
  function drawCharts(root) {
    if (!window.echarts) return;
    Array.prototype.forEach.call((root || document).querySelectorAll("[data-chart]"), function (el) {
      if (el.getAttribute("data-drawn")) return;
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(optionFor(el.getAttribute("data-kind"), data));
      el.setAttribute("data-drawn", "1");
      charts.push(chart);
    });
  }

  var palette = ["#9b1c1c", "#1c4f8a", "#1d6b35", "#b7791f", "#6b46c1", "#2c7a7b", "#c05621"];
  function optionFor(kind, data) {
    if (kind === "pie") {
      return {
        color: palette, tooltip: { trigger: "item", formatter: "{b}：{c} 件（{d}%）" },
        legend: { bottom: 0, type: "scroll" },
        series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], data: data,
                   label: { formatter: "{b}\n{c}" } }]
      };
    }
    return {
      color: palette, tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { bottom: 0 }, grid: { left: 8, right: 16, top: 10, bottom: 40, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.names, inverse: true, axisLabel: { width: 90, overflow: "truncate" } },
      series: [
        { name: "主办", type: "bar", stack: "n", data: data.lead },
        { name: "会办", type: "bar", stack: "n", data: data.co },
        { name: "分办", type: "bar", stack: "n", data: data.separate }
      ]
    };
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });
})();
