/* The patient-link page: "Copy the link" and "Print the slip" buttons. Without JavaScript the
   buttons stay hidden; the link can be selected and the page printed from the browser menu. */
(function () {
  "use strict";
  var copy = document.getElementById("copy-link");
  var print = document.getElementById("print-slip");
  var status = document.getElementById("copy-status");
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(copy.getAttribute("data-copy")).then(function () {
        status.textContent = "Link copied.";
      }, function () {
        status.textContent = "Could not copy; select the link and copy it.";
      });
    });
  }
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
})();
