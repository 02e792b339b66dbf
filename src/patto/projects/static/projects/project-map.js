/* The projects' map: municipalities coloured by their number of projects (boundaries from the
   territory's GeoJSON, as on the indicator map) and the places drawn for projects as dots.
   A municipality opens the list filtered by it; the table beside the map has the same counts
   for keyboards and screen readers. Numbers in the page's language (patto/number-format.js). */
(function () {
  "use strict";
  var el = document.getElementById("project-map");
  var source = document.getElementById("project-map-data");
  if (!el || !source || typeof echarts === "undefined") { return; }
  var format = window.pattoFormat;
  var data = JSON.parse(source.textContent);
  var enc = function (s) { return echarts.format.encodeHTML(String(s)); };
  fetch(el.dataset.geojson, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (geojson) {
      echarts.registerMap("projects", geojson);
      var names = {};
      geojson.features.forEach(function (f) { names[f.properties.code] = f.properties.name; });
      var chart = echarts.init(el, null, { renderer: "svg" });
      var areas = geojson.features.map(function (f) {
        return { name: f.properties.code, value: data.counts[f.properties.code] || 0 };
      });
      chart.setOption({
        aria: { enabled: true },
        animation: false,
        tooltip: { formatter: function (p) {
          if (p.seriesType === "scatter") {
            return enc(p.data.title) + "<br>" + enc(p.data.place);
          }
          return enc(names[p.name] || p.name) + "<br>" + enc(format.number(p.value || 0, 0)) +
            " " + enc(el.dataset.projectsWord || "");
        } },
        visualMap: { min: 0, max: Math.max(1, data.max), left: 0, bottom: 0, seriesIndex: 0,
                     formatter: function (v) { return format.number(v, 0); },
                     inRange: { color: ["#f2f6fa", "#7fb3e0", "#0b4d8c"] } },
        geo: { map: "projects", nameProperty: "code", roam: true,
               itemStyle: { areaColor: "#f2f6fa", borderColor: "#ffffff" } },
        series: [
          { type: "map", geoIndex: 0, data: areas },
          { type: "scatter", coordinateSystem: "geo", symbolSize: 9,
            itemStyle: { color: "#d1344c", borderColor: "#ffffff" },
            data: data.points.map(function (p) {
              return { value: [p.lon, p.lat], title: p.title, place: p.name, url: p.url };
            }) }
        ]
      });
      chart.on("click", function (p) {
        if (p.seriesType === "scatter" && p.data.url) { window.location.href = p.data.url; return; }
        if (p.seriesType === "map" && data.counts[p.name]) {
          var q = el.dataset.query ? el.dataset.query + "&" : "";
          window.location.href = el.dataset.list + "?" + q + "territory=" + encodeURIComponent(p.name);
        }
      });
      window.addEventListener("resize", function () { chart.resize(); });
      el.setAttribute("data-ready", "true");
    });
}());
