// Session player: get-ready countdown, rep tapping, hold and rest timers, with a beep and a buzz.
// The page works without it (the log form is plain HTML); this only adds the guided timer.
// Keyboard and screen readers: when a control hides itself (Start, the rep button, Pause at the end)
// the focus goes to the control that takes over (Pause in a countdown, the rep button while counting
// reps, the first answer of the form at the end), never to the page; a focus the person put elsewhere
// stays there. Each phase is announced in a live region that is on the page, empty, from the start.
(function () {
  "use strict";
  const root = document.querySelector(".player");
  if (!root) return;
  const plan = JSON.parse(root.dataset.timer);
  const box = root.querySelector(".timer");
  const phaseEl = box.querySelector(".timer-phase");
  const countEl = box.querySelector(".timer-count");
  const detailEl = box.querySelector(".timer-detail");
  const repButton = box.querySelector(".tap-rep");
  const pauseButton = box.querySelector(".timer-pause");
  const skipButton = box.querySelector(".timer-skip");
  const startButton = root.querySelector(".timer-start");
  const setsInput = root.querySelector(".done-sets");
  const repsInput = root.querySelector(".done-reps");
  const status = root.querySelector("[data-timer-status]");
  const reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  let audio = null;
  let paused = false;
  let ticking = null;
  let step = 0;
  let steps = [];
  let setsDone = 0;

  function beep(high) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = high ? 880 : 660;
      gain.gain.value = 0.15;
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.18);
    } catch (e) { /* sound is a nicety */ }
    if (navigator.vibrate) navigator.vibrate(high ? [120, 60, 120] : 150);
  }

  // Build the whole session as a list of steps: countdowns and rep-tapping blocks.
  function buildSteps() {
    const list = [{ kind: "count", phase: "Get ready", seconds: plan.getReady, detail: "Get into the starting position." }];
    const sides = plan.perSide ? ["left side", "right side"] : [null];
    for (let set = 1; set <= plan.sets; set++) {
      sides.forEach(function (side, sideIndex) {
        const label = "Set " + set + " of " + plan.sets + (side ? ", " + side : "");
        if (plan.hold) {
          const holds = plan.reps || 1;
          for (let rep = 1; rep <= holds; rep++) {
            if (plan.move > 0) list.push({ kind: "count", phase: "Move into position", seconds: Math.ceil(plan.move / 2), detail: label + " · rep " + rep + " of " + holds });
            list.push({ kind: "count", phase: "Hold", seconds: plan.hold, detail: label + " · rep " + rep + " of " + holds, beepEnd: true });
          }
        } else if (plan.reps) {
          list.push({ kind: "reps", phase: "Reps", reps: plan.reps, detail: label });
        }
        if (side && sideIndex === 0 && plan.rest > 0) list.push({ kind: "count", phase: "Switch sides", seconds: Math.min(plan.rest, 10), detail: "" });
      });
      list.push({ kind: "set-done" });
      if (set < plan.sets && plan.rest > 0) list.push({ kind: "count", phase: "Rest", seconds: plan.rest, detail: "Next: set " + (set + 1) });
    }
    list.push({ kind: "finished" });
    return list;
  }

  function sentence(text) {
    return /[.!?]$/.test(text) ? text : text + ".";
  }

  function show(phase, count, detail, spoken) {
    phaseEl.textContent = phase;
    countEl.textContent = count;
    detailEl.textContent = detail || "";
    if (status) status.textContent = spoken;
  }

  // Where the focus is now, if it is nowhere useful: on the page, or on a control that is hiding.
  function focusLost() {
    const active = document.activeElement;
    return !active || active === document.body || active === document.documentElement ||
      active === startButton || active === repButton || active.hidden === true;
  }
  // Space counts a rep only from the page itself (or the rep button, as any button takes Space).
  function focusOnPage() {
    const active = document.activeElement;
    return !active || active === document.body || active === document.documentElement ||
      active.id === "main" || active === box;
  }

  function next() {
    clearInterval(ticking);
    repButton.hidden = true;
    step += 1;
    run();
  }

  function run() {
    const s = steps[step];
    if (!s) return;
    if (s.kind === "set-done") {
      setsDone += 1;
      setsInput.value = setsDone;
      return next();
    }
    if (s.kind === "finished") {
      const moveOn = focusLost() || box.contains(document.activeElement);
      show("Done!", "✓", "Now tell us how it went.", "Done! Now tell us how it went.");
      beep(true);
      skipButton.hidden = true;
      pauseButton.hidden = true;
      const form = root.querySelector(".log-form");
      if (!moveOn) return;
      form.scrollIntoView({ behavior: reduceMotion ? "auto" : "smooth", block: "start" });
      const first = form.querySelector("input[type=radio]");
      (first || form.querySelector("button")).focus({ preventScroll: true });
      return;
    }
    if (s.kind === "reps") {
      let done = 0;
      show(s.phase, "0 / " + s.reps, s.detail + " · tap the button (or press space) after each rep",
        s.reps + " reps. " + sentence(s.detail) + " Press Rep done after each rep.");
      const moveOn = focusLost() || box.contains(document.activeElement);
      repButton.hidden = false;
      if (moveOn) repButton.focus();
      repButton.onclick = function () {
        done += 1;
        if (repsInput) repsInput.value = done;  // the taps fill the log; the person can still change it
        countEl.textContent = done + " / " + s.reps;
        if (status) status.textContent = done + " of " + s.reps;
        if (navigator.vibrate) navigator.vibrate(40);
        if (done >= s.reps) { beep(true); next(); }
      };
      return;
    }
    let left = s.seconds;
    show(s.phase, left, s.detail, s.phase + ": " + left + " seconds." + (s.detail ? " " + sentence(s.detail) : ""));
    if (focusLost()) pauseButton.focus();
    beep(false);
    ticking = setInterval(function () {
      if (paused) return;
      left -= 1;
      countEl.textContent = Math.max(left, 0);
      if (left <= 0) { if (s.beepEnd) beep(true); next(); }
    }, 1000);
  }

  startButton.addEventListener("click", function () {
    box.hidden = false;
    steps = buildSteps();
    step = 0;
    setsDone = 0;
    run();  // focuses Pause while the button still has the focus, then hides the button
    startButton.hidden = true;
  });
  pauseButton.addEventListener("click", function () {
    paused = !paused;
    pauseButton.textContent = paused ? "Resume" : "Pause";
  });
  skipButton.addEventListener("click", function () {
    // Skip to the step after the current set's end.
    const rest = steps.slice(step).findIndex(function (s) { return s.kind === "set-done"; });
    clearInterval(ticking);
    repButton.hidden = true;
    step = rest >= 0 ? step + rest : steps.length - 1;
    run();
  });
  document.addEventListener("keydown", function (event) {
    if (event.code !== "Space" || repButton.hidden || event.ctrlKey || event.altKey || event.metaKey) return;
    if (!focusOnPage()) return;  // on the rep button Space presses it; on Pause it pauses
    event.preventDefault();
    if (!event.repeat) repButton.click();
  });
  root.classList.add("has-js");
})();
