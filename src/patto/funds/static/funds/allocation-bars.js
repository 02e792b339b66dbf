/* An allocation's amounts by municipality as horizontal bars, largest first, for one
   simulation or two side by side. With 55 or 7,900 municipalities the chart shows 20 at a
   time and scrolls (mouse wheel, or the slider on its right), so labels never overlap. The
   data comes from a json_script element (strict CSP: no inline script); the table beside
   the chart has the same amounts. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var VISIBLE = 20;
  var format = window.pattoFormat;  // patto/number-format.js, loaded by the base template

  function draw(id) {
    var el = document.getElementById(id);
    var source = document.getElementById(id + "-data");
    if (!el || !source) { return; }
    var data = JSON.parse(source.textContent);
    var many = data.names.length > VISIBLE;
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      aria: { enabled: true },
      animation: false,  // drawn at once: no bars growing under a screen reader or a test
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
                 valueFormatter: format.euro },
      legend: data.series.length > 1 ? { top: 0 } : undefined,
      grid: { top: data.series.length > 1 ? 36 : 10, left: 170, right: many ? 60 : 20,
              bottom: 30 },
      xAxis: { type: "value", axisLabel: { formatter: format.axis } },
      yAxis: { type: "category", data: data.names, inverse: true,
               axisLabel: { width: 150, overflow: "truncate", fontSize: 12 } },
      dataZoom: many ? [
        { type: "slider", yAxisIndex: 0, right: 10, width: 20, startValue: 0,
          endValue: VISIBLE - 1, zoomLock: true, brushSelect: false, showDetail: false },
        { type: "inside", yAxisIndex: 0, startValue: 0, endValue: VISIBLE - 1,
          zoomOnMouseWheel: false, moveOnMouseWheel: true, moveOnMouseMove: false }
      ] : [],
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.data, barMaxWidth: 14 };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-ready", "true");
    el.setAttribute("data-bars", String(data.names.length));
  }

  draw("allocation-bars");
  draw("compare-bars");
}());
