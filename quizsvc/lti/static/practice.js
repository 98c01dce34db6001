// The LTI landing page, inside the LMS's iframe. The page works without this script (answers
// post as forms that carry the launch's token; static/answer.js adds grids and the live
// preview). This adds what only an iframe needs: after an answer, move focus to its result,
// and ask the LMS to fit the frame to the page (Canvas and others read lti.frameResize).
(function () {
  "use strict";
  var focus = document.body.getAttribute("data-focus");
  var target = focus && document.getElementById(focus);
  if (target) {
    if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "start" });
  }

  var last = 0;
  function resize() {
    var height = Math.ceil(document.documentElement.scrollHeight);
    if (window.parent === window || Math.abs(height - last) < 4) { return; }
    last = height;
    // No secret goes in this message: the subject and a height only, to whichever LMS frames us.
    window.parent.postMessage(JSON.stringify({ subject: "lti.frameResize", height: height }), "*");
  }
  window.addEventListener("load", resize);
  window.addEventListener("resize", resize);
  if (window.ResizeObserver) { new ResizeObserver(resize).observe(document.body); }
})();
