/* A proposal's places picked on the map: the proposer's municipalities drawn by the shared
   pattoMunicipalityMap; clicking one ticks or unticks its box in the list of places, and ticking
   a box colours its area, so the map and the list (which keyboard and screen-reader users use)
   always say the same. The service still checks every place on saving. */
(function () {
  "use strict";
  var figure = document.getElementById("proposal-places-figure");
  var el = document.getElementById("proposal-places-map");
  var source = document.getElementById("proposal-place-codes");
  if (!figure || !el || !source || typeof echarts === "undefined" ||
      !window.pattoMunicipalityMap) { return; }
  var codes = JSON.parse(source.textContent);  // {territory id: code}
  var boxes = {};  // code -> checkbox
  Array.prototype.forEach.call(
    document.querySelectorAll("input[type='checkbox'][name='" + el.dataset.field + "']"),
    function (box) { if (codes[box.value]) { boxes[codes[box.value]] = box; } });
  var any = Object.keys(boxes)[0];
  if (!any) { return; }
  // The map stands right below the list it mirrors.
  var fieldset = boxes[any].closest("fieldset");
  if (fieldset) { fieldset.parentNode.insertBefore(figure, fieldset.nextSibling); }
  figure.hidden = false;
  var chosen = document.getElementById("proposal-places-chosen");
  var on = "#0b4d8c", off = "#dde6ee";
  var items = function (features) {
    return features.map(function (f) {
      var picked = boxes[f.properties.code].checked;
      return { name: f.properties.code, label: f.properties.name, picked: picked,
               itemStyle: { areaColor: picked ? on : off },
               emphasis: { itemStyle: { areaColor: picked ? "#2f7fc1" : "#b8cde0" } } };
    });
  };
  var features = [];
  var say = function () {
    var names = features.filter(function (f) { return boxes[f.properties.code].checked; })
      .map(function (f) { return f.properties.name; });
    chosen.textContent = names.length ? el.dataset.chosen + " " + names.join(", ")
                                      : el.dataset.nothing;
  };
  window.pattoMunicipalityMap(el, {
    name: "proposal-places",
    keep: function (f) { return Boolean(boxes[f.properties.code]); },
    option: function (drawn, series) {
      features = drawn;
      return {
        aria: { enabled: true, label: { description: el.getAttribute("aria-label") } },
        tooltip: { formatter: function (p) {
          var enc = echarts.format.encodeHTML;
          var d = p.data || { label: p.name, picked: false };
          return enc(d.label) + "<br>" + enc(d.picked ? el.dataset.picked : el.dataset.unpicked);
        } },
        // Selection is the boxes' state, drawn as colour: ECharts' own selection stays off.
        series: [Object.assign(series(items(features)), { selectedMode: false })]
      };
    }
  }).then(function (chart) {
    var redraw = function () {
      chart.setOption({ series: [{ data: items(features) }] });
      say();
    };
    chart.on("click", function (p) {
      var box = boxes[p.name];
      if (!box || box.disabled) { return; }
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    });
    Object.keys(boxes).forEach(function (code) {
      boxes[code].addEventListener("change", redraw);
    });
    say();
  });
}());
