// A page that is waiting for the server (a video being analysed) reloads itself every few seconds.
(function () {
  "use strict";
  const poll = document.querySelector("[data-refresh-seconds]");
  if (!poll) return;
  const seconds = Math.max(1, Number(poll.dataset.refreshSeconds) || 3);
  setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
