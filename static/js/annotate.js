// annotate.js: selection, keys, actor pickers and condition rows on the Annotate page.
//
// Everything else (saving, editing, deleting, searching actors, swapping fragments) is plain
// HTML forms and htmx attributes in statements/article_detail.html; this module only does what
// HTML cannot: measure a mouse selection, react to keys, and fill in form fields.
//
// Offsets: a selection is measured in UTF-16 code units over the text container (#article-text,
// whose textContent is exactly the stored article text) and sent as start_u16/end_u16 with the
// quote. The server converts them to code points once (statements/forms.py, Utf16Text) and the
// service checks the quote, so this module never counts code points itself.
//
// Keys while a statement form is open: 1 support, 2 caveat, 3 demand (outside text fields),
// Enter saves (Ctrl+Enter in the note), Escape closes a picker's list, leaves evidence mode,
// then cancels. In a picker: type to search, ArrowDown/ArrowUp move, Enter picks.
//
// The server's status messages ("Statement saved.") and failed requests are announced by
// status.js; this page only says what a refusal (403) means here.

import { focusErrors, setErrorMessages } from "./status.js";

setErrorMessages({ 403: "Not allowed: you can only change your own statements. Nothing was changed." });

const textRoot = () => document.getElementById("article-text");
const tagger = () => document.getElementById("tagger");
const panel = () => document.getElementById("panel");

let evidenceForm = null; // the form waiting for a condition's evidence to be selected, if any
let selectionHandled = false; // the click that ends a selecting drag must not open a highlight

// ---- Measuring the selection --------------------------------------------------------------

// The current selection inside `root` as UTF-16 offsets and quote, trimmed of surrounding
// whitespace; null when nothing (or only whitespace) inside `root` is selected.
function measureSelection(root) {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0).cloneRange();
  if (!range.intersectsNode(root)) return null;
  // Clamp a drag that started or ended outside the text to the text.
  const whole = document.createRange();
  whole.selectNodeContents(root);
  if (range.compareBoundaryPoints(Range.START_TO_START, whole) < 0) range.setStart(root, 0);
  if (range.compareBoundaryPoints(Range.END_TO_END, whole) > 0) range.setEnd(root, root.childNodes.length);
  const before = document.createRange();
  before.setStart(root, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const raw = range.toString();
  const lead = raw.length - raw.trimStart().length;
  const quote = raw.trim();
  if (!quote) return null;
  const start = before.toString().length + lead;
  return { start, end: start + quote.length, quote };
}

// A DOM Range over UTF-16 offsets [start, end) of `root`'s text (to draw the pending highlight).
function rangeAt(root, start, end) {
  const range = document.createRange();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let pos = 0;
  let node;
  let started = false;
  while ((node = walker.nextNode())) {
    const len = node.data.length;
    if (!started && start <= pos + len) {
      range.setStart(node, start - pos);
      started = true;
    }
    if (started && end <= pos + len) {
      range.setEnd(node, end - pos);
      return range;
    }
    pos += len;
  }
  return null;
}

// The pending selection stays visible (CSS Custom Highlight API) while focus is in the panel.
function showPending(span) {
  const range = span && rangeAt(textRoot(), span.start, span.end);
  if (!window.CSS || !CSS.highlights) return range;
  if (range) CSS.highlights.set("pending", new Highlight(range));
  else CSS.highlights.delete("pending");
  return range;
}

// On a narrow window the form is a sheet over the bottom of the page: keep the quote above it.
function keepAbove(sheet, range) {
  if (!range || getComputedStyle(sheet).position !== "fixed") return;
  const quoteBottom = range.getBoundingClientRect().bottom;
  const sheetTop = sheet.getBoundingClientRect().top;
  if (quoteBottom > sheetTop - 8) window.scrollBy(0, quoteBottom - sheetTop + 24);
}

// ---- Forms: the tagging panel and the edit form ---------------------------------------------

// The statement form that keys act on: the open tagging panel, else an edit form in the panel.
function activeForm() {
  const t = tagger();
  if (t && !t.hidden) return t.querySelector("form");
  const p = panel();
  return p ? p.querySelector("form[data-annotate-form]") : null;
}

function openTagger(span) {
  const t = tagger();
  if (!t) return; // viewers have no tagging panel
  const form = t.querySelector("form");
  form.elements.start_u16.value = span.start;
  form.elements.end_u16.value = span.end;
  form.elements.quote.value = span.quote;
  form.querySelector("[data-quote]").textContent = span.quote;
  const wasOpen = !t.hidden;
  t.hidden = false;
  const p = panel();
  if (p) p.hidden = true;
  const range = showPending(span);
  window.getSelection().removeAllRanges();
  if (!wasOpen) t.querySelector("h2").focus({ preventScroll: true });
  keepAbove(t, range);
}

function resetTagger() {
  const t = tagger();
  if (!t) return;
  const form = t.querySelector("form");
  form.reset();
  for (const name of ["start_u16", "end_u16", "quote"]) form.elements[name].value = "";
  form.querySelector("[data-quote]").textContent = "";
  form.querySelectorAll("[data-condition-rows] > li").forEach((li) => li.remove());
  form.querySelectorAll("[data-picker]").forEach((picker) => choose(picker, "", ""));
  form.querySelectorAll("[data-errors]").forEach((el) => el.remove());
  t.hidden = true;
  const p = panel();
  if (p) p.hidden = false;
}

function cancel(form) {
  stopEvidence();
  if (form.dataset.annotateForm === "new") {
    resetTagger();
    showPending(null);
    panel()?.focus({ preventScroll: true });
  } else {
    form.querySelector("[data-cancel]")?.click(); // back to the read-only view (htmx link)
  }
}

function setStance(form, key) {
  const radio = form.querySelector(`input[name="stance"][data-key="${key}"]`);
  if (!radio) return;
  radio.checked = true;
  // Next step of the flow: the speaker, unless one is chosen already.
  const speaker = form.querySelector('[data-picker="speaker"]');
  if (speaker && !speaker.querySelector('input[type="hidden"]').value) {
    speaker.querySelector(".picker-q").focus();
  } else {
    radio.focus();
  }
}

// ---- Actor pickers ------------------------------------------------------------------------

function options(picker) {
  return [...picker.querySelectorAll(".picker-option")];
}

function closeOptions(picker) {
  picker.querySelector(".picker-options").replaceChildren();
}

function choose(picker, id, name) {
  const choice = picker.querySelector(".picker-choice");
  choice.querySelector('input[type="hidden"]').value = id;
  const label = choice.querySelector(".picker-name");
  label.textContent = name || label.dataset.none;
  label.classList.toggle("none", !id);
  choice.querySelector("[data-picker-clear]").hidden = !id;
  clearSearch(picker);
}

function clearSearch(picker) {
  picker.querySelector(".picker-q").value = "";
  closeOptions(picker);
}

// ---- Conditions -----------------------------------------------------------------------------

function addCondition(form, evidence) {
  const template = form.querySelector("template[data-condition-template]");
  const row = template.content.firstElementChild.cloneNode(true);
  if (evidence) {
    row.querySelector('[name="condition_ev_start"]').value = evidence.start;
    row.querySelector('[name="condition_ev_end"]').value = evidence.end;
    row.querySelector('[name="condition_ev_quote"]').value = evidence.quote;
    const shown = row.querySelector("[data-evidence]");
    shown.textContent = evidence.quote;
    shown.hidden = false;
    row.querySelector('[name="condition"]').value = evidence.quote;
  }
  form.querySelector("[data-condition-rows]").append(row);
  const input = row.querySelector('[name="condition"]');
  input.focus();
  input.select();
}

function startEvidence(form) {
  stopEvidence();
  evidenceForm = form;
  form.querySelector("[data-evidence-mode]").setAttribute("aria-pressed", "true");
  form.querySelector("[data-evidence-hint]").hidden = false;
  textRoot()?.classList.add("picking-evidence");
}

function stopEvidence() {
  if (!evidenceForm) return;
  evidenceForm.querySelector("[data-evidence-mode]")?.setAttribute("aria-pressed", "false");
  const hint = evidenceForm.querySelector("[data-evidence-hint]");
  if (hint) hint.hidden = true;
  textRoot()?.classList.remove("picking-evidence");
  evidenceForm = null;
}

// ---- Showing a statement --------------------------------------------------------------------

function articleUrl() {
  return document.getElementById("annotate").dataset.articleUrl;
}

function showParam() {
  const ws = document.getElementById("workspace");
  return ws && ws.dataset.show === "mine" ? "&show=mine" : "";
}

function openStatement(ids) {
  const url = `${articleUrl()}?statement=${ids.join(",")}${showParam()}`;
  htmx.ajax("GET", url, { target: "#panel", swap: "outerHTML" });
}

// Outline the chosen statement's highlights, its evidence and its list entry.
function markSelected() {
  document.querySelectorAll(".is-selected, .is-evidence").forEach((el) => {
    el.classList.remove("is-selected", "is-evidence");
  });
  const p = panel();
  const id = p && p.dataset.selected;
  if (!id) return;
  const marks = document.querySelectorAll(`#article-text mark[data-ids~="${id}"]`);
  marks.forEach((m) => m.classList.add("is-selected"));
  document.querySelectorAll(`#article-text mark[data-ev~="${id}"]`).forEach((m) => m.classList.add("is-evidence"));
  const item = document.getElementById(`statement-${id}`);
  if (item) {
    item.classList.add("is-selected");
    scrollWithin(item.closest(".statement-list"), item);
  }
  if (marks.length) marks[0].scrollIntoView({ block: "nearest" });
}

// Bring `el` into view inside its own scrolling list only (never scroll the page for it).
function scrollWithin(container, el) {
  if (!container || container.scrollHeight <= container.clientHeight) return;
  const box = container.getBoundingClientRect();
  const r = el.getBoundingClientRect();
  if (r.top < box.top) container.scrollTop -= box.top - r.top + 8;
  else if (r.bottom > box.bottom) container.scrollTop += r.bottom - box.bottom + 8;
}

// ---- Event wiring (delegated, so swapped-in fragments need no re-binding) -------------------

document.addEventListener("mousedown", () => {
  selectionHandled = false;
});

document.addEventListener("mouseup", (event) => {
  const root = textRoot();
  if (!root || !root.hasAttribute("data-annotatable") || !root.contains(event.target)) return;
  const span = measureSelection(root);
  if (!span) return;
  selectionHandled = true;
  if (evidenceForm && document.contains(evidenceForm)) {
    const form = evidenceForm;
    stopEvidence();
    window.getSelection().removeAllRanges();
    addCondition(form, span);
  } else {
    openTagger(span);
  }
});

document.addEventListener("click", (event) => {
  const target = event.target;
  const mark = target.closest && target.closest("#article-text mark[data-ids]");
  if (mark && !selectionHandled && window.getSelection().isCollapsed && !evidenceForm) {
    const t = tagger();
    if (!t || t.hidden) openStatement(mark.dataset.ids.split(" "));
    return;
  }
  const option = target.closest && target.closest(".picker-option");
  if (option) {
    const picker = option.closest("[data-picker]");
    choose(picker, option.dataset.actorId, option.dataset.actorName);
    picker.querySelector(".picker-q").focus();
    return;
  }
  const clear = target.closest && target.closest("[data-picker-clear]");
  if (clear) {
    const picker = clear.closest("[data-picker]");
    choose(picker, "", "");
    picker.querySelector(".picker-q").focus();
    return;
  }
  const form = target.closest && target.closest("form[data-annotate-form]");
  if (!form) return;
  if (target.closest("[data-add-condition]")) addCondition(form, null);
  else if (target.closest("[data-evidence-mode]")) {
    if (evidenceForm === form) stopEvidence();
    else startEvidence(form);
  } else if (target.closest("[data-remove-condition]")) target.closest("li").remove();
  else if (target.closest("button[data-cancel]")) cancel(form);
});

document.addEventListener("keydown", (event) => {
  const form = activeForm();
  if (!form) return;
  const target = event.target;
  const scope = form.closest("#tagger, #panel") || form;
  if (!scope.contains(target) && target !== document.body && !textRoot()?.contains(target)) return;
  const picker = target.closest && target.closest("[data-picker]");
  const field = target.matches("input[type=text], input[type=search], textarea, select");

  if (picker && ["ArrowDown", "ArrowUp"].includes(event.key)) {
    const list = options(picker);
    if (!list.length) return;
    event.preventDefault();
    const at = list.indexOf(target);
    const next = event.key === "ArrowDown" ? Math.min(at + 1, list.length - 1) : at - 1;
    (next < 0 ? picker.querySelector(".picker-q") : list[next]).focus();
    return;
  }
  if (event.key === "Escape") {
    event.preventDefault();
    if (picker && (options(picker).length || picker.querySelector(".picker-q").value)) {
      clearSearch(picker);
      picker.querySelector(".picker-q").focus();
    } else if (evidenceForm) stopEvidence();
    else cancel(form);
    return;
  }
  if (event.key === "Enter") {
    if (target.matches("textarea") && !(event.ctrlKey || event.metaKey)) return; // a new line
    if (target.matches("button, a")) return; // the element's own action
    event.preventDefault();
    if (picker && target.matches(".picker-q") && target.value.trim()) {
      // Enter in a search box picks the first match; it never saves a half-typed speaker.
      const first = options(picker)[0];
      if (first) first.click();
      return;
    }
    form.requestSubmit();
    return;
  }
  if (!field && !event.altKey && !event.ctrlKey && !event.metaKey && ["1", "2", "3"].includes(event.key)) {
    event.preventDefault();
    setStance(form, event.key);
  }
});

// htmx fires afterSwap on each element it swapped in (the new one, for outerHTML swaps).
document.body.addEventListener("htmx:afterSwap", (event) => {
  const el = event.target;
  if (el.id === "workspace") {
    // Saved or deleted: the tagging panel is fresh and hidden; keep keyboard focus nearby.
    stopEvidence();
    showPending(null);
    panel()?.focus({ preventScroll: true });
  }
  if (el.id === "workspace" || el.id === "panel") markSelected();
  if (el.id === "panel" && event.detail.requestConfig?.elt?.closest?.(".statement-list, .also, #panel")) {
    el.focus({ preventScroll: true }); // opened from the keyboard-reachable list: go to it
  }
  if (el.classList?.contains("picker-choice")) {
    // An actor was created in place and chosen.
    const picker = el.closest("[data-picker]");
    clearSearch(picker);
    picker.querySelector(".picker-q").focus();
  }
  if (el.id === "tagger" || el.id === "panel") {
    // Errors came back (422): show them to keyboard and screen-reader users.
    focusErrors(el);
  }
});

// ---- A small API for other page scripts (suggest.js) ---------------------------------------

// Code-point offsets (what the server, the API and the suggestion engine count) to UTF-16
// offsets over the text container (what the DOM counts).
function u16FromCodePoints(text, start, end) {
  let units = 0;
  let points = 0;
  let u16Start = null;
  for (const ch of text) {
    if (points === start) u16Start = units;
    if (points === end) return [u16Start ?? units, units];
    units += ch.length;
    points += 1;
  }
  if (points === start) u16Start = units;
  return points === end && u16Start !== null ? [u16Start, units] : null;
}

// window.Annotate.openTagger({start, end, stance, speaker_id, speaker_name, addressee_id,
// addressee_name, conditions, note}): open the tagging panel pre-filled, as if the user had
// selected the quote and typed the rest; nothing is saved until they press Save. `start`/`end`
// are code points (as the server counts); pass `start_u16`/`end_u16` instead for DOM offsets.
// `conditions` is a list of strings or of {description, evidence_start, evidence_end} (code
// points). Returns false when the span is not in the text or the user cannot annotate.
function openTaggerWith(options) {
  const root = textRoot();
  const t = tagger();
  if (!root || !t) return false;
  const text = root.textContent;
  let span;
  if (options.start_u16 != null && options.end_u16 != null) span = [options.start_u16, options.end_u16];
  else span = u16FromCodePoints(text, options.start, options.end);
  if (!span || span[0] >= span[1] || span[1] > text.length) return false;
  const quote = text.slice(span[0], span[1]);
  openTagger({ start: span[0], end: span[1], quote });
  const form = t.querySelector("form");
  if (options.stance) {
    const radio = form.querySelector(`input[name="stance"][value="${CSS.escape(options.stance)}"]`);
    if (radio) radio.checked = true;
  }
  for (const role of ["speaker", "addressee"]) {
    const id = options[`${role}_id`];
    if (id == null) continue;
    const picker = form.querySelector(`[data-picker="${role}"]`);
    if (picker) choose(picker, String(id), options[`${role}_name`] || `Actor #${id}`);
  }
  if (options.note != null) form.elements.note.value = options.note;
  for (const c of options.conditions || []) {
    const description = typeof c === "string" ? c : c.description;
    let evidence = null;
    if (typeof c === "object" && c.evidence_start != null && c.evidence_end != null) {
      const ev = u16FromCodePoints(text, c.evidence_start, c.evidence_end);
      if (ev) evidence = { start: ev[0], end: ev[1], quote: text.slice(ev[0], ev[1]) };
    }
    addCondition(form, evidence);
    const rows = form.querySelectorAll("[data-condition-rows] > li");
    rows[rows.length - 1].querySelector('[name="condition"]').value = description || "";
  }
  t.querySelector("h2").focus({ preventScroll: true });
  return true;
}

window.Annotate = Object.freeze({ openTagger: openTaggerWith });

markSelected();
