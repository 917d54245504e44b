// Follow an import job on its page: fetch its state every two seconds, show the phase and
// the count, and reload the page for the result once the job is done. Without this script
// the page refreshes itself (a <noscript> meta refresh).
(function () {
  "use strict";
  var section = document.getElementById("import-job");
  if (!section || section.dataset.follow !== "true") {
    return;
  }
  var url = section.dataset.statusUrl;
  var status = document.getElementById("job-status");
  var phase = document.getElementById("job-phase");
  var count = document.getElementById("job-count");
  var bar = document.getElementById("job-progress");

  function show(job) {
    status.textContent = job.status_label;
    phase.textContent = job.phase_label;
    count.textContent = job.count;
    if (job.total > 0) {
      bar.max = job.total;
      bar.value = job.done;
    } else {
      bar.removeAttribute("value");
    }
  }

  function poll() {
    fetch(url, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (job) {
        if (job.finished) {
          window.location.reload();
          return;
        }
        show(job);
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        window.setTimeout(poll, 10000);
      });
  }

  window.setTimeout(poll, 2000);
})();
