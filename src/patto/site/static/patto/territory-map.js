/* Draws the territory map with ECharts from the GeoJSON the page points to; the table beside it
   carries the same content for those who cannot use the map. */
(function () {
  "use strict";
  var el = document.getElementById("territory-map");
  if (!el || typeof echarts === "undefined") { return; }
  // Colours come from the legend swatches, so the palette lives in one place (patto.css).
  var palette = Array.prototype.map.call(document.querySelectorAll("[data-swatch]"), function (s) {
    return window.getComputedStyle(s).backgroundColor;
  });
  var groups = JSON.parse(el.dataset.groups);
  fetch(el.dataset.geojson, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (geojson) {
      echarts.registerMap("territory", geojson);
      var chart = echarts.init(el, null, { renderer: "svg" });
      var data = geojson.features.map(function (f) {
        var idx = groups.indexOf(f.properties.group);
        return {
          name: f.properties.name, group: f.properties.group || el.dataset.nogroup,
          code: f.properties.code,
          itemStyle: { areaColor: palette[idx >= 0 ? idx : palette.length - 1] }
        };
      });
      chart.setOption({
        aria: { enabled: true, label: { description: el.dataset.description } },
        tooltip: { formatter: function (p) { var enc = echarts.format.encodeHTML; return enc(p.name) + "<br>" + enc(p.data ? p.data.group : ""); } },
        series: [{
          type: "map", map: "territory", roam: true, nameProperty: "name",
          label: { show: false }, emphasis: { label: { show: true } },
          itemStyle: { borderColor: "#ffffff", borderWidth: 0.8 },
          data: data
        }]
      });
      chart.on("click", function (p) {
        if (p.data && p.data.code) { window.location.href = el.dataset.detail.replace("__code__", p.data.code); }
      });
      window.addEventListener("resize", function () { chart.resize(); });
      el.setAttribute("data-ready", "true");
    });
}());
