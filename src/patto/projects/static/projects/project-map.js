/* Projects on the territory's map (ECharts on the territory's GeoJSON, as on the indicator map),
   in two places that share the loading code below:
   - the public map (#project-map): municipalities coloured by their number of projects and the
     places drawn for projects as dots; a municipality opens the list filtered by it; the table
     beside the map has the same counts for keyboards and screen readers;
   - the staff page of a project (#place-map): a click on the map adds a place, a place is
     dragged to move it and removed with its row's box; the map only fills the rows' latitude
     and longitude fields, which stay the way to do it all by keyboard, and the form saves.
   Numbers in the page's language (patto/number-format.js). */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var enc = function (s) { return echarts.format.encodeHTML(String(s)); };

  /* Fetch the GeoJSON the element names, register it and hand over a chart on it. */
  function withMap(el, name, ready) {
    fetch(el.dataset.geojson, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geojson) {
        echarts.registerMap(name, geojson);
        var chart = echarts.init(el, null, { renderer: "svg" });
        ready(chart, geojson);
        window.addEventListener("resize", function () { chart.resize(); });
        el.setAttribute("data-ready", "true");
      });
  }

  function publicMap(el, source) {
    var format = window.pattoFormat;
    var data = JSON.parse(source.textContent);
    withMap(el, "projects", function (chart, geojson) {
      var names = {};
      geojson.features.forEach(function (f) { names[f.properties.code] = f.properties.name; });
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
    });
  }

  /* Whether [lon, lat] is inside a GeoJSON Polygon or MultiPolygon (even-odd rule). */
  function inside(point, geometry) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] :
      geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    return polygons.some(function (rings) {
      var hit = false;
      rings.forEach(function (ring) {
        for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          var a = ring[i], b = ring[j];
          if ((a[1] > point[1]) !== (b[1] > point[1]) &&
              point[0] < (b[0] - a[0]) * (point[1] - a[1]) / (b[1] - a[1]) + a[0]) { hit = !hit; }
        }
      });
      return hit;
    });
  }

  function placeEditor(el, form) {
    var prefix = el.dataset.prefix || "places";
    var rows = form.querySelector("[data-place-rows]");
    var blank = document.getElementById("place-empty");
    var total = form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var decimals = new Intl.NumberFormat(document.documentElement.lang || "it",
      { minimumFractionDigits: 5, maximumFractionDigits: 5, useGrouping: false });
    var field = function (row, name) { return row.querySelector("[name$='-" + name + "']"); };
    var read = function (input) {
      var text = input ? input.value.replace(/\s/g, "").replace(",", ".") : "";
      return text === "" || !isFinite(Number(text)) ? null : Number(text);
    };

    function point(row) {
      var lat = read(field(row, "latitude"));
      var lon = read(field(row, "longitude"));
      var removed = field(row, "DELETE");
      if (lat === null || lon === null || (removed && removed.checked)) { return null; }
      return [lon, lat];
    }

    withMap(el, "places", function (chart, geojson) {
      var municipality = function (coord) {
        var found = geojson.features.filter(function (f) { return inside(coord, f.geometry); })[0];
        return found ? found.properties.name : "";
      };
      chart.setOption({
        aria: { enabled: true },
        animation: false,
        geo: { map: "places", nameProperty: "code", roam: true, silent: true,
               itemStyle: { areaColor: "#f2f6fa", borderColor: "#7f8c99" } }
      });

      function write(row, coord) {
        field(row, "longitude").value = decimals.format(coord[0]);
        field(row, "latitude").value = decimals.format(coord[1]);
      }

      /* The points as draggable circles over the map, placed again after a zoom or pan. */
      function draw() {
        var items = [];
        Array.prototype.forEach.call(rows.querySelectorAll("[data-place-row]"), function (row, i) {
          var coord = point(row);
          if (!coord) { return; }
          var px = chart.convertToPixel("geo", coord);
          items.push({
            type: "circle", id: "place-" + i, position: px, shape: { r: 8 }, z: 100,
            draggable: true, cursor: "move",
            style: { fill: "#d1344c", stroke: "#ffffff", lineWidth: 2 },
            ondragend: function () {
              write(row, chart.convertFromPixel("geo", [this.x, this.y]));
              draw();
            }
          });
        });
        chart.setOption({ graphic: [{ type: "group", id: "places", children: items }] },
                        { replaceMerge: ["graphic"] });
        el.dataset.points = String(items.length);
      }

      function freeRow() {
        var found = null;
        Array.prototype.forEach.call(rows.querySelectorAll("[data-place-row]"), function (row) {
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

      /* The row of the point drawn at this pixel, if any (a click there is not a new one). */
      function near(x, y) {
        var found = null;
        Array.prototype.forEach.call(rows.querySelectorAll("[data-place-row]"), function (row) {
          var coord = point(row);
          if (!coord || found) { return; }
          var px = chart.convertToPixel("geo", coord);
          if (Math.abs(px[0] - x) <= 10 && Math.abs(px[1] - y) <= 10) { found = row; }
        });
        return found;
      }

      chart.getZr().on("dblclick", function (e) {
        var row = near(e.offsetX, e.offsetY);
        var removed = row && field(row, "DELETE");
        if (removed) { removed.checked = true; draw(); removed.focus(); }
      });
      chart.getZr().on("click", function (e) {
        if ((e.target && e.target.draggable) || near(e.offsetX, e.offsetY)) { return; }
        var coord = chart.convertFromPixel("geo", [e.offsetX, e.offsetY]);
        if (!coord || !isFinite(coord[0]) || !isFinite(coord[1])) { return; }
        var row = freeRow();
        write(row, coord);
        var name = field(row, "name");
        if (!name.value) { name.value = municipality(coord); }
        draw();
        name.focus();
        name.select();
      });
      chart.on("georoam", function () { window.requestAnimationFrame(draw); });
      rows.addEventListener("change", draw);
      window.addEventListener("resize", function () { window.requestAnimationFrame(draw); });
      draw();
    });
  }

  var map = document.getElementById("project-map");
  var source = document.getElementById("project-map-data");
  if (map && source) { publicMap(map, source); }
  var editor = document.getElementById("place-map");
  var form = document.getElementById("places-form");
  if (editor && form) { placeEditor(editor, form); }
}());
