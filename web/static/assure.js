// Assure's own script: everything works without it; with it, forms send the
// CSRF token with htmx requests, evidence can be dropped onto the page, and
// large uploads show their progress.
(function () {
  "use strict";
  var csrf = document.body.getAttribute("data-csrf");

  document.body.addEventListener("htmx:configRequest", function (e) {
    if (csrf) { e.detail.headers["X-CSRF-Token"] = csrf; }
  });

  // htmx swaps only 2xx answers by default; a conflict or a problem comes
  // back as 409 or 422 with the card to show, so swap those too.
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    var s = e.detail.xhr.status;
    if (s === 409 || s === 422) { e.detail.shouldSwap = true; e.detail.isError = false; }
  });

  // A save that fails otherwise (an expired session or form, a lost
  // connection) says so on its card rather than failing silently.
  function unsaved(e) {
    var card = e.detail.elt && e.detail.elt.closest ? e.detail.elt.closest("article.card") : null;
    var note = card ? card.querySelector(".unsaved") : null;
    if (note) { note.hidden = false; }
  }
  document.body.addEventListener("htmx:responseError", function (e) {
    var s = e.detail.xhr.status;
    if (s !== 409 && s !== 422) { unsaved(e); }
  });
  document.body.addEventListener("htmx:sendError", unsaved);

  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var bar = form.querySelector("progress");
    var zone = form.querySelector(".drop");
    ["dragenter", "dragover"].forEach(function (t) {
      zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; }
    });
    form.addEventListener("submit", function (e) {
      if (!window.FormData || !window.XMLHttpRequest) { return; }
      e.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRF-Token", csrf || "");
      bar.hidden = false;
      xhr.upload.addEventListener("progress", function (p) {
        if (p.lengthComputable) { bar.value = Math.round(p.loaded * 100 / p.total); }
      });
      xhr.addEventListener("load", function () {
        if (xhr.status < 300) { window.location.href = xhr.responseURL; return; }
        // A refusal comes back as the page naming every problem.
        var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
        document.replaceChild(document.adoptNode(doc.documentElement), document.documentElement);
      });
      xhr.send(new FormData(form));
    });
  });
})();
