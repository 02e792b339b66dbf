/* Where co-design networks work: an ECharts map of the pact's municipalities (drawn by the
   shared pattoMunicipalityMap from the territory GeoJSON the page points to), each coloured by
   how many networks are active there; the list of places beside the map carries the same data. */
(function () {
  "use strict";
  var el = document.getElementById("network-map");
  var source = document.getElementById("network-places");
  if (!el || !source || typeof echarts === "undefined" || !window.pattoMunicipalityMap) { return; }
  var places = JSON.parse(source.textContent);
  var max = 1;
  Object.keys(places).forEach(function (code) { max = Math.max(max, places[code].networks.length); });
  window.pattoMunicipalityMap(el, { name: "networks", option: function (features, series) {
    var items = features.map(function (f) {
      var here = (places[f.properties.code] || { networks: [] }).networks;
      return { name: f.properties.code, label: f.properties.name, networks: here,
               value: here.length };
    });
    return {
      aria: { enabled: true },
      tooltip: { formatter: function (p) {
        var enc = echarts.format.encodeHTML;
        var d = p.data || { label: p.name, networks: [] };
        return enc(d.label) + (d.networks.length ? "<br>" + d.networks.map(enc).join("<br>")
                                                  : "<br>" + enc(el.dataset.none));
      } },
      visualMap: { show: max > 1, type: "piecewise", min: 0, max: max, left: 0, bottom: 0,
                   pieces: max > 1 ? undefined : [{ value: 0, color: "#eeeeee" },
                                                   { value: 1, color: "#2f7fc1" }],
                   inRange: { color: ["#eeeeee", "#7fb3e0", "#2f7fc1", "#0b4d8c"] } },
      series: [series(items)]
    };
  } });
}());
