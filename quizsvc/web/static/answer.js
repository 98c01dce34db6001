// Progressive enhancement of the problem component (components/problem.html). Without this
// script every answer is typed as text and works the same; with it:
// - matrix and vector fields become grids of cells the student resizes (the typed text box
//   stays one click away, and is what the form sends). A grid starts at the same neutral size
//   for every problem, or at the size of what was typed: never at the size of the key.
// - each field shows how the server read it (as STACK does), before anything is submitted:
//   the form's data-preview-url is POSTed {answer}; nothing is graded, recorded or counted.
(function () {
  "use strict";
  var NEUTRAL = { matrix: [2, 2], vector: [1, 3] };
  var MAX_SIDE = 30;
  var DELAY = 400;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // Rows of a typed matrix or vector, as text cells: "1 2; 3 4", one row a line, [[1, 2], [3, 4]].
  function splitRows(text, kind) {
    var t = text.trim();
    if (!t) { return []; }
    var rows;
    if (kind === "vector") {
      rows = [t.replace(/^[\[(]+|[\])]+$/g, "")];
    } else if (/^\s*[\[(]\s*[\[(]/.test(t) || /[\])]\s*,?\s*[\[(]/.test(t)) {
      rows = (t.match(/[\[(][^\[\]()]*[\])]/g) || []).map(function (r) { return r.slice(1, -1); });
    } else {
      rows = t.replace(/^[\[(]|[\])]$/g, "").split(/[;\n]/);
    }
    return rows.map(function (r) { return r.split(/[,\s]+/).filter(Boolean); })
      .filter(function (r) { return r.length; });
  }

  function Grid(textarea) {
    this.textarea = textarea;
    this.kind = textarea.getAttribute("data-grid");
    var rows = splitRows(textarea.value, this.kind);
    var size = NEUTRAL[this.kind] || [2, 2];
    this.rows = rows.length ? rows.length : size[0];
    this.cols = rows.length ? Math.max.apply(null, rows.map(function (r) { return r.length; })) : size[1];
    if (this.kind === "vector") { this.rows = 1; }
    this.values = rows;
    this.build();
  }

  Grid.prototype.build = function () {
    var self = this, ta = this.textarea, id = ta.id;
    this.box = el("div", { "class": "grid-editor", "role": "group", "aria-labelledby": labelId(ta) });
    this.wrap = el("div", { "class": "grid-wrap" });
    this.table = el("table", { "class": "grid", "role": "presentation" });
    this.wrap.appendChild(this.table);
    var tools = el("div", { "class": "grid-tools" });
    this.sizeText = el("span", { "class": "grid-size", "aria-live": "polite", "id": id + "-size" });
    tools.appendChild(this.sizeText);
    var buttons = this.kind === "vector"
      ? [["+ entry", "Add an entry", 0, 1], ["\u2212 entry", "Remove the last entry", 0, -1]]
      : [["+ row", "Add a row", 1, 0], ["\u2212 row", "Remove the last row", -1, 0],
         ["+ column", "Add a column", 0, 1], ["\u2212 column", "Remove the last column", 0, -1]];
    buttons.forEach(function (b) {
      var button = el("button", { "type": "button", "class": "secondary small", "aria-label": b[1] }, b[0]);
      button.addEventListener("click", function () { self.resize(self.rows + b[2], self.cols + b[3]); });
      tools.appendChild(button);
    });
    this.toggle = el("button", { "type": "button", "class": "secondary small grid-toggle",
                                 "aria-controls": id }, "Type it as text instead");
    this.toggle.addEventListener("click", function () { self.showText(ta.hidden === false ? false : true); });
    tools.appendChild(this.toggle);
    this.box.appendChild(this.wrap);
    this.box.appendChild(tools);
    ta.parentNode.insertBefore(this.box, ta);
    var label = document.querySelector('label[for="' + id + '"]');
    if (label) {
      // The label names the text box; while the grid shows, clicking it goes to the first cell.
      label.addEventListener("click", function (e) {
        if (ta.hidden && self.cell(0, 0)) { e.preventDefault(); self.cell(0, 0).focus(); }
      });
    }
    this.showText(false);
  };

  // Show the typed text box (true) or the grid (false); the text box is what the form sends.
  Grid.prototype.showText = function (text) {
    this.textarea.hidden = !text;
    this.wrap.hidden = text;
    Array.prototype.forEach.call(this.box.querySelectorAll(".grid-tools button:not(.grid-toggle)"),
      function (b) { b.hidden = text; });
    this.sizeText.hidden = text;
    this.toggle.textContent = text ? "Use a grid instead" : "Type it as text instead";
    if (!text) { this.fromText(); this.render(); }
  };

  Grid.prototype.fromText = function () {
    var rows = splitRows(this.textarea.value, this.kind);
    if (rows.length) {
      this.values = rows;
      this.rows = this.kind === "vector" ? 1 : Math.min(rows.length, MAX_SIDE);
      this.cols = Math.min(Math.max.apply(null, rows.map(function (r) { return r.length; })), MAX_SIDE);
    }
  };

  Grid.prototype.cell = function (i, j) {
    return this.table.querySelector('input[data-r="' + i + '"][data-c="' + j + '"]');
  };

  Grid.prototype.resize = function (rows, cols) {
    this.read();
    this.rows = Math.max(1, Math.min(MAX_SIDE, rows));
    this.cols = Math.max(1, Math.min(MAX_SIDE, cols));
    if (this.kind === "vector") { this.rows = 1; }
    this.render();
    this.write();
  };

  Grid.prototype.read = function () {
    var out = [];
    for (var i = 0; i < this.rows; i++) {
      var row = [];
      for (var j = 0; j < this.cols; j++) {
        var c = this.cell(i, j);
        row.push(c ? c.value.trim() : ((this.values[i] || [])[j] || ""));
      }
      out.push(row);
    }
    this.values = out;
  };

  Grid.prototype.render = function () {
    var self = this, vector = this.kind === "vector";
    this.table.textContent = "";
    for (var i = 0; i < this.rows; i++) {
      var tr = el("tr");
      for (var j = 0; j < this.cols; j++) {
        var input = el("input", {
          "type": "text", "autocomplete": "off", "spellcheck": "false",
          "data-r": String(i), "data-c": String(j),
          "aria-label": vector ? "Entry " + (j + 1) : "Row " + (i + 1) + ", column " + (j + 1)
        });
        input.value = (this.values[i] || [])[j] || "";
        input.addEventListener("input", function () { self.read(); self.write(); });
        input.addEventListener("keydown", function (e) { self.key(e); });
        input.addEventListener("paste", function (e) { self.paste(e); });
        var td = el("td");
        td.appendChild(input);
        tr.appendChild(td);
      }
      this.table.appendChild(tr);
    }
    this.sizeText.textContent = vector ? this.cols + (this.cols === 1 ? " entry" : " entries")
      : this.rows + " \u00d7 " + this.cols;
  };

  // Up/Down move between rows; Enter moves to the next cell.
  Grid.prototype.key = function (e) {
    var i = Number(e.target.getAttribute("data-r")), j = Number(e.target.getAttribute("data-c"));
    var next = null;
    if (e.key === "ArrowUp") { next = this.cell(i - 1, j); }
    else if (e.key === "ArrowDown") { next = this.cell(i + 1, j); }
    else if (e.key === "Enter") {
      next = this.cell(i, j + 1) || this.cell(i + 1, 0);
    } else { return; }
    e.preventDefault();
    if (next) { next.focus(); next.select(); }
  };

  // Pasting a whole matrix into a cell fills the grid from that cell, growing it as needed.
  Grid.prototype.paste = function (e) {
    var text = (e.clipboardData || window.clipboardData).getData("text");
    var rows = splitRows(text, this.kind === "vector" ? "vector" : "matrix");
    if (rows.length <= 1 && (!rows[0] || rows[0].length <= 1)) { return; }
    e.preventDefault();
    var i0 = Number(e.target.getAttribute("data-r")), j0 = Number(e.target.getAttribute("data-c"));
    this.read();
    var width = Math.max.apply(null, rows.map(function (r) { return r.length; }));
    var rowsNeeded = this.kind === "vector" ? 1 : Math.max(this.rows, i0 + rows.length);
    var colsNeeded = Math.max(this.cols, j0 + width);
    while (this.values.length < rowsNeeded) { this.values.push([]); }
    for (var i = 0; i < rows.length && (this.kind !== "vector" || i === 0); i++) {
      for (var j = 0; j < rows[i].length; j++) { this.values[i0 + i][j0 + j] = rows[i][j]; }
    }
    this.rows = Math.min(rowsNeeded, MAX_SIDE);
    this.cols = Math.min(colsNeeded, MAX_SIDE);
    this.render();
    this.write();
  };

  // The text the form sends: "" for an empty grid, else rows of entries ("?" for an empty cell,
  // which the preview reports: the grid never guesses an entry).
  Grid.prototype.write = function () {
    var any = this.values.some(function (r) { return r.some(function (v) { return v !== ""; }); });
    var text = "";
    if (any) {
      var rows = this.values.slice(0, this.rows).map(function (r) {
        var cells = [];
        for (var j = 0; j < this.cols; j++) { cells.push(r[j] === undefined || r[j] === "" ? "?" : r[j]); }
        return cells.join(this.kind === "vector" ? ", " : " ");
      }, this);
      text = rows.join("\n");
    }
    this.textarea.value = text;
    this.textarea.dispatchEvent(new Event("change", { bubbles: true }));
  };

  Grid.prototype.emptyCell = function () {
    if (!this.textarea.hidden) { return null; }
    var filled = false, empty = null;
    for (var i = 0; i < this.rows; i++) {
      for (var j = 0; j < this.cols; j++) {
        var v = ((this.values[i] || [])[j] || "");
        if (v) { filled = true; } else if (!empty) { empty = [i + 1, j + 1]; }
      }
    }
    return filled ? empty : null;
  };

  function labelId(ta) {
    var label = document.querySelector('label[for="' + ta.id + '"]');
    if (label && !label.id) { label.id = ta.id + "-label"; }
    return label ? label.id : ta.id;
  }

  // -- live preview ---------------------------------------------------------------------
  function answerOf(form) {
    var answer = {};
    Array.prototype.forEach.call(form.querySelectorAll(".field"), function (field) {
      var name = field.getAttribute("data-field");
      var inputs = field.querySelectorAll('[name="' + name + '"]');
      var values = [];
      Array.prototype.forEach.call(inputs, function (input) {
        if ((input.type === "checkbox" || input.type === "radio") && !input.checked) { return; }
        if (input.value.trim()) { values.push(input.value.trim()); }
      });
      if (values.length) { answer[name] = values.join(", "); }
    });
    return answer;
  }

  function show(output, state, message, html) {
    output.className = "preview " + state;
    output.textContent = "";
    if (state === "blank") { return; }
    output.appendChild(el("span", { "class": "preview-label" }, message + (html ? ": " : "")));
    if (html) {
      // The server's HTML went through its allow-list sanitiser (quizsvc.render): MathML only.
      var doc = new DOMParser().parseFromString("<div>" + html + "</div>", "text/html");
      Array.prototype.forEach.call(doc.body.firstChild.childNodes, function (node) {
        output.appendChild(document.importNode(node, true));
      });
    }
  }

  function enhance(form) {
    var grids = {};
    Array.prototype.forEach.call(form.querySelectorAll("textarea[data-grid]"), function (ta) {
      grids[ta.name] = new Grid(ta);
    });
    var url = form.getAttribute("data-preview-url");
    if (!url || !window.fetch) { return; }
    var headers = { "Content-Type": "application/json", "Accept": "application/json" };
    if (form.getAttribute("data-preview-token")) {
      headers.Authorization = "Bearer " + form.getAttribute("data-preview-token");
    }
    if (form.getAttribute("data-csrf")) { headers["X-CSRFToken"] = form.getAttribute("data-csrf"); }
    var timer = null, seq = 0, edited = {};

    function run() {
      var mine = ++seq;
      var answer = answerOf(form);
      fetch(url, { method: "POST", headers: headers, credentials: "same-origin",
                   body: JSON.stringify({ answer: answer }) })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (res) {
          if (!res || mine !== seq) { return; }
          (res.fields || []).forEach(function (f) {
            var field = form.querySelector('.field[data-field="' + f.name + '"]');
            var output = field && field.querySelector("output.preview");
            if (!output || f.kind === "choice") { return; }
            // Until it is edited, a field the server could not read already says why.
            if (!edited[f.name] && field.querySelector(".error-message")) { return; }
            var empty = grids[f.name] && grids[f.name].emptyCell();
            if (empty) {
              show(output, "unreadable", "Row " + empty[0] + ", column " + empty[1] + " is empty");
            } else if (f.state === "read") {
              show(output, "read", f.size ? "Read as a " + f.size.replace("x", " \u00d7 ") + " " + f.kind : "Read as", f.html);
            } else if (f.state === "unreadable") {
              show(output, "unreadable", "Cannot read this yet: " + f.message);
            } else {
              show(output, "blank", "");
            }
          });
        })
        .catch(function () { /* the preview is a help: the form still works without it */ });
    }

    function later(e) {
      var field = e.target.closest && e.target.closest(".field");
      if (field) { edited[field.getAttribute("data-field")] = true; }
      clearTimeout(timer);
      timer = setTimeout(run, DELAY);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    if (Object.keys(answerOf(form)).length) { run(); }
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form.answer-form"), enhance);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
