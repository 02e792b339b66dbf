/* The public map of a proposal: the municipalities of its proposer's places coloured, drawn by
   the shared pattoMunicipalityMap, and the points the proposer drew as dots with their names in
   a tooltip. The list on the page holds the same places for keyboards and screen readers. */
(function () {
  "use strict";
  var el = document.getElementById("proposal-map");
  var figure = document.getElementById("proposal-map-figure");
  var source = document.getElementById("proposal-map-data");
  if (!el || !figure || !source || typeof echarts === "undefined" ||
      !window.pattoMunicipalityMap) { return; }
  var data = JSON.parse(source.textContent);
  if (!data.places.length && !data.points.length) { return; }
  var chosen = {};
  data.places.forEach(function (code) { chosen[code] = true; });
  figure.hidden = false;
  var enc = function (s) { return echarts.format.encodeHTML(String(s)); };
  window.pattoMunicipalityMap(el, {
    name: "proposal-public",
    option: function (features) {
      // The proposal's municipalities stand out on the map of the whole pact.
      var near = features.filter(function (f) { return chosen[f.properties.code]; });
      var names = {};
      features.forEach(function (f) { names[f.properties.code] = f.properties.name; });
      return {
        aria: { enabled: true, label: { description: el.getAttribute("aria-label") } },
        animation: false,
        tooltip: { formatter: function (p) {
          if (p.seriesType === "scatter") { return enc(p.data.label) + "<br>" + enc(p.data.place); }
          return enc(names[p.name] || p.name);
        } },
        geo: { map: "proposal-public", nameProperty: "code", roam: true,
               itemStyle: { areaColor: "#f2f6fa", borderColor: "#ffffff" },
               regions: near.map(function (f) {
                 return { name: f.properties.code, itemStyle: { areaColor: "#0b4d8c" } };
               }) },
        series: [{
          type: "scatter", coordinateSystem: "geo", symbolSize: 10,
          itemStyle: { color: "#d1344c", borderColor: "#ffffff" },
          data: data.points.map(function (p) {
            return { name: p.name, value: [p.lon, p.lat], label: p.name, place: p.place };
          })
        }]
      };
    }
  });
}());
