/* The safeguard table's dashboard: cases per year by ATECO section and workers per year by
   area, as stacked bars. The figures come from a json_script element (strict CSP: no inline
   script) holding stored aggregates; the tables under the charts carry the same figures. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var source = document.getElementById("crisis-data");
  if (!source) { return; }
  var data = JSON.parse(source.textContent);

  function draw(id, title, series) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      aria: { enabled: true },
      animation: false,
      title: { text: title, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { type: "scroll", bottom: 0 },
      grid: { top: 40, left: 40, right: 20, bottom: 60 },
      xAxis: { type: "category", data: data.years },
      yAxis: { type: "value", minInterval: 1 },
      series: series.map(function (s) {
        return { name: s.name, type: "bar", stack: "total", data: s.data, barMaxWidth: 40 };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-ready", "true");
  }

  draw("crisis-sectors", data.labels.sectors, data.sectors);
  draw("crisis-areas", data.labels.areas, data.areas);
}());
