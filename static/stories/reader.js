// Citation previews on touch: the first tap on a marker shows its preview, the
// second follows the link. Mouse and keyboard need no script (CSS :hover and
// :focus), and without this file a tap goes straight to the passage.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var marker = event.target.closest && event.target.closest(".cite");
    if (!marker || !marker.parentElement.classList.contains("cite-wrap")) {
      document.querySelectorAll(".cite-wrap.is-open").forEach(function (open) {
        open.classList.remove("is-open");
      });
      return;
    }
    var wrap = marker.parentElement;
    if (event.pointerType === "touch" || (window.matchMedia && window.matchMedia("(hover: none)").matches)) {
      if (!wrap.classList.contains("is-open")) {
        event.preventDefault();
        document.querySelectorAll(".cite-wrap.is-open").forEach(function (open) {
          open.classList.remove("is-open");
        });
        wrap.classList.add("is-open");
      }
    }
  });
})();
