/* A proposal's drawn points: the proposer's municipalities drawn by the shared
   pattoMunicipalityMap, where a click inside them adds a point (named after its municipality
   until the proposer names it), a point is dragged to move it and removed with its row's box.
   The map only fills the rows' latitude and longitude fields, which stay the way to do it all
   by keyboard; the service finds each point's municipality and refuses one outside the
   territory. Written here rather than shared with projects/project-map.js, whose point editor
   is not exported for reuse (see the report of issue 13). */
(function () {
  "use strict";
  var el = document.getElementById("proposal-points-map");
  var box = document.getElementById("proposal-points");
  if (!el || !box || typeof echarts === "undefined" || !window.pattoMunicipalityMap) { return; }
  var source = document.getElementById("proposal-place-codes");
  var codes = {};  // the codes of the proposer's municipalities
  if (source) {
    var byId = JSON.parse(source.textContent);
    Object.keys(byId).forEach(function (k) { codes[byId[k]] = true; });
  }
  var prefix = el.dataset.prefix || "points";
  var rows = box.querySelector("[data-point-rows]");
  var blank = document.getElementById("point-empty");
  var total = box.querySelector("#id_" + prefix + "-TOTAL_FORMS");
  var decimals = new Intl.NumberFormat(document.documentElement.lang || "it",
    { minimumFractionDigits: 5, maximumFractionDigits: 5, useGrouping: false });
  var field = function (row, name) { return row.querySelector("[name$='-" + name + "']"); };
  var read = function (input) {
    var text = input ? input.value.replace(/\s/g, "").replace(",", ".") : "";
    return text === "" || !isFinite(Number(text)) ? null : Number(text);
  };
  var each = function (fn) {
    Array.prototype.forEach.call(rows.querySelectorAll("[data-point-row]"), fn);
  };

  function point(row) {
    var lat = read(field(row, "latitude"));
    var lon = read(field(row, "longitude"));
    var removed = field(row, "DELETE");
    if (lat === null || lon === null || (removed && removed.checked)) { return null; }
    return [lon, lat];
  }

  /* Whether [lon, lat] is inside a GeoJSON Polygon or MultiPolygon (even-odd rule). */
  function inside(coord, geometry) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] :
      geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    return polygons.some(function (rings) {
      var hit = false;
      rings.forEach(function (ring) {
        for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          var a = ring[i], b = ring[j];
          if ((a[1] > coord[1]) !== (b[1] > coord[1]) &&
              coord[0] < (b[0] - a[0]) * (coord[1] - a[1]) / (b[1] - a[1]) + a[0]) { hit = !hit; }
        }
      });
      return hit;
    });
  }

  var features = [];
  el.hidden = false;
  document.getElementById("proposal-points-source").hidden = false;
  window.pattoMunicipalityMap(el, {
    name: "proposal-points",
    keep: function (f) { return Boolean(codes[f.properties.code]); },
    option: function (drawn, series) {
      features = drawn;
      return {
        aria: { enabled: true, label: { description: el.getAttribute("aria-label") } },
        animation: false,
        series: [Object.assign(series(drawn.map(function (f) {
          return { name: f.properties.code, itemStyle: { areaColor: "#eef3f8" } };
        })), { selectedMode: false, silent: true,
               itemStyle: { borderColor: "#7f8c99", borderWidth: 0.6 } })]
      };
    }
  }).then(function (chart) {
    var municipality = function (coord) {
      var found = features.filter(function (f) { return inside(coord, f.geometry); })[0];
      return found ? found.properties.name : null;
    };
    var toPixel = function (coord) { return chart.convertToPixel({ seriesIndex: 0 }, coord); };
    var fromPixel = function (px) { return chart.convertFromPixel({ seriesIndex: 0 }, px); };

    function write(row, coord) {
      field(row, "longitude").value = decimals.format(coord[0]);
      field(row, "latitude").value = decimals.format(coord[1]);
    }

    /* The points as draggable circles over the map, placed again after a zoom or pan. */
    function draw() {
      var items = [];
      each(function (row, i) {
        var coord = point(row);
        if (!coord) { return; }
        items.push({
          type: "circle", id: "point-" + i, position: toPixel(coord), shape: { r: 8 }, z: 100,
          draggable: true, cursor: "move",
          style: { fill: "#d1344c", stroke: "#ffffff", lineWidth: 2 },
          ondragend: function () { write(row, fromPixel([this.x, this.y])); draw(); }
        });
      });
      chart.setOption({ graphic: [{ type: "group", id: "points", children: items }] },
                      { replaceMerge: ["graphic"] });
      el.dataset.points = String(items.length);
    }

    function freeRow() {
      var found = null;
      each(function (row) {
        if (!found && !field(row, "id").value && !field(row, "name").value &&
            !field(row, "latitude").value && !field(row, "longitude").value) { found = row; }
      });
      if (found) { return found; }
      var index = Number(total.value);
      var holder = document.createElement("div");
      holder.innerHTML = blank.innerHTML.replace(/__prefix__/g, String(index))
        .replace(/__number__/g, String(index + 1));
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      return row;
    }

    /* Whether a point is drawn at this pixel (a click there is not a new one). */
    function near(x, y) {
      var found = false;
      each(function (row) {
        var coord = point(row);
        if (!coord || found) { return; }
        var px = toPixel(coord);
        found = Math.abs(px[0] - x) <= 10 && Math.abs(px[1] - y) <= 10;
      });
      return found;
    }

    chart.getZr().on("click", function (e) {
      if ((e.target && e.target.draggable) || near(e.offsetX, e.offsetY)) { return; }
      var coord = fromPixel([e.offsetX, e.offsetY]);
      if (!coord || !isFinite(coord[0]) || !isFinite(coord[1])) { return; }
      var where = municipality(coord);
      if (!where) { return; }  // outside the territory: the service would refuse it
      var row = freeRow();
      write(row, coord);
      var name = field(row, "name");
      if (!name.value) { name.value = where; }
      draw();
      name.focus();
      name.select();
    });
    chart.on("georoam", function () { window.requestAnimationFrame(draw); });
    rows.addEventListener("change", draw);
    window.addEventListener("resize", function () { window.requestAnimationFrame(draw); });
    draw();
  });
}());
