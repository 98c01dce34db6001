// The practice page a launch lands on: the student's problems of the linked bank, answered
// through the JSON API with the short-lived token the launch embedded. No innerHTML: every
// text from the server goes in through textContent.
(function () {
  "use strict";
  var boot = JSON.parse(document.getElementById("quizsvc-launch").textContent);
  var root = document.getElementById("practice");
  if (!boot.bank) { return; }
  var headers = { "Authorization": "Bearer " + boot.token, "Content-Type": "application/json" };

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }

  function field(spec) {
    var label = el("label", spec.label + " ");
    var input;
    if (spec.kind === "choice") {
      input = el("select");
      input.multiple = !!spec.multiple;
      (spec.choices || []).forEach(function (c) { var o = el("option", c); o.value = c; input.appendChild(o); });
    } else {
      input = el("input");
      input.type = "text";
      input.placeholder = spec.kind === "shape" ? "e.g. 6x24x24" : spec.kind;
    }
    input.name = spec.name;
    label.appendChild(input);
    return label;
  }

  function value(input) {
    if (input.tagName === "SELECT" && input.multiple) {
      return Array.prototype.filter.call(input.options, function (o) { return o.selected; })
        .map(function (o) { return o.value; });
    }
    return input.value;
  }

  function card(problem, index) {
    var box = el("section", null, "problem");
    box.appendChild(el("h2", "Problem " + (index + 1)));
    box.appendChild(el("pre", problem.prompt));
    var form = el("form");
    problem.answer_spec.forEach(function (spec) { form.appendChild(field(spec)); });
    var button = el("button", "Check");
    button.type = "submit";
    form.appendChild(button);
    var out = el("div");
    var left = el("p", "Attempts left: " + (problem.attempts_left === null ? "unlimited" : problem.attempts_left));
    box.appendChild(form);
    box.appendChild(left);
    box.appendChild(out);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var answer = {};
      Array.prototype.forEach.call(form.elements, function (input) {
        if (input.name) { answer[input.name] = value(input); }
      });
      button.disabled = true;
      var h = Object.assign({ "Idempotency-Key": (self.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) }, headers);
      fetch(boot.api + "/problems/" + problem.id + "/attempts", {
        method: "POST", headers: h, body: JSON.stringify({ answer: answer })
      }).then(function (r) { return r.json(); }).then(function (res) {
        out.textContent = "";
        if (res.code) { out.appendChild(el("p", res.message, "bad")); return; }
        out.appendChild(el("p", (res.correct ? "Correct. " : "Not yet. ") + res.feedback, res.correct ? "ok" : "bad"));
        if (res.misconception && res.misconception.title) {
          out.appendChild(el("p", res.misconception.title + ": " + res.misconception.explanation));
        }
        if (res.solution) { out.appendChild(el("pre", res.solution)); }
        left.textContent = "Attempts left: " + (res.attempts_left === null ? "unlimited" : res.attempts_left);
      }).catch(function () {
        out.textContent = "The answer could not be sent; check your connection and try again.";
      }).then(function () { button.disabled = false; });
    });
    return box;
  }

  fetch(boot.api + "/banks/" + boot.bank.id, { headers: headers })
    .then(function (r) { return r.json(); })
    .then(function (bank) {
      if (bank.code) { root.appendChild(el("p", bank.message, "bad")); return; }
      if (!bank.problems) {
        root.appendChild(el("p", "This bank has " + bank.size + " problems per student; students see theirs here."));
        return;
      }
      bank.problems.forEach(function (p, i) { root.appendChild(card(p, i)); });
    });
})();
