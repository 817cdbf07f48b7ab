// annotate.js: selection, keys, drafts, actor pickers, condition rows, the statement list's
// sort and filter, and find-in-article on the Annotate page.
//
// Everything else (saving, editing, deleting, searching actors, swapping fragments) is plain
// HTML forms and htmx attributes in statements/article_detail.html; this module only does what
// HTML cannot: measure a selection, react to keys, keep drafts, and fill in form fields.
//
// Offsets: a selection is measured in UTF-16 code units over the text container (#article-text,
// whose textContent is exactly the stored article text) and sent as start_u16/end_u16 with the
// quote. The server converts them to code points once (statements/forms.py, Utf16Text) and the
// service checks the quote, so this module never counts code points itself (except to accept
// code-point offsets from other scripts, window.Annotate.openTagger).
//
// One form is active at a time: the tagging panel when it is open, else the edit form in the
// panel. Keys act on it:
//   1 2 3              stance (outside text fields); then the speaker search gets focus
//   Enter              saves (Ctrl+Enter in the note)
//   Shift+← / →        moves the end of the quote by a word; Alt+Shift+← / → its start
//   Esc                closes a picker's list, leaves evidence mode, then closes the form; a
//                      form with changes is kept as a draft (sessionStorage) and offered back
// In the article text (focusable with Tab): ← → move a caret, Ctrl+← → by word, ↑ ↓ by line,
// Shift extends the selection; 1 2 3 or Enter tag the selection; Enter on a highlight opens it.
//
// The server's status messages ("Statement saved.") and failed requests are announced by
// status.js; this page only says what a refusal (403) means here.

import { measureSelection, offsetOf, rangeAt, stepSpan } from "./spans.js";
import { announce, focusErrors, isTyping, setErrorMessages } from "./status.js";

setErrorMessages({ 403: "Not allowed: you can only change your own statements. Nothing was changed." });

const textRoot = () => document.getElementById("article-text");
const tagger = () => document.getElementById("tagger");
const panel = () => document.getElementById("panel");

let evidenceForm = null; // the form waiting for a condition's evidence to be selected, if any
let selectionHandled = false; // the click that ends a selecting drag must not open a highlight
let pointerDown = false; // a mouse button or a finger is down (a selection is being made)
let lastPointer = "mouse"; // the kind of the last pointer: touch selections open on selectionchange
let pendingRestore = null; // the draft key to fill into the edit form being loaded
let carryDraftId = null; // the tagging panel's draft, while its save is on the way (a 422 keeps it)

// The pending selection stays visible (CSS Custom Highlight API) while focus is in the panel.
function showPending(span) {
  const root = textRoot();
  const range = span && root && rangeAt(root, span.start, span.end);
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

// Scroll the window so that `range` is in the middle third of the view, if it is not in view.
function scrollToRange(range) {
  const r = range.getBoundingClientRect();
  if (r.top < 60 || r.bottom > window.innerHeight - 60) window.scrollBy(0, r.top - window.innerHeight / 3);
}

// ---- Forms: the tagging panel and the edit form ---------------------------------------------

// The statement form that keys act on: the open tagging panel, else an edit form in the panel.
function activeForm() {
  const t = tagger();
  if (t && !t.hidden) return t.querySelector("form");
  const p = panel();
  return p && !p.hidden ? p.querySelector("form[data-annotate-form]") : null;
}

function spanOf(form) {
  const { start_u16: s, end_u16: e, quote } = form.elements;
  if (!s || s.value === "" || e.value === "") return null;
  return { start: Number(s.value), end: Number(e.value), quote: quote.value };
}

function setSpan(form, span) {
  form.elements.start_u16.value = span.start;
  form.elements.end_u16.value = span.end;
  form.elements.quote.value = span.quote;
  form.querySelector("[data-quote]").textContent = span.quote;
  const changed = form.querySelector("[data-span-changed]");
  if (changed) changed.hidden = String(span.start) === form.dataset.origStart && String(span.end) === form.dataset.origEnd;
  return showPending(span);
}

function openTagger(span) {
  const t = tagger();
  if (!t) return; // viewers have no tagging panel
  const form = t.querySelector("form");
  const wasOpen = !t.hidden;
  if (!wasOpen) {
    form.dataset.baseline = JSON.stringify(serialize(form, true));
    form.dataset.draftId = String(Date.now());
  }
  t.hidden = false;
  const p = panel();
  if (p) p.hidden = true; // one form at a time: an edit form underneath keeps its state
  const range = setSpan(form, span);
  if (lastPointer !== "touch") window.getSelection().removeAllRanges(); // touch keeps its handles
  if (!wasOpen) t.querySelector("h2").focus({ preventScroll: true });
  keepAbove(t, range);
  saveDraft(form);
  renderDrafts();
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

// Close `form` (Esc, Cancel, or another statement opened): its changes stay a draft.
function closeForm(form) {
  stopEvidence();
  if (form.dataset.annotateForm === "new") {
    resetTagger();
    showPending(null);
    panel()?.focus({ preventScroll: true });
  } else {
    showPending(null);
    form.querySelector("[data-cancel]")?.click(); // back to the read-only view (htmx link)
  }
  renderDrafts();
}

function setStance(form, key) {
  const radio = form.querySelector(`input[name="stance"][data-key="${key}"]`);
  if (!radio) return;
  radio.checked = true;
  saveDraft(form);
  // Next step of the flow: the speaker, unless one is chosen already.
  const speaker = form.querySelector('[data-picker="speaker"]');
  if (speaker && !speaker.querySelector('input[type="hidden"]').value) {
    speaker.querySelector(".picker-q").focus();
  } else {
    radio.focus();
  }
}

// ---- Drafts (sessionStorage: they survive a reload, not the end of the browser session) -----

// "new:<when it was opened>" for the tagging panel (several can wait), "edit:<id>" for an edit.
function draftKey(form) {
  if (form.dataset.annotateForm === "new") return `new:${form.dataset.draftId || "0"}`;
  return `edit:${form.dataset.statement}`;
}

function storeKey() {
  return `annotate:drafts:${articleUrl()}`;
}

function loadDrafts() {
  try {
    return JSON.parse(sessionStorage.getItem(storeKey()) || "{}");
  } catch {
    return {};
  }
}

function storeDrafts(drafts) {
  try {
    if (Object.keys(drafts).length) sessionStorage.setItem(storeKey(), JSON.stringify(drafts));
    else sessionStorage.removeItem(storeKey());
  } catch {
    // storage full or disabled: drafts then live only as long as the form
  }
}

// What the user has entered in `form`. `content` leaves out what identifies the draft (the
// span of a new statement, the version), to tell whether anything was typed.
function serialize(form, content = false) {
  const picked = (role) => {
    const picker = form.querySelector(`[data-picker="${role}"]`);
    const id = picker?.querySelector('.picker-choice input[type="hidden"]').value || "";
    return { id, name: id ? picker.querySelector(".picker-name").textContent : "" };
  };
  const rows = [...form.querySelectorAll("[data-condition-rows] > li")].map((li) => {
    const v = (name) => li.querySelector(`[name="${name}"]`).value;
    return {
      id: v("condition_id"),
      description: v("condition"),
      ev_start: v("condition_ev_start"),
      ev_end: v("condition_ev_end"),
      ev_quote: v("condition_ev_quote"),
    };
  });
  const out = {
    stance: form.querySelector('input[name="stance"]:checked')?.value || "",
    speaker: picked("speaker"),
    addressee: picked("addressee"),
    note: form.elements.note.value,
    conditions: rows,
  };
  if (form.dataset.annotateForm === "edit" || !content) out.span = spanOf(form);
  if (!content) out.version = form.elements.version?.value || "";
  return out;
}

function isDirty(form) {
  if (!form.dataset.baseline) return false;
  return JSON.stringify(serialize(form, true)) !== form.dataset.baseline;
}

function saveDraft(form) {
  if (!form || !document.contains(form)) return;
  const drafts = loadDrafts();
  const key = draftKey(form);
  if (isDirty(form)) {
    const span = spanOf(form);
    drafts[key] = { ...serialize(form), quote: span ? span.quote : "", saved: Date.now() };
  } else {
    delete drafts[key];
  }
  storeDrafts(drafts);
}

function dropDraft(key) {
  const drafts = loadDrafts();
  delete drafts[key];
  storeDrafts(drafts);
  renderDrafts();
}

function fill(form, draft) {
  if (draft.span) setSpan(form, draft.span);
  form.querySelectorAll('input[name="stance"]').forEach((r) => (r.checked = r.value === draft.stance));
  for (const role of ["speaker", "addressee"]) {
    const picker = form.querySelector(`[data-picker="${role}"]`);
    if (picker) choose(picker, draft[role]?.id || "", draft[role]?.name || "");
  }
  form.elements.note.value = draft.note || "";
  form.querySelectorAll("[data-condition-rows] > li").forEach((li) => li.remove());
  for (const c of draft.conditions || []) {
    const row = conditionRow(form);
    for (const [name, value] of [
      ["condition_id", c.id],
      ["condition", c.description],
      ["condition_ev_start", c.ev_start],
      ["condition_ev_end", c.ev_end],
      ["condition_ev_quote", c.ev_quote],
    ])
      row.querySelector(`[name="${name}"]`).value = value || "";
    const shown = row.querySelector("[data-evidence]");
    shown.textContent = c.ev_quote || "";
    shown.hidden = !c.ev_quote;
  }
  if (draft.version && form.elements.version) form.elements.version.value = draft.version; // a conflict shows
}

// The offers to restore drafts of forms that are not open, above the side panel.
function renderDrafts() {
  const box = document.getElementById("drafts");
  if (!box) return;
  const drafts = loadDrafts();
  const open = activeForm();
  const openKey = open ? draftKey(open) : null;
  const items = Object.entries(drafts).filter(([key]) => key !== openKey);
  box.replaceChildren();
  box.hidden = !items.length;
  for (const [key, draft] of items) {
    const p = document.createElement("p");
    p.className = "draft";
    p.dataset.draft = key;
    const what = key.startsWith("new:") ? "new statement" : `edit of statement #${key.slice(5)}`;
    const quote = draft.quote ? ` “${draft.quote.length > 50 ? `${draft.quote.slice(0, 50)}…` : draft.quote}”` : "";
    const label = document.createElement("span");
    label.textContent = `Unsaved draft: ${what}${quote}.`;
    const restore = document.createElement("button");
    restore.type = "button";
    restore.className = "small primary";
    restore.dataset.restoreDraft = key;
    restore.textContent = "Restore";
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "small";
    discard.dataset.discardDraft = key;
    discard.textContent = "Discard";
    p.append(label, " ", restore, " ", discard);
    box.append(p);
  }
}

function restoreDraft(key) {
  const draft = loadDrafts()[key];
  if (!draft) return;
  const open = activeForm();
  if (open && draftKey(open) !== key) closeForm(open);
  if (key.startsWith("new:")) {
    if (!draft.span || !tagger()) return;
    openTagger(draft.span);
    const form = tagger().querySelector("form");
    form.dataset.draftId = key.slice(4);
    fill(form, draft);
    saveDraft(form);
    form.querySelector("h2").focus({ preventScroll: true });
    renderDrafts();
  } else {
    pendingRestore = key;
    const id = key.slice(5);
    htmx.ajax("GET", `${articleUrl()}?statement=${id}&edit=1${showParam()}`, { target: "#panel", swap: "outerHTML" });
  }
}

// A form just shown (page load or swap): remember its state, fill in a draft being restored.
function adoptForms() {
  for (const form of document.querySelectorAll("form[data-annotate-form]")) {
    if (form.dataset.adopted) continue;
    form.dataset.adopted = "1";
    const span = spanOf(form);
    if (span) {
      form.dataset.origStart = String(span.start);
      form.dataset.origEnd = String(span.end);
    }
    const refused = form.querySelector("[data-errors], [data-conflict]");
    // A refused save (errors, a conflict) shows typed values: they stay a draft until saved.
    form.dataset.baseline = refused ? "refused" : JSON.stringify(serialize(form, true));
    if (form.dataset.annotateForm === "new" && refused) form.dataset.draftId ||= carryDraftId || String(Date.now());
    if (form.dataset.annotateForm === "edit") {
      const key = draftKey(form);
      if (pendingRestore === key) {
        const draft = loadDrafts()[key];
        if (draft) fill(form, draft);
        pendingRestore = null;
        saveDraft(form);
      } else if (refused) {
        saveDraft(form);
      }
      if (span) showPending(spanOf(form));
    }
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

function conditionRow(form) {
  const template = form.querySelector("template[data-condition-template]");
  const row = template.content.firstElementChild.cloneNode(true);
  form.querySelector("[data-condition-rows]").append(row);
  return row;
}

function addCondition(form, evidence) {
  const row = conditionRow(form);
  if (evidence) {
    row.querySelector('[name="condition_ev_start"]').value = evidence.start;
    row.querySelector('[name="condition_ev_end"]').value = evidence.end;
    row.querySelector('[name="condition_ev_quote"]').value = evidence.quote;
    const shown = row.querySelector("[data-evidence]");
    shown.textContent = evidence.quote;
    shown.hidden = false;
    row.querySelector('[name="condition"]').value = evidence.quote;
  }
  const input = row.querySelector('[name="condition"]');
  input.focus();
  input.select();
  saveDraft(form);
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

// ---- A finished selection: the tagger, the edit form's span, or a condition's evidence ------

function selectionMade(stance) {
  const root = textRoot();
  if (!root || !root.hasAttribute("data-annotatable")) return false;
  const span = measureSelection(root);
  if (!span) return false;
  selectionHandled = true;
  if (evidenceForm && document.contains(evidenceForm)) {
    const form = evidenceForm;
    stopEvidence();
    window.getSelection().removeAllRanges();
    addCondition(form, span);
    return true;
  }
  const form = activeForm();
  if (form && form.dataset.annotateForm === "edit") {
    setSpan(form, span); // re-selecting corrects the span of the statement being edited
    if (lastPointer !== "touch") window.getSelection().removeAllRanges();
    saveDraft(form);
    form.querySelector("[data-quote]").focus({ preventScroll: true });
  } else {
    openTagger(span);
  }
  if (stance) {
    const f = activeForm();
    if (f) setStance(f, stance);
  }
  return true;
}

// ---- Showing a statement --------------------------------------------------------------------

function articleUrl() {
  return document.getElementById("annotate").dataset.articleUrl;
}

function showParam() {
  const ws = document.getElementById("workspace");
  const show = ws ? ws.dataset.show : "all";
  return show && show !== "all" ? `&show=${show}` : "";
}

function openStatement(ids) {
  const url = `${articleUrl()}?statement=${ids.join(",")}${showParam()}`;
  htmx.ajax("GET", url, { target: "#panel", swap: "outerHTML" });
}

// Outline the chosen statement's highlights, its evidence and its list entry; bring both into
// view (the text in the window, the entry in its list).
function markSelected(scrollText = true) {
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
  if (marks.length && scrollText) {
    const r = marks[0].getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight) marks[0].scrollIntoView({ block: "center" });
  }
}

// Bring `el` into view inside its own scrolling list only (never scroll the page for it).
function scrollWithin(container, el) {
  if (!container || container.scrollHeight <= container.clientHeight) return;
  const box = container.getBoundingClientRect();
  const r = el.getBoundingClientRect();
  if (r.top < box.top) container.scrollTop -= box.top - r.top + 8;
  else if (r.bottom > box.bottom) container.scrollTop += r.bottom - box.bottom + 8;
}

// ---- The statement list: sort and filter (in the browser: the entries are all on the page) --

const STATUS_ORDER = ["changes_requested", "rejected", "pending", "accepted"];
let listState = (() => {
  try {
    return JSON.parse(sessionStorage.getItem("annotate:list") || "null") || {};
  } catch {
    return {};
  }
})();

function applyList() {
  const section = document.querySelector(".statement-list");
  const tools = section?.querySelector("[data-list-tools]");
  const ol = section?.querySelector("ol");
  if (!tools || !ol) return;
  const items = [...ol.children];
  // The speaker filter offers the speakers of this list.
  const speakerSelect = tools.querySelector('[name="speaker"]');
  if (speakerSelect.options.length <= 1) {
    const names = [...new Set(items.map((li) => li.dataset.speaker))].sort((a, b) => a.localeCompare(b));
    for (const name of names) speakerSelect.add(new Option(name || "Unknown speaker", name || "-"));
  }
  for (const name of ["sort", "stance", "status", "speaker"]) {
    const el = tools.querySelector(`[name="${name}"]`);
    if (listState[name] != null && [...el.options].some((o) => o.value === listState[name])) el.value = listState[name];
  }
  tools.querySelector('[name="mine"]').checked = Boolean(listState.mine);
  const v = (name) => tools.querySelector(`[name="${name}"]`).value;
  const sort = v("sort");
  const keyOf = {
    text: (li) => [Number(li.dataset.start), Number(li.dataset.end) * -1, Number(li.dataset.statement)],
    newest: (li) => [-Number(li.dataset.statement)],
    status: (li) => [STATUS_ORDER.indexOf(li.dataset.status), Number(li.dataset.start)],
    speaker: (li) => [li.dataset.speaker || "\uffff", Number(li.dataset.start)],
  }[sort] || ((li) => [Number(li.dataset.start)]);
  const cmp = (a, b) => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    for (let i = 0; i < ka.length; i++) {
      if (ka[i] === kb[i]) continue;
      return typeof ka[i] === "string" ? ka[i].localeCompare(kb[i]) : ka[i] - kb[i];
    }
    return 0;
  };
  items.sort(cmp);
  const want = { stance: v("stance"), status: v("status"), speaker: v("speaker") };
  const mine = tools.querySelector('[name="mine"]').checked;
  let shown = 0;
  for (const li of items) {
    const hide =
      (want.stance && li.dataset.stance !== want.stance) ||
      (want.status && li.dataset.status !== want.status) ||
      (want.speaker && (li.dataset.speaker || "-") !== want.speaker) ||
      (mine && li.dataset.mine !== "1");
    li.hidden = Boolean(hide);
    if (!hide) shown += 1;
    ol.append(li);
  }
  const count = tools.querySelector("[data-list-count]");
  count.textContent = shown === items.length ? `all ${items.length}` : `${shown} of ${items.length}`;
}

function listChanged(tools) {
  listState = {};
  for (const name of ["sort", "stance", "status", "speaker"]) listState[name] = tools.querySelector(`[name="${name}"]`).value;
  listState.mine = tools.querySelector('[name="mine"]').checked;
  try {
    sessionStorage.setItem("annotate:list", JSON.stringify(listState));
  } catch {
    // ignore
  }
  applyList();
}

// ---- Find in the article ---------------------------------------------------------------------

let found = { q: "", hits: [], at: -1 };

function findHits(q) {
  const text = textRoot()?.textContent || "";
  const hits = [];
  if (!q) return hits;
  const hay = text.toLocaleLowerCase();
  const needle = q.toLocaleLowerCase();
  if (hay.length !== text.length) return hits; // a case mapping changed lengths: offsets would be off
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + needle.length)) hits.push([i, i + needle.length]);
  return hits;
}

function drawFound() {
  const root = textRoot();
  const status = document.querySelector("[data-find-count]");
  if (!root || !window.CSS || !CSS.highlights) return;
  const ranges = found.hits.map(([s, e]) => rangeAt(root, s, e)).filter(Boolean);
  if (ranges.length) CSS.highlights.set("find", new Highlight(...ranges));
  else CSS.highlights.delete("find");
  const current = found.at >= 0 && ranges[found.at];
  if (current) {
    CSS.highlights.set("find-current", new Highlight(current));
    scrollToRange(current);
  } else CSS.highlights.delete("find-current");
  if (status) {
    if (!found.q) status.textContent = "";
    else if (!found.hits.length) status.textContent = "no match";
    else status.textContent = `${found.at + 1} of ${found.hits.length}`;
  }
}

function findStep(q, step) {
  if (q !== found.q) {
    found = { q, hits: findHits(q), at: -1 };
    if (step === 0) step = 1;
  }
  if (found.hits.length && step) found.at = (found.at + step + found.hits.length) % found.hits.length;
  drawFound();
}

// The quoted passages of the text ("…", “…”) that no statement covers yet.
function unannotatedQuotes() {
  const root = textRoot();
  const text = root.textContent;
  const covered = [];
  let pos = 0;
  for (const node of root.childNodes) {
    const len = node.textContent.length;
    if (node.nodeType === 1 && node.matches("mark[data-ids]")) covered.push([pos, pos + len]);
    pos += len;
  }
  const out = [];
  for (const m of text.matchAll(/["“]([^"“”\n]+)["”]/g)) {
    const inner = m[1];
    const lead = inner.length - inner.trimStart().length;
    const s = m.index + 1 + lead;
    const e = s + inner.trim().length;
    if (e > s && !covered.some(([cs, ce]) => cs < e && ce > s)) out.push([s, e]);
  }
  return out;
}

// Select the next unannotated quotation after the caret (or the current find hit), in the
// text, so that 1 2 3 tags it.
function nextQuote() {
  const root = textRoot();
  if (!root) return;
  const quotes = unannotatedQuotes();
  const status = document.querySelector("[data-find-count]");
  if (!quotes.length) {
    if (status) status.textContent = "every quotation is annotated";
    announce("Every quotation in this article is annotated.");
    return;
  }
  const sel = window.getSelection();
  let from = -1;
  if (sel.rangeCount && root.contains(sel.anchorNode)) from = offsetOf(root, sel.getRangeAt(0).startContainer, sel.getRangeAt(0).startOffset);
  const next = quotes.find(([s]) => s > from) || quotes[0];
  const range = rangeAt(root, next[0], next[1]);
  root.focus({ preventScroll: true });
  sel.removeAllRanges();
  sel.addRange(range);
  scrollToRange(range);
  const n = quotes.indexOf(next) + 1;
  if (status) status.textContent = `quotation ${n} of ${quotes.length} without a statement`;
  announce(`Selected: “${range.toString()}”. Press 1, 2 or 3 to tag it.`);
}

// ---- Keyboard selection in the text ---------------------------------------------------------

let caretEl = null;
let lastMarkAnnounced = null;

// Draw the caret (a collapsed selection in text that is not editable is invisible otherwise).
function drawCaret() {
  const root = textRoot();
  const sel = window.getSelection();
  if (!root || document.activeElement !== root || !sel.rangeCount || !root.contains(sel.focusNode)) {
    caretEl?.remove();
    caretEl = null;
    return;
  }
  const r = document.createRange();
  r.setStart(sel.focusNode, sel.focusOffset);
  const rects = r.getClientRects();
  const rect = rects.length ? rects[0] : r.getBoundingClientRect();
  if (!caretEl) {
    caretEl = document.createElement("span");
    caretEl.className = "kbd-caret";
    caretEl.setAttribute("aria-hidden", "true");
    document.body.append(caretEl);
  }
  caretEl.style.left = `${rect.left + window.scrollX}px`;
  caretEl.style.top = `${rect.top + window.scrollY}px`;
  caretEl.style.height = `${Math.max(rect.height, 16)}px`;
  // Say which statement the caret is in (screen readers do not read a mark's description there).
  const node = sel.focusNode.nodeType === 3 ? sel.focusNode.parentElement : sel.focusNode;
  const mark = node?.closest?.("#article-text mark[data-ids]");
  if (mark !== lastMarkAnnounced) {
    lastMarkAnnounced = mark;
    if (mark) announce(`In ${mark.getAttribute("aria-description") || mark.title}`);
  }
}

function textKeys(event, root) {
  const sel = window.getSelection();
  if (!sel.rangeCount || !root.contains(sel.anchorNode)) {
    // Start at the top of the text (or where the last selection ended).
    const first = rangeAt(root, 0, 0);
    if (first) {
      sel.removeAllRanges();
      sel.addRange(first);
    }
  }
  const arrows = { ArrowLeft: "backward", ArrowRight: "forward", ArrowUp: "backward", ArrowDown: "forward" };
  if (event.key in arrows && !event.altKey && !event.metaKey) {
    const line = event.key === "ArrowUp" || event.key === "ArrowDown";
    const granularity = line ? (event.ctrlKey ? "paragraph" : "line") : event.ctrlKey ? "word" : "character";
    event.preventDefault();
    sel.modify(event.shiftKey ? "extend" : "move", arrows[event.key], granularity);
    drawCaret();
    return true;
  }
  if (event.key === "Home" || event.key === "End") {
    event.preventDefault();
    sel.modify(event.shiftKey ? "extend" : "move", event.key === "Home" ? "backward" : "forward", event.ctrlKey ? "documentboundary" : "lineboundary");
    drawCaret();
    return true;
  }
  const stanceKey = ["1", "2", "3"].includes(event.key) && !event.ctrlKey && !event.metaKey && !event.altKey;
  if ((stanceKey || event.key === "Enter") && !sel.isCollapsed) {
    event.preventDefault();
    caretEl?.remove();
    caretEl = null;
    selectionMade(stanceKey ? event.key : null);
    return true;
  }
  if (event.key === "Enter" && sel.isCollapsed) {
    const node = sel.focusNode?.nodeType === 3 ? sel.focusNode.parentElement : sel.focusNode;
    const mark = node?.closest?.("#article-text mark[data-ids]");
    if (mark) {
      event.preventDefault();
      openStatement(mark.dataset.ids.split(" "));
      return true;
    }
  }
  return false;
}

// ---- Event wiring (delegated, so swapped-in fragments need no re-binding) -------------------

// The selection as it was when a button went down: a release that leaves it as it was (a click
// on a button while a keyboard selection waits in the text) made no selection.
let selectionAtDown = "";
function selectionSignature() {
  const sel = window.getSelection();
  if (!sel || !sel.rangeCount || sel.isCollapsed) return "";
  const r = sel.getRangeAt(0);
  const root = textRoot();
  return root && r.intersectsNode(root) ? `${offsetOf(root, r.startContainer, r.startOffset)}:${r.toString().length}` : "";
}

document.addEventListener("pointerdown", (event) => {
  pointerDown = true;
  lastPointer = event.pointerType || "mouse";
  selectionHandled = false;
  selectionAtDown = selectionSignature();
});

// A selection ends wherever the button is released: below the card, in the gap before the
// panel, over the panel. The selection itself says whether it touches the text.
document.addEventListener("pointerup", (event) => {
  pointerDown = false;
  lastPointer = event.pointerType || "mouse";
  if (lastPointer === "touch") return; // touch: the selection settles after the finger lifts
  const now = selectionSignature();
  if (now && now !== selectionAtDown) selectionMade(null);
});
document.addEventListener("pointercancel", () => {
  pointerDown = false;
});

// Touch (a long press selects a word, the handles adjust it) and other ways of selecting
// that end with no mouse button: wait until the selection rests, then open the tagger.
let selectionTimer = null;
document.addEventListener("selectionchange", () => {
  drawCaret();
  if (lastPointer !== "touch") return;
  clearTimeout(selectionTimer);
  selectionTimer = setTimeout(() => {
    if (!pointerDown || lastPointer === "touch") selectionMade(null);
  }, 350);
});

document.addEventListener("click", (event) => {
  const target = event.target;
  if (!target.closest) return;
  const restore = target.closest("[data-restore-draft]");
  if (restore) return restoreDraft(restore.dataset.restoreDraft);
  const discard = target.closest("[data-discard-draft]");
  if (discard) return dropDraft(discard.dataset.discardDraft);
  const mark = target.closest("#article-text mark[data-ids]");
  if (mark && !selectionHandled && window.getSelection().isCollapsed && !evidenceForm) {
    const form = activeForm();
    if (form && form.dataset.annotateForm === "new") closeForm(form); // its changes stay a draft
    openStatement(mark.dataset.ids.split(" "));
    return;
  }
  const option = target.closest(".picker-option");
  if (option) {
    const picker = option.closest("[data-picker]");
    choose(picker, option.dataset.actorId, option.dataset.actorName);
    picker.querySelector(".picker-q").focus();
    saveDraft(option.closest("form"));
    return;
  }
  const clear = target.closest("[data-picker-clear]");
  if (clear) {
    const picker = clear.closest("[data-picker]");
    choose(picker, "", "");
    picker.querySelector(".picker-q").focus();
    saveDraft(clear.closest("form"));
    return;
  }
  if (target.closest("[data-find-next], [data-find-prev]")) {
    const input = document.getElementById("find-q");
    findStep(input.value, target.closest("[data-find-prev]") ? -1 : 1);
    return;
  }
  if (target.closest("[data-next-quote]")) return nextQuote();
  if (target.closest("[data-take-theirs]")) dropDraft(target.closest("[data-take-theirs]").dataset.takeTheirs);
  const form = target.closest("form[data-annotate-form]");
  if (!form) return;
  if (target.closest("[data-add-condition]")) addCondition(form, null);
  else if (target.closest("[data-evidence-mode]")) {
    if (evidenceForm === form) stopEvidence();
    else startEvidence(form);
  } else if (target.closest("[data-remove-condition]")) {
    target.closest("li").remove();
    saveDraft(form);
  } else if (target.closest("[data-reset-span]")) {
    const root = textRoot();
    const s = Number(form.dataset.origStart);
    const e = Number(form.dataset.origEnd);
    setSpan(form, { start: s, end: e, quote: root.textContent.slice(s, e) });
    saveDraft(form);
  } else if (target.closest("button[data-cancel]")) closeForm(form);
});

// Another statement opened in the panel while the tagger is open: the tagger closes (its
// changes stay a draft), so exactly one form is active.
document.body.addEventListener("htmx:beforeRequest", (event) => {
  const elt = event.detail.elt;
  if (elt?.matches?.('form[data-annotate-form="new"]')) carryDraftId = elt.dataset.draftId;
  const target = event.detail.target;
  if (target?.id !== "panel") return;
  const t = tagger();
  if (t && !t.hidden) closeForm(t.querySelector("form"));
});

document.addEventListener("input", (event) => {
  const form = event.target.closest?.("form[data-annotate-form]");
  if (form && !event.target.matches(".picker-q")) saveDraft(form);
  if (event.target.id === "find-q") findStep(event.target.value, 0);
});
document.addEventListener("change", (event) => {
  const tools = event.target.closest?.("[data-list-tools]");
  if (tools) return listChanged(tools);
  const form = event.target.closest?.("form[data-annotate-form]");
  if (form && !event.target.matches(".picker-q")) saveDraft(form);
});

document.addEventListener("keydown", (event) => {
  const target = event.target;
  const root = textRoot();

  if (target.id === "find-q") {
    if (event.key === "Enter") {
      event.preventDefault();
      findStep(target.value, event.shiftKey ? -1 : 1);
    } else if (event.key === "Escape") {
      target.value = "";
      findStep("", 0);
    }
    return;
  }
  if (event.key === "/" && !isTyping(target) && !event.ctrlKey && !event.metaKey) {
    const find = document.getElementById("find-q");
    if (find) {
      event.preventDefault();
      find.focus();
      return;
    }
  }
  // The text itself: caret keys, and tagging the selection made with them (Esc goes on below).
  if (root && target === root && root.hasAttribute("data-annotatable") && event.key !== "Escape") {
    if (textKeys(event, root)) return;
  }
  const form = activeForm();
  if (!form) return;
  const scope = form.closest("#tagger, #panel") || form;
  if (!scope.contains(target) && target !== document.body && !root?.contains(target)) return;
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
  // Span correction: Shift+←/→ the end by a word, Alt+Shift+←/→ the start (outside text fields,
  // or in an empty speaker search, where the flow leaves focus after 1 2 3).
  const emptySearch = target.matches?.(".picker-q") && !target.value;
  if (event.shiftKey && ["ArrowLeft", "ArrowRight"].includes(event.key) && (!field || emptySearch) && !event.ctrlKey) {
    const span = spanOf(form);
    if (span) {
      event.preventDefault();
      const next = stepSpan(root.textContent, span, event.altKey ? "start" : "end", event.key === "ArrowRight" ? 1 : -1);
      const range = setSpan(form, next);
      if (range) scrollToRange(range);
      saveDraft(form);
      announce(`Quote: ${next.quote}`);
    }
    return;
  }
  if (event.key === "Escape") {
    event.preventDefault();
    if (picker && (options(picker).length || picker.querySelector(".picker-q").value)) {
      clearSearch(picker);
      picker.querySelector(".picker-q").focus();
    } else if (evidenceForm) stopEvidence();
    else closeForm(form);
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
    if (form.querySelector("[data-conflict]")) return; // a conflict: choose one of its buttons
    form.requestSubmit();
    return;
  }
  if (!field && !event.altKey && !event.ctrlKey && !event.metaKey && ["1", "2", "3"].includes(event.key)) {
    event.preventDefault();
    setStance(form, event.key);
  }
});

// A save went through: its draft is done with. (beforeSwap: the form is still on the page;
// afterRequest would fire on a form the swap has already removed.)
function saved(elt, xhr) {
  if (!elt?.matches?.("form[data-annotate-form]") || !xhr || xhr.status < 200 || xhr.status >= 300) return;
  dropDraft(draftKey(elt));
  if (elt.dataset.annotateForm === "new" && document.contains(elt)) {
    resetTagger();
    showPending(null);
  }
}
document.body.addEventListener("htmx:beforeSwap", (event) => saved(event.detail.requestConfig?.elt, event.detail.xhr));
document.body.addEventListener("htmx:afterRequest", (event) => saved(event.detail.elt, event.detail.xhr));

// htmx fires afterSwap on each element it swapped in (the new one, for outerHTML swaps).
document.body.addEventListener("htmx:afterSwap", (event) => {
  const el = event.target;
  if (el.id === "workspace") {
    // Saved, deleted or another layer: the tagging panel is fresh and hidden; keep focus nearby.
    stopEvidence();
    showPending(null);
    panel()?.focus({ preventScroll: true });
  }
  if (el.id === "workspace" || el.id === "panel" || el.querySelector?.("form[data-annotate-form]")) adoptForms();
  if (el.id === "workspace" || el.id === "panel") {
    if (el.id === "panel" && !el.querySelector("form[data-annotate-form]")) showPending(null);
    markSelected();
    applyList();
    renderDrafts();
  }
  if (el.id === "panel" && event.detail.requestConfig?.elt?.closest?.(".statement-list, .also, #panel, #drafts")) {
    el.focus({ preventScroll: true }); // opened from the keyboard-reachable list: go to it
  }
  if (el.classList?.contains("picker-choice")) {
    // An actor was created in place and chosen.
    const picker = el.closest("[data-picker]");
    clearSearch(picker);
    picker.querySelector(".picker-q").focus();
    saveDraft(picker.closest("form"));
  }
  if (el.id === "tagger" || el.id === "panel") {
    // Errors came back (422): show them to keyboard and screen-reader users.
    focusErrors(el);
  }
});

window.addEventListener("resize", drawCaret);
document.addEventListener("focusout", (event) => {
  if (event.target === textRoot()) {
    caretEl?.remove();
    caretEl = null;
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
  const open = activeForm();
  if (open && open.dataset.annotateForm === "edit") closeForm(open);
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
  saveDraft(form);
  t.querySelector("h2").focus({ preventScroll: true });
  return true;
}

window.Annotate = Object.freeze({ openTagger: openTaggerWith });

adoptForms();
markSelected();
applyList();
renderDrafts();
// Listening: tests (and other scripts) wait for this before they select.
document.getElementById("annotate")?.setAttribute("data-ready", "");
