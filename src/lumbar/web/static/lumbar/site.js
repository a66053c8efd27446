// Every page: the error summary takes the focus and its links reach their fields; animated exercise
// figures get a pause control. Pages work without it; this only adds to them.
(function () {
  "use strict";
  const reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // --- Error summary -------------------------------------------------------------------------------
  // `autofocus` focuses it as the page loads, except when the address has a #fragment (which, in
  // Chromium, also takes the focus off any element once the page has loaded): then here, and again
  // after the load if the focus went back to the page.
  const summary = document.querySelector("[data-error-summary]");
  function focusSummary() {
    const active = document.activeElement;
    if (summary && (!active || active === document.body || active === summary)) summary.focus();
  }
  focusSummary();
  window.addEventListener("load", function () { focusSummary(); setTimeout(focusSummary, 0); });
  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    const field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    // Show the question with its field: the legend of a group of options, or the field's label.
    const group = field.closest("fieldset");
    const label = group ? group.querySelector("legend") : document.querySelector("label[for='" + field.id + "']");
    field.focus({ preventScroll: true });
    (label || field).scrollIntoView({ block: "start", behavior: reduceMotion ? "auto" : "smooth" });
  });

  // --- Animated figures ----------------------------------------------------------------------------
  // The figures move by SMIL; pauseAnimations() stops one where it is. The choice holds for every
  // figure, on this page and the next ones. With reduced motion the figure is a still (no button).
  const KEY = "lumbar-figures-paused";
  const figures = Array.prototype.filter.call(document.querySelectorAll("svg.lumbar-figure"), function (svg) {
    return svg.querySelector(".lf-moving") && typeof svg.pauseAnimations === "function";
  });
  if (!figures.length) return;
  let paused = false;
  try { paused = window.localStorage.getItem(KEY) === "1"; } catch (e) { /* storage is a nicety */ }
  const buttons = figures.map(function (svg) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button secondary figure-pause";
    svg.insertAdjacentElement("afterend", button);
    button.addEventListener("click", function () { apply(!paused, true); });
    return button;
  });
  function apply(pause, remember) {
    paused = pause;
    figures.forEach(function (svg) { if (pause) svg.pauseAnimations(); else svg.unpauseAnimations(); });
    buttons.forEach(function (button) { button.textContent = pause ? "Play the animations" : "Pause the animations"; });
    if (remember) {
      try { window.localStorage.setItem(KEY, pause ? "1" : "0"); } catch (e) { /* storage is a nicety */ }
    }
  }
  apply(paused, false);
})();
