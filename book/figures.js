/* Interactive figures, never in the way of the text. Each figure arrives as its PNG (shown at once, scaled to the
   column) plus its Plotly JSON. This deferred script starts loading plotly.js only after the page has loaded (text
   and pictures first), without blocking anything, and then draws each figure at its own size over its PNG, scaled to
   the column width: a multi-panel figure shrinks as a whole on a phone, so its panels never overlap or clip. If
   plotly.js never arrives, the PNG simply stays. */
(function () {
  "use strict";
  var figures = Array.prototype.slice.call(document.querySelectorAll("figure[data-plotly-figure]"));
  if (figures.length === 0) return;
  var script = document.currentScript;
  var plotlyUrl = script && script.getAttribute("data-plotly");
  if (!plotlyUrl) return;
  window.cnnBook = window.cnnBook || {};

  function fit(figure) {
    var live = figure.querySelector(".plotly-live");
    if (!live) return;
    var width = Number(figure.getAttribute("data-width"));
    var scale = Math.min(1, figure.clientWidth / width);
    live.style.transform = scale < 1 ? "scale(" + scale + ")" : "";
  }

  function draw(Plotly, figure) {
    var data = figure.querySelector("script.plotly-data");
    var frame = figure.querySelector(".plotly-frame");
    if (!data || !frame) return Promise.resolve();
    var spec = JSON.parse(data.textContent);
    var live = document.createElement("div");
    live.className = "plotly-live";
    live.style.width = figure.getAttribute("data-width") + "px";
    live.style.height = figure.getAttribute("data-height") + "px";
    frame.appendChild(live);
    fit(figure);
    var config = { displaylogo: false, responsive: false };
    return Plotly.newPlot(live, { data: spec.data, layout: spec.layout, frames: spec.frames || [], config: config }).then(
      function () { figure.classList.add("plotly-drawn"); },
      function () { frame.removeChild(live); }
    );
  }

  function start() {
    var tag = document.createElement("script");
    tag.src = plotlyUrl;
    tag.async = true;
    window.cnnBook.plotlyRequestedAt = performance.now();
    tag.onload = function () {
      window.cnnBook.plotlyLoadedAt = performance.now();
      if (!window.Plotly) return;
      Promise.all(figures.map(function (figure) { return draw(window.Plotly, figure).catch(function () {}); })).then(function () {
        window.cnnBook.figuresDrawnAt = performance.now();
      });
    };
    // A failed load leaves the PNGs: they are the same figures, only not interactive.
    tag.onerror = function () { window.cnnBook.plotlyFailed = true; };
    document.head.appendChild(tag);
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { figures.forEach(fit); }, 100);
  });

  if (document.readyState === "complete") setTimeout(start, 0);
  else window.addEventListener("load", function () { setTimeout(start, 0); });
})();
