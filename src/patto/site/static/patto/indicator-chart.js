/* Draws an indicator's series over time with ECharts, with each target as a dashed line; the
   page's table carries the same values for those who cannot use the chart. */
(function () {
  "use strict";
  var el = document.getElementById("indicator-chart");
  var source = document.getElementById("indicator-data");
  if (!el || !source || typeof echarts === "undefined") { return; }
  var format = window.pattoFormat;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el, null, { renderer: "svg" });
  var unitsSelect = document.getElementById("chart-units");
  var dimensionSelect = document.getElementById("chart-dimension");

  // Which series the selectors let through: the chosen units, and the total plus, when a
  // dimension is chosen, the series broken down by that dimension alone.
  function wanted(s) {
    if (unitsSelect && s.units && s.units !== unitsSelect.value) { return false; }
    var keys = Object.keys(s.dims || {});
    if (!keys.length) { return true; }
    return !!dimensionSelect && keys.length === 1 && keys[0] === dimensionSelect.value;
  }

  function build(s) {
    var item = { name: s.name, type: "line", data: s.data, showSymbol: true };
    if (s.target) {
      item.markLine = { symbol: "none", lineStyle: { type: "dashed" },
        data: [[{ coord: [s.data.length ? s.data[s.data.length - 1][0] : s.target[0], s.data.length ? s.data[s.data.length - 1][1] : s.target[1]] },
                { coord: s.target }]] };
      item.markPoint = { symbol: "pin", data: [{ coord: s.target, value: s.target[1] }],
                        label: { formatter: function (p) { return format.number(p.value); } } };
    }
    return item;
  }

  // The axis reaches the latest target year, so that each target's dashed line shows.
  var lastYear = data.series.reduce(function (m, s) {
    var last = s.data.length ? s.data[s.data.length - 1][0] : m;
    return Math.max(m, last, s.target ? s.target[0] : m);
  }, 0);
  function draw() {
    chart.setOption({ series: data.series.filter(wanted).map(build) }, { replaceMerge: ["series"] });
  }

  chart.setOption({
    aria: { enabled: true },
    tooltip: { trigger: "axis", valueFormatter: format.tooltip(data.unit) },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 50, right: 20, top: 20, bottom: 60 },
    xAxis: { type: "value", min: "dataMin", max: lastYear, minInterval: 1,
             axisLabel: { formatter: function (v) { return String(v); } } },  // years: no grouping
    yAxis: { type: "value", name: data.unit || "", axisLabel: { formatter: format.axis } },
    series: data.series.filter(wanted).map(build)
  });
  [unitsSelect, dimensionSelect].forEach(function (select) {
    if (select) { select.addEventListener("change", draw); }
  });
  window.addEventListener("resize", function () { chart.resize(); });
  el.setAttribute("data-ready", "true");
}());
