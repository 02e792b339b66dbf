/* Colours municipalities by a value (ECharts map from the GeoJSON the page points to); the values
   come from the JSON the element's data-values names (an indicator's map: 7,900 values are
   too many to inline in every page) or from the page's #choropleth-data script (a fund's map).
   The table beside the map carries the same values. */
(function () {
  "use strict";
  var el = document.getElementById("choropleth");
  var source = document.getElementById("choropleth-data");
  if (!el || !(source || el.dataset.values) || typeof echarts === "undefined") { return; }
  var format = window.pattoFormat;
  var json = function (url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); });
  };
  Promise.all([json(el.dataset.geojson),
               el.dataset.values ? json(el.dataset.values) : JSON.parse(source.textContent)])
    .then(function (got) {
      var geojson = got[0];
      var data = got[1];
      echarts.registerMap("choropleth", geojson);
      var chart = echarts.init(el, null, { renderer: "svg" });
      var items = geojson.features.map(function (f) {
        var v = data.values[f.properties.code];
        return { name: f.properties.code, label: f.properties.name, value: v === null || v === undefined ? "-" : v };
      });
      var colours = ["#d9e8f5", "#7fb3e0", "#2f7fc1", "#0b4d8c"];
      chart.setOption({
        aria: { enabled: true },
        tooltip: { formatter: function (p) {
          var enc = echarts.format.encodeHTML;
          return enc(p.data ? p.data.label : p.name) + "<br>" + enc(format.number(p.value)) + " " + enc(data.unit || "");
        } },
        visualMap: { min: data.min, max: data.max, calculable: true, left: 0, bottom: 0,
                     formatter: function (v) { return format.number(v); },
                     inRange: { color: data.negative ? colours.slice().reverse() : colours } },
        series: [{ type: "map", map: "choropleth", nameProperty: "code", roam: true,
                   itemStyle: { borderColor: "#ffffff", borderWidth: 0.6 },
                   emphasis: { label: { show: false } }, data: items }]
      });
      window.addEventListener("resize", function () { chart.resize(); });
      el.setAttribute("data-ready", "true");
    });
}());
