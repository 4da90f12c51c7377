/* Portico: put a page of this organization into your website. Usage:
   <script src="…/embed.js" data-page="contact|referral|booking" [data-code="…"] async></script> */
(function () {
  "use strict";
  var config = {{ config|safe }};
  var script = document.currentScript;
  if (!script) return;
  var page = script.getAttribute("data-page") || "contact";
  var here = new URLSearchParams(window.location.search);
  var src = config.urls[page] || config.urls.contact;
  if (page === "referral") {
    var given = script.getAttribute("data-code");
    var code = (given && given !== "CODE" ? given : "") || here.get("ref");  // CODE: the snippet's placeholder
    src = code ? config.referral.replace("/CODE/", "/" + encodeURIComponent(code) + "/") : config.urls.contact;
  }
  var query = new URLSearchParams();
  query.set("page", window.location.href.slice(0, 500));
  here.forEach(function (value, key) { if (key.indexOf("utm_") === 0) query.set(key, value.slice(0, 200)); });
  var frame = document.createElement("iframe");
  frame.src = src + "?" + query.toString();
  frame.title = script.getAttribute("data-title") || config.title;
  frame.setAttribute("loading", "lazy");
  frame.style.cssText = "width:100%;min-height:320px;border:0;display:block";
  script.parentNode.insertBefore(frame, script.nextSibling);
  window.addEventListener("message", function (event) {
    if (event.source !== frame.contentWindow || event.origin !== config.origin) return;
    var data = event.data || {};
    if (data.portico === "height" && typeof data.height === "number" && data.height > 0) {
      frame.style.height = Math.min(Math.ceil(data.height), 20000) + "px";
    }
  });
})();
