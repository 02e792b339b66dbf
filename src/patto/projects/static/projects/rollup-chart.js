/* Bars of a roll-up's parts (projects' or milestones' progress, 0-100 %), drawn with ECharts
   from the JSON the page carries beside the list that states the same figures. Numbers in the
   page's language (patto/number-format.js); heights set here, as the CSP forbids inline styles. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var format = window.pattoFormat;
  document.querySelectorAll(".patto-rollup-chart[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    el.style.width = "100%";
    el.style.height = Math.max(120, 36 * data.labels.length + 60) + "px";
    var chart = echarts.init(el, null, { renderer: "svg" });
    var enc = echarts.format.encodeHTML;
    chart.setOption({
      aria: { enabled: true },
      animation: false,
      grid: { left: 8, right: 24, top: 8, bottom: 24, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100,
               axisLabel: { formatter: function (v) { return format.number(v, 0) + "%"; } } },
      yAxis: { type: "category", inverse: true, data: data.labels,
               axisLabel: { width: 220, overflow: "truncate" } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: function (items) {
        var i = items[0].dataIndex;
        return enc(data.labels[i]) + "<br>" + enc(format.number(data.progress[i], 0)) + "%" +
          " · " + enc(format.number(data.share[i], 1)) + "% " + enc(el.dataset.weightWord || "");
      } },
      series: [{ type: "bar", data: data.progress, itemStyle: { color: "#0066cc" },
                 label: { show: true, position: "right",
                          formatter: function (p) { return p.value === null ? "–" : format.number(p.value, 0) + "%"; } } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-ready", "true");
  });
}());
