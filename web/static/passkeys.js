// Passkeys: adding one on the account's passkeys page and signing in with
// one on the sign-in page. The server sends WebAuthn options as JSON with
// binary fields in base64url; this turns them into the ArrayBuffers the
// browser wants, calls navigator.credentials, and posts the answer back as
// JSON with the binary fields in base64url again. Messages come from data-
// attributes of the page, in its language. Without this script, or without
// WebAuthn, the pages keep their password forms.
(function () {
  "use strict";
  var csrf = document.body.getAttribute("data-csrf") || "";
  var supported = !!(window.PublicKeyCredential && navigator.credentials);

  function fromB64url(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) { s += "="; }
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }

  function toB64url(buf) {
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function decodeList(list) {
    return (list || []).map(function (c) { return Object.assign({}, c, { id: fromB64url(c.id) }); });
  }

  function creationOptions(o) {
    var pk = Object.assign({}, o.publicKey);
    pk.challenge = fromB64url(pk.challenge);
    pk.user = Object.assign({}, pk.user, { id: fromB64url(pk.user.id) });
    pk.excludeCredentials = decodeList(pk.excludeCredentials);
    return { publicKey: pk };
  }

  function requestOptions(o) {
    var pk = Object.assign({}, o.publicKey);
    pk.challenge = fromB64url(pk.challenge);
    pk.allowCredentials = decodeList(pk.allowCredentials);
    return { publicKey: pk };
  }

  function encodeCredential(c) {
    var r = c.response, out = {
      id: c.id, rawId: toB64url(c.rawId), type: c.type,
      authenticatorAttachment: c.authenticatorAttachment || undefined,
      clientExtensionResults: c.getClientExtensionResults ? c.getClientExtensionResults() : {},
      response: { clientDataJSON: toB64url(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = toB64url(r.attestationObject);
      if (r.getTransports) { out.response.transports = r.getTransports(); }
    } else {
      out.response.authenticatorData = toB64url(r.authenticatorData);
      out.response.signature = toB64url(r.signature);
      if (r.userHandle) { out.response.userHandle = toB64url(r.userHandle); }
    }
    return out;
  }

  // post sends body to url and gives back the JSON answer, or throws one
  // carrying the server's message.
  function post(url, body, type) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": type, "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: body
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        if (!resp.ok) { var e = new Error(data.message || ""); e.server = data; throw e; }
        return data;
      });
    });
  }

  function say(el, text) {
    el.textContent = text;
    el.hidden = !text;
  }

  // problem turns a failure into the page's words: the server's own message,
  // or what the browser's refusal means.
  function problem(root, err) {
    if (err && err.server && err.server.message) { return err.server.message; }
    if (err && (err.name === "NotAllowedError" || err.name === "AbortError")) { return root.dataset.msgCancelled; }
    if (err && err.name === "InvalidStateError") { return root.dataset.msgKnown; }
    return root.dataset.msgFailed;
  }

  // The passkeys page: name the passkey, then let the browser make it.
  var add = document.getElementById("passkey-add");
  if (add) {
    var unsupported = document.getElementById("passkey-unsupported");
    if (supported) { add.hidden = false; if (unsupported) { unsupported.hidden = true; } }
    var nameInput = document.getElementById("passkey-name");
    var nameError = document.getElementById("passkey-name-error");
    var status = document.getElementById("passkey-status");
    add.addEventListener("submit", function (e) {
      e.preventDefault();
      say(nameError, ""); say(status, "");
      nameInput.removeAttribute("aria-invalid");
      var button = add.querySelector("button[type=submit]");
      button.disabled = true;
      post(add.dataset.optionsUrl, new URLSearchParams({ name: nameInput.value }).toString(),
        "application/x-www-form-urlencoded")
        .catch(function (err) {
          if (err.server && err.server.field === "passkey-name") {
            say(nameError, err.server.message);
            nameInput.setAttribute("aria-invalid", "true");
            nameInput.focus();
            err.shown = true;
          }
          throw err;
        })
        .then(function (opts) { return navigator.credentials.create(creationOptions(opts)); })
        .then(function (cred) { return post(add.dataset.finishUrl, JSON.stringify(encodeCredential(cred)), "application/json"); })
        .then(function (done) { window.location.assign(done.redirect); })
        .catch(function (err) {
          button.disabled = false;
          if (!err.shown) { say(status, problem(add, err)); status.focus(); }
        });
    });
  }

  // The sign-in page: a passkey alone, or as the second factor after the
  // password (the options are then in the page, for that account only).
  var signin = document.getElementById("passkey-signin");
  if (signin && supported) {
    signin.hidden = false;
    var button = signin.querySelector("button");
    var error = document.getElementById("passkey-signin-error");
    button.addEventListener("click", function () {
      say(error, "");
      button.disabled = true;
      var options = signin.dataset.options ? Promise.resolve(JSON.parse(signin.dataset.options))
        : post(signin.dataset.optionsUrl, "", "application/x-www-form-urlencoded");
      options
        .then(function (opts) { return navigator.credentials.get(requestOptions(opts)); })
        .then(function (cred) { return post(signin.dataset.finishUrl, JSON.stringify(encodeCredential(cred)), "application/json"); })
        .then(function (done) { window.location.assign(done.redirect); })
        .catch(function (err) {
          button.disabled = false;
          say(error, problem(signin, err));
          error.focus();
        });
    });
  }
})();
