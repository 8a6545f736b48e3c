/* The book's page behaviour (deferred; the page reads fine without it): the Contents button that opens the sidebar
   on narrow screens, and a copy button on every code block. Plain DOM, no libraries. */
(function () {
  "use strict";

  /* ---- Contents button (phones): the sidebar stays collapsed until asked for ---- */
  var toggle = document.querySelector(".nav-toggle");
  var sidebar = document.getElementById("sidebar");
  if (toggle && sidebar) {
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      document.documentElement.classList.toggle("nav-open", open);
      if (open) {
        var current = sidebar.querySelector("a.current");
        if (current) current.scrollIntoView({ block: "nearest" });
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") toggle.click();
    });
  }

  /* ---- Copy buttons on code blocks ---- */
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (error) { ok = false; }
      document.body.removeChild(area);
      ok ? resolve() : reject(new Error("copy refused"));
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("pre.code-block"), function (pre) {
    var code = pre.querySelector("code");
    if (!code) return;
    var wrapper = document.createElement("div");
    wrapper.className = "code-copy-wrap";
    pre.parentNode.insertBefore(wrapper, pre);
    wrapper.appendChild(pre);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.setAttribute("aria-label", "Copy code");
    button.textContent = "Copy";
    button.addEventListener("click", function () {
      copyText(code.textContent).then(
        function () { button.textContent = "Copied"; button.classList.add("copied"); },
        function () { button.textContent = "Select and copy"; }
      );
      setTimeout(function () { button.textContent = "Copy"; button.classList.remove("copied"); }, 2000);
    });
    wrapper.appendChild(button);
  });
})();
