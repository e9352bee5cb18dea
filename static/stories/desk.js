/* The article reading view of the editor's desk.
 *
 * Selecting text in the article (mouse, or Shift+arrow keys once the text has focus) opens the
 * "Cite as evidence for…" panel with the passage filled in. Offsets are body offsets in Unicode
 * code points, as the server counts them: every run of text is rendered as an element carrying
 * data-start/data-end, and the paragraph separators are not rendered, so an offset is always
 * data-start plus the code points before the selection point inside that run -- never a count of
 * the DOM's text.
 *
 * Without this script the same form is a plain form below the text: paste the quote, submit.
 *
 * In re-anchor mode (?reanchor=<evidence id>) the selection fills the "Point the passage here"
 * form instead, which posts its offsets to the passage's page in Anchors to review.
 */
(function () {
  "use strict";

  var text = document.getElementById("desk-text");
  var bodyData = document.getElementById("desk-body");
  if (!text || !bodyData) return;
  document.documentElement.classList.add("desk-js");

  var chars = Array.from(JSON.parse(bodyData.textContent)); // one entry per code point
  var segs = Array.prototype.slice.call(text.querySelectorAll("[data-start]"));
  var status = document.getElementById("desk-status");
  var panel = document.getElementById("cite");
  var form = document.getElementById("cite-form");
  var dock = document.getElementById("desk-dock");
  var current = null; // {start, end} of the passage in the panel
  // How much text before a passage the server keeps as its context (anchoring.CONTEXT_CHARS).
  var contextChars = form ? parseInt(form.dataset.contextChars, 10) : 0;

  function field(name) {
    return form ? form.elements.namedItem(name) : null;
  }
  // The admin's autocomplete (select2, on django.jQuery) renders only the chosen option and
  // hears only jQuery's change events.
  var jQuery = window.django && window.django.jQuery;
  function isAutocomplete(input) {
    return Boolean(jQuery && input.classList && input.classList.contains("admin-autocomplete"));
  }
  /* Set a field; an autocomplete is given the option it lacks (``label`` names it). */
  function setValue(name, value, label) {
    var input = field(name);
    if (!input) return;
    value = value == null ? "" : String(value);
    if (input instanceof RadioNodeList) {
      Array.prototype.forEach.call(input, function (radio) {
        radio.checked = radio.value === value;
      });
    } else if (isAutocomplete(input)) {
      var known = Array.prototype.some.call(input.options, function (option) {
        return option.value === value;
      });
      if (!known) input.add(new Option(label || value, value));
      jQuery(input).val(value).trigger("change");
    } else {
      input.value = value;
    }
  }
  function onChange(input, listener) {
    if (isAutocomplete(input)) jQuery(input).on("change", listener);
    else input.addEventListener("change", listener);
  }
  /* Focus a field; an autocomplete's visible part is select2's, not the hidden select. */
  function focusField(input) {
    var shown = isAutocomplete(input) && input.nextElementSibling;
    var selection = shown && shown.querySelector(".select2-selection");
    (selection || input).focus();
  }
  function say(message) {
    if (status) status.textContent = message;
  }
  function slice(start, end) {
    return chars.slice(start, end).join("");
  }
  function codePoints(string) {
    return Array.from(string).length;
  }
  function segStart(seg) {
    return parseInt(seg.dataset.start, 10);
  }
  function segEnd(seg) {
    return parseInt(seg.dataset.end, 10);
  }

  // ---- DOM selection <-> body offsets ------------------------------------------------------

  /* The body offset of a selection boundary. A boundary outside every run (in a popover, or
     between paragraphs) snaps to the next run's start (a start) or the previous run's end. */
  function offsetOf(node, offset, isEnd) {
    var previousEnd = null;
    for (var i = 0; i < segs.length; i++) {
      var seg = segs[i];
      var range = document.createRange();
      range.selectNodeContents(seg);
      var where;
      try {
        where = range.comparePoint(node, offset);
      } catch (e) {
        return null;
      }
      if (where === 0) {
        var textNode = seg.firstChild;
        if (node === textNode) {
          return segStart(seg) + codePoints(textNode.data.slice(0, offset));
        }
        return offset === 0 ? segStart(seg) : segEnd(seg);
      }
      if (where < 0) return isEnd ? previousEnd : segStart(seg);
      previousEnd = segEnd(seg);
    }
    return isEnd ? previousEnd : null;
  }

  /* The DOM point of a body offset, for showing a passage chosen from the quote list. */
  function pointOf(bodyOffset, isEnd) {
    for (var i = 0; i < segs.length; i++) {
      var seg = segs[i];
      var start = segStart(seg);
      var end = segEnd(seg);
      if (bodyOffset < start) return { node: seg.firstChild, offset: 0 };
      if (bodyOffset < end || (isEnd && bodyOffset === end)) {
        var prefix = Array.from(seg.firstChild.data).slice(0, bodyOffset - start).join("");
        return { node: seg.firstChild, offset: prefix.length };
      }
    }
    var last = segs[segs.length - 1];
    return last ? { node: last.firstChild, offset: last.firstChild.data.length } : null;
  }

  function selectedPassage() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    var range = selection.getRangeAt(0);
    if (!range.intersectsNode(text)) return null;
    var start = offsetOf(range.startContainer, range.startOffset, false);
    var end = offsetOf(range.endContainer, range.endOffset, true);
    if (start === null || end === null || end <= start) return null;
    while (start < end && /\s/.test(chars[start])) start++;
    while (end > start && /\s/.test(chars[end - 1])) end--;
    return end > start ? { start: start, end: end } : null;
  }

  function showPending(passage) {
    if (!window.CSS || !CSS.highlights || typeof Highlight === "undefined") return;
    CSS.highlights.delete("desk-pending");
    if (!passage) return;
    var from = pointOf(passage.start, false);
    var to = pointOf(passage.end, true);
    if (!from || !to) return;
    var range = document.createRange();
    range.setStart(from.node, from.offset);
    range.setEnd(to.node, to.offset);
    CSS.highlights.set("desk-pending", new Highlight(range));
  }

  // ---- The cite panel ----------------------------------------------------------------------

  var hint = null;
  function setUpDock() {
    if (!panel || !dock || !form) return;
    dock.appendChild(panel);
    hint = document.createElement("p");
    hint.className = "desk-dock-hint module";
    var label = document.createElement("span");
    label.textContent = "Select a passage in the text to cite it, or ";
    var paste = document.createElement("button");
    paste.type = "button";
    paste.className = "desk-link-button";
    paste.textContent = "paste a quote";
    paste.addEventListener("click", function () {
      openPanel(null);
      var quote = field("quote");
      if (quote) quote.focus();
    });
    hint.appendChild(label);
    hint.appendChild(paste);
    hint.appendChild(document.createTextNode("."));
    dock.insertBefore(hint, panel);
    var keepOpen = panel.dataset.open === "true" || panel.classList.contains("has-errors");
    if (keepOpen) {
      openPanel(null);
      var start = parseInt(field("start") && field("start").value, 10);
      var end = parseInt(field("end") && field("end").value, 10);
      if (!isNaN(start) && !isNaN(end) && end > start) showPending({ start: start, end: end });
    } else {
      closePanel();
    }
  }

  function openPanel(passage) {
    if (!panel) return;
    panel.hidden = false;
    if (hint) hint.hidden = true;
    var selectionBox = panel.querySelector(".desk-selection");
    if (passage) {
      current = passage;
      var quote = slice(passage.start, passage.end);
      setValue("quote", quote);
      setValue("start", passage.start);
      setValue("end", passage.end);
      setValue("context", slice(Math.max(0, passage.start - contextChars), passage.start).trim());
      panel.querySelector(".desk-selected-quote").textContent = quote;
      panel.querySelector(".desk-offsets").textContent =
        "(characters " + passage.start + "\u2013" + passage.end + ")";
      if (selectionBox) selectionBox.hidden = false;
      showPending(passage);
    } else if (selectionBox && !current) {
      selectionBox.hidden = true;
    }
  }

  function closePanel() {
    current = null;
    showPending(null);
    if (!panel) return;
    ["quote", "start", "end", "context"].forEach(function (name) {
      setValue(name, "");
    });
    var selectionBox = panel.querySelector(".desk-selection");
    if (selectionBox) selectionBox.hidden = true;
    if (dock && dock.contains(panel)) {
      panel.hidden = true;
      if (hint) hint.hidden = false;
    }
  }

  function citeSelection(focus) {
    var passage = selectedPassage();
    if (!passage || !form) return false;
    openPanel(passage);
    say(
      "Selected " + (passage.end - passage.start) + " characters (" + passage.start + "\u2013" +
        passage.end + "). Press Enter to fill in the claim, Escape to cancel."
    );
    if (focus) {
      var first = field("claim");
      if (first) focusField(first);
    }
    return true;
  }

  // ---- Re-anchor mode -----------------------------------------------------------------------

  var reanchor = document.getElementById("reanchor-form");

  /* Docked beside the text like the cite panel, selections only: the pasted quote is the
     no-JavaScript way, and a pasted quote would win over the selected offsets. */
  function setUpReanchor() {
    if (!reanchor) return;
    if (dock) dock.appendChild(reanchor.closest("section"));
    var paste = reanchor.querySelector(".desk-reanchor-paste");
    paste.hidden = true;
    paste.querySelector("textarea").disabled = true;
    clearReanchor();
  }

  function clearReanchor() {
    if (!reanchor) return;
    showPending(null);
    reanchor.elements.namedItem("start").value = "";
    reanchor.elements.namedItem("end").value = "";
    reanchor.querySelector(".desk-selection").hidden = true;
    reanchor.querySelector(".desk-reanchor-hint").hidden = false;
    reanchor.querySelector("[type=submit]").disabled = true;
  }

  function pointSelection(focus) {
    var passage = selectedPassage();
    if (!passage) return false;
    reanchor.elements.namedItem("start").value = passage.start;
    reanchor.elements.namedItem("end").value = passage.end;
    reanchor.querySelector(".desk-selected-quote").textContent = slice(passage.start, passage.end);
    reanchor.querySelector(".desk-offsets").textContent =
      "(characters " + passage.start + "\u2013" + passage.end + ")";
    reanchor.querySelector(".desk-selection").hidden = false;
    reanchor.querySelector(".desk-reanchor-hint").hidden = true;
    var submit = reanchor.querySelector("[type=submit]");
    submit.disabled = false;
    showPending(passage);
    say(
      "Selected " + (passage.end - passage.start) + " characters (" + passage.start + "\u2013" +
        passage.end + "). Press Enter to point the passage here, Escape to cancel."
    );
    if (focus) submit.focus();
    return true;
  }

  /* What a selection in the text is for: re-pointing a passage, or citing one. */
  function takeSelection(focus) {
    return reanchor ? pointSelection(focus) : citeSelection(focus);
  }

  // ---- Events ------------------------------------------------------------------------------

  var pending = null;
  document.addEventListener("selectionchange", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      takeSelection(false);
    }, 200);
  });
  text.addEventListener("mousedown", function (event) {
    if (!event.target.closest(".desk-pop")) text.classList.add("is-selecting");
  });
  document.addEventListener("mouseup", function () {
    text.classList.remove("is-selecting");
  });

  var KEYS = {
    ArrowLeft: ["backward", "character"],
    ArrowRight: ["forward", "character"],
    ArrowUp: ["backward", "line"],
    ArrowDown: ["forward", "line"],
    Home: ["backward", "lineboundary"],
    End: ["forward", "lineboundary"],
  };

  /* Keyboard selection: the text is not editable, so there is no caret until we place one. */
  function ensureCaret(selection) {
    if (selection.rangeCount && text.contains(selection.anchorNode)) return;
    var active = document.activeElement;
    var seg = active && active !== text && text.contains(active)
      ? active.querySelector("[data-start]")
      : segs[0];
    if (seg) selection.collapse(seg.firstChild, 0);
  }

  text.addEventListener("keydown", function (event) {
    if (!form && !reanchor) return;
    var selection = window.getSelection();
    var key = KEYS[event.key];
    if (key && typeof selection.modify === "function") {
      if (!event.shiftKey && !(selection.rangeCount && text.contains(selection.anchorNode))) {
        return; // no caret yet: let the arrow keys scroll the page
      }
      ensureCaret(selection);
      var granularity = key[1] === "character" && (event.ctrlKey || event.altKey) ? "word" : key[1];
      selection.modify(event.shiftKey ? "extend" : "move", key[0], granularity);
      event.preventDefault();
    } else if (event.key === "Enter" && !event.target.closest("a, button")) {
      if (takeSelection(true)) event.preventDefault();
    } else if (event.key === "Escape") {
      selection.removeAllRanges();
      closePanel();
      clearReanchor();
      say("Selection cleared.");
    }
  });

  if (form) {
    form.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        closePanel();
        text.focus();
        say("Citing cancelled.");
      }
    });
    form.addEventListener("click", function (event) {
      var action = event.target.closest("[data-action]");
      if (!action) return;
      if (action.dataset.action === "cancel") {
        window.getSelection().removeAllRanges();
        closePanel();
        text.focus();
      } else if (action.dataset.action === "edit-quote") {
        panel.querySelector(".desk-selection").hidden = true;
        current = null;
        var quote = field("quote");
        if (quote) quote.focus();
      }
    });
    // An existing claim and a new claim exclude each other.
    var claim = field("claim");
    var claimText = field("claim_text");
    if (claim && claimText) {
      onChange(claim, function () {
        if (claim.value) claimText.value = "";
      });
      claimText.addEventListener("input", function () {
        if (claimText.value && claim.value) setValue("claim", "");
      });
    }
  }

  // "Cite as a claim" on quoted speech: fill the panel instead of reloading the page.
  document.querySelectorAll(".desk-quote-cite").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!form) return;
      event.preventDefault();
      var passage = {
        start: parseInt(link.dataset.quoteStart, 10),
        end: parseInt(link.dataset.quoteEnd, 10),
      };
      openPanel(passage);
      setValue("claim", "");
      setValue("claim_text", link.dataset.claimText);
      setValue("stance", "supports");
      setValue("origin", "");
      setValue("origin_kind", link.dataset.originKind);
      setValue("origin_label", link.dataset.originLabel);
      setValue("origin_person", link.dataset.person, link.dataset.personName);
      var from = pointOf(passage.start, false);
      if (from) from.node.parentNode.scrollIntoView({ block: "center", behavior: "smooth" });
      var input = field("claim_text") || field("claim");
      if (input) focusField(input);
      say("Quote selected; check the claim and where it comes from, then cite it.");
    });
  });

  // Removing a passage asks first; without this script the server asks on its own page.
  document.querySelectorAll("form.desk-remove").forEach(function (removeForm) {
    removeForm.addEventListener("submit", function (event) {
      if (window.confirm(removeForm.dataset.confirm || "Remove this passage?")) {
        removeForm.elements.namedItem("confirmed").value = "yes";
      } else {
        event.preventDefault();
      }
    });
  });

  setUpDock();
  setUpReanchor();
})();
