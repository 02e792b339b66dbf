/* Sets progress bar widths from data-percent (inline styles are not allowed by the CSP). */
(function () {
  "use strict";
  function paint() {
    document.querySelectorAll(".progress-bar[data-percent]").forEach(function (bar) {
      bar.style.width = bar.dataset.percent + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", paint);
  document.addEventListener("htmx:afterSwap", paint);
}());
