/* The one loader of the municipality maps drawn with ECharts: fetches the territory GeoJSON the
   element's data-geojson names, keeps the features asked for, registers the map under a name,
   draws it as SVG with the option the caller builds from the features, follows the window's
   size and marks the element data-ready. Callers add their colours, tooltips and clicks:
     pattoMunicipalityMap(el, { name: "networks", keep: function (feature) {...},
                                option: function (features, series) {...} }).then(...)
   series(data) gives the map series every municipality map shares (areas keyed by code). */
(function () {
  "use strict";
  window.pattoMunicipalityMap = function (el, how) {
    return fetch(el.dataset.geojson, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geojson) {
        var features = how.keep ? geojson.features.filter(how.keep) : geojson.features;
        echarts.registerMap(how.name, { type: "FeatureCollection", features: features });
        var chart = echarts.init(el, null, { renderer: "svg" });
        var series = function (data) {
          return { type: "map", map: how.name, nameProperty: "code", roam: true,
                   itemStyle: { borderColor: "#ffffff", borderWidth: 0.6 },
                   emphasis: { label: { show: false } }, data: data };
        };
        chart.setOption(how.option(features, series));
        window.addEventListener("resize", function () { chart.resize(); });
        el.setAttribute("data-ready", "true");
        return chart;
      });
  };
}());
