/* Numbers in charts as the page's language writes them (Italian: 50.000 and 1.234,5; English:
   50,000 and 1,234.5): one helper for every chart script, read from <html lang>. Loaded by the
   base template on every page, before the pages' own scripts (strict CSP: no inline script). */
(function () {
  "use strict";
  var lang = document.documentElement.lang || "it";
  var cache = {};

  function formatter(options) {
    var key = JSON.stringify(options);
    if (!cache[key]) {
      // "always": Italian groups four-digit numbers too (5.000), as the pages' tables do.
      cache[key] = new Intl.NumberFormat(lang, Object.assign({ useGrouping: "always" }, options));
    }
    return cache[key];
  }

  function finite(v) {
    return typeof v === "number" ? isFinite(v) : v !== null && v !== "" && isFinite(Number(v));
  }

  window.pattoFormat = {
    lang: lang,
    /* A number with up to `digits` decimals (2 unless given); anything else as it came. */
    number: function (v, digits) {
      if (!finite(v)) { return v === null || v === undefined ? "–" : String(v); }
      return formatter({ maximumFractionDigits: digits === undefined ? 2 : digits })
        .format(Number(v));
    },
    /* Euro to the cent: "€ 1.234,50" in Italian. */
    euro: function (v) {
      if (!finite(v)) { return v === null || v === undefined ? "–" : String(v); }
      return formatter({ style: "currency", currency: "EUR" }).format(Number(v));
    },
    /* An ECharts axis-label formatter: grouped, at most two decimals. */
    axis: function (v) { return window.pattoFormat.number(v); },
    /* An ECharts tooltip valueFormatter, for numbers (`unit` appended) or euro. */
    tooltip: function (unit) {
      if (unit === "€") { return window.pattoFormat.euro; }
      return function (v) {
        var text = window.pattoFormat.number(v);
        return unit ? text + " " + unit : text;
      };
    }
  };
}());
