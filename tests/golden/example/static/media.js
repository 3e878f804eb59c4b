// Chronicle: load another site's media only when the reader asks (templates/media.html).
// Without this script each card is a plain link; with it, a button loads the player or the
// picture in place of the card. Nothing is requested from that site before the click.
"use strict";
document.querySelectorAll(".media-card .card-load").forEach(function (row) {
  var button = row.querySelector("button");
  row.hidden = false;
  button.addEventListener("click", function () {
    var card = row.closest(".media-card");
    var shown;
    if (button.dataset.image) {
      shown = document.createElement("img");
      shown.src = button.dataset.image;
      shown.alt = button.dataset.alt || "";
    } else {
      shown = document.createElement("iframe");
      shown.src = button.dataset.embed;
      shown.title = button.dataset.title;
      shown.allow = "fullscreen; picture-in-picture; encrypted-media";
      shown.referrerPolicy = "strict-origin-when-cross-origin";
      shown.setAttribute("sandbox", "allow-scripts allow-same-origin allow-popups allow-presentation");
    }
    shown.className = "media-loaded";
    card.replaceWith(shown);
    shown.focus && shown.setAttribute("tabindex", "-1");
    shown.focus();
  });
});
