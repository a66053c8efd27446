// The camera coach in the session player. The pose model (@mediapipe/pose, served from this site)
// runs here, in the browser; what goes to the server is only the 33 body points of each frame, in a
// small batch every half second. The server counts reps, times holds and picks the cue with the same
// Python rules as every other form check: this file draws and speaks, it does not judge.
// The camera stops when the set ends, when the person stops it, and when the page is hidden.
(function () {
  "use strict";
  const panel = document.querySelector("[data-camera]");
  if (!panel) return;
  const config = JSON.parse(panel.dataset.camera);
  const guide = panel.querySelector(".camera-guide");
  const livePart = panel.querySelector(".camera-live");
  const resultPart = panel.querySelector(".camera-result");
  const startButton = panel.querySelector(".camera-start");
  const finishButton = panel.querySelector(".camera-finish");
  const stopButton = panel.querySelector(".camera-stop");
  const video = panel.querySelector(".camera-video");
  const canvas = panel.querySelector(".camera-overlay");
  const numberEl = panel.querySelector(".camera-number");
  const cueEl = panel.querySelector(".camera-cue");
  const stateEl = panel.querySelector(".camera-state");
  const soundBox = panel.querySelector(".camera-sound");
  const repsInput = document.querySelector(".log-form .done-reps");
  const holdInput = document.querySelector(".log-form .done-hold");
  const csrf = document.querySelector(".log-form input[name=csrfmiddlewaretoken]");

  const SEND_EVERY_MS = 500;     // the counter lags the movement by about this plus the answer's trip
  const MIN_FRAME_GAP_MS = 66;   // at most ~15 samples a second: enough for the rules, light to send
  const CUE_SHOWN_MS = 4000;

  let stream = null;
  let pose = null;
  let check = null;
  let running = false;
  let startedAt = 0;
  let lastFrameAt = -Infinity;
  let buffer = [];
  let seq = 0;
  let sending = Promise.resolve();
  let lastCue = "";
  let cueTimer = null;
  let latest = null;
  let timer = null;

  function say(text) {
    if (!soundBox || !soundBox.checked || !("speechSynthesis" in window) || !text) return;
    try {
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
    } catch (e) { /* speech is a nicety */ }
  }

  function showCue(text, kind) {
    if (!text) return;
    cueEl.textContent = text;
    clearTimeout(cueTimer);
    cueTimer = setTimeout(function () { cueEl.textContent = ""; }, CUE_SHOWN_MS);
    if (kind && text !== lastCue) say(text);
    lastCue = text;
  }

  function clientKey() {
    const bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
      body: JSON.stringify(body || {}),
    });
    const doc = await response.json().catch(function () { return {}; });
    if (!response.ok) throw new Error(doc.error || "The server did not answer.");
    return doc;
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      const tag = document.createElement("script");
      tag.src = src;
      tag.onload = resolve;
      tag.onerror = function () { reject(new Error("The pose model could not be loaded.")); };
      document.head.appendChild(tag);
    });
  }

  function draw(landmarks) {
    const ctx = canvas.getContext("2d");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!landmarks) return;
    ctx.lineWidth = Math.max(2, canvas.width / 160);
    ctx.strokeStyle = "#7fe0a0";
    (window.POSE_CONNECTIONS || []).forEach(function (pair) {
      const a = landmarks[pair[0]];
      const b = landmarks[pair[1]];
      if (!a || !b || a.visibility < 0.5 || b.visibility < 0.5) return;
      ctx.beginPath();
      ctx.moveTo(a.x * canvas.width, a.y * canvas.height);
      ctx.lineTo(b.x * canvas.width, b.y * canvas.height);
      ctx.stroke();
    });
    ctx.fillStyle = "#ffffff";
    landmarks.forEach(function (p) {
      if (p.visibility < 0.5) return;
      ctx.beginPath();
      ctx.arc(p.x * canvas.width, p.y * canvas.height, ctx.lineWidth * 1.5, 0, 2 * Math.PI);
      ctx.fill();
    });
  }

  function round(v, places) {
    const f = Math.pow(10, places);
    return Math.round(v * f) / f;
  }

  function onResults(results) {
    if (!running) return;
    const t = Math.round(performance.now() - startedAt);
    const marks = results.poseLandmarks;
    const row = [t];
    if (marks && marks.length === 33) {
      marks.forEach(function (p) {
        row.push(round(p.x, 4), round(p.y, 4), round(p.z, 3), round(p.visibility === undefined ? 1 : p.visibility, 3));
      });
    }
    buffer.push(row);
    draw(marks);
  }

  // One frame at a time, and always back to the event loop in between: on a slow computer the model
  // takes most of a second a frame, and the batches, the buttons and the screen must still get a turn.
  async function frameLoop() {
    while (running) {
      const now = performance.now();
      if (now - lastFrameAt >= MIN_FRAME_GAP_MS && video.readyState >= 2) {
        lastFrameAt = now;
        try { await pose.send({ image: video }); } catch (e) { /* a dropped frame */ }
      }
      await new Promise(function (r) { setTimeout(r, 15); });
    }
  }

  function flush() {
    if (!check || buffer.length === 0) return sending;
    const samples = buffer.splice(0, 120);
    const body = { seq: seq++, samples: samples };
    sending = sending.then(function () {
      return post(check.batch_url, body).catch(function () { return post(check.batch_url, body); });
    }).then(showReading).catch(function (e) { stateEl.textContent = e.message; });
    return sending;
  }

  function showReading(reading) {
    if (!reading || !running) return;
    latest = reading;
    if (config.countsReps) {
      numberEl.textContent = reading.reps;
      if (config.targetReps && reading.reps >= config.targetReps) { finish(); return; }
    } else {
      const now = reading.hold_seconds;
      const best = Math.max(now || 0, Math.max.apply(null, [0].concat(reading.holds)));
      numberEl.textContent = Math.floor(now !== null ? now : best);
      if (config.targetHold && now === null && best >= config.targetHold) { finish(); return; }
    }
    stateEl.textContent = reading.seen ? "" : "Move so the camera sees all of you.";
    showCue(reading.cue, reading.cue_kind);
  }

  function stopCamera() {
    running = false;
    clearInterval(timer);
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
  }

  async function finish() {
    if (!running && !check) return;
    const wasRunning = running;
    stopCamera();
    if (!check) return;
    const current = check;
    check = null;
    if (wasRunning) {
      const rest = buffer.splice(0);
      if (rest.length) {
        const body = { seq: seq++, samples: rest.slice(-120) };
        sending = sending.then(function () { return post(current.batch_url, body); }).catch(function () {});
      }
    }
    await sending;
    stateEl.textContent = "Checking the set…";
    try {
      const result = await post(current.finish_url);
      showResult(result);
    } catch (e) {
      stateEl.textContent = e.message;
    }
  }

  function showResult(result) {
    livePart.hidden = true;
    resultPart.hidden = false;
    resultPart.querySelector(".camera-headline").textContent = result.error || result.headline;
    const list = resultPart.querySelector(".camera-faults");
    list.textContent = "";
    (result.faults || []).forEach(function (message) {
      const item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
    });
    if (result.seen === false && result.visibility) {
      const item = document.createElement("li");
      item.textContent = result.visibility;
      list.appendChild(item);
    }
    resultPart.querySelector(".camera-result-link").href = result.result_url;
    if (result.reps !== null && result.reps !== undefined && repsInput) repsInput.value = result.reps;
    if (result.hold_seconds && holdInput) holdInput.value = result.hold_seconds;
    say(result.headline);
    resultPart.focus();
  }

  async function start() {
    startButton.disabled = true;
    guide.hidden = true;
    livePart.hidden = false;
    resultPart.hidden = true;
    stateEl.textContent = "Starting the camera…";
    try {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        throw new Error("This browser cannot use the camera here.");
      }
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } }, audio: false,
      });
      video.srcObject = stream;
      await video.play();
      stateEl.textContent = "Loading the body tracker…";
      if (!window.Pose) await loadScript(config.poseBase + "pose.js");
      if (!pose) {
        pose = new window.Pose({ locateFile: function (file) { return config.poseBase + file; } });
        pose.setOptions({ modelComplexity: 0, smoothLandmarks: true, enableSegmentation: false,
          minDetectionConfidence: 0.5, minTrackingConfidence: 0.5 });
        pose.onResults(onResults);
        await pose.initialize();
        // The first frame compiles the model's shaders (seconds on a slow computer): done here, while
        // the page says it is loading, so the set's clock starts with a tracker that keeps up.
        await pose.send({ image: video });
      }
      if (!stream) return;  // stopped while loading
      check = await post(config.startUrl, { client_key: clientKey(), width: video.videoWidth, height: video.videoHeight });
      buffer = [];
      seq = 0;
      lastCue = "";
      startedAt = performance.now();
      running = true;
      numberEl.textContent = "0";
      stateEl.textContent = "";
      showCue("Get into the starting position.", "position");
      timer = setInterval(flush, SEND_EVERY_MS);
      frameLoop();
      finishButton.focus();
    } catch (e) {
      stopCamera();
      check = null;
      stateEl.textContent = (e && e.name === "NotAllowedError")
        ? "The camera was not allowed. You can allow it in the browser's settings, or upload a video instead."
        : (e.message || "The camera could not start.");
      guide.hidden = false;
    } finally {
      startButton.disabled = false;
    }
  }

  startButton.addEventListener("click", start);
  finishButton.addEventListener("click", finish);
  stopButton.addEventListener("click", function () {
    finish();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.hidden && running) finish();
  });
  window.addEventListener("pagehide", function () { if (running) stopCamera(); });
})();
