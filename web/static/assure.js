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

// The review screen's keys: j or n for the next control, k or p for the
// previous one, a to accept, i and r for needs information and reject,
// which need a comment: with none written yet they put the cursor in the
// comment, and Ctrl+Enter there records the verdict asked for. No key does
// anything while the visitor types in a field or holds a modifier.
(function () {
  "use strict";
  if (!document.querySelector("[data-review]")) { return; }
  var form = document.querySelector("form[data-verdict-form]");
  var comment = form ? form.querySelector("textarea[name=comment]") : null;
  var pending = "";
  var swallow = ""; // the character of a shortcut just taken, kept out of the field it focused
  // The single-key shortcuts can be turned off (they may clash with other
  // tools' keys); the choice is kept in this browser.
  var on = true;
  try { on = window.localStorage.getItem("assure-review-keys") !== "off"; } catch (err) { on = true; }
  var sw = document.querySelector("[data-keys-switch]");
  var box = document.getElementById("keys-on");
  if (sw && box) {
    sw.hidden = false;
    box.checked = on;
    box.addEventListener("change", function () {
      on = box.checked;
      try { window.localStorage.setItem("assure-review-keys", on ? "on" : "off"); } catch (err) { /* kept for this page only */ }
    });
  }

  function typing(el) {
    return el && (el.isContentEditable || (el.closest && el.closest("input, textarea, select") !== null));
  }
  function follow(rel) {
    var a = document.querySelector(".pager a[rel=" + rel + "]");
    if (a) { window.location.href = a.href; }
  }
  function verdict(value) {
    var b = form ? form.querySelector("button[name=verdict][value=" + value + "]") : null;
    if (!b) { return; }
    if (value !== "accepted" && comment && comment.value.trim() === "") {
      pending = value;
      var note = form.querySelector("[data-pending-note]");
      if (note) { note.hidden = false; }
      comment.focus();
      return;
    }
    b.click();
  }

  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && comment && e.target === comment) {
      if (pending && comment.value.trim() !== "") { e.preventDefault(); verdict(pending); }
      return;
    }
    if (!on || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) { return; }
    var act = { j: function () { follow("next"); }, n: function () { follow("next"); },
      k: function () { follow("prev"); }, p: function () { follow("prev"); },
      a: function () { verdict("accepted"); }, i: function () { verdict("needs_info"); },
      r: function () { verdict("rejected"); } }[e.key];
    if (act) { e.preventDefault(); swallow = e.key; act(); }
  });
  document.addEventListener("keypress", function (e) {
    if (swallow && e.key === swallow) { e.preventDefault(); }
    swallow = "";
  }, true);
  document.addEventListener("keyup", function () { swallow = ""; });
  document.body.setAttribute("data-review-keys", "ready");
})();

// The administrator's screens: the provider select shows only for the roles
// that belong to a provider, and a secret shown once can be copied.
(function () {
  "use strict";
  document.querySelectorAll("select[data-provider-roles]").forEach(function (role) {
    var field = document.getElementById(role.getAttribute("data-provider-field"));
    if (!field) { return; }
    var roles = role.getAttribute("data-provider-roles").split(" ");
    function show() { field.hidden = roles.indexOf(role.value) < 0; }
    role.addEventListener("change", show);
    show();
  });
  document.querySelectorAll("button[data-copy]").forEach(function (b) {
    var source = document.getElementById(b.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) { b.hidden = true; return; }
    b.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        b.setAttribute("data-copied", "true");
      });
    });
  });
})();
